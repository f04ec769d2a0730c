/* SPDX-License-Identifier: MIT */
/*
 * test_buddy_lazy.c - the lazy buddy (seed 7.3): frees sit uncoalesced,
 * marked PMM_PG_LAZY, until an allocation would split a larger block or
 * fail; switching lazy mode off coalesces everything.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "buddy_fixture.h"
#include "host_platform.h"

/* Normal [1024, 1024 + 1024 * @tops): @tops top-order blocks. */
static struct pmm_zone *setup_tops(unsigned int tops)
{
	struct buddy_zone_spec zs[] = {
		{ 0, PMM_ZONE_NORMAL, 1024, 1024 + 1024 * (pmm_pfn_t)tops },
	};
	assert_int_equal(buddy_setup(&(struct buddy_setup_opts){
			 .max_pfn = 1024 + 1024 * (pmm_pfn_t)tops, .zones = zs,
			 .nr_zones = 1, .handoff = true }), 0);
	return buddy_zone(PMM_ZONE_NORMAL);
}

static void test_switch(void **state)
{
	(void)state;
	setup_tops(1);
	assert_false(pmm_buddy_is_lazy());
	pmm_buddy_set_lazy(true);
	assert_true(pmm_buddy_is_lazy());
	pmm_buddy_set_lazy(false);
	assert_false(pmm_buddy_is_lazy());
	buddy_assert_clean();
}

/*
 * Two buddies 1024 and 1025 freed lazily stay two order-0 heads:
 *   |1024 L|1025 L|1026-1027 o1|1028-1031 o2|...
 */
static void test_free_stays_uncoalesced(void **state)
{
	(void)state;
	struct pmm_zone *z = setup_tops(1);
	struct pmm_page *a = pmm_alloc_page(0);
	struct pmm_page *b = pmm_alloc_page(0);
	assert_int_equal(pmm_page_to_pfn(a), 1024);
	assert_int_equal(pmm_page_to_pfn(b), 1025);
	pmm_buddy_set_lazy(true);
	assert_int_equal(pmm_free_page(a), 0);
	assert_int_equal(pmm_free_page(b), 0);
	assert_int_equal(z->free_area[0].nr_free, 2);
	assert_true(a->info & PMM_PG_LAZY);
	assert_true(b->info & PMM_PG_LAZY);
	assert_int_equal(z->free_pages, 1024);
	buddy_assert_clean();
	/* A lazy head is still free: freeing it again is a double free. */
	assert_int_equal(pmm_free_page(a), PMM_EDOUBLEFREE);
	/* An order-0 request takes a lazy page as it is (LIFO: 1025). */
	struct pmm_page *c = pmm_alloc_page(0);
	assert_ptr_equal(c, b);
	assert_int_equal(c->info, PMM_PG_ALLOC_HEAD | PMM_PG_REF_ONE);
	assert_int_equal(pmm_free_page(c), 0);
	/* Switching off coalesces back into the single top block. */
	pmm_buddy_set_lazy(false);
	assert_int_equal(z->free_area[PMM_MAX_ORDER].nr_free, 1);
	assert_int_equal(z->free_area[0].nr_free, 0);
	assert_false(pmm_pfn_to_page(1024)->info & PMM_PG_LAZY);
	buddy_assert_clean();
}

/*
 * Two top blocks A = [1024, 2048), B = [2048, 3072). A is cut into 512
 * order-1 blocks, all allocated; B stays whole. Freeing 1024 and 1026
 * lazily and asking for order 2 must coalesce them rather than split B:
 *   before: |1024 L o1|1026 L o1|1028..2047 allocated|B o10|
 *   after:  |1024-1027 allocated o2|...|B o10|
 */
