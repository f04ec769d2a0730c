/* SPDX-License-Identifier: MIT */
/*
 * buddy_deferred.c - deferred top-order blocks: a hand-off that counts
 * the maximal blocks in the middle of a range as free without writing
 * their descriptors, as Linux defers the struct pages of large nodes
 * (DEFERRED_STRUCT_PAGE_INIT) - except that nothing a caller can see
 * changes: counts, lists and the order of allocation stay those of the
 * hand-off that writes every head. Off by default (pmm_buddy_set_deferred(),
 * or pmm_boot_config.deferred).
 *
 * A span (struct pmm_zone_deferred, in the zone) is a run of top-order
 * blocks that an ordinary hand-off would have pushed one by one on the
 * head of list (PMM_MAX_ORDER, mt), ending with the highest on top. Only
 * that highest block is written and listed. When it leaves the list - an
 * allocation, a claim, an isolation, anything that unlinks it - the next
 * lower block is written and linked where it was (pmm_list_del_locked()'s
 * one hook: a compare of the order and of the zone's span count), so the
 * list reads as if every block had been there all along. A boot that
 * touches only what it allocates writes one descriptor per block taken,
 * not one per block of memory: on a 12 TiB machine, a few thousand pages
 * of descriptors instead of 3 million.
 *
 * Whatever reads descriptors by pfn rather than by list (contiguous
 * ranges, isolation, hotplug, reports by pfn, the proof of reserved pages,
 * a free refused) settles first: pmm_buddy_deferred_finish(), or
 * pmm_deferred_settle_range() for the zones a range meets, writes and
 * links every waiting block where it waits, O(blocks), once.
 *
 * The hand-off's level-1 proof reads each head it hands over; a deferred
 * block's head is proven blank when it is written instead. One found in
 * use then (a range handed over while part of it was in use) is reported
 * (PMM_EDOUBLEFREE) and left out: no longer counted free or managed.
 *
 * Locking: the zone lock for a zone's spans; pmm_deferred_spans, the
 * count over all zones, is a relaxed atomic so that walkers test it
 * without a lock.
 */
#include <pmm/debug.h>

#include "buddy_internal.h"

#ifndef PMM_DEFERRED_DEFAULT
#define PMM_DEFERRED_DEFAULT 0
#endif

#define TOP_PAGES pmm_order_pages(PMM_MAX_ORDER)

bool pmm_buddy_deferred_on = PMM_DEFERRED_DEFAULT;
uint32_t pmm_deferred_spans;

static inline void spans_add(int32_t n)
{
	__atomic_add_fetch(&pmm_deferred_spans, (uint32_t)n, __ATOMIC_RELAXED);
}

void pmm_buddy_deferred_reset(void)
{
	pmm_buddy_deferred_on = PMM_DEFERRED_DEFAULT;
}

/* Return: whether every pageblock of [@a, @b) is of type @mt. */
static bool pageblocks_are(const struct pmm_zone *zone, pmm_pfn_t a,
			   pmm_pfn_t b, unsigned int mt)
{
	for (pmm_pfn_t p = a; p < b; p += PMM_PAGEBLOCK_PAGES)
		if (pmm_free_type(zone, p) != mt)
			return false;
	return true;
}

bool pmm_deferred_plan_locked(const struct pmm_zone *zone, pmm_pfn_t start,
			      pmm_pfn_t end, pmm_pfn_t *a, pmm_pfn_t *b)
{
	PMM_ASSERT_LOCKED(&zone->lock);
	if (!pmm_buddy_deferred_on || pmm_debug_poison_on() ||
	    zone->deferred.nr == PMM_DEFER_SPANS)
		return false;
	*a = (start + TOP_PAGES - 1) & ~(TOP_PAGES - 1);
	*b = end & ~(TOP_PAGES - 1);
	if (*b < *a + 2 * TOP_PAGES)
		return false;
	unsigned int mt = pmm_free_type(zone, *a);
	return mt < PMM_MT_TYPES && pageblocks_are(zone, *a, *b, mt);
}

