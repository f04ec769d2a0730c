/* SPDX-License-Identifier: MIT */
/*
 * test_buddy_isolate.c - isolated pageblocks (pmm_isolate_range()): their
 * free pages leave the allocatable lists, pages freed into them stay off
 * those lists (with and without per-CPU lists and the lazy buddy), blocks
 * are split at the range's edges and never merge across them, a placed
 * allocation still takes them, and the release gives every list back as
 * it was. pmm_check() proves the isolation invariants after each step.
 *
 * Machine of most cases (buddy_fix_setup_dma_normal), per-CPU lists off,
 * pageblocks of 512 pages, Normal handed over as blocks of order 10:
 *   pfn 0      4096  4608  5120             16384
 *      | DMA   | pb  | pb  |     Normal      |
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pmm/contig.h>

#include "buddy_fixture.h"

#define PB PMM_PAGEBLOCK_PAGES
#define MIB(x) ((pmm_phys_t)(x) << 20)

static struct buddy_counts before;

static struct pmm_zone *normal(void)
{
	return buddy_zone(PMM_ZONE_NORMAL);
}

static void take_counts(void)
{
	buddy_counts_get(normal(), &before);
}

static void same_counts(void)
{
	struct buddy_counts now;
	buddy_counts_get(normal(), &now);
	assert_true(buddy_counts_equal(&before, &now));
}

/* Return: blocks of order @k on @zone's isolated list. */
static unsigned int isolated_blocks(const struct pmm_zone *zone, pmm_order_t k)
{
	unsigned int n = 0;
	for (uint32_t h = zone->free_area[k].head[PMM_MT_ISOLATE]; h != 0;
	     h = pmm_mem_map[h - 1].next)
		n++;
	return n;
}

/* Two pageblocks (one order-10 block) isolated: no search finds them, a
 * placed allocation takes them, freed pages come back isolated. */
static void isolate_hides_free_pages(void **state)
{
	(void)state;
	take_counts();
	assert_int_equal(pmm_isolate_range(4096, 2 * PB), 0);
	assert_true(pmm_range_is_isolated(4096, 2 * PB));
	assert_false(pmm_range_is_isolated(4096, 3 * PB));
	assert_int_equal(isolated_blocks(normal(), 10), 1);
	buddy_assert_clean();
	int err = 0;
	assert_null(pmm_alloc_contig_err(8, PMM_GFP_KERNEL, PMM_PFN_PHYS(4096),
					 PMM_PFN_PHYS(5120), PMM_PAGE_SIZE, 0, &err));
	assert_int_equal(err, PMM_ENOMEM);
	assert_int_equal(pmm_alloc_range(4100, 10, NULL), 0);
	buddy_assert_clean();
	assert_int_equal(pmm_free_contig(pmm_pfn_to_page(4100), 10), 0);
	assert_int_equal(isolated_blocks(normal(), 10), 1);
	buddy_assert_clean();
	assert_int_equal(pmm_undo_isolate_range(4096, 2 * PB), 0);
	assert_false(pmm_range_is_isolated(4096, 1));
	assert_int_equal(isolated_blocks(normal(), 10), 0);
	same_counts();
	buddy_assert_clean();
}

/* One pageblock in the middle of an order-10 block: split at its edges,
 * merged again on release. */
static void isolate_splits_at_edges(void **state)
{
	(void)state;
	take_counts();
	assert_int_equal(pmm_isolate_range(4608 + 7, 3), 0);
	assert_true(pmm_range_is_isolated(4608, PB));
	assert_false(pmm_range_is_isolated(4096, PB));
	assert_int_equal(isolated_blocks(normal(), 9), 1);
	buddy_assert_clean();
	struct pmm_page *p = pmm_alloc_contig(PB, PMM_GFP_KERNEL, MIB(16),
					      PMM_PFN_PHYS(5120), PMM_PAGE_SIZE, 0);
	assert_non_null(p);
	assert_int_equal(pmm_page_to_pfn(p), 4096);
	assert_int_equal(pmm_free_contig(p, PB), 0);
	buddy_assert_clean();
	assert_int_equal(pmm_undo_isolate_range(4608, PB), 0);
	same_counts();
	buddy_assert_clean();
}

/* A block freed next to an isolated buddy stays apart from it. */
static void isolate_no_merge_across(void **state)
{
	(void)state;
	take_counts();
	assert_int_equal(pmm_alloc_range(4608, PB, NULL), 0);
	assert_int_equal(pmm_isolate_range(4096, PB), 0);
	assert_int_equal(pmm_free_contig(pmm_pfn_to_page(4608), PB), 0);
	assert_int_equal(isolated_blocks(normal(), 9), 1);
	assert_int_equal(normal()->free_area[9].nr_free, 2);
	buddy_assert_clean();
	assert_int_equal(pmm_undo_isolate_range(4096, PB), 0);
	same_counts();
	buddy_assert_clean();
}

