/* SPDX-License-Identifier: MIT */
/*
 * buddy_internal.h - what the files of src/buddy share and no one else
 * needs: the zone lock pair, descriptor tests, the inline free-list and
 * pair-bitmap moves, the buddy core the fast paths inline (take, split,
 * merge, put), the lazy buddy's two hooks and the calls between the files.
 *
 * Who owns what:
 *   page.c            the descriptor array
 *   zone.c            nodes, zones, the pfn -> zone lookup, watermarks
 *   buddy_merge.c     the core's out-of-line entries and its odd cases
 *   buddy_mobility.c  pageblock types, grouping switch, fallback, claims
 *   buddy_lazy.c      the lazy buddy (off by default)
 *   buddy_alloc.c     the allocation API: gfp -> zones, watermarks
 *   buddy_free.c      the free API, refcounts, bad-free classification
 *   buddy_handoff.c   hand-off, late frees, reserved-page queries
 *   buddy_state.c     the layer's settings reset and free-page total
 *   pcp.c             per-CPU lists;  check.c  validators
 *   poison.c, owner.c debug features (pmm/debug.h)
 *
 * Everything here that changes a zone runs with that zone's lock held
 * (names end in _locked; at PMM_DEBUG >= 2 each asserts it), except the
 * per-CPU fast paths, which rely on the platform's cpu_id() guarantee.
 */
#ifndef PMM_BUDDY_INTERNAL_H
#define PMM_BUDDY_INTERNAL_H

#include <pmm/buddy.h>

#include "../base/platform_internal.h"

_Static_assert(PMM_NR_ORDERS <= 32, "free-area orders fit a 32-bit mask");

#define PMM_PG_STATE_MASK (PMM_PG_BUDDY | PMM_PG_ALLOC_HEAD | PMM_PG_PCP)
/* What says which block a descriptor heads: its state and its order. */
#define PMM_PG_HEAD_MASK (PMM_PG_STATE_MASK | PMM_PG_ORDER_MASK)
#define PMM_PG_REF_MASK (~(PMM_PG_REF_ONE - 1))

#define ULL(x) ((unsigned long long)(x))

/*
 * The entry points of the per-CPU fast paths: in .text.hot (gcc's hot
 * attribute groups them there, away from the cold code between them) and
 * each starting a 64-byte line, so that their placement relative to cache
 * lines and fetch blocks - and so a benchmark's figure - does not shift
 * with whatever else is linked (W2 once moved from 5.4 to 6.8 ns when an
 * unrelated object was added to pmm-bench).
 */
#define PMM_HOT_ENTRY __attribute__((hot, aligned(64)))

/* Take @zone's lock (the only way src/buddy takes it). */
static inline void zone_lock(struct pmm_zone *zone)
{
	pmm_platform_lock(&zone->lock);
}

/* Release @zone's lock. */
static inline void zone_unlock(struct pmm_zone *zone)
{
	pmm_platform_unlock(&zone->lock);
}

/* Return: true if descriptor info @info heads a free block of order @k
 * (on a buddy list; PMM_PG_LAZY may be set as well). */
static inline bool info_is_free_head(uint32_t info, pmm_order_t k)
{
	return (info & PMM_PG_HEAD_MASK) == (PMM_PG_BUDDY | k);
}

/* Return: true if @info heads an allocated block of order @k with at least
 * one reference. */
static inline bool info_is_alloc_head(uint32_t info, pmm_order_t k)
{
	return (info & PMM_PG_HEAD_MASK) == (PMM_PG_ALLOC_HEAD | k) &&
	       info >= PMM_PG_REF_ONE;
}

static inline pmm_pfn_t pmm_order_pages(pmm_order_t order)
{
	return (pmm_pfn_t)1 << order;
}

/*
 * Return: true if @page lies in the descriptor array @map of @max_pfn
 * descriptors on a descriptor boundary, and then its pfn in *@pfn.
 *
 * Exact division by 12 with the boundary test folded in: the byte offset
 * rotated right by 2 (a quarter of it when its low two bits are clear),
 * times the inverse of 3 modulo 2^N. A multiple of 12 maps to its twelfth.
 * Every other offset maps to 2^(N-2) / 3 or above: a quarter that is not
 * a multiple of 3 maps above (2^N - 1) / 3, and a rotation that carried a
 * low bit is at least 2^(N-2), so even a multiple of 3 maps to its third,
 * 2^(N-2) / 3 or more. That is past any pmm_max_pfn, as the descriptor
 * array (12 bytes a pfn) fits the address space: max_pfn <= 2^N / 12. A
 * pointer below the map wraps the same way; no map means max_pfn == 0.
 */
static inline bool pmm_page_pfn_in(const struct pmm_page *map,
				    pmm_pfn_t max_pfn,
				    const struct pmm_page *page, pmm_pfn_t *pfn)
{
	const uintptr_t inverse_of_3 = (uintptr_t)0xaaaaaaaaaaaaaaabull;
	const unsigned int bits = (unsigned int)sizeof(uintptr_t) * 8;
	uintptr_t off = (uintptr_t)page - (uintptr_t)map;
	uintptr_t quarter = (off >> 2) | (off << (bits - 2));
	uintptr_t idx = quarter * inverse_of_3;
	*pfn = (pmm_pfn_t)idx;
	return (pmm_pfn_t)idx < max_pfn;
}

/* pmm_page_pfn_in() of the descriptor array itself. */
static inline bool pmm_page_pfn_checked(const struct pmm_page *page,
					pmm_pfn_t *pfn)
{
	return pmm_page_pfn_in(pmm_mem_map, pmm_max_pfn, page, pfn);
}

/* Return: true if @page lies in pmm_mem_map on a descriptor boundary. */
static inline bool pmm_page_in_map(const struct pmm_page *page)
{
	pmm_pfn_t pfn;
	return pmm_page_pfn_checked(page, &pfn);
}

