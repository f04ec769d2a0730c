/* SPDX-License-Identifier: MIT */
/*
 * test_buddy_contig.c - contiguous runs (pmm/contig.h): any page count,
 * windows, alignment, boundaries, the smallest block first, runs joining
 * several blocks, partial frees, placed allocations and the Linux names.
 * Every case proves pmm_check() and, where all is given back, the free
 * lists exactly as they were.
 *
 * Machine of most cases (buddy_fix_setup_dma_normal), per-CPU lists off:
 *   pfn 0      4096             16384
 *      | DMA   |     Normal     |      (16 MiB DMA, 48 MiB Normal)
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pmm/contig.h>
#define PMM_NO_PAGE_ALIAS
#include <pmm/linux/gfp.h>

#include "buddy_fixture.h"

#define KIB(x) ((pmm_phys_t)(x) << 10)
#define MIB(x) ((pmm_phys_t)(x) << 20)
#define ALL_MEM MIB(64)

static pmm_pfn_t pfn_of(const struct pmm_page *p)
{
	return pmm_page_to_pfn(p);
}

/* Free-list lengths of DMA and Normal, to prove "all given back". */
struct two_counts {
	struct buddy_counts dma, normal;
};

static void counts_take(struct two_counts *c)
{
	buddy_counts_get(buddy_zone(PMM_ZONE_DMA), &c->dma);
	buddy_counts_get(buddy_zone(PMM_ZONE_NORMAL), &c->normal);
}

static void counts_same(const struct two_counts *c)
{
	struct two_counts now;
	counts_take(&now);
	assert_true(buddy_counts_equal(&c->dma, &now.dma));
	assert_true(buddy_counts_equal(&c->normal, &now.normal));
}

/* Every page of [s, s + n) heads or lies inside an allocated block. */
static void assert_allocated(pmm_pfn_t s, uint64_t n)
{
	assert_false(pmm_range_is_free(s, 1));
	for (pmm_pfn_t p = s; p < s + n;) {
		const struct pmm_page *d = pmm_pfn_to_page(p);
		assert_true(pmm_page_is_alloc_head(d));
		assert_int_equal(pmm_page_refcount(d), 1);
		p += (pmm_pfn_t)1 << pmm_page_order(d);
		assert_true(p <= s + n);
	}
}

/* 5 pages (not a power of two) anywhere: tiled as 1 + 4 or 4 + 1, the
 * rest of their block back on the lists; freeing restores every list. */
static void contig_any_count(void **state)
{
	(void)state;
	struct two_counts before;
	counts_take(&before);
	uint64_t free0 = pmm_nr_free_pages();
	struct pmm_page *p = pmm_alloc_contig(5, PMM_GFP_KERNEL, 0, ALL_MEM,
					      PMM_PAGE_SIZE, 0);
	assert_non_null(p);
	assert_int_equal(pmm_nr_free_pages(), free0 - 5);
	assert_allocated(pfn_of(p), 5);
	buddy_assert_clean();
	assert_int_equal(pmm_free_contig(p, 5), 0);
	assert_int_equal(pmm_nr_free_pages(), free0);
	counts_same(&before);
	buddy_assert_clean();
}

/* Window [1 MiB, 2 MiB), 64 KiB aligned, 16 KiB boundary, 3 pages. */
static void contig_window_align(void **state)
{
	(void)state;
	struct pmm_page *p = pmm_alloc_contig(3, PMM_GFP_KERNEL, MIB(1), MIB(2),
					      KIB(64), KIB(16));
	assert_non_null(p);
	pmm_phys_t a = PMM_PFN_PHYS(pfn_of(p));
	assert_true(a >= MIB(1) && a + KIB(12) <= MIB(2));
	assert_int_equal(a & (KIB(64) - 1), 0);
	assert_int_equal(a / KIB(16), (a + KIB(12) - 1) / KIB(16));
	assert_int_equal(pmm_free_contig(p, 3), 0);
	buddy_assert_clean();
}

/*
 * Boundary of 4 pages, window [100, 112): pfn 100 busy, so a run of 4 at
 * 101 would cross 104; it starts at 104 (the order-3 piece there).
 *   100 101 102 103 | 104 105 106 107 | 108 ...
 *    #   .   .   .  |  r   r   r   r  |
 */
static void contig_boundary_skips(void **state)
{
	(void)state;
	pmm_pfn_t busy = 0;
	assert_int_equal(pmm_alloc_range(100, 1, &busy), 0);
	struct pmm_page *p = pmm_alloc_contig(4, PMM_GFP_DMA,
					      PMM_PFN_PHYS(100), PMM_PFN_PHYS(112),
					      PMM_PAGE_SIZE, KIB(16));
	assert_non_null(p);
	assert_int_equal(pfn_of(p), 104);
	/* 3 pages in [100, 108) join 101 (order 0) and 102 (order 1) */
	struct pmm_page *q = pmm_alloc_contig(3, PMM_GFP_DMA,
					      PMM_PFN_PHYS(100), PMM_PFN_PHYS(108),
					      PMM_PAGE_SIZE, KIB(16));
	assert_non_null(q);
	assert_int_equal(pfn_of(q), 101);
	buddy_assert_clean();
	assert_int_equal(pmm_free_contig(p, 4), 0);
	assert_int_equal(pmm_free_contig(q, 3), 0);
	assert_int_equal(pmm_free_contig(pmm_pfn_to_page(100), 1), 0);
	buddy_assert_clean();
}

