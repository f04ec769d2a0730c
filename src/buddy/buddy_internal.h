/* SPDX-License-Identifier: MIT */
/*
 * buddy_internal.h - what page.c, zone.c, buddy.c, pcp.c and check.c share
 * and no one else needs: inline free-list and pair-bitmap helpers, and the
 * calls between the buddy core and the per-CPU lists.
 *
 * Everything here that changes a zone runs with that zone's lock held
 * (names end in _locked), except the per-CPU fast paths, which rely on the
 * platform's cpu_id() guarantee.
 */
#ifndef PMM_BUDDY_INTERNAL_H
#define PMM_BUDDY_INTERNAL_H

#include <pmm/buddy.h>

#include "../base/platform_internal.h"

_Static_assert(PMM_NR_ORDERS <= 32, "free-area orders fit a 32-bit mask");

#define PMM_PG_STATE_MASK (PMM_PG_BUDDY | PMM_PG_ALLOC_HEAD | PMM_PG_PCP)

static inline pmm_pfn_t pmm_order_pages(pmm_order_t order)
{
	return (pmm_pfn_t)1 << order;
}

/*
 * Return: true if @page lies in pmm_mem_map on a descriptor boundary, and
 * then its pfn in *@pfn. Exact division by 12: a quarter of the byte
 * offset times the inverse of 3 modulo 2^N. Multiples of 3 map to their
 * third, every other value to 2^N / 3 or above - past any pmm_max_pfn, as
 * the descriptor array (12 bytes a pfn) fits the address space - and a
 * pointer below the map wraps the same way; no map means pmm_max_pfn == 0.
 */
static inline bool pmm_page_pfn_checked(const struct pmm_page *page,
					pmm_pfn_t *pfn)
{
	const uintptr_t inverse_of_3 = (uintptr_t)0xaaaaaaaaaaaaaaabull;
	uintptr_t off = (uintptr_t)page - (uintptr_t)pmm_mem_map;
	uintptr_t idx = (off >> 2) * inverse_of_3;
	*pfn = (pmm_pfn_t)idx;
	return (off & 3) == 0 && (pmm_pfn_t)idx < pmm_max_pfn;
}