/* Write @pfn as a free head of the top order. */
static inline void write_head(pmm_pfn_t pfn)
{
	pmm_mem_map[pfn].info = PMM_PG_BUDDY | PMM_MAX_ORDER;
}

void pmm_deferred_add_locked(struct pmm_zone *zone, pmm_pfn_t a, pmm_pfn_t b)
{
	struct pmm_zone_deferred *d = &zone->deferred;
	uint32_t i = d->nr++;
	pmm_pfn_t top = b - TOP_PAGES;
	uint64_t waiting = (top - a) >> PMM_MAX_ORDER;
	PMM_ASSERT_LOCKED(&zone->lock);
	d->start[i] = a;
	d->listed[i] = top;
	d->mt[i] = (uint8_t)pmm_free_type(zone, a);
	d->waiting += waiting;
	zone->managed += b - a;
	zone_free_add_locked(zone, b - a);
	write_head(top);
	pmm_list_add_locked(zone, PMM_MAX_ORDER, d->mt[i], top);
	zone->free_area[PMM_MAX_ORDER].nr_free += waiting;
	spans_add(1);
}

/* Forget span @i of @zone (its last block is listed or gone). */
static void span_drop(struct pmm_zone *zone, uint32_t i)
{
	struct pmm_zone_deferred *d = &zone->deferred;
	uint32_t last = --d->nr;
	d->start[i] = d->start[last];
	d->listed[i] = d->listed[last];
	d->mt[i] = d->mt[last];
	spans_add(-1);
}

#define PFN_NONE (~(pmm_pfn_t)0)

/*
 * The next waiting block of span @i, its head proven blank: one in use is
 * reported and left out (no longer free or managed). Return: its pfn, or
 * PFN_NONE when none is left; the span's listed pfn and the zone's
 * waiting count follow.
 */
static pmm_pfn_t next_waiting(struct pmm_zone *zone, uint32_t i)
{
	struct pmm_zone_deferred *d = &zone->deferred;
	while (d->listed[i] != d->start[i]) {
		pmm_pfn_t pfn = d->listed[i] - TOP_PAGES;
		d->listed[i] = pfn;
		d->waiting--;
		if (pmm_page_is_blank(&pmm_mem_map[pfn]))
			return pfn;
		pmm_bug(PMM_EDOUBLEFREE, "pmm_buddy_handoff_range",
			"deferred block 0x%llx order %u in use when listed (info 0x%x): left out",
			ULL(pfn), PMM_MAX_ORDER, pmm_mem_map[pfn].info);
		zone->managed -= TOP_PAGES;
		zone_free_sub_locked(zone, TOP_PAGES);
		zone->free_area[PMM_MAX_ORDER].nr_free--;
	}
	return PFN_NONE;
}

/* Link the free head @pfn between @prev and @next (pfn + 1, 0: none) on
 * list (PMM_MAX_ORDER, @mt); it is counted already. */
static void link_between(struct pmm_zone *zone, unsigned int mt, uint32_t prev,
			 pmm_pfn_t pfn, uint32_t next)
{
	struct pmm_free_area *area = &zone->free_area[PMM_MAX_ORDER];
	struct pmm_page *page = &pmm_mem_map[pfn];
	write_head(pfn);
	page->prev = prev;
	page->next = next;
	if (prev != 0)
		pmm_mem_map[prev - 1].next = (uint32_t)(pfn + 1);
	else
		area->head[mt] = (uint32_t)(pfn + 1);
	if (next != 0)
		pmm_mem_map[next - 1].prev = (uint32_t)(pfn + 1);
	else
		area->tail[mt] = (uint32_t)(pfn + 1);
}

bool pmm_deferred_replace_locked(struct pmm_zone *zone, unsigned int mt,
				 struct pmm_page *page)
{
	struct pmm_zone_deferred *d = &zone->deferred;
	pmm_pfn_t pfn = pmm_page_to_pfn(page);
	uint32_t i = 0;
	while (i < d->nr && (d->listed[i] != pfn || d->mt[i] != mt))
		i++;
	if (i == d->nr)
		return false;
	pmm_pfn_t next = next_waiting(zone, i);
	if (next == PFN_NONE) {
		span_drop(zone, i);
		return false;
	}
	link_between(zone, mt, page->prev, next, page->next);
	zone->free_area[PMM_MAX_ORDER].nr_free--;
	if (d->listed[i] == d->start[i])
		span_drop(zone, i);
	return true;
}

