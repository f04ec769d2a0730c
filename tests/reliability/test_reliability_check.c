/* SPDX-License-Identifier: MIT */
/*
 * test_reliability_check.c - pmm_check() finds every kind of corruption:
 * each case breaks one invariant of page.h / zone.h by hand and expects
 * the checker to name it. A checker that misses a corruption would let the
 * fuzzers and the differential runs pass over a broken allocator.
 * The last cases put a value exactly one past its limit (a pageblock type,
 * a pfn at the zone's end or at max_pfn, the drain list, the last pair
 * bit, an empty span): the boundaries mutation testing found (issue 17).
 *
 * Machine: Normal zone over pfns [0, 3000), descriptors for [0, 3400);
 * [2560, 3000) never handed off (reserved); per-CPU lists on; one order-2
 * block allocated (A) and one page freed onto CPU 0's list.
 *
 *   pfn 0                            2560        3000        3400
 *       |  free blocks, A, pcp page    |  reserved  | no zone   |
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include <pmm/buddy.h>
#include <pmm/check.h>

#include "buddy_fixture.h"

static struct pmm_zone *zone;
static struct pmm_page *blk_a;
static pmm_pfn_t pcp_pfn;

static int setup(void **state)
{
	(void)state;
	static const struct buddy_zone_spec z = { 0, PMM_ZONE_NORMAL, 0, 3000 };
	assert_int_equal(buddy_setup(&(struct buddy_setup_opts){
		.max_pfn = 3400, .zones = &z, .nr_zones = 1, .keep_pcp = true }), 0);
	uint64_t n = 0;
	assert_int_equal(pmm_buddy_handoff_range(1, 2560, &n), 0);
	zone = buddy_zone(PMM_ZONE_NORMAL);
	/* Movable, the boot type: the order-10 block at 1024 stays whole. */
	blk_a = pmm_alloc_pages(PMM_GFP_USER_MOVABLE, 2);
	struct pmm_page *p = pmm_alloc_page(PMM_GFP_USER_MOVABLE);
	assert_non_null(blk_a);
	assert_non_null(p);
	pcp_pfn = pmm_page_to_pfn(p);
	assert_int_equal(pmm_free_page(p), 0);
	assert_true(zone->pcp[0].count > 0);
	assert_null(pmm_check());
	return 0;
}

static void expect(const char *what)
{
	const char *msg = pmm_check();
	assert_non_null(msg);
	if (strstr(msg, what) == NULL)
		fail_msg("pmm_check said \"%s\", expected \"%s\"", msg, what);
}

/* Return: the first type with a free block of order @k (PMM_MT_TYPES: none). */
static unsigned int some_type(pmm_order_t k)
{
	unsigned int mt = 0;
	while (mt < PMM_MT_TYPES && zone->free_area[k].head[mt] == 0)
		mt++;
	return mt;
}

/* Return: the order of some non-empty free list (the lowest). */
static pmm_order_t some_order(void)
{
	for (pmm_order_t k = 0; k <= PMM_MAX_ORDER; k++)
		if (some_type(k) < PMM_MT_TYPES)
			return k;
	fail_msg("no free block");
	return 0;
}

/* The list head of some non-empty list of order @k. */
static uint32_t *head_of(pmm_order_t k)
{
	unsigned int mt = some_type(k);
	if (mt >= PMM_MT_TYPES)
		fail_msg("no free block of order %u", k);
	return &zone->free_area[k].head[mt < PMM_MT_TYPES ? mt : 0];
}

static struct pmm_page *free_head(pmm_order_t k)
{
	return &pmm_mem_map[*head_of(k) - 1];
}

static void pfn0_managed(void **s)
{
	(void)s;
	pmm_mem_map[0].info = PMM_PG_ALLOC_HEAD | PMM_PG_REF_ONE;
	expect("pfn 0 is managed");
}

static void free_head_with_refcount(void **s)
{
	(void)s;
	free_head(some_order())->info += PMM_PG_REF_ONE;
	expect("has refcount or owner");
}

static void lazy_head_at_top_order(void **s)
{
	(void)s;
	assert_true(some_type(PMM_MAX_ORDER) < PMM_MT_TYPES);
	free_head(PMM_MAX_ORDER)->info |= PMM_PG_LAZY;
	expect("lazy at the top order");
}

static void order_above_max(void **s)
{
	(void)s;
	pmm_mem_map[2560].info = PMM_PG_ALLOC_HEAD | PMM_PG_REF_ONE | 31u;
	expect("order 31 above");
}

static void head_not_aligned(void **s)
{
	(void)s;
	pmm_mem_map[2561].info = PMM_PG_ALLOC_HEAD | PMM_PG_REF_ONE | 1u;
	expect("not aligned");
}

static void block_past_zone_end(void **s)
{
	(void)s;
	pmm_mem_map[2560].info = PMM_PG_ALLOC_HEAD | PMM_PG_REF_ONE | 9u;
	expect("ends past zone end");
}

static void page_inside_block_not_blank(void **s)
{
	(void)s;
	blk_a[1].next = 7;
	expect("inside block");
}

