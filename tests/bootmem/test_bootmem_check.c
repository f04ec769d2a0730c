/* SPDX-License-Identifier: MIT */
/*
 * test_bootmem_check.c - pmm_bootmem_check_node(), the whole-node validator
 * that PMM_DEBUG=3 runs after every PMM_VALIDATE_EVERY-th bitmap change:
 * it passes through real work and names each invariant a corruption breaks.
 *
 * Pictures show one character per page: '#' reserved, '.' free. Node 0
 * covers pfns [16, 116) - 100 pages, so the last word has 28 padding bits
 * - and its bitmap lives at pfn 1, outside the node.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "bootmem_fixture.h"

/*
 *   16                                           116
 *   ####....................................######|   [20, 110) free
 *   then 3 allocations: one page, 100 bytes, 200 bytes (packed)
 */
static void node_in_use(void)
{
	pmm_phys_t pa;
	bm_fix_node(0, 16, 116, 1);
	bm_fix_free_pfns(20, 110);
	assert_int_equal(pmm_bootmem_alloc(&bm_fix, 0, PG, PG, 0, 0, &pa), 0);
	assert_int_equal(pmm_bootmem_alloc(&bm_fix, 0, 100, 8, 0, 0, &pa), 0);
	assert_int_equal(pmm_bootmem_alloc(&bm_fix, 0, 200, 8, 0, 0, &pa), 0);
}

static void check_node_passes_through_use(void **state)
{
	(void)state;
	assert_null(pmm_bootmem_check_node(&bm_fix, 0));
	node_in_use();
	assert_null(pmm_bootmem_check_node(&bm_fix, 0));
	assert_int_equal(bm_fix.node[0].last_offset, 104 + 200); /* 100 bytes, aligned to 8, then 200 */
	/* Absent nodes, bad ids and NULL pass: there is nothing to prove. */
	assert_null(pmm_bootmem_check_node(&bm_fix, 1));
	assert_null(pmm_bootmem_check_node(&bm_fix, -1));
	assert_null(pmm_bootmem_check_node(NULL, 0));
}

static void check_node_free_count_off(void **state)
{
	(void)state;
	node_in_use();
	bm_fix.node[0].free_pages++;
	assert_string_equal(pmm_bootmem_check_node(&bm_fix, 0),
			    "the clear bits do not number free_pages");
}

static void check_node_padding_bit_clear(void **state)
{
	(void)state;
	node_in_use();
	bm_fix.node[0].map[1] &= ~((uint64_t)1 << 63);
	assert_string_equal(pmm_bootmem_check_node(&bm_fix, 0),
			    "a padding bit past the node's last page is clear");
}

/* The hint moved past a free page: searches would never find it. */
static void check_node_free_page_below_hint(void **state)
{
	(void)state;
	node_in_use();
	bm_fix.node[0].hint = 100;
	assert_string_equal(pmm_bootmem_check_node(&bm_fix, 0),
			    "a page below the search hint is free");
	bm_fix.node[0].hint = 200;
	assert_string_equal(pmm_bootmem_check_node(&bm_fix, 0),
			    "the search hint lies outside the node");
}

static void check_node_packing_page_broken(void **state)
{
	(void)state;
	node_in_use();
	struct pmm_bootmem_node *nd = &bm_fix.node[0];
	pmm_pfn_t pos = nd->last_pos;
	nd->last_pos = 50; /* a free page */
	assert_string_equal(pmm_bootmem_check_node(&bm_fix, 0),
			    "the packing page last_pos is free");
	nd->last_pos = 5;
	assert_string_equal(pmm_bootmem_check_node(&bm_fix, 0),
			    "the packing page last_pos lies outside the node");
	nd->last_pos = pos;
	nd->last_offset = PG;
	assert_string_equal(pmm_bootmem_check_node(&bm_fix, 0),
			    "last_offset is a page or more");
}

#define T(f) cmocka_unit_test_setup_teardown(f, bm_fix_setup, bm_fix_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(check_node_passes_through_use),
		T(check_node_free_count_off),
		T(check_node_padding_bit_clear),
		T(check_node_free_page_below_hint),
		T(check_node_packing_page_broken),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
