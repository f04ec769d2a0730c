/* SPDX-License-Identifier: MIT */
/*
 * test_memblock_alloc.c - memblock allocations, each scenario run both
 * top-down and bottom-up: window, alignment, first page, min_addr drop,
 * current_limit, nodes and exact_nid, mirror, hotplug, nomap,
 * driver-managed, zeroing and raw, exhaustion and bad input.
 */
#include <stdlib.h>
#include <string.h>

#include "host_platform.h"
#include "memblock_test.h"

#define NONE PMM_MAX_NUMNODES
#define RSV (&pmm_memblock.reserved)
#define TOP (16 * SZ_1M)

/* Memory [1M, 16M) on no node, filled with 0xaa. */
static void setup_flat(void)
{
	assert_int_equal(pmm_memblock_add(SZ_1M, TOP - SZ_1M), 0);
	memset(mbt_ptr(SZ_1M), 0xaa, TOP - SZ_1M);
}

static pmm_phys_t alloc_ok(uint64_t size, uint64_t align, pmm_phys_t min,
			   pmm_phys_t max, int nid, unsigned int opts)
{
	pmm_phys_t pa = 0;

	assert_int_equal(pmm_memblock_alloc(size, align, min, max, nid, opts,
					    &pa), 0);
	return pa;
}

/*
 *   |  [..............memory..............]  |
 *      ^ bottom-up                top-down ^
 */
static void simple(bool bu)
{
	pmm_phys_t pa;

	setup_flat();
	pa = alloc_ok(SZ_4K, SZ_4K, 0, PMM_MEMBLOCK_ALLOC_ACCESSIBLE,
		      PMM_NUMA_NO_NODE, 0);
	assert_int_equal(pa, bu ? SZ_1M : TOP - SZ_4K);
	MBT_EXPECT(RSV, { pa, SZ_4K, 0, NONE });
	assert_true(pmm_memblock_is_reserved(pa));
	/* the next one lands next to it and the reservations merge */
	pa = alloc_ok(SZ_4K, SZ_4K, 0, 0, PMM_NUMA_NO_NODE, 0);
	assert_int_equal(pa, bu ? SZ_1M + SZ_4K : TOP - 2 * SZ_4K);
	MBT_EXPECT(RSV, { bu ? SZ_1M : TOP - 2 * SZ_4K, 2 * SZ_4K, 0, NONE });
}

MBT_BOTH_DIRECTIONS(simple)

/* Zeroed unless raw: 0xaa stays in raw allocations. */
static void zero_and_raw(bool bu)
{
	pmm_phys_t pa;
	unsigned char *p;

	(void)bu;
	setup_flat();
	pa = alloc_ok(SZ_4K + 100, 8, 0, 0, PMM_NUMA_NO_NODE, 0);
	p = mbt_ptr(pa);
	for (size_t i = 0; i < SZ_4K + 100; i++)
		assert_int_equal(p[i], 0);
	pa = alloc_ok(SZ_1K, 8, 0, 0, PMM_NUMA_NO_NODE, PMM_MEMBLOCK_ALLOC_RAW);
	p = mbt_ptr(pa);
	for (size_t i = 0; i < SZ_1K; i++)
		assert_int_equal(p[i], 0xaa);
}

MBT_BOTH_DIRECTIONS(zero_and_raw)

/*
 * Alignment: an odd size is placed on an aligned address.
 *   top-down:  round_down(16M - 100, 64K);   bottom-up: 1M
 */
static void align(bool bu)
{
	pmm_phys_t pa;

	setup_flat();
	assert_int_equal(pmm_memblock_reserve(SZ_1M, 100), 0);
	pa = alloc_ok(100, SZ_64K, 0, 0, PMM_NUMA_NO_NODE, 0);
	assert_int_equal(pa, bu ? SZ_1M + SZ_64K : TOP - SZ_64K);
	assert_int_equal(pa % SZ_64K, 0);
}

MBT_BOTH_DIRECTIONS(align)

/*
 *   |[p0][p1]|   memory is two pages; page 0 is never handed out
 */
static void first_page(bool bu)
{
	pmm_phys_t pa = 0;

	(void)bu;
	assert_int_equal(pmm_memblock_add(0, 2 * SZ_4K), 0);
	assert_int_equal(pmm_memblock_phys_alloc(SZ_4K, SZ_4K, &pa), 0);
	assert_int_equal(pa, SZ_4K);
	assert_int_equal(pmm_memblock_phys_alloc(SZ_4K, SZ_4K, &pa), PMM_ENOMEM);
	assert_int_equal(pmm_memblock_alloc(16, 16, 0, 0, PMM_NUMA_NO_NODE,
					    0, &pa), PMM_ENOMEM);
	MBT_EXPECT(RSV, { SZ_4K, SZ_4K, 0, NONE });
}

