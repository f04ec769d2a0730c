/* SPDX-License-Identifier: MIT */
/*
 * test_buddy_alloc.c - allocation: splitting, coalescing, zone fallback,
 * watermarks, GFP flags, tags, zeroing, references.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "buddy_fixture.h"
#include "host_platform.h"

static pmm_pfn_t pfn_of(const struct pmm_page *p)
{
	return pmm_page_to_pfn(p);
}

/*
 * One Normal zone [0, 4096), pfn 0 never managed:
 *   |0|1|2-3|4-7|...|512-1023|1024-2047|2048-3071|3072-4095|
 *    x o0 o1  o2       o9       o10       o10       o10
 */
static void test_handoff_blocks(void **state)
{
	(void)state;
	assert_int_equal(buddy_setup_simple(4096), 0);
	struct pmm_zone *z = buddy_zone(PMM_ZONE_NORMAL);
	assert_non_null(z);
	assert_int_equal(buddy_setup_handed(), 4095);
	assert_int_equal(z->managed, 4095);
	assert_int_equal(z->free_pages, 4095);
	for (int k = 0; k < PMM_MAX_ORDER; k++)
		assert_int_equal(z->free_area[k].nr_free, 1);
	assert_int_equal(z->free_area[PMM_MAX_ORDER].nr_free, 3);
	assert_int_equal(pmm_nr_free_pages(), 4095);
	assert_true(pmm_page_is_blank(pmm_pfn_to_page(0)));
	buddy_assert_clean();
}

/* Order-0 movable request (the boot type: no fallback) served by the
 * order-0 block at pfn 1. */
static void test_alloc_exact_order(void **state)
{
	(void)state;
	assert_int_equal(buddy_setup_simple(4096), 0);
	struct pmm_page *p = pmm_alloc_pages(PMM_GFP_MOVABLE, 0);
	assert_non_null(p);
	assert_int_equal(pfn_of(p), 1);
	assert_int_equal(pmm_page_order(p), 0);
	assert_int_equal(pmm_page_refcount(p), 1);
	assert_true(pmm_page_is_alloc_head(p));
	assert_int_equal(pmm_nr_free_pages(), 4094);
	buddy_assert_clean();
	assert_int_equal(pmm_free_pages(p, 0), 0);
	assert_int_equal(pmm_nr_free_pages(), 4095);
	buddy_assert_clean();
}

/*
 * Three order-0 movable requests: pfn 1, then order-1 block 2-3 split into
 *   |2|3|  -> 2 allocated, 3 on list 0, then 3 allocated.
 */
static void test_alloc_splits(void **state)
{
	(void)state;
	assert_int_equal(buddy_setup_simple(4096), 0);
	struct pmm_zone *z = buddy_zone(PMM_ZONE_NORMAL);
	struct pmm_page *a = pmm_alloc_page(PMM_GFP_MOVABLE);
	struct pmm_page *b = pmm_alloc_page(PMM_GFP_MOVABLE);
	assert_int_equal(pfn_of(a), 1);
	assert_int_equal(pfn_of(b), 2);
	assert_int_equal(z->free_area[0].nr_free, 1);
	assert_int_equal(z->free_area[1].nr_free, 0);
	assert_true(pmm_page_is_free_head(pmm_pfn_to_page(3)));
	buddy_assert_clean();
	struct pmm_page *c = pmm_alloc_page(PMM_GFP_MOVABLE);
	assert_int_equal(pfn_of(c), 3);
	buddy_assert_clean();
	/* Order 3 with lists 3..9 holding one block each: takes 8-15. */
	struct pmm_page *d = pmm_alloc_pages(PMM_GFP_MOVABLE, 3);
	assert_int_equal(pfn_of(d), 8);
	buddy_assert_clean();
	/* Order 9 takes 512; another order 9 splits 1024 (a top block). */
	struct pmm_page *e = pmm_alloc_pages(PMM_GFP_MOVABLE, 9);
	struct pmm_page *f = pmm_alloc_pages(PMM_GFP_MOVABLE, 9);
	assert_int_equal(pfn_of(e), 512);
	assert_true(pfn_of(f) % 1024 == 0);
	assert_int_equal(z->free_area[9].nr_free, 1);
	assert_int_equal(z->free_area[PMM_MAX_ORDER].nr_free, 2);
	buddy_assert_clean();
	assert_int_equal(pmm_free_pages(f, 9), 0);
	assert_int_equal(z->free_area[PMM_MAX_ORDER].nr_free, 3);
	assert_int_equal(z->free_area[9].nr_free, 0);
	assert_int_equal(pmm_free_pages(e, 9), 0);
	assert_int_equal(pmm_free_pages(d, 3), 0);
	assert_int_equal(pmm_free_page(c), 0);
	assert_int_equal(pmm_free_page(b), 0);
	assert_int_equal(pmm_free_page(a), 0);
	for (int k = 0; k < PMM_MAX_ORDER; k++)
		assert_int_equal(z->free_area[k].nr_free, 1);
	buddy_assert_clean();
}

