/* SPDX-License-Identifier: MIT */
/*
 * offline.c - pmm_memory_offline(): online blocks out of the buddy
 * allocator, as Linux's offline_pages():
 *
 *   1. refuse at once a range with a reserved page or a hole (boot
 *      memory the kernel holds) or a CMA pageblock: nothing to undo (a
 *      block's own descriptor pages, memmap_on_memory, are stepped over
 *      here and in 3, and withdrawn in 5 as present pages);
 *   2. isolate its pageblocks (pmm_isolate_range(): frees stay off the
 *      allocatable lists);
 *   3. move every allocated block through the platform's migrate hook,
 *      with no lock held (the hook's copy lands outside: the range's
 *      pageblocks are isolated);
 *   4. get the zone's smaller metadata when the span shrinks at an edge;
 *   5. withdraw the free pages (pmm_zone_withdraw()), shrink the span.
 *
 * Without a migrate hook an allocated page fails the call in step 1 too.
 * A failure in 2-5 releases the isolation: every page is free or
 * allocated as before (blocks the hook moved stay moved), the counts and
 * pair bitmaps are as before, but the free lists may be in another order
 * (as after a failed pmm_cma_alloc()).
 */
#include <pmm/contig.h>

#include "elastic_internal.h"

#define WHAT "memory_offline"

/*
 * Return: the first pfn of [@s, @e) that is reserved or outside @zone -
 * or, when nothing can move (@movers false), in an allocated block - or @e.
 */
static pmm_pfn_t first_stuck(const struct pmm_zone *zone, pmm_pfn_t s,
			     pmm_pfn_t e, bool movers)
{
	for (pmm_pfn_t p = hp_skip_own_memmap(s); p < e; p = hp_skip_own_memmap(p)) {
		pmm_pfn_t head;
		pmm_order_t order;
		uint32_t state = pmm_zone_spans(zone, p)
					 ? pmm_zone_block_at(p, &head, &order) : 0;
		if (state == 0 || (state == PMM_PG_ALLOC_HEAD && !movers))
			return p;
		p = head + hp_order_pages(order);
	}
	return e;
}

/* Return: the first pfn of a CMA pageblock in [@s, @e), or @e. */
static pmm_pfn_t first_cma(const struct pmm_zone *zone, pmm_pfn_t s,
			   pmm_pfn_t e)
{
	for (pmm_pfn_t p = s; p < e; p += PMM_PAGEBLOCK_PAGES)
		if ((pmm_pageblock_type(zone, p) & PMM_PB_CMA) != 0)
			return p;
	return e;
}

/*
 * Move every block still allocated in [@s, @e) (isolated) through the
 * migrate hook. Return: 0, or PMM_EBUSY with the block that stayed in
 * *@bad, *@order.
 */
static int evacuate(pmm_pfn_t s, pmm_pfn_t e, pmm_pfn_t *bad,
		    pmm_order_t *order)
{
	const struct pmm_platform *plat = pmm_platform_get();
	pmm_pfn_t drained_at = e; /* the per-CPU block this CPU's lists last gave back */
	for (pmm_pfn_t p = hp_skip_own_memmap(s); p < e; p = hp_skip_own_memmap(p)) {
		pmm_pfn_t h, h2;
		pmm_order_t o, o2;
		uint32_t state = pmm_zone_block_at(p, &h, &o);
		*bad = h;
		*order = o;
		if (state == PMM_PG_BUDDY) {
			p = h + hp_order_pages(o);
			continue;
		}
		if (state == PMM_PG_PCP && drained_at != h) {
			pmm_pcp_drain_cpu(pmm_cpu_id()); /* this CPU's list may hold it */
			drained_at = h; /* still there after this: another CPU's */
			continue;
		}
		if (state != PMM_PG_ALLOC_HEAD || plat->migrate == NULL ||
		    plat->migrate(plat->ctx, h, o) != 0)
			return PMM_EBUSY;
		if (pmm_zone_block_at(h, &h2, &o2) == PMM_PG_ALLOC_HEAD && h2 == h)
			return PMM_EBUSY; /* the hook said moved, but did not free */
	}
	return 0;
}