/* A one-page run in DMA comes from an order-0 block: no list of order
 * >= 1 loses a block (the placed page 1000 left order-0 pieces behind). */
static void contig_smallest_block_first(void **state)
{
	(void)state;
	assert_int_equal(pmm_alloc_range(1000, 1, NULL), 0);
	struct two_counts before;
	counts_take(&before);
	struct pmm_page *p = pmm_alloc_contig(1, PMM_GFP_KERNEL, 0, MIB(16),
					      PMM_PAGE_SIZE, 0);
	assert_non_null(p);
	struct two_counts after;
	counts_take(&after);
	for (int k = 1; k <= PMM_MAX_ORDER; k++) {
		assert_int_equal(after.dma.nr_free[k], before.dma.nr_free[k]);
		assert_int_equal(after.normal.nr_free[k], before.normal.nr_free[k]);
	}
	assert_int_equal(pmm_free_contig(p, 1), 0);
	assert_int_equal(pmm_free_contig(pmm_pfn_to_page(1000), 1), 0);
	buddy_assert_clean();
}

/* The request's zones from the top down: a window below 16 MiB with
 * GFP_KERNEL meets only DMA. */
static void contig_window_in_dma(void **state)
{
	(void)state;
	struct pmm_page *p = pmm_alloc_contig(300, PMM_GFP_KERNEL, 0, MIB(16),
					      KIB(64), KIB(2048));
	assert_non_null(p);
	assert_true(pfn_of(p) + 300 <= 4096);
	assert_int_equal(pmm_free_contig(p, 300), 0);
	buddy_assert_clean();
}

/* 1500 pages: more than a top-order block, joined from two; the
 * top-order head has one pageblock type; freed through both calls. */
static void contig_joins_blocks(void **state)
{
	(void)state;
	struct two_counts before;
	counts_take(&before);
	struct pmm_page *p = pmm_alloc_contig(1500, PMM_GFP_KERNEL, MIB(16),
					      ALL_MEM, PMM_PAGE_SIZE, 0);
	assert_non_null(p);
	pmm_pfn_t s = pfn_of(p);
	assert_allocated(s, 1500);
	buddy_assert_clean();
	/* the top-order head goes back alone; the rest as a run */
	pmm_pfn_t top = (s + 1023) & ~(pmm_pfn_t)1023;
	if (top + 1024 <= s + 1500) {
		assert_int_equal(pmm_free_pages(pmm_pfn_to_page(top), 10), 0);
		buddy_assert_clean();
		if (top > s)
			assert_int_equal(pmm_free_contig(p, top - s), 0);
		if (top + 1024 < s + 1500)
			assert_int_equal(pmm_free_contig(pmm_pfn_to_page(top + 1024),
							 s + 1500 - top - 1024), 0);
	} else {
		assert_int_equal(pmm_free_contig(p, 1500), 0);
	}
	counts_same(&before);
	buddy_assert_clean();
}

/* 10 pages; the middle 3 back first, then both ends. */
static void contig_partial_free(void **state)
{
	(void)state;
	struct two_counts before;
	counts_take(&before);
	struct pmm_page *p = pmm_alloc_contig(10, PMM_GFP_KERNEL, 0, ALL_MEM,
					      PMM_PAGE_SIZE, 0);
	assert_non_null(p);
	pmm_pfn_t s = pfn_of(p);
	assert_int_equal(pmm_free_contig(pmm_pfn_to_page(s + 3), 3), 0);
	buddy_assert_clean();
	assert_true(pmm_range_is_free(s + 3, 3));
	assert_allocated(s, 3);
	assert_allocated(s + 6, 4);
	assert_int_equal(pmm_free_contig(p, 3), 0);
	assert_int_equal(pmm_free_contig(pmm_pfn_to_page(s + 6), 4), 0);
	counts_same(&before);
	buddy_assert_clean();
}

/* Placed: [5000, 5010) taken, busy then, free again after. */
static void contig_alloc_range_exact(void **state)
{
	(void)state;
	struct two_counts before;
	counts_take(&before);
	pmm_pfn_t busy = 0;
	assert_true(pmm_range_is_free(5000, 10));
	assert_int_equal(pmm_alloc_range(5000, 10, &busy), 0);
	assert_allocated(5000, 10);
	assert_false(pmm_range_is_free(5000, 10));
	assert_false(pmm_range_is_free(4990, 20));
	assert_true(pmm_range_is_free(4990, 10));
	assert_int_equal(pmm_alloc_range(4995, 10, &busy), PMM_EBUSY);
	assert_int_equal(busy, 5000);
	buddy_assert_clean();
	assert_int_equal(pmm_free_contig(pmm_pfn_to_page(5000), 10), 0);
	counts_same(&before);
	buddy_assert_clean();
}