static void allocated_refcount_zero(void **s)
{
	(void)s;
	blk_a->info &= ~(PMM_PG_REF_ONE * PMM_PG_REF_MAX);
	expect("refcount 0");
}

static void allocated_lazy(void **s)
{
	(void)s;
	blk_a->info |= PMM_PG_LAZY;
	expect("lazy flag");
}

static void pcp_page_bad_info(void **s)
{
	(void)s;
	pmm_mem_map[pcp_pfn].prev = 3;
	expect("per-CPU head");
}

static void descriptor_in_no_state(void **s)
{
	(void)s;
	pmm_mem_map[2564].info = PMM_PG_POISON;
	expect("in no state");
}

static void free_list_longer_than_count(void **s)
{
	(void)s;
	zone->free_area[some_order()].nr_free--;
	expect("more than nr_free");
}

static void free_list_outside_zone(void **s)
{
	(void)s;
	pmm_order_t k = some_order();
	free_head(k)->prev = 3051; /* keep the old head reachable: */
	pmm_mem_map[3050].next = *head_of(k);
	*head_of(k) = 3051;
	zone->free_area[k].nr_free++;
	expect("outside the zone");
}

static void free_list_entry_not_free_head(void **s)
{
	(void)s;
	pmm_order_t k = some_order();
	*head_of(k) = 2566;
	zone->free_area[k].nr_free++;
	expect("is not a free head");
}

static void free_list_prev_wrong(void **s)
{
	(void)s;
	free_head(some_order())->prev = 5;
	expect("expected 0");
}

static void free_count_differs(void **s)
{
	(void)s;
	zone->free_area[some_order()].nr_free++;
	expect("nr_free");
}

static void pcp_batch_above_high(void **s)
{
	(void)s;
	zone->pcp[1].batch = zone->pcp[1].high + 1;
	expect("above high");
}

static void pcp_list_longer_than_count(void **s)
{
	(void)s;
	zone->pcp[0].count--;
	expect("longer than count");
}

static void pcp_entry_not_pcp_page(void **s)
{
	(void)s;
	zone->pcp[3].head[PMM_MT_UNMOVABLE][0] = *head_of(some_order());
	zone->pcp[3].count = 1;
	expect("per-CPU list 0 entry");
}

static void pcp_count_differs(void **s)
{
	(void)s;
	zone->pcp[2].count = 5;
	expect("per-CPU count 5");
}

static void pcp_page_on_no_list(void **s)
{
	(void)s;
	pmm_mem_map[2569].info = PMM_PG_PCP;
	expect("per-CPU lists hold");
}

static void free_pages_counter_wrong(void **s)
{
	(void)s;
	zone->free_pages++;
	expect("free_pages");
}

static void managed_counter_wrong(void **s)
{
	(void)s;
	zone->managed++;
	expect("!= free");
}

static void managed_above_spanned(void **s)
{
	(void)s;
	zone->spanned = zone->managed - 1;
	expect("above spanned");
}

static void pair_bit_flipped(void **s)
{
	(void)s;
	zone->free_area[0].map[0] ^= 1;
	expect("pair bitmap order 0");
}

static void span_beyond_descriptors(void **s)
{
	(void)s;
	zone->end_pfn = 3500;
	expect("outside the descriptors");
	zone->end_pfn = 3000;
}

static void page_outside_zones_not_blank(void **s)
{
	(void)s;
	pmm_mem_map[3050].info = PMM_PG_ALLOC_HEAD;
	expect("in no zone not blank");
	assert_null(pmm_check_zone(NULL));
}

#define CASE(f) cmocka_unit_test_setup_teardown(f, setup, buddy_fix_teardown)

/* ---- boundaries (issue 17, docs/mutation.md): the first bad value ---- */

static void expect_fmt(const char *fmt, unsigned int a, unsigned int b)
{
	char want[96];
	snprintf(want, sizeof(want), fmt, a, b);
	expect(want);
}

static void pageblock_type_first_past_types(void **s)
{
	(void)s;
	zone->pageblock_mt[0] = PMM_MT_TYPES;
	expect_fmt("pageblock at pfn 0x0: type %u out of range", PMM_MT_TYPES, 0);
}

static void free_list_entry_at_zone_end(void **s)
{
	(void)s;
	pmm_order_t k = some_order();
	free_head(k)->prev = 3001; /* pfn 3000, the zone's end */
	pmm_mem_map[3000].next = *head_of(k);
	*head_of(k) = 3001;
	zone->free_area[k].nr_free++;
	expect("pfn 0xbb8 outside the zone");
}

static void pcp_entry_at_zone_end(void **s)
{
	(void)s;
	pmm_mem_map[3000].info = PMM_PG_PCP; /* looks like a per-CPU page */
	zone->pcp[3].head[PMM_MT_UNMOVABLE][0] = 3001;
	zone->pcp[3].count = 1;
	expect("per-CPU list 0 entry pfn 0xbb8 bad");
}

