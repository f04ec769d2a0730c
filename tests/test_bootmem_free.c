/* SPDX-License-Identifier: MIT */
/*
 * test_bootmem_free.c - the boot memory allocator's nodes, free and reserve
 * (seed 6.4: whole pages only, double free detected).
 *
 * Pictures show one character per page: '#' reserved, '.' free. Unless a
 * case says otherwise, node 0 covers pfns [16, 48) and its bitmap lives at
 * pfn 1, outside the node.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "bootmem_fixture.h"
#include "host_platform.h"

#define ALL32 "################################"

static void one_node(void)
{
	bm_fix_node(0, 16, 48, 1);
}

static void test_bitmap_bytes_whole_words(void **state)
{
	(void)state;
	assert_int_equal(pmm_bootmem_bitmap_bytes(0), 0);
	assert_int_equal(pmm_bootmem_bitmap_bytes(1), 8);
	assert_int_equal(pmm_bootmem_bitmap_bytes(64), 8);
	assert_int_equal(pmm_bootmem_bitmap_bytes(65), 16);
	assert_int_equal(pmm_bootmem_bitmap_bytes((pmm_pfn_t)1 << 28), 32u << 20);
}

static void test_init_node_all_reserved(void **state)
{
	(void)state;
	one_node();
	const struct pmm_bootmem_node *nd = &bm_fix.node[0];
	assert_true(nd->present);
	assert_int_equal(nd->start_pfn, 16);
	assert_int_equal(nd->end_pfn, 48);
	assert_int_equal(nd->map_phys, PG);
	assert_int_equal(nd->map_bytes, 8);
	assert_string_equal(bm_fix_picture(16, 48), ALL32);
	assert_int_equal(pmm_bootmem_free_pages(&bm_fix, 0), 0);
	/* The padding bits of the last word are reserved too. */
	assert_int_equal(nd->map[0], UINT64_MAX);
}

static void test_init_node_bad_args(void **state)
{
	(void)state;
	uint64_t *map = host_phys_ptr(PG);
	pmm_bootmem_init(NULL);
	assert_int_equal(pmm_bootmem_init_node(NULL, 0, 16, 48, map, PG), PMM_EINVAL);
	assert_int_equal(pmm_bootmem_init_node(&bm_fix, -1, 16, 48, map, PG), PMM_EINVAL);
	assert_int_equal(pmm_bootmem_init_node(&bm_fix, PMM_MAX_NUMNODES, 16, 48, map, PG),
			 PMM_EINVAL);
	assert_int_equal(pmm_bootmem_init_node(&bm_fix, 0, 48, 48, map, PG), PMM_EINVAL);
	assert_int_equal(pmm_bootmem_init_node(&bm_fix, 0, 48, 16, map, PG), PMM_EINVAL);
	assert_int_equal(pmm_bootmem_init_node(&bm_fix, 0, 16, 48, NULL, PG), PMM_EINVAL);
	assert_int_equal(pmm_bootmem_init_node(&bm_fix, 0, 16, (pmm_pfn_t)1 << 60, map, PG),
			 PMM_EINVAL);
	/* The bitmap must start on a page: retirement frees its pages. */
	assert_int_equal(pmm_bootmem_init_node(&bm_fix, 0, 16, 48, map, PG + 8), PMM_EALIGN);
	assert_int_equal(pmm_bootmem_init_node(&bm_fix, 0, 16, 48,
					       (uint64_t *)(void *)((char *)map + 4), PG),
			 PMM_EALIGN);
	assert_int_equal(pmm_bootmem_init_node(&bm_fix, 0, 16, 16 + (1u << 20), map,
					       UINT64_MAX & PMM_PAGE_MASK),
			 PMM_EOVERFLOW);
	assert_false(bm_fix.node[0].present);
}

/*
 * node 0   [16 ........ 48)
 * node 1              [40 ...... 80)   overlaps: refused
 * node 1                   [48 .. 80)  bitmap on node 0's bitmap page: refused
 */
static void test_init_node_overlap_refused(void **state)
{
	(void)state;
	one_node();
	uint64_t *map = host_phys_ptr(2 * PG);
	assert_int_equal(pmm_bootmem_init_node(&bm_fix, 1, 40, 80, map, 2 * PG), PMM_EOVERLAP);
	assert_int_equal(pmm_bootmem_init_node(&bm_fix, 1, 48, 80, host_phys_ptr(PG), PG),
			 PMM_EOVERLAP);
	assert_int_equal(pmm_bootmem_init_node(&bm_fix, 0, 48, 80, map, 2 * PG), PMM_EINVAL);
	assert_int_equal(pmm_bootmem_init_node(&bm_fix, 1, 48, 80, map, 2 * PG), 0);
}

