/* SPDX-License-Identifier: MIT */
/*
 * zone.c - nodes, zones, the pfn -> zone lookup and watermarks.
 *
 * The boot path brings nodes online (pmm_node_init) and carves each into
 * zones (pmm_zone_init) with a pair bitmap it allocated from the early
 * allocator; pages then arrive through the hand-off (buddy_handoff.c). Zones are
 * also kept in a table sorted by start pfn so that pmm_pfn_zone() costs a
 * short scan on small machines and a binary search on large NUMA ones,
 * after one comparison with the largest zone, which holds most pages.
 *
 * Watermarks are set by pmm_zones_setup_watermarks() in watermark.c, with
 * Linux 6.1's formulas.
 */
#include <pmm/check.h>

#include "buddy_internal.h"

struct pmm_node pmm_nodes[PMM_MAX_NUMNODES];

#define ZONE_TABLE_SIZE (PMM_MAX_NUMNODES * PMM_NR_ZONES)
#define ZONE_LINEAR_MAX 4 /* scan this many zones before binary search */

static struct pmm_zone *zone_table[ZONE_TABLE_SIZE]; /* sorted by start */
static unsigned int zone_count;
int pmm_node_default_id = -1;
struct pmm_zone *pmm_zone_hint;
struct pmm_zone *pmm_zone_fast;

/**
 * pmm_zone_fast_update - recompute pmm_zone_fast: the first zone the
 * zonelist walk of a request without zone flags tries on the default node
 * (the highest zone up to Normal with managed pages), or NULL.
 *
 * It changes when a node comes online or goes offline, and when a zone
 * gets its first pages or loses its last (the hand-off, memory hotplug).
 * Locking: boot time, the hand-off or a hotplug call; the pointer is read
 * without a lock.
 */
void pmm_zone_fast_update(void)
{
	struct pmm_zone *fast = NULL;
	int nid = pmm_node_default_id;
	for (int t = PMM_ZONE_NORMAL; nid >= 0 && t >= 0; t--) {
		if (pmm_nodes[nid].zones[t].managed != 0) {
			fast = &pmm_nodes[nid].zones[t];
			break;
		}
	}
	__atomic_store_n(&pmm_zone_fast, fast, __ATOMIC_RELAXED);
}

const char *pmm_zone_name(enum pmm_zone_type type)
{
	switch (type) {
	case PMM_ZONE_DMA: return "DMA";
	case PMM_ZONE_DMA32: return "DMA32";
	case PMM_ZONE_NORMAL: return "Normal";
	case PMM_ZONE_HIGHMEM: return "HighMem";
	case PMM_ZONE_MOVABLE: return "Movable";
	default: return "?";
	}
}

/**
 * pmm_zones_reset - forget every node, zone and the descriptor array. Each
 * zone's state (free lists, per-CPU lists, lazy-buddy counts, watermarks)
 * goes with it; the buddy layer's global settings stay
 * (pmm_buddy_reset_settings()).
 *
 * Locking: none; no allocation may run.
 */
void pmm_zones_reset(void)
{
	pmm_memset(pmm_nodes, 0, sizeof(pmm_nodes));
	pmm_deferred_spans = 0; /* the zones' spans went with them */
	for (int i = 0; i < PMM_MAX_NUMNODES; i++)
		pmm_nodes[i].id = i;
	pmm_memset(zone_table, 0, sizeof(zone_table));
	zone_count = 0;
	pmm_node_default_id = -1;
	pmm_zone_hint = NULL;
	pmm_zone_fast_update();
	pmm_page_map_init(NULL, 0);
	pmm_check_register(NULL); /* a higher layer's proof described these zones */
}

static bool node_has_zones(const struct pmm_node *node)
{
	for (int t = 0; t < PMM_NR_ZONES; t++)
		if (node->zones[t].initialized)
			return true;
	return false;
}

/**
 * pmm_node_init - bring node @nid online spanning pfns [@start, @end).
 *
 * A node that is online but has no zones yet may be given a new span.
 * Return: 0, PMM_EINVAL (bad id or empty/reversed span, or beyond
 * PMM_PFN_LIMIT), PMM_ESTATE (the node already has zones), PMM_EOVERLAP (the
 * span overlaps another online node).
 * Locking: boot time.
 */
int pmm_node_init(int nid, pmm_pfn_t start, pmm_pfn_t end)
{
	if (nid < 0 || nid >= PMM_MAX_NUMNODES)
		return PMM_EINVAL;
	if (start >= end || end > PMM_PFN_LIMIT)
		return PMM_EINVAL;
	struct pmm_node *node = &pmm_nodes[nid];
	if (node->online && node_has_zones(node))
		return PMM_ESTATE;
	for (int i = 0; i < PMM_MAX_NUMNODES; i++) {
		const struct pmm_node *o = &pmm_nodes[i];
		if (i != nid && o->online && start < o->end_pfn &&
		    o->start_pfn < end)
			return PMM_EOVERLAP;
	}
	node->id = nid;
	node->online = true;
	node->start_pfn = start;
	node->end_pfn = end;
	if (pmm_node_default_id < 0 || nid < pmm_node_default_id)
		pmm_node_default_id = nid;
	pmm_zone_fast_update();
	return 0;
}

