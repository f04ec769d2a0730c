/* SPDX-License-Identifier: MIT */
/*
 * test_bootmem_bounds.c - the limits of the bootmem allocator, one case per
 * boundary (issue 17, docs/mutation.md): a range ending exactly at the top
 * of the address space, the last pfn a node may cover, two nodes (and two
 * bitmaps) that touch, the node id PMM_MAX_NUMNODES, the largest size an
 * allocation accepts, packing exactly at the goal and exactly up to the
 * limit, a free that ends at the packing page, and the retirement paths
 * whose hand-off fails after the checks passed.
 *
 * Pictures show one character per page: '#' reserved, '.' free. Unless a
 * case says otherwise, node 0 covers pfns [16, 48) and its bitmap lives at
 * pfn 1, outside the node.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <pmm/buddy.h>
#include <pmm/check.h>

#include "bootmem_fixture.h"
#include "host_platform.h"

/* The first pfn past the address space (bootmem.c's BM_PFN_END). */
#define PFN_END ((pmm_pfn_t)1 << (64 - PMM_PAGE_SHIFT))

static void one_node_free(void)
{
	bm_fix_node(0, 16, 48, 1);
	bm_fix_free_pfns(16, 48);
}

/* ---- sizes at the top of the address space -------------------------------- */

/*
 * [47 pages, 2^64 - 1): the largest size that does not wrap is a range
 * error (it leaves the node), one byte more wraps.
 */
static void test_bounds_range_ends_at_top_of_address_space(void **state)
{
	const pmm_phys_t addr = 47 * PG;

	(void)state;
	one_node_free();
	assert_int_equal(pmm_bootmem_reserve(&bm_fix, addr, UINT64_MAX - addr), PMM_ERANGE);
	assert_int_equal(pmm_bootmem_free(&bm_fix, addr, UINT64_MAX - addr), PMM_ERANGE);
	assert_int_equal(pmm_bootmem_reserve(&bm_fix, addr, UINT64_MAX - addr + 1),
			 PMM_EOVERFLOW);
	assert_int_equal(pmm_bootmem_free_pages(&bm_fix, 0), 32);
}

/* The largest allocation size that cannot wrap is only too big; one more wraps. */
static void test_bounds_alloc_largest_size(void **state)
{
	const uint64_t top1 = UINT64_MAX - (PG - 1);
	const uint64_t top8 = UINT64_MAX - (PG - 1) - 7;
	pmm_phys_t pa = 0;

	(void)state;
	one_node_free();
	assert_int_equal(pmm_bootmem_alloc_raw(&bm_fix, 0, top1, 1, 0, 0, &pa), PMM_ENOMEM);
	assert_int_equal(pmm_bootmem_alloc_raw(&bm_fix, 0, top1 + 1, 1, 0, 0, &pa),
			 PMM_EOVERFLOW);
	assert_int_equal(pmm_bootmem_alloc_raw(&bm_fix, 0, top8, 8, 0, 0, &pa), PMM_ENOMEM);
	assert_int_equal(pmm_bootmem_alloc_raw(&bm_fix, 0, top8 + 1, 8, 0, 0, &pa),
			 PMM_EOVERFLOW);
}

/* ---- nodes ------------------------------------------------------------------------ */

/*
 * A node may end exactly at the last pfn of the address space, not one
 * past it; its one-word bitmap is written and not the word after it.
 */
static void test_bounds_node_ends_at_last_pfn(void **state)
{
	static uint64_t map[2];

	(void)state;
	map[0] = 0;
	map[1] = 0x5a5a5a5a5a5a5a5aull;
	assert_int_equal(pmm_bootmem_init_node(&bm_fix, 0, PFN_END - 64, PFN_END + 1,
					       map, PG), PMM_EINVAL);
	assert_int_equal(pmm_bootmem_init_node(&bm_fix, 0, PFN_END - 64, PFN_END,
					       map, PG), 0);
	assert_int_equal(map[0], UINT64_MAX);
	assert_int_equal(map[1], 0x5a5a5a5a5a5a5a5aull);
}

/*
 * Node 1 right above node 0, and its bitmap page right above node 0's:
 * touching is not overlapping.
 *   pfn 1: node 0's bitmap, pfn 2: node 1's bitmap
 *   16              48              80
 *   [---- node 0 ---)[---- node 1 ---)
 */
static void test_bounds_nodes_touch(void **state)
{
	(void)state;
	bm_fix_node(1, 48, 80, 2);
	bm_fix_node(0, 16, 48, 1);
	bm_fix_free_pfns(16, 80);
	assert_int_equal(pmm_bootmem_free_pages(&bm_fix, PMM_NUMA_NO_NODE), 64);
}

/*
 * Node id PMM_MAX_NUMNODES - 1 is the last counted; PMM_MAX_NUMNODES has
 * no pages, whatever lies after the node table.
 */
