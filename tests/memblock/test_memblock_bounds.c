/* SPDX-License-Identifier: MIT */
/*
 * test_memblock_bounds.c - the limits of memblock, one case per boundary
 * (issue 17, docs/mutation.md): a query whose size runs to the end of the
 * address space, the slot right past cnt, a type emptied by its last
 * removal, regions that touch without being merged, a full array (exactly
 * max regions fit, one more piece is PMM_EFULL, a cut needs two free
 * slots), a region ending at the top of the address space, and the
 * pseudo node ids; free ranges that touch a reservation at either end,
 * regions without a whole page, the mirror fallback, the debug log, and the
 * hand-off of ranges without a whole page.
 *
 * Resizing stays off (mbt_setup), so a full array is an error.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buddy_setup.h"
#include "host_platform.h"
#include "memblock_test.h"

#define MAX_R PMM_INIT_MEMBLOCK_REGIONS

/* @n more separate 4 KiB regions of @type, at 0, 8K, 16K, ... */
static void fill(struct pmm_memblock_type *type, unsigned long n)
{
	unsigned long cnt = type->regions[0].size ? type->cnt : 0;

	for (unsigned long i = 0; i < n; i++)
		assert_int_equal(pmm_memblock_add_range(type, i * 2 * SZ_4K, SZ_4K,
							PMM_NUMA_NO_NODE,
							PMM_MEMBLOCK_NONE), 0);
	assert_int_equal(type->cnt, cnt + n);
}

/*
 * [8K, 2^64 - 1) overlaps the reserved region [12K, 16K): the size is capped
 * at the end of the address space, not wrapped.
 *   0   8K  12K 16K                              2^64
 *   .   [---#####----------------------------------)
 */
static void test_bounds_overlap_query_to_top_of_address_space(void **state)
{
	(void)state;
	assert_int_equal(pmm_memblock_reserve(3 * SZ_4K, SZ_4K), 0);
	assert_true(pmm_memblock_is_region_reserved(2 * SZ_4K, UINT64_MAX));
	assert_true(pmm_memblock_is_region_reserved(2 * SZ_4K, UINT64_MAX - 2 * SZ_4K));
	assert_false(pmm_memblock_is_region_reserved(4 * SZ_4K, UINT64_MAX));
}

/* The region removed last stays in the slot past cnt: it is not reserved. */
static void test_bounds_overlap_query_ignores_slot_past_cnt(void **state)
{
	(void)state;
	assert_int_equal(pmm_memblock_reserve(0, SZ_4K), 0);
	assert_int_equal(pmm_memblock_reserve(4 * SZ_4K, SZ_4K), 0);
	assert_int_equal(pmm_memblock_free(4 * SZ_4K, SZ_4K), 0);
	assert_int_equal(pmm_memblock.reserved.cnt, 1);
	assert_false(pmm_memblock_is_region_reserved(4 * SZ_4K, SZ_4K));
}

/* Removing the last region leaves one blank entry: no flags, no node. */
static void test_bounds_last_removal_blanks_entry(void **state)
{
	(void)state;
	assert_int_equal(pmm_memblock_add_node(SZ_1M, SZ_1M, 1, PMM_MEMBLOCK_HOTPLUG), 0);
	assert_int_equal(pmm_memblock_remove(SZ_1M, SZ_1M), 0);
	MBT_EXPECT(&pmm_memblock.memory, { 0, 0, PMM_MEMBLOCK_NONE, pmm_memblock.nid_none });
}

/* Touching regions of two nodes stay apart and nothing is reported. */
static void test_bounds_touching_regions_not_reported(void **state)
{
	unsigned int reports = host_report_count();

	(void)state;
	assert_int_equal(pmm_memblock_add_node(0, SZ_1M, 0, PMM_MEMBLOCK_NONE), 0);
	assert_int_equal(pmm_memblock_add_node(SZ_1M, SZ_1M, 1, PMM_MEMBLOCK_NONE), 0);
	assert_int_equal(pmm_memblock_add_node(2 * SZ_1M, SZ_1M, 0, PMM_MEMBLOCK_NONE), 0);
	assert_int_equal(pmm_memblock.memory.cnt, 3);
	assert_int_equal(host_report_count(), reports);
	assert_null(pmm_memblock_check());
}