static inline void pmm_page_clear(struct pmm_page *page)
{
	page->next = 0;
	page->prev = 0;
	page->info = 0;
}

/* Pair bitmap word and bit for the pair holding @pfn at order @k < MAX. */
static inline uint64_t *pmm_pair_word(const struct pmm_zone *zone,
				      pmm_order_t k, pmm_pfn_t pfn,
				      uint64_t *mask)
{
	pmm_pfn_t idx = (pfn - zone->map_base) >> (k + 1);
	*mask = (uint64_t)1 << (idx & 63);
	return &zone->free_area[k].map[idx >> 6];
}

/* Toggle the pair bit of @pfn at order @k. Return: the new bit. */
static inline bool pmm_pair_toggle(const struct pmm_zone *zone, pmm_order_t k,
				   pmm_pfn_t pfn)
{
	uint64_t mask;
	uint64_t *w = pmm_pair_word(zone, k, pfn, &mask);
	*w ^= mask;
	return (*w & mask) != 0;
}

static inline bool pmm_pair_test(const struct pmm_zone *zone, pmm_order_t k,
				 pmm_pfn_t pfn)
{
	uint64_t mask;
	const uint64_t *w = pmm_pair_word(zone, k, pfn, &mask);
	return (*w & mask) != 0;
}

/*
 * What every list add shares: @pfn is a free head of order @k in @zone;
 * list @k counts one more, and the zone's CMA count follows a CMA list
 * (the one place both adds keep it, so they cannot drift). Zone lock held.
 */
static inline void list_count_in_locked(struct pmm_zone *zone, pmm_order_t k,
					unsigned int mt, pmm_pfn_t pfn)
{
	PMM_ASSERT_LOCKED(&zone->lock);
	PMM_ASSERT(info_is_free_head(pmm_mem_map[pfn].info, k) && pmm_zone_spans(zone, pfn),
		   "pfn 0x%llx info 0x%x onto list %u type %u of zone [0x%llx, 0x%llx)",
		   ULL(pfn), pmm_mem_map[pfn].info, k, mt, ULL(zone->start_pfn),
		   ULL(zone->end_pfn));
	zone->free_area[k].nr_free++;
	if (__builtin_expect(mt == PMM_MT_CMA, 0))
		zone->cma_free += pmm_order_pages(k);
}

/*
 * Push the free head @pfn (info already PMM_PG_BUDDY | @k) onto free list
 * @k of type @mt; nr_free[@k] grows, and cma_free for a CMA list (no
 * bitmap). Zone lock held.
 */
static inline void pmm_list_add_locked(struct pmm_zone *zone, pmm_order_t k,
				       unsigned int mt, pmm_pfn_t pfn)
{
	struct pmm_free_area *area = &zone->free_area[k];
	uint32_t first = area->head[mt];
	list_count_in_locked(zone, k, mt, pfn);
	pmm_mem_map[pfn].next = first;
	pmm_mem_map[pfn].prev = 0;
	if (first != 0)
		pmm_mem_map[first - 1].prev = (uint32_t)(pfn + 1);
	else
		area->tail[mt] = (uint32_t)(pfn + 1);
	area->head[mt] = (uint32_t)(pfn + 1);
}

/*
 * Append the free head @pfn (info already PMM_PG_BUDDY | @k, marks may
 * follow) to free list @k of type @mt: where marked blocks wait
 * (buddy_marks.c); nr_free[@k] grows, and cma_free for a CMA list (no
 * bitmap). Zone lock held.
 */
static inline void pmm_list_add_tail_locked(struct pmm_zone *zone,
					    pmm_order_t k, unsigned int mt,
					    pmm_pfn_t pfn)
{
	struct pmm_free_area *area = &zone->free_area[k];
	uint32_t last = area->tail[mt];
	list_count_in_locked(zone, k, mt, pfn);
	pmm_mem_map[pfn].next = 0;
	pmm_mem_map[pfn].prev = last;
	if (last != 0)
		pmm_mem_map[last - 1].next = (uint32_t)(pfn + 1);
	else
		area->head[mt] = (uint32_t)(pfn + 1);
	area->tail[mt] = (uint32_t)(pfn + 1);
}

/* List the free head @pfn that moves between lists (a claim, isolation):
 * at the tail when it carries a mark, where marked blocks wait. */
static inline void pmm_list_move_in_locked(struct pmm_zone *zone,
					   pmm_order_t k, unsigned int mt,
					   pmm_pfn_t pfn)
{
	if (pmm_mem_map[pfn].info & PMM_PG_MARKS)
		pmm_list_add_tail_locked(zone, k, mt, pfn);
	else
		pmm_list_add_locked(zone, k, mt, pfn);
}

/* ---- deferred top-order blocks (buddy_deferred.c) ---- */

extern bool pmm_buddy_deferred_on;
/* Spans in all zones (relaxed atomic): 0 lets the walkers skip the settle
 * (pmm_buddy_deferred_finish(), pmm_deferred_settle_range()). */
extern uint32_t pmm_deferred_spans;
/* The deferral switch at boot: PMM_DEFERRED_DEFAULT (pmm_buddy_reset_settings()). */
void pmm_buddy_deferred_reset(void);
/* Return: true and [*@a, *@b), the top-order blocks of [@start, @end) a
 * hand-off into @zone would defer now (deferral on, two blocks or more, a
 * free span slot, one type that is not CMA, no poisoning). Zone lock held. */
bool pmm_deferred_plan_locked(const struct pmm_zone *zone, pmm_pfn_t start,
			      pmm_pfn_t end, pmm_pfn_t *a, pmm_pfn_t *b);
/* Count the blocks [@a, @b) (pmm_deferred_plan_locked()) as free, managed
 * and waiting; only the highest is written and listed. Zone lock held. */