/* A placed range over a whole zone's top-order blocks. */
static void contig_alloc_range_large(void **state)
{
	(void)state;
	assert_int_equal(pmm_alloc_range(4096, 12288, NULL), 0);
	assert_int_equal(buddy_zone(PMM_ZONE_NORMAL)->free_pages, 0);
	buddy_assert_clean();
	struct pmm_page *p = pmm_alloc_contig(1, PMM_GFP_KERNEL, MIB(16),
					      ALL_MEM, PMM_PAGE_SIZE, 0);
	assert_null(p);
	assert_int_equal(pmm_free_contig(pmm_pfn_to_page(4096), 12288), 0);
	assert_int_equal(buddy_zone(PMM_ZONE_NORMAL)->free_pages, 12288);
	buddy_assert_clean();
}

/* Contiguous runs with grouping off and with movable requests. */
static void contig_grouping_and_types(void **state)
{
	(void)state;
	struct pmm_page *a = pmm_alloc_contig(700, PMM_GFP_USER_MOVABLE, 0,
					      ALL_MEM, KIB(8), 0);
	assert_non_null(a);
	pmm_buddy_set_grouping(false);
	struct pmm_page *b = pmm_alloc_contig(33, PMM_GFP_KERNEL, 0, ALL_MEM,
					      KIB(4), KIB(256));
	assert_non_null(b);
	buddy_assert_clean();
	assert_int_equal(pmm_free_contig(a, 700), 0);
	assert_int_equal(pmm_free_contig(b, 33), 0);
	pmm_buddy_set_grouping(true);
	buddy_assert_clean();
}

/* Linux's names map onto these calls. */
static void contig_linux_names(void **state)
{
	(void)state;
	struct pmm_page *p = alloc_contig_pages(16, GFP_KERNEL, NUMA_NO_NODE,
						NULL);
	assert_non_null(p);
	free_contig_range(page_to_pfn(p), 16);
	assert_int_equal(alloc_contig_range(6000, 6016, MIGRATE_MOVABLE,
					    GFP_KERNEL), 0);
	assert_false(pmm_range_is_free(6000, 16));
	free_contig_range(6000, 16);
	assert_true(pmm_range_is_free(6000, 16));
	buddy_assert_clean();
}

/* The lazy buddy's uncoalesced heads are settled before a search. */
static void contig_with_lazy(void **state)
{
	(void)state;
	struct two_counts before;
	counts_take(&before);
	pmm_buddy_set_lazy(true);
	struct pmm_page *p[8];
	for (int i = 0; i < 8; i++)
		p[i] = pmm_alloc_pages(PMM_GFP_KERNEL, 0);
	for (int i = 0; i < 8; i++)
		assert_int_equal(pmm_free_pages(p[i], 0), 0);
	struct pmm_page *r = pmm_alloc_contig(3, PMM_GFP_KERNEL, 0, ALL_MEM,
					      PMM_PAGE_SIZE, 0);
	assert_non_null(r);
	buddy_assert_clean();
	assert_int_equal(pmm_free_contig(r, 3), 0);
	pmm_buddy_set_lazy(false);
	counts_same(&before);
	buddy_assert_clean();
}

/* Per-CPU lists on: blocks on them are busy until this CPU's lists go
 * back, which a failed search does. */
static void contig_pcp_drained(void **state)
{
	(void)state;
	struct pmm_zone *z = buddy_fix_pcp(1024, 64, 16);
	struct pmm_page *p[1000];
	unsigned int n = 0;
	while (n < 1000 && (p[n] = pmm_alloc_pages(PMM_GFP_KERNEL, 0)) != NULL)
		n++;
	for (unsigned int i = 0; i < n; i++)
		assert_int_equal(pmm_free_pages(p[i], 0), 0);
	assert_true(z->free_pages < z->managed);
	struct pmm_page *r = pmm_alloc_contig(512, PMM_GFP_KERNEL, 0,
					      PMM_PFN_PHYS(1024), KIB(2048), 0);
	assert_non_null(r);
	assert_int_equal(pfn_of(r), 512);
	assert_int_equal(pmm_free_contig(r, 512), 0);
	buddy_assert_clean();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		BUDDY_CASE_DMA_NORMAL(contig_any_count),
		BUDDY_CASE_DMA_NORMAL(contig_window_align),
		BUDDY_CASE_DMA_NORMAL(contig_boundary_skips),
		BUDDY_CASE_DMA_NORMAL(contig_smallest_block_first),
		BUDDY_CASE_DMA_NORMAL(contig_window_in_dma),
		BUDDY_CASE_DMA_NORMAL(contig_joins_blocks),
		BUDDY_CASE_DMA_NORMAL(contig_partial_free),
		BUDDY_CASE_DMA_NORMAL(contig_alloc_range_exact),
		BUDDY_CASE_DMA_NORMAL(contig_alloc_range_large),
		BUDDY_CASE_DMA_NORMAL(contig_grouping_and_types),
		BUDDY_CASE_DMA_NORMAL(contig_linux_names),
		BUDDY_CASE_DMA_NORMAL(contig_with_lazy),
		BUDDY_CASE(contig_pcp_drained),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
