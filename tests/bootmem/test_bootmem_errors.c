/* SPDX-License-Identifier: MIT */
/*
 * test_bootmem_errors.c - the bootmem rows of docs/errors.md (E17..E33):
 * every bad input gets its documented error (and, for broken invariants,
 * exactly one report with that code), and the struct pmm_bootmem and its
 * bitmap are byte for byte what they were before the call. The row id is
 * in each case's name.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <pmm/bootmem.h>
#include <pmm/buddy.h>
#include <pmm/check.h>

#include "bootmem_fixture.h"
#include "buddy_setup.h"
#include "host_platform.h"

/* ------------------------------------------------------------------ */
/* bootmem: node 0 over pfns [0, 1024), bitmap at pfn 1000; pages      */
/* [16, 512) free, the rest reserved.                                   */
/*   pfn 0      16                 512             1000   1024         */
/*       ####### ................... ################ bm ## |          */
/* ------------------------------------------------------------------ */

static struct bm_fix_snap bm_before;

static int bm_setup(void **state)
{
	bm_fix_setup(state);
	bm_fix_node(0, 0, 1024, 1000);
	bm_fix_free_pfns(16, 512);
	bm_fix_snap_take(&bm_before);
	return 0;
}

static void bm_unchanged(void)
{
	bm_fix_snap_expect_same(&bm_before);
}

static void E17_bootmem_free_size_zero(void **state)
{
	(void)state;
	assert_int_equal(pmm_bootmem_free(&bm_fix, 600 * PG, 0), PMM_EINVAL);
	bm_unchanged();
}

static void E18_bootmem_free_wraps(void **state)
{
	(void)state;
	assert_int_equal(pmm_bootmem_free(&bm_fix, 600 * PG, UINT64_MAX), PMM_EOVERFLOW);
	bm_unchanged();
}

static void E19_bootmem_free_outside_nodes(void **state)
{
	(void)state;
	assert_int_equal(pmm_bootmem_free(&bm_fix, 1000 * PG, 100 * PG), PMM_ERANGE);
	bm_unchanged();
}

/* Free [500, 520): pages 500..511 are free already: a double free. */
static void E20_bootmem_double_free(void **state)
{
	(void)state;
	unsigned int r = host_report_count();
	assert_int_equal(pmm_bootmem_free(&bm_fix, 500 * PG, 20 * PG), PMM_EDOUBLEFREE);
	assert_int_equal(host_report_count(), r + 1);
	assert_int_equal(host_last_report_err(), PMM_EDOUBLEFREE);
	bm_unchanged();
}

/* Reserve [10, 20): pages 10..15 are reserved already. */
static void E21_bootmem_double_reserve(void **state)
{
	(void)state;
	unsigned int r = host_report_count();
	assert_int_equal(pmm_bootmem_reserve(&bm_fix, 10 * PG, 10 * PG), PMM_EDOUBLERESERVE);
	assert_int_equal(host_report_count(), r + 1);
	assert_int_equal(host_last_report_err(), PMM_EDOUBLERESERVE);
	bm_unchanged();
}

static void E22_bootmem_reserve_out_of_range(void **state)
{
	(void)state;
	assert_int_equal(pmm_bootmem_reserve(&bm_fix, 2000 * PG, PG), PMM_ERANGE);
	bm_unchanged();
}

static void E23_bootmem_alloc_size_zero(void **state)
{
	(void)state;
	pmm_phys_t out = 0x1234;
	assert_int_equal(pmm_bootmem_alloc(&bm_fix, 0, 0, 8, 0, 0, &out), PMM_EINVAL);
	assert_true(out == 0x1234);
	bm_unchanged();
}

static void E24_bootmem_alloc_align_zero(void **state)
{
	(void)state;
	pmm_phys_t out;
	assert_int_equal(pmm_bootmem_alloc(&bm_fix, 0, 64, 0, 0, 0, &out), PMM_EALIGN);
	bm_unchanged();
}

static void E25_bootmem_alloc_align_not_pow2(void **state)
{
	(void)state;
	pmm_phys_t out;
	assert_int_equal(pmm_bootmem_alloc(&bm_fix, 0, 64, 24, 0, 0, &out), PMM_EALIGN);
	bm_unchanged();
}

static void E26_bootmem_alloc_size_overflows(void **state)
{
	(void)state;
	pmm_phys_t out;
	assert_int_equal(pmm_bootmem_alloc(&bm_fix, 0, UINT64_MAX - 10, 8, 0, 0, &out),
			 PMM_EOVERFLOW);
	bm_unchanged();
}

static void E27_bootmem_alloc_bad_node(void **state)
{
	(void)state;
	pmm_phys_t out;
	assert_int_equal(pmm_bootmem_alloc(&bm_fix, PMM_MAX_NUMNODES, 64, 8, 0, 0, &out),
			 PMM_EINVAL);
	assert_int_equal(pmm_bootmem_alloc(&bm_fix, -7, 64, 8, 0, 0, &out), PMM_EINVAL);
	bm_unchanged();
}

static void E28_bootmem_alloc_too_big(void **state)
{
	(void)state;
	pmm_phys_t out;
	assert_int_equal(pmm_bootmem_alloc(&bm_fix, 0, 600 * PG, PG, 0, 0, &out),
			 PMM_ENOMEM);
	/*
	 * The one documented exception: the search hint (a cache) may move up
	 * over the reserved pages [0, 16) it skipped; every page below it is
	 * still reserved. Everything else, bitmap included, is unchanged.
	 */
	assert_true(bm_fix.node[0].hint >= bm_before.bm.node[0].hint &&
		    bm_fix.node[0].hint <= 16);
	for (pmm_pfn_t p = 0; p < bm_fix.node[0].hint; p++)
		assert_true(pmm_bootmem_is_reserved(&bm_fix, p));
	bm_fix.node[0].hint = bm_before.bm.node[0].hint;
	bm_unchanged();
}