void pmm_deferred_add_locked(struct pmm_zone *zone, pmm_pfn_t a, pmm_pfn_t b);
/* The listed block @page of a span leaves list (PMM_MAX_ORDER, @mt): its
 * next waiting block takes its place. Return: true if it did (nr_free
 * dropped), false for a block of no span or a span's last. Zone lock held. */
bool pmm_deferred_replace_locked(struct pmm_zone *zone, unsigned int mt,
				 struct pmm_page *page);
/* Write and list every waiting block of @zone where it waits. Zone lock held. */
void pmm_deferred_settle_locked(struct pmm_zone *zone);
/* pmm_deferred_settle_locked() for the zones with a span that meets
 * [@start, @end): what a walker of that range calls first (spans are whole
 * top-order blocks, so a block that meets the range lies in it or in no
 * span). Locking: takes each zone's lock in turn. */
void pmm_deferred_settle_range(pmm_pfn_t start, pmm_pfn_t end);
/* pmm_deferred_settle_locked() if [@start, @end) meets a span of @zone.
 * Zone lock held. */
void pmm_deferred_settle_meeting_locked(struct pmm_zone *zone, pmm_pfn_t start,
					pmm_pfn_t end);
/* Return: whether [@start, @end) meets a span of @zone. Zone lock held. */
bool pmm_deferred_overlaps_locked(const struct pmm_zone *zone, pmm_pfn_t start,
				  pmm_pfn_t end);

/*
 * Unlink the free head @page from free list @k of type @mt; nr_free[@k]
 * drops, and cma_free for a CMA list (no bitmap). Zone lock held.
 */
static inline void pmm_list_del_locked(struct pmm_zone *zone, pmm_order_t k,
				       unsigned int mt, struct pmm_page *page)
{
	struct pmm_free_area *area = &zone->free_area[k];
	PMM_ASSERT_LOCKED(&zone->lock);
	PMM_ASSERT(info_is_free_head(page->info, k) && area->nr_free != 0 &&
			   (page->prev != 0 ||
			    area->head[mt] == pmm_page_to_pfn(page) + 1),
		   "pfn 0x%llx info 0x%x prev %u off list %u type %u (head %u, nr_free %llu)",
		   ULL(pmm_page_to_pfn(page)), page->info, page->prev, k, mt,
		   area->head[mt], ULL(area->nr_free));
	if (__builtin_expect(k == PMM_MAX_ORDER && zone->deferred.nr != 0, 0) &&
	    pmm_deferred_replace_locked(zone, mt, page))
		return;
	if (page->prev != 0)
		pmm_mem_map[page->prev - 1].next = page->next;
	else
		area->head[mt] = page->next;
	if (page->next != 0)
		pmm_mem_map[page->next - 1].prev = page->prev;
	else
		area->tail[mt] = page->prev;
	area->nr_free--;
	if (__builtin_expect(mt == PMM_MT_CMA, 0))
		zone->cma_free -= pmm_order_pages(k);
}

/* Set the type of the pageblock holding @pfn to @mt. Zone lock held (all
 * writers of a zone's types hold it). */
static inline void pmm_pageblock_set_locked(struct pmm_zone *zone,
					    pmm_pfn_t pfn, unsigned int mt)
{
	PMM_ASSERT_LOCKED(&zone->lock);
	PMM_ASSERT(mt < PMM_MT_TYPES, "pfn 0x%llx: type %u", ULL(pfn), mt);
	pmm_pfn_t idx = (pfn - zone->map_base) >> PMM_PAGEBLOCK_ORDER;
	__atomic_store_n(&zone->pageblock_mt[idx], (uint8_t)mt,
			 __ATOMIC_RELAXED); /* read unlocked by frees */
}

/*
 * The list a free head at @pfn goes on: its pageblock's type, or
 * PMM_MT_ISOLATE for an isolated pageblock, clamped to a valid list
 * (pmm_check() reports a type out of range).
 */
static inline unsigned int pmm_free_type(const struct pmm_zone *zone,
					 pmm_pfn_t pfn)
{
	unsigned int mt = pmm_pageblock_type(zone, pfn);
	if (__builtin_expect(mt < PMM_MT_TYPES, 1))
		return mt;
	if (mt & PMM_PB_ISOLATE)
		return PMM_MT_ISOLATE;
	return (mt & PMM_PB_CMA) ? PMM_MT_CMA : PMM_MT_UNMOVABLE;
}

/*
 * Return: the migratetype @zone serves @gfp from (the grouping switch
 * applied), or PMM_MT_TYPES when @gfp sets both mobility flags.
 */
static inline unsigned int pmm_zone_gfp_type(const struct pmm_zone *zone,
					     unsigned int gfp)
{
	return pmm_gfp_migratetype((gfp & zone->gfp_mt_mask) |
				   zone->gfp_mt_force);
}

/*
 * zone->free_pages is written under the zone lock and read without it as a
 * watermark hint (zone_try(), pmm_pcp_alloc()). Where 64-bit loads and
 * stores are native these are relaxed atomics, so the unlocked read is no
 * data race (ThreadSanitizer checks it); 32-bit targets (i386 has no
 * 8-byte atomic without libatomic, and no ThreadSanitizer) use a volatile
 * read, where a torn value is only a wrong hint.
 */
static inline uint64_t pmm_zone_free_hint(const struct pmm_zone *zone)
{
#if UINTPTR_MAX > 0xffffffffu
	return __atomic_load_n(&zone->free_pages, __ATOMIC_RELAXED);
#else
	return *(const volatile uint64_t *)&zone->free_pages;
#endif
}