/*
 * A zone [1024, 2048): one top-order block. Allocate all 1024 pages one
 * by one, free them in a scrambled order: everything coalesces back into
 * the single order-10 block.
 */
static void test_coalesce_to_top(void **state)
{
	(void)state;
	struct buddy_zone_spec zs[] = { { 0, PMM_ZONE_NORMAL, 1024, 2048 } };
	assert_int_equal(buddy_setup(&(struct buddy_setup_opts){
			 .max_pfn = 2048, .zones = zs, .nr_zones = 1,
			 .handoff = true }), 0);
	struct pmm_zone *z = buddy_zone(PMM_ZONE_NORMAL);
	assert_int_equal(z->free_area[PMM_MAX_ORDER].nr_free, 1);
	static struct pmm_page *pages[1024];
	for (int i = 0; i < 1024; i++) {
		pages[i] = pmm_alloc_page(0);
		assert_non_null(pages[i]);
	}
	assert_null(pmm_alloc_page(0));
	assert_int_equal(z->free_pages, 0);
	buddy_assert_clean();
	for (int i = 0; i < 1024; i++) {
		int j = (i * 389) % 1024; /* 389 is odd: a permutation */
		assert_int_equal(pmm_free_page(pages[j]), 0);
	}
	assert_int_equal(z->free_area[PMM_MAX_ORDER].nr_free, 1);
	for (int k = 0; k < PMM_MAX_ORDER; k++)
		assert_int_equal(z->free_area[k].nr_free, 0);
	assert_int_equal(z->free_pages, 1024);
	buddy_assert_clean();
}

/*
 * Zones meet at a pfn that is not top-order aligned; blocks on both sides
 * must never merge across:
 *   DMA [0, 1000) | Normal [1000, 2048)
 */
static void test_no_merge_across_zones(void **state)
{
	(void)state;
	struct buddy_zone_spec zs[] = {
		{ 0, PMM_ZONE_DMA, 0, 1000 },
		{ 0, PMM_ZONE_NORMAL, 1000, 2048 },
	};
	assert_int_equal(buddy_setup(&(struct buddy_setup_opts){
			 .max_pfn = 2048, .zones = zs, .nr_zones = 2,
			 .handoff = true }), 0);
	struct pmm_zone *dma = buddy_zone(PMM_ZONE_DMA);
	struct pmm_zone *nor = buddy_zone(PMM_ZONE_NORMAL);
	assert_int_equal(dma->free_pages, 999);
	assert_int_equal(nor->free_pages, 1048);
	/* 992-999 (order 3) in DMA, 1000-1007 (order 3) in Normal. */
	assert_true(pmm_page_is_free_head(pmm_pfn_to_page(992)));
	assert_int_equal(pmm_page_order(pmm_pfn_to_page(992)), 3);
	assert_true(pmm_page_is_free_head(pmm_pfn_to_page(1000)));
	assert_int_equal(pmm_page_order(pmm_pfn_to_page(1000)), 3);
	assert_int_equal(pmm_page_order(pmm_pfn_to_page(1024)), 10);
	buddy_assert_clean();
	assert_ptr_equal(pmm_pfn_zone(999), dma);
	assert_ptr_equal(pmm_pfn_zone(1000), nor);
	assert_null(pmm_pfn_zone(2048));
}

/*
 * Zone fallback: DMA [0, 256) | DMA32 [256, 512) | Normal [512, 1024),
 * movable requests (the boot type, so the placement is the plain buddy's).
 * Default requests drain Normal, then DMA32, then DMA; DMA32 requests never
 * touch Normal; DMA requests only DMA.
 */