MBT_BOTH_DIRECTIONS(first_page)

/*
 *   |      [min ........ max)       |
 *           ^ bottom-up   ^ top-down ends at max
 */
static void window(bool bu)
{
	pmm_phys_t pa;

	setup_flat();
	pa = alloc_ok(SZ_64K, SZ_4K, 4 * SZ_1M, 8 * SZ_1M, PMM_NUMA_NO_NODE, 0);
	assert_int_equal(pa, bu ? 4 * SZ_1M : 8 * SZ_1M - SZ_64K);
	assert_int_equal(pmm_memblock_alloc_range_nid(SZ_64K, SZ_4K, 4 * SZ_1M,
						      8 * SZ_1M,
						      PMM_NUMA_NO_NODE, false,
						      &pa), 0);
	assert_int_equal(pa, bu ? 4 * SZ_1M + SZ_64K : 8 * SZ_1M - 2 * SZ_64K);
}

MBT_BOTH_DIRECTIONS(window)

/*
 *   |[free][    reserved above min     ]|
 *              ^ min: nothing fits above, the try_nid family drops min
 */
static void min_addr_drop(bool bu)
{
	pmm_phys_t pa = 0;

	setup_flat();
	assert_int_equal(pmm_memblock_reserve(4 * SZ_1M, TOP - 4 * SZ_1M), 0);
	assert_int_equal(pmm_memblock_alloc_range_nid(SZ_4K, SZ_4K, 8 * SZ_1M,
						      0, PMM_NUMA_NO_NODE,
						      false, &pa), PMM_ENOMEM);
	pa = alloc_ok(SZ_4K, SZ_4K, 8 * SZ_1M, 0, PMM_NUMA_NO_NODE, 0);
	assert_int_equal(pa, bu ? SZ_1M : 4 * SZ_1M - SZ_4K);
}

MBT_BOTH_DIRECTIONS(min_addr_drop)

/* current_limit caps ACCESSIBLE and the try_nid family, not ANYWHERE. */
static void current_limit(bool bu)
{
	pmm_phys_t pa = 0;

	setup_flat();
	pmm_memblock_set_current_limit(8 * SZ_1M);
	assert_int_equal(pmm_memblock_get_current_limit(), 8 * SZ_1M);
	pmm_memblock_set_bottom_up(false);
	assert_int_equal(pmm_memblock_phys_alloc(SZ_4K, SZ_4K, &pa), 0);
	assert_int_equal(pa, 8 * SZ_1M - SZ_4K);
	pa = alloc_ok(SZ_4K, SZ_4K, 0, PMM_MEMBLOCK_ALLOC_ANYWHERE,
		      PMM_NUMA_NO_NODE, 0);
	assert_int_equal(pa, 8 * SZ_1M - 2 * SZ_4K);
	assert_int_equal(pmm_memblock_alloc_range_nid(SZ_4K, SZ_4K, 0,
						      PMM_MEMBLOCK_ALLOC_ANYWHERE,
						      PMM_NUMA_NO_NODE, false,
						      &pa), 0);
	assert_int_equal(pa, TOP - SZ_4K);
	/* a window entirely above the limit falls back below it */
	pmm_memblock_set_bottom_up(bu);
	pa = alloc_ok(SZ_4K, SZ_4K, 12 * SZ_1M, PMM_MEMBLOCK_ALLOC_ANYWHERE,
		      PMM_NUMA_NO_NODE, 0);
	assert_true(pa < 8 * SZ_1M);
}

MBT_BOTH_DIRECTIONS(current_limit)

/*
 *   | [ node 0: 1M..8M ][ node 1: 8M..16M ] |
 */
static void two_nodes(void)
{
	assert_int_equal(pmm_memblock_add_node(SZ_1M, 7 * SZ_1M, 0, 0), 0);
	assert_int_equal(pmm_memblock_add_node(8 * SZ_1M, 8 * SZ_1M, 1, 0), 0);
}

static void nid_pick(bool bu)
{
	pmm_phys_t pa;

	two_nodes();
	pa = alloc_ok(SZ_4K, SZ_4K, 0, 0, 0, 0);
	assert_int_equal(pa, bu ? SZ_1M : 8 * SZ_1M - SZ_4K);
	pa = alloc_ok(SZ_4K, SZ_4K, 0, 0, 1, 0);
	assert_int_equal(pa, bu ? 8 * SZ_1M : TOP - SZ_4K);
	/* the "no node" id reads as any node */
	pa = alloc_ok(SZ_4K, SZ_4K, 0, 0, NONE, 0);
	assert_int_equal(pa, bu ? SZ_1M + SZ_4K : TOP - 2 * SZ_4K);
}