/* Write and link span @i's waiting blocks behind its listed one, then drop it. */
static void settle_span(struct pmm_zone *zone, uint32_t i)
{
	unsigned int mt = zone->deferred.mt[i];
	pmm_pfn_t after = zone->deferred.listed[i];
	pmm_pfn_t pfn;
	while ((pfn = next_waiting(zone, i)) != PFN_NONE) {
		link_between(zone, mt, (uint32_t)(after + 1), pfn,
			     pmm_mem_map[after].next);
		after = pfn;
	}
	span_drop(zone, i);
}

void pmm_deferred_settle_locked(struct pmm_zone *zone)
{
	PMM_ASSERT_LOCKED(&zone->lock);
	while (zone->deferred.nr != 0)
		settle_span(zone, zone->deferred.nr - 1);
}

void pmm_deferred_settle_meeting_locked(struct pmm_zone *zone, pmm_pfn_t start,
					pmm_pfn_t end)
{
	if (pmm_deferred_overlaps_locked(zone, start, end))
		pmm_deferred_settle_locked(zone);
}

void pmm_deferred_settle_range(pmm_pfn_t start, pmm_pfn_t end)
{
	if (__atomic_load_n(&pmm_deferred_spans, __ATOMIC_RELAXED) == 0)
		return;
	struct pmm_zone *z;
	pmm_for_each_zone(z) {
		zone_lock(z);
		pmm_deferred_settle_meeting_locked(z, start, end);
		zone_unlock(z);
	}
}

bool pmm_deferred_overlaps_locked(const struct pmm_zone *zone, pmm_pfn_t start,
				  pmm_pfn_t end)
{
	const struct pmm_zone_deferred *d = &zone->deferred;
	for (uint32_t i = 0; i < d->nr; i++)
		if (start < d->listed[i] + TOP_PAGES && d->start[i] < end)
			return true;
	return false;
}

/**
 * pmm_buddy_set_deferred - hand the top-order blocks in the middle of a
 * range over without writing them (see the file comment). Switching off
 * writes every waiting block.
 * Locking: each zone's lock in turn; while no hand-off runs.
 */
void pmm_buddy_set_deferred(bool on)
{
	pmm_buddy_deferred_on = on;
	if (!on)
		pmm_buddy_deferred_finish();
}

/* Return: true while hand-offs defer. Locking: none. */
bool pmm_buddy_is_deferred(void)
{
	return pmm_buddy_deferred_on;
}

/**
 * pmm_buddy_deferred_finish - write every waiting block now (Linux's
 * page_alloc_init_late()): afterwards every free block has its head.
 * Locking: each zone's lock in turn.
 */
void pmm_buddy_deferred_finish(void)
{
	pmm_deferred_settle_range(0, PMM_PFN_LIMIT);
}

/**
 * pmm_buddy_deferred_pages - pages counted free whose blocks are not
 * written yet. Return: the total. Locking: each zone's lock in turn.
 */
uint64_t pmm_buddy_deferred_pages(void)
{
	uint64_t n = 0;
	struct pmm_zone *z;
	pmm_for_each_zone(z) {
		zone_lock(z);
		n += z->deferred.waiting << PMM_MAX_ORDER;
		zone_unlock(z);
	}
	return n;
}

uint64_t pmm_buddy_deferred_listed(const struct pmm_zone *zone, unsigned int mt)
{
	const struct pmm_zone_deferred *d = &zone->deferred;
	uint64_t n = 0;
	for (uint32_t i = 0; i < d->nr; i++)
		if (d->mt[i] == mt)
			n += (d->listed[i] - d->start[i]) >> PMM_MAX_ORDER;
	return n;
}
