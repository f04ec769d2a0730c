/* SPDX-License-Identifier: MIT */
/*
 * test_bootmem_reserve.c - pmm_bootmem_reserve(): pages touched are
 * reserved, a double reserve is detected and reported, nothing changes on
 * error.
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

static void one_node(void)
{
	bm_fix_node(0, 16, 48, 1);
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

/*
 * Two sub-page reservations in one page: the bitmap knows pages, not
 * bytes, so the second finds page 24 reserved - a double reserve. Callers
 * reserve disjoint page-rounded ranges (merge neighbours first).
 */
static void test_reserve_shared_page_is_double_reserve(void **state)
{
	(void)state;
	one_node();
	bm_fix_free_pfns(16, 48);
	assert_int_equal(pmm_bootmem_reserve(&bm_fix, 24 * PG, 100), 0);
	assert_int_equal(pmm_bootmem_reserve(&bm_fix, 24 * PG + 100, 100),
			 PMM_EDOUBLERESERVE);
	assert_int_equal(host_report_count(), 1);
	assert_int_equal(pmm_bootmem_free_pages(&bm_fix, 0), 31);
}

/*
 * One reserve across two adjacent nodes:
 *   16      node 0      32      node 1      48
 *   ..........######|######..........
 */
static void test_reserve_across_nodes(void **state)
{
	(void)state;
	bm_fix_node(0, 16, 32, 1);
	bm_fix_node(1, 32, 48, 2);
	bm_fix_free_pfns(16, 48);
	assert_int_equal(pmm_bootmem_reserve(&bm_fix, 26 * PG, 12 * PG), 0);
	assert_string_equal(bm_fix_picture(16, 48), "..........############..........");
	assert_int_equal(pmm_bootmem_free_pages(&bm_fix, 0), 10);
	assert_int_equal(pmm_bootmem_free_pages(&bm_fix, 1), 10);
}

#define T(f) cmocka_unit_test_setup_teardown(f, bm_fix_setup, bm_fix_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_reserve_rounds_out),
		T(test_reserve_double_reserve_caught),
		T(test_reserve_bad_args),
		T(test_reserve_shared_page_is_double_reserve),
		T(test_reserve_across_nodes),
	};
	return cmocka_run_group_tests_name("bootmem_reserve", tests, NULL, NULL);
}
