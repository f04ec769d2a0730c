/* SPDX-License-Identifier: MIT */
/*
 * buddy.c - the zoned buddy page allocator of seed 002 (chapter 7.3).
 *
 * Each zone keeps, per order k, a doubly linked list of free blocks of 2^k
 * pages, linked through the descriptors of their heads (pfn + 1, 0 = none),
 * and a pair bitmap: one bit per pair of buddies, the XOR of "this block is
 * a free head of order k" over the two. Every time a block enters or leaves
 * free list k its pair bit flips. Freeing a block flips its bit; a 0 then
 * means the buddy (pfn ^ 2^k) is free as well, so the two leave list k and
 * the merged block tries again one order up - the seed's coalescing. Blocks
 * never merge across zones (each zone has its own bitmap, and a free head
 * of a zone lies wholly inside it) nor past PMM_MAX_ORDER.
 *
 * Descriptors are lazily valid (page.h): only heads are non-zero, so a merge
 * clears the head it absorbs and a split writes the head it creates.
 *
 * Lazy buddy (optional, pmm_buddy_set_lazy): a freed block goes on its list
 * marked PMM_PG_LAZY, its bit flipped but not acted on. When an allocation
 * of order k finds list k empty - it would split a larger block or fail -
 * the lazy heads of the lower orders are coalesced first, lowest order
 * first. Per zone and order the number of lazy heads is counted, so that
 * pass stops after the last one. Its cost is amortized O(1) per free: each
 * lazy head is settled once, and a plain head is walked over only while a
 * lazy head sits behind it - lists grow at the front, so after one pass
 * nothing behind a plain head is ever lazy again.
 *
 * Grouping by mobility (anti-fragmentation, Linux 2.6.24+): every pageblock
 * of 2^PMM_PAGEBLOCK_ORDER pages has a migratetype and each order one list
 * per type; a free block goes to the list of its pageblock's type (blocks
 * of one pageblock share its type, so coalescing below the pageblock order
 * never looks a type up; above it the buddy's pageblocks take the freed
 * block's type, as Linux does). An allocation takes the smallest block of
 * its own type; when there is none it falls back to the other types in
 * Linux's order, taking the largest block there (a movable request that
 * could not claim takes the smallest), and claims - retypes, moving its
 * free blocks - the whole pageblock when the block covers pageblocks, or
 * when at least half of the pageblock is free (Linux's
 * steal_suitable_fallback() rule without its count of allocated movable
 * pages, which pmm does not track); after a claim of one pageblock the
 * smallest fitting block of the request's type serves it. Otherwise the
 * block is taken as it is and its remainder stays on its own type's lists. The pair bitmaps know
 * nothing of types. pmm_buddy_set_grouping(false) serves every request as
 * the boot type (MOVABLE).
 *
 * Pages enter through pmm_buddy_handoff_range() (boot) and
 * pmm_buddy_free_range() (late frees), leave through the allocation API and
 * come back through pmm_free_pages(); traffic of orders 0..PMM_PCP_MAX_ORDER
 * goes through the per-CPU lists of pcp.c.
 *
 * Locking: each zone's lock guards its lists, bitmaps and counters.
 */
#include <pmm/debug.h>
#include <pmm/fmt.h>

#include "buddy_internal.h"

struct lazy_state {
	uint32_t nr[PMM_NR_ORDERS]; /* PMM_PG_LAZY heads on each list */
	uint64_t total;
};

static bool buddy_lazy;
static bool buddy_grouping_off;
static struct lazy_state lazy_states[PMM_MAX_NUMNODES][PMM_NR_ZONES];

#define ULL(x) ((unsigned long long)(x))

void pmm_buddy_reset_state(void)
{
	buddy_lazy = false;
	buddy_grouping_off = false;
	pmm_memset(lazy_states, 0, sizeof(lazy_states));
}

void pmm_buddy_zone_grouping(struct pmm_zone *zone)
{
	zone->gfp_mt_mask = buddy_grouping_off ? 0 : PMM_GFP_MOBILITY;
	zone->gfp_mt_force = buddy_grouping_off ? PMM_GFP_MOVABLE : 0;
}

/**
 * pmm_buddy_set_grouping - switch grouping by mobility on or off (see
 * buddy.h). Pageblock types and free lists stay as they are: off, every
 * request is served as MOVABLE and falls back as such.
 * Locking: while the allocator is quiet (the fast paths read the switch
 * from each zone without a lock).
 */
void pmm_buddy_set_grouping(bool on)
{
	buddy_grouping_off = !on;
	for (struct pmm_zone *z = pmm_zone_first(); z; z = pmm_zone_next(z))
		pmm_buddy_zone_grouping(z);
}

bool pmm_buddy_is_grouping(void)
{
	return !buddy_grouping_off;
}

/* Give the pageblocks of [@pfn, @pfn + 2^@k) type @mt. Zone lock held. */
static void pageblock_range_set(struct pmm_zone *zone, pmm_pfn_t pfn,
				pmm_order_t k, unsigned int mt)
{
	pmm_pfn_t end = pfn + pmm_order_pages(k);
	for (; pfn < end; pfn += PMM_PAGEBLOCK_PAGES)
		pmm_pageblock_set(zone, pfn, mt);
}

/*
 * The free buddy @buddy of order @k >= PMM_PAGEBLOCK_ORDER is about to
 * merge with a block of type @mt: its pageblocks take @mt.
 * Return: the type of the list it is on (its old type).
 */
static unsigned int merge_buddy_type(struct pmm_zone *zone, pmm_pfn_t buddy,
				     pmm_order_t k, unsigned int mt)
{
	unsigned int bmt = pmm_free_type(zone, buddy);
	if (bmt != mt)
		pageblock_range_set(zone, buddy, k, mt);
	return bmt;
}