static void test_zone_fallback(void **state)
{
	(void)state;
	struct buddy_zone_spec zs[] = {
		{ 0, PMM_ZONE_DMA, 0, 256 },
		{ 0, PMM_ZONE_DMA32, 256, 512 },
		{ 0, PMM_ZONE_NORMAL, 512, 1024 },
	};
	assert_int_equal(buddy_setup(&(struct buddy_setup_opts){
			 .max_pfn = 1024, .zones = zs, .nr_zones = 3,
			 .handoff = true }), 0);
	struct pmm_page *p = pmm_alloc_pages(PMM_GFP_MOVABLE, 8);
	assert_int_equal(pfn_of(p), 512);
	p = pmm_alloc_pages(PMM_GFP_DMA32 | PMM_GFP_MOVABLE, 8);
	assert_int_equal(pfn_of(p), 256);
	p = pmm_alloc_pages(PMM_GFP_DMA32 | PMM_GFP_MOVABLE, 6);
	assert_non_null(p);
	assert_true(pfn_of(p) < 256);
	p = pmm_alloc_pages(PMM_GFP_DMA | PMM_GFP_MOVABLE, 7);
	assert_non_null(p);
	assert_true(pfn_of(p) < 256);
	p = pmm_alloc_pages(PMM_GFP_MOVABLE, 8);
	assert_int_equal(pfn_of(p), 768);
	assert_null(pmm_alloc_pages(PMM_GFP_MOVABLE, 8));
	assert_null(pmm_alloc_pages(PMM_GFP_HIGHMEM | PMM_GFP_MOVABLE, 8));
	p = pmm_alloc_pages(PMM_GFP_MOVABLE, 5);
	assert_non_null(p);
	assert_true(pfn_of(p) < 256);
	buddy_assert_clean();
}

/* HighMem [512, 1024) is used only with PMM_GFP_HIGHMEM, first. */
static void test_highmem_only_when_asked(void **state)
{
	(void)state;
	struct buddy_zone_spec zs[] = {
		{ 0, PMM_ZONE_NORMAL, 0, 512 },
		{ 0, PMM_ZONE_HIGHMEM, 512, 1024 },
	};
	assert_int_equal(buddy_setup(&(struct buddy_setup_opts){
			 .max_pfn = 1024, .zones = zs, .nr_zones = 2,
			 .handoff = true }), 0);
	struct pmm_page *p = pmm_alloc_pages(0, 8);
	assert_int_equal(pfn_of(p), 256);
	p = pmm_alloc_pages(PMM_GFP_HIGHUSER, 9);
	assert_int_equal(pfn_of(p), 512);
	p = pmm_alloc_pages(PMM_GFP_HIGHMEM, 7);
	assert_non_null(p);
	assert_true(pfn_of(p) < 512);
	assert_null(pmm_alloc_pages(0, 8));
	buddy_assert_clean();
}

static void test_gfp_errors(void **state)
{
	(void)state;
	assert_int_equal(buddy_setup_simple(1024), 0);
	int err = 0;
	assert_null(pmm_alloc_pages_tagged(PMM_NUMA_NO_NODE, 0,
					   PMM_MAX_ORDER + 1, 0, &err));
	assert_int_equal(err, PMM_EORDER);
	err = 0;
	assert_null(pmm_alloc_pages_tagged(PMM_NUMA_NO_NODE,
					   PMM_GFP_DMA | PMM_GFP_DMA32, 0, 0,
					   &err));
	assert_int_equal(err, PMM_EINVAL);
	err = 0;
	assert_null(pmm_alloc_pages_tagged(PMM_NUMA_NO_NODE,
					   PMM_GFP_DMA | PMM_GFP_HIGHMEM, 0, 0,
					   &err));
	assert_int_equal(err, PMM_EINVAL);
	err = 0;
	assert_null(pmm_alloc_pages_tagged(5, 0, 0, 0, &err));
	assert_int_equal(err, PMM_EINVAL);
	err = 0;
	assert_null(pmm_alloc_pages_tagged(-7, 0, 0, 0, &err));
	assert_int_equal(err, PMM_EINVAL);
	err = 0;
	assert_null(pmm_alloc_pages_tagged(0, PMM_GFP_DMA, 0, 0, &err));
	assert_int_equal(err, PMM_ENOMEM);
	err = 0;
	assert_null(pmm_alloc_pages_tagged(0, 0, PMM_MAX_ORDER, 0, &err));
	assert_int_equal(err, PMM_ENOMEM);
	assert_int_equal(pmm_nr_free_pages(), 1023);
	buddy_assert_clean();
}

/*
 * Watermarks: Normal [0, 1024) with min 100. 1023 free: an order-9 request
 * (512) leaves 511 >= 100; the next order-9 would leave -1: refused. Order
 * 8 leaves 255; order 7 leaves 127; order 5 leaves 95 < 100: refused, but
 * PMM_GFP_HIGH halves min to 50.
 */
