/* SPDX-License-Identifier: MIT */
/*
 * test_buddy_errors.c - the buddy rows of docs/errors.md (E34..E54,
 * E67..E69): every bad input gets its documented error (and, for broken
 * invariants, exactly one report with that code), the descriptors, zones
 * and pair bitmaps are byte for byte what they were before the call
 * (tests/support/reliability_snap.c), and pmm_check() still passes. The
 * row id is in each case's name.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <pmm/buddy.h>
#include <pmm/check.h>
#include <pmm/init.h>

#include "buddy_fixture.h"
#include "buddy_setup.h"
#include "host_platform.h"
#include "reliability_snap.h"

/* ------------------------------------------------------------------ */
/* buddy: DMA [0, 1024) and Normal [1024, 4096), all handed off except  */
/* the reserved pfns [2000, 2016); per-CPU lists off (exact counts).    */
/*   pfn 0   1024            2000 2016                    4096          */
/*       |DMA |    Normal      |####|        Normal         |          */
/* One block of order 2 and one of order 0 are allocated.               */
/* ------------------------------------------------------------------ */

static struct rel_snap snap;
static struct pmm_page *blk2, *blk0;
static unsigned int reports_before;

static int bd_setup(void **state)
{
	(void)state;
	static const struct buddy_zone_spec z[] = {
		{ 0, PMM_ZONE_DMA, 0, 1024 },
		{ 0, PMM_ZONE_NORMAL, 1024, 4096 },
	};
	assert_int_equal(buddy_setup(&(struct buddy_setup_opts){
		.max_pfn = 4096, .zones = z, .nr_zones = 2 }), 0);
	uint64_t n = 0;
	assert_int_equal(pmm_buddy_handoff_range(0, 2000, &n), 0);
	assert_int_equal(pmm_buddy_handoff_range(2016, 4096, &n), 0);
	blk2 = pmm_alloc_pages(PMM_GFP_KERNEL, 2);
	blk0 = pmm_alloc_pages(PMM_GFP_KERNEL, 0);
	assert_non_null(blk2);
	assert_non_null(blk0);
	rel_snap_take(&snap);
	reports_before = host_report_count();
	return 0;
}

static int bd_teardown(void **state)
{
	(void)state;
	rel_snap_release(&snap);
	buddy_teardown();
	return 0;
}

/* Unchanged since the snapshot, pmm_check() passes, @reports reports came,
 * the last with @err. */
static void bd_unchanged(unsigned int reports, int err)
{
	buddy_expect_snap(&snap, reports_before, reports, err);
}

static pmm_pfn_t pfn_of(const struct pmm_page *p)
{
	return pmm_page_to_pfn(p);
}

static void E34_buddy_alloc_order_too_big(void **state)
{
	(void)state;
	int err = 0;
	assert_null(pmm_alloc_pages_tagged(PMM_NUMA_NO_NODE, PMM_GFP_KERNEL,
					   PMM_MAX_ORDER + 1, 0, &err));
	assert_int_equal(err, PMM_EORDER);
	bd_unchanged(0, 0);
}

static void E35_buddy_alloc_contradictory_zones(void **state)
{
	(void)state;
	int err = 0;
	assert_null(pmm_alloc_pages_tagged(PMM_NUMA_NO_NODE,
					   PMM_GFP_DMA | PMM_GFP_HIGHMEM, 0, 0, &err));
	assert_int_equal(err, PMM_EINVAL);
	bd_unchanged(0, 0);
}

static void E36_buddy_alloc_offline_node(void **state)
{
	(void)state;
	int err = 0;
	assert_null(pmm_alloc_pages_tagged(3, PMM_GFP_KERNEL, 0, 0, &err));
	assert_int_equal(err, PMM_EINVAL);
	assert_null(pmm_alloc_pages_tagged(-9, PMM_GFP_KERNEL, 0, 0, &err));
	assert_int_equal(err, PMM_EINVAL);
	bd_unchanged(0, 0);
}

/* DMA holds 1023 pages: no block of order 10 fits in it. */
static void E37_buddy_alloc_exhausted(void **state)
{
	(void)state;
	int err = 0;
	assert_null(pmm_alloc_pages_tagged(0, PMM_GFP_DMA, PMM_MAX_ORDER, 0, &err));
	assert_int_equal(err, PMM_ENOMEM);
	bd_unchanged(0, 0);
}

static void E38_buddy_free_order_too_big(void **state)
{
	(void)state;
	assert_int_equal(pmm_free_pages(blk2, PMM_MAX_ORDER + 1), PMM_EORDER);
	bd_unchanged(0, 0);
}

