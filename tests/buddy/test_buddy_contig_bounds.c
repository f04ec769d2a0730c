/* SPDX-License-Identifier: MIT */
/*
 * test_buddy_contig_bounds.c - the limits of contiguous runs and CMA
 * regions, one case per boundary (issue 17, docs/mutation.md): a window of
 * exactly the run's length, PMM_GFP_ZERO on a run, a region's name,
 * regions that touch without meeting, PMM_CMA_MAX regions and one more,
 * where a CMA search resumes after a page that stays, a release of no
 * page descriptor or no pages, the first region id past the table, a
 * whole free block preferred to a lower run across two, and an isolation
 * that takes back this CPU's per-CPU pages first, and the poison check of
 * a new run, which stops at its end, lazy frees coalesced before an
 * isolation, and poisoning switched on over the CMA and isolated lists.
 *
 * Machine (buddy_fix_setup_dma_normal), per-CPU lists off, pageblocks of
 * 512 pages:
 *   pfn 0      4096             16384
 *      | DMA   |     Normal     |
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <pmm/buddy.h>
#include <pmm/contig.h>
#include <pmm/debug.h>

#include "buddy_fixture.h"
#include "host_platform.h"

#define PB 512u           /* pages in a pageblock */
#define RUN_PFN 8192u     /* a free, pageblock-aligned pfn of Normal */

/* A window of exactly 4 pages that are free gives exactly those pages. */
static void contig_window_of_exactly_nr_pages(void **state)
{
	(void)state;
	struct pmm_page *p = pmm_alloc_contig(4, PMM_GFP_KERNEL,
					      PMM_PFN_PHYS(RUN_PFN),
					      PMM_PFN_PHYS(RUN_PFN + 4),
					      PMM_PAGE_SIZE, 0);
	assert_non_null(p);
	assert_int_equal(pmm_page_to_pfn(p), RUN_PFN);
	assert_int_equal(pmm_free_contig(p, 4), 0);
	buddy_assert_clean();
}

/* PMM_GFP_ZERO zeroes every byte of the run, dirty before. */
static void contig_zero_flag_zeroes_run(void **state)
{
	(void)state;
	const size_t bytes = 4 * PMM_PAGE_SIZE;
	unsigned char *mem = host_phys_ptr(PMM_PFN_PHYS(RUN_PFN));
	assert_non_null(mem);
	memset(mem, 0xa5, bytes);
	struct pmm_page *p = pmm_alloc_contig(4, PMM_GFP_KERNEL | PMM_GFP_ZERO,
					      PMM_PFN_PHYS(RUN_PFN),
					      PMM_PFN_PHYS(RUN_PFN + 4),
					      PMM_PAGE_SIZE, 0);
	assert_non_null(p);
	for (size_t i = 0; i < bytes; i++)
		assert_int_equal(mem[i], 0);
	assert_int_equal(pmm_free_contig(p, 4), 0);
	buddy_assert_clean();
}

/* The name given is the name kept; the info names the region. */
static void cma_name_kept(void **state)
{
	(void)state;
	int id = -1;
	struct pmm_cma_info info;
	assert_int_equal(pmm_cma_declare(RUN_PFN, PB, "dma-pool", &id), 0);
	assert_int_equal(pmm_cma_info(id, &info), 0);
	assert_string_equal(info.name, "dma-pool");
	assert_int_equal(info.base, RUN_PFN);
	assert_int_equal(info.count, PB);
	assert_int_equal(info.free, PB);
	buddy_assert_clean();
}

/* A region ending where the next begins does not meet it. */
static void cma_touching_regions_both_declared(void **state)
{
	(void)state;
	assert_int_equal(pmm_cma_declare(RUN_PFN, PB, "a", NULL), 0);
	assert_int_equal(pmm_cma_declare(RUN_PFN + PB, PB, "b", NULL), 0);
	assert_int_equal(pmm_cma_declare(RUN_PFN - PB, PB, "c", NULL), 0);
	assert_int_equal(pmm_cma_count(), 3);
	assert_int_equal(pmm_cma_declare(RUN_PFN, PB, "d", NULL),
			 PMM_EOVERLAP);
	buddy_assert_clean();
}

/* PMM_CMA_MAX regions are declared; the next is refused, nothing changed. */
static void cma_table_full(void **state)
{
	(void)state;
	for (unsigned int i = 0; i < PMM_CMA_MAX; i++)
		assert_int_equal(pmm_cma_declare(RUN_PFN + i * PB, PB, "r", NULL), 0);
	uint64_t free0 = pmm_nr_free_pages();
	int id = -1;
	assert_int_equal(pmm_cma_declare(RUN_PFN - PB, PB, "one more", &id),
			 PMM_EFULL);
	assert_int_equal(id, -1);
	assert_int_equal(pmm_cma_count(), PMM_CMA_MAX);
	assert_int_equal(pmm_nr_free_pages(), free0);
	assert_false(pmm_range_is_isolated(RUN_PFN - PB, PB));
	buddy_assert_clean();
}