/*
 * free [20, 28) in whole pages:
 *   16              28              48
 *   ####........####################
 */
static void test_free_whole_pages(void **state)
{
	(void)state;
	one_node();
	assert_int_equal(pmm_bootmem_free(&bm_fix, 20 * PG, 8 * PG), 0);
	assert_string_equal(bm_fix_picture(16, 48), "####........####################");
	assert_int_equal(pmm_bootmem_free_pages(&bm_fix, 0), 8);
	assert_int_equal(host_report_count(), 0);
}

/*
 * Seed 6.4: only full pages are freed. Freeing [20.5, 24.5) pages touches
 * pages 20..24, but only 21, 22, 23 are whole; 20 and 24 stay reserved.
 *   16   20  24                     48
 *   #####...########################
 */
static void test_free_partial_page_stays_reserved(void **state)
{
	(void)state;
	one_node();
	assert_int_equal(pmm_bootmem_free(&bm_fix, 20 * PG + PG / 2, 4 * PG), 0);
	assert_string_equal(bm_fix_picture(16, 48), "#####...########################");
	assert_int_equal(pmm_bootmem_free_pages(&bm_fix, 0), 3);
}

/* A free inside one page has no whole page: nothing changes, no error. */
static void test_free_sub_page_frees_nothing(void **state)
{
	(void)state;
	one_node();
	assert_int_equal(pmm_bootmem_free(&bm_fix, 20 * PG + 16, PG - 32), 0);
	assert_int_equal(pmm_bootmem_free(&bm_fix, 20 * PG + 16, PG), 0);
	assert_string_equal(bm_fix_picture(16, 48), ALL32);
	assert_int_equal(pmm_bootmem_free_pages(&bm_fix, 0), 0);
}

/*
 * Freeing [24, 26) again after [20, 28) is a double free: reported,
 * nothing changes.
 *   before and after: ####........####################
 */
static void test_free_double_free_caught(void **state)
{
	(void)state;
	one_node();
	bm_fix_free_pfns(20, 28);
	assert_int_equal(pmm_bootmem_free(&bm_fix, 24 * PG, 2 * PG), PMM_EDOUBLEFREE);
	assert_int_equal(host_report_count(), 1);
	assert_int_equal(host_last_report_err(), PMM_EDOUBLEFREE);
	assert_non_null(strstr(host_last_report_msg(), "pmm_bootmem_free"));
	assert_string_equal(bm_fix_picture(16, 48), "####........####################");
	assert_int_equal(pmm_bootmem_free_pages(&bm_fix, 0), 8);
}

/*
 * The whole range is checked before any bit changes: freeing [16, 40),
 * whose pages 20..27 are already free, frees none of 16..19 or 28..39.
 *   16  20      28          40      48
 *   ####........####################    before
 *   ####........####################    after (unchanged)
 */
static void test_free_double_free_changes_nothing(void **state)
{
	(void)state;
	one_node();
	bm_fix_free_pfns(20, 28);
	assert_int_equal(pmm_bootmem_free(&bm_fix, 16 * PG, 24 * PG), PMM_EDOUBLEFREE);
	assert_int_equal(host_report_count(), 1);
	assert_string_equal(bm_fix_picture(16, 48), "####........####################");
	assert_int_equal(pmm_bootmem_free_pages(&bm_fix, 0), 8);
}

static void test_free_bad_args(void **state)
{
	(void)state;
	one_node();
	assert_int_equal(pmm_bootmem_free(&bm_fix, 20 * PG, 0), PMM_EINVAL);
	assert_int_equal(pmm_bootmem_free(&bm_fix, UINT64_MAX - PG, 2 * PG), PMM_EOVERFLOW);
	assert_int_equal(pmm_bootmem_free(NULL, 20 * PG, PG), PMM_EINVAL);
	assert_string_equal(bm_fix_picture(16, 48), ALL32);
	assert_int_equal(host_report_count(), 0);
}

/*
 *   0       16                      48      64
 *   [ none  |        node 0         | none  )
 *   free [4, 8): outside every node        -> ERANGE
 *   free [40, 56): runs off the node's end -> ERANGE, nothing freed
 */