/* Exactly max regions fit and check clean; one more piece is PMM_EFULL. */
static void test_bounds_array_exactly_full(void **state)
{
	struct mbt_snap before;

	(void)state;
	fill(&pmm_memblock.memory, MAX_R);
	assert_null(pmm_memblock_check());
	mbt_snap_take(&before);
	assert_int_equal(pmm_memblock_add(MAX_R * 2 * SZ_4K, SZ_4K), PMM_EFULL);
	mbt_snap_expect_same(&before);
}

/* One slot left: a piece touching the next region below it still fits. */
static void test_bounds_array_last_slot_touching_piece(void **state)
{
	(void)state;
	fill(&pmm_memblock.memory, MAX_R - 1);
	assert_int_equal(pmm_memblock_add_node(SZ_4K, SZ_4K, 1, PMM_MEMBLOCK_NONE), 0);
	assert_int_equal(pmm_memblock.memory.cnt, MAX_R);
}

/*
 * Cutting a hole in one region needs two free slots (it ends with one
 * more region): with max - 2 regions it works, with max - 1 it is
 * PMM_EFULL.
 */
static void test_bounds_array_cut_needs_two_slots(void **state)
{
	(void)state;
	fill(&pmm_memblock.memory, MAX_R - 3);
	assert_int_equal(pmm_memblock_add(SZ_1M * 32, SZ_16M), 0);
	assert_int_equal(pmm_memblock.memory.cnt, MAX_R - 2);
	assert_int_equal(pmm_memblock_remove(SZ_1M * 33, SZ_1M), 0);
	assert_int_equal(pmm_memblock.memory.cnt, MAX_R - 1);
	assert_int_equal(pmm_memblock_remove(SZ_1M * 40, SZ_1M), PMM_EFULL);
	assert_int_equal(pmm_memblock.memory.cnt, MAX_R - 1);
}

/* A region may end exactly at the top of the address space. */
static void test_bounds_region_ends_at_top(void **state)
{
	(void)state;
	assert_int_equal(pmm_memblock_add(PMM_PHYS_ADDR_MAX - SZ_4K, SZ_4K), 0);
	assert_null(pmm_memblock_check());
	pmm_memblock.memory.cnt = 0;
	assert_non_null(pmm_memblock_check());
	pmm_memblock.memory.cnt = 1;
}

/* remove_range without a type is refused, the range untouched. */
static void test_bounds_remove_range_no_type(void **state)
{
	(void)state;
	assert_int_equal(pmm_memblock_remove_range(NULL, SZ_1M, SZ_1M), PMM_EINVAL);
}

/* set_node: NUMA_NO_NODE means nid_none; nid_none + 1 is refused. */
static void test_bounds_set_node_pseudo_ids(void **state)
{
	(void)state;
	assert_int_equal(pmm_memblock_add_node(0, SZ_1M, 0, PMM_MEMBLOCK_NONE), 0);
	assert_int_equal(pmm_memblock_set_node(0, SZ_1M, &pmm_memblock.memory,
					       PMM_NUMA_NO_NODE), 0);
	assert_int_equal(pmm_memblock.memory.regions[0].nid, pmm_memblock.nid_none);
	assert_int_equal(pmm_memblock_set_node(0, SZ_1M, &pmm_memblock.memory,
					       pmm_memblock.nid_none + 1), PMM_EINVAL);
}

/* ---- free-range iterators ------------------------------------------------------ */

/*
 * Memory [1M, 2M) with reservations touching both of its ends: the only
 * free range is [1.25M, 1.5M), in both directions, and no empty range.
 *   1M    1.25M  1.5M          2M
 *   [#####)......[##############)
 */
static void touching_reservations(void)
{
	assert_int_equal(pmm_memblock_add(SZ_1M, SZ_1M), 0);
	assert_int_equal(pmm_memblock_reserve(SZ_1M, SZ_1M / 4), 0);
	assert_int_equal(pmm_memblock_reserve(SZ_1M + SZ_1M / 2, SZ_1M / 2), 0);
}

static void expect_one_free_range(bool reverse)
{
	struct pmm_memblock_iter it;
	unsigned int n = 0;

	pmm_memblock_iter_init(&it, PMM_NUMA_NO_NODE, PMM_MEMBLOCK_NONE, reverse);
	while (pmm_memblock_iter_next(&it)) {
		assert_int_equal(it.range.start, SZ_1M + SZ_1M / 4);
		assert_int_equal(it.range.end, SZ_1M + SZ_1M / 2);
		n++;
	}
	assert_int_equal(n, 1);
}

static void test_bounds_free_ranges_touching_reservations(void **state)
{
	(void)state;
	touching_reservations();
	expect_one_free_range(false);
	expect_one_free_range(true);
}