/*
 * The region's first page stays allocated (no migrate hook): the search
 * resumes right after it, so a 4-page run starts at base + 1.
 */
static void cma_search_resumes_after_busy_page(void **state)
{
	(void)state;
	int id = -1;
	assert_int_equal(pmm_alloc_range(RUN_PFN, 1, NULL), 0);
	assert_int_equal(pmm_cma_declare(RUN_PFN, PB, "r", &id), 0);
	struct pmm_page *p = pmm_cma_alloc(id, 4, 0);
	assert_non_null(p);
	assert_int_equal(pmm_page_to_pfn(p), RUN_PFN + 1);
	assert_int_equal(pmm_cma_release(id, p, 4), 0);
	buddy_assert_clean();
}

/* A pointer that is no page descriptor, or no pages: refused, no change. */
static void cma_release_bad_args(void **state)
{
	(void)state;
	int id = -1;
	assert_int_equal(pmm_cma_declare(RUN_PFN, PB, "r", &id), 0);
	struct pmm_page *p = pmm_cma_alloc(id, 4, 0);
	assert_non_null(p);
	uint64_t free0 = pmm_nr_free_pages();
	/* 1 byte in: the descriptor's own pfn; 5 bytes in: none at all */
	for (size_t off = 1; off <= 5; off += 4) {
		struct pmm_page *bad = (struct pmm_page *)((char *)p + off);
		assert_int_equal(pmm_cma_release(id, bad, 4), PMM_EINVAL);
	}
	assert_int_equal(pmm_cma_release(id, p, 0), PMM_EINVAL);
	assert_int_equal(pmm_nr_free_pages(), free0);
	assert_int_equal(pmm_cma_release(id, p, 4), 0);
	buddy_assert_clean();
}

/* The first id past the table, and -1, are no region: info untouched. */
static void cma_info_past_last_id(void **state)
{
	(void)state;
	int id = -1;
	assert_int_equal(pmm_cma_declare(RUN_PFN, PB, "r", &id), 0);
	struct pmm_cma_info info = { .base = 7, .count = 7, .free = 7, .name = NULL };
	assert_int_equal(pmm_cma_info(id + 1, &info), PMM_ERANGE);
	assert_int_equal(pmm_cma_info(-1, &info), PMM_ERANGE);
	assert_int_equal(info.base, 7);
	assert_int_equal(info.count, 7);
	assert_null(info.name);
}

/*
 * [4608, 6656) holds a free run of 1024 pages at 4608 that joins halves of
 * two order-10 blocks, and the whole free block [5120, 6144): the single
 * block is taken, found by walking its free list past the head.
 */
static void contig_single_block_before_lower_run(void **state)
{
	(void)state;
	const pmm_pfn_t lo = 4096 + PB, blk = 5120;
	struct pmm_page *p = pmm_alloc_contig(1024, PMM_GFP_KERNEL,
					      PMM_PFN_PHYS(lo),
					      PMM_PFN_PHYS(lo + 2048),
					      PMM_PAGE_SIZE, 0);
	assert_non_null(p);
	assert_int_equal(pmm_page_to_pfn(p), blk);
	assert_int_equal(pmm_free_contig(p, 1024), 0);
	buddy_assert_clean();
}

/*
 * A page freed to this CPU's list inside the range goes back before the
 * isolation: no allocation hands out a page of the isolated pageblock.
 */
static void isolate_drains_this_cpus_list(void **state)
{
	(void)state;
	struct pmm_page *held[8];
	buddy_fix_pcp(4 * PB, 0, 0);
	struct pmm_page *p = pmm_alloc_pages(PMM_GFP_KERNEL, 0);
	assert_non_null(p);
	pmm_pfn_t pb = pmm_page_to_pfn(p) & ~(pmm_pfn_t)(PB - 1);
	pmm_pfn_t first = pb == 0 ? 1 : pb;
	assert_int_equal(pmm_free_pages(p, 0), 0);
	assert_int_equal(pmm_isolate_range(first, pb + PB - first), 0);
	for (unsigned int i = 0; i < 8; i++) {
		held[i] = pmm_alloc_pages(PMM_GFP_KERNEL, 0);
		assert_non_null(held[i]);
		assert_false(pmm_page_to_pfn(held[i]) >= pb &&
			     pmm_page_to_pfn(held[i]) < pb + PB);
	}
	for (unsigned int i = 0; i < 8; i++)
		assert_int_equal(pmm_free_pages(held[i], 0), 0);
	assert_int_equal(pmm_undo_isolate_range(first, pb + PB - first), 0);
	buddy_assert_clean();
}

/*
 * Poisoning is on: the 4-page run at RUN_PFN is taken with no report;
 * poisoning goes off, the run goes back.
 */