static void test_free_outside_nodes(void **state)
{
	(void)state;
	one_node();
	assert_int_equal(pmm_bootmem_free(&bm_fix, 4 * PG, 4 * PG), PMM_ERANGE);
	assert_int_equal(pmm_bootmem_free(&bm_fix, 40 * PG, 16 * PG), PMM_ERANGE);
	assert_int_equal(pmm_bootmem_free(&bm_fix, 60 * PG + 8, 8), PMM_ERANGE);
	assert_string_equal(bm_fix_picture(16, 48), ALL32);
	assert_int_equal(pmm_bootmem_free_pages(&bm_fix, PMM_NUMA_NO_NODE), 0);
}

/*
 * Two adjacent nodes; one free covers the end of node 0 and the start of
 * node 1:
 *   16      node 0      32      node 1      48
 *   ##########......|......##########
 */
static void test_free_across_nodes(void **state)
{
	(void)state;
	bm_fix_node(0, 16, 32, 1);
	bm_fix_node(1, 32, 48, 2);
	assert_int_equal(pmm_bootmem_free(&bm_fix, 26 * PG, 12 * PG), 0);
	assert_string_equal(bm_fix_picture(16, 48), "##########............##########");
	assert_int_equal(pmm_bootmem_free_pages(&bm_fix, 0), 6);
	assert_int_equal(pmm_bootmem_free_pages(&bm_fix, 1), 6);
	assert_int_equal(pmm_bootmem_free_pages(&bm_fix, PMM_NUMA_NO_NODE), 12);
}

/*
 * A double free in node 1 stops the whole call: node 0's part stays
 * reserved.
 *   16      node 0      32      node 1      48
 *   ################|....############   before and after
 */
static void test_free_across_nodes_double_free_changes_nothing(void **state)
{
	(void)state;
	bm_fix_node(0, 16, 32, 1);
	bm_fix_node(1, 32, 48, 2);
	bm_fix_free_pfns(32, 36);
	assert_int_equal(pmm_bootmem_free(&bm_fix, 24 * PG, 10 * PG), PMM_EDOUBLEFREE);
	assert_string_equal(bm_fix_picture(16, 48), "################....############");
	assert_int_equal(pmm_bootmem_free_pages(&bm_fix, 0), 0);
}

/*
 * A hole between nodes makes a range that spans it invalid:
 *   16   node 0   24  hole  32   node 1   48
 *   free [20, 40) -> ERANGE, nothing changes
 */
static void test_free_across_hole_refused(void **state)
{
	(void)state;
	bm_fix_node(0, 16, 24, 1);
	bm_fix_node(1, 32, 48, 2);
	assert_int_equal(pmm_bootmem_free(&bm_fix, 20 * PG, 20 * PG), PMM_ERANGE);
	assert_int_equal(pmm_bootmem_free_pages(&bm_fix, PMM_NUMA_NO_NODE), 0);
	assert_int_equal(host_report_count(), 0);
}

/*
 * Reserve rounds out: [24.5, 26.25) pages touches pages 24, 25 and 26.
 *   16      24                      48
 *   ........###.....................
 */
static void test_reserve_rounds_out(void **state)
{
	(void)state;
	one_node();
	bm_fix_free_pfns(16, 48);
	assert_int_equal(pmm_bootmem_reserve(&bm_fix, 24 * PG + PG / 2, PG + PG * 3 / 4), 0);
	assert_string_equal(bm_fix_picture(16, 48), "........###.....................");
	assert_int_equal(pmm_bootmem_free_pages(&bm_fix, 0), 29);
}

/*
 * Reserving [22, 30) when 26 is already reserved is a double reserve:
 * reported, and 22..25, 27..29 stay free.
 *   16                              48
 *   ..........#.....................   before and after
 */
static void test_reserve_double_reserve_caught(void **state)
{
	(void)state;
	one_node();
	bm_fix_free_pfns(16, 48);
	assert_int_equal(pmm_bootmem_reserve(&bm_fix, 26 * PG, 1), 0);
	assert_int_equal(pmm_bootmem_reserve(&bm_fix, 22 * PG, 8 * PG), PMM_EDOUBLERESERVE);
	assert_int_equal(host_report_count(), 1);
	assert_int_equal(host_last_report_err(), PMM_EDOUBLERESERVE);
	assert_non_null(strstr(host_last_report_msg(), "pmm_bootmem_reserve"));
	assert_string_equal(bm_fix_picture(16, 48), "..........#.....................");
	assert_int_equal(pmm_bootmem_free_pages(&bm_fix, 0), 31);
}