/*
 * pfn ranges: the region [6K, 10K) holds no whole page and is skipped;
 * the first region (index 0) is found from -1.
 */
static void test_bounds_pfn_range_whole_pages(void **state)
{
	pmm_pfn_t s = 0, e = 0;
	int idx = -1, nid = -5;

	(void)state;
	assert_int_equal(pmm_memblock_add(SZ_1M, SZ_1M), 0);
	pmm_memblock_next_pfn_range(&idx, pmm_memblock.nid_none, &s, &e, &nid);
	assert_int_equal(idx, 0);
	assert_int_equal(s, SZ_1M / SZ_4K);
	assert_int_equal(e, 2 * SZ_1M / SZ_4K);
	assert_int_equal(nid, pmm_memblock.nid_none);
	assert_int_equal(pmm_memblock_add(6 * SZ_1K, 4 * SZ_1K), 0);
	idx = -1;
	pmm_memblock_next_pfn_range(&idx, pmm_memblock.nid_none, &s, &e, NULL);
	assert_int_equal(idx, 1);
	assert_int_equal(s, SZ_1M / SZ_4K);
	pmm_memblock_next_pfn_range(&idx, pmm_memblock.nid_none, &s, &e, NULL);
	assert_int_equal(idx, -1);
}

/* ---- mirror fallback and the debug log -------------------------------------------- */

/* Mirrored memory is all reserved: say so, then take ordinary memory. */
static void test_bounds_mirror_fallback(void **state)
{
	pmm_phys_t pa = 0;
	char *log;

	(void)state;
	assert_int_equal(pmm_memblock_add(SZ_1M, SZ_1M), 0);
	assert_int_equal(pmm_memblock_add(4 * SZ_1M, 4 * SZ_1M), 0);
	assert_int_equal(pmm_memblock_mark_mirror(SZ_1M, SZ_1M), 0);
	assert_int_equal(pmm_memblock_reserve(SZ_1M, SZ_1M), 0);
	host_log_capture_start();
	assert_int_equal(pmm_memblock_phys_alloc(SZ_4K, SZ_4K, &pa), 0);
	log = host_log_capture_stop();
	assert_non_null(strstr(log, "Could not allocate 0x0000000000001000 bytes of mirrored memory"));
	free(log);
	assert_true(pa >= 4 * SZ_1M && pa < 8 * SZ_1M);
}

/*
 * Doubling an array searches with the mirror flag too: mirrored memory
 * all reserved, it says so and takes ordinary memory for the new array.
 */
static void test_bounds_mirror_fallback_when_doubling(void **state)
{
	pmm_phys_t arr;
	char *log;

	(void)state;
	assert_int_equal(pmm_memblock_add(32 * SZ_1M, SZ_1M), 0);
	assert_int_equal(pmm_memblock_add(40 * SZ_1M, 8 * SZ_1M), 0);
	assert_int_equal(pmm_memblock_mark_mirror(32 * SZ_1M, SZ_1M), 0);
	assert_int_equal(pmm_memblock_reserve(32 * SZ_1M, SZ_1M), 0);
	pmm_memblock_allow_resize();
	host_log_capture_start();
	fill(&pmm_memblock.memory, MAX_R);
	log = host_log_capture_stop();
	assert_non_null(strstr(log, "Could not allocate 0x0000000000002000 bytes of mirrored memory"));
	free(log);
	arr = pmm_memblock_array_phys(&pmm_memblock.memory);
	assert_true(arr >= 40 * SZ_1M && arr < 48 * SZ_1M);
}

/* With debug on, doubling the memory array logs its exact new place. */
static void test_bounds_debug_log_names_new_array(void **state)
{
	char want[128];
	pmm_phys_t arr;
	char *log;

	(void)state;
	assert_int_equal(pmm_memblock_add(32 * SZ_1M, 32 * SZ_1M), 0);
	pmm_memblock_allow_resize();
	pmm_memblock_set_debug(true);
	host_log_capture_start();
	fill(&pmm_memblock.memory, MAX_R);
	log = host_log_capture_stop();
	pmm_memblock_set_debug(false);
	assert_int_equal(pmm_memblock.memory.max, 2 * MAX_R);
	arr = pmm_memblock_array_phys(&pmm_memblock.memory);
	assert_int_not_equal(arr, 0);
	snprintf(want, sizeof(want), "memblock: memory is doubled to %d at [0x%016llx-0x%016llx]\n",
		 2 * MAX_R, (unsigned long long)arr,
		 (unsigned long long)(arr + 2 * MAX_R * sizeof(struct pmm_memblock_region) - 1));
	if (!strstr(log, want))
		fail_msg("log lacks '%s':\n%s", want, log);
	free(log);
}

