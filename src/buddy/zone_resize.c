/* SPDX-License-Identifier: MIT */
/*
 * zone_resize.c - what memory hotplug (src/elastic/) needs of the buddy
 * layer: a node that grows or goes offline, a zone whose span grows or
 * shrinks onto new metadata, the withdrawal of an isolated, wholly free
 * range from a zone, and a look at the block that holds a pfn.
 *
 * A zone's metadata (pair bitmaps and pageblock types) covers
 * [map_base, end_pfn) of its span; a resize moves it onto a new buffer
 * for the new span, copying the pair bits and pageblock types of the
 * pfns both spans share, under the zone lock. The caller owns both
 * buffers (the old one may be the boot's, which nobody frees).
 *
 * Locking: one hotplug call at a time (the caller serialises them); each
 * function takes the zone lock it needs. Readers that look a zone up
 * without its lock (pmm_pfn_zone(), the pageblock type a free reads) see
 * the span change at once: resize only spans whose new pages are not
 * handed out yet, or whose removed pages are withdrawn already.
 */
#include "buddy_internal.h"

/* Return: true when an online node other than @nid overlaps [@start, @end). */
static bool node_span_taken(int nid, pmm_pfn_t start, pmm_pfn_t end)
{
	for (int i = 0; i < PMM_MAX_NUMNODES; i++) {
		const struct pmm_node *o = &pmm_nodes[i];
		if (i != nid && o->online && start < o->end_pfn &&
		    o->start_pfn < end)
			return true;
	}
	return false;
}

/**
 * pmm_node_can_cover - whether node @nid (online or not) could span
 * [@start, @end) too without meeting another online node.
 * Return: true or false; a bad @nid is false. Locking: hotplug.
 */
/* Node @nid's span widened to cover [@start, @end) (just that range for
 * an offline node), in *@lo, *@hi. Return: true when it meets no other
 * online node. */
static bool node_widened(int nid, pmm_pfn_t start, pmm_pfn_t end,
			 pmm_pfn_t *lo, pmm_pfn_t *hi)
{
	const struct pmm_node *node = &pmm_nodes[nid];
	*lo = node->online && node->start_pfn < start ? node->start_pfn : start;
	*hi = node->online && node->end_pfn > end ? node->end_pfn : end;
	return !node_span_taken(nid, *lo, *hi);
}

bool pmm_node_can_cover(int nid, pmm_pfn_t start, pmm_pfn_t end)
{
	pmm_pfn_t lo, hi;
	return nid >= 0 && nid < PMM_MAX_NUMNODES &&
	       node_widened(nid, start, end, &lo, &hi);
}

/**
 * pmm_node_grow - widen online node @nid's span to cover [@start, @end).
 * Return: 0, PMM_EINVAL (bad id, offline node, empty or reversed range,
 * past PMM_PFN_LIMIT), PMM_EOVERLAP (the wider span meets another online
 * node). Nothing changes on error. Locking: hotplug (serialised).
 */
int pmm_node_grow(int nid, pmm_pfn_t start, pmm_pfn_t end)
{
	pmm_buddy_deferred_finish(); /* reads descriptors by pfn */
	if (nid < 0 || nid >= PMM_MAX_NUMNODES || !pmm_nodes[nid].online)
		return PMM_EINVAL;
	if (start >= end || end > PMM_PFN_LIMIT)
		return PMM_EINVAL;
	pmm_pfn_t lo, hi;
	if (!node_widened(nid, start, end, &lo, &hi))
		return PMM_EOVERLAP;
	pmm_nodes[nid].start_pfn = lo;
	pmm_nodes[nid].end_pfn = hi;
	return 0;
}

/* The lowest online node, or -1. */
static int lowest_online_node(void)
{
	for (int i = 0; i < PMM_MAX_NUMNODES; i++)
		if (pmm_nodes[i].online)
			return i;
	return -1;
}

/**
 * pmm_node_offline - take node @nid offline: its zones, none of which
 * may manage a page any more, are forgotten (their metadata is the
 * caller's to free first) and the allocator stops looking at the node.
 * Return: 0, PMM_EINVAL (bad id or offline node), PMM_EBUSY (a zone of
 * it still manages pages). Nothing changes on error.
 * Locking: hotplug (serialised); takes no zone lock.
 */
