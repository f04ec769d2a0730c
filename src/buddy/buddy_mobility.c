/* SPDX-License-Identifier: MIT */
/*
 * buddy_mobility.c - grouping pages by mobility (anti-fragmentation, Linux
 * 2.6.24+): the switch, the fallback between migratetypes and pageblock
 * claims.
 *
 * Every pageblock of 2^PMM_PAGEBLOCK_ORDER pages has a migratetype (a byte
 * in the zone's pageblock_mt, set MOVABLE by zone.c) and each order one
 * free list per type; a free block goes to the list of its pageblock's
 * type (blocks of one pageblock share its type, so coalescing below the
 * pageblock order never looks a type up; above it the buddy's pageblocks
 * take the freed block's type, as Linux does: buddy_merge_type_locked()).
 * An allocation takes the smallest block of its own type; when there is
 * none (buddy_take_locked() calls here) it falls back to the other types
 * in Linux's order, taking the largest block there (a movable request that
 * could not claim takes the smallest), and claims - retypes, moving its
 * free blocks - the whole pageblock when the block covers pageblocks, or
 * when at least half of the pageblock is free (Linux's
 * steal_suitable_fallback() rule without its count of allocated movable
 * pages, which pmm does not track); after a claim of one pageblock the
 * smallest fitting block of the request's type serves it. Otherwise the
 * block is taken as it is and its remainder stays on its own type's
 * lists. The pair bitmaps know nothing of types.
 *
 * pmm_buddy_set_grouping(false) serves every request as the boot type
 * (MOVABLE): each zone copies the switch into gfp_mt_mask / gfp_mt_force,
 * which the fast paths read with the rest of the zone's first line.
 *
 * Locking: the zone lock for everything that reads or moves free blocks;
 * the switch only while the allocator is quiet.
 */
#include "buddy_internal.h"

static bool buddy_grouping_off;

void pmm_buddy_grouping_reset(void)
{
	buddy_grouping_off = false;
}

void pmm_buddy_zone_grouping(struct pmm_zone *zone)
{
	zone->gfp_mt_mask = buddy_grouping_off ? 0 : PMM_GFP_MOBILITY;
	zone->gfp_mt_force = buddy_grouping_off ? PMM_GFP_MOVABLE : 0;
}

/**
 * pmm_buddy_set_grouping - switch grouping by mobility on or off (see
 * buddy.h). Pageblock types and free lists stay as they are: off, every
 * request is served as MOVABLE and falls back as such.
 * Locking: while the allocator is quiet (the fast paths read the switch
 * from each zone without a lock).
 */
void pmm_buddy_set_grouping(bool on)
{
	struct pmm_zone *z;
	buddy_grouping_off = !on;
	pmm_for_each_zone(z)
		pmm_buddy_zone_grouping(z);
}

/* Return: true while grouping by mobility is on. Locking: none. */
bool pmm_buddy_is_grouping(void)
{
	return !buddy_grouping_off;
}

/* Linux's fallback order: the types a request of each type may borrow from. */
static const uint8_t fallback_types[PMM_MT_TYPES][PMM_MT_TYPES - 1] = {
	[PMM_MT_UNMOVABLE] = { PMM_MT_RECLAIMABLE, PMM_MT_MOVABLE },
	[PMM_MT_MOVABLE] = { PMM_MT_RECLAIMABLE, PMM_MT_UNMOVABLE },
	[PMM_MT_RECLAIMABLE] = { PMM_MT_UNMOVABLE, PMM_MT_MOVABLE },
};

/* Return: the first type @mt falls back to with a block of order @k, or -1. */
static int fallback_find(const struct pmm_zone *zone, pmm_order_t k,
			 unsigned int mt)
{
	for (unsigned int i = 0; i < PMM_MT_TYPES - 1; i++) {
		unsigned int fb = fallback_types[mt][i];
		if (zone->free_area[k].head[fb] != 0)
			return (int)fb;
	}
	return -1;
}

/*
 * Return: true when a request of type @mt that falls back to a block of
 * order @k may claim its pageblock (Linux's can_steal_fallback()): a block
 * of half a pageblock or more, or any unmovable or reclaimable request -
 * those are the ones that pollute pageblocks, so they gather in few.
 */
static bool fallback_can_claim(pmm_order_t k, unsigned int mt)
{
	return k >= PMM_PAGEBLOCK_ORDER / 2 || mt != PMM_MT_MOVABLE;
}

/* The pageblock holding @pfn, clipped to @zone: [*@start, *@end). */
static void pageblock_span(const struct pmm_zone *zone, pmm_pfn_t pfn,
			   pmm_pfn_t *start, pmm_pfn_t *end)
{
	pmm_pfn_t s = pfn & ~(PMM_PAGEBLOCK_PAGES - 1);
	pmm_pfn_t e = s + PMM_PAGEBLOCK_PAGES;
	*start = s > zone->start_pfn ? s : zone->start_pfn;
	*end = e < zone->end_pfn ? e : zone->end_pfn;
}

