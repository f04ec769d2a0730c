/* SPDX-License-Identifier: MIT */
/*
 * test_buddy_cma.c - CMA regions (pmm_cma_declare(), pmm_cma_alloc()):
 * only movable requests borrow them, one page at a time and only while the
 * free memory outside can take back what is lent; a CMA allocation moves
 * borrowed pages through the migrate hook over the owner model of
 * tests/support/hotplug_setup.c, to pages outside the region, and without the hook (or with a
 * page that will not move) it fails with every page where it was.
 * pmm_check() proves the CMA invariants at each step.
 *
 * Machine (buddy_fix_setup_dma_normal), per-CPU lists off, pageblocks of
 * 512 pages; the region is [8192, 10240), four pageblocks:
 *   pfn 0      4096        8192     10240          16384
 *      | DMA   |  Normal   |## CMA ##|   Normal     |
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pmm/contig.h>
#include <pmm/zone.h>

#include "buddy_fixture.h"
#include "hotplug_setup.h"

#define CMA_BASE 8192
#define CMA_PAGES 2048
#define MAX_HELD 64

static bool in_cma(pmm_pfn_t pfn)
{
	return pfn >= CMA_BASE && pfn < CMA_BASE + CMA_PAGES;
}

static int declare(void)
{
	int id = -1;
	assert_int_equal(pmm_cma_declare(CMA_BASE, CMA_PAGES, "test-cma", &id), 0);
	return id;
}

static uint64_t cma_free(int id)
{
	struct pmm_cma_info info;
	assert_int_equal(pmm_cma_info(id, &info), 0);
	return info.free;
}

/* Unmovable blocks holding everything outside the region. */
static struct pmm_page *held[MAX_HELD * 8];
static unsigned int nheld;

static void fill_outside(void)
{
	nheld = 0;
	for (int k = PMM_MAX_ORDER; k >= 0; k--) {
		struct pmm_page *p;
		while (nheld < MAX_HELD * 8 &&
		       (p = pmm_alloc_pages(PMM_GFP_KERNEL, (pmm_order_t)k)) != NULL) {
			assert_false(in_cma(pmm_page_to_pfn(p)));
			held[nheld++] = p;
		}
	}
}

static struct pmm_zone *normal(void)
{
	return &pmm_nodes[0].zones[PMM_ZONE_NORMAL];
}

/* Pages free outside the region (the bound lending is held to). */
static uint64_t free_outside(void)
{
	return normal()->free_pages - normal()->cma_free;
}

/* Give back held blocks, smallest first, until @pages are free outside. */
static void unfill_outside(uint64_t pages)
{
	while (nheld != 0 && free_outside() < pages) {
		struct pmm_page *p = held[--nheld];
		assert_int_equal(pmm_free_pages(p, pmm_page_order(p)), 0);
	}
	assert_true(free_outside() >= pages);
}

static void free_held(void)
{
	while (nheld != 0) {
		struct pmm_page *p = held[--nheld];
		assert_int_equal(pmm_free_pages(p, pmm_page_order(p)), 0);
	}
}

/* The region's free blocks are on the CMA lists; unmovable requests never
 * take them, movable ones borrow them when their own are gone. */
static void cma_declare_and_borrow(void **state)
{
	(void)state;
	int id = declare();
	assert_int_equal(pmm_cma_count(), 1);
	assert_int_equal(cma_free(id), CMA_PAGES);
	buddy_assert_clean();
	fill_outside();
	assert_int_equal(cma_free(id), CMA_PAGES);
	unfill_outside(normal()->watermark[PMM_WMARK_MIN] + 1);
	struct pmm_page *m = pmm_alloc_pages(PMM_GFP_USER_MOVABLE, 0);
	assert_non_null(m);
	assert_true(in_cma(pmm_page_to_pfn(m)));
	assert_int_equal(cma_free(id), CMA_PAGES - 1);
	buddy_assert_clean();
	assert_int_equal(pmm_free_pages(m, 0), 0);
	assert_int_equal(cma_free(id), CMA_PAGES);
	free_held();
	buddy_assert_clean();
}

/* A free region serves any count, aligned; the release gives it back. */
static void cma_alloc_free_region(void **state)
{
	(void)state;
	int id = declare();
	struct pmm_page *p = pmm_cma_alloc(id, 1000, 4);
	assert_non_null(p);
	pmm_pfn_t s = pmm_page_to_pfn(p);
	assert_true(in_cma(s) && in_cma(s + 999));
	assert_int_equal(s & 15, 0);
	assert_int_equal(cma_free(id), CMA_PAGES - 1000);
	buddy_assert_clean();
	assert_int_equal(pmm_cma_release(id, p, 1000), 0);
	assert_int_equal(cma_free(id), CMA_PAGES);
	struct pmm_page *all = pmm_cma_alloc(id, CMA_PAGES, 0);
	assert_non_null(all);
	assert_int_equal(pmm_page_to_pfn(all), CMA_BASE);
	assert_int_equal(pmm_cma_release(id, all, CMA_PAGES), 0);
	buddy_assert_clean();
}

