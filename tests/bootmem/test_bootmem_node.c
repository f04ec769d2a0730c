/* SPDX-License-Identifier: MIT */
/*
 * test_bootmem_node.c - the boot memory allocator's nodes and queries:
 * bitmap sizes, pmm_bootmem_init_node() (every page starts reserved, bad
 * arguments and overlaps refused), is_reserved() and free_pages().
 *
 * Pictures show one character per page: '#' reserved, '.' free. Unless a
 * case says otherwise, node 0 covers pfns [16, 48) and its bitmap lives at
 * pfn 1, outside the node.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
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

#define T(f) cmocka_unit_test_setup_teardown(f, bm_fix_setup, bm_fix_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_bitmap_bytes_whole_words),
		T(test_init_node_all_reserved),
		T(test_init_node_bad_args),
		T(test_init_node_overlap_refused),
		T(test_queries_outside_nodes),
	};
	return cmocka_run_group_tests_name("bootmem_node", tests, NULL, NULL);
}
