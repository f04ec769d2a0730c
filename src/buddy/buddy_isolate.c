/* SPDX-License-Identifier: MIT */
/*
 * buddy_isolate.c - isolated pageblocks (Linux's MIGRATE_ISOLATE): a range
 * whose free pages no allocation takes, and whose pages freed later stay
 * off the allocatable lists, until pmm_alloc_range() takes them or
 * pmm_undo_isolate_range() releases the range. The base of CMA and of
 * memory offlining.
 *
 * An isolated pageblock keeps its type in its byte with PMM_PB_ISOLATE
 * set; its free blocks lie on the list PMM_MT_ISOLATE of their order
 * (pmm_free_type() maps the byte to it, so every free path - the buddy
 * core, per-CPU drains, the hand-off - lists them there without a test of
 * its own). The buddy core never merges a block of an isolated pageblock
 * with one of a pageblock that is not (buddy_merge_type_locked()), so no
 * free block crosses the edge; undoing the isolation lists the free blocks
 * under their types again and coalesces them.
 *
 * Locking: the zone lock; isolating first gives back this CPU's per-CPU
 * lists (another CPU's blocks in the range go to the isolated lists when
 * they are drained; pmm_pcp_drain_cpu() is the platform's to call).
 */
#include <pmm/contig.h>

#include "buddy_internal.h"

/* The pageblock byte of @pfn, and a store of it. Zone lock held. */
static uint8_t *pb_byte(const struct pmm_zone *zone, pmm_pfn_t pfn)
{
	return &zone->pageblock_mt[(pfn - zone->map_base) >> PMM_PAGEBLOCK_ORDER];
}

static void pb_store_locked(const struct pmm_zone *zone, pmm_pfn_t pfn,
			    uint8_t b)
{
	PMM_ASSERT_LOCKED(&zone->lock);
	__atomic_store_n(pb_byte(zone, pfn), b, __ATOMIC_RELAXED);
}

static bool pb_isolated(const struct pmm_zone *zone, pmm_pfn_t pfn)
{
	return (pmm_pageblock_type(zone, pfn) & PMM_PB_ISOLATE) != 0;
}

/* [@lo, @hi): the pageblocks meeting [@pfn, +@nr), clipped to @zone. */
static void pb_span(const struct pmm_zone *zone, pmm_pfn_t pfn, uint64_t nr,
		    pmm_pfn_t *lo, pmm_pfn_t *hi)
{
	pmm_pfn_t a = pfn & ~(PMM_PAGEBLOCK_PAGES - 1);
	pmm_pfn_t b = (pfn + nr + PMM_PAGEBLOCK_PAGES - 1) &
		      ~(PMM_PAGEBLOCK_PAGES - 1);
	*lo = a > zone->start_pfn ? a : zone->start_pfn;
	*hi = b < zone->end_pfn ? b : zone->end_pfn;
}

/*
 * The arguments of the public calls: the zone of [@pfn, +@nr) and its
 * pageblocks [*@lo, *@hi). Return: 0, PMM_EINVAL (zero pages) or
 * PMM_ERANGE (pmm_buddy_range_zone() refused it).
 */
static int pb_args(pmm_pfn_t pfn, uint64_t nr, struct pmm_zone **zone,
		   pmm_pfn_t *lo, pmm_pfn_t *hi)
{
	if (nr == 0)
		return PMM_EINVAL;
	*zone = pmm_buddy_range_zone(pfn, nr);
	if (*zone == NULL)
		return PMM_ERANGE;
	pb_span(*zone, pfn, nr, lo, hi);
	return 0;
}

/* Return: how many pageblocks of [@lo, @hi) are isolated. */
static uint64_t pb_count_isolated(const struct pmm_zone *zone, pmm_pfn_t lo,
				  pmm_pfn_t hi)
{
	uint64_t n = 0;
	for (pmm_pfn_t p = lo; p < hi;
	     p = (p | (PMM_PAGEBLOCK_PAGES - 1)) + 1)
		n += pb_isolated(zone, p);
	return n;
}

/* Return: pageblocks meeting [@lo, @hi). */
static uint64_t pb_count(pmm_pfn_t lo, pmm_pfn_t hi)
{
	return ((hi - 1) >> PMM_PAGEBLOCK_ORDER) - (lo >> PMM_PAGEBLOCK_ORDER) + 1;
}

/*
 * The block holding pfn @at when it starts before @at and reaches past it:
 * a free one is split there (true), a per-CPU or allocated one cannot be
 * (false: its owner frees it by its order). Zone lock held.
 */