/* @n movable pages, each borrowed from the region, into the owner model. */
static void borrow_pages(unsigned int n)
{
	hotplug_owner_reset();
	for (unsigned int i = 0; i < n; i++) {
		pmm_pfn_t pfn = hotplug_owner_alloc(PMM_GFP_USER_MOVABLE);
		assert_true(pfn != 0);
		assert_true(in_cma(pfn));
	}
}

/* Borrow 40 pages of the region with movable requests: outside, room for
 * them and the min watermark. */
static void borrow_region(void)
{
	fill_outside();
	unfill_outside(normal()->watermark[PMM_WMARK_MIN] + 40);
	borrow_pages(40);
}

static void release_owned(void)
{
	hotplug_owner_free_all();
}

/*
 * Lending stops where the free pages outside would no longer hold what is
 * lent plus the min watermark; it lends no block above order 0, nothing
 * with grouping off, and pmm_cma_info() counts what is lent.
 */
static void cma_lend_bounded(void **state)
{
	(void)state;
	int id = declare();
	fill_outside();
	uint64_t min = normal()->watermark[PMM_WMARK_MIN];
	unfill_outside(min + 8);
	uint64_t room = free_outside() - min;
	unsigned int lent = 0;
	struct pmm_page *m;
	static pmm_pfn_t got[CMA_PAGES * 4];
	unsigned int ngot = 0;
	for (;;) {
		uint64_t outside = free_outside();
		if ((m = pmm_alloc_pages(PMM_GFP_USER_MOVABLE, 0)) == NULL)
			break;
		assert_true(ngot < CMA_PAGES * 4);
		got[ngot++] = pmm_page_to_pfn(m);
		if (!in_cma(pmm_page_to_pfn(m)))
			continue;
		assert_true(outside >= lent + 1 + min);
		lent++;
	}
	assert_true(lent >= 1 && lent <= room);
	struct pmm_cma_info info;
	assert_int_equal(pmm_cma_info(id, &info), 0);
	assert_int_equal(info.zone_used, lent);
	buddy_assert_clean();
	while (ngot != 0)
		assert_int_equal(pmm_free_pages(pmm_pfn_to_page(got[--ngot]), 0), 0);
	unfill_outside(min + 64);
	struct pmm_page *big = pmm_alloc_pages(PMM_GFP_USER_MOVABLE, 1);
	if (big != NULL) {
		assert_false(in_cma(pmm_page_to_pfn(big)));
		assert_int_equal(pmm_free_pages(big, 1), 0);
	}
	pmm_buddy_set_grouping(false);
	while (ngot < CMA_PAGES * 4 &&
	       (m = pmm_alloc_pages(PMM_GFP_KERNEL, 0)) != NULL)
		got[ngot++] = pmm_page_to_pfn(m);
	assert_null(m);
	assert_int_equal(cma_free(id), CMA_PAGES);
	pmm_buddy_set_grouping(true);
	while (ngot != 0)
		assert_int_equal(pmm_free_pages(pmm_pfn_to_page(got[--ngot]), 0), 0);
	free_held();
	buddy_assert_clean();
}

/* The whole region while movable pages borrow it: the hook moves them. */
static void cma_alloc_migrates(void **state)
{
	(void)state;
	int id = declare();
	borrow_region();
	hotplug_hook(true, false);
	struct pmm_page *p = pmm_cma_alloc(id, CMA_PAGES, 0);
	assert_non_null(p);
	assert_int_equal(pmm_page_to_pfn(p), CMA_BASE);
	assert_int_equal(hotplug_moves(), 40);
	for (unsigned int i = 0; i < hotplug_owner_count(); i++)
		assert_false(in_cma(hotplug_owner_pfn(i)));
	struct pmm_cma_info info;
	assert_int_equal(pmm_cma_info(id, &info), 0);
	assert_int_equal(info.zone_used, CMA_PAGES);
	buddy_assert_clean();
	assert_int_equal(pmm_cma_release(id, p, CMA_PAGES), 0);
	release_owned();
	free_held();
	assert_int_equal(cma_free(id), CMA_PAGES);
	buddy_assert_clean();
	hotplug_hook(false, false);
}

/*
 * A small run over borrowed pages while the zone could lend more (200
 * pages free outside: more than what is lent plus the isolated pageblock,
 * far fewer than the region's free ones, so movable requests take CMA
 * first): the hook's new pages land outside the region, not elsewhere in
 * it. The 40 pages come from the low end of one order-10 half of the
 * region; one page at the start of each pageblock before it is held, so
 * that the candidate is the borrowed one.
 */
