/* SPDX-License-Identifier: MIT */
/*
 * test_buddy_fast.c - the allocator's fast paths give the same answers as
 * the full zonelist walk: the cached first zone follows the hand-off, a
 * page popped from a per-CPU list is a clean allocated head, order 0
 * without per-CPU lists, and the free fast path's single comparison
 * leaves every other case (several references, tags, errors) to the full
 * checks.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pmm/debug.h>

#include "buddy_fixture.h"
#include "host_platform.h"

/*
 * Two zones, nothing handed over yet:
 *
 *   pfn 0        4096                     16384
 *       | DMA    | Normal                 |
 *
 * With only DMA's pages handed over, a GFP_KERNEL order-0 request is served
 * by DMA (Normal has no pages and is skipped) and fills DMA's per-CPU list.
 * Once Normal gets its pages, the same request must come from Normal,
 * although DMA's list still holds pages.
 */
static void test_fast_zone_follows_handoff(void **state)
{
	(void)state;
	static const struct buddy_zone_spec z[] = {
		{ 0, PMM_ZONE_DMA, 0, 4096 },
		{ 0, PMM_ZONE_NORMAL, 4096, 16384 },
	};
	assert_int_equal(buddy_setup(&(struct buddy_setup_opts){
			 .max_pfn = 16384, .zones = z, .nr_zones = 2,
			 .keep_pcp = true }), 0);
	assert_int_equal(pmm_pcp_set_high_batch(16, 8), 0);
	uint64_t freed = 0;
	assert_int_equal(pmm_buddy_handoff_range(1, 4096, &freed), 0);
	struct pmm_page *a = pmm_alloc_pages(PMM_GFP_KERNEL, 0);
	assert_non_null(a);
	assert_true(pmm_page_to_pfn(a) < 4096);
	assert_true(buddy_zone(PMM_ZONE_DMA)->pcp[0].count > 0);

	assert_int_equal(pmm_buddy_handoff_range(4096, 16384, &freed), 0);
	struct pmm_page *b = pmm_alloc_pages(PMM_GFP_KERNEL, 0);
	assert_non_null(b);
	assert_true(pmm_page_to_pfn(b) >= 4096);
	struct pmm_page *c = pmm_alloc_pages(PMM_GFP_KERNEL, 3);
	assert_non_null(c);
	assert_true(pmm_page_to_pfn(c) >= 4096);
	/* A DMA request still goes to DMA, through its own list. */
	struct pmm_page *d = pmm_alloc_pages(PMM_GFP_DMA, 0);
	assert_non_null(d);
	assert_true(pmm_page_to_pfn(d) < 4096);

	assert_int_equal(pmm_free_pages(a, 0), 0);
	assert_int_equal(pmm_free_pages(b, 0), 0);
	assert_int_equal(pmm_free_pages(c, 3), 0);
	assert_int_equal(pmm_free_pages(d, 0), 0);
	buddy_assert_clean();
}

/*
 * A list of several pages: the page popped first links to the next one,
 * yet the allocated head must carry no stale link - next/prev hold the
 * owner tag (0 here), info is head, refcount 1, order 0.
 */
static void test_pcp_pop_gives_clean_head(void **state)
{
	(void)state;
	buddy_fix_pcp(1024, 16, 8);
	struct pmm_page *p = pmm_alloc_pages(PMM_GFP_KERNEL, 0);
	assert_non_null(p);
	assert_int_equal(buddy_zone(PMM_ZONE_NORMAL)->pcp[0].count, 7);
	struct pmm_page *q = pmm_alloc_pages(PMM_GFP_KERNEL, 0);
	assert_non_null(q);
	assert_int_equal(q->next, 0);
	assert_int_equal(q->prev, 0);
	assert_int_equal(q->info, PMM_PG_ALLOC_HEAD | PMM_PG_REF_ONE);
	assert_int_equal(pmm_page_owner_tag(q), 0);
	buddy_assert_clean();
	assert_int_equal(pmm_free_pages(q, 0), 0);
	assert_int_equal(pmm_free_pages(p, 0), 0);
	buddy_assert_clean();
}

/* Per-CPU lists off: order 0 comes straight from the buddy lists. */
static void test_order0_without_pcp(void **state)
{
	(void)state;
	assert_int_equal(buddy_setup(&(struct buddy_setup_opts){
			 .max_pfn = 1024, .handoff = true, .keep_pcp = true }), 0);
	assert_int_equal(pmm_pcp_set_high_batch(0, 0), 0);
	struct pmm_zone *z = buddy_zone(PMM_ZONE_NORMAL);
	uint64_t before = z->free_pages;
	struct pmm_page *p = pmm_alloc_pages(PMM_GFP_KERNEL, 0);
	assert_non_null(p);
	assert_int_equal(z->free_pages, before - 1);
	assert_int_equal(z->pcp[0].count, 0);
	assert_int_equal(pmm_free_pages(p, 0), 0);
	assert_int_equal(z->free_pages, before);
	buddy_assert_clean();
}

/*
 * The free fast path takes only "head, this order, one reference": a block
 * with two references or an owner tag goes through the full checks and
 * still ends right, and a wrong order is still refused and reported.
 */
static void test_free_fast_path_edges(void **state)
{
	(void)state;
	assert_int_equal(buddy_setup(&(struct buddy_setup_opts){
			 .max_pfn = 1024, .handoff = true, .keep_pcp = true }), 0);
	struct pmm_page *p = pmm_alloc_pages(PMM_GFP_KERNEL, 0);
	assert_non_null(p);
	assert_int_equal(pmm_get_page(p), 0);
	assert_int_equal(pmm_free_pages(p, 0), 0);
	assert_true(pmm_page_is_alloc_head(p));
	assert_int_equal(pmm_page_refcount(p), 1);
	assert_int_equal(pmm_free_pages(p, 0), 0);
	assert_false(pmm_page_is_alloc_head(p));

	struct pmm_page *t = pmm_alloc_pages_tagged(PMM_NUMA_NO_NODE,
						    PMM_GFP_KERNEL, 2,
						    0x1234, NULL);
	assert_non_null(t);
	unsigned int reports = host_report_count();
	assert_int_equal(pmm_free_pages(t, 1), PMM_EWRONGORDER);
	assert_int_equal(host_report_count(), reports + 1);
	assert_int_equal(pmm_page_owner_tag(t), 0x1234);
	assert_int_equal(pmm_free_pages(t, 2), 0);
	assert_int_equal(pmm_free_pages(t, 2), PMM_EDOUBLEFREE);
	assert_int_equal(pmm_free_pages(pmm_mem_map - 1, 0), PMM_EINVAL);
	assert_int_equal(pmm_free_pages(
		(struct pmm_page *)(void *)((char *)p + 4), 0), PMM_EINVAL);
	assert_int_equal(pmm_free_pages(pmm_mem_map + pmm_max_pfn, 0),
			 PMM_EINVAL);
	buddy_assert_clean();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		BUDDY_CASE(test_fast_zone_follows_handoff),
		BUDDY_CASE(test_pcp_pop_gives_clean_head),
		BUDDY_CASE(test_order0_without_pcp),
		BUDDY_CASE(test_free_fast_path_edges),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