/* Store @pages in zone->free_pages (see pmm_zone_free_hint()). */
static inline void zone_free_store(struct pmm_zone *zone, uint64_t pages)
{
#if UINTPTR_MAX > 0xffffffffu
	__atomic_store_n(&zone->free_pages, pages, __ATOMIC_RELAXED);
#else
	zone->free_pages = pages;
#endif
}

/* zone->free_pages += @pages. Zone lock held. */
static inline void zone_free_add_locked(struct pmm_zone *zone, uint64_t pages)
{
	PMM_ASSERT_LOCKED(&zone->lock);
	PMM_ASSERT(zone->free_pages + pages <= zone->managed,
		   "free %llu + %llu above managed %llu", ULL(zone->free_pages),
		   ULL(pages), ULL(zone->managed));
	zone_free_store(zone, zone->free_pages + pages);
}

/* zone->free_pages -= @pages, which never underflows. Zone lock held. */
static inline void zone_free_sub_locked(struct pmm_zone *zone, uint64_t pages)
{
	PMM_ASSERT_LOCKED(&zone->lock);
	PMM_ASSERT(zone->free_pages >= pages, "free %llu - %llu underflows",
		   ULL(zone->free_pages), ULL(pages));
	zone_free_store(zone, zone->free_pages - pages);
}

/*
 * Return: the highest zone @gfp allows, or -1 for contradictory flags.
 * As Linux's gfp_zone(): the Movable zone needs highmem and movable both.
 */
static inline int gfp_top_zone(unsigned int gfp)
{
	switch (gfp & PMM_GFP_ZONEMASK) {
	case 0: return PMM_ZONE_NORMAL;
	case PMM_GFP_DMA: return PMM_ZONE_DMA;
	case PMM_GFP_DMA32: return PMM_ZONE_DMA32;
	case PMM_GFP_HIGHMEM:
		return gfp & PMM_GFP_MOVABLE ? PMM_ZONE_MOVABLE : PMM_ZONE_HIGHMEM;
	default: return -1;
	}
}

/*
 * Return: true when @gfp sets both mobility flags while grouping is on
 * (off, the flags are not read: every request is movable).
 */
static inline bool gfp_contradicts(unsigned int gfp)
{
	return pmm_buddy_is_grouping() &&
	       pmm_gfp_migratetype(gfp) >= PMM_MT_TYPES;
}

/* zone.c */
/* The lowest online node, or -1 (zone.c; written at boot only). */
extern int pmm_node_default_id;
/* The zone with the largest span, or NULL (zone.c; written at boot only). */
extern struct pmm_zone *pmm_zone_hint;
/* The first zone a request without zone flags tries, or NULL (zone.c). */
extern struct pmm_zone *pmm_zone_fast;
/* Recompute pmm_zone_fast (a node came online, a zone got pages). */
void pmm_zone_fast_update(void);
/* Point @zone's pair bitmaps and pageblock types into @bitmap (zone.c). */
void pmm_zone_set_maps(struct pmm_zone *zone, uint64_t *bitmap);
/* Re-place @zone in the zone table after its span changed (zone_resize.c). */
void pmm_zone_table_update(struct pmm_zone *zone);
/* Return: the zone holding @pfn from the zone table alone, or NULL. */
struct pmm_zone *pmm_zone_lookup(pmm_pfn_t pfn);

/* Return: the node PMM_NUMA_NO_NODE stands for (lowest online), or -1. */
static inline int pmm_node_default(void)
{
	return pmm_node_default_id;
}

/*
 * pmm_pfn_zone() in O(1) for the common case: the largest zone (on one
 * node, where nearly every page is) is tried first, the table after.
 */
static inline struct pmm_zone *pmm_pfn_zone_fast(pmm_pfn_t pfn)
{
	struct pmm_zone *z = pmm_zone_hint;
	if (__builtin_expect(z != NULL && pmm_zone_spans(z, pfn), 1))
		return z;
	return pmm_zone_lookup(pfn);
}

/* ---- buddy_mobility.c ---- */
/* Copy the grouping switch into @zone (its set-up, or the switch flips). */
void pmm_buddy_zone_grouping(struct pmm_zone *zone);
/* Grouping back on, the boot setting (pmm_buddy_reset_settings()). */
void pmm_buddy_grouping_reset(void);
/*
 * No block of type @mt and order >= @order: take 2^@order pages from
 * another type's lists, claiming pageblocks where the rule allows.
 * Return: true and *@pfn, false when the zone has no such block.
 */
bool pmm_buddy_take_fallback_locked(struct pmm_zone *zone, pmm_order_t order,
				    unsigned int mt, pmm_pfn_t *pfn);

/* Give the pageblocks of [@pfn, @pfn + 2^@k) type @mt. Zone lock held. */
static inline void pmm_pageblock_range_set_locked(struct pmm_zone *zone,
						  pmm_pfn_t pfn, pmm_order_t k,
						  unsigned int mt)
{
	pmm_pfn_t end = pfn + pmm_order_pages(k);
	PMM_ASSERT_LOCKED(&zone->lock);
	for (; pfn < end; pfn += PMM_PAGEBLOCK_PAGES)
		pmm_pageblock_set_locked(zone, pfn, mt);
}

/* ---- buddy_lazy.c: the lazy buddy, behind one hook on each path ---- */
/* The lazy buddy's switch (off by default; pmm_buddy_set_lazy()). */
extern bool pmm_buddy_lazy_on;
/* Free hook: list the block at @pfn of order @k as it is, marked lazy. */
void pmm_buddy_lazy_put_locked(struct pmm_zone *zone, pmm_pfn_t pfn,
			       pmm_order_t k, unsigned int mt);
/* Take hook: coalesce the zone's lazy heads of orders [0, @upto). */
void pmm_buddy_lazy_settle_locked(struct pmm_zone *zone, pmm_order_t upto);
/* A lazy head of order @k left its list (merged or taken): count it out. */
void pmm_buddy_lazy_forget_locked(struct pmm_zone *zone, pmm_order_t k);
/* Lazy buddy off, the boot setting (pmm_buddy_reset_settings()). */
void pmm_buddy_lazy_reset(void);