static void test_watermark_min(void **state)
{
	(void)state;
	assert_int_equal(buddy_setup_simple(1024), 0);
	struct pmm_zone *z = buddy_zone(PMM_ZONE_NORMAL);
	pmm_zone_set_watermarks(z, 100, 125, 150);
	assert_int_equal(z->watermark[PMM_WMARK_LOW], 125);
	assert_non_null(pmm_alloc_pages(0, 9));
	assert_null(pmm_alloc_pages(0, 9));
	assert_non_null(pmm_alloc_pages(0, 8));
	assert_non_null(pmm_alloc_pages(0, 7));
	assert_int_equal(z->free_pages, 127);
	assert_null(pmm_alloc_pages(0, 5));
	assert_non_null(pmm_alloc_pages(0, 4));
	assert_int_equal(z->free_pages, 111);
	assert_null(pmm_alloc_pages(0, 4));
	assert_non_null(pmm_alloc_pages(PMM_GFP_ATOMIC, 5));
	assert_int_equal(z->free_pages, 79);
	assert_null(pmm_alloc_pages(PMM_GFP_HIGH, 5));
	buddy_assert_clean();
}

/*
 * Linux's rule: 1 GiB lowmem = 1048576 KiB -> sqrt(16 Mi) = 4096 KiB =
 * 1024 pages, split DMA 4096 : Normal 258048 managed pages; HighMem of
 * 65536 pages gets 64.
 */
static void test_watermark_setup(void **state)
{
	(void)state;
	struct buddy_zone_spec zs[] = {
		{ 0, PMM_ZONE_DMA, 0, 4096 },
		{ 0, PMM_ZONE_NORMAL, 4096, 262144 },
		{ 0, PMM_ZONE_HIGHMEM, 262144, 327680 },
	};
	assert_int_equal(buddy_setup(&(struct buddy_setup_opts){
			 .max_pfn = 327680, .zones = zs, .nr_zones = 3,
			 .handoff = false }), 0);
	assert_int_equal(pmm_buddy_handoff_range(0, 327680, NULL), 0);
	/* pfn 0 skipped: DMA manages 4095; give one page back by hand. */
	struct pmm_zone *dma = buddy_zone(PMM_ZONE_DMA);
	struct pmm_zone *nor = buddy_zone(PMM_ZONE_NORMAL);
	struct pmm_zone *high = buddy_zone(PMM_ZONE_HIGHMEM);
	assert_int_equal(dma->managed + nor->managed, 262143);
	pmm_zones_setup_watermarks();
	/* lowmem 262143 pages = 1048572 KiB: sqrt(16777152) = 4095 KiB. */
	uint64_t min_pages = 4095 / 4;
	assert_int_equal(dma->watermark[PMM_WMARK_MIN],
			 min_pages * 4095 / 262143);
	assert_int_equal(nor->watermark[PMM_WMARK_MIN],
			 min_pages * 258048 / 262143);
	/*
	 * Linux 6.1: the gap min -> low -> high is the larger of a quarter of
	 * the zone's share of min and 0.1 % of its managed pages.
	 * Normal: min 1007, max(1007 / 4, 258048 / 1000 = 258) = 258.
	 */
	assert_int_equal(nor->watermark[PMM_WMARK_MIN], 1007);
	assert_int_equal(nor->watermark[PMM_WMARK_LOW], 1007 + 258);
	assert_int_equal(nor->watermark[PMM_WMARK_HIGH], 1007 + 2 * 258);
	/* HighMem: min 65536 / 1024 = 64; share 1023 * 65536 / 262143 = 255: gap max(63, 65). */
	assert_int_equal(high->watermark[PMM_WMARK_MIN], 64);
	assert_int_equal(high->watermark[PMM_WMARK_LOW], 64 + 65);
	assert_int_equal(high->watermark[PMM_WMARK_HIGH], 64 + 2 * 65);
	/*
	 * lowmem_reserve as i386 Linux (DMA, Normal, HighMem, Movable; ratios
	 * 256, 32): DMA keeps (Normal + HighMem) / 256 from HighMem requests.
	 */
	const uint64_t dma_prot[] = { 0, 258048 / 256, (258048 + 65536) / 256,
				      (258048 + 65536) / 256 };
	const uint64_t nor_prot[] = { 0, 0, 65536 / 32, 65536 / 32 };
	assert_int_equal(dma->nr_protection, 4);
	for (unsigned int k = 0; k < 4; k++) {
		assert_int_equal(dma->protection[k], dma_prot[k]);
		assert_int_equal(nor->protection[k], nor_prot[k]);
		assert_int_equal(high->protection[k], 0);
	}
}

