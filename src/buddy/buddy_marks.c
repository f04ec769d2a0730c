/* SPDX-License-Identifier: MIT */
/*
 * buddy_marks.c - the two marks a free head may carry (pmm/elastic.h):
 * PMM_PG_REPORTED, its memory handed to the hypervisor by free page
 * reporting, and PMM_PG_ZERO, its memory known to read zero.
 *
 * The fast paths never see a mark: a marked head is not a plain free
 * head (info != PMM_PG_BUDDY | k), so the take and merge of the core
 * (buddy_internal.h) send it here, on the branch they already have for
 * lazy heads. What happens to a marked block:
 *   taken (allocation, per-CPU refill, fallback): a reported block is
 *     reclaimed from the hypervisor first (reclaim_reported); the halves
 *     a split lists again keep the zero mark (at the tail of their lists);
 *   merged with a freed buddy: the mark is dropped (a reported buddy is
 *     reclaimed); pmm_buddy_put_zero_locked() keeps it when every part
 *     merged is zero;
 *   carved (contiguous allocation): as taken, the pieces listed again
 *     keep the zero mark.
 * Marked blocks go to the tail of their list (pmm_buddy_mark_locked()),
 * plain ones to the head, so a zeroed request finds a known-zero block in
 * O(1) per order at the tails (pmm_buddy_take_zero_locked()) and plain
 * requests take plain blocks first.
 *
 * Counts: zone->marks (pmm/zone.h), proven by pmm_check(). Locking: the
 * zone lock, held by every caller.
 */
#include "buddy_internal.h"

/* Count the mark @mark of a free head of order @k in (@sign 1) or out (-1). */
static void marks_count_locked(struct pmm_zone *zone, pmm_order_t k,
			       uint32_t mark, int sign)
{
	struct pmm_zone_marks *m = &zone->marks;
	uint64_t pages = pmm_order_pages(k);
	PMM_ASSERT_LOCKED(&zone->lock);
	if (mark == PMM_PG_ZERO) {
		m->zero_pages = sign > 0 ? m->zero_pages + pages
					 : m->zero_pages - pages;
		return;
	}
	m->reported_nr[k] = sign > 0 ? m->reported_nr[k] + 1
				     : m->reported_nr[k] - 1;
	m->reported_pages = sign > 0 ? m->reported_pages + pages
				     : m->reported_pages - pages;
}

/* Ask the hypervisor for the reported block @pfn of order @k back. */
static void reclaim_locked(struct pmm_zone *zone, pmm_pfn_t pfn, pmm_order_t k)
{
	const struct pmm_platform *p = pmm_platform_get();
	PMM_ASSERT_LOCKED(&zone->lock);
	if (p->reclaim_reported != NULL)
		p->reclaim_reported(p->ctx, pfn, k);
	zone->marks.reclaimed_pages += pmm_order_pages(k);
}

/**
 * pmm_buddy_unmark_locked - drop the mark of the free head @pfn of order
 * @k (still listed or just unlinked): counted out, a reported block
 * reclaimed from the hypervisor first.
 * Return: PMM_PG_ZERO when the block's memory is known zero now (it was
 * marked so, or came back from the hypervisor and the platform says such
 * memory reads zero), else 0. Zone lock held.
 */
uint32_t pmm_buddy_unmark_locked(struct pmm_zone *zone, pmm_pfn_t pfn,
				 pmm_order_t k)
{
	struct pmm_page *page = &pmm_mem_map[pfn];
	uint32_t mark = page->info & PMM_PG_MARKS;
	PMM_ASSERT_LOCKED(&zone->lock);
	if (mark == 0)
		return 0;
	page->info &= ~PMM_PG_MARKS;
	marks_count_locked(zone, k, mark, -1);
	if (mark == PMM_PG_ZERO)
		return PMM_PG_ZERO;
	reclaim_locked(zone, pfn, k);
	return pmm_platform_get()->reported_reads_zero ? PMM_PG_ZERO : 0u;
}

/**
 * pmm_buddy_mark_locked - give the plain free head @pfn of order @k on
 * list @mt the mark @mark (PMM_PG_ZERO or PMM_PG_REPORTED) and move it
 * to the tail of its list. Zone lock held.
 */
void pmm_buddy_mark_locked(struct pmm_zone *zone, pmm_pfn_t pfn, pmm_order_t k,
			   unsigned int mt, uint32_t mark)
{
	struct pmm_page *page = &pmm_mem_map[pfn];
	PMM_ASSERT_LOCKED(&zone->lock);
	PMM_ASSERT(page->info == (PMM_PG_BUDDY | k) &&
			   (mark == PMM_PG_ZERO || mark == PMM_PG_REPORTED),
		   "pfn 0x%llx info 0x%x order %u: mark 0x%x", ULL(pfn),
		   page->info, k, mark);
	pmm_list_del_locked(zone, k, mt, page);
	pmm_list_add_tail_locked(zone, k, mt, pfn);
	page->info |= mark;
	marks_count_locked(zone, k, mark, 1);
}

