/* SPDX-License-Identifier: MIT */
/*
 * buddy_handoff.c - how pages enter the buddy allocator: the hand-off from
 * an early allocator (seed 001), late frees and init sections (seed 003),
 * and the "is this page reserved?" queries those rely on.
 *
 * Both entries cut a pfn range at zone boundaries and into maximal
 * naturally aligned blocks; each block is freed exactly as seed 001 says -
 * its head made an allocated head of refcount 1, then dropped - so the
 * buddy core (buddy_put_locked(), inline) coalesces it with what is there.
 * The hand-off trusts its caller (bootmem's or memblock's retirement) and
 * reads only block heads, O(blocks); late frees prove every page reserved
 * first, O(pages). The zones' managed counts grow here, and with them the
 * per-CPU defaults (pcp.c) and the fast path's zone (zone.c).
 *
 * Locking: each zone's lock in turn. Hand-offs of different nodes may
 * run at once on several CPUs (the boot's jobs, pmm_run_jobs()): they
 * share no state outside their zones.
 */
#include <pmm/debug.h>

#include "buddy_internal.h"

static inline pmm_order_t lowest_bit_order(pmm_pfn_t pfn)
{
	return (pmm_order_t)__builtin_ctzll(pfn);
}

static inline pmm_order_t floor_log2(pmm_pfn_t n)
{
	return (pmm_order_t)(63 - __builtin_clzll(n));
}

/* Largest naturally aligned block at @pfn that fits in [@pfn, @end). */
static inline pmm_order_t max_block_order(pmm_pfn_t pfn, pmm_pfn_t end)
{
	pmm_order_t k = floor_log2(end - pfn);
	if (pfn != 0 && lowest_bit_order(pfn) < k)
		k = lowest_bit_order(pfn);
	return k < PMM_MAX_ORDER ? k : PMM_MAX_ORDER;
}

/*
 * Heads of maximal blocks lie 2^k descriptors apart, each on its own page
 * of the descriptor array at the top order: fetch the head a few blocks
 * ahead of @pfn (order @k), for writing (both passes end up writing it),
 * so that its cache and TLB misses overlap.
 */
#define HANDOFF_PREFETCH_BLOCKS 16

static inline void prefetch_head(pmm_pfn_t pfn, pmm_order_t k, pmm_pfn_t end)
{
	pmm_pfn_t ahead = pfn + ((pmm_pfn_t)HANDOFF_PREFETCH_BLOCKS << k);
	if (ahead < end)
		__builtin_prefetch(&pmm_mem_map[ahead], 1);
}

/*
 * Free [@start, @end), all inside @zone, in maximal aligned blocks, each
 * as seed 001 does: head = PMM_PG_ALLOC_HEAD | order, refcount 1, then freed.
 */
static void zone_free_blocks_locked(struct pmm_zone *zone, pmm_pfn_t start,
				    pmm_pfn_t end)
{
	while (start < end) {
		pmm_order_t k = max_block_order(start, end);
		struct pmm_page *head = &pmm_mem_map[start];
		prefetch_head(start, k, end);
		head->info = PMM_PG_ALLOC_HEAD | PMM_PG_REF_ONE | k;
		zone->managed += pmm_order_pages(k);
		pmm_page_clear(head); /* the refcount drops to zero */
		if (pmm_debug_poison_on())
			pmm_poison_block(start, k);
		buddy_put_locked(zone, start, k);
		start += pmm_order_pages(k);
	}
}

/*
 * Free [@start, @end), all inside @zone: its top-order blocks [a, b)
 * deferred when pmm_deferred_plan_locked() says so (buddy_deferred.c),
 * the rest block by block, in the order of addresses either way.
 */
static uint64_t zone_free_span(struct pmm_zone *zone, pmm_pfn_t start,
			       pmm_pfn_t end)
{
	uint64_t pages = end - start;
	pmm_pfn_t a, b;
	zone_lock(zone);
	if (pmm_deferred_plan_locked(zone, start, end, &a, &b)) {
		zone_free_blocks_locked(zone, start, a);
		pmm_deferred_add_locked(zone, a, b);
		zone_free_blocks_locked(zone, b, end);
	} else {
		zone_free_blocks_locked(zone, start, end);
	}
	zone_unlock(zone);
	pmm_pcp_update_zone(zone);
	/* It reads only the default node's zones: hand-off jobs of other
	 * nodes, on other CPUs, leave them alone. */
	if (zone->node == pmm_node_default_id)
		pmm_zone_fast_update();
	return pages;
}

