/* SPDX-License-Identifier: MIT */
/*
 * buddy_alloc.c - the allocation API of the buddy allocator: gfp flags to
 * zones, watermarks, the per-CPU fast path and the full zonelist walk.
 *
 * A request names a node (or PMM_NUMA_NO_NODE), gfp flags and an order.
 * The flags choose the highest zone (PMM_GFP_DMA / DMA32 / HIGHMEM, else
 * Normal) and the migratetype (PMM_GFP_MOVABLE / RECLAIMABLE, read
 * through each zone's grouping switch, buddy_mobility.c). Zones are tried
 * from that zone down to DMA on the preferred node, then on the others; a
 * zone serves while its free pages stay above its min watermark. Orders
 * 0..PMM_PCP_MAX_ORDER come from this CPU's lists (pcp.c), larger ones
 * from the buddy core under the zone lock (buddy_take_locked(), inlined
 * into zone_try(), which its callers inline).
 * The block leaves as an allocated head: refcount 1, owner tag, optionally
 * zeroed and poison-checked (poison.c). A zeroed request (PMM_GFP_ZERO)
 * takes a block known to read zero where a zone has one (buddy_marks.c)
 * and skips the memset; only that request's uncommon branch looks. It comes back through buddy_free.c.
 *
 * Locking: the zone lock of the zone that serves, except for blocks taken
 * from this CPU's list.
 */
#include <pmm/debug.h>

#include "buddy_internal.h"

/*
 * Try one zone: its per-CPU list for a per-CPU order, else its buddy lists
 * under the lock, while the min watermark allows.
 * Return: true and *@pfn (head descriptor to be written by the caller).
 */
static inline __attribute__((always_inline)) bool
zone_try(struct pmm_zone *zone, unsigned int gfp, pmm_order_t order,
	 pmm_pfn_t *pfn)
{
	uint64_t min = pmm_gfp_min(zone, gfp);
	unsigned int mt = pmm_zone_gfp_type(zone, gfp);
	if (order <= PMM_PCP_MAX_ORDER && pmm_pcp_enabled(zone))
		return pmm_pcp_alloc(zone, min, order, mt, pfn);
	/* Unlocked read, as Linux's fast watermark check: a hint. */
	if (pmm_zone_free_hint(zone) < min + pmm_order_pages(order))
		return false;
	zone_lock(zone);
	bool ok = zone->free_pages >= min + pmm_order_pages(order) &&
		  buddy_take_locked(zone, order, mt, pfn);
	zone_unlock(zone);
	return ok;
}

/* Walk node @nid's zones from @top down to DMA. */
static inline bool node_try(int nid, int top, unsigned int gfp,
			    pmm_order_t order, pmm_pfn_t *pfn)
{
	struct pmm_node *node = &pmm_nodes[nid];
	for (int t = top; t >= 0; t--) {
		struct pmm_zone *zone = &node->zones[t];
		if (zone->managed == 0)
			continue;
		if (zone_try(zone, gfp, order, pfn))
			return true;
	}
	return false;
}

/* Zero the block's memory where the platform can touch it (PMM_GFP_ZERO). */
static void zero_block(pmm_pfn_t pfn, pmm_order_t order)
{
	pmm_phys_fill(PMM_PFN_PHYS(pfn), pmm_order_pages(order) << PMM_PAGE_SHIFT, 0);
}

/* The preferred node @nid, then (unless PMM_GFP_THISNODE) the others. */
static bool alloc_from_nodes(int nid, int top, unsigned int gfp,
			     pmm_order_t order, pmm_pfn_t *pfn)
{
	if (node_try(nid, top, gfp, order, pfn))
		return true;
	if (gfp & PMM_GFP_THISNODE)
		return false;
	for (int n = 0; n < PMM_MAX_NUMNODES; n++)
		if (n != nid && pmm_nodes[n].online &&
		    node_try(n, top, gfp, order, pfn))
			return true;
	return false;
}