/* Small machines clamp min_free_kbytes to 128 KiB = 32 pages. */
static void test_watermark_clamp_small(void **state)
{
	(void)state;
	assert_int_equal(buddy_setup_simple(256), 0);
	pmm_zones_setup_watermarks();
	struct pmm_zone *z = buddy_zone(PMM_ZONE_NORMAL);
	assert_int_equal(z->watermark[PMM_WMARK_MIN], 32);
	assert_int_equal(z->watermark[PMM_WMARK_LOW], 40);
	assert_int_equal(z->watermark[PMM_WMARK_HIGH], 48);
}

static void test_tags(void **state)
{
	(void)state;
	assert_int_equal(buddy_setup_simple(1024), 0);
	uint64_t tag = 0x123456789abcdef0ull;
	struct pmm_page *p = pmm_alloc_pages_tagged(0, 0, 2, tag, NULL);
	assert_non_null(p);
	assert_int_equal(p->next, (uint32_t)tag);
	assert_int_equal(p->prev, (uint32_t)(tag >> 32));
	assert_true(p->info & PMM_PG_OWNER);
	struct pmm_page *q = pmm_alloc_pages(0, 2);
	assert_false(q->info & PMM_PG_OWNER);
	assert_int_equal(q->next, 0);
	buddy_assert_clean();
	assert_int_equal(pmm_free_pages(p, 2), 0);
	assert_int_equal(pmm_free_pages(q, 2), 0);
	buddy_assert_clean();
}

static void test_get_free_pages_addr(void **state)
{
	(void)state;
	assert_int_equal(buddy_setup_simple(1024), 0);
	pmm_phys_t a = pmm_get_free_pages(0, 4);
	assert_true(a != 0);
	assert_int_equal(a & ((16 * PMM_PAGE_SIZE) - 1), 0);
	pmm_phys_t b = pmm_get_free_page(0);
	assert_true(b != 0);
	assert_int_equal(pmm_nr_free_pages(), 1023 - 17);
	assert_int_equal(pmm_free_pages_addr(a, 4), 0);
	assert_int_equal(pmm_free_page_addr(b), 0);
	assert_int_equal(pmm_nr_free_pages(), 1023);
	assert_int_equal(pmm_free_page_addr(0), 0);
	assert_int_equal(pmm_free_page_addr(5), PMM_EINVAL);
	assert_int_equal(pmm_free_page_addr(PMM_PFN_PHYS(1024)), PMM_EINVAL);
	assert_int_equal(pmm_nr_free_pages(), 1023);
	assert_int_equal(pmm_get_free_pages(0, PMM_MAX_ORDER), 0);
	buddy_assert_clean();
}

static void test_zeroed(void **state)
{
	(void)state;
	assert_int_equal(buddy_setup_simple(1024), 0);
	pmm_phys_t a = pmm_get_free_pages(0, 2);
	unsigned char *mem = host_phys_ptr(a);
	assert_non_null(mem);
	memset(mem, 0xa5, 4 * PMM_PAGE_SIZE);
	assert_int_equal(pmm_free_pages_addr(a, 2), 0);
	pmm_phys_t b = pmm_get_free_pages(PMM_GFP_ZERO, 2);
	assert_int_equal(a, b);
	for (size_t i = 0; i < 4 * PMM_PAGE_SIZE; i++)
		assert_int_equal(mem[i], 0);
	memset(mem, 0x5a, PMM_PAGE_SIZE);
	assert_int_equal(pmm_free_pages_addr(b, 2), 0);
	pmm_phys_t c = pmm_get_zeroed_page(0);
	unsigned char *m2 = host_phys_ptr(c);
	for (size_t i = 0; i < PMM_PAGE_SIZE; i++)
		assert_int_equal(m2[i], 0);
	buddy_assert_clean();
}

/* Untouchable memory: PMM_GFP_ZERO still allocates (nothing to zero). */
static void test_zeroed_untouchable(void **state)
{
	(void)state;
	assert_int_equal(buddy_setup(&(struct buddy_setup_opts){
			 .max_pfn = 1024, .handoff = true,
			 .untouchable = true }), 0);
	assert_true(pmm_get_zeroed_page(0) != 0);
	assert_non_null(pmm_alloc_pages(PMM_GFP_ZERO, 3));
	buddy_assert_clean();
}