/* With debug off nothing is logged. */
static void test_bounds_debug_off_is_quiet(void **state)
{
	char *log;

	(void)state;
	assert_int_equal(pmm_memblock_add(32 * SZ_1M, 32 * SZ_1M), 0);
	pmm_memblock_allow_resize();
	host_log_capture_start();
	fill(&pmm_memblock.memory, MAX_R);
	log = host_log_capture_stop();
	assert_null(strstr(log, "doubled"));
	free(log);
}

/*
 * The first doubling of "memory" releases nothing (the old array is
 * static): page 0 stays reserved. "reserved" has exactly three free slots
 * left (max - 3 regions), enough for the doubling's bookkeeping, so it is
 * not doubled too.
 */
static void test_bounds_first_doubling_three_slots_left(void **state)
{
	(void)state;
	assert_int_equal(pmm_memblock_add(32 * SZ_1M, 32 * SZ_1M), 0);
	fill(&pmm_memblock.reserved, MAX_R - 3);
	pmm_memblock_allow_resize();
	fill(&pmm_memblock.memory, MAX_R);
	assert_int_equal(pmm_memblock.memory.max, 2 * MAX_R);
	assert_int_equal(pmm_memblock.reserved.max, MAX_R);
	assert_true(pmm_memblock_is_region_reserved(0, SZ_4K));
	assert_null(pmm_memblock_check());
}

/* ---- hand-off ------------------------------------------------------------------------------ */

#define HO_PFNS 4096u /* 16 MiB, one Normal zone, nothing handed over */

static int ho_setup(void **state)
{
	(void)state;
	if (buddy_setup(&(struct buddy_setup_opts){ .max_pfn = HO_PFNS }))
		return -1;
	pmm_memblock_reset();
	return 0;
}

static int ho_teardown(void **state)
{
	(void)state;
	pmm_memblock_reset();
	buddy_teardown();
	return 0;
}

/*
 * A free range without a whole page, [6K, 10K), is skipped by free_all;
 * a late free without a whole page - starting on a page boundary, or not -
 * frees nothing and succeeds; with debug on the late free is logged with
 * its inclusive range.
 */
static void test_bounds_handoff_without_whole_page(void **state)
{
	uint64_t pages = 0, free_pages;
	char *log;

	(void)state;
	assert_int_equal(pmm_memblock_add(6 * SZ_1K, 4 * SZ_1K), 0);
	assert_int_equal(pmm_memblock_add(SZ_1M, SZ_1M), 0);
	assert_int_equal(pmm_memblock_reserve(SZ_1M, SZ_4K), 0);
	assert_int_equal(pmm_memblock_free_all(&pages), 0);
	assert_int_equal(pages, SZ_1M / SZ_4K - 1);
	free_pages = pmm_nr_free_pages();
	pmm_memblock_set_debug(true);
	host_log_capture_start();
	assert_int_equal(pmm_memblock_free_late(SZ_1M, 16), 0);
	log = host_log_capture_stop();
	pmm_memblock_set_debug(false);
	assert_non_null(strstr(log, "memblock_free_late: [0x0000000000100000-0x000000000010000f]"));
	free(log);
	assert_int_equal(pmm_memblock_free_late(SZ_1M + 32, 256), 0);
	assert_int_equal(pmm_nr_free_pages(), free_pages);
	assert_true(pmm_memblock_is_region_reserved(SZ_1M + 16, 16));
	assert_null(pmm_check());
}

/*
 * discard gives the doubled memory array back after the reserved one (here
 * still the static array, nothing to give): exactly its pages. Doubled
 * twice (257 regions, 512 entries) the array fills whole pages, so one
 * page more would show.
 */