MBT_BOTH_DIRECTIONS(nid_pick)

/* Node 0 full: plain requests fall back to node 1, exact ones fail. */
static void nid_fallback(bool bu)
{
	pmm_phys_t pa = 0;

	two_nodes();
	assert_int_equal(pmm_memblock_reserve(SZ_1M, 7 * SZ_1M), 0);
	pa = alloc_ok(SZ_4K, SZ_4K, 0, 0, 0, 0);
	assert_int_equal(pa, bu ? 8 * SZ_1M : TOP - SZ_4K);
	assert_int_equal(pmm_memblock_alloc(SZ_4K, SZ_4K, 0, 0, 0,
					    PMM_MEMBLOCK_ALLOC_EXACT_NID, &pa),
			 PMM_ENOMEM);
	assert_int_equal(pmm_memblock_alloc_range_nid(SZ_4K, SZ_4K, 0, 0, 0,
						      true, &pa), PMM_ENOMEM);
	/* a node with no memory at all behaves the same */
	pa = alloc_ok(SZ_4K, SZ_4K, 0, 0, 5, 0);
	assert_true(pa >= 8 * SZ_1M);
}

MBT_BOTH_DIRECTIONS(nid_fallback)

/*
 *   |[ plain ][mirror 2M..3M][ plain ...... ]|
 * Once mirror exists it is preferred; when it is full, any memory, with a
 * warning in the log.
 */
static void mirror(bool bu)
{
	pmm_phys_t pa;
	char *log;

	setup_flat();
	assert_int_equal(pmm_memblock_mark_mirror(2 * SZ_1M, SZ_1M), 0);
	pa = alloc_ok(SZ_4K, SZ_4K, 0, 0, PMM_NUMA_NO_NODE, 0);
	assert_int_equal(pa, bu ? 2 * SZ_1M : 3 * SZ_1M - SZ_4K);
	assert_int_equal(pmm_memblock_reserve(2 * SZ_1M, SZ_1M), 0);
	host_log_capture_start();
	pa = alloc_ok(SZ_4K, SZ_4K, 0, 0, PMM_NUMA_NO_NODE, 0);
	log = host_log_capture_stop();
	assert_int_equal(pa, bu ? SZ_1M : TOP - SZ_4K);
	assert_non_null(strstr(log, "Could not allocate 0x0000000000001000 bytes of mirrored memory"));
	free(log);
}

MBT_BOTH_DIRECTIONS(mirror)

/* HOTPLUG memory is skipped only under the movable-node policy. */
static void hotplug(bool bu)
{
	pmm_phys_t pa;

	setup_flat();
	assert_int_equal(pmm_memblock_mark_hotplug(SZ_1M, SZ_1M), 0);
	assert_int_equal(pmm_memblock_mark_hotplug(8 * SZ_1M, 8 * SZ_1M), 0);
	pmm_memblock_set_movable_node(true);
	pa = alloc_ok(SZ_4K, SZ_4K, 0, 0, PMM_NUMA_NO_NODE, 0);
	assert_int_equal(pa, bu ? 2 * SZ_1M : 8 * SZ_1M - SZ_4K);
	pmm_memblock_set_movable_node(false);
	pa = alloc_ok(SZ_4K, SZ_4K, 0, 0, PMM_NUMA_NO_NODE, 0);
	assert_int_equal(pa, bu ? SZ_1M : TOP - SZ_4K);
}

MBT_BOTH_DIRECTIONS(hotplug)

/*
 *   |[nomap 1M..2M][ plain ][driver-managed 8M..16M]|
 * Neither kind is ever allocated.
 */
static void nomap_and_driver(bool bu)
{
	pmm_phys_t pa = 0;

	setup_flat();
	assert_int_equal(pmm_memblock_mark_nomap(SZ_1M, SZ_1M), 0);
	assert_int_equal(pmm_memblock_setclr_flag(8 * SZ_1M, 8 * SZ_1M,
						  PMM_MEMBLOCK_DRIVER_MANAGED,
						  true), 0);
	pa = alloc_ok(SZ_4K, SZ_4K, 0, 0, PMM_NUMA_NO_NODE, 0);
	assert_int_equal(pa, bu ? 2 * SZ_1M : 8 * SZ_1M - SZ_4K);
	assert_int_equal(pmm_memblock_phys_alloc(7 * SZ_1M, SZ_4K, &pa),
			 PMM_ENOMEM);
}

MBT_BOTH_DIRECTIONS(nomap_and_driver)