static bool split_at_locked(struct pmm_zone *zone, pmm_pfn_t at, bool commit)
{
	PMM_ASSERT_LOCKED(&zone->lock);
	if (at <= zone->start_pfn || at >= zone->end_pfn)
		return true;
	pmm_pfn_t h = pmm_buddy_block_of_locked(zone, at);
	const struct pmm_page *d = &pmm_mem_map[h];
	uint32_t state = d->info & PMM_PG_STATE_MASK;
	if (h == at || state == 0)
		return true;
	if (state != PMM_PG_BUDDY)
		return false;
	if (commit) {
		pmm_pfn_t end = h + pmm_order_pages(pmm_page_order(d));
		pmm_buddy_carve_locked(zone, h, pmm_page_order(d), at, end, true);
	}
	return true;
}

/*
 * Return: the next free head of [*@q, @hi) (none crosses an edge), and
 * *@q moved past it; @hi when none is left. Zone lock held.
 */
static pmm_pfn_t next_free_locked(const struct pmm_zone *zone, pmm_pfn_t *q,
				  pmm_pfn_t hi)
{
	PMM_ASSERT_LOCKED(&zone->lock);
	while (*q < hi) {
		pmm_pfn_t h = pmm_buddy_block_of_locked(zone, *q);
		uint32_t info = pmm_mem_map[h].info;
		if ((info & PMM_PG_STATE_MASK) == 0) {
			(*q)++;
			continue;
		}
		*q = h + pmm_order_pages(pmm_page_order(&pmm_mem_map[h]));
		if ((info & PMM_PG_STATE_MASK) == PMM_PG_BUDDY)
			return h;
	}
	return hi;
}

/*
 * Move every free block of [@lo, @hi) from list @from - or, with @from ==
 * PMM_MT_LISTS, from its pageblock's list - to list @to (PMM_MT_LISTS:
 * its pageblock's list). Zone lock held.
 */
static void move_free_locked(struct pmm_zone *zone, pmm_pfn_t lo, pmm_pfn_t hi,
			     unsigned int from, unsigned int to)
{
	PMM_ASSERT_LOCKED(&zone->lock);
	pmm_pfn_t q = lo, h;
	while ((h = next_free_locked(zone, &q, hi)) < hi) {
		struct pmm_page *d = &pmm_mem_map[h];
		pmm_order_t k = pmm_page_order(d);
		pmm_list_del_locked(zone, k,
				    from < PMM_MT_LISTS ? from : pmm_free_type(zone, h), d);
		pmm_list_move_in_locked(zone, k,
				    to < PMM_MT_LISTS ? to : pmm_free_type(zone, h), h);
	}
}

/* Coalesce every free block of [@lo, @hi) with its free buddies. */
static void merge_free_locked(struct pmm_zone *zone, pmm_pfn_t lo, pmm_pfn_t hi)
{
	PMM_ASSERT_LOCKED(&zone->lock);
	pmm_pfn_t q = lo, h;
	while ((h = next_free_locked(zone, &q, hi)) < hi) {
		struct pmm_page *d = &pmm_mem_map[h];
		pmm_order_t k = pmm_page_order(d);
		unsigned int mt = pmm_free_type(zone, h);
		pmm_buddy_unmark_locked(zone, h, k);
		pmm_list_del_locked(zone, k, mt, d);
		pmm_page_clear(d);
		if (k < PMM_MAX_ORDER)
			pmm_pair_toggle(zone, k, h);
		buddy_merge_locked(zone, h, k, mt);
	}
}

/* Set or clear PMM_PB_ISOLATE on the pageblocks of [@lo, @hi). */
static void pb_mark_locked(struct pmm_zone *zone, pmm_pfn_t lo, pmm_pfn_t hi,
			   bool on)
{
	PMM_ASSERT_LOCKED(&zone->lock);
	for (pmm_pfn_t p = lo; p < hi; p = (p | (PMM_PAGEBLOCK_PAGES - 1)) + 1) {
		uint8_t b = *pb_byte(zone, p);
		pb_store_locked(zone, p, (uint8_t)(on ? b | PMM_PB_ISOLATE
						     : b & ~PMM_PB_ISOLATE));
	}
}