static void test_bounds_free_pages_node_id(void **state)
{
	static struct {
		struct pmm_bootmem bm;
		uint64_t after[32];
	} w;

	(void)state;
	pmm_bootmem_init(&w.bm);
	for (unsigned int i = 0; i < 32; i++)
		w.after[i] = 0x1234;
	w.bm.node[PMM_MAX_NUMNODES - 1].free_pages = 5;
	assert_int_equal(pmm_bootmem_free_pages(&w.bm, PMM_MAX_NUMNODES - 1), 5);
	assert_int_equal(pmm_bootmem_free_pages(&w.bm, PMM_MAX_NUMNODES), 0);
	assert_int_equal(pmm_bootmem_free_pages(&w.bm, -1), 5);
	assert_int_equal(pmm_bootmem_free_pages(&w.bm, -2), 0);
}

/* ---- packing small allocations ---------------------------------------------------- */

/* A packed allocation exactly at the goal. */
static void test_bounds_pack_at_goal(void **state)
{
	pmm_phys_t pa = 0;

	(void)state;
	one_node_free();
	assert_int_equal(pmm_bootmem_alloc_raw(&bm_fix, 0, 64, 8, 0, 0, &pa), 0);
	assert_int_equal(pa, 16 * PG);
	assert_int_equal(pmm_bootmem_alloc_raw(&bm_fix, 0, 64, 8, 16 * PG + 64, 0, &pa), 0);
	assert_int_equal(pa, 16 * PG + 64);
}

/* A packed allocation ending exactly at the limit. */
static void test_bounds_pack_ends_at_limit(void **state)
{
	pmm_phys_t pa = 0;

	(void)state;
	one_node_free();
	assert_int_equal(pmm_bootmem_alloc_raw(&bm_fix, 0, 64, 8, 0, 0, &pa), 0);
	assert_int_equal(pmm_bootmem_alloc_raw(&bm_fix, 0, 64, 8, 0, 16 * PG + 128, &pa), 0);
	assert_int_equal(pa, 16 * PG + 64);
}

/*
 * Freeing [20, 22), which ends right at the packing page 22, keeps the
 * packing: the next small allocation shares page 22.
 *   16  20  22                      48
 *   ....##P.........................   P: 64 bytes used
 */
static void test_bounds_free_ending_at_pack_page(void **state)
{
	pmm_phys_t pa = 0;

	(void)state;
	one_node_free();
	assert_int_equal(pmm_bootmem_reserve(&bm_fix, 20 * PG, 2 * PG), 0);
	assert_int_equal(pmm_bootmem_alloc_raw(&bm_fix, 0, 64, 8, 22 * PG, 0, &pa), 0);
	assert_int_equal(pa, 22 * PG);
	assert_int_equal(pmm_bootmem_free(&bm_fix, 20 * PG, 2 * PG), 0);
	assert_int_equal(pmm_bootmem_alloc_raw(&bm_fix, 0, 64, 8, 22 * PG, 0, &pa), 0);
	assert_int_equal(pa, 22 * PG + 64);
}

/*
 * The node check: a packing page at the node's first pfn and at its last
 * are inside it, one at end_pfn (the first pfn past it) is not.
 */
static void test_bounds_check_packing_page_at_node_end(void **state)
{
	pmm_phys_t pa = 0;

	(void)state;
	one_node_free();
	assert_int_equal(pmm_bootmem_alloc_raw(&bm_fix, 0, 64, 8, 0, 0, &pa), 0);
	assert_int_equal(pa, 16 * PG);
	assert_null(pmm_bootmem_check_node(&bm_fix, 0));
	assert_int_equal(pmm_bootmem_alloc_raw(&bm_fix, 0, 64, 8, 47 * PG, 0, &pa), 0);
	assert_int_equal(pa, 47 * PG);
	assert_null(pmm_bootmem_check_node(&bm_fix, 0));
	bm_fix.node[0].last_pos = 48;
	assert_string_equal(pmm_bootmem_check_node(&bm_fix, 0),
			    "the packing page last_pos lies outside the node");
	bm_fix.node[0].last_pos = 47;
}

/* ---- retirement ----------------------------------------------------------------------- */

/*
 * Buddy descriptors and one Normal zone over [0, 64), bootmem node 0 over
 * the same pages with its bitmap at pfn 1; pages 0 and 1 reserved.
 *   0 1                                                             64
 *   #b..............................................................
 */
static struct pmm_page small_descs[64];
static uint64_t small_zone_map[64];

static void small_machine(void)
{
	memset(small_descs, 0, sizeof(small_descs));
	memset(small_zone_map, 0, sizeof(small_zone_map));
	assert_true(pmm_zone_bitmap_bytes(0, 64) <= sizeof(small_zone_map));
	pmm_zones_reset();
	pmm_page_map_init(small_descs, 64);
	assert_int_equal(pmm_node_init(0, 0, 64), 0);
	assert_int_equal(pmm_zone_init(0, PMM_ZONE_NORMAL, 0, 64, 64, small_zone_map), 0);
	bm_fix_node(0, 0, 64, 1);
	bm_fix_free_pfns(0, 64);
	assert_int_equal(pmm_bootmem_reserve(&bm_fix, 0, 2 * PG), 0);
}