static void test_reserve_bad_args(void **state)
{
	(void)state;
	one_node();
	bm_fix_free_pfns(16, 48);
	assert_int_equal(pmm_bootmem_reserve(&bm_fix, 20 * PG, 0), PMM_EINVAL);
	assert_int_equal(pmm_bootmem_reserve(&bm_fix, UINT64_MAX, 2), PMM_EOVERFLOW);
	assert_int_equal(pmm_bootmem_reserve(&bm_fix, 8 * PG, PG), PMM_ERANGE);
	assert_int_equal(pmm_bootmem_reserve(&bm_fix, 47 * PG, 2 * PG), PMM_ERANGE);
	assert_int_equal(pmm_bootmem_free_pages(&bm_fix, 0), 32);
	assert_int_equal(host_report_count(), 0);
}

/* Queries answer "reserved" outside every node and 0 for odd node ids. */
static void test_queries_outside_nodes(void **state)
{
	(void)state;
	one_node();
	bm_fix_free_pfns(16, 48);
	assert_true(pmm_bootmem_is_reserved(&bm_fix, 15));
	assert_false(pmm_bootmem_is_reserved(&bm_fix, 16));
	assert_false(pmm_bootmem_is_reserved(&bm_fix, 47));
	assert_true(pmm_bootmem_is_reserved(&bm_fix, 48));
	assert_true(pmm_bootmem_is_reserved(NULL, 20));
	assert_int_equal(pmm_bootmem_free_pages(&bm_fix, 1), 0);
	assert_int_equal(pmm_bootmem_free_pages(&bm_fix, -5), 0);
	assert_int_equal(pmm_bootmem_free_pages(&bm_fix, PMM_MAX_NUMNODES), 0);
}

static double ms_since(const struct timespec *t0)
{
	struct timespec t1;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) * 1e3 +
	       (double)(t1.tv_nsec - t0->tv_nsec) / 1e6;
}

/*
 * A 1 TiB node (2^28 pages, a 32 MiB bitmap): freeing and reserving
 * almost all of it goes a word at a time, so each call takes milliseconds.
 */
static void test_free_reserve_1tib_word_wise(void **state)
{
	(void)state;
	const pmm_pfn_t pages = (pmm_pfn_t)1 << 28;
	bm_fix_node(0, 1, pages + 1, 16);
	struct timespec t0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(pmm_bootmem_free(&bm_fix, 3 * PG, (pages - 4) * PG), 0);
	assert_int_equal(pmm_bootmem_free_pages(&bm_fix, 0), pages - 4);
	assert_int_equal(pmm_bootmem_reserve(&bm_fix, 5 * PG, (pages - 8) * PG), 0);
	assert_int_equal(pmm_bootmem_free_pages(&bm_fix, 0), 4);
	double ms = ms_since(&t0);
	print_message("free + reserve of 2^28 pages: %.1f ms\n", ms);
	assert_true(ms < 500.0);
	assert_true(pmm_bootmem_is_reserved(&bm_fix, 2));
	assert_false(pmm_bootmem_is_reserved(&bm_fix, 3));
	assert_true(pmm_bootmem_is_reserved(&bm_fix, 5));
	assert_false(pmm_bootmem_is_reserved(&bm_fix, pages - 3));
	assert_true(pmm_bootmem_is_reserved(&bm_fix, pages - 1));
}

#define T(f) cmocka_unit_test_setup_teardown(f, bm_fix_setup, bm_fix_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_bitmap_bytes_whole_words),
		T(test_init_node_all_reserved),
		T(test_init_node_bad_args),
		T(test_init_node_overlap_refused),
		T(test_free_whole_pages),
		T(test_free_partial_page_stays_reserved),
		T(test_free_sub_page_frees_nothing),
		T(test_free_double_free_caught),
		T(test_free_double_free_changes_nothing),
		T(test_free_bad_args),
		T(test_free_outside_nodes),
		T(test_free_across_nodes),
		T(test_free_across_nodes_double_free_changes_nothing),
		T(test_free_across_hole_refused),
		T(test_reserve_rounds_out),
		T(test_reserve_double_reserve_caught),
		T(test_reserve_bad_args),
		T(test_queries_outside_nodes),
		T(test_free_reserve_1tib_word_wise),
	};
	return cmocka_run_group_tests_name("bootmem_free", tests, NULL, NULL);
}