static void E29_bootmem_init_node_empty_range(void **state)
{
	(void)state;
	uint64_t map[4];
	assert_int_equal(pmm_bootmem_init_node(&bm_fix, 1, 2048, 2048, map, 900 * PG),
			 PMM_EINVAL);
	bm_unchanged();
}

static void E30_bootmem_init_node_misaligned_map(void **state)
{
	(void)state;
	uint64_t map[4];
	assert_int_equal(pmm_bootmem_init_node(&bm_fix, 1, 2048, 2100, map, 900 * PG + 8),
			 PMM_EALIGN);
	bm_unchanged();
}

static void E31_bootmem_init_node_overlap(void **state)
{
	(void)state;
	uint64_t map[4];
	assert_int_equal(pmm_bootmem_init_node(&bm_fix, 1, 1000, 1100, map, 2000 * PG),
			 PMM_EOVERLAP);
	bm_unchanged();
}

static void E32_bootmem_free_late_before_retire(void **state)
{
	(void)state;
	assert_int_equal(pmm_bootmem_free_late(&bm_fix, 600 * PG, PG), PMM_ESTATE);
	bm_unchanged();
}

/* After retirement every call but free_late is refused. */
static void E33_bootmem_use_after_retire(void **state)
{
	(void)state;
	struct buddy_zone_spec z = { 0, PMM_ZONE_NORMAL, 0, 1024 };
	pmm_page_map_init(calloc(1024, sizeof(struct pmm_page)), 1024);
	assert_int_equal(pmm_node_init(0, 0, 1024), 0);
	void *zbm = calloc(1, pmm_zone_bitmap_bytes(z.start, z.end));
	assert_int_equal(pmm_zone_init(0, z.type, z.start, z.end, 1024, zbm), 0);
	uint64_t freed = 0;
	assert_int_equal(pmm_bootmem_free_all(&bm_fix, &freed), 0);
	struct pmm_bootmem retired = bm_fix;
	pmm_phys_t out;
	assert_int_equal(pmm_bootmem_free(&bm_fix, 600 * PG, PG), PMM_ERETIRED);
	assert_int_equal(pmm_bootmem_reserve(&bm_fix, 600 * PG, PG), PMM_ERETIRED);
	assert_int_equal(pmm_bootmem_alloc(&bm_fix, 0, 64, 8, 0, 0, &out), PMM_ERETIRED);
	assert_int_equal(pmm_bootmem_free_all(&bm_fix, &freed), PMM_ERETIRED);
	assert_int_equal(pmm_bootmem_init_node(&bm_fix, 1, 2048, 4096,
					       (uint64_t[64]){ 0 }, 900 * PG),
			 PMM_ERETIRED);
	assert_memory_equal(&bm_fix, &retired, sizeof(bm_fix));
	assert_null(pmm_check());
	struct pmm_page *map = pmm_mem_map;
	pmm_zones_reset();
	free(map);
	free(zbm);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(E17_bootmem_free_size_zero, bm_setup, bm_fix_teardown),
		cmocka_unit_test_setup_teardown(E18_bootmem_free_wraps, bm_setup, bm_fix_teardown),
		cmocka_unit_test_setup_teardown(E19_bootmem_free_outside_nodes, bm_setup, bm_fix_teardown),
		cmocka_unit_test_setup_teardown(E20_bootmem_double_free, bm_setup, bm_fix_teardown),
		cmocka_unit_test_setup_teardown(E21_bootmem_double_reserve, bm_setup, bm_fix_teardown),
		cmocka_unit_test_setup_teardown(E22_bootmem_reserve_out_of_range, bm_setup, bm_fix_teardown),
		cmocka_unit_test_setup_teardown(E23_bootmem_alloc_size_zero, bm_setup, bm_fix_teardown),
		cmocka_unit_test_setup_teardown(E24_bootmem_alloc_align_zero, bm_setup, bm_fix_teardown),
		cmocka_unit_test_setup_teardown(E25_bootmem_alloc_align_not_pow2, bm_setup, bm_fix_teardown),
		cmocka_unit_test_setup_teardown(E26_bootmem_alloc_size_overflows, bm_setup, bm_fix_teardown),
		cmocka_unit_test_setup_teardown(E27_bootmem_alloc_bad_node, bm_setup, bm_fix_teardown),
		cmocka_unit_test_setup_teardown(E28_bootmem_alloc_too_big, bm_setup, bm_fix_teardown),
		cmocka_unit_test_setup_teardown(E29_bootmem_init_node_empty_range, bm_setup, bm_fix_teardown),
		cmocka_unit_test_setup_teardown(E30_bootmem_init_node_misaligned_map, bm_setup, bm_fix_teardown),
		cmocka_unit_test_setup_teardown(E31_bootmem_init_node_overlap, bm_setup, bm_fix_teardown),
		cmocka_unit_test_setup_teardown(E32_bootmem_free_late_before_retire, bm_setup, bm_fix_teardown),
		cmocka_unit_test_setup_teardown(E33_bootmem_use_after_retire, bm_setup, bm_fix_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