static int retire_teardown(void **state)
{
	pmm_zones_reset();
	return bm_fix_teardown(state);
}

/* Retired: the node forgets its bitmap and its packing page. */
static void test_bounds_free_all_forgets_bitmap(void **state)
{
	pmm_phys_t pa = 0;

	(void)state;
	small_machine();
	assert_int_equal(pmm_bootmem_alloc_raw(&bm_fix, 0, 64, 8, 0, 0, &pa), 0);
	assert_int_not_equal(bm_fix.node[0].last_offset, 0);
	assert_int_equal(pmm_bootmem_free_all(&bm_fix, NULL), 0);
	assert_null(bm_fix.node[0].map);
	assert_int_equal(bm_fix.node[0].last_offset, 0);
	assert_int_equal(bm_fix.node[0].free_pages, 0);
}

/* Pages [8, 16) already given to the buddy: the node's hand-off fails late. */
static void test_bounds_free_all_node_handoff_fails(void **state)
{
	uint64_t n = 0;

	(void)state;
	small_machine();
	assert_int_equal(pmm_buddy_handoff_range(8, 16, &n), 0);
	unsigned int reports = host_report_count();
	assert_int_equal(pmm_bootmem_free_all(&bm_fix, NULL), PMM_ECORRUPT);
	assert_true(host_report_count() > reports);
	assert_true(bm_fix.retired);
	assert_int_equal(host_last_report_err(), PMM_ECORRUPT);
}

/* The bitmap's page already given to the buddy: its hand-off fails late. */
static void test_bounds_free_all_bitmap_handoff_fails(void **state)
{
	uint64_t n = 0;

	(void)state;
	small_machine();
	assert_int_equal(pmm_buddy_handoff_range(1, 2, &n), 0);
	unsigned int reports = host_report_count();
	assert_int_equal(pmm_bootmem_free_all(&bm_fix, NULL), PMM_ECORRUPT);
	assert_true(host_report_count() > reports);
	assert_true(bm_fix.retired);
	assert_int_equal(host_last_report_err(), PMM_ECORRUPT);
}

/*
 * Late frees: a range ending at the top of the address space is checked
 * by the buddy (beyond its descriptors), one byte more wraps; a range
 * without a whole page frees nothing and succeeds.
 */
static void test_bounds_free_late_limits(void **state)
{
	const pmm_phys_t addr = 40 * PG;

	(void)state;
	small_machine();
	assert_int_equal(pmm_bootmem_free_all(&bm_fix, NULL), 0);
	assert_int_equal(pmm_bootmem_free_late(&bm_fix, addr, UINT64_MAX - addr), PMM_ERANGE);
	assert_int_equal(pmm_bootmem_free_late(&bm_fix, addr, UINT64_MAX - addr + 1),
			 PMM_EOVERFLOW);
	assert_int_equal(pmm_bootmem_free_late(&bm_fix, PG + 1, PG), 0);
	assert_null(pmm_check());
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_bounds_range_ends_at_top_of_address_space,
						bm_fix_setup, bm_fix_teardown),
		cmocka_unit_test_setup_teardown(test_bounds_alloc_largest_size,
						bm_fix_setup, bm_fix_teardown),
		cmocka_unit_test_setup_teardown(test_bounds_node_ends_at_last_pfn,
						bm_fix_setup, bm_fix_teardown),
		cmocka_unit_test_setup_teardown(test_bounds_nodes_touch,
						bm_fix_setup, bm_fix_teardown),
		cmocka_unit_test(test_bounds_free_pages_node_id),
		cmocka_unit_test_setup_teardown(test_bounds_pack_at_goal,
						bm_fix_setup, bm_fix_teardown),
		cmocka_unit_test_setup_teardown(test_bounds_pack_ends_at_limit,
						bm_fix_setup, bm_fix_teardown),
		cmocka_unit_test_setup_teardown(test_bounds_free_ending_at_pack_page,
						bm_fix_setup, bm_fix_teardown),
		cmocka_unit_test_setup_teardown(test_bounds_check_packing_page_at_node_end,
						bm_fix_setup, bm_fix_teardown),
		cmocka_unit_test_setup_teardown(test_bounds_free_all_forgets_bitmap,
						bm_fix_setup, retire_teardown),
		cmocka_unit_test_setup_teardown(test_bounds_free_all_node_handoff_fails,
						bm_fix_setup, retire_teardown),
		cmocka_unit_test_setup_teardown(test_bounds_free_all_bitmap_handoff_fails,
						bm_fix_setup, retire_teardown),
		cmocka_unit_test_setup_teardown(test_bounds_free_late_limits,
						bm_fix_setup, retire_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