static inline struct lazy_state *zone_lazy(const struct pmm_zone *zone)
{
	return &lazy_states[zone->node][zone->type];
}

static inline void lazy_forget(struct pmm_zone *zone, pmm_order_t k,
			       struct pmm_page *page)
{
	if (page->info & PMM_PG_LAZY) {
		struct lazy_state *ls = zone_lazy(zone);
		ls->nr[k]--;
		ls->total--;
	}
}

/*
 * Coalesce the free block at @pfn of order @k (head descriptor blank, its
 * pages counted in free_pages by the caller) as far up as its buddies allow
 * and put the result on its list. Zone lock held.
 */
static inline void buddy_merge_locked(struct pmm_zone *zone, pmm_pfn_t pfn,
				      pmm_order_t k, unsigned int mt)
{
	struct pmm_page *map = pmm_mem_map;
	while (k < PMM_MAX_ORDER) {
		if (pmm_pair_toggle(zone, k, pfn))
			break; /* buddy not free: this block now is */
		pmm_pfn_t buddy = pfn ^ pmm_order_pages(k);
		struct pmm_page *b = &map[buddy];
		if ((b->info & (PMM_PG_STATE_MASK | PMM_PG_ORDER_MASK)) !=
		    (PMM_PG_BUDDY | k)) {
			pmm_pair_toggle(zone, k, pfn);
			pmm_bug(PMM_ECORRUPT, __func__,
				   "%s: pair bit of pfn 0x%llx order %u says free, buddy 0x%llx info 0x%x",
				   pmm_zone_name(zone->type), ULL(pfn), k,
				   ULL(buddy), b->info);
			break;
		}
		unsigned int bmt = mt;
		if (k >= PMM_PAGEBLOCK_ORDER)
			bmt = merge_buddy_type(zone, buddy, k, mt);
		/* Both leave list k: two more flips, the bit stays 0. */
		pmm_list_del(zone, k, bmt, b);
		lazy_forget(zone, k, b);
		pmm_page_clear(b);
		pfn &= ~pmm_order_pages(k);
		k++;
	}
	map[pfn].info = PMM_PG_BUDDY | k;
	pmm_list_add(zone, k, mt, pfn);
}

/* Lazy mode: list the block at @pfn as it is, marked PMM_PG_LAZY. */
static void buddy_put_lazy_locked(struct pmm_zone *zone, pmm_pfn_t pfn,
				  pmm_order_t k, unsigned int mt)
{
	if (k == PMM_MAX_ORDER) {
		pmm_mem_map[pfn].info = PMM_PG_BUDDY | k;
		pmm_list_add(zone, k, mt, pfn);
		return;
	}
	pmm_pair_toggle(zone, k, pfn);
	pmm_mem_map[pfn].info = PMM_PG_BUDDY | PMM_PG_LAZY | k;
	pmm_list_add(zone, k, mt, pfn);
	struct lazy_state *ls = zone_lazy(zone);
	ls->nr[k]++;
	ls->total++;
}

/* pmm_buddy_put_locked(), inlined into the free paths of this file. */
static inline void buddy_put_locked(struct pmm_zone *zone, pmm_pfn_t pfn,
				    pmm_order_t order)
{
	/*
	 * A block above the pageblock order has one type over its pageblocks
	 * already: it left the free lists so (or was never typed otherwise),
	 * and claims retype only pageblocks holding free blocks.
	 */
	unsigned int mt = pmm_free_type(zone, pfn);
	pmm_zone_free_set_locked(zone, zone->free_pages + pmm_order_pages(order));
	if (buddy_lazy)
		buddy_put_lazy_locked(zone, pfn, order, mt);
	else
		buddy_merge_locked(zone, pfn, order, mt);
}

void pmm_buddy_put_locked(struct pmm_zone *zone, pmm_pfn_t pfn,
			  pmm_order_t order)
{
	buddy_put_locked(zone, pfn, order);
}

/*
 * Coalesce the lazy head @page (pfn @pfn, order @k) with its buddy if that
 * is free. *@next is the list walk's next link, moved past the buddy when
 * the buddy is that next entry. Return: lazy heads of order @k consumed.
 */
static uint32_t lazy_settle_locked(struct pmm_zone *zone, pmm_order_t k,
				   pmm_pfn_t pfn, uint32_t *next)
{
	struct pmm_page *map = pmm_mem_map;
	struct pmm_page *page = &map[pfn];
	uint32_t used = 1;
	unsigned int mt = pmm_free_type(zone, pfn);
	lazy_forget(zone, k, page);
	page->info &= ~PMM_PG_LAZY;
	if (pmm_pair_test(zone, k, pfn))
		return used; /* buddy not free */
	pmm_pfn_t buddy = pfn ^ pmm_order_pages(k);
	struct pmm_page *b = &map[buddy];
	if ((b->info & (PMM_PG_STATE_MASK | PMM_PG_ORDER_MASK)) !=
	    (PMM_PG_BUDDY | k)) {
		pmm_bug(PMM_ECORRUPT, __func__,
			   "%s: pair bit of pfn 0x%llx order %u says free, buddy 0x%llx info 0x%x",
			   pmm_zone_name(zone->type), ULL(pfn), k, ULL(buddy),
			   b->info);
		return used;
	}
	if (b->info & PMM_PG_LAZY)
		used++;
	if (*next == buddy + 1)
		*next = b->next;
	unsigned int bmt = mt;
	if (k >= PMM_PAGEBLOCK_ORDER)
		bmt = merge_buddy_type(zone, buddy, k, mt);
	/* Both leave list k: two flips, the bit stays 0. */
	pmm_list_del(zone, k, mt, page);
	pmm_list_del(zone, k, bmt, b);
	lazy_forget(zone, k, b);
	pmm_page_clear(page);
	pmm_page_clear(b);
	buddy_merge_locked(zone, pfn & ~pmm_order_pages(k), k + 1, mt);
	return used;
}