/* ---- buddy_merge.c: the core's odd cases, out of line ---- */
/*
 * The pair bit of @pfn at order @k says its buddy @buddy is free, but the
 * buddy's descriptor is not a plain free head of order @k.
 * Return: true (merge on) for a lazy free head, which is counted out;
 * false after undoing the pair flip for anything else (reported as
 * PMM_ECORRUPT where PMM_CHECKS are on).
 */
bool pmm_buddy_merge_odd_locked(struct pmm_zone *zone, pmm_pfn_t pfn,
				pmm_order_t k, pmm_pfn_t buddy);
/*
 * buddy_take_head_locked() for a head @head of order @k that is not a
 * plain free head: a lazy one is counted out, a reported one reclaimed
 * from the hypervisor, a known-zero one split into known-zero halves;
 * anything else fails an assertion (PMM_DEBUG >= 2). Zone lock held.
 */
void pmm_buddy_take_odd_locked(struct pmm_zone *zone, pmm_pfn_t head,
			       pmm_order_t k, unsigned int mt,
			       pmm_order_t order);
/*
 * Remove a block of 2^@order pages from @zone's free lists of type @mt,
 * else (fallback) of another type, splitting a larger one if needed;
 * free_pages drops by 2^@order. The head descriptor is left blank.
 * Return: true and *@pfn, or false when no block is free. Zone lock held.
 */
bool pmm_buddy_take_locked(struct pmm_zone *zone, pmm_order_t order,
			   unsigned int mt, pmm_pfn_t *pfn);
/*
 * Put the block of 2^@order pages at @pfn (head descriptor blank) on
 * @zone's free lists, coalescing now or lazily; free_pages grows.
 * Zone lock held.
 */
void pmm_buddy_put_locked(struct pmm_zone *zone, pmm_pfn_t pfn,
			  pmm_order_t order);

/* ---- buddy_marks.c: reported and known-zero free heads (pmm/elastic.h) ---- */
/* Drop the mark of free head @pfn of order @k (a reported one is
 * reclaimed). Return: PMM_PG_ZERO if its memory is known zero now, else 0. */
uint32_t pmm_buddy_unmark_locked(struct pmm_zone *zone, pmm_pfn_t pfn,
				 pmm_order_t k);
/* Mark the plain free head @pfn (order @k, list @mt) with @mark; it moves
 * to its list's tail. */
void pmm_buddy_mark_locked(struct pmm_zone *zone, pmm_pfn_t pfn, pmm_order_t k,
			   unsigned int mt, uint32_t mark);
/* List the blank block @pfn of order @k on list @mt, carrying @zero. */
void pmm_buddy_list_piece_locked(struct pmm_zone *zone, pmm_pfn_t pfn,
				 pmm_order_t k, unsigned int mt, uint32_t zero);
/* Take 2^@order known-zero pages from the list tails of type @mt.
 * Return: true and *@pfn (head blank), or false. */
bool pmm_buddy_take_zero_locked(struct pmm_zone *zone, pmm_order_t order,
				unsigned int mt, pmm_pfn_t *pfn);
/* Put the blank block @pfn of @order, known zero, on the free lists; the
 * merged block stays known zero when all its parts were. */
void pmm_buddy_put_zero_locked(struct pmm_zone *zone, pmm_pfn_t pfn,
			       pmm_order_t order);

/* ---- buddy_free.c ---- */
/* Return: the head of the block holding the blank page @pfn, or @pfn. */
pmm_pfn_t pmm_buddy_block_head_locked(const struct pmm_zone *zone,
				      pmm_pfn_t pfn);

/* ---- buddy_contig.c: shared with buddy_isolate.c ---- */
/* Return: the head of the block holding @pfn, or @pfn (a head or
 * reserved). Zone lock held. */
pmm_pfn_t pmm_buddy_block_of_locked(const struct pmm_zone *zone, pmm_pfn_t pfn);
/*
 * Take the free block [@h, +2^@k) off its list, list again its maximal
 * aligned parts outside [@s, @e) (and inside too with @keep: a split).
 * Zone lock held; free_pages is the caller's.
 */
void pmm_buddy_carve_locked(struct pmm_zone *zone, pmm_pfn_t h, pmm_order_t k,
			    pmm_pfn_t s, pmm_pfn_t e, bool keep);
/* Take the free run [@s, @e) (allocated heads of refcount 1). Lock held. */
void pmm_buddy_take_run_locked(struct pmm_zone *zone, pmm_pfn_t s, pmm_pfn_t e);
/* Coalesce every lazy head of @zone. Zone lock held. */
void pmm_buddy_settle_locked(struct pmm_zone *zone);
/* Return: the zone holding all of [@pfn, +@nr) (@nr > 0), or NULL. */
struct pmm_zone *pmm_buddy_range_zone(pmm_pfn_t pfn, uint64_t nr);

/* ---- buddy_cma.c ---- */
/* A movable request found no block of its type: borrow one from a CMA
 * list. Return: true and *@pfn (head blank). Zone lock held. */
bool pmm_cma_take_locked(struct pmm_zone *zone, pmm_order_t order,
			 pmm_pfn_t *pfn);
/* Forget every CMA region (pmm_buddy_reset_settings()). */
void pmm_cma_reset(void);
/* Return: NULL, or what breaks a CMA invariant (pmm_check()). */
const char *pmm_cma_check(void);
/* buddy_isolate.c, for CMA: isolate / release [@lo, @hi) (pageblock
 * aligned, in @zone). Return: 0, PMM_EBUSY or PMM_ESTATE. Lock held. */