int pmm_node_offline(int nid)
{
	pmm_buddy_deferred_finish(); /* reads descriptors by pfn */
	if (nid < 0 || nid >= PMM_MAX_NUMNODES || !pmm_nodes[nid].online)
		return PMM_EINVAL;
	struct pmm_node *node = &pmm_nodes[nid];
	for (int t = 0; t < PMM_NR_ZONES; t++)
		if (node->zones[t].managed != 0)
			return PMM_EBUSY;
	node->online = false;
	for (int t = 0; t < PMM_NR_ZONES; t++) {
		struct pmm_zone *zone = &node->zones[t];
		if (!zone->initialized)
			continue;
		pmm_memset(zone, 0, sizeof(*zone));
		pmm_zone_table_update(zone);
	}
	node->start_pfn = 0;
	node->end_pfn = 0;
	pmm_node_default_id = lowest_online_node();
	pmm_zone_fast_update();
	return 0;
}

/* Return: the first pfn of [@start, @end) whose descriptor is not blank, or @end. */
static pmm_pfn_t first_used(pmm_pfn_t start, pmm_pfn_t end)
{
	for (pmm_pfn_t p = start; p < end; p++)
		if (!pmm_page_is_blank(&pmm_mem_map[p]))
			return p;
	return end;
}

/* Return: true when every page of @zone's span outside [@start, @end) is blank. */
static bool span_outside_blank(const struct pmm_zone *zone, pmm_pfn_t start,
			       pmm_pfn_t end)
{
	pmm_pfn_t lo = zone->start_pfn, hi = zone->end_pfn;
	if (start >= end)
		start = end = hi; /* an empty span: all of the old one */
	pmm_pfn_t below = start < hi ? start : hi; /* [lo, below) */
	pmm_pfn_t above = end > lo ? end : lo;     /* [above, hi) */
	return first_used(lo, below) >= below && first_used(above, hi) == hi;
}

/* A zone's metadata as it was before a resize. */
struct meta_view {
	pmm_pfn_t base;                 /* map_base */
	uint64_t *pairs[PMM_MAX_ORDER]; /* pair bitmap of each order */
	uint8_t *types;                 /* pageblock bytes */
};

/* Copy the pair bits of the pairs inside [@lo, @hi) from @from into @to. */
static void copy_pair_bits(const struct meta_view *from, struct pmm_zone *to,
			   pmm_pfn_t lo, pmm_pfn_t hi)
{
	for (pmm_order_t k = 0; k < PMM_MAX_ORDER; k++) {
		for (pmm_pfn_t p = lo; p < hi; p += pmm_order_pages(k + 1)) {
			pmm_pfn_t idx = (p - from->base) >> (k + 1);
			if ((from->pairs[k][idx >> 6] >> (idx & 63)) & 1)
				pmm_pair_toggle(to, k, p);
		}
	}
}

/* Copy the pageblock bytes of [@lo, @hi) from @from into @to. */
static void copy_pageblocks(const struct meta_view *from, struct pmm_zone *to,
			    pmm_pfn_t lo, pmm_pfn_t hi)
{
	for (pmm_pfn_t p = lo; p < hi; p += PMM_PAGEBLOCK_PAGES)
		to->pageblock_mt[(p - to->map_base) >> PMM_PAGEBLOCK_ORDER] =
			from->types[(p - from->base) >> PMM_PAGEBLOCK_ORDER];
}

/* Move @zone onto span [@start, @end) and metadata @bitmap. Zone lock held. */
static void resize_locked(struct pmm_zone *zone, pmm_pfn_t start,
			  pmm_pfn_t end, uint64_t present, void *bitmap)
{
	PMM_ASSERT_LOCKED(&zone->lock);
	struct meta_view old = { .base = zone->map_base, .types = zone->pageblock_mt };
	for (pmm_order_t k = 0; k < PMM_MAX_ORDER; k++)
		old.pairs[k] = zone->free_area[k].map;
	pmm_pfn_t lo = zone->start_pfn > start ? zone->start_pfn : start;
	pmm_pfn_t hi = zone->end_pfn < end ? zone->end_pfn : end;
	zone->start_pfn = start;
	zone->end_pfn = end;
	zone->spanned = end - start;
	zone->present = present;
	pmm_zone_set_maps(zone, bitmap);
	if (lo >= hi)
		return;
	lo &= ~(pmm_order_pages(PMM_MAX_ORDER) - 1);
	copy_pair_bits(&old, zone, lo, hi);
	copy_pageblocks(&old, zone, lo & ~(PMM_PAGEBLOCK_PAGES - 1), hi);
}