/*
 * The per-CPU fast path (@order <= PMM_PCP_MAX_ORDER): pop this CPU's list
 * of the first zone the zonelist walk tries on the default node
 * (pmm_zone_fast) for a @gfp without zone flags, when the list holds a
 * block and the watermark allows (the same test pmm_pcp_alloc() makes).
 * Return: true and *@pfn, or false to take the full path, which tries that
 * same zone first (refilling its list), so nothing is skipped.
 */
static inline bool alloc_pcp_fast(unsigned int gfp, pmm_order_t order,
				  pmm_pfn_t *pfn)
{
	unsigned int mt;
	struct pmm_zone *zone = pmm_fast_zone(gfp, &mt);
	if (zone == NULL)
		return false;
	struct pmm_pcp *pcp = &zone->pcp[pmm_platform_cpu()];
	if (pcp->head[mt][order] == 0 || !pmm_pcp_may_pop(zone, pcp, gfp, order))
		return false;
	*pfn = pmm_pcp_pop(pcp, mt, order);
	return true;
}

/* pmm_alloc_head(), with the poison check before and the zeroing after. */
static inline struct pmm_page *alloc_finish(pmm_pfn_t pfn, pmm_order_t order,
					    unsigned int gfp, uint64_t tag)
{
	if (pmm_debug_poison_on())
		pmm_poison_check(pfn, order); /* reports use after free */
	struct pmm_page *page = pmm_alloc_head(pfn, order, tag);
	if (gfp & PMM_GFP_ZERO)
		zero_block(pfn, order);
	return page;
}

/*
 * A zeroed request popped the plain block @pfn from this CPU's list of
 * pmm_zone_fast: when that zone holds a known-zero block of @order, that
 * one serves and @pfn goes back to the list.
 * Return: true and *@pfn replaced (no memset needed), else false.
 */
static bool zero_swap(pmm_pfn_t *pfn, pmm_order_t order, unsigned int gfp)
{
	struct pmm_zone *zone = __atomic_load_n(&pmm_zone_fast, __ATOMIC_RELAXED);
	pmm_pfn_t zero;
	zone_lock(zone);
	bool ok = pmm_buddy_take_zero_locked(zone, order,
					     pmm_zone_gfp_type(zone, gfp), &zero);
	zone_unlock(zone);
	if (!ok)
		return false;
	if (!pmm_pcp_free(zone, *pfn, order)) {
		pmm_page_clear(&pmm_mem_map[*pfn]);
		zone_lock(zone);
		buddy_put_locked(zone, *pfn, order);
		zone_unlock(zone);
	}
	*pfn = zero;
	return true;
}

/* alloc_finish() out of line, for the fast path's uncommon requests:
 * a zeroed one takes a known-zero block instead where there is one. */
static __attribute__((noinline)) struct pmm_page *
alloc_finish_call(pmm_pfn_t pfn, pmm_order_t order, unsigned int gfp,
		  uint64_t tag)
{
	if ((gfp & PMM_GFP_ZERO) && zero_swap(&pfn, order, gfp))
		gfp &= ~PMM_GFP_ZERO;
	return alloc_finish(pfn, order, gfp, tag);
}

/*
 * A zeroed request off the per-CPU fast path: node @nid's zones that @gfp
 * allows, from the highest down, each while its min watermark allows, as
 * the zonelist walk goes; in each, a block known to read zero first
 * (buddy_marks.c), else any block (known zero too when the block a
 * fallback split was).
 * Return: true and *@pfn, *@known set when it needs no memset; false when
 * no zone of the node serves (the full path tries further).
 */