static void test_get_put_page(void **state)
{
	(void)state;
	assert_int_equal(buddy_setup_simple(1024), 0);
	struct pmm_page *p = pmm_alloc_pages(0, 3);
	assert_int_equal(pmm_get_page(p), 0);
	assert_int_equal(pmm_get_page(p), 0);
	assert_int_equal(pmm_page_refcount(p), 3);
	assert_int_equal(pmm_put_page(p), 0);
	assert_int_equal(pmm_free_pages(p, 3), 0);
	assert_int_equal(pmm_page_refcount(p), 1);
	assert_int_equal(pmm_nr_free_pages(), 1023 - 8);
	buddy_assert_clean();
	assert_int_equal(pmm_put_page(p), 0);
	assert_int_equal(pmm_nr_free_pages(), 1023);
	buddy_assert_clean();
	/* References on things that are not allocated heads. */
	assert_int_equal(pmm_get_page(p), PMM_EINVAL);
	assert_int_equal(pmm_get_page(NULL), PMM_EINVAL);
	assert_int_equal(pmm_get_page(pmm_pfn_to_page(0)), PMM_EINVAL);
	assert_int_equal(pmm_put_page(NULL), PMM_EINVAL);
	unsigned int before = host_report_count();
	assert_int_equal(pmm_put_page(p), PMM_EDOUBLEFREE);
	assert_int_equal(host_report_count(), before + 1);
	assert_int_equal(pmm_nr_free_pages(), 1023);
	buddy_assert_clean();
}

static void test_refcount_saturates(void **state)
{
	(void)state;
	assert_int_equal(buddy_setup_simple(64), 0);
	struct pmm_page *p = pmm_alloc_page(0);
	p->info = (p->info & ((1u << PMM_PG_REF_SHIFT) - 1)) |
		  (PMM_PG_REF_MAX << PMM_PG_REF_SHIFT);
	assert_int_equal(pmm_get_page(p), PMM_EBUSY);
	assert_int_equal(pmm_page_refcount(p), PMM_PG_REF_MAX);
	p->info = PMM_PG_ALLOC_HEAD | PMM_PG_REF_ONE;
	assert_int_equal(pmm_free_page(p), 0);
	buddy_assert_clean();
}

/*
 * Two nodes: node 0 [0, 512), node 1 [512, 1024). Node 1 is preferred when
 * asked; node 0 is tried next unless PMM_GFP_THISNODE.
 */
static void test_numa_nodes(void **state)
{
	(void)state;
	struct buddy_zone_spec zs[] = {
		{ 0, PMM_ZONE_NORMAL, 0, 512 },
		{ 1, PMM_ZONE_NORMAL, 512, 1024 },
	};
	assert_int_equal(buddy_setup(&(struct buddy_setup_opts){
			 .max_pfn = 1024, .zones = zs, .nr_zones = 2,
			 .handoff = true }), 0);
	struct pmm_page *p = pmm_alloc_pages_node(1, 0, 9);
	assert_int_equal(pfn_of(p), 512);
	assert_null(pmm_alloc_pages_tagged(1, PMM_GFP_THISNODE, 0, 0, NULL));
	p = pmm_alloc_pages_node(1, 0, 8);
	assert_int_equal(pfn_of(p), 256);
	p = pmm_alloc_pages(0, 7);
	assert_int_equal(pfn_of(p), 128);
	assert_ptr_equal(pmm_pfn_zone(600), &pmm_nodes[1].zones[PMM_ZONE_NORMAL]);
	buddy_assert_clean();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		BUDDY_CASE(test_handoff_blocks),
		BUDDY_CASE(test_alloc_exact_order),
		BUDDY_CASE(test_alloc_splits),
		BUDDY_CASE(test_coalesce_to_top),
		BUDDY_CASE(test_no_merge_across_zones),
		BUDDY_CASE(test_zone_fallback),
		BUDDY_CASE(test_highmem_only_when_asked),
		BUDDY_CASE(test_gfp_errors),
		BUDDY_CASE(test_watermark_min),
		BUDDY_CASE(test_watermark_setup),
		BUDDY_CASE(test_watermark_clamp_small),
		BUDDY_CASE(test_tags),
		BUDDY_CASE(test_get_free_pages_addr),
		BUDDY_CASE(test_zeroed),
		BUDDY_CASE(test_zeroed_untouchable),
		BUDDY_CASE(test_get_put_page),
		BUDDY_CASE(test_refcount_saturates),
		BUDDY_CASE(test_numa_nodes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
