/* SPDX-License-Identifier: MIT */
/*
 * buddy_merge.c - the zoned buddy allocator of seed 002 (chapter 7.3): the
 * core's out-of-line entries and its odd cases.
 *
 * Each zone keeps, per order k, a doubly linked list of free blocks of 2^k
 * pages (one per migratetype, buddy_mobility.c), linked through the
 * descriptors of their heads (pfn + 1, 0 = none), and a pair bitmap: one
 * bit per pair of buddies, the XOR of "this block is a free head of order
 * k" over the two. Every time a block enters or leaves free list k its
 * pair bit flips. Freeing a block flips its bit; a 0 then means the buddy
 * (pfn ^ 2^k) is free as well, so the two leave list k and the merged
 * block tries again one order up - the seed's coalescing. Blocks never
 * merge across zones (each zone has its own bitmap, and a free head of a
 * zone lies wholly inside it) nor past PMM_MAX_ORDER. Taking a block
 * removes the smallest fitting head and splits it, listing upper halves.
 *
 * Descriptors are lazily valid (page.h): only heads are non-zero, so a merge
 * clears the head it absorbs and a split writes the head it creates.
 *
 * The core itself (merge, split, take, put) is inline in buddy_internal.h,
 * so that the allocation and free paths (buddy_alloc.c, buddy_free.c) and
 * the hand-off inline it; this file gives it to pcp.c and the lazy buddy
 * out of line and holds what the core does when a descriptor is not what
 * its list says: a lazy head (counted out, buddy_lazy.c), a marked one
 * (buddy_marks.c, which also holds the take of such a head) or corruption.
 *
 * Data: blocks come in from the free paths (a blank head and an order) and
 * leave to the allocation paths (a blank head, pages counted out of
 * free_pages). Locking: each zone's lock guards its lists, bitmaps and
 * counters; every function here runs with it held.
 */
#include <pmm/fmt.h>

#include "buddy_internal.h"

bool pmm_buddy_take_locked(struct pmm_zone *zone, pmm_order_t order,
			   unsigned int mt, pmm_pfn_t *pfn)
{
	return buddy_take_locked(zone, order, mt, pfn);
}

void pmm_buddy_put_locked(struct pmm_zone *zone, pmm_pfn_t pfn,
			  pmm_order_t order)
{
	buddy_put_locked(zone, pfn, order);
}

__attribute__((cold)) bool pmm_buddy_merge_odd_locked(struct pmm_zone *zone,
						      pmm_pfn_t pfn,
						      pmm_order_t k,
						      pmm_pfn_t buddy)
{
	uint32_t info = pmm_mem_map[buddy].info;
	PMM_ASSERT_LOCKED(&zone->lock);
	if (info_is_free_head(info, k) &&
	    (info & (PMM_PG_LAZY | PMM_PG_MARKS)) != 0) {
		if (info & PMM_PG_LAZY)
			pmm_buddy_lazy_forget_locked(zone, k);
		pmm_buddy_unmark_locked(zone, buddy, k); /* a freed block is not known zero */
		return true;
	}
	pmm_pair_toggle(zone, k, pfn); /* undo: the block stays unmerged */
	if (PMM_CHECKS)
		pmm_bug(PMM_ECORRUPT, __func__,
			"%s: pair bit of pfn 0x%llx order %u says free, buddy 0x%llx info 0x%x",
			pmm_zone_name(zone->type), ULL(pfn), k, ULL(buddy), info);
	return false;
}