static bool alloc_zeroed_walk(int nid, unsigned int gfp, pmm_order_t order,
			      pmm_pfn_t *pfn, bool *known)
{
	int top = gfp_top_zone(gfp);
	if (nid == PMM_NUMA_NO_NODE)
		nid = pmm_node_default();
	if (top < 0 || gfp_contradicts(gfp) || nid < 0 ||
	    nid >= PMM_MAX_NUMNODES || !pmm_nodes[nid].online ||
	    order > PMM_MAX_ORDER)
		return false;
	for (int t = top; t >= 0; t--) {
		struct pmm_zone *zone = &pmm_nodes[nid].zones[t];
		unsigned int mt = pmm_zone_gfp_type(zone, gfp);
		if (zone->managed == 0)
			continue;
		zone_lock(zone);
		bool ok = zone->free_pages >= pmm_gfp_min(zone, gfp) +
						       pmm_order_pages(order);
		bool took = zone->marks.took_zero;
		*known = ok && pmm_buddy_take_zero_locked(zone, order, mt, pfn);
		zone->marks.took_zero = false;
		ok = ok && (*known || buddy_take_locked(zone, order, mt, pfn));
		*known = *known || (ok && zone->marks.took_zero); /* a fallback's */
		if (!ok)
			zone->marks.took_zero = took; /* a failed call changes nothing */
		zone_unlock(zone);
		if (ok)
			return true;
	}
	return false;
}

/* The full allocation path: every node and zone the walk allows. */
static __attribute__((noinline)) struct pmm_page *
alloc_pages_slow(int nid, unsigned int gfp, pmm_order_t order, uint64_t tag,
		 int *err)
{
	int e = PMM_ENOMEM;
	pmm_pfn_t pfn;
	int top = gfp_top_zone(gfp);
	if (nid == PMM_NUMA_NO_NODE)
		nid = pmm_node_default();
	if (order > PMM_MAX_ORDER) {
		e = PMM_EORDER;
		goto fail;
	}
	if (top < 0 || gfp_contradicts(gfp) || nid < 0 ||
	    nid >= PMM_MAX_NUMNODES || !pmm_nodes[nid].online) {
		e = PMM_EINVAL;
		goto fail;
	}
	/* This CPU's lists may hold the pages a block needs to coalesce. */
	if (!alloc_from_nodes(nid, top, gfp, order, &pfn) &&
	    !(pmm_pcp_drain_local() && alloc_from_nodes(nid, top, gfp, order, &pfn)))
		goto fail;
	return alloc_finish(pfn, order, gfp, tag);
fail:
	if (err != NULL)
		*err = e;
	return NULL;
}

/*
 * The path after the per-CPU pop missed (an empty list, or an order above
 * the per-CPU ones): zone_try() on pmm_zone_fast alone, for a @gfp without
 * zone flags - the first zone the full walk tries, so a refill of this
 * CPU's list needs no walk. Return: the pfn, or 0 to take the full path
 * (which tries that zone again, then the others).
 */
static __attribute__((noinline)) pmm_pfn_t alloc_zone_fast(unsigned int gfp,
							   pmm_order_t order)
{
	struct pmm_zone *zone = __atomic_load_n(&pmm_zone_fast, __ATOMIC_RELAXED);
	if (zone == NULL || (gfp & PMM_GFP_ZONEMASK) != 0 ||
	    order > PMM_MAX_ORDER ||
	    pmm_zone_gfp_type(zone, gfp) >= PMM_MT_TYPES)
		return 0;
	pmm_pfn_t pfn;
	return zone_try(zone, gfp, order, &pfn) ? pfn : 0;
}

/* The paths after the per-CPU pop missed: the zone's, else the full one. */
static __attribute__((noinline)) struct pmm_page *
alloc_pages_rest(int nid, unsigned int gfp, pmm_order_t order, uint64_t tag,
		 int *err)
{
	if (__builtin_expect(gfp & PMM_GFP_ZERO, 0)) {
		pmm_pfn_t pfn;
		bool known;
		if (alloc_zeroed_walk(nid, gfp, order, &pfn, &known))
			return alloc_finish(pfn, order,
					    known ? gfp & ~PMM_GFP_ZERO : gfp, tag);
	}
	if (nid == PMM_NUMA_NO_NODE) {
		pmm_pfn_t pfn = alloc_zone_fast(gfp, order);
		if (pfn != 0)
			return alloc_finish(pfn, order, gfp, tag);
	}
	return alloc_pages_slow(nid, gfp, order, tag, err);
}