static pmm_pfn_t zone_map_base(pmm_pfn_t start)
{
	return start & ~(pmm_order_pages(PMM_MAX_ORDER) - 1);
}

/* Return: 64-bit words of the pair bitmap of order @k over [base, end). */
static pmm_pfn_t bitmap_words(pmm_pfn_t base, pmm_pfn_t end, pmm_order_t k)
{
	pmm_pfn_t pairs = ((end - base) + pmm_order_pages(k + 1) - 1) >> (k + 1);
	return (pairs + 63) >> 6;
}

/* Return: 64-bit words of pageblock types over [base, end) (a byte each). */
static pmm_pfn_t pageblock_words(pmm_pfn_t base, pmm_pfn_t end)
{
	pmm_pfn_t blocks = ((end - base) + PMM_PAGEBLOCK_PAGES - 1) >>
			   PMM_PAGEBLOCK_ORDER;
	return (blocks + sizeof(uint64_t) - 1) / sizeof(uint64_t);
}

static pmm_pfn_t pair_words(pmm_pfn_t base, pmm_pfn_t end)
{
	pmm_pfn_t words = 0;
	for (pmm_order_t k = 0; k < PMM_MAX_ORDER; k++)
		words += bitmap_words(base, end, k);
	return words;
}

size_t pmm_zone_bitmap_bytes(pmm_pfn_t start, pmm_pfn_t end)
{
	if (start >= end)
		return 0;
	pmm_pfn_t base = zone_map_base(start);
	pmm_pfn_t words = pair_words(base, end) + pageblock_words(base, end);
	return (size_t)(words * sizeof(uint64_t));
}

bool pmm_zone_span_overlaps(pmm_pfn_t start, pmm_pfn_t end,
			    const struct pmm_zone *except)
{
	for (unsigned int i = 0; i < zone_count; i++) {
		const struct pmm_zone *z = zone_table[i];
		if (z != except && start < z->end_pfn && z->start_pfn < end)
			return true;
	}
	return false;
}

static void zone_table_insert(struct pmm_zone *zone)
{
	unsigned int i = zone_count;
	while (i > 0 && zone_table[i - 1]->start_pfn > zone->start_pfn) {
		zone_table[i] = zone_table[i - 1];
		i--;
	}
	zone_table[i] = zone;
	zone_count++;
}

/*
 * Set map_base from start_pfn and hand out the metadata over
 * [map_base, end_pfn): the pair bitmaps by order, then the pageblock
 * types, every pageblock PMM_MT_MOVABLE (Linux's memmap_init() does the
 * same): one byte per pageblock. @bitmap may be NULL for an empty span.
 */
void pmm_zone_set_maps(struct pmm_zone *zone, uint64_t *bitmap)
{
	zone->map_base = zone_map_base(zone->start_pfn);
	if (zone->spanned == 0) {
		for (pmm_order_t k = 0; k <= PMM_MAX_ORDER; k++)
			zone->free_area[k].map = NULL;
		zone->pageblock_mt = NULL;
		return;
	}
	for (pmm_order_t k = 0; k < PMM_MAX_ORDER; k++) {
		zone->free_area[k].map = bitmap;
		bitmap += bitmap_words(zone->map_base, zone->end_pfn, k);
	}
	zone->free_area[PMM_MAX_ORDER].map = NULL;
	zone->pageblock_mt = (uint8_t *)bitmap;
	size_t bytes = (size_t)(pageblock_words(zone->map_base, zone->end_pfn) *
				sizeof(uint64_t));
	pmm_memset(zone->pageblock_mt, PMM_MT_MOVABLE, bytes);
}

/**
 * pmm_zone_init - set up zone @type of node @nid over [@start, @end).
 * @present: usable pages in the span (for reports)
 * @bitmap:  zeroed, 8-byte aligned, pmm_zone_bitmap_bytes(@start, @end) bytes
 *           (pair bitmaps, then the pageblock types this call sets MOVABLE)
 *
 * The span must lie inside the node and inside the descriptor array
 * (pmm_page_map_init() comes first). The zone starts empty, with zero
 * watermarks and default per-CPU lists.
 * Return: 0, PMM_EINVAL (bad node, type, span, present count or bitmap, or
 * the zone is already set up), PMM_EOVERLAP (the span overlaps another zone).
 * Locking: boot time.
 */
