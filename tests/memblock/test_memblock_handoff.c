/* SPDX-License-Identifier: MIT */
/*
 * test_memblock_handoff.c - retiring memblock into the buddy allocator:
 * free_all hands exactly memory minus reserved minus NOMAP (whole pages),
 * allocations end, free_late and discard go straight to the buddy
 * allocator.
 */
#include <stdlib.h>
#include <string.h>

#include "buddy_setup.h"
#include "host_platform.h"
#include "memblock_test.h"

#define MAX_PFN 16384u /* 64 MiB: DMA [0, 16M), Normal [16M, 64M) */

static const struct buddy_zone_spec zones[] = {
	{ 0, PMM_ZONE_DMA, 0, 4096 },
	{ 0, PMM_ZONE_NORMAL, 4096, MAX_PFN },
};

static int setup(void **state)
{
	(void)state;
	if (buddy_setup(&(struct buddy_setup_opts){ .max_pfn = MAX_PFN,
						    .zones = zones,
						    .nr_zones = 2 }))
		return -1;
	pmm_memblock_reset();
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	pmm_memblock_reset();
	buddy_teardown();
	return 0;
}

/* Pages of [0, MAX_PFN) that are memory, not NOMAP, not reserved (whole). */
static uint64_t expected_free_pages(void)
{
	uint64_t n = 0;

	for (pmm_pfn_t pfn = 0; pfn < MAX_PFN; pfn++) {
		pmm_phys_t pa = PMM_PFN_PHYS(pfn);

		if (pmm_memblock_is_region_memory(pa, PMM_PAGE_SIZE) &&
		    pmm_memblock_is_map_memory(pa) &&
		    !pmm_memblock_is_region_reserved(pa, PMM_PAGE_SIZE))
			n++;
	}
	return n;
}

/*
 *   memory   |p0[.......... 0 .. 40M .........]   [ 48M .. 64M ]|
 *   reserved |p0 [kernel 1M..3M]  [8000 bytes at 20M+100]        |
 *   nomap    |                       [30M..31M]                  |
 *   hotplug  |                                      [48M..56M]   |
 */
static void build(void)
{
	assert_int_equal(pmm_memblock_add_node(0, 40 * SZ_1M, 0, 0), 0);
	assert_int_equal(pmm_memblock_add_node(48 * SZ_1M, 16 * SZ_1M, 0,
					       PMM_MEMBLOCK_HOTPLUG), 0);
	assert_int_equal(pmm_memblock_mark_hotplug(48 * SZ_1M, 8 * SZ_1M), 0);
	assert_int_equal(pmm_memblock_reserve(0, SZ_4K), 0);
	assert_int_equal(pmm_memblock_reserve(SZ_1M, 2 * SZ_1M), 0);
	assert_int_equal(pmm_memblock_reserve(20 * SZ_1M + 100, 8000), 0);
	assert_int_equal(pmm_memblock_mark_nomap(30 * SZ_1M, SZ_1M), 0);
}

static void test_free_all_exact(void **state)
{
	uint64_t pages = 0, want;

	(void)state;
	build();
	want = expected_free_pages();
	/* 64M minus 8M hole, page 0, 2M kernel, 2 partly used pages, 1M nomap */
	assert_int_equal(want, (56 * SZ_1M - SZ_4K - 2 * SZ_1M - 2 * SZ_4K -
				SZ_1M) / SZ_4K);
	assert_int_equal(pmm_memblock_free_all(&pages), 0);
	assert_int_equal(pages, want);
	assert_int_equal(pmm_nr_free_pages(), want);
	assert_null(pmm_check());
	/* reserved, partly reserved and NOMAP pages stayed out */
	assert_true(pmm_pfn_is_reserved(PMM_PFN_DOWN(SZ_1M)));
	assert_true(pmm_pfn_is_reserved(PMM_PFN_DOWN(20 * SZ_1M)));
	assert_true(pmm_pfn_is_reserved(PMM_PFN_DOWN(20 * SZ_1M + 8100)));
	assert_false(pmm_pfn_is_reserved(PMM_PFN_DOWN(20 * SZ_1M + 8192)));
	assert_true(pmm_pfn_is_reserved(PMM_PFN_DOWN(30 * SZ_1M)));
	assert_true(pmm_pfn_is_reserved(PMM_PFN_DOWN(44 * SZ_1M)));
	/* HOTPLUG is cleared at retirement and its memory handed over */
	assert_int_equal(pmm_memblock.memory.cnt, 4);
	assert_int_equal(pmm_memblock.memory.regions[3].base, 48 * SZ_1M);
	assert_int_equal(pmm_memblock.memory.regions[3].flags, 0);
	assert_false(pmm_pfn_is_reserved(PMM_PFN_DOWN(50 * SZ_1M)));
}