static void pcp_entry_at_max_pfn(void **s)
{
	(void)s;
	zone->pcp[3].head[PMM_MT_UNMOVABLE][0] = 3401; /* pfn 3400 = max_pfn */
	zone->pcp[3].count = 1;
	expect("per-CPU list 0 entry pfn 0xd48 bad (info 0x0)");
}

static void pcp_drain_list_first_past_last(void **s)
{
	(void)s;
	zone->pcp[1].drain_list = PMM_PCP_NR_LISTS;
	expect_fmt("cpu 1: drain list %u above %u", PMM_PCP_NR_LISTS,
		   PMM_PCP_NR_LISTS - 1);
}

/* Order 3 over [0, 3000): 188 pairs, the last one half past the zone. */
static void pair_bit_flipped_in_last_pair(void **s)
{
	(void)s;
	zone->free_area[3].map[187 / 64] ^= 1ull << (187 % 64);
	expect("pair bitmap order 3");
}

static void span_empty(void **s)
{
	(void)s;
	zone->end_pfn = zone->start_pfn;
	expect("outside the descriptors");
	zone->end_pfn = 3000;
}

/* A free head on no list: the message gives the walk's count, one more. */
static void free_head_on_no_list(void **s)
{
	(void)s;
	unsigned int listed = (unsigned int)zone->free_area[0].nr_free;
	pmm_mem_map[2600].info = PMM_PG_BUDDY; /* order 0, in the reserved part */
	char want[96];
	snprintf(want, sizeof(want), "order 0: nr_free %u, list holds %u, walk found %u",
		 listed, listed, listed + 1);
	expect(want);
}

/*
 * A zone starting inside a pageblock, [100, 1100): its pageblocks start at
 * 0, 512 and 1024, and the last one's type is checked too.
 */
static void pageblock_type_last_of_unaligned_zone(void **s)
{
	(void)s;
	static const struct buddy_zone_spec z = { 0, PMM_ZONE_NORMAL, 100, 1100 };
	buddy_teardown();
	assert_int_equal(buddy_setup(&(struct buddy_setup_opts){
		.max_pfn = 1100, .zones = &z, .nr_zones = 1, .handoff = true }), 0);
	zone = buddy_zone(PMM_ZONE_NORMAL);
	assert_null(pmm_check());
	zone->pageblock_mt[(1024 - zone->map_base) >> PMM_PAGEBLOCK_ORDER] = PMM_MT_TYPES;
	expect_fmt("pageblock at pfn 0x400: type %u out of range", PMM_MT_TYPES, 0);
}

/* A lazy head on the isolated list (type PMM_MT_TYPES, the first past). */
static void lazy_head_on_isolated_list(void **s)
{
	(void)s;
	pmm_order_t k = 0; /* an order below the top with a one-block list */
	while (k < PMM_MAX_ORDER &&
	       (some_type(k) >= PMM_MT_TYPES || free_head(k)->next != 0))
		k++;
	assert_true(k < PMM_MAX_ORDER);
	uint32_t *head = head_of(k);
	struct pmm_page *d = free_head(k);
	unsigned int t = some_type(k);
	zone->free_area[k].head[PMM_MT_ISOLATE] = *head;
	zone->free_area[k].tail[PMM_MT_ISOLATE] = zone->free_area[k].tail[t];
	*head = 0;
	zone->free_area[k].tail[t] = 0;
	d->info |= PMM_PG_LAZY;
	char want[64];
	snprintf(want, sizeof(want), "isolated or CMA free head 0x%llx order %u is lazy",
		 (unsigned long long)(d - pmm_mem_map), k);
	expect(want);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		CASE(pfn0_managed), CASE(free_head_with_refcount),
		CASE(lazy_head_at_top_order), CASE(order_above_max),
		CASE(head_not_aligned), CASE(block_past_zone_end),
		CASE(page_inside_block_not_blank), CASE(allocated_refcount_zero),
		CASE(allocated_lazy), CASE(pcp_page_bad_info),
		CASE(descriptor_in_no_state), CASE(free_list_longer_than_count),
		CASE(free_list_outside_zone), CASE(free_list_entry_not_free_head),
		CASE(free_list_prev_wrong), CASE(free_count_differs),
		CASE(pcp_batch_above_high), CASE(pcp_list_longer_than_count),
		CASE(pcp_entry_not_pcp_page), CASE(pcp_count_differs),
		CASE(pcp_page_on_no_list), CASE(free_pages_counter_wrong),
		CASE(managed_counter_wrong), CASE(managed_above_spanned),
		CASE(pair_bit_flipped), CASE(span_beyond_descriptors),
		CASE(page_outside_zones_not_blank),
		CASE(pageblock_type_first_past_types), CASE(free_list_entry_at_zone_end),
		CASE(pcp_entry_at_zone_end), CASE(pcp_entry_at_max_pfn),
		CASE(pcp_drain_list_first_past_last),
		CASE(pair_bit_flipped_in_last_pair), CASE(span_empty),
		CASE(free_head_on_no_list), CASE(pageblock_type_last_of_unaligned_zone),
		CASE(lazy_head_on_isolated_list),
	};
	return cmocka_run_group_tests_name("pmm_check finds corruption", tests, NULL, NULL);
}