/*
 * Settle the lazy heads of list (@k, @mt), at most @left of them.
 * Return: how many of @left remain for the other lists. Zone lock held.
 */
static uint32_t lazy_coalesce_list_locked(struct pmm_zone *zone, pmm_order_t k,
					  unsigned int mt, uint32_t left)
{
	uint32_t cur = zone->free_area[k].head[mt];
	while (left != 0 && cur != 0) {
		pmm_pfn_t pfn = (pmm_pfn_t)cur - 1;
		uint32_t next = pmm_mem_map[pfn].next;
		if (pmm_mem_map[pfn].info & PMM_PG_LAZY) {
			uint32_t used = lazy_settle_locked(zone, k, pfn, &next);
			left = used < left ? left - used : 0;
		}
		cur = next;
	}
	return left;
}

/*
 * Coalesce every lazy head of orders [0, @upto), lowest order first, so
 * that merged blocks meet their buddies one order up. Zone lock held.
 */
static void lazy_coalesce_locked(struct pmm_zone *zone, pmm_order_t upto)
{
	struct lazy_state *ls = zone_lazy(zone);
	if (upto > PMM_MAX_ORDER)
		upto = PMM_MAX_ORDER;
	for (pmm_order_t k = 0; k < upto && ls->total != 0; k++) {
		uint32_t left = ls->nr[k];
		for (unsigned int mt = 0; mt < PMM_MT_TYPES && left != 0; mt++)
			left = lazy_coalesce_list_locked(zone, k, mt, left);
	}
}

static inline bool lazy_below(const struct pmm_zone *zone, pmm_order_t order)
{
	const struct lazy_state *ls = zone_lazy(zone);
	if (ls->total == 0)
		return false;
	for (pmm_order_t k = 0; k < order; k++)
		if (ls->nr[k] != 0)
			return true;
	return false;
}

/*
 * Split the block @pfn of order @k down to @order, listing upper halves on
 * the lists of type @mt (the block's pageblocks' type).
 */
static inline void buddy_split_locked(struct pmm_zone *zone, pmm_pfn_t pfn,
				      pmm_order_t k, pmm_order_t order,
				      unsigned int mt)
{
	while (k > order) {
		k--;
		pmm_pfn_t half = pfn + pmm_order_pages(k);
		pmm_mem_map[half].info = PMM_PG_BUDDY | k;
		pmm_list_add(zone, k, mt, half);
		pmm_pair_toggle(zone, k, half);
	}
}

/*
 * Take the free head @head of order @k off list (@k, @mt) and split it
 * down to @order; free_pages drops by 2^@order. Zone lock held.
 */
static inline void buddy_take_head_locked(struct pmm_zone *zone,
					  pmm_pfn_t head, pmm_order_t k,
					  unsigned int mt, pmm_order_t order)
{
	struct pmm_page *page = &pmm_mem_map[head];
	pmm_list_del(zone, k, mt, page);
	lazy_forget(zone, k, page);
	pmm_page_clear(page);
	if (k < PMM_MAX_ORDER)
		pmm_pair_toggle(zone, k, head);
	buddy_split_locked(zone, head, k, order, mt);
	pmm_zone_free_set_locked(zone, zone->free_pages - pmm_order_pages(order));
}

/* Linux's fallback order: the types a request of each type may borrow from. */
static const uint8_t fallback_types[PMM_MT_TYPES][PMM_MT_TYPES - 1] = {
	[PMM_MT_UNMOVABLE] = { PMM_MT_RECLAIMABLE, PMM_MT_MOVABLE },
	[PMM_MT_MOVABLE] = { PMM_MT_RECLAIMABLE, PMM_MT_UNMOVABLE },
	[PMM_MT_RECLAIMABLE] = { PMM_MT_UNMOVABLE, PMM_MT_MOVABLE },
};

/* Return: the first type @mt falls back to with a block of order @k, or -1. */
static int fallback_find(const struct pmm_zone *zone, pmm_order_t k,
			 unsigned int mt)
{
	for (unsigned int i = 0; i < PMM_MT_TYPES - 1; i++) {
		unsigned int fb = fallback_types[mt][i];
		if (zone->free_area[k].head[fb] != 0)
			return (int)fb;
	}
	return -1;
}

/*
 * Return: true when a request of type @mt that falls back to a block of
 * order @k may claim its pageblock (Linux's can_steal_fallback()): a block
 * of half a pageblock or more, or any unmovable or reclaimable request -
 * those are the ones that pollute pageblocks, so they gather in few.
 */
static bool fallback_can_claim(pmm_order_t k, unsigned int mt)
{
	return k >= PMM_PAGEBLOCK_ORDER / 2 || mt != PMM_MT_MOVABLE;
}

/* The pageblock holding @pfn, clipped to @zone: [*@start, *@end). */
static void pageblock_span(const struct pmm_zone *zone, pmm_pfn_t pfn,
			   pmm_pfn_t *start, pmm_pfn_t *end)
{
	pmm_pfn_t s = pfn & ~(PMM_PAGEBLOCK_PAGES - 1);
	pmm_pfn_t e = s + PMM_PAGEBLOCK_PAGES;
	*start = s > zone->start_pfn ? s : zone->start_pfn;
	*end = e < zone->end_pfn ? e : zone->end_pfn;
}

/* Return: pages of the next block at @pfn, 1 for a blank descriptor. */
static pmm_pfn_t walk_step(pmm_pfn_t pfn)
{
	const struct pmm_page *d = &pmm_mem_map[pfn];
	return pmm_page_is_blank(d) ? 1 : pmm_order_pages(pmm_page_order(d));
}

