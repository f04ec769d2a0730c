/* SPDX-License-Identifier: MIT */
/*
 * memblock_test.h - shared fixtures of the memblock tests: a host platform
 * with simulated physical memory, a clean memblock per case, and region
 * assertions that print the whole array when they fail.
 */
#ifndef PMM_TESTS_MEMBLOCK_TEST_H
#define PMM_TESTS_MEMBLOCK_TEST_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <pmm/memblock.h>

#define SZ_1K 0x400ull
#define SZ_4K 0x1000ull
#define SZ_64K 0x10000ull
#define SZ_1M 0x100000ull
#define SZ_16M 0x1000000ull

/* Simulated physical memory of the fixtures (bytes). */
#define MBT_PHYS_SIZE (64 * SZ_1M)

/* cmocka setup/teardown: install the host platform, reset memblock. */
int mbt_setup(void **state);
int mbt_teardown(void **state);

/* One expected region. */
struct mbt_rgn {
	pmm_phys_t base;
	uint64_t size;
	unsigned int flags;
	int nid;
};
#define MBT_ANY_NID (-1000)

/*
 * Assert that @type holds exactly the @n regions of @want (flags and nid
 * checked unless nid is MBT_ANY_NID) and that total_size adds up.
 */
void mbt_expect(const struct pmm_memblock_type *type,
		const struct mbt_rgn *want, unsigned long n,
		const char *file, int line);
#define MBT_EXPECT(type, ...)                                                 \
	do {                                                                  \
		const struct mbt_rgn mbt_w_[] = { __VA_ARGS__ };              \
		mbt_expect((type), mbt_w_, sizeof(mbt_w_) / sizeof(mbt_w_[0]), \
			   __FILE__, __LINE__);                               \
	} while (0)
/* Assert that @type is empty (one zero-size entry, cnt 1). */
void mbt_expect_empty(const struct pmm_memblock_type *type);

/*
 * One scenario, two cmocka cases: MBT_BOTH_DIRECTIONS(fn) defines
 * test_fn_top_down() and test_fn_bottom_up(), which set the direction on
 * the clean memblock of mbt_setup() and run fn(false) or fn(true);
 * MBT_CASES_BOTH(fn) registers the pair. A failure names its direction.
 */
#define MBT_BOTH_DIRECTIONS(fn)                                   \
	static void test_##fn##_top_down(void **state)            \
	{                                                         \
		(void)state;                                      \
		pmm_memblock_set_bottom_up(false);                \
		fn(false);                                        \
	}                                                         \
	static void test_##fn##_bottom_up(void **state)           \
	{                                                         \
		(void)state;                                      \
		pmm_memblock_set_bottom_up(true);                 \
		fn(true);                                         \
	}
#define MBT_CASES_BOTH(fn)                                                         \
	cmocka_unit_test_setup_teardown(test_##fn##_top_down, mbt_setup, mbt_teardown), \
	cmocka_unit_test_setup_teardown(test_##fn##_bottom_up, mbt_setup, mbt_teardown)

/* Pointer to simulated physical address @pa. */
unsigned char *mbt_ptr(pmm_phys_t pa);

/* Byte-exact copy of pmm_memblock and both region arrays. */
struct mbt_snap {
	struct pmm_memblock mb;
	struct pmm_memblock_region memory[PMM_INIT_MEMBLOCK_REGIONS];
	struct pmm_memblock_region reserved[PMM_INIT_MEMBLOCK_REGIONS];
};

/* Record pmm_memblock and its region arrays in @s. */
void mbt_snap_take(struct mbt_snap *s);
/* Assert that pmm_memblock and its region arrays equal @s. */
void mbt_snap_expect_same(const struct mbt_snap *s);

#endif /* PMM_TESTS_MEMBLOCK_TEST_H */