/*
 * Return: whether head @pfn's descriptor is blank, read after a write
 * access that changes nothing (x86: an unlocked "or" of 0). Where the
 * descriptor array is faulted in lazily (the simulator's), the first touch
 * of its page is then one write fault, not a read fault on the shared
 * zero page and a copy-on-write fault when the hand-off writes the head a
 * moment later; a kernel's mapped array loses nothing, the line is wanted
 * for writing anyway.
 */
static inline bool head_is_blank_for_write(pmm_pfn_t pfn)
{
	struct pmm_page *head = &pmm_mem_map[pfn];
#if defined(__x86_64__) || defined(__i386__)
	__asm__ volatile("orl $0, %0" : "+m"(head->info));
#endif
	return pmm_page_is_blank(head);
}

/* Return: the first head of [@start, @stop) (blocks as the hand-off
 * cuts them) that is not blank, or @stop. */
static pmm_pfn_t first_used_head_in(pmm_pfn_t start, pmm_pfn_t stop)
{
	while (start < stop) {
		pmm_order_t k = max_block_order(start, stop);
		prefetch_head(start, k, stop);
		if (!head_is_blank_for_write(start))
			return start;
		start += pmm_order_pages(k);
	}
	return stop;
}

/*
 * The heads of [@start, @stop), inside @zone, that the hand-off will write
 * now: the blocks it defers are proven when they are written
 * (buddy_deferred.c). A range that meets a span settles it first, so that
 * its heads are read like any others. Return: the first not blank, or @stop.
 */
static pmm_pfn_t zone_first_used_head(struct pmm_zone *zone, pmm_pfn_t start,
				      pmm_pfn_t stop)
{
	pmm_pfn_t a, b;
	zone_lock(zone);
	pmm_deferred_settle_meeting_locked(zone, start, stop);
	bool defer = pmm_deferred_plan_locked(zone, start, stop, &a, &b);
	zone_unlock(zone);
	if (!defer)
		return first_used_head_in(start, stop);
	pmm_pfn_t bad = first_used_head_in(start, a);
	if (bad != a)
		return bad;
	return first_used_head_in(b, stop);
}

/*
 * Return: the first block head of the hand-off of [@start, @end) whose
 * descriptor is not blank (a page handed over twice), or @end. O(blocks).
 */
static pmm_pfn_t first_used_head(pmm_pfn_t start, pmm_pfn_t end)
{
	if (!PMM_CHECKS)
		return end; /* the level-1 check of the hand-off */
	while (start < end) {
		struct pmm_zone *zone = pmm_pfn_zone_fast(start);
		pmm_pfn_t stop = zone->end_pfn < end ? zone->end_pfn : end;
		pmm_pfn_t bad = zone_first_used_head(zone, start, stop);
		if (bad != stop)
			return bad;
		start = stop;
	}
	return end;
}

/* Free [@start, @end), every page in a zone, zone by zone. Return: pages. */
static uint64_t free_span(pmm_pfn_t start, pmm_pfn_t end)
{
	uint64_t pages = 0;
	while (start < end) {
		struct pmm_zone *zone = pmm_pfn_zone_fast(start);
		pmm_pfn_t stop = zone->end_pfn < end ? zone->end_pfn : end;
		pages += zone_free_span(zone, start, stop);
		start = stop;
	}
	return pages;
}

/*
 * Free [@start, @end) unless the proof found @bad (!= @end), a page that
 * @why; *@freed (if not NULL) += pages freed.
 * Return: 0, or PMM_EDOUBLEFREE reported for @func.
 */
static int free_span_proved(pmm_pfn_t start, pmm_pfn_t end, pmm_pfn_t bad,
			    const char *why, const char *func, uint64_t *freed)
{
	if (bad != end)
		return pmm_bug(PMM_EDOUBLEFREE, func,
			       "range [0x%llx, 0x%llx): pfn 0x%llx %s (info 0x%x)",
			       ULL(start), ULL(end), ULL(bad), why,
			       pmm_mem_map[bad].info);
	uint64_t pages = free_span(start, end);
	if (freed != NULL)
		*freed += pages;
	return 0;
}

