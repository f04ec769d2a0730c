/* SPDX-License-Identifier: MIT */
/*
 * zero.c - known-zero free blocks (pmm/elastic.h): pmm_zero_idle() zeroes
 * plain free blocks in the platform's idle time, so that a later
 * __GFP_ZERO allocation finds one and skips its memset
 * (src/buddy/buddy_marks.c keeps the mark through splits and merges), and
 * pmm_zero_verify() reads them back.
 *
 * A block being zeroed is off the free lists, an allocated head of
 * refcount 1 while no lock is held, so no allocation can see it half
 * written; it comes back through pmm_buddy_put_zero_locked(), merging
 * with its free buddies as any freed block.
 *
 * Locking: one zone lock at a time, never held while memory is written.
 */
#include <pmm/debug.h>
#include <pmm/elastic.h>
#include <pmm/fmt.h>

#include "../buddy/buddy_internal.h"

/*
 * Take the first plain free head of order @k on @zone's lists (not the
 * isolated one) off them, as an allocated head. Return: true and *@pfn.
 * Zone lock held.
 */
static bool take_plain_locked(struct pmm_zone *zone, pmm_order_t k,
			      pmm_pfn_t *pfn)
{
	for (unsigned int mt = 0; mt < PMM_MT_LISTS; mt++) {
		uint32_t h = zone->free_area[k].head[mt];
		if (mt == PMM_MT_ISOLATE || h == 0 ||
		    pmm_mem_map[h - 1].info != (PMM_PG_BUDDY | k))
			continue; /* plain heads come first on a list */
		buddy_take_head_locked(zone, h - 1, k, mt, k);
		pmm_mem_map[h - 1].info = PMM_PG_ALLOC_HEAD | PMM_PG_REF_ONE | k;
		*pfn = h - 1;
		return true;
	}
	return false;
}

/* Zero the block @pfn of order @k (taken) and put it back, marked when
 * all of it could be written. Return: true if it was zeroed. */
static bool zero_block(struct pmm_zone *zone, pmm_pfn_t pfn, pmm_order_t k)
{
	uint64_t bytes = (uint64_t)pmm_order_pages(k) << PMM_PAGE_SHIFT;
	bool zeroed = pmm_phys_fill(PMM_PFN_PHYS(pfn), bytes, 0) == bytes;
	zone_lock(zone);
	pmm_page_clear(&pmm_mem_map[pfn]);
	if (zeroed)
		pmm_buddy_put_zero_locked(zone, pfn, k);
	else
		buddy_put_locked(zone, pfn, k);
	zone_unlock(zone);
	return zeroed;
}

/*
 * Zero up to *@left pages of @zone's plain free blocks, lowest order
 * first. Return: false when a block could not be mapped (stop: the
 * platform cannot touch this zone's memory).
 */
static bool zero_zone(struct pmm_zone *zone, uint64_t *left)
{
	for (pmm_order_t k = 0; k <= PMM_MAX_ORDER; k++) {
		while (pmm_order_pages(k) <= *left) {
			pmm_pfn_t pfn = 0;
			zone_lock(zone);
			bool got = take_plain_locked(zone, k, &pfn);
			zone_unlock(zone);
			if (!got)
				break;
			if (!zero_block(zone, pfn, k))
				return false;
			*left -= pmm_order_pages(k);
		}
	}
	return true;
}

/**
 * pmm_zero_idle - zero up to @budget pages of free blocks (pmm/elastic.h).
 * Return: pages zeroed, or PMM_EINVAL / PMM_ESTATE (nothing changes).
 * Locking: each zone's lock in turn, dropped while memory is written.
 */
int pmm_zero_idle(unsigned int budget)
{
	if (budget == 0 || budget > (unsigned int)INT32_MAX)
		return PMM_EINVAL;
	if (pmm_debug_poison_on())
		return PMM_ESTATE;
	pmm_buddy_deferred_finish(); /* the passes walk the lists in place */
	uint64_t left = budget;
	for (int n = 0; n < PMM_MAX_NUMNODES; n++) {
		for (int t = 0; t < PMM_NR_ZONES && pmm_nodes[n].online; t++) {
			struct pmm_zone *zone = &pmm_nodes[n].zones[t];
			if (zone->managed != 0 && left != 0)
				zero_zone(zone, &left);
		}
	}
	return (int)(budget - left);
}

/* The first known-zero head of @zone's list (@k, @mt) with a byte that is
 * not zero, or NULL. Zone lock held. */
static const char *verify_list_locked(const struct pmm_zone *zone,
				      pmm_order_t k, unsigned int mt)
{
	static char msg[128];
	for (uint32_t cur = zone->free_area[k].head[mt]; cur != 0;) {
		pmm_pfn_t pfn = (pmm_pfn_t)cur - 1;
		uint64_t bytes = (uint64_t)pmm_order_pages(k) << PMM_PAGE_SHIFT;
		cur = pmm_mem_map[pfn].next;
		if (!(pmm_mem_map[pfn].info & PMM_PG_ZERO))
			continue;
		uint64_t off = pmm_phys_find_nonzero(PMM_PFN_PHYS(pfn), bytes);
		if (off == bytes)
			continue;
		pmm_snprintf(msg, sizeof(msg),
			     "known-zero block pfn 0x%llx order %u: byte at +0x%llx is not zero",
			     ULL(pfn), k, ULL(off));
		return msg;
	}
	return NULL;
}

const char *pmm_zero_verify(void)
{
	for (int n = 0; n < PMM_MAX_NUMNODES; n++) {
		for (int t = 0; t < PMM_NR_ZONES && pmm_nodes[n].online; t++) {
			struct pmm_zone *zone = &pmm_nodes[n].zones[t];
			const char *bad = NULL;
			if (zone->managed == 0)
				continue;
			zone_lock(zone);
			for (pmm_order_t k = 0; k <= PMM_MAX_ORDER && !bad; k++)
				for (unsigned int mt = 0; mt < PMM_MT_LISTS && !bad; mt++)
					bad = verify_list_locked(zone, k, mt);
			zone_unlock(zone);
			if (bad)
				return bad;
		}
	}
	return NULL;
}