/* Return: pages in free (buddy-listed) blocks of @pfn's pageblock. */
static uint64_t pageblock_free_pages(const struct pmm_zone *zone,
				     pmm_pfn_t pfn)
{
	pmm_pfn_t p, end;
	uint64_t free = 0;
	pageblock_span(zone, pfn, &p, &end);
	for (; p < end; p += walk_step(p))
		if (pmm_page_is_free_head(&pmm_mem_map[p]))
			free += pmm_order_pages(pmm_page_order(&pmm_mem_map[p]));
	return free;
}

/*
 * Give @pfn's pageblock (of type @old, below the pageblock order in every
 * free block) type @mt and move its free blocks to @mt's lists.
 * Zone lock held.
 */
static void pageblock_claim(struct pmm_zone *zone, pmm_pfn_t pfn,
			    unsigned int old, unsigned int mt)
{
	pmm_pfn_t p, end;
	pageblock_span(zone, pfn, &p, &end);
	pmm_pageblock_set(zone, pfn, mt);
	for (; p < end; p += walk_step(p)) {
		struct pmm_page *d = &pmm_mem_map[p];
		if (!pmm_page_is_free_head(d))
			continue;
		pmm_order_t k = pmm_page_order(d);
		pmm_list_del(zone, k, old, d);
		pmm_list_add(zone, k, mt, p); /* info (and PMM_PG_LAZY) stays */
	}
}

/*
 * Fallback: no block of type @mt and order >= @order. Find one of another
 * type (largest first; smallest first for a movable request that could not
 * claim), claim its pageblocks if the rule allows (see the file comment)
 * and take 2^@order pages. Return: true and *@pfn, false if none is free.
 * Zone lock held.
 */
static __attribute__((noinline)) bool
buddy_take_fallback_locked(struct pmm_zone *zone, pmm_order_t order,
			   unsigned int mt, pmm_pfn_t *pfn)
{
	int k, fb = -1;
	for (k = PMM_MAX_ORDER; k >= (int)order; k--)
		if ((fb = fallback_find(zone, (pmm_order_t)k, mt)) >= 0)
			break;
	if (fb < 0)
		return false;
	if (!fallback_can_claim((pmm_order_t)k, mt) && k > (int)order) {
		for (k = (int)order; k <= PMM_MAX_ORDER; k++)
			if ((fb = fallback_find(zone, (pmm_order_t)k, mt)) >= 0)
				break;
	}
	pmm_order_t ko = (pmm_order_t)k;
	unsigned int from = (unsigned int)fb;
	pmm_pfn_t head = (pmm_pfn_t)zone->free_area[ko].head[from] - 1;
	if (fallback_can_claim(ko, mt)) {
		if (ko >= PMM_PAGEBLOCK_ORDER) {
			pmm_list_del(zone, ko, from, &pmm_mem_map[head]);
			pmm_list_add(zone, ko, mt, head);
			pageblock_range_set(zone, head, ko, mt);
			from = mt;
		} else if (pageblock_free_pages(zone, head) >=
			   PMM_PAGEBLOCK_PAGES / 2) {
			pageblock_claim(zone, head, from, mt);
			/* Of type @mt now (ko at most): the smallest fit serves. */
			pmm_order_t fit = order;
			while (zone->free_area[fit].head[mt] == 0)
				fit++;
			head = (pmm_pfn_t)zone->free_area[fit].head[mt] - 1;
			buddy_take_head_locked(zone, head, fit, mt, order);
			*pfn = head;
			return true;
		}
	}
	buddy_take_head_locked(zone, head, ko, from, order);
	*pfn = head;
	return true;
}

/* pmm_buddy_take_locked(), inlined into the allocation fast path. */
static inline bool buddy_take_locked(struct pmm_zone *zone, pmm_order_t order,
				     unsigned int mt, pmm_pfn_t *pfn)
{
	struct pmm_free_area *area = zone->free_area;
	pmm_order_t k = order;
	if (area[order].head[mt] == 0 && order != 0 && lazy_below(zone, order))
		lazy_coalesce_locked(zone, order);
	while (area[k].head[mt] == 0) {
		if (++k > PMM_MAX_ORDER)
			return buddy_take_fallback_locked(zone, order, mt, pfn);
	}
	pmm_pfn_t head = (pmm_pfn_t)area[k].head[mt] - 1;
	buddy_take_head_locked(zone, head, k, mt, order);
	*pfn = head;
	return true;
}

bool pmm_buddy_take_locked(struct pmm_zone *zone, pmm_order_t order,
			   unsigned int mt, pmm_pfn_t *pfn)
{
	return buddy_take_locked(zone, order, mt, pfn);
}

/* ---- allocation ---- */

/* Return: the highest zone @gfp allows, or -1 for contradictory flags. */
static inline int gfp_top_zone(unsigned int gfp)
{
	switch (gfp & PMM_GFP_ZONEMASK) {
	case 0: return PMM_ZONE_NORMAL;
	case PMM_GFP_DMA: return PMM_ZONE_DMA;
	case PMM_GFP_DMA32: return PMM_ZONE_DMA32;
	case PMM_GFP_HIGHMEM: return PMM_ZONE_HIGHMEM;
	default: return -1;
	}
}

/*
 * Return: true when @gfp sets both mobility flags while grouping is on
 * (off, the flags are not read: every request is movable).
 */
static bool gfp_contradicts(unsigned int gfp)
{
	return !buddy_grouping_off &&
	       pmm_gfp_migratetype(gfp) >= PMM_MT_TYPES;
}

/* Try one zone. Return: true and *@pfn (head descriptor to be set). */
/* Return: @zone's min watermark for @gfp (half of it with PMM_GFP_HIGH). */
static inline uint64_t gfp_min(const struct pmm_zone *zone, unsigned int gfp)
{
	uint64_t min = zone->watermark[PMM_WMARK_MIN];
	return gfp & PMM_GFP_HIGH ? min >> 1 : min;
}