/* Mark blocks [@first, +@n) offline; boot blocks start counting as blocks. */
static void mark_offline(struct pmm_zone *zone, unsigned int first,
			 unsigned int n)
{
	for (unsigned int i = first; i < first + n; i++) {
		struct hp_block *b = &pmm_hp.block[i];
		if ((b->flags & HP_COUNTED) == 0)
			pmm_hp.base_present[zone->node][zone->type] -= hp_block_pages();
		b->state = PMM_BLOCK_OFFLINE;
		b->flags |= HP_COUNTED;
	}
}

/* Steps 3-5 on the isolated range. Return: 0 or the error, logged. */
static int offline_isolated(struct pmm_zone *zone, unsigned int first,
			    unsigned int n)
{
	pmm_pfn_t s = hp_block_pfn(first), e = hp_block_pfn(first + n);
	pmm_pfn_t bad, lo, hi;
	pmm_order_t order;
	if (evacuate(s, e, &bad, &order) != 0)
		return hp_fail(PMM_EBUSY, WHAT, first, n,
			       "pfn 0x%llx (order %u) cannot be moved",
			       (unsigned long long)bad, order);
	struct hp_meta m;
	void *bitmap;
	if (hp_zone_shrink_prepare(zone, first, n, &lo, &hi, &m, &bitmap) != 0)
		return hp_fail(PMM_ENOMEM, WHAT, first, n,
			       "no memory for the zone's smaller metadata");
	if (pmm_zone_withdraw(zone, s, e, &bad) != 0) {
		hp_meta_free(&m);
		return hp_fail(PMM_EBUSY, WHAT, first, n,
			       "pfn 0x%llx was taken meanwhile (another CPU's list)",
			       (unsigned long long)bad);
	}
	hp_zone_shrink_commit(zone, lo, hi, &m, bitmap);
	mark_offline(zone, first, n);
	hp_watermarks_follow();
	return 0;
}

static int offline_gated(unsigned int first, unsigned int n)
{
	const struct hp_block *b = &pmm_hp.block[first];
	if (!hp_blocks_are(first, n, PMM_BLOCK_ONLINE))
		return hp_fail(PMM_ESTATE, WHAT, first, n, "a block is not online");
	if (!hp_blocks_share_zone(first, n))
		return hp_fail(PMM_ERANGE, WHAT, first, n,
			       "blocks of two zones or nodes: offline each alone");
	struct pmm_zone *zone = &pmm_nodes[b->nid].zones[b->zone];
	pmm_pfn_t s = hp_block_pfn(first), e = hp_block_pfn(first + n);
	pmm_pfn_t bad = first_stuck(zone, s, e, true);
	if (bad != e)
		return hp_fail(PMM_EBUSY, WHAT, first, n,
			       "pfn 0x%llx is reserved: the range is not removable",
			       (unsigned long long)bad);
	bad = first_stuck(zone, s, e, pmm_platform_get()->migrate != NULL);
	if (bad != e)
		return hp_fail(PMM_EBUSY, WHAT, first, n,
			       "pfn 0x%llx is allocated and the platform has no migrate hook",
			       (unsigned long long)bad);
	bad = first_cma(zone, s, e);
	if (bad != e)
		return hp_fail(PMM_EBUSY, WHAT, first, n,
			       "pfn 0x%llx is in a CMA region", (unsigned long long)bad);
	if (pmm_isolate_range(s, e - s) != 0)
		return hp_fail(PMM_EBUSY, WHAT, first, n,
			       "a pageblock is isolated already");
	int err = offline_isolated(zone, first, n);
	if (err != 0) {
		int undo = pmm_undo_isolate_range(s, e - s);
		PMM_ASSERT(undo == 0, "release of [0x%llx, 0x%llx): %d",
			   (unsigned long long)s, (unsigned long long)e, undo);
		(void)undo;
	}
	return err;
}

/**
 * pmm_memory_offline - take online blocks out of the buddy allocator
 * (pmm/elastic.h).
 * Return: 0 or the documented error; nothing changes on error (blocks the
 * migrate hook moved stay moved).
 * Locking: the one-call gate; zone locks in turn, none across the hook.
 */
int pmm_memory_offline(pmm_phys_t start, uint64_t size)
{
	unsigned int first, n;
	int err = hp_range(WHAT, start, size, &first, &n);
	if (err == 0)
		err = hp_enter(WHAT);
	if (err != 0)
		return err;
	err = offline_gated(first, n);
	hp_leave();
	return err;
}