/**
 * pmm_zone_resize - give set-up @zone the span [@start, @end) (empty when
 * equal) with @present usable pages, its metadata moved onto @bitmap.
 * @bitmap: zeroed, 8-byte aligned, pmm_zone_bitmap_bytes(@start, @end)
 *          bytes (NULL only for an empty span); the old buffer is the
 *          caller's to free afterwards.
 *
 * Every page of the old span outside the new one must be blank (nothing
 * free, allocated or per-CPU there). The zone table, the largest-zone
 * hint and the fast-zone hint follow.
 * Return: 0, PMM_EINVAL (zone not set up, reversed span, present above the
 * span, bad bitmap, span outside the node or past the descriptors),
 * PMM_EOVERLAP (the span meets another zone), PMM_EBUSY (a page that
 * would fall outside the span is in use). Nothing changes on error.
 * Locking: hotplug (serialised); takes the zone lock.
 */
int pmm_zone_resize(struct pmm_zone *zone, pmm_pfn_t start, pmm_pfn_t end,
		    uint64_t present, void *bitmap)
{
	pmm_buddy_deferred_finish(); /* reads descriptors by pfn */
	if (zone == NULL || !zone->initialized || start > end)
		return PMM_EINVAL;
	const struct pmm_node *node = &pmm_nodes[zone->node];
	if (end > pmm_max_pfn || present > end - start)
		return PMM_EINVAL;
	if (start < end && (start < node->start_pfn || end > node->end_pfn ||
			    bitmap == NULL))
		return PMM_EINVAL;
	if ((uintptr_t)bitmap & (sizeof(uint64_t) - 1))
		return PMM_EINVAL;
	if (pmm_zone_span_overlaps(start, end, zone))
		return PMM_EOVERLAP;
	zone_lock(zone);
	bool idle = span_outside_blank(zone, start, end);
	if (idle)
		resize_locked(zone, start, end, present, bitmap);
	zone_unlock(zone);
	if (!idle)
		return PMM_EBUSY;
	pmm_zone_table_update(zone);
	pmm_zone_fast_update();
	return 0;
}

/* Return: the first pfn of [@start, @end) neither blank nor in an
 * isolated free block that lies wholly inside the range, or @end; blank
 * pages counted in *@blank. Zone lock held. */
static pmm_pfn_t first_not_withdrawable_locked(const struct pmm_zone *zone,
					       pmm_pfn_t start, pmm_pfn_t end,
					       uint64_t *blank)
{
	PMM_ASSERT_LOCKED(&zone->lock);
	*blank = 0;
	for (pmm_pfn_t p = start; p < end;) {
		uint32_t info = pmm_mem_map[p].info;
		pmm_order_t k = info & PMM_PG_ORDER_MASK;
		if (info == 0) {
			(*blank)++;
			p++;
			continue;
		}
		if (!info_is_free_head(info, k) ||
		    pmm_free_type(zone, p) != PMM_MT_ISOLATE ||
		    p + pmm_order_pages(k) > end)
			return p;
		p += pmm_order_pages(k);
	}
	return end;
}

/* Unlink, unpair and blank the free blocks tiling [@start, @end) with
 * blank pages between. Zone lock held. */
static void withdraw_blocks_locked(struct pmm_zone *zone, pmm_pfn_t start,
				   pmm_pfn_t end)
{
	for (pmm_pfn_t p = start; p < end;) {
		struct pmm_page *page = &pmm_mem_map[p];
		if (page->info == 0) {
			p++;
			continue;
		}
		pmm_order_t k = pmm_page_order(page);
		pmm_buddy_unmark_locked(zone, p, k); /* reported: reclaimed, then gone */
		pmm_list_del_locked(zone, k, PMM_MT_ISOLATE, page);
		if ((page->info & PMM_PG_LAZY) != 0)
			pmm_buddy_lazy_forget_locked(zone, k);
		if (k < PMM_MAX_ORDER)
			pmm_pair_toggle(zone, k, p);
		pmm_page_clear(page);
		p += pmm_order_pages(k);
	}
}