/**
 * pmm_buddy_handoff_range - give never-seen pages [@start, @end) to the
 * buddy allocator (see buddy.h). pfn 0 is skipped silently: it is never
 * managed. Cost: O(blocks), split at zone boundaries; only the block heads
 * are read, so a head already in use is caught (PMM_EDOUBLEFREE, reported;
 * a level-1 check, PMM_CHECKS) but a page inside a block is trusted.
 * Return: 0, PMM_EINVAL (reversed range), PMM_ERANGE (a page in no zone or
 * beyond the descriptors), PMM_EDOUBLEFREE; nothing is handed on error.
 * Locking: each zone's lock in turn.
 */
int pmm_buddy_handoff_range(pmm_pfn_t start, pmm_pfn_t end, uint64_t *freed)
{
	if (start > end)
		return PMM_EINVAL;
	if (start == 0)
		start = 1;
	if (start >= end)
		return 0;
	if (!pmm_zones_cover(start, end, NULL))
		return PMM_ERANGE;
	return free_span_proved(start, end, first_used_head(start, end),
				"handed over twice", __func__, freed);
}

/**
 * pmm_pfn_is_reserved - is @pfn in no free, per-CPU or allocated block?
 * A pfn beyond the descriptors is. Return: true if so.
 * Locking: takes @pfn's zone lock.
 */
bool pmm_pfn_is_reserved(pmm_pfn_t pfn)
{
	if (pfn >= pmm_max_pfn)
		return true;
	struct pmm_zone *zone = pmm_pfn_zone_fast(pfn);
	if (zone == NULL)
		return pmm_page_is_blank(&pmm_mem_map[pfn]);
	zone_lock(zone);
	bool reserved = pmm_page_is_blank(&pmm_mem_map[pfn]) &&
			pmm_buddy_block_head_locked(zone, pfn) == pfn &&
			!pmm_deferred_overlaps_locked(zone, pfn, pfn + 1);
	zone_unlock(zone);
	return reserved;
}

/* Return: the first pfn of [@start, @end) that is not reserved, or @end. */
static pmm_pfn_t first_unreserved(pmm_pfn_t start, pmm_pfn_t end)
{
	if (!pmm_pfn_is_reserved(start))
		return start;
	/* Any block that meets the range either holds start or has its head
	 * inside the range. */
	for (pmm_pfn_t pfn = start + 1; pfn < end; pfn++)
		if (!pmm_page_is_blank(&pmm_mem_map[pfn]))
			return pfn;
	return end;
}

/**
 * pmm_first_unreserved - the first pfn of [@start, @end) in a free,
 * per-CPU or allocated block (O(pages) descriptor reads).
 * Return: that pfn, or @end when all are reserved.
 * Locking: the zone lock of @start's zone, once.
 */
pmm_pfn_t pmm_first_unreserved(pmm_pfn_t start, pmm_pfn_t end)
{
	/* Pages past the descriptors are in no block, as pmm_pfn_is_reserved() says. */
	pmm_pfn_t stop = end < pmm_max_pfn ? end : pmm_max_pfn;
	if (start >= stop)
		return end;
	pmm_deferred_settle_range(start, stop); /* reads descriptors by pfn */
	pmm_pfn_t bad = first_unreserved(start, stop);
	return bad == stop ? end : bad;
}

/**
 * pmm_buddy_free_range - give reserved pages [@start, @end) to the buddy
 * allocator (late frees, init sections), after proving each is reserved
 * and in a zone (O(pages) reads). pfn 0 is refused: PMM_ERANGE.
 * Return: 0, PMM_EINVAL (empty or reversed), PMM_ERANGE (pfn 0, beyond the
 * descriptors, or in no zone), PMM_EDOUBLEFREE (a page is free or allocated,
 * also reported); nothing changes on error.
 * Locking: each zone's lock in turn; the caller must not race other frees
 * of the same range.
 */
int pmm_buddy_free_range(pmm_pfn_t start, pmm_pfn_t end, uint64_t *freed)
{
	if (start >= end)
		return PMM_EINVAL;
	if (start == 0)
		return PMM_ERANGE;
	if (!pmm_zones_cover(start, end, NULL))
		return PMM_ERANGE;
	pmm_deferred_settle_range(start, end); /* reads descriptors by pfn */
	return free_span_proved(start, end, first_unreserved(start, end),
				"is not reserved", __func__, freed);
}