static void E39_buddy_double_free(void **state)
{
	(void)state;
	assert_int_equal(pmm_free_pages(blk0, 0), 0);
	rel_snap_take(&snap);
	assert_int_equal(pmm_free_pages(blk0, 0), PMM_EDOUBLEFREE);
	bd_unchanged(1, PMM_EDOUBLEFREE);
}

static void E40_buddy_wrong_order(void **state)
{
	(void)state;
	assert_int_equal(pmm_free_pages(blk2, 1), PMM_EWRONGORDER);
	bd_unchanged(1, PMM_EWRONGORDER);
	assert_int_equal(pmm_free_pages(blk2, 3), PMM_EWRONGORDER);
	bd_unchanged(2, PMM_EWRONGORDER);
}

static void E41_buddy_free_reserved(void **state)
{
	(void)state;
	assert_int_equal(pmm_free_pages(pmm_pfn_to_page(2004), 0), PMM_ERESERVED);
	bd_unchanged(1, PMM_ERESERVED);
	assert_int_equal(pmm_free_pages(pmm_pfn_to_page(0), 0), PMM_ERESERVED);
	bd_unchanged(2, PMM_ERESERVED);
}

static void E42_buddy_free_never_allocated(void **state)
{
	(void)state;
	assert_int_equal(pmm_free_pages(pmm_pfn_to_page(3000), 0), PMM_EDOUBLEFREE);
	bd_unchanged(1, PMM_EDOUBLEFREE);
}

static void E43_buddy_free_inside_block(void **state)
{
	(void)state;
	assert_int_equal(pmm_free_pages(blk2 + 1, 0), PMM_ENOTHEAD);
	bd_unchanged(1, PMM_ENOTHEAD);
	assert_int_equal(pmm_free_pages(blk2 + 2, 1), PMM_ENOTHEAD);
	bd_unchanged(2, PMM_ENOTHEAD);
}

static void E44_buddy_free_not_a_descriptor(void **state)
{
	(void)state;
	struct pmm_page outside;
	assert_int_equal(pmm_free_pages(&outside, 0), PMM_EINVAL);
	assert_int_equal(pmm_free_pages(NULL, 0), PMM_EINVAL);
	assert_int_equal(pmm_free_pages((struct pmm_page *)((char *)blk2 + 4), 2),
			 PMM_EINVAL);
	bd_unchanged(0, 0);
}

static void E45_buddy_free_addr_misaligned(void **state)
{
	(void)state;
	assert_int_equal(pmm_free_pages_addr(PMM_PFN_PHYS(pfn_of(blk2)) + 8, 2),
			 PMM_EINVAL);
	bd_unchanged(0, 0);
}

static void E46_buddy_free_addr_beyond_memory(void **state)
{
	(void)state;
	assert_int_equal(pmm_free_pages_addr(PMM_PFN_PHYS(4096), 0), PMM_EINVAL);
	assert_int_equal(pmm_free_page_addr(UINT64_MAX & PMM_PAGE_MASK), PMM_EINVAL);
	bd_unchanged(0, 0);
}

static void E47_buddy_free_range_empty_or_reversed(void **state)
{
	(void)state;
	assert_int_equal(pmm_buddy_free_range(2004, 2004, NULL), PMM_EINVAL);
	assert_int_equal(pmm_buddy_free_range(2010, 2004, NULL), PMM_EINVAL);
	bd_unchanged(0, 0);
}

static void E48_buddy_free_range_pfn_zero(void **state)
{
	(void)state;
	assert_int_equal(pmm_buddy_free_range(0, 1, NULL), PMM_ERANGE);
	bd_unchanged(0, 0);
}

static void E49_buddy_free_range_outside_zones(void **state)
{
	(void)state;
	assert_int_equal(pmm_buddy_free_range(4090, 4100, NULL), PMM_ERANGE);
	bd_unchanged(0, 0);
}

/* [1990, 2010): 1990..1999 are free already, 2000..2009 reserved. */
static void E50_buddy_free_range_partly_free(void **state)
{
	(void)state;
	uint64_t freed = 0;
	assert_int_equal(pmm_buddy_free_range(1990, 2010, &freed), PMM_EDOUBLEFREE);
	assert_true(freed == 0);
	bd_unchanged(1, PMM_EDOUBLEFREE);
}

static void E51_buddy_handoff_reversed(void **state)
{
	(void)state;
	assert_int_equal(pmm_buddy_handoff_range(2010, 2004, NULL), PMM_EINVAL);
	bd_unchanged(0, 0);
}

static void E52_buddy_get_page_of_free_page(void **state)
{
	(void)state;
	assert_int_equal(pmm_get_page(pmm_pfn_to_page(3000)), PMM_EINVAL);
	assert_int_equal(pmm_get_page(blk2 + 1), PMM_EINVAL);
	bd_unchanged(0, 0);
}