int pmm_isolate_locked(struct pmm_zone *zone, pmm_pfn_t lo, pmm_pfn_t hi);
int pmm_undo_isolate_locked(struct pmm_zone *zone, pmm_pfn_t lo, pmm_pfn_t hi);

/* ---- check.c ---- */
/*
 * PMM_DEBUG=3: prove what @zone's lock guards (free lists, counts, pair
 * bitmaps, pageblock types); a violation fails an assertion. Zone lock held.
 */
void pmm_buddy_validate_locked(struct pmm_zone *zone);

/* Run the zone's validator on every PMM_VALIDATE_EVERY-th locked change. */
static inline void buddy_validate_due_locked(struct pmm_zone *zone)
{
	if (PMM_VALIDATE_DUE(zone->validate_ops))
		pmm_buddy_validate_locked(zone);
}

/* ---- the buddy core, inlined by the fast paths (zone lock held) ---- */

/*
 * The free buddy @buddy of order @k >= PMM_PAGEBLOCK_ORDER is about to
 * merge with a block of list @mt: its pageblocks take @mt.
 * Return: the list it is on (its old type), or PMM_MT_LISTS when either
 * is isolated or CMA and the other not so: they stay apart (both free,
 * so their pair bit is 0, as the XOR says).
 */
static inline unsigned int buddy_merge_type_locked(struct pmm_zone *zone,
						   pmm_pfn_t buddy,
						   pmm_order_t k,
						   unsigned int mt)
{
	unsigned int bmt = pmm_free_type(zone, buddy);
	PMM_ASSERT_LOCKED(&zone->lock);
	if (bmt == mt)
		return bmt;
	if (bmt >= PMM_MT_TYPES || mt >= PMM_MT_TYPES)
		return PMM_MT_LISTS;
	pmm_pageblock_range_set_locked(zone, buddy, k, mt);
	return bmt;
}

/*
 * Coalesce the free block at @pfn of order @k (head descriptor blank, its
 * pages already counted in free_pages) as far up as its buddies allow and
 * list the result under type @mt - the seed's coalescing: flip the pair
 * bit; 0 means the buddy is free too, so both leave list k (two more
 * flips: the bit stays 0) and the merged block tries one order up.
 */
static inline void buddy_merge_locked(struct pmm_zone *zone, pmm_pfn_t pfn,
				      pmm_order_t k, unsigned int mt)
{
	struct pmm_page *map = pmm_mem_map;
	PMM_ASSERT_LOCKED(&zone->lock);
	while (k < PMM_MAX_ORDER) {
		if (pmm_pair_toggle(zone, k, pfn))
			break; /* buddy not free: this block now is */
		pmm_pfn_t buddy = pfn ^ pmm_order_pages(k);
		struct pmm_page *b = &map[buddy];
		if (__builtin_expect(b->info != (PMM_PG_BUDDY | k), 0) &&
		    !pmm_buddy_merge_odd_locked(zone, pfn, k, buddy))
			break;
		unsigned int bmt = mt;
		if (k >= PMM_PAGEBLOCK_ORDER &&
		    (bmt = buddy_merge_type_locked(zone, buddy, k, mt)) ==
			    PMM_MT_LISTS)
			break;
		pmm_list_del_locked(zone, k, bmt, b);
		pmm_page_clear(b);
		pfn &= ~pmm_order_pages(k);
		k++;
	}
	map[pfn].info = PMM_PG_BUDDY | k;
	pmm_list_add_locked(zone, k, mt, pfn);
}

/*
 * Put the block at @pfn of @order (head descriptor blank) on the free
 * lists of its pageblock's type: coalesced now, or listed as it is when
 * the lazy buddy is on (the free path's one lazy hook).
 */
static inline void buddy_put_locked(struct pmm_zone *zone, pmm_pfn_t pfn,
				    pmm_order_t order)
{
	/*
	 * A block above the pageblock order has one type over its pageblocks
	 * already: it left the free lists so (or was never typed otherwise),
	 * and claims retype only pageblocks holding free blocks.
	 */
	unsigned int mt = pmm_free_type(zone, pfn);
	PMM_ASSERT_LOCKED(&zone->lock);
	PMM_ASSERT(pmm_page_is_blank(&pmm_mem_map[pfn]) &&
			   (pfn & (pmm_order_pages(order) - 1)) == 0 &&
			   pmm_zone_spans(zone, pfn) &&
			   pfn + pmm_order_pages(order) <= zone->end_pfn,
		   "pfn 0x%llx order %u info 0x%x into zone [0x%llx, 0x%llx)",
		   ULL(pfn), order, pmm_mem_map[pfn].info,
		   ULL(zone->start_pfn), ULL(zone->end_pfn));
	zone_free_add_locked(zone, pmm_order_pages(order));
	if (__builtin_expect(pmm_buddy_lazy_on, 0) && mt < PMM_MT_TYPES)
		pmm_buddy_lazy_put_locked(zone, pfn, order, mt);
	else
		buddy_merge_locked(zone, pfn, order, mt);
	buddy_validate_due_locked(zone);
}

/*
 * Split the block @pfn of order @k down to @order, listing upper halves on
 * the lists of type @mt (the block's pageblocks' type).
 */
static inline void buddy_split_locked(struct pmm_zone *zone, pmm_pfn_t pfn,
				      pmm_order_t k, pmm_order_t order,
				      unsigned int mt)
{
	PMM_ASSERT_LOCKED(&zone->lock);
	while (k > order) {
		k--;
		pmm_pfn_t half = pfn + pmm_order_pages(k);
		pmm_mem_map[half].info = PMM_PG_BUDDY | k;
		pmm_list_add_locked(zone, k, mt, half);
		pmm_pair_toggle(zone, k, half);
	}
}

/*
 * Take the free head @head of order @k off list (@k, @mt) and split it
 * down to @order; free_pages drops by 2^@order. The head is left blank.
 */