/* Give the pageblocks of [@start, @end) back their fresh type. Zone lock held. */
static void reset_pageblocks_locked(struct pmm_zone *zone, pmm_pfn_t start,
				    pmm_pfn_t end)
{
	for (pmm_pfn_t p = start; p < end; p += PMM_PAGEBLOCK_PAGES)
		__atomic_store_n(&zone->pageblock_mt[(p - zone->map_base) >>
						     PMM_PAGEBLOCK_ORDER],
				 (uint8_t)PMM_MT_MOVABLE, __ATOMIC_RELAXED);
}

/**
 * pmm_zone_withdraw - take the pages [@start, @end) of @zone out of the
 * buddy allocator for good: every one must lie in a free block on the
 * isolated lists wholly inside the range (pmm_isolate_range() first, with
 * everything moved out), or be blank - a present page pmm never managed,
 * such as a hot-added block's own descriptors (memmap_on_memory). Their
 * descriptors become blank (reserved), the zone's free and managed counts
 * drop by the free pages, its present count by the range, and its
 * pageblocks lose their isolation (PMM_MT_MOVABLE, as fresh memory).
 * @start and @end must be pageblock-aligned.
 * Return: 0, PMM_EINVAL (reversed, empty or unaligned range, or outside
 * the zone's span), PMM_EBUSY with the first page that is not such a free
 * page in *@busy (if not NULL). Nothing changes on error.
 * Locking: takes the zone lock.
 */
int pmm_zone_withdraw(struct pmm_zone *zone, pmm_pfn_t start, pmm_pfn_t end,
		      pmm_pfn_t *busy)
{
	pmm_buddy_deferred_finish(); /* reads descriptors by pfn */
	if (zone == NULL || !zone->initialized || start >= end ||
	    ((start | end) & (PMM_PAGEBLOCK_PAGES - 1)) != 0 ||
	    start < zone->start_pfn || end > zone->end_pfn)
		return PMM_EINVAL;
	uint64_t pages = end - start, blank;
	zone_lock(zone);
	pmm_pfn_t bad = first_not_withdrawable_locked(zone, start, end, &blank);
	if (bad == end && (zone->managed < pages - blank || zone->present < pages))
		bad = start; /* counts would wrap: the check will say why */
	if (bad == end) {
		withdraw_blocks_locked(zone, start, end);
		zone_free_sub_locked(zone, pages - blank);
		zone->managed -= pages - blank;
		zone->present -= pages;
		reset_pageblocks_locked(zone, start, end);
		buddy_validate_due_locked(zone);
	}
	zone_unlock(zone);
	if (bad != end) {
		if (busy != NULL)
			*busy = bad;
		return PMM_EBUSY;
	}
	pmm_pcp_update_zone(zone);
	pmm_zone_fast_update();
	return 0;
}

/**
 * pmm_zone_block_at - what holds @pfn: a free block (PMM_PG_BUDDY), a
 * per-CPU one (PMM_PG_PCP), an allocated one (PMM_PG_ALLOC_HEAD) or
 * nothing (0: reserved, or in no zone); its head in *@head and order in
 * *@order (the pfn itself and 0 for a reserved page).
 * Return: that state. Locking: takes the zone lock (a snapshot).
 */
uint32_t pmm_zone_block_at(pmm_pfn_t pfn, pmm_pfn_t *head, pmm_order_t *order)
{
	pmm_deferred_settle_range(pfn, pfn + 1); /* reads descriptors by pfn */
	*head = pfn;
	*order = 0;
	struct pmm_zone *zone = pfn < pmm_max_pfn ? pmm_pfn_zone_fast(pfn) : NULL;
	if (zone == NULL)
		return 0;
	zone_lock(zone);
	pmm_pfn_t h = pmm_buddy_block_of_locked(zone, pfn);
	uint32_t info = pmm_mem_map[h].info;
	zone_unlock(zone);
	uint32_t state = info & PMM_PG_STATE_MASK;
	if (state != 0) {
		*head = h;
		*order = info & PMM_PG_ORDER_MASK;
	}
	return state;
}