static void test_free_all_ends_allocation(void **state)
{
	pmm_phys_t pa;
	uint64_t pages = 0;

	(void)state;
	build();
	assert_int_equal(pmm_memblock_free_all(&pages), 0);
	assert_int_equal(pmm_memblock_free_all(&pages), PMM_ERETIRED);
	assert_int_equal(pmm_memblock_phys_alloc(SZ_4K, SZ_4K, &pa),
			 PMM_ERETIRED);
	assert_int_equal(pmm_memblock_free_all(NULL), PMM_ERETIRED);
}

/* Memory outside every zone: the buddy allocator's error comes back. */
static void test_free_all_outside_zones(void **state)
{
	uint64_t pages = 0;

	(void)state;
	assert_int_equal(pmm_memblock_add(SZ_1M, SZ_1M), 0);
	assert_int_equal(pmm_memblock_add(128 * SZ_1M, SZ_1M), 0);
	assert_int_equal(pmm_memblock_add(129 * SZ_1M + SZ_4K, SZ_4K), 0);
	assert_int_equal(pmm_memblock_add(4 * SZ_1M, SZ_1M), 0);
	assert_int_equal(pmm_memblock_free_all(&pages), PMM_ERANGE);
	/* the ranges inside zones were handed over all the same */
	assert_int_equal(pages, 2 * SZ_1M / SZ_4K);
	assert_int_equal(pmm_nr_free_pages(), 2 * SZ_1M / SZ_4K);
}

/*
 *   reserved |[ initrd 8M..10M+100 ]|   free_late returns its whole pages
 */
static void test_free_late(void **state)
{
	uint64_t pages = 0, before;

	(void)state;
	build();
	assert_int_equal(pmm_memblock_reserve(8 * SZ_1M, 2 * SZ_1M + 100), 0);
	assert_int_equal(pmm_memblock_free_late(8 * SZ_1M, 2 * SZ_1M + 100),
			 PMM_ESTATE);
	assert_int_equal(pmm_memblock_free_all(&pages), 0);
	before = pmm_nr_free_pages();
	assert_int_equal(pmm_memblock_free_late(8 * SZ_1M, 2 * SZ_1M + 100), 0);
	assert_int_equal(pmm_nr_free_pages(), before + 2 * SZ_1M / SZ_4K);
	assert_false(pmm_memblock_is_region_reserved(8 * SZ_1M, 2 * SZ_1M + 100));
	assert_true(pmm_pfn_is_reserved(PMM_PFN_DOWN(10 * SZ_1M)));
	assert_null(pmm_check());
	/* freeing free memory again: the buddy allocator refuses, no change */
	assert_int_equal(pmm_memblock_free_late(8 * SZ_1M, SZ_1M),
			 PMM_EDOUBLEFREE);
	assert_int_equal(pmm_nr_free_pages(), before + 2 * SZ_1M / SZ_4K);
	assert_int_equal(pmm_memblock_free_late(8 * SZ_1M, 0), PMM_EINVAL);
	assert_null(pmm_check());
}

/* Doubled arrays live in memblock-allocated pages; discard returns them. */
static void test_discard(void **state)
{
	uint64_t pages = 0, before;
	pmm_phys_t arr;

	(void)state;
	assert_int_equal(pmm_memblock_discard(), PMM_ESTATE);
	pmm_memblock_allow_resize();
	assert_int_equal(pmm_memblock_add(SZ_1M, 40 * SZ_1M), 0);
	for (unsigned int i = 0; i <= PMM_INIT_MEMBLOCK_REGIONS; i++)
		assert_int_equal(pmm_memblock_reserve(SZ_1M + i * 2 * SZ_4K,
						      SZ_4K), 0);
	arr = pmm_memblock_array_phys(&pmm_memblock.reserved);
	assert_int_not_equal(arr, 0);
	assert_int_equal(pmm_memblock_free_all(&pages), 0);
	assert_true(pmm_pfn_is_reserved(PMM_PFN_DOWN(arr)));
	before = pmm_nr_free_pages();
	assert_int_equal(pmm_memblock_discard(), 0);
	assert_int_equal(pmm_nr_free_pages(), before + 2); /* 8 KiB array */
	assert_false(pmm_pfn_is_reserved(PMM_PFN_DOWN(arr)));
	mbt_expect_empty(&pmm_memblock.reserved);
	assert_true(pmm_memblock.handed_off);
	assert_null(pmm_check());
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_free_all_exact, setup, teardown),
		cmocka_unit_test_setup_teardown(test_free_all_ends_allocation, setup, teardown),
		cmocka_unit_test_setup_teardown(test_free_all_outside_zones, setup, teardown),
		cmocka_unit_test_setup_teardown(test_free_late, setup, teardown),
		cmocka_unit_test_setup_teardown(test_discard, setup, teardown),
	};
	return cmocka_run_group_tests_name("memblock_handoff", tests, NULL, NULL);
}