int pmm_zone_init(int nid, enum pmm_zone_type type, pmm_pfn_t start,
		  pmm_pfn_t end, uint64_t present, void *bitmap)
{
	if (nid < 0 || nid >= PMM_MAX_NUMNODES || !pmm_nodes[nid].online)
		return PMM_EINVAL;
	if ((unsigned int)type >= PMM_NR_ZONES)
		return PMM_EINVAL;
	struct pmm_node *node = &pmm_nodes[nid];
	if (start >= end || start < node->start_pfn || end > node->end_pfn)
		return PMM_EINVAL;
	if (end > pmm_max_pfn || present > end - start)
		return PMM_EINVAL;
	if (bitmap == NULL || ((uintptr_t)bitmap & (sizeof(uint64_t) - 1)))
		return PMM_EINVAL;
	struct pmm_zone *zone = &node->zones[type];
	if (zone->initialized)
		return PMM_EINVAL;
	if (pmm_zone_span_overlaps(start, end, NULL))
		return PMM_EOVERLAP;

	pmm_memset(zone, 0, sizeof(*zone));
	pmm_lock_init(&zone->lock);
	zone->start_pfn = start;
	zone->end_pfn = end;
	zone->spanned = end - start;
	zone->present = present;
	zone->node = nid;
	zone->type = type;
	pmm_zone_set_maps(zone, bitmap);
	pmm_buddy_zone_grouping(zone);
	pmm_pcp_init_zone(zone);
	zone->initialized = true;
	zone_table_insert(zone);
	if (pmm_zone_hint == NULL || zone->spanned > pmm_zone_hint->spanned)
		pmm_zone_hint = zone;
	return 0;
}

/**
 * pmm_zone_table_update - take @zone out of the sorted zone table and put
 * it back where its span now belongs (not at all once it is empty or no
 * longer set up), then make pmm_zone_hint the largest zone again.
 *
 * Locking: the caller serialises span changes (memory hotplug); lookups
 * read the table without a lock.
 */
void pmm_zone_table_update(struct pmm_zone *zone)
{
	unsigned int j = 0;
	for (unsigned int i = 0; i < zone_count; i++)
		if (zone_table[i] != zone)
			zone_table[j++] = zone_table[i];
	zone_count = j;
	zone_table[zone_count] = NULL;
	if (zone->initialized && zone->spanned != 0)
		zone_table_insert(zone);
	struct pmm_zone *largest = NULL;
	for (unsigned int i = 0; i < zone_count; i++)
		if (largest == NULL || zone_table[i]->spanned > largest->spanned)
			largest = zone_table[i];
	pmm_zone_hint = largest;
}

/**
 * pmm_zone_lookup - the zone whose span holds @pfn, from the zone table:
 * a linear scan for up to ZONE_LINEAR_MAX zones (one node), else a binary
 * search. pmm_pfn_zone_fast() tries the largest zone first.
 * Return: the zone, or NULL. Locking: none (zones never move after boot).
 */
struct pmm_zone *pmm_zone_lookup(pmm_pfn_t pfn)
{
	unsigned int n = zone_count;
	if (n <= ZONE_LINEAR_MAX) {
		for (unsigned int i = 0; i < n; i++)
			if (pmm_zone_spans(zone_table[i], pfn))
				return zone_table[i];
		return NULL;
	}
	unsigned int lo = 0, hi = n;
	while (lo < hi) {
		unsigned int mid = (lo + hi) >> 1;
		if (zone_table[mid]->start_pfn <= pfn)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0 || !pmm_zone_spans(zone_table[lo - 1], pfn))
		return NULL;
	return zone_table[lo - 1];
}

/* The largest zone first (O(1) for most pages), then the table. */
struct pmm_zone *pmm_pfn_zone(pmm_pfn_t pfn)
{
	return pmm_pfn_zone_fast(pfn);
}

bool pmm_zones_cover(pmm_pfn_t start, pmm_pfn_t end, struct pmm_zone **hint)
{
	struct pmm_zone *z = hint != NULL ? *hint : NULL;
	if (end > pmm_max_pfn)
		return false;
	while (start < end) {
		if (z == NULL || !pmm_zone_spans(z, start))
			z = pmm_pfn_zone_fast(start);
		if (z == NULL)
			return false;
		if (hint != NULL)
			*hint = z;
		start = z->end_pfn;
	}
	return true;
}

/**
 * pmm_zone_set_watermarks - set @zone's min, low and high marks [pages].
 * NULL is ignored. Locking: takes the zone lock.
 */
void pmm_zone_set_watermarks(struct pmm_zone *zone, uint64_t min,
			     uint64_t low, uint64_t high)
{
	if (zone == NULL)
		return;
	zone_lock(zone);
	zone->watermark[PMM_WMARK_MIN] = min;
	zone->watermark[PMM_WMARK_LOW] = low;
	zone->watermark[PMM_WMARK_HIGH] = high;
	zone_unlock(zone);
}

static struct pmm_zone *zone_scan(int nid, int type)
{
	for (; nid < PMM_MAX_NUMNODES; nid++, type = 0) {
		if (!pmm_nodes[nid].online)
			continue;
		for (; type < PMM_NR_ZONES; type++)
			if (pmm_nodes[nid].zones[type].initialized)
				return &pmm_nodes[nid].zones[type];
	}
	return NULL;
}

struct pmm_zone *pmm_zone_first(void)
{
	return zone_scan(0, 0);
}

struct pmm_zone *pmm_zone_next(const struct pmm_zone *zone)
{
	if (zone == NULL)
		return NULL;
	return zone_scan(zone->node, (int)zone->type + 1);
}