static inline bool zone_try(struct pmm_zone *zone, unsigned int gfp,
			    pmm_order_t order, pmm_pfn_t *pfn)
{
	uint64_t min = gfp_min(zone, gfp);
	unsigned int mt = pmm_zone_gfp_type(zone, gfp);
	if (order <= PMM_PCP_MAX_ORDER && pmm_pcp_enabled(zone))
		return pmm_pcp_alloc(zone, min, order, mt, pfn);
	/* Unlocked read, as Linux's fast watermark check: a hint. */
	if (pmm_zone_free_hint(zone) < min + pmm_order_pages(order))
		return false;
	pmm_platform_lock(&zone->lock);
	bool ok = zone->free_pages >= min + pmm_order_pages(order) &&
		  pmm_buddy_take_locked(zone, order, mt, pfn);
	pmm_platform_unlock(&zone->lock);
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

static void zero_block(pmm_pfn_t pfn, pmm_order_t order)
{
	pmm_phys_fill(PMM_PFN_PHYS(pfn), pmm_order_pages(order) << PMM_PAGE_SHIFT, 0);
}

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
	struct pmm_zone *zone = __atomic_load_n(&pmm_zone_fast, __ATOMIC_RELAXED);
	if (zone == NULL || (gfp & PMM_GFP_ZONEMASK) != 0)
		return false;
	/* pmm_zone_gfp_type() without its redundant mask: both flags fail. */
	unsigned int bits = (gfp & zone->gfp_mt_mask) | zone->gfp_mt_force;
	if (bits == PMM_GFP_MOBILITY)
		return false;
	unsigned int mt = bits >> PMM_GFP_MT_SHIFT;
	struct pmm_pcp *pcp = &zone->pcp[pmm_platform_cpu()];
	uint64_t need = gfp_min(zone, gfp) + pmm_order_pages(order);
	/* pmm_pcp_alloc()'s test: free_pages + count >= min + 2^order. */
	if (pcp->head[mt][order] == 0 ||
	    (pcp->count < need && pmm_zone_free_hint(zone) + pcp->count < need))
		return false;
	*pfn = pmm_pcp_pop(pcp, mt, order);
	return true;
}

/* Write the allocated head of the block at @pfn: refcount 1, owner @tag. */
static inline struct pmm_page *alloc_head(pmm_pfn_t pfn, pmm_order_t order,
					  uint64_t tag)
{
	struct pmm_page *page = &pmm_mem_map[pfn];
	page->next = (uint32_t)tag;
	page->prev = (uint32_t)(tag >> 32);
	page->info = PMM_PG_ALLOC_HEAD | PMM_PG_REF_ONE | order |
		     (tag != 0 ? PMM_PG_OWNER : 0);
	return page;
}

/* alloc_head(), with the poison check before and the zeroing after. */
static inline struct pmm_page *alloc_finish(pmm_pfn_t pfn, pmm_order_t order,
					    unsigned int gfp, uint64_t tag)
{
	if (pmm_debug_poison_on())
		pmm_poison_check(pfn, order); /* reports use after free */
	struct pmm_page *page = alloc_head(pfn, order, tag);
	if (gfp & PMM_GFP_ZERO)
		zero_block(pfn, order);
	return page;
}