static inline void buddy_take_head_locked(struct pmm_zone *zone,
					  pmm_pfn_t head, pmm_order_t k,
					  unsigned int mt, pmm_order_t order)
{
	struct pmm_page *page = &pmm_mem_map[head];
	PMM_ASSERT_LOCKED(&zone->lock);
	if (__builtin_expect(page->info != (PMM_PG_BUDDY | k), 0)) {
		pmm_buddy_take_odd_locked(zone, head, k, mt, order);
		return;
	}
	pmm_list_del_locked(zone, k, mt, page);
	pmm_page_clear(page);
	if (k < PMM_MAX_ORDER)
		pmm_pair_toggle(zone, k, head);
	buddy_split_locked(zone, head, k, order, mt);
	zone_free_sub_locked(zone, pmm_order_pages(order));
	buddy_validate_due_locked(zone);
}

/*
 * The smallest block of type @mt and order >= @order, else the fallback;
 * lazy heads below @order are coalesced first when the list of @order is
 * empty (the take path's one lazy hook: one test of a zone counter). A
 * movable request tries the CMA lists first while they hold more than
 * half of the zone's free pages (Linux's rule, so regions do not sit idle
 * while the rest fills; the CMA path's one hook: one test of a zone
 * counter that is 0 in every zone without a region).
 * Return: true and *@pfn (head blank), false when the zone has no block.
 */
static inline bool buddy_take_locked(struct pmm_zone *zone, pmm_order_t order,
				     unsigned int mt, pmm_pfn_t *pfn)
{
	struct pmm_free_area *area = zone->free_area;
	pmm_order_t k = order;
	PMM_ASSERT_LOCKED(&zone->lock);
	if (__builtin_expect(zone->cma_free != 0, 0) && mt == PMM_MT_MOVABLE &&
	    zone->cma_free > zone->free_pages / 2 &&
	    pmm_cma_take_locked(zone, order, pfn))
		return true;
	if (area[order].head[mt] == 0 &&
	    __builtin_expect(zone->lazy.total != 0, 0))
		pmm_buddy_lazy_settle_locked(zone, order);
	while (area[k].head[mt] == 0) {
		if (++k > PMM_MAX_ORDER)
			return pmm_buddy_take_fallback_locked(zone, order, mt, pfn);
	}
	pmm_pfn_t head = (pmm_pfn_t)area[k].head[mt] - 1;
	buddy_take_head_locked(zone, head, k, mt, order);
	*pfn = head;
	return true;
}

/* ---- the per-CPU fast paths (buddy_alloc.c, buddy_free.c, buddy_bulk.c) ---- */

/* Return: @zone's min watermark for @gfp (half of it with PMM_GFP_HIGH). */
static inline uint64_t pmm_gfp_min(const struct pmm_zone *zone, unsigned int gfp)
{
	uint64_t min = zone->watermark[PMM_WMARK_MIN];
	return gfp & PMM_GFP_HIGH ? min >> 1 : min;
}

/*
 * The zone whose per-CPU lists the fast paths pop for @gfp: pmm_zone_fast,
 * the first zone the zonelist walk tries on the default node, when @gfp
 * names no zone and not both mobility flags (pmm_zone_gfp_type() without
 * its redundant mask). Return: that zone and *@mt, or NULL (full path).
 */
static inline struct pmm_zone *pmm_fast_zone(unsigned int gfp, unsigned int *mt)
{
	struct pmm_zone *zone = __atomic_load_n(&pmm_zone_fast, __ATOMIC_RELAXED);
	if (zone == NULL || (gfp & PMM_GFP_ZONEMASK) != 0)
		return NULL;
	unsigned int bits = (gfp & zone->gfp_mt_mask) | zone->gfp_mt_force;
	if (bits == PMM_GFP_MOBILITY)
		return NULL;
	*mt = bits >> PMM_GFP_MT_SHIFT;
	return zone;
}

/*
 * Return: true when the watermark lets this CPU pop 2^@order pages from
 * @pcp of @zone under @gfp: free_pages + count >= min + 2^order
 * (pmm_pcp_alloc()'s test), free_pages read unlocked as a hint and only
 * when the list's own count falls short.
 */
static inline bool pmm_pcp_may_pop(const struct pmm_zone *zone,
				   const struct pmm_pcp *pcp, unsigned int gfp,
				   pmm_order_t order)
{
	uint64_t need = pmm_gfp_min(zone, gfp) + pmm_order_pages(order);
	return pcp->count >= need || pmm_zone_free_hint(zone) + pcp->count >= need;
}

/* Write @page as the allocated head of a block of @order: refcount 1,
 * owner @tag. Return: @page. */
static inline struct pmm_page *pmm_page_set_alloc_head(struct pmm_page *page,
						       pmm_order_t order,
						       uint64_t tag)
{
	page->next = (uint32_t)tag;
	page->prev = (uint32_t)(tag >> 32);
	page->info = PMM_PG_ALLOC_HEAD | PMM_PG_REF_ONE | order |
		     (tag != 0 ? PMM_PG_OWNER : 0);
	return page;
}

/* Write the allocated head of the block at @pfn: refcount 1, owner @tag. */
static inline struct pmm_page *pmm_alloc_head(pmm_pfn_t pfn, pmm_order_t order,
					      uint64_t tag)
{
	return pmm_page_set_alloc_head(&pmm_mem_map[pfn], order, tag);
}

/*
 * Return: true when freeing @page (pfn @pfn) at @order can take the
 * per-CPU fast path of the zone spanning [@start_pfn, + @spanned): an
 * allocated head of that order with one reference (state, order and
 * refcount in one compare), aligned to its order, its block inside the
 * span (both read from the zone's first line). Anything else goes to
 * pmm_free_pages_slow(), which classifies it.
 */