static void E53_buddy_pcp_batch_above_high(void **state)
{
	(void)state;
	assert_int_equal(pmm_pcp_set_high_batch(4, 8), PMM_EINVAL);
	bd_unchanged(0, 0);
}

static void E54_buddy_put_page_not_descriptor(void **state)
{
	(void)state;
	struct pmm_page outside = { 0, 0, PMM_PG_ALLOC_HEAD | PMM_PG_REF_ONE };
	assert_int_equal(pmm_put_page(&outside), PMM_EINVAL);
	bd_unchanged(0, 0);
}

static void E67_free_initmem_reversed(void **state)
{
	(void)state;
	uint64_t freed = 99;
	assert_int_equal(pmm_free_initmem(PMM_PFN_PHYS(2010), PMM_PFN_PHYS(2004), &freed),
			 PMM_EINVAL);
	assert_true(freed == 0);
	bd_unchanged(0, 0);
}

/* [1998, 2004): 1998 and 1999 are free: refused before anything is poisoned. */
static void E68_free_initmem_not_reserved(void **state)
{
	(void)state;
	unsigned char *p = host_phys_ptr(PMM_PFN_PHYS(2000));
	p[0] = 0x17;
	assert_int_equal(pmm_free_initmem(PMM_PFN_PHYS(1998), PMM_PFN_PHYS(2004), NULL),
			 PMM_EDOUBLEFREE);
	assert_int_equal(p[0], 0x17);
	bd_unchanged(1, PMM_EDOUBLEFREE);
}

/* Less than one whole page: nothing to free, "0K freed". */
static void E69_free_initmem_no_whole_page(void **state)
{
	(void)state;
	uint64_t freed = 99;
	assert_int_equal(pmm_free_initmem(PMM_PFN_PHYS(2004) + 100,
					  PMM_PFN_PHYS(2005) + 50, &freed), 0);
	assert_true(freed == 0);
	bd_unchanged(0, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(E34_buddy_alloc_order_too_big, bd_setup, bd_teardown),
		cmocka_unit_test_setup_teardown(E35_buddy_alloc_contradictory_zones, bd_setup, bd_teardown),
		cmocka_unit_test_setup_teardown(E36_buddy_alloc_offline_node, bd_setup, bd_teardown),
		cmocka_unit_test_setup_teardown(E37_buddy_alloc_exhausted, bd_setup, bd_teardown),
		cmocka_unit_test_setup_teardown(E38_buddy_free_order_too_big, bd_setup, bd_teardown),
		cmocka_unit_test_setup_teardown(E39_buddy_double_free, bd_setup, bd_teardown),
		cmocka_unit_test_setup_teardown(E40_buddy_wrong_order, bd_setup, bd_teardown),
		cmocka_unit_test_setup_teardown(E41_buddy_free_reserved, bd_setup, bd_teardown),
		cmocka_unit_test_setup_teardown(E42_buddy_free_never_allocated, bd_setup, bd_teardown),
		cmocka_unit_test_setup_teardown(E43_buddy_free_inside_block, bd_setup, bd_teardown),
		cmocka_unit_test_setup_teardown(E44_buddy_free_not_a_descriptor, bd_setup, bd_teardown),
		cmocka_unit_test_setup_teardown(E45_buddy_free_addr_misaligned, bd_setup, bd_teardown),
		cmocka_unit_test_setup_teardown(E46_buddy_free_addr_beyond_memory, bd_setup, bd_teardown),
		cmocka_unit_test_setup_teardown(E47_buddy_free_range_empty_or_reversed, bd_setup, bd_teardown),
		cmocka_unit_test_setup_teardown(E48_buddy_free_range_pfn_zero, bd_setup, bd_teardown),
		cmocka_unit_test_setup_teardown(E49_buddy_free_range_outside_zones, bd_setup, bd_teardown),
		cmocka_unit_test_setup_teardown(E50_buddy_free_range_partly_free, bd_setup, bd_teardown),
		cmocka_unit_test_setup_teardown(E51_buddy_handoff_reversed, bd_setup, bd_teardown),
		cmocka_unit_test_setup_teardown(E52_buddy_get_page_of_free_page, bd_setup, bd_teardown),
		cmocka_unit_test_setup_teardown(E53_buddy_pcp_batch_above_high, bd_setup, bd_teardown),
		cmocka_unit_test_setup_teardown(E54_buddy_put_page_not_descriptor, bd_setup, bd_teardown),
		cmocka_unit_test_setup_teardown(E67_free_initmem_reversed, bd_setup, bd_teardown),
		cmocka_unit_test_setup_teardown(E68_free_initmem_not_reserved, bd_setup, bd_teardown),
		cmocka_unit_test_setup_teardown(E69_free_initmem_no_whole_page, bd_setup, bd_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