static void test_coalesce_instead_of_split(void **state)
{
	(void)state;
	struct pmm_zone *z = setup_tops(2);
	static struct pmm_page *pg[512];
	pmm_buddy_set_lazy(true);
	for (int i = 0; i < 512; i++) {
		pg[i] = pmm_alloc_pages(0, 1);
		assert_non_null(pg[i]);
	}
	/* The allocations split one top block; which one is free? */
	pmm_pfn_t base = pmm_page_to_pfn(pg[0]) & ~(pmm_pfn_t)1023;
	for (int i = 0; i < 512; i++)
		assert_int_equal(pmm_page_to_pfn(pg[i]) & ~(pmm_pfn_t)1023, base);
	pmm_pfn_t other = base == 1024 ? 2048 : 1024;
	assert_int_equal(z->free_area[PMM_MAX_ORDER].nr_free, 1);
	struct pmm_page *h0 = pmm_pfn_to_page(base);
	struct pmm_page *h1 = pmm_pfn_to_page(base + 2);
	for (int i = 0; i < 512; i++)
		if (pg[i] == h0 || pg[i] == h1)
			assert_int_equal(pmm_free_pages(pg[i], 1), 0);
	assert_int_equal(z->free_area[1].nr_free, 2);
	buddy_assert_clean();
	struct pmm_page *q = pmm_alloc_pages(0, 2);
	assert_ptr_equal(q, h0);
	assert_int_equal(z->free_area[PMM_MAX_ORDER].nr_free, 1);
	assert_true(pmm_page_is_free_head(pmm_pfn_to_page(other)));
	assert_int_equal(z->free_area[1].nr_free, 0);
	buddy_assert_clean();
}

/*
 * One top block, all 1024 pages allocated singly and freed lazily: 1024
 * lazy heads on list 0. Larger requests coalesce them.
 */
static void test_coalesce_when_failing(void **state)
{
	(void)state;
	struct pmm_zone *z = setup_tops(1);
	static struct pmm_page *pg[1024];
	for (int i = 0; i < 1024; i++)
		pg[i] = pmm_alloc_page(0);
	pmm_buddy_set_lazy(true);
	for (int i = 0; i < 1024; i++) {
		int j = (i * 611) % 1024;
		assert_int_equal(pmm_free_page(pg[j]), 0);
	}
	assert_int_equal(z->free_area[0].nr_free, 1024);
	buddy_assert_clean();
	/*
	 * Keep one page (the last freed, pfn 1024 + 413): an order-9 request
	 * finds list 9 empty and coalesces everything first, so it gets the
	 * half without that page and no order-0 block is split:
	 *   |1024 .. 1437 kept .. 1535 orders 0-8|1536-2047 allocated o9|
	 */
	struct pmm_page *one = pmm_alloc_page(0);
	assert_int_equal(pmm_page_to_pfn(one), 1024 + 413);
	struct pmm_page *half = pmm_alloc_pages(0, PMM_MAX_ORDER - 1);
	assert_non_null(half);
	assert_int_equal(pmm_page_to_pfn(half), 1536);
	for (int k = 0; k < PMM_MAX_ORDER - 1; k++)
		assert_int_equal(z->free_area[k].nr_free, 1);
	assert_int_equal(z->free_area[PMM_MAX_ORDER - 1].nr_free, 0);
	buddy_assert_clean();
	/* Freed lazily, both sit apart until the order-10 request. */
	assert_int_equal(pmm_free_page(one), 0);
	assert_int_equal(pmm_free_pages(half, PMM_MAX_ORDER - 1), 0);
	assert_int_equal(z->free_area[0].nr_free, 2);
	buddy_assert_clean();
	struct pmm_page *top = pmm_alloc_pages(0, PMM_MAX_ORDER);
	assert_non_null(top);
	assert_int_equal(pmm_page_to_pfn(top), 1024);
	assert_int_equal(z->free_pages, 0);
	buddy_assert_clean();
	assert_int_equal(pmm_free_pages(top, PMM_MAX_ORDER), 0);
	assert_int_equal(z->free_area[PMM_MAX_ORDER].nr_free, 1);
	assert_false(top->info & PMM_PG_LAZY);
	buddy_assert_clean();
}

/* Lazy mode with per-CPU lists: drains go to the lists lazily too. */
static void test_lazy_with_pcp(void **state)
{
	(void)state;
	struct pmm_zone *z = setup_tops(1);
	pmm_buddy_set_lazy(true);
	assert_int_equal(pmm_pcp_set_high_batch(4, 2), 0);
	static struct pmm_page *pg[64];
	for (int i = 0; i < 64; i++)
		pg[i] = pmm_alloc_page(0);
	for (int i = 0; i < 64; i++)
		assert_int_equal(pmm_free_page(pg[i]), 0);
	buddy_assert_clean();
	pmm_pcp_drain_all();
	pmm_buddy_set_lazy(false);
	assert_int_equal(z->free_area[PMM_MAX_ORDER].nr_free, 1);
	buddy_assert_clean();
}