static void test_bounds_discard_returns_memory_array(void **state)
{
	uint64_t pages = 0, before, arr_pages;
	pmm_phys_t mem_arr;

	(void)state;
	assert_int_equal(pmm_memblock_add(8 * SZ_1M, 7 * SZ_1M), 0);
	pmm_memblock_allow_resize();
	fill(&pmm_memblock.memory, MAX_R);
	for (unsigned long i = 0; i < MAX_R; i++)
		assert_int_equal(pmm_memblock_add(SZ_1M + i * 2 * SZ_4K, SZ_4K), 0);
	assert_int_equal(pmm_memblock.memory.max, 4 * MAX_R);
	mem_arr = pmm_memblock_array_phys(&pmm_memblock.memory);
	arr_pages = (pmm_memblock.memory.max * sizeof(struct pmm_memblock_region) +
		     SZ_4K - 1) / SZ_4K;
	assert_int_equal(arr_pages * SZ_4K,
			 pmm_memblock.memory.max * sizeof(struct pmm_memblock_region));
	assert_int_equal(pmm_memblock_array_phys(&pmm_memblock.reserved), 0);
	assert_int_equal(pmm_memblock_free_all(&pages), 0);
	before = pmm_nr_free_pages();
	assert_true(pmm_pfn_is_reserved(PMM_PFN_DOWN(mem_arr)));
	assert_int_equal(pmm_memblock_discard(), 0);
	assert_false(pmm_pfn_is_reserved(PMM_PFN_DOWN(mem_arr)));
	assert_int_equal(pmm_nr_free_pages(), before + arr_pages);
	assert_null(pmm_check());
}

/*
 * free_all returns its first hand-off error: [1M, 2M) already given to
 * the buddy (PMM_EDOUBLEFREE), then [16M, 17M) outside every zone
 * (PMM_ERANGE).
 */
static void test_bounds_free_all_keeps_first_error(void **state)
{
	uint64_t pages = 0;

	(void)state;
	assert_int_equal(pmm_memblock_add(SZ_1M, SZ_1M), 0);
	assert_int_equal(pmm_memblock_add(16 * SZ_1M, SZ_1M), 0);
	assert_int_equal(pmm_buddy_handoff_range(SZ_1M / SZ_4K, 2 * SZ_1M / SZ_4K, NULL), 0);
	assert_int_equal(pmm_memblock_free_all(&pages), PMM_EDOUBLEFREE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_bounds_overlap_query_to_top_of_address_space,
						mbt_setup, mbt_teardown),
		cmocka_unit_test_setup_teardown(test_bounds_overlap_query_ignores_slot_past_cnt,
						mbt_setup, mbt_teardown),
		cmocka_unit_test_setup_teardown(test_bounds_last_removal_blanks_entry,
						mbt_setup, mbt_teardown),
		cmocka_unit_test_setup_teardown(test_bounds_touching_regions_not_reported,
						mbt_setup, mbt_teardown),
		cmocka_unit_test_setup_teardown(test_bounds_array_exactly_full,
						mbt_setup, mbt_teardown),
		cmocka_unit_test_setup_teardown(test_bounds_array_last_slot_touching_piece,
						mbt_setup, mbt_teardown),
		cmocka_unit_test_setup_teardown(test_bounds_array_cut_needs_two_slots,
						mbt_setup, mbt_teardown),
		cmocka_unit_test_setup_teardown(test_bounds_region_ends_at_top,
						mbt_setup, mbt_teardown),
		cmocka_unit_test_setup_teardown(test_bounds_remove_range_no_type,
						mbt_setup, mbt_teardown),
		cmocka_unit_test_setup_teardown(test_bounds_set_node_pseudo_ids,
						mbt_setup, mbt_teardown),
		cmocka_unit_test_setup_teardown(test_bounds_free_ranges_touching_reservations,
						mbt_setup, mbt_teardown),
		cmocka_unit_test_setup_teardown(test_bounds_pfn_range_whole_pages,
						mbt_setup, mbt_teardown),
		cmocka_unit_test_setup_teardown(test_bounds_mirror_fallback,
						mbt_setup, mbt_teardown),
		cmocka_unit_test_setup_teardown(test_bounds_mirror_fallback_when_doubling,
						mbt_setup, mbt_teardown),
		cmocka_unit_test_setup_teardown(test_bounds_debug_log_names_new_array,
						mbt_setup, mbt_teardown),
		cmocka_unit_test_setup_teardown(test_bounds_debug_off_is_quiet,
						mbt_setup, mbt_teardown),
		cmocka_unit_test_setup_teardown(test_bounds_first_doubling_three_slots_left,
						mbt_setup, mbt_teardown),
		cmocka_unit_test_setup_teardown(test_bounds_handoff_without_whole_page,
						ho_setup, ho_teardown),
		cmocka_unit_test_setup_teardown(test_bounds_discard_returns_memory_array,
						ho_setup, ho_teardown),
		cmocka_unit_test_setup_teardown(test_bounds_free_all_keeps_first_error,
						ho_setup, ho_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