static inline bool pmm_free_is_fast(const struct pmm_page *page, pmm_pfn_t pfn,
				    pmm_order_t order, pmm_pfn_t start_pfn,
				    uint64_t spanned)
{
	pmm_pfn_t off = pfn - start_pfn;
	pmm_pfn_t last = pmm_order_pages(order) - 1;
	return (page->info & (PMM_PG_STATE_MASK | PMM_PG_ORDER_MASK |
			      PMM_PG_REF_MASK)) ==
		       (PMM_PG_ALLOC_HEAD | PMM_PG_REF_ONE | order) &&
	       off < spanned && off + last < spanned && (pfn & last) == 0;
}

/* buddy_free.c: every case of a free the fast path did not take. */
int pmm_free_pages_slow(struct pmm_page *page, pmm_pfn_t pfn, pmm_order_t order);

/* pcp.c */
/* Set @zone's per-CPU lists to the defaults (or the explicit setting). */
void pmm_pcp_init_zone(struct pmm_zone *zone);
/* Recompute the defaults after @zone's managed count changed. */
void pmm_pcp_update_zone(struct pmm_zone *zone);
/* Forget an explicit pmm_pcp_set_high_batch() (pmm_buddy_reset_settings()). */
void pmm_pcp_reset_settings(void);
/*
 * Take one block of @order (<= PMM_PCP_MAX_ORDER) from this CPU's list of
 * @zone if free_pages plus the lists' pages reach @min + 2^@order,
 * refilling the list under the zone lock (while free_pages stays at or
 * above @min + 2^@order) when it is empty.
 * Return: true and *@pfn (descriptor still marked PCP), false if none.
 */
bool pmm_pcp_alloc(struct pmm_zone *zone, uint64_t min, pmm_order_t order,
		   unsigned int mt, pmm_pfn_t *pfn);
/*
 * Hand at least a batch of @pcp's pages back to @zone's buddy lists (the
 * lists grew past the high mark). Locking: takes the zone lock.
 */
void pmm_pcp_drain_batch(struct pmm_zone *zone, struct pmm_pcp *pcp);

/*
 * Give every block on this CPU's lists back to the zones (an allocation
 * failed: they may be what a larger block needs). Takes each zone's lock.
 * Return: true if any page moved.
 */
bool pmm_pcp_drain_local(void);

/* Return: true when @zone's per-CPU lists are in use. */
static inline bool pmm_pcp_enabled(const struct pmm_zone *zone)
{
	return zone->pcp[0].batch != 0;
}

/*
 * Write @page as the head of a free block of @order on a per-CPU list,
 * before the block whose pfn + 1 *@head holds (0: none), read after the
 * descriptor's state is written, and make *@head name @pfn (@page's pfn).
 */
static inline void pmm_pcp_mark(struct pmm_page *page, pmm_order_t order,
				pmm_pfn_t pfn, uint32_t *head)
{
	page->info = PMM_PG_PCP | order;
	page->prev = 0;
	page->next = *head;
	*head = (uint32_t)(pfn + 1);
}

/*
 * Link the free block @pfn of @order (descriptor @page) first on @pcp's
 * list of type @mt and mark it PMM_PG_PCP; the caller counts its pages.
 */
static inline void pmm_pcp_link(struct pmm_pcp *pcp, unsigned int mt,
				pmm_order_t order, struct pmm_page *page,
				pmm_pfn_t pfn)
{
	pmm_pcp_mark(page, order, pfn, &pcp->head[mt][order]);
}

/* Push the free block @pfn of @order on @pcp's list of type @mt (marks it PMM_PG_PCP). */
static inline void pmm_pcp_push(struct pmm_pcp *pcp, unsigned int mt,
				pmm_order_t order, pmm_pfn_t pfn)
{
	pmm_pcp_link(pcp, mt, order, &pmm_mem_map[pfn], pfn);
	pcp->count += 1u << order;
}

/*
 * Pop the first block of the non-empty list (@mt, @order) of @pcp. Its
 * descriptor still says PMM_PG_PCP and holds a stale link: every caller
 * rewrites all of it (allocation: the allocated head; drain: cleared).
 */
static inline pmm_pfn_t pmm_pcp_pop(struct pmm_pcp *pcp, unsigned int mt,
				    pmm_order_t order)
{
	PMM_ASSERT(pcp->head[mt][order] != 0 && pcp->count >= 1u << order,
		   "list %u order %u: head %u, count %u", mt, order,
		   pcp->head[mt][order], pcp->count);
	pmm_pfn_t pfn = (pmm_pfn_t)pcp->head[mt][order] - 1;
	pcp->head[mt][order] = pmm_mem_map[pfn].next;
	pcp->count -= 1u << order;
	return pfn;
}

/*
 * Put the block @pfn of @order (<= PMM_PCP_MAX_ORDER) on this CPU's list
 * of @zone for its pageblock's type (the push rewrites its whole
 * descriptor), draining a batch when the lists grow past their high mark.
 * Reads only this CPU's line (its own batch says whether the lists are
 * on) and the pageblock's type.
 * Return: false (nothing done) when per-CPU lists are disabled.
 */
static inline bool pmm_pcp_free(struct pmm_zone *zone, pmm_pfn_t pfn,
				pmm_order_t order)
{
	struct pmm_pcp *pcp = &zone->pcp[pmm_platform_cpu()];
	unsigned int mt = pmm_free_type(zone, pfn);
	if (pcp->batch == 0 || mt >= PMM_MT_TYPES)
		return false; /* off, or isolated: straight to the zone */
	pmm_pcp_push(pcp, mt, order, pfn);
	if (__builtin_expect(pcp->count > pcp->high, 0))
		pmm_pcp_drain_batch(zone, pcp);
	return true;
}

#endif /* PMM_BUDDY_INTERNAL_H */