/* Return: true if @page lies in pmm_mem_map on a descriptor boundary. */
static inline bool pmm_page_in_map(const struct pmm_page *page)
{
	uintptr_t p = (uintptr_t)page;
	uintptr_t b = (uintptr_t)pmm_mem_map;
	if (pmm_mem_map == NULL || p < b)
		return false;
	uintptr_t off = p - b;
	if (off % sizeof(struct pmm_page) != 0) /* constant: a multiply */
		return false;
	return (pmm_pfn_t)(off / sizeof(struct pmm_page)) < pmm_max_pfn;
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

/* Push the free head @pfn onto free list @k of type @mt (no bitmap). */
static inline void pmm_list_add(struct pmm_zone *zone, pmm_order_t k,
				unsigned int mt, pmm_pfn_t pfn)
{
	struct pmm_free_area *area = &zone->free_area[k];
	struct pmm_page *page = &pmm_mem_map[pfn];
	uint32_t first = area->head[mt];
	page->next = first;
	page->prev = 0;
	if (first != 0)
		pmm_mem_map[first - 1].prev = (uint32_t)(pfn + 1);
	area->head[mt] = (uint32_t)(pfn + 1);
	area->nr_free++;
}

/* Unlink the free head @page from free list @k of type @mt (no bitmap). */
static inline void pmm_list_del(struct pmm_zone *zone, pmm_order_t k,
				unsigned int mt, struct pmm_page *page)
{
	struct pmm_free_area *area = &zone->free_area[k];
	if (page->prev != 0)
		pmm_mem_map[page->prev - 1].next = page->next;
	else
		area->head[mt] = page->next;
	if (page->next != 0)
		pmm_mem_map[page->next - 1].prev = page->prev;
	area->nr_free--;
}

/* Set the type of the pageblock holding @pfn to @mt. Zone lock held (all
 * writers of a zone's types hold it). */
static inline void pmm_pageblock_set(struct pmm_zone *zone, pmm_pfn_t pfn,
				     unsigned int mt)
{
	pmm_pfn_t idx = (pfn - zone->map_base) >> PMM_PAGEBLOCK_ORDER;
	__atomic_store_n(&zone->pageblock_mt[idx], (uint8_t)mt,
			 __ATOMIC_RELAXED); /* read unlocked by frees */
}

/*
 * The type a free head at @pfn lists under: its pageblock's, clamped to a
 * valid list (pmm_check() reports a type out of range).
 */
static inline unsigned int pmm_free_type(const struct pmm_zone *zone,
					 pmm_pfn_t pfn)
{
	unsigned int mt = pmm_pageblock_type(zone, pfn);
	return mt < PMM_MT_TYPES ? mt : PMM_MT_UNMOVABLE;
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

/* Set zone->free_pages; zone lock held. */
static inline void pmm_zone_free_set_locked(struct pmm_zone *zone,
					    uint64_t pages)
{
#if UINTPTR_MAX > 0xffffffffu
	__atomic_store_n(&zone->free_pages, pages, __ATOMIC_RELAXED);
#else
	zone->free_pages = pages;
#endif
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
	if (__builtin_expect(z != NULL && pfn - z->start_pfn < z->spanned, 1))
		return z;
	return pmm_pfn_zone(pfn);
}

/* buddy.c (zone lock held) */
/*
 * Remove a block of 2^@order pages from @zone's free lists of type @mt,
 * else (fallback) of another type, splitting a larger one if needed;
 * free_pages drops by 2^@order. The head descriptor is left blank.
 * Return: true and *@pfn, or false when no block is free.
 */
bool pmm_buddy_take_locked(struct pmm_zone *zone, pmm_order_t order,
			   unsigned int mt, pmm_pfn_t *pfn);
/* The grouping switch zones set up later copy (buddy.c). */
void pmm_buddy_zone_grouping(struct pmm_zone *zone);
/*
 * Put the block of 2^@order pages at @pfn (head descriptor blank) on
 * @zone's free lists, coalescing now or lazily; free_pages grows.
 */
void pmm_buddy_put_locked(struct pmm_zone *zone, pmm_pfn_t pfn,
			  pmm_order_t order);
/* Forget lazy-buddy state (pmm_zones_reset()). */
void pmm_buddy_reset_state(void);

/* pcp.c */
/* Set @zone's per-CPU lists to the defaults (or the explicit setting). */
void pmm_pcp_init_zone(struct pmm_zone *zone);
/* Recompute the defaults after @zone's managed count changed. */
void pmm_pcp_update_zone(struct pmm_zone *zone);
/* Forget an explicit pmm_pcp_set_high_batch() (pmm_zones_reset()). */
void pmm_pcp_reset_state(void);
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
 * lists grew past the high mark). Takes the zone lock.
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

/* Push the free block @pfn of @order on @pcp's list of type @mt (marks it PMM_PG_PCP). */
static inline void pmm_pcp_push(struct pmm_pcp *pcp, unsigned int mt,
				pmm_order_t order, pmm_pfn_t pfn)
{
	struct pmm_page *page = &pmm_mem_map[pfn];
	page->info = PMM_PG_PCP | order;
	page->prev = 0;
	page->next = pcp->head[mt][order];
	pcp->head[mt][order] = (uint32_t)(pfn + 1);
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
	if (pcp->batch == 0)
		return false;
	pmm_pcp_push(pcp, pmm_free_type(zone, pfn), order, pfn);
	if (__builtin_expect(pcp->count > pcp->high, 0))
		pmm_pcp_drain_batch(zone, pcp);
	return true;
}

#endif /* PMM_BUDDY_INTERNAL_H */