static void cma_alloc_targets_outside(void **state)
{
	(void)state;
	struct pmm_page *pin[4];
	unsigned int npin = 0;
	int id = declare();
	fill_outside();
	unfill_outside(normal()->watermark[PMM_WMARK_MIN] + 200);
	borrow_pages(40);
	pmm_pfn_t half = hotplug_owner_pfn(0) < CMA_BASE + 1024 ? CMA_BASE : CMA_BASE + 1024;
	for (unsigned int i = 0; i < hotplug_owner_count(); i++)
		assert_int_equal(hotplug_owner_pfn(i), half + i);
	for (pmm_pfn_t pb = CMA_BASE; pb < half; pb += PMM_PAGEBLOCK_PAGES) {
		assert_non_null(pin[npin] = pmm_cma_alloc(id, 1, PMM_PAGEBLOCK_ORDER));
		assert_int_equal(pmm_page_to_pfn(pin[npin++]), pb);
	}
	hotplug_hook(true, false);
	struct pmm_page *p = pmm_cma_alloc(id, 16, PMM_PAGEBLOCK_ORDER);
	assert_non_null(p);
	assert_int_equal(pmm_page_to_pfn(p), half);
	assert_int_equal(hotplug_moves(), 16);
	for (unsigned int i = 0; i < 16; i++)
		assert_false(in_cma(hotplug_owner_pfn(i)));
	buddy_assert_clean();
	assert_int_equal(pmm_cma_release(id, p, 16), 0);
	/* once it is done, the zone lends again */
	struct pmm_page *m = pmm_alloc_pages(PMM_GFP_USER_MOVABLE, 0);
	assert_non_null(m);
	assert_true(in_cma(pmm_page_to_pfn(m)));
	assert_int_equal(pmm_free_pages(m, 0), 0);
	while (npin != 0)
		assert_int_equal(pmm_cma_release(id, pin[--npin], 1), 0);
	release_owned();
	free_held();
	buddy_assert_clean();
	hotplug_hook(false, false);
}

/* No hook, or an owner that will not move: the allocation fails, the
 * borrowed pages stay, every free page is back on the CMA lists; a run
 * that avoids them still succeeds. */
static void cma_alloc_fails_cleanly(void **state)
{
	(void)state;
	int id = declare();
	borrow_region();
	uint64_t free_before = cma_free(id);
	int err = 0;
	assert_null(pmm_cma_alloc_err(id, CMA_PAGES, 0, &err));
	assert_int_equal(err, PMM_ENOMEM);
	assert_int_equal(cma_free(id), free_before);
	assert_false(pmm_range_is_isolated(CMA_BASE, 1));
	buddy_assert_clean();
	hotplug_hook(true, true);
	assert_null(pmm_cma_alloc(id, CMA_PAGES, 0));
	assert_int_equal(cma_free(id), free_before);
	buddy_assert_clean();
	struct pmm_page *p = pmm_cma_alloc(id, 1024, 10);
	assert_non_null(p);
	pmm_pfn_t s = pmm_page_to_pfn(p);
	assert_true(s == CMA_BASE || s == CMA_BASE + 1024);
	for (unsigned int i = 0; i < hotplug_owner_count(); i++)
		assert_false(hotplug_owner_pfn(i) >= s && hotplug_owner_pfn(i) < s + 1024);
	assert_int_equal(pmm_cma_release(id, p, 1024), 0);
	for (unsigned int i = 0; i < hotplug_owner_count(); i++)
		assert_true(in_cma(hotplug_owner_pfn(i)));
	release_owned();
	free_held();
	buddy_assert_clean();
	hotplug_hook(false, false);
}

/* Isolation over a CMA pageblock and its release keep it CMA. */
static void cma_isolate_keeps_type(void **state)
{
	(void)state;
	int id = declare();
	assert_int_equal(pmm_isolate_range(CMA_BASE, 512), 0);
	assert_int_equal(cma_free(id), CMA_PAGES);
	buddy_assert_clean();
	assert_int_equal(pmm_undo_isolate_range(CMA_BASE, 512), 0);
	buddy_assert_clean();
	int err = 0;
	assert_null(pmm_alloc_contig_err(16, PMM_GFP_KERNEL,
					 PMM_PFN_PHYS(CMA_BASE),
					 PMM_PFN_PHYS(CMA_BASE + CMA_PAGES),
					 PMM_PAGE_SIZE, 0, &err));
	assert_int_equal(err, PMM_ENOMEM);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		BUDDY_CASE_DMA_NORMAL(cma_declare_and_borrow),
		BUDDY_CASE_DMA_NORMAL(cma_alloc_free_region),
		BUDDY_CASE_DMA_NORMAL(cma_alloc_migrates),
		BUDDY_CASE_DMA_NORMAL(cma_alloc_targets_outside),
		BUDDY_CASE_DMA_NORMAL(cma_alloc_fails_cleanly),
		BUDDY_CASE_DMA_NORMAL(cma_lend_bounded),
		BUDDY_CASE_DMA_NORMAL(cma_isolate_keeps_type),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