/*
 *   |[r][ gap ][r][  gap  ][r]|  a request fits only the larger gap
 */
static void gaps(bool bu)
{
	pmm_phys_t pa;

	setup_flat();
	assert_int_equal(pmm_memblock_reserve(SZ_1M, SZ_1M), 0);
	assert_int_equal(pmm_memblock_reserve(3 * SZ_1M, SZ_1M), 0);
	assert_int_equal(pmm_memblock_reserve(8 * SZ_1M, 8 * SZ_1M), 0);
	pa = alloc_ok(2 * SZ_1M, SZ_4K, 0, 0, PMM_NUMA_NO_NODE, 0);
	assert_int_equal(pa, bu ? 4 * SZ_1M : 6 * SZ_1M);
	pa = alloc_ok(SZ_1M, SZ_4K, 0, 0, PMM_NUMA_NO_NODE, 0);
	assert_int_equal(pa, bu ? 2 * SZ_1M : 5 * SZ_1M);
}

MBT_BOTH_DIRECTIONS(gaps)

/* Exhaustion and bad input change nothing. */
static void errors(bool bu)
{
	pmm_phys_t pa = 0;

	(void)bu;
	setup_flat();
	assert_int_equal(pmm_memblock_phys_alloc(TOP, SZ_4K, &pa), PMM_ENOMEM);
	assert_int_equal(pmm_memblock_phys_alloc(SZ_4K, 0, &pa), PMM_EALIGN);
	assert_int_equal(pmm_memblock_phys_alloc(SZ_4K, 3, &pa), PMM_EALIGN);
	assert_int_equal(pmm_memblock_phys_alloc(0, SZ_4K, &pa), PMM_EINVAL);
	assert_int_equal(pmm_memblock_phys_alloc(SZ_4K, SZ_4K, NULL), PMM_EINVAL);
	assert_int_equal(pmm_memblock_alloc(SZ_4K, SZ_4K, 0, 0, 0, 0x80, &pa),
			 PMM_EINVAL);
	mbt_expect_empty(RSV);
	pmm_memblock.handed_off = true;
	assert_int_equal(pmm_memblock_phys_alloc(SZ_4K, SZ_4K, &pa),
			 PMM_ERETIRED);
	mbt_expect_empty(RSV);
}

MBT_BOTH_DIRECTIONS(errors)

/* A whole memory region can be taken at once, to the byte. */
static void exact_fit(bool bu)
{
	pmm_phys_t pa;

	(void)bu;
	assert_int_equal(pmm_memblock_add(SZ_1M, SZ_64K), 0);
	pa = alloc_ok(SZ_64K, SZ_64K, 0, 0, PMM_NUMA_NO_NODE, 0);
	assert_int_equal(pa, SZ_1M);
	MBT_EXPECT(RSV, { SZ_1M, SZ_64K, 0, NONE });
}

MBT_BOTH_DIRECTIONS(exact_fit)

/* With memblock=debug each allocation logs its request and reservation. */
static void test_debug_lines(void **state)
{
	char *log;

	(void)state;
	setup_flat();
	pmm_memblock_set_debug(true);
	host_log_capture_start();
	alloc_ok(SZ_4K, SZ_4K, 0, 0, 1, 0);
	log = host_log_capture_stop();
	assert_non_null(strstr(log, "memblock_alloc_try_nid: 4096 bytes align=0x1000 nid=1 from=0x0000000000000000 max_addr=0x0000000000000000 pmm_memblock_alloc\n"));
	assert_non_null(strstr(log, "memblock_reserve: [0x0000000000fff000-0x0000000000ffffff] pmm_memblock_alloc_range_nid\n"));
	free(log);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		MBT_CASES_BOTH(simple),
		MBT_CASES_BOTH(zero_and_raw),
		MBT_CASES_BOTH(align),
		MBT_CASES_BOTH(first_page),
		MBT_CASES_BOTH(window),
		MBT_CASES_BOTH(min_addr_drop),
		MBT_CASES_BOTH(current_limit),
		MBT_CASES_BOTH(nid_pick),
		MBT_CASES_BOTH(nid_fallback),
		MBT_CASES_BOTH(mirror),
		MBT_CASES_BOTH(hotplug),
		MBT_CASES_BOTH(nomap_and_driver),
		MBT_CASES_BOTH(gaps),
		MBT_CASES_BOTH(errors),
		MBT_CASES_BOTH(exact_fit),
		cmocka_unit_test_setup_teardown(test_debug_lines, mbt_setup, mbt_teardown),
	};
	return cmocka_run_group_tests_name("memblock_alloc", tests, NULL, NULL);
}
