/* SPDX-License-Identifier: MIT */
/*
 * buddy_lazy.c - the lazy buddy of seed 002 (chapter 7.3's note): delay
 * coalescing until an allocation needs it. Off by default
 * (pmm_buddy_set_lazy()).
 *
 * On, a freed block goes on its list marked PMM_PG_LAZY, its pair bit
 * flipped but not acted on. When an allocation of order k finds its list
 * empty - it would split a larger block or fail - the lazy heads of the
 * lower orders are coalesced first, lowest order first. Per zone and order
 * the number of lazy heads is counted (struct pmm_zone_lazy, in the zone),
 * so that pass stops after the last one. Its cost is amortized O(1) per
 * free: each lazy head is settled once, and a plain head is walked over
 * only while a lazy head sits behind it - lists grow at the front, so after
 * one pass nothing behind a plain head is ever lazy again.
 *
 * The core knows of this file through two hooks: the free path's
 * (buddy_put_locked(): the switch pmm_buddy_lazy_on) and the take path's
 * (buddy_take_locked(): the zone's lazy count, when the list it wants is
 * empty). Off, each costs one predictable branch. A lazy head the core
 * meets anyway (a merge absorbs it, an allocation takes it) differs from
 * the plain free head the core expects, and its odd-descriptor path counts
 * it out (pmm_buddy_lazy_forget_locked()).
 *
 * Locking: the zone lock for everything here; the switch while the
 * allocator is quiet.
 */
#include "buddy_internal.h"

bool pmm_buddy_lazy_on;

void pmm_buddy_lazy_reset(void)
{
	pmm_buddy_lazy_on = false;
}

void pmm_buddy_lazy_forget_locked(struct pmm_zone *zone, pmm_order_t k)
{
	struct pmm_zone_lazy *lz = &zone->lazy;
	PMM_ASSERT_LOCKED(&zone->lock);
	PMM_ASSERT(lz->nr[k] != 0 && lz->total != 0,
		   "order %u: %u lazy heads of %llu", k, lz->nr[k],
		   ULL(lz->total));
	lz->nr[k]--;
	lz->total--;
}

void pmm_buddy_lazy_put_locked(struct pmm_zone *zone, pmm_pfn_t pfn,
			       pmm_order_t k, unsigned int mt)
{
	PMM_ASSERT_LOCKED(&zone->lock);
	if (k == PMM_MAX_ORDER) { /* nothing to merge with */
		pmm_mem_map[pfn].info = PMM_PG_BUDDY | k;
		pmm_list_add_locked(zone, k, mt, pfn);
		return;
	}
	pmm_pair_toggle(zone, k, pfn);
	pmm_mem_map[pfn].info = PMM_PG_BUDDY | PMM_PG_LAZY | k;
	pmm_list_add_locked(zone, k, mt, pfn);
	zone->lazy.nr[k]++;
	zone->lazy.total++;
}

/*
 * Coalesce the lazy head at @pfn (order @k) with its buddy if that is free.
 * *@next is the list walk's next link, moved past the buddy when the buddy
 * is that next entry. Return: lazy heads of order @k consumed.
 */
static uint32_t lazy_settle_one_locked(struct pmm_zone *zone, pmm_order_t k,
				       pmm_pfn_t pfn, uint32_t *next)
{
	struct pmm_page *page = &pmm_mem_map[pfn];
	uint32_t used = 1;
	unsigned int mt = pmm_free_type(zone, pfn);
	PMM_ASSERT_LOCKED(&zone->lock);
	pmm_buddy_lazy_forget_locked(zone, k);
	page->info &= ~PMM_PG_LAZY;
	if (pmm_pair_test(zone, k, pfn))
		return used; /* buddy not free */
	pmm_pfn_t buddy = pfn ^ pmm_order_pages(k);
	struct pmm_page *b = &pmm_mem_map[buddy];
	if (!info_is_free_head(b->info, k)) {
		pmm_bug(PMM_ECORRUPT, __func__,
			"%s: pair bit of pfn 0x%llx order %u says free, buddy 0x%llx info 0x%x",
			pmm_zone_name(zone->type), ULL(pfn), k, ULL(buddy),
			b->info);
		return used;
	}
	if (b->info & PMM_PG_LAZY) {
		pmm_buddy_lazy_forget_locked(zone, k);
		used++;
	}
	if (*next == buddy + 1)
		*next = b->next;
	unsigned int bmt = mt;
	if (k >= PMM_PAGEBLOCK_ORDER &&
	    (bmt = buddy_merge_type_locked(zone, buddy, k, mt)) == PMM_MT_LISTS)
		return used; /* isolated on one side only: they stay apart */
	pmm_buddy_unmark_locked(zone, buddy, k);
	/* Both leave list k: two flips, the bit stays 0. */
	pmm_list_del_locked(zone, k, mt, page);
	pmm_list_del_locked(zone, k, bmt, b);
	pmm_page_clear(page);
	pmm_page_clear(b);
	buddy_merge_locked(zone, pfn & ~pmm_order_pages(k), k + 1, mt);
	return used;
}

/*
 * Settle the lazy heads of list (@k, @mt), at most @left of them.
 * Return: how many of @left remain for the other lists.
 */
static uint32_t lazy_settle_list_locked(struct pmm_zone *zone, pmm_order_t k,
					unsigned int mt, uint32_t left)
{
	uint32_t cur = zone->free_area[k].head[mt];
	PMM_ASSERT_LOCKED(&zone->lock);
	while (left != 0 && cur != 0) {
		pmm_pfn_t pfn = (pmm_pfn_t)cur - 1;
		uint32_t next = pmm_mem_map[pfn].next;
		if (pmm_mem_map[pfn].info & PMM_PG_LAZY) {
			uint32_t used = lazy_settle_one_locked(zone, k, pfn, &next);
			left = used < left ? left - used : 0;
		}
		cur = next;
	}
	return left;
}

/*
 * Coalesce every lazy head of orders [0, @upto), lowest order first, so
 * that merged blocks meet their buddies one order up.
 */
void pmm_buddy_lazy_settle_locked(struct pmm_zone *zone, pmm_order_t upto)
{
	struct pmm_zone_lazy *lz = &zone->lazy;
	PMM_ASSERT_LOCKED(&zone->lock);
	if (upto > PMM_MAX_ORDER)
		upto = PMM_MAX_ORDER;
	for (pmm_order_t k = 0; k < upto && lz->total != 0; k++) {
		uint32_t left = lz->nr[k];
		for (unsigned int mt = 0; mt < PMM_MT_TYPES && left != 0; mt++)
			left = lazy_settle_list_locked(zone, k, mt, left);
	}
}

/**
 * pmm_buddy_set_lazy - switch delayed coalescing on or off. Switching off
 * coalesces every lazy head at once.
 * Locking: each zone's lock in turn; call while the allocator is quiet
 * (a free racing the switch may leave one lazy head behind, which the
 * next allocation that needs it coalesces anyway).
 */
void pmm_buddy_set_lazy(bool lazy)
{
	struct pmm_zone *z;
	pmm_buddy_lazy_on = lazy;
	if (lazy)
		return;
	pmm_for_each_zone(z) {
		zone_lock(z);
		pmm_buddy_lazy_settle_locked(z, PMM_MAX_ORDER);
		zone_unlock(z);
	}
}

/* Return: true while the lazy buddy is on. Locking: none. */
bool pmm_buddy_is_lazy(void)
{
	return pmm_buddy_lazy_on;
}