/* Pages allocated before the isolation come back onto the isolated list. */
static void isolate_keeps_freed_pages(void **state)
{
	(void)state;
	take_counts();
	struct pmm_page *p = pmm_alloc_contig(3, PMM_GFP_KERNEL, PMM_PFN_PHYS(8192),
					      PMM_PFN_PHYS(8192 + PB), PMM_PAGE_SIZE, 0);
	assert_non_null(p);
	assert_int_equal(pmm_isolate_range(8192, PB), 0);
	assert_int_equal(pmm_free_contig(p, 3), 0);
	assert_true(pmm_range_is_free(8192, PB));
	assert_null(pmm_alloc_contig(1, PMM_GFP_KERNEL, PMM_PFN_PHYS(8192),
				     PMM_PFN_PHYS(8192 + PB), PMM_PAGE_SIZE, 0));
	buddy_assert_clean();
	assert_int_equal(pmm_undo_isolate_range(8192, PB), 0);
	same_counts();
	buddy_assert_clean();
}

/* The lazy buddy lists nothing lazily in an isolated pageblock. */
static void isolate_with_lazy(void **state)
{
	(void)state;
	take_counts();
	pmm_buddy_set_lazy(true);
	assert_int_equal(pmm_alloc_range(6000, 8, NULL), 0);
	assert_int_equal(pmm_isolate_range(6000, 8), 0);
	for (pmm_pfn_t p = 6000; p < 6008; p++)
		assert_int_equal(pmm_free_contig(pmm_pfn_to_page(p), 1), 0);
	buddy_assert_clean();
	assert_int_equal(pmm_undo_isolate_range(6000, 8), 0);
	pmm_buddy_set_lazy(false);
	same_counts();
	buddy_assert_clean();
}

/* Per-CPU lists on: a free into an isolated pageblock skips them. */
static void isolate_skips_pcp(void **state)
{
	(void)state;
	struct pmm_zone *z = buddy_fix_pcp(4096, 64, 16);
	assert_int_equal(pmm_alloc_range(1030, 1, NULL), 0);
	assert_int_equal(pmm_isolate_range(1024, PB), 0);
	assert_int_equal(pmm_free_pages(pmm_pfn_to_page(1030), 0), 0);
	assert_int_equal(z->pcp[0].count, 0);
	assert_true(pmm_page_is_free_head(pmm_pfn_to_page(1030)) ||
		    pmm_range_is_free(1030, 1));
	buddy_assert_clean();
	assert_int_equal(pmm_undo_isolate_range(1024, PB), 0);
	buddy_assert_clean();
}

/* Releasing half of an isolated range: an allocated order-10 block over
 * both halves refuses it, a free one is split at the edge. */
static void isolate_partial_undo(void **state)
{
	(void)state;
	take_counts();
	assert_int_equal(pmm_isolate_range(4096, 2 * PB), 0);
	assert_int_equal(pmm_alloc_range(4096, 2 * PB, NULL), 0);
	assert_int_equal(pmm_page_order(pmm_pfn_to_page(4096)), 10);
	assert_int_equal(pmm_undo_isolate_range(4608, PB), PMM_EBUSY);
	assert_int_equal(pmm_free_contig(pmm_pfn_to_page(4096), 2 * PB), 0);
	assert_int_equal(isolated_blocks(normal(), 10), 1);
	assert_int_equal(pmm_undo_isolate_range(4608, PB), 0);
	assert_int_equal(isolated_blocks(normal(), 9), 1);
	buddy_assert_clean();
	assert_int_equal(pmm_undo_isolate_range(4096, PB), 0);
	same_counts();
	buddy_assert_clean();
}

/* A placed run over an isolated and a plain pageblock is two blocks. */
static void isolate_run_over_both_kinds(void **state)
{
	(void)state;
	take_counts();
	assert_int_equal(pmm_isolate_range(4096, PB), 0);
	assert_int_equal(pmm_alloc_range(4096, 2 * PB, NULL), 0);
	assert_int_equal(pmm_page_order(pmm_pfn_to_page(4096)), 9);
	assert_int_equal(pmm_page_order(pmm_pfn_to_page(4608)), 9);
	assert_false(pmm_range_is_isolated(4608, 1));
	buddy_assert_clean();
	assert_int_equal(pmm_free_contig(pmm_pfn_to_page(4096), 2 * PB), 0);
	buddy_assert_clean();
	assert_int_equal(pmm_undo_isolate_range(4096, PB), 0);
	same_counts();
	buddy_assert_clean();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		BUDDY_CASE_DMA_NORMAL(isolate_hides_free_pages),
		BUDDY_CASE_DMA_NORMAL(isolate_splits_at_edges),
		BUDDY_CASE_DMA_NORMAL(isolate_no_merge_across),
		BUDDY_CASE_DMA_NORMAL(isolate_keeps_freed_pages),
		BUDDY_CASE_DMA_NORMAL(isolate_with_lazy),
		BUDDY_CASE(isolate_skips_pcp),
		BUDDY_CASE_DMA_NORMAL(isolate_partial_undo),
		BUDDY_CASE_DMA_NORMAL(isolate_run_over_both_kinds),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