/*
 * The allocation path. The common request - default node, a per-CPU
 * order, no tag, no zeroing, no poisoning - pops this CPU's list and
 * writes the head without a call; everything else is a tail call, so the
 * fast path needs no stack frame.
 */
static inline __attribute__((always_inline)) struct pmm_page *
alloc_pages(int nid, unsigned int gfp, pmm_order_t order, uint64_t tag,
	    int *err)
{
	if (nid == PMM_NUMA_NO_NODE && order <= PMM_PCP_MAX_ORDER) {
		pmm_pfn_t pfn;
		if (__builtin_expect(alloc_pcp_fast(gfp, order, &pfn), 1)) {
			if (__builtin_expect(tag != 0 || (gfp & PMM_GFP_ZERO) ||
						     pmm_debug_poison_on(), 0))
				return alloc_finish_call(pfn, order, gfp, tag);
			return pmm_alloc_head(pfn, order, 0);
		}
	}
	return alloc_pages_rest(nid, gfp, order, tag, err);
}

/**
 * pmm_alloc_pages_tagged - allocate 2^@order pages (see buddy.h).
 *
 * PMM_NUMA_NO_NODE means the lowest online node: the platform seam does not
 * say which node a CPU sits on. Zones are tried from the highest @gfp
 * allows down to DMA on the preferred node, then on the other online nodes
 * in id order unless PMM_GFP_THISNODE. A zone serves the request only while
 * free_pages - 2^@order >= its min watermark (half of it with PMM_GFP_HIGH);
 * for a per-CPU order with the lists on, this CPU's listed pages count as
 * free. When every zone fails, this CPU's lists go back to the zones
 * (their blocks may be what a larger one needs) and the walk runs again.
 * A per-CPU order on the default node first tries a pop of this CPU's list
 * of the first zone of that walk (alloc_pcp_fast()), with the same tests.
 * Return: the head descriptor (PMM_PG_ALLOC_HEAD, refcount 1, @tag), or NULL.
 * Locking: takes the zone lock of the zone that serves, except for blocks
 * taken from this CPU's list.
 */
struct pmm_page *pmm_alloc_pages_tagged(int nid, unsigned int gfp,
					pmm_order_t order, uint64_t tag,
					int *err)
{
	return alloc_pages(nid, gfp, order, tag, err);
}

/* pmm_alloc_pages_tagged() on the default node without a tag (buddy.h). */
PMM_HOT_ENTRY
struct pmm_page *pmm_alloc_pages(unsigned int gfp, pmm_order_t order)
{
	return alloc_pages(PMM_NUMA_NO_NODE, gfp, order, 0, NULL);
}

/* pmm_alloc_pages_tagged() on node @nid without a tag (buddy.h). */
struct pmm_page *pmm_alloc_pages_node(int nid, unsigned int gfp,
				      pmm_order_t order)
{
	return alloc_pages(nid, gfp, order, 0, NULL);
}

/* pmm_alloc_pages(@gfp, 0) (buddy.h). */
PMM_HOT_ENTRY
struct pmm_page *pmm_alloc_page(unsigned int gfp)
{
	return alloc_pages(PMM_NUMA_NO_NODE, gfp, 0, 0, NULL);
}

/* pmm_alloc_pages() as a physical address, 0 on failure (buddy.h). */
pmm_phys_t pmm_get_free_pages(unsigned int gfp, pmm_order_t order)
{
	struct pmm_page *page = alloc_pages(PMM_NUMA_NO_NODE, gfp, order, 0,
					    NULL);
	return page != NULL ? PMM_PFN_PHYS(pmm_page_to_pfn(page)) : 0;
}

/* pmm_get_free_pages(@gfp, 0) (buddy.h). */
pmm_phys_t pmm_get_free_page(unsigned int gfp)
{
	return pmm_get_free_pages(gfp, 0);
}

/* pmm_get_free_pages(@gfp | PMM_GFP_ZERO, 0) (buddy.h). */
pmm_phys_t pmm_get_zeroed_page(unsigned int gfp)
{
	return pmm_get_free_pages(gfp | PMM_GFP_ZERO, 0);
}