/**
 * pmm_buddy_list_piece_locked - list the block @pfn of order @k (head
 * blank) on list @mt as a free head carrying @zero (PMM_PG_ZERO or 0):
 * at the tail when marked, at the head when plain. The pair bit is the
 * caller's. Zone lock held.
 */
void pmm_buddy_list_piece_locked(struct pmm_zone *zone, pmm_pfn_t pfn,
				 pmm_order_t k, unsigned int mt, uint32_t zero)
{
	PMM_ASSERT_LOCKED(&zone->lock);
	pmm_mem_map[pfn].info = PMM_PG_BUDDY | k;
	if (zero == 0) {
		pmm_list_add_locked(zone, k, mt, pfn);
		return;
	}
	pmm_list_add_tail_locked(zone, k, mt, pfn);
	pmm_mem_map[pfn].info |= PMM_PG_ZERO;
	marks_count_locked(zone, k, PMM_PG_ZERO, 1);
}

__attribute__((cold)) void pmm_buddy_take_odd_locked(struct pmm_zone *zone,
						     pmm_pfn_t head,
						     pmm_order_t k,
						     unsigned int mt,
						     pmm_order_t order)
{
	struct pmm_page *page = &pmm_mem_map[head];
	PMM_ASSERT_LOCKED(&zone->lock);
	PMM_ASSERT(info_is_free_head(page->info, k),
		   "pfn 0x%llx on free list %u: info 0x%x", ULL(head), k,
		   page->info);
	if (page->info & PMM_PG_LAZY)
		pmm_buddy_lazy_forget_locked(zone, k);
	uint32_t zero = pmm_buddy_unmark_locked(zone, head, k);
	zone->marks.took_zero = zero != 0;
	pmm_list_del_locked(zone, k, mt, page);
	pmm_page_clear(page);
	if (k < PMM_MAX_ORDER)
		pmm_pair_toggle(zone, k, head);
	while (k > order) {
		k--;
		pmm_pfn_t half = head + pmm_order_pages(k);
		pmm_buddy_list_piece_locked(zone, half, k, mt, zero);
		pmm_pair_toggle(zone, k, half);
	}
	zone_free_sub_locked(zone, pmm_order_pages(order));
	buddy_validate_due_locked(zone);
}

/**
 * pmm_buddy_take_zero_locked - take 2^@order pages known to read zero:
 * the smallest order >= @order whose list of type @mt ends in a
 * known-zero head (or a reported one, when the platform says reclaimed
 * memory reads zero), split as any take; free_pages drops.
 * Return: true and *@pfn (head blank), false when no list ends so.
 * Zone lock held.
 */
bool pmm_buddy_take_zero_locked(struct pmm_zone *zone, pmm_order_t order,
				unsigned int mt, pmm_pfn_t *pfn)
{
	uint32_t want = PMM_PG_ZERO;
	PMM_ASSERT_LOCKED(&zone->lock);
	if (pmm_platform_get()->reported_reads_zero)
		want |= PMM_PG_REPORTED;
	for (pmm_order_t k = order; k <= PMM_MAX_ORDER; k++) {
		uint32_t t = zone->free_area[k].tail[mt];
		if (t == 0 || (pmm_mem_map[t - 1].info & want) == 0)
			continue;
		pmm_buddy_take_odd_locked(zone, t - 1, k, mt, order);
		*pfn = t - 1;
		return true;
	}
	return false;
}

/* Return: the order up to which @pfn's free buddies are all known zero:
 * a block of @order at @pfn (not free) merged up to it stays zero. */
static pmm_order_t zero_merge_reach_locked(const struct pmm_zone *zone,
					   pmm_pfn_t pfn, pmm_order_t order)
{
	pmm_order_t k = order;
	while (k < PMM_MAX_ORDER && pmm_pair_test(zone, k, pfn)) {
		pmm_pfn_t buddy = pfn ^ pmm_order_pages(k);
		if (pmm_mem_map[buddy].info != (PMM_PG_BUDDY | PMM_PG_ZERO | k))
			break;
		pfn &= ~pmm_order_pages(k);
		k++;
	}
	return k;
}

/**
 * pmm_buddy_put_zero_locked - put the block @pfn of @order (head blank),
 * whose memory reads zero, on the free lists: it merges with its free
 * buddies as any block, and the result keeps the zero mark when every
 * part merged was known zero. free_pages grows. Zone lock held.
 */
void pmm_buddy_put_zero_locked(struct pmm_zone *zone, pmm_pfn_t pfn,
			       pmm_order_t order)
{
	PMM_ASSERT_LOCKED(&zone->lock);
	pmm_order_t reach = zero_merge_reach_locked(zone, pfn, order);
	zone_free_add_locked(zone, pmm_order_pages(order));
	buddy_merge_locked(zone, pfn, order, pmm_free_type(zone, pfn));
	pmm_pfn_t head = pmm_buddy_block_head_locked(zone, pfn);
	pmm_order_t k = pmm_page_order(&pmm_mem_map[head]);
	if (k <= reach && pmm_mem_map[head].info == (PMM_PG_BUDDY | k))
		pmm_buddy_mark_locked(zone, head, k, pmm_free_type(zone, head),
				      PMM_PG_ZERO);
	buddy_validate_due_locked(zone);
}