/* Return: pages of the next block at @pfn, 1 for a blank descriptor. */
static pmm_pfn_t walk_step(pmm_pfn_t pfn)
{
	const struct pmm_page *d = &pmm_mem_map[pfn];
	return pmm_page_is_blank(d) ? 1 : pmm_order_pages(pmm_page_order(d));
}

/* Return: pages in free (buddy-listed) blocks of @pfn's pageblock. */
static uint64_t pageblock_free_pages_locked(const struct pmm_zone *zone,
					    pmm_pfn_t pfn)
{
	pmm_pfn_t p, end;
	uint64_t free = 0;
	PMM_ASSERT_LOCKED(&zone->lock);
	pageblock_span(zone, pfn, &p, &end);
	for (; p < end; p += walk_step(p))
		if (pmm_page_is_free_head(&pmm_mem_map[p]))
			free += pmm_order_pages(pmm_page_order(&pmm_mem_map[p]));
	return free;
}

/*
 * Give @pfn's pageblock (of type @old, below the pageblock order in every
 * free block) type @mt and move its free blocks to @mt's lists.
 */
static void pageblock_claim_locked(struct pmm_zone *zone, pmm_pfn_t pfn,
				   unsigned int old, unsigned int mt)
{
	pmm_pfn_t p, end;
	PMM_ASSERT_LOCKED(&zone->lock);
	pageblock_span(zone, pfn, &p, &end);
	pmm_pageblock_set_locked(zone, pfn, mt);
	for (; p < end; p += walk_step(p)) {
		struct pmm_page *d = &pmm_mem_map[p];
		if (!pmm_page_is_free_head(d))
			continue;
		pmm_order_t k = pmm_page_order(d);
		pmm_list_del_locked(zone, k, old, d);
		pmm_list_move_in_locked(zone, k, mt, p); /* info (lazy, marks) stays */
	}
}

/*
 * Return: the order of the block a fallback for @order of type @mt takes,
 * and its type in *@from; -1 when no other type has a block large enough.
 */
static int fallback_order(const struct pmm_zone *zone, pmm_order_t order,
			  unsigned int mt, unsigned int *from)
{
	int k, fb = -1;
	for (k = PMM_MAX_ORDER; k >= (int)order; k--)
		if ((fb = fallback_find(zone, (pmm_order_t)k, mt)) >= 0)
			break;
	if (fb < 0)
		return -1;
	if (!fallback_can_claim((pmm_order_t)k, mt) && k > (int)order) {
		for (k = (int)order; k <= PMM_MAX_ORDER; k++)
			if ((fb = fallback_find(zone, (pmm_order_t)k, mt)) >= 0)
				break;
	}
	*from = (unsigned int)fb;
	return k;
}

/**
 * pmm_buddy_take_fallback_locked - no block of type @mt and order >=
 * @order: find one of another type (largest first; smallest first for a
 * movable request that could not claim), claim its pageblocks if the rule
 * allows (see the file comment) and take 2^@order pages.
 * Return: true and *@pfn, false if none is free. Locking: zone lock held.
 */
__attribute__((noinline)) bool
pmm_buddy_take_fallback_locked(struct pmm_zone *zone, pmm_order_t order,
			       unsigned int mt, pmm_pfn_t *pfn)
{
	unsigned int from;
	PMM_ASSERT_LOCKED(&zone->lock);
	if (mt == PMM_MT_MOVABLE && pmm_cma_take_locked(zone, order, pfn))
		return true;
	int k = fallback_order(zone, order, mt, &from);
	if (k < 0)
		return false;
	pmm_order_t ko = (pmm_order_t)k;
	pmm_pfn_t head = (pmm_pfn_t)zone->free_area[ko].head[from] - 1;
	if (fallback_can_claim(ko, mt)) {
		if (ko >= PMM_PAGEBLOCK_ORDER) {
			pmm_list_del_locked(zone, ko, from, &pmm_mem_map[head]);
			pmm_list_move_in_locked(zone, ko, mt, head);
			pmm_pageblock_range_set_locked(zone, head, ko, mt);
			from = mt;
		} else if (pageblock_free_pages_locked(zone, head) >=
			   PMM_PAGEBLOCK_PAGES / 2) {
			pageblock_claim_locked(zone, head, from, mt);
			/* Of type @mt now (ko at most): the smallest fit serves. */
			pmm_order_t fit = order;
			while (zone->free_area[fit].head[mt] == 0)
				fit++;
			head = (pmm_pfn_t)zone->free_area[fit].head[mt] - 1;
			ko = fit;
			from = mt;
		}
	}
	buddy_take_head_locked(zone, head, ko, from, order);
	*pfn = head;
	return true;
}