/* Free @pg[0..@n) of @order but @h0 and @h1 (given back already). */
static void free_others(struct pmm_page **pg, int n, pmm_order_t order,
			const struct pmm_page *h0, const struct pmm_page *h1)
{
	for (int i = 0; i < n; i++)
		if (pg[i] != h0 && pg[i] != h1)
			assert_int_equal(pmm_free_pages(pg[i], order), 0);
}

/*
 * Fill [1024, 2048) with @n blocks of @order (@gfp), switch lazy mode on
 * and free the buddies at 1024 and 1024 + 2^@order: two lazy heads.
 */
static void lazy_pair(struct pmm_page **pg, int n, unsigned int gfp,
		      pmm_order_t order, struct pmm_page **h0, struct pmm_page **h1)
{
	for (int i = 0; i < n; i++) {
		pg[i] = pmm_alloc_pages(gfp, order);
		assert_non_null(pg[i]);
	}
	pmm_buddy_set_lazy(true);
	*h0 = pmm_pfn_to_page(1024);
	*h1 = pmm_pfn_to_page(1024 + ((pmm_pfn_t)1 << order));
	assert_int_equal(pmm_free_pages(*h0, order), 0);
	assert_int_equal(pmm_free_pages(*h1, order), 0);
}

/*
 * An order-1 request with list 1 empty coalesces lazy heads below order 1
 * only: two lazy order-2 buddies stay apart, and the last freed is split.
 *   before: |1024 L o2|1028 L o2|1032..2047 allocated o2|
 *   after:  |1024 L o2|1028 o1 allocated|1030 o1|...
 */
static void test_settle_stops_below_request(void **state)
{
	(void)state;
	struct pmm_zone *z = setup_tops(1);
	static struct pmm_page *pg[256];
	struct pmm_page *h0, *h1;
	lazy_pair(pg, 256, 0, 2, &h0, &h1);
	assert_int_equal(z->lazy.nr[2], 2);
	struct pmm_page *q = pmm_alloc_pages(0, 1);
	assert_ptr_equal(q, h1);
	assert_true(pmm_page_is_free_head(h0) && pmm_page_order(h0) == 2);
	assert_int_equal(z->lazy.nr[2], 1);
	buddy_assert_clean();
	assert_int_equal(pmm_free_pages(q, 1), 0);
	free_others(pg, 256, 2, h0, h1);
	pmm_buddy_set_lazy(false);
	assert_int_equal(z->free_area[PMM_MAX_ORDER].nr_free, 1);
	buddy_assert_clean();
}

/*
 * Lazy heads of the request's own order on another type's list are not
 * coalesced: an unmovable order-1 request (its list empty) borrows the
 * movable lazy head freed last, and its buddy stays lazy.
 *   before: |1024 L o1 M|1026 L o1 M|1028..2047 allocated o1 M|
 */
static void test_settle_leaves_request_order(void **state)
{
	(void)state;
	struct pmm_zone *z = setup_tops(1);
	static struct pmm_page *pg[512];
	struct pmm_page *h0, *h1;
	lazy_pair(pg, 512, PMM_GFP_MOVABLE, 1, &h0, &h1);
	assert_int_equal(z->lazy.nr[1], 2);
	struct pmm_page *q = pmm_alloc_pages(0, 1);
	assert_ptr_equal(q, h1);
	assert_int_equal(z->lazy.nr[1], 1);
	buddy_assert_clean();
	assert_int_equal(pmm_free_pages(q, 1), 0);
	free_others(pg, 512, 1, h0, h1);
	pmm_buddy_set_lazy(false);
	buddy_assert_clean();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		BUDDY_CASE(test_switch),
		BUDDY_CASE(test_free_stays_uncoalesced),
		BUDDY_CASE(test_coalesce_instead_of_split),
		BUDDY_CASE(test_coalesce_when_failing),
		BUDDY_CASE(test_lazy_with_pcp),
		BUDDY_CASE(test_settle_stops_below_request),
		BUDDY_CASE(test_settle_leaves_request_order),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