static void run_without_report(void)
{
	unsigned int reports = host_report_count();
	struct pmm_page *p = pmm_alloc_contig(4, PMM_GFP_KERNEL,
					      PMM_PFN_PHYS(RUN_PFN),
					      PMM_PFN_PHYS(RUN_PFN + 4),
					      PMM_PAGE_SIZE, 0);
	unsigned int after = host_report_count();
	pmm_debug_set_poison(false);
	assert_non_null(p);
	assert_int_equal(after, reports);
	assert_int_equal(pmm_free_contig(p, 4), 0);
	buddy_assert_clean();
}

/*
 * With poisoning on, a new run's pages are checked, not the page after it
 * (allocated, its bytes written): no report.
 */
static void contig_poison_check_stops_at_run_end(void **state)
{
	(void)state;
	assert_int_equal(pmm_alloc_range(RUN_PFN + 4, 1, NULL), 0);
	pmm_debug_set_poison(true);
	memset(host_phys_ptr(PMM_PFN_PHYS(RUN_PFN + 4)), 0, PMM_PAGE_SIZE);
	run_without_report();
}

/*
 * Lazy frees in the range are coalesced before the isolation moves the
 * free blocks: the whole pageblock is one isolated block, then one free
 * block again.
 */
static void isolate_settles_lazy_heads(void **state)
{
	(void)state;
	struct pmm_page *p = pmm_alloc_contig(2, PMM_GFP_KERNEL,
					      PMM_PFN_PHYS(RUN_PFN),
					      PMM_PFN_PHYS(RUN_PFN + 2),
					      PMM_PAGE_SIZE, 0);
	assert_non_null(p);
	pmm_buddy_set_lazy(true);
	assert_int_equal(pmm_free_contig(p, 2), 0);
	assert_int_equal(pmm_isolate_range(RUN_PFN, PB), 0);
	const struct pmm_page *head = pmm_pfn_to_page(RUN_PFN);
	bool whole = pmm_page_is_free_head(head) && pmm_page_order(head) == 9;
	buddy_assert_clean();
	assert_int_equal(pmm_undo_isolate_range(RUN_PFN, PB), 0);
	pmm_buddy_set_lazy(false);
	assert_true(whole);
	buddy_assert_clean();
}

/*
 * Poisoning switched on poisons the free blocks on the CMA lists too: a
 * movable allocation that borrows from the region finds the pattern, no
 * report (it reported every borrowed page before the fix).
 *   pfn 0 x | 1..1023 movable | 1024..1535 CMA | 1536..2047 movable
 */
static void poison_covers_cma_lists(void **state)
{
	(void)state;
	assert_int_equal(buddy_setup_simple(2048), 0);
	assert_int_equal(pmm_cma_declare(1024, PB, "r", NULL), 0);
	pmm_debug_set_poison(true);
	unsigned int reports = host_report_count();
	pmm_pfn_t pfn = 0;
	for (unsigned int n = 0; n < 2048 && !(pfn >= 1024 && pfn < 1024 + PB); n++) {
		struct pmm_page *p = pmm_alloc_pages(PMM_GFP_MOVABLE, 0);
		assert_non_null(p);
		pfn = pmm_page_to_pfn(p);
	}
	unsigned int after = host_report_count();
	pmm_debug_set_poison(false);
	assert_int_equal(pfn, 1024);
	assert_int_equal(after, reports);
	buddy_assert_clean();
}

/* The same for a range isolated while poisoning is switched on. */
static void poison_covers_isolated_lists(void **state)
{
	(void)state;
	assert_int_equal(pmm_isolate_range(RUN_PFN, PB), 0);
	pmm_debug_set_poison(true);
	assert_int_equal(pmm_undo_isolate_range(RUN_PFN, PB), 0);
	run_without_report();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		BUDDY_CASE_DMA_NORMAL(contig_window_of_exactly_nr_pages),
		BUDDY_CASE_DMA_NORMAL(contig_zero_flag_zeroes_run),
		BUDDY_CASE_DMA_NORMAL(cma_name_kept),
		BUDDY_CASE_DMA_NORMAL(cma_touching_regions_both_declared),
		BUDDY_CASE_DMA_NORMAL(cma_table_full),
		BUDDY_CASE_DMA_NORMAL(cma_search_resumes_after_busy_page),
		BUDDY_CASE_DMA_NORMAL(cma_release_bad_args),
		BUDDY_CASE_DMA_NORMAL(cma_info_past_last_id),
		BUDDY_CASE_DMA_NORMAL(contig_single_block_before_lower_run),
		BUDDY_CASE(isolate_drains_this_cpus_list),
		BUDDY_CASE_DMA_NORMAL(contig_poison_check_stops_at_run_end),
		BUDDY_CASE_DMA_NORMAL(isolate_settles_lazy_heads),
		BUDDY_CASE(poison_covers_cma_lists),
		BUDDY_CASE_DMA_NORMAL(poison_covers_isolated_lists),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