/* alloc_finish() out of line, for the fast path's uncommon requests. */
static __attribute__((noinline)) struct pmm_page *
alloc_finish_call(pmm_pfn_t pfn, pmm_order_t order, unsigned int gfp,
		  uint64_t tag)
{
	return alloc_finish(pfn, order, gfp, tag);
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
 * The fast path of orders above the per-CPU ones (and of every order
 * without per-CPU lists): zone_try() on pmm_zone_fast alone, for a @gfp
 * without zone flags. Return: the pfn, or 0 to take the full path (which
 * tries that zone again, then the others).
 */
static __attribute__((noinline)) pmm_pfn_t alloc_zone_fast(unsigned int gfp,
							   pmm_order_t order)
{
	struct pmm_zone *zone = __atomic_load_n(&pmm_zone_fast, __ATOMIC_RELAXED);
	if (zone == NULL || (gfp & PMM_GFP_ZONEMASK) != 0 ||
	    order > PMM_MAX_ORDER ||
	    pmm_zone_gfp_type(zone, gfp) >= PMM_MT_TYPES)
		return 0;
	if (order <= PMM_PCP_MAX_ORDER && pmm_pcp_enabled(zone))
		return 0; /* per-CPU lists on: pmm_pcp_alloc() refills */
	pmm_pfn_t pfn;
	return zone_try(zone, gfp, order, &pfn) ? pfn : 0;
}

/* The paths after the per-CPU pop missed: the zone's, else the full one. */
static __attribute__((noinline)) struct pmm_page *
alloc_pages_rest(int nid, unsigned int gfp, pmm_order_t order, uint64_t tag,
		 int *err)
{
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
			return alloc_head(pfn, order, 0);
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

struct pmm_page *pmm_alloc_pages(unsigned int gfp, pmm_order_t order)
{
	return alloc_pages(PMM_NUMA_NO_NODE, gfp, order, 0, NULL);
}

struct pmm_page *pmm_alloc_pages_node(int nid, unsigned int gfp,
				      pmm_order_t order)
{
	return alloc_pages(nid, gfp, order, 0, NULL);
}

struct pmm_page *pmm_alloc_page(unsigned int gfp)
{
	return alloc_pages(PMM_NUMA_NO_NODE, gfp, 0, 0, NULL);
}

pmm_phys_t pmm_get_free_pages(unsigned int gfp, pmm_order_t order)
{
	struct pmm_page *page = alloc_pages(PMM_NUMA_NO_NODE, gfp, order, 0,
					    NULL);
	return page != NULL ? PMM_PFN_PHYS(pmm_page_to_pfn(page)) : 0;
}

pmm_phys_t pmm_get_free_page(unsigned int gfp)
{
	return pmm_get_free_pages(gfp, 0);
}

pmm_phys_t pmm_get_zeroed_page(unsigned int gfp)
{
	return pmm_get_free_pages(gfp | PMM_GFP_ZERO, 0);
}

/* ---- freeing ---- */

/*
 * The head of the block that holds the blank page @pfn, or @pfn itself if
 * none: look at pfn rounded down to 2^k for every order k. Zone lock held.
 */
static pmm_pfn_t find_block_head(const struct pmm_zone *zone, pmm_pfn_t pfn)
{
	for (pmm_order_t k = 1; k <= PMM_MAX_ORDER; k++) {
		pmm_pfn_t h = pfn & ~(pmm_order_pages(k) - 1);
		if (h == pfn)
			continue;
		if (h < zone->start_pfn)
			break;
		const struct pmm_page *d = &pmm_mem_map[h];
		if ((d->info & (PMM_PG_BUDDY | PMM_PG_ALLOC_HEAD | PMM_PG_PCP)) &&
		    pfn - h < pmm_order_pages(pmm_page_order(d)))
			return h;
	}
	return pfn;
}

/* Say why freeing @pfn at @order is wrong (nothing changes). */
static __attribute__((noinline)) int free_error(pmm_pfn_t pfn, pmm_order_t order)
{
	struct pmm_zone *zone = pmm_pfn_zone(pfn);
	const struct pmm_page *d = &pmm_mem_map[pfn];
	uint32_t info;
	int err;
	if (zone == NULL)
		return pmm_bug(PMM_ERESERVED, "pmm_free_pages",
				  "pfn 0x%llx order %u: in no zone, info 0x%x",
				  ULL(pfn), order, d->info);
	pmm_lock(&zone->lock);
	info = d->info;
	pmm_pfn_t head = pfn;
	if (info & (PMM_PG_BUDDY | PMM_PG_PCP)) {
		err = PMM_EDOUBLEFREE;
	} else if (info & PMM_PG_ALLOC_HEAD) {
		if (pmm_page_order(d) != order)
			err = PMM_EWRONGORDER;
		else if (pmm_page_refcount(d) == 0)
			err = PMM_EDOUBLEFREE;
		else
			err = PMM_ECORRUPT;
	} else {
		head = find_block_head(zone, pfn);
		const struct pmm_page *h = &pmm_mem_map[head];
		if (head == pfn)
			err = PMM_ERESERVED;
		else if (h->info & PMM_PG_ALLOC_HEAD)
			err = PMM_ENOTHEAD;
		else
			err = PMM_EDOUBLEFREE;
		info = h->info;
	}
	pmm_unlock(&zone->lock);
	return pmm_bug(err, "pmm_free_pages",
			  "%s: pfn 0x%llx order %u: block head 0x%llx info 0x%x",
			  pmm_zone_name(zone->type), ULL(pfn), order,
			  ULL(head), info);
}

/* Give the block back to the buddy lists under the zone lock. */
static __attribute__((noinline)) void free_block_locked(struct pmm_zone *zone,
							pmm_pfn_t pfn,
							pmm_order_t order)
{
	pmm_platform_lock(&zone->lock);
	buddy_put_locked(zone, pfn, order);
	pmm_platform_unlock(&zone->lock);
}

/* A misplaced head: out of the zone or not aligned to its order. */
static __attribute__((noinline)) int free_misplaced(pmm_pfn_t pfn,
						    pmm_order_t order,
						    uint32_t info)
{
	return pmm_bug(PMM_ECORRUPT, "pmm_free_pages",
			  "pfn 0x%llx order %u: misplaced head, info 0x%x",
			  ULL(pfn), order, info);
}

/* The block's refcount reached zero: give it back. */
static inline void free_block(struct pmm_zone *zone, pmm_pfn_t pfn,
			      pmm_order_t order)
{
	if (pmm_debug_poison_on())
		pmm_poison_block(pfn, order);
	if (order <= PMM_PCP_MAX_ORDER && pmm_pcp_free(zone, pfn, order))
		return; /* the push rewrote the whole descriptor */
	pmm_page_clear(&pmm_mem_map[pfn]);
	free_block_locked(zone, pfn, order);
}

/* pmm_free_pages() after the fast path missed: every case, in order. */
static __attribute__((noinline)) int free_pages_slow(struct pmm_page *page,
						     pmm_pfn_t pfn,
						     pmm_order_t order)
{
	if (order > PMM_MAX_ORDER)
		return PMM_EORDER;
	uint32_t info = page->info;
	if ((info & (PMM_PG_STATE_MASK | PMM_PG_ORDER_MASK)) !=
		    (PMM_PG_ALLOC_HEAD | order) ||
	    info < PMM_PG_REF_ONE)
		return free_error(pfn, order);
	struct pmm_zone *zone = pmm_pfn_zone_fast(pfn);
	if (zone == NULL || (pfn & (pmm_order_pages(order) - 1)) != 0 ||
	    pfn + pmm_order_pages(order) > zone->end_pfn)
		return free_misplaced(pfn, order, info);
	if (info >= 2 * PMM_PG_REF_ONE) {
		uint32_t old = __atomic_fetch_sub(&page->info, PMM_PG_REF_ONE,
						  __ATOMIC_ACQ_REL);
		if (old >= 2 * PMM_PG_REF_ONE)
			return 0;
	}
	free_block(zone, pfn, order);
	return 0;
}

#define PMM_PG_REF_MASK (~(PMM_PG_REF_ONE - 1))

/* Drain a batch of @pcp after a free pushed it past its high mark. */
static __attribute__((noinline)) int free_drain(struct pmm_zone *zone,
						struct pmm_pcp *pcp)
{
	pmm_pcp_drain_batch(zone, pcp);
	return 0;
}

/*
 * pmm_free_pages(), inlined into each entry point. The fast path is the
 * common case - an allocated head of a per-CPU @order with one reference,
 * aligned, inside the largest zone, no poisoning, per-CPU lists on - found
 * with the same checks as the slow path makes (flags, order and refcount
 * in one comparison), and pushed on this CPU's list without a call;
 * everything else is a tail call to free_pages_slow(), which classifies
 * and serves every case, so the fast path needs no stack frame.
 */
static inline __attribute__((always_inline)) int
free_pages(struct pmm_page *page, pmm_order_t order)
{
	pmm_pfn_t pfn;
	if (!pmm_page_pfn_checked(page, &pfn))
		return PMM_EINVAL;
	const struct pmm_zone *hint = pmm_zone_hint;
	if (__builtin_expect(order > PMM_PCP_MAX_ORDER ||
			     (page->info & (PMM_PG_STATE_MASK | PMM_PG_ORDER_MASK |
					    PMM_PG_REF_MASK)) !=
				     (PMM_PG_ALLOC_HEAD | PMM_PG_REF_ONE | order) ||
			     hint == NULL ||
			     pfn - hint->start_pfn >= hint->spanned ||
			     (pfn & (pmm_order_pages(order) - 1)) != 0 ||
			     pfn + pmm_order_pages(order) > hint->end_pfn ||
			     pmm_debug_poison_on(), 0))
		return free_pages_slow(page, pfn, order);
	struct pmm_zone *zone = pmm_zone_hint;
	struct pmm_pcp *pcp = &zone->pcp[pmm_platform_cpu()];
	unsigned int mt = pmm_pageblock_type(zone, pfn);
	if (__builtin_expect(pcp->batch == 0 || mt >= PMM_MT_TYPES, 0))
		return free_pages_slow(page, pfn, order);
	pmm_pcp_push(pcp, mt, order, pfn);
	if (__builtin_expect(pcp->count > pcp->high, 0))
		return free_drain(zone, pcp);
	return 0;
}

/**
 * pmm_free_pages - drop a reference to the block of 2^@order pages at @page
 * and free it at zero (see buddy.h).
 *
 * Always on: the head must carry PMM_PG_ALLOC_HEAD and @order, be aligned to its
 * order and lie in a zone; anything else is classified on a slow path.
 * Return: 0 or an error; nothing changes on error.
 * Locking: the zone lock for blocks of order > 0 (and per-CPU batches).
 */
int pmm_free_pages(struct pmm_page *page, pmm_order_t order)
{
	return free_pages(page, order);
}

int pmm_free_page(struct pmm_page *page)
{
	return free_pages(page, 0);
}

/**
 * pmm_free_pages_addr - pmm_free_pages() by physical address.
 *
 * Address 0 (the failure value of the allocators) is accepted and ignored,
 * as Linux's free_pages(0, order) is.
 * Return: 0, PMM_EINVAL (not page aligned or beyond the descriptors), or
 * pmm_free_pages()'s error.
 */
int pmm_free_pages_addr(pmm_phys_t addr, pmm_order_t order)
{
	if (addr == 0)
		return 0;
	if ((addr & ~PMM_PAGE_MASK) != 0 || PMM_PFN_DOWN(addr) >= pmm_max_pfn)
		return PMM_EINVAL;
	return pmm_free_pages(pmm_pfn_to_page(PMM_PFN_DOWN(addr)), order);
}

int pmm_free_page_addr(pmm_phys_t addr)
{
	return pmm_free_pages_addr(addr, 0);
}

/**
 * pmm_get_page - take a reference on the allocated block headed by @page.
 * Return: 0, PMM_EINVAL (not the head of an allocated block), PMM_EBUSY
 * (the count would overflow). Locking: none (atomic on the head).
 */
int pmm_get_page(struct pmm_page *page)
{
	if (!pmm_page_in_map(page))
		return PMM_EINVAL;
	uint32_t info = __atomic_load_n(&page->info, __ATOMIC_RELAXED);
	for (;;) {
		if ((info & PMM_PG_STATE_MASK) != PMM_PG_ALLOC_HEAD ||
		    info < PMM_PG_REF_ONE)
			return PMM_EINVAL;
		if ((info >> PMM_PG_REF_SHIFT) == PMM_PG_REF_MAX)
			return PMM_EBUSY;
		if (__atomic_compare_exchange_n(&page->info, &info,
						info + PMM_PG_REF_ONE, false,
						__ATOMIC_ACQ_REL,
						__ATOMIC_RELAXED))
			return 0;
	}
}

/* Drop a reference; free the block with its own order at zero. */
int pmm_put_page(struct pmm_page *page)
{
	if (!pmm_page_in_map(page))
		return PMM_EINVAL;
	return pmm_free_pages(page, pmm_page_order(page));
}

/* ---- hand-off and late frees ---- */

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
 * ahead of @pfn (order @k) so that its cache and TLB misses overlap.
 */
#define HANDOFF_PREFETCH_BLOCKS 16

static inline void prefetch_head(pmm_pfn_t pfn, pmm_order_t k, pmm_pfn_t end,
				 bool write)
{
	pmm_pfn_t ahead = pfn + ((pmm_pfn_t)HANDOFF_PREFETCH_BLOCKS << k);
	if (ahead >= end)
		return;
	if (write)
		__builtin_prefetch(&pmm_mem_map[ahead], 1);
	else
		__builtin_prefetch(&pmm_mem_map[ahead], 0);
}

/*
 * Free [@start, @end), all inside @zone, in maximal aligned blocks, each
 * as seed 001 does: head = PMM_PG_ALLOC_HEAD | order, refcount 1, then freed.
 */
static uint64_t zone_free_span(struct pmm_zone *zone, pmm_pfn_t start,
			       pmm_pfn_t end)
{
	uint64_t pages = end - start;
	pmm_lock(&zone->lock);
	while (start < end) {
		pmm_order_t k = max_block_order(start, end);
		struct pmm_page *head = &pmm_mem_map[start];
		prefetch_head(start, k, end, true);
		head->info = PMM_PG_ALLOC_HEAD | PMM_PG_REF_ONE | k;
		zone->managed += pmm_order_pages(k);
		pmm_page_clear(head); /* the refcount drops to zero */
		if (pmm_debug_poison_on())
			pmm_poison_block(start, k);
		pmm_buddy_put_locked(zone, start, k);
		start += pmm_order_pages(k);
	}
	pmm_unlock(&zone->lock);
	pmm_pcp_update_zone(zone);
	pmm_zone_fast_update();
	return pages;
}

/* Return: 0 if every pfn of [@start, @end) is in a zone, else PMM_ERANGE. */
static int range_in_zones(pmm_pfn_t start, pmm_pfn_t end)
{
	if (end > pmm_max_pfn)
		return PMM_ERANGE;
	while (start < end) {
		struct pmm_zone *zone = pmm_pfn_zone(start);
		if (zone == NULL)
			return PMM_ERANGE;
		start = zone->end_pfn < end ? zone->end_pfn : end;
	}
	return 0;
}

/*
 * Return: the first block head of the hand-off of [@start, @end) whose
 * descriptor is not blank (a page handed over twice), or @end. O(blocks).
 */
static pmm_pfn_t first_used_head(pmm_pfn_t start, pmm_pfn_t end)
{
	while (start < end) {
		struct pmm_zone *zone = pmm_pfn_zone(start);
		pmm_pfn_t stop = zone->end_pfn < end ? zone->end_pfn : end;
		while (start < stop) {
			pmm_order_t k = max_block_order(start, stop);
			prefetch_head(start, k, stop, false);
			if (!pmm_page_is_blank(&pmm_mem_map[start]))
				return start;
			start += pmm_order_pages(k);
		}
	}
	return end;
}

static uint64_t free_span(pmm_pfn_t start, pmm_pfn_t end)
{
	uint64_t pages = 0;
	while (start < end) {
		struct pmm_zone *zone = pmm_pfn_zone(start);
		pmm_pfn_t stop = zone->end_pfn < end ? zone->end_pfn : end;
		pages += zone_free_span(zone, start, stop);
		start = stop;
	}
	return pages;
}

/**
 * pmm_buddy_handoff_range - give never-seen pages [@start, @end) to the
 * buddy allocator (see buddy.h). pfn 0 is skipped silently: it is never
 * managed. Cost: O(blocks), split at zone boundaries; only the block heads
 * are read, so a head already in use is caught (PMM_EDOUBLEFREE, reported)
 * but a page inside a block is trusted.
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
	int err = range_in_zones(start, end);
	if (err)
		return err;
	pmm_pfn_t used = first_used_head(start, end);
	if (used != end)
		return pmm_bug(PMM_EDOUBLEFREE, __func__,
				  "range [0x%llx, 0x%llx): pfn 0x%llx handed over twice (info 0x%x)",
				  ULL(start), ULL(end), ULL(used),
				  pmm_mem_map[used].info);
	uint64_t pages = free_span(start, end);
	if (freed != NULL)
		*freed += pages;
	return 0;
}

bool pmm_pfn_is_reserved(pmm_pfn_t pfn)
{
	if (pfn >= pmm_max_pfn)
		return true;
	struct pmm_zone *zone = pmm_pfn_zone(pfn);
	if (zone == NULL)
		return pmm_page_is_blank(&pmm_mem_map[pfn]);
	pmm_lock(&zone->lock);
	bool reserved = pmm_page_is_blank(&pmm_mem_map[pfn]) &&
			find_block_head(zone, pfn) == pfn;
	pmm_unlock(&zone->lock);
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

pmm_pfn_t pmm_first_unreserved(pmm_pfn_t start, pmm_pfn_t end)
{
	/* Pages past the descriptors are in no block, as pmm_pfn_is_reserved() says. */
	pmm_pfn_t stop = end < pmm_max_pfn ? end : pmm_max_pfn;
	if (start >= stop)
		return end;
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
	int err = range_in_zones(start, end);
	if (err)
		return err;
	pmm_pfn_t bad = first_unreserved(start, end);
	if (bad != end)
		return pmm_bug(PMM_EDOUBLEFREE, __func__,
				  "range [0x%llx, 0x%llx): pfn 0x%llx is not reserved (info 0x%x)",
				  ULL(start), ULL(end), ULL(bad),
				  pmm_mem_map[bad].info);
	uint64_t pages = free_span(start, end);
	if (freed != NULL)
		*freed += pages;
	return 0;
}

uint64_t pmm_nr_free_pages(void)
{
	uint64_t n = 0;
	for (struct pmm_zone *z = pmm_zone_first(); z; z = pmm_zone_next(z)) {
		n += z->free_pages;
		for (unsigned int cpu = 0; cpu < PMM_NR_CPUS; cpu++)
			n += z->pcp[cpu].count;
	}
	return n;
}

/* ---- lazy buddy switch ---- */

/**
 * pmm_buddy_set_lazy - switch delayed coalescing on or off. Switching off
 * coalesces every lazy head at once.
 * Locking: each zone's lock in turn; call while the allocator is quiet
 * (a free racing the switch may leave one lazy head behind, which the
 * next allocation that needs it coalesces anyway).
 */
void pmm_buddy_set_lazy(bool lazy)
{
	buddy_lazy = lazy;
	if (lazy)
		return;
	for (struct pmm_zone *z = pmm_zone_first(); z; z = pmm_zone_next(z)) {
		pmm_lock(&z->lock);
		lazy_coalesce_locked(z, PMM_MAX_ORDER);
		pmm_unlock(&z->lock);
	}
}

bool pmm_buddy_is_lazy(void)
{
	return buddy_lazy;
}