/* Isolate [@lo, @hi) of @zone. Return: 0 or PMM_EBUSY. Zone lock held. */
int pmm_isolate_locked(struct pmm_zone *zone, pmm_pfn_t lo, pmm_pfn_t hi)
{
	PMM_ASSERT_LOCKED(&zone->lock);
	if (pb_count_isolated(zone, lo, hi) != 0)
		return PMM_EBUSY;
	if (!split_at_locked(zone, lo, false) || !split_at_locked(zone, hi, false))
		return PMM_EBUSY;
	pmm_buddy_settle_locked(zone);
	split_at_locked(zone, lo, true);
	split_at_locked(zone, hi, true);
	move_free_locked(zone, lo, hi, PMM_MT_LISTS, PMM_MT_ISOLATE);
	pb_mark_locked(zone, lo, hi, true);
	buddy_validate_due_locked(zone);
	return 0;
}

/*
 * Release [@lo, @hi) of @zone: free blocks reaching over an edge (into
 * pageblocks that stay isolated) are split there first.
 * Return: 0, PMM_ESTATE or PMM_EBUSY. Zone lock held.
 */
int pmm_undo_isolate_locked(struct pmm_zone *zone, pmm_pfn_t lo,
			    pmm_pfn_t hi)
{
	PMM_ASSERT_LOCKED(&zone->lock);
	if (pb_count_isolated(zone, lo, hi) != pb_count(lo, hi))
		return PMM_ESTATE;
	if (!split_at_locked(zone, lo, false) || !split_at_locked(zone, hi, false))
		return PMM_EBUSY;
	split_at_locked(zone, lo, true);
	split_at_locked(zone, hi, true);
	pb_mark_locked(zone, lo, hi, false);
	move_free_locked(zone, lo, hi, PMM_MT_ISOLATE, PMM_MT_LISTS);
	merge_free_locked(zone, lo, hi);
	buddy_validate_due_locked(zone);
	return 0;
}

/**
 * pmm_isolate_range - isolate the pageblocks meeting [@pfn, +@nr_pages)
 * (pmm/contig.h).
 * Return: 0, PMM_EINVAL, PMM_ERANGE, PMM_EBUSY (one is isolated already, or
 * an allocated or per-CPU block crosses an edge); nothing changes on error.
 * Locking: the zone lock, after this CPU's per-CPU lists went back.
 */
int pmm_isolate_range(pmm_pfn_t pfn, uint64_t nr_pages)
{
	pmm_deferred_settle_range(pfn, pfn + nr_pages); /* reads descriptors by pfn */
	pmm_pfn_t lo, hi;
	struct pmm_zone *zone;
	int err = pb_args(pfn, nr_pages, &zone, &lo, &hi);
	if (err != 0)
		return err;
	zone_lock(zone);
	bool busy = pb_count_isolated(zone, lo, hi) != 0;
	zone_unlock(zone);
	if (busy)
		return PMM_EBUSY;
	pmm_pcp_drain_local();
	zone_lock(zone);
	err = pmm_isolate_locked(zone, lo, hi);
	zone_unlock(zone);
	return err;
}

/**
 * pmm_undo_isolate_range - release the isolated pageblocks meeting
 * [@pfn, +@nr_pages) (pmm/contig.h): their free blocks go back on the
 * lists of their types and coalesce.
 * Return: 0, PMM_EINVAL, PMM_ERANGE, PMM_ESTATE (a pageblock not isolated:
 * a double release), PMM_EBUSY (an allocated block above the pageblock
 * order crosses an edge); nothing changes on error. Locking: the zone lock.
 */
int pmm_undo_isolate_range(pmm_pfn_t pfn, uint64_t nr_pages)
{
	pmm_deferred_settle_range(pfn, pfn + nr_pages); /* reads descriptors by pfn */
	pmm_pfn_t lo, hi;
	struct pmm_zone *zone;
	int err = pb_args(pfn, nr_pages, &zone, &lo, &hi);
	if (err != 0)
		return err;
	zone_lock(zone);
	err = pmm_undo_isolate_locked(zone, lo, hi);
	zone_unlock(zone);
	return err;
}

/**
 * pmm_range_is_isolated - whether every pageblock meeting
 * [@pfn, +@nr_pages) is isolated (false for a bad range).
 * Locking: none (a snapshot of the pageblock bytes).
 */
bool pmm_range_is_isolated(pmm_pfn_t pfn, uint64_t nr_pages)
{
	pmm_deferred_settle_range(pfn, pfn + nr_pages); /* reads descriptors by pfn */
	pmm_pfn_t lo, hi;
	struct pmm_zone *zone;
	if (pb_args(pfn, nr_pages, &zone, &lo, &hi) != 0)
		return false;
	return pb_count_isolated(zone, lo, hi) == pb_count(lo, hi);
}
