/* SPDX-License-Identifier: MIT */
/*
 * buddy_contig.c - contiguous runs of any length (pmm/contig.h): searched
 * inside a window with alignment and boundary, or placed at a pfn, and
 * given back in whole or in part.
 *
 * A run [s, e) is carved out of the free blocks that hold it: each block
 * leaves its list and the parts of it outside the run go back as the
 * maximal aligned blocks that tile them (their buddies hold run pages, so
 * none of them could have merged). The run itself leaves as the maximal
 * aligned allocated blocks that tile it, refcount 1, so pmm_check() sees
 * ordinary allocated heads; one above the pageblock order gets one type
 * over its pageblocks, as a free block of that order must have. A free of
 * part of a block splits the block the same way and puts the inner parts
 * through the buddy core (buddy_put_locked(), coalescing as usual).
 *
 * The search tries, zone by zone, first every free block that alone holds
 * the run, smallest order first and the request's type first (so no larger
 * block breaks than needed), then a linear walk of the window over block
 * heads for a run joining several blocks.
 *
 * Locking: one zone lock at a time; blocks on per-CPU lists count as busy,
 * and a search that fails gives this CPU's lists back and runs once more.
 */
#include <pmm/contig.h>
#include <pmm/debug.h>

#include "buddy_internal.h"

/* A search request, in pages. */
struct contig_req {
	uint64_t nr;        /* pages in the run */
	pmm_pfn_t lo, hi;   /* window [lo, hi) */
	pmm_pfn_t align;    /* the run's first pfn is a multiple (power of two) */
	pmm_pfn_t boundary; /* no multiple inside the run (power of two; 0 none) */
	unsigned int gfp;
};

static inline bool is_pow2(uint64_t x)
{
	return x != 0 && (x & (x - 1)) == 0;
}

static inline pmm_pfn_t round_up_pfn(pmm_pfn_t x, pmm_pfn_t a)
{
	return (x + a - 1) & ~(a - 1);
}

/* Return: the lowest order whose block holds @nr pages (may exceed MAX). */
static pmm_order_t order_for(uint64_t nr)
{
	pmm_order_t k = 0;
	while (k < 63 && ((uint64_t)1 << k) < nr)
		k++;
	return k;
}

/* Return: the largest order <= @max that @pfn is aligned to. */
static pmm_order_t align_order(pmm_pfn_t pfn, pmm_order_t max)
{
	if (pfn == 0)
		return max;
	pmm_order_t k = (pmm_order_t)__builtin_ctzll(pfn);
	return k < max ? k : max;
}

/*
 * The order of the piece at @p of the block ending at @end (@p aligned
 * inside it, orders up to @max): the largest aligned block that fits and
 * lies wholly inside [@s, @e) or wholly outside it.
 */
static pmm_order_t piece_order(pmm_pfn_t p, pmm_pfn_t end, pmm_pfn_t s,
			       pmm_pfn_t e, pmm_order_t max)
{
	pmm_order_t j = align_order(p, max);
	for (;; j--) {
		pmm_pfn_t pe = p + pmm_order_pages(j);
		if (pe <= end && (pe <= s || p >= e || (p >= s && pe <= e)))
			return j;
	}
}

/* Return: the first pfn >= @s where a run of @r may start. */
static pmm_pfn_t run_fit(pmm_pfn_t s, const struct contig_req *r)
{
	s = round_up_pfn(s, r->align);
	if (r->boundary != 0 && (s ^ (s + r->nr - 1)) >= r->boundary)
		s = round_up_pfn(s + 1, r->boundary); /* a multiple of align too */
	return s;
}

/* Return: the head of the block holding @pfn, or @pfn (a head or
 * reserved). Zone lock held. */
pmm_pfn_t pmm_buddy_block_of_locked(const struct pmm_zone *zone, pmm_pfn_t pfn)
{
	PMM_ASSERT_LOCKED(&zone->lock);
	if ((pmm_mem_map[pfn].info & PMM_PG_STATE_MASK) != 0)
		return pfn;
	return pmm_buddy_block_head_locked(zone, pfn);
}

/*
 * Return: true if @pfn lies in a free block on the buddy lists (on the
 * isolated and CMA ones only with @isolated). *@end gets the end of the block
 * holding it (free, per-CPU or allocated), or @pfn + 1 for a reserved
 * page. Zone lock held.
 */
static bool pfn_free_locked(const struct pmm_zone *zone, pmm_pfn_t pfn,
			    bool isolated, pmm_pfn_t *end)
{
	PMM_ASSERT_LOCKED(&zone->lock);
	pmm_pfn_t h = pmm_buddy_block_of_locked(zone, pfn);
	uint32_t state = pmm_mem_map[h].info & PMM_PG_STATE_MASK;
	if (state == 0) {
		*end = pfn + 1;
		return false;
	}
	*end = h + pmm_order_pages(pmm_page_order(&pmm_mem_map[h]));
	return state == PMM_PG_BUDDY &&
	       (isolated || pmm_free_type(zone, h) < PMM_MT_TYPES);
}

/*
 * Return: the first pfn of [@s, @e) not in a free block (isolated ones
 * count as free with @isolated), or @e; *@resume gets the end of what
 * makes it busy. Zone lock held.
 */
static pmm_pfn_t first_busy_locked(const struct pmm_zone *zone, pmm_pfn_t s,
				   pmm_pfn_t e, bool isolated, pmm_pfn_t *resume)
{
	PMM_ASSERT_LOCKED(&zone->lock);
	pmm_pfn_t q = s, end;
	while (q < e) {
		if (!pfn_free_locked(zone, q, isolated, &end)) {
			*resume = end;
			return q;
		}
		q = end;
	}
	return e;
}

/* Return: true and *@out if the free block [@h, +2^@k) holds a run of @r
 * inside [@lo, @hi). */
static bool fit_in_block(const struct contig_req *r, pmm_pfn_t h, pmm_order_t k,
			 pmm_pfn_t lo, pmm_pfn_t hi, pmm_pfn_t *out)
{
	pmm_pfn_t end = h + pmm_order_pages(k);
	if (end > hi)
		end = hi;
	pmm_pfn_t s = run_fit(h > lo ? h : lo, r);
	if (s >= end || end - s < r->nr)
		return false;
	*out = s;
	return true;
}

/*
 * A free block that alone holds the run: orders from the run's up, the
 * request's type first. Return: true and *@out. Zone lock held.
 */
static bool find_single_locked(const struct pmm_zone *zone,
			       const struct contig_req *r, pmm_pfn_t lo,
			       pmm_pfn_t hi, pmm_pfn_t *out)
{
	PMM_ASSERT_LOCKED(&zone->lock);
	unsigned int pref = pmm_zone_gfp_type(zone, r->gfp);
	for (pmm_order_t k = order_for(r->nr); k <= PMM_MAX_ORDER; k++) {
		for (unsigned int i = 0; i < PMM_MT_TYPES; i++) {
			unsigned int mt = (pref + i) % PMM_MT_TYPES;
			uint32_t n = zone->free_area[k].head[mt];
			for (; n != 0; n = pmm_mem_map[n - 1].next)
				if (fit_in_block(r, n - 1, k, lo, hi, out))
					return true;
		}
	}
	return false;
}

/* The first run of @r in [@lo, @hi) whose pages are all free. Zone lock held. */
static bool find_run_locked(const struct pmm_zone *zone,
			    const struct contig_req *r, pmm_pfn_t lo,
			    pmm_pfn_t hi, pmm_pfn_t *out)
{
	PMM_ASSERT_LOCKED(&zone->lock);
	pmm_pfn_t s = run_fit(lo, r);
	while (s < hi && hi - s >= r->nr) {
		pmm_pfn_t resume = s + 1;
		if (first_busy_locked(zone, s, s + r->nr, false, &resume) ==
		    s + r->nr) {
			*out = s;
			return true;
		}
		s = run_fit(resume, r);
	}
	return false;
}

/**
 * pmm_buddy_carve_locked - take the free block [@h, +2^@k) off its list
 * and list again, on the same list, the maximal aligned parts of it that
 * lie wholly outside [@s, @e) - and those inside too when @keep (a split
 * at @s or @e, nothing taken). A reported block is reclaimed first; the
 * pieces listed again keep a zero mark.
 *
 * Context: zone lock held; free_pages is the caller's (it drops by the
 * pages inside unless @keep).
 */
void pmm_buddy_carve_locked(struct pmm_zone *zone, pmm_pfn_t h, pmm_order_t k,
			    pmm_pfn_t s, pmm_pfn_t e, bool keep)
{
	PMM_ASSERT_LOCKED(&zone->lock);
	struct pmm_page *map = pmm_mem_map;
	unsigned int mt = pmm_free_type(zone, h);
	pmm_pfn_t end = h + pmm_order_pages(k);
	uint32_t zero = pmm_buddy_unmark_locked(zone, h, k);
	pmm_list_del_locked(zone, k, mt, &map[h]);
	pmm_page_clear(&map[h]);
	if (k < PMM_MAX_ORDER)
		pmm_pair_toggle(zone, k, h);
	for (pmm_pfn_t p = h; p < end;) {
		pmm_order_t j = piece_order(p, end, s, e, k);
		if (keep || p < s || p >= e) {
			pmm_buddy_list_piece_locked(zone, p, j, mt, zero);
			if (j < PMM_MAX_ORDER)
				pmm_pair_toggle(zone, j, p);
		}
		p += pmm_order_pages(j);
	}
}

/*
 * Give the pageblocks of [@p, +2^@j) the byte (type and flags) of the
 * first one, which a free block of that order must have. Zone lock held.
 */
static void pageblocks_like_first_locked(struct pmm_zone *zone, pmm_pfn_t p,
					 pmm_order_t j)
{
	PMM_ASSERT_LOCKED(&zone->lock);
	uint8_t *mt = zone->pageblock_mt;
	pmm_pfn_t idx = (p - zone->map_base) >> PMM_PAGEBLOCK_ORDER;
	pmm_pfn_t n = pmm_order_pages(j - PMM_PAGEBLOCK_ORDER);
	uint8_t b = __atomic_load_n(&mt[idx], __ATOMIC_RELAXED);
	for (pmm_pfn_t i = 1; i < n; i++)
		__atomic_store_n(&mt[idx + i], b, __ATOMIC_RELAXED);
}

/* Return: true if the pageblocks of [@p, +2^@j) have the same flags. */
static bool pageblocks_alike(const struct pmm_zone *zone, pmm_pfn_t p,
			     pmm_order_t j)
{
	unsigned int first = pmm_pageblock_type(zone, p) & PMM_PB_FLAGS;
	for (pmm_pfn_t q = p + PMM_PAGEBLOCK_PAGES; q < p + pmm_order_pages(j);
	     q += PMM_PAGEBLOCK_PAGES)
		if ((pmm_pageblock_type(zone, q) & PMM_PB_FLAGS) != first)
			return false;
	return true;
}

/*
 * Write [@s, @e) as allocated blocks (refcount 1), none above the
 * pageblock order over isolated and other pageblocks. Zone lock held.
 */
static void mark_run_locked(struct pmm_zone *zone, pmm_pfn_t s, pmm_pfn_t e)
{
	PMM_ASSERT_LOCKED(&zone->lock);
	for (pmm_pfn_t p = s; p < e;) {
		pmm_order_t j = align_order(p, PMM_MAX_ORDER);
		while (pmm_order_pages(j) > e - p ||
		       (j > PMM_PAGEBLOCK_ORDER && !pageblocks_alike(zone, p, j)))
			j--;
		pmm_mem_map[p].info = PMM_PG_ALLOC_HEAD | PMM_PG_REF_ONE | j;
		if (j > PMM_PAGEBLOCK_ORDER)
			pageblocks_like_first_locked(zone, p, j);
		p += pmm_order_pages(j);
	}
}

/*
 * Take the free run [@s, @e) of @zone. Lazy heads are coalesced first
 * (only here: a search or query that fails leaves them as they are; the
 * walks read a lazy head as the free head it is). Zone lock held.
 */
void pmm_buddy_take_run_locked(struct pmm_zone *zone, pmm_pfn_t s, pmm_pfn_t e)
{
	PMM_ASSERT_LOCKED(&zone->lock);
	pmm_buddy_settle_locked(zone);
	for (pmm_pfn_t q = s; q < e;) {
		pmm_pfn_t h = pmm_buddy_block_of_locked(zone, q);
		pmm_order_t k = pmm_page_order(&pmm_mem_map[h]);
		PMM_ASSERT(info_is_free_head(pmm_mem_map[h].info, k),
			   "pfn 0x%llx of run [0x%llx, 0x%llx): head 0x%llx info 0x%x not free",
			   ULL(q), ULL(s), ULL(e), ULL(h), pmm_mem_map[h].info);
		pmm_buddy_carve_locked(zone, h, k, s, e, false);
		q = h + pmm_order_pages(k);
	}
	zone_free_sub_locked(zone, e - s);
	mark_run_locked(zone, s, e);
	buddy_validate_due_locked(zone);
}

/* Lazy heads coalesced, so that every free block is a plain head. */
void pmm_buddy_settle_locked(struct pmm_zone *zone)
{
	PMM_ASSERT_LOCKED(&zone->lock);
	if (zone->lazy.total != 0)
		pmm_buddy_lazy_settle_locked(zone, PMM_NR_ORDERS);
}

/* The poison check and zeroing a new run gets, outside the lock. */
static void run_finish(pmm_pfn_t s, uint64_t nr, unsigned int gfp)
{
	if (pmm_debug_poison_on()) {
		for (pmm_pfn_t p = s; p < s + nr;) {
			pmm_order_t j = pmm_page_order(&pmm_mem_map[p]);
			pmm_poison_check(p, j);
			p += pmm_order_pages(j);
		}
	}
	if (gfp & PMM_GFP_ZERO)
		pmm_phys_fill(PMM_PFN_PHYS(s), nr << PMM_PAGE_SHIFT, 0);
}

/*
 * Search @zone's part of the window for a run and take it.
 * Return: true and *@out. Locking: takes the zone lock.
 */
static bool zone_contig(struct pmm_zone *zone, const struct contig_req *r,
			pmm_pfn_t lo, pmm_pfn_t hi, pmm_pfn_t *out)
{
	uint64_t min = zone->watermark[PMM_WMARK_MIN];
	if (r->gfp & PMM_GFP_HIGH)
		min >>= 1;
	zone_lock(zone);
	bool ok = zone->free_pages >= min + r->nr &&
		  (find_single_locked(zone, r, lo, hi, out) ||
		   find_run_locked(zone, r, lo, hi, out));
	if (ok)
		pmm_buddy_take_run_locked(zone, *out, *out + r->nr);
	zone_unlock(zone);
	return ok;
}

/*
 * Try node @nid's zones from @top down. *@met counts zones that meet the
 * window. Return: true and *@out.
 */
static bool node_contig(int nid, int top, const struct contig_req *r,
			unsigned int *met, pmm_pfn_t *out)
{
	for (int t = top; t >= 0; t--) {
		struct pmm_zone *zone = &pmm_nodes[nid].zones[t];
		pmm_pfn_t lo = r->lo > zone->start_pfn ? r->lo : zone->start_pfn;
		pmm_pfn_t hi = r->hi < zone->end_pfn ? r->hi : zone->end_pfn;
		if (zone->managed == 0 || lo >= hi)
			continue;
		(*met)++;
		if (hi - lo >= r->nr && zone_contig(zone, r, lo, hi, out))
			return true;
	}
	return false;
}

/* Every node the request allows, the default one first. Return: 0,
 * PMM_ERANGE (no zone meets the window) or PMM_ENOMEM. */
static int contig_search(const struct contig_req *r, pmm_pfn_t *out)
{
	int top = gfp_top_zone(r->gfp);
	int nid = pmm_node_default();
	unsigned int met = 0;
	if (nid < 0)
		return PMM_ERANGE;
	if (node_contig(nid, top, r, &met, out))
		return 0;
	for (int n = 0; n < PMM_MAX_NUMNODES && !(r->gfp & PMM_GFP_THISNODE); n++)
		if (n != nid && pmm_nodes[n].online &&
		    node_contig(n, top, r, &met, out))
			return 0;
	return met == 0 ? PMM_ERANGE : PMM_ENOMEM;
}

/* Return: true when @nr pages of 2^PMM_PAGE_SHIFT bytes fit in 64 bits. */
static bool pages_fit(uint64_t nr)
{
	return nr <= (UINT64_MAX >> PMM_PAGE_SHIFT);
}

/* Check the arguments and fill @r. Return: 0, PMM_EINVAL or PMM_EALIGN. */
static int contig_req_make(struct contig_req *r, uint64_t nr, unsigned int gfp,
			   pmm_phys_t low, pmm_phys_t high, pmm_phys_t align,
			   pmm_phys_t boundary)
{
	if (nr == 0 || !pages_fit(nr))
		return PMM_EINVAL;
	if (!is_pow2(align) || align < PMM_PAGE_SIZE ||
	    (boundary != 0 && !is_pow2(boundary)))
		return PMM_EALIGN;
	if (boundary != 0 && boundary < (nr << PMM_PAGE_SHIFT))
		return PMM_EINVAL;
	if (gfp_top_zone(gfp) < 0 || gfp_contradicts(gfp))
		return PMM_EINVAL;
	r->nr = nr;
	r->lo = (low >> PMM_PAGE_SHIFT) + ((low & ~PMM_PAGE_MASK) != 0);
	r->hi = high >> PMM_PAGE_SHIFT;
	if (high <= low || r->hi <= r->lo || r->hi - r->lo < nr)
		return PMM_EINVAL;
	r->align = align >> PMM_PAGE_SHIFT;
	r->boundary = boundary >> PMM_PAGE_SHIFT;
	r->gfp = gfp;
	return 0;
}

/**
 * pmm_alloc_contig_err - @nr_pages contiguous pages in a window (contig.h).
 *
 * Return: the first page's descriptor, or NULL and *@err.
 * Locking: each zone's lock in turn; may drain this CPU's per-CPU lists.
 */
struct pmm_page *pmm_alloc_contig_err(uint64_t nr_pages, unsigned int gfp,
				      pmm_phys_t low, pmm_phys_t high,
				      pmm_phys_t align, pmm_phys_t boundary,
				      int *err)
{
	pmm_buddy_deferred_finish(); /* reads descriptors by pfn */
	struct contig_req r;
	pmm_pfn_t s = 0;
	int e = contig_req_make(&r, nr_pages, gfp, low, high, align, boundary);
	if (e == 0) {
		e = contig_search(&r, &s);
		if (e == PMM_ENOMEM && pmm_pcp_drain_local())
			e = contig_search(&r, &s);
	}
	if (e != 0) {
		if (err != NULL)
			*err = e;
		return NULL;
	}
	run_finish(s, nr_pages, gfp);
	return &pmm_mem_map[s];
}

/* pmm_alloc_contig_err() without the error (contig.h). */
struct pmm_page *pmm_alloc_contig(uint64_t nr_pages, unsigned int gfp,
				  pmm_phys_t low, pmm_phys_t high,
				  pmm_phys_t align, pmm_phys_t boundary)
{
	return pmm_alloc_contig_err(nr_pages, gfp, low, high, align, boundary,
				    NULL);
}

/*
 * Return: the zone holding all of [@pfn, @pfn + @nr) (@nr > 0), or NULL
 * (pfn 0, past the descriptors, outside a zone or across zones).
 */
struct pmm_zone *pmm_buddy_range_zone(pmm_pfn_t pfn, uint64_t nr)
{
	if (pfn == 0 || pfn >= pmm_max_pfn || nr > pmm_max_pfn - pfn)
		return NULL;
	struct pmm_zone *zone = pmm_pfn_zone(pfn);
	if (zone == NULL || zone->managed == 0 || nr > zone->end_pfn - pfn)
		return NULL;
	return zone;
}

/* Take [@pfn, +@nr) of @zone if all free, else *@busy. Takes the lock. */
static int range_take(struct pmm_zone *zone, pmm_pfn_t pfn, uint64_t nr,
		      pmm_pfn_t *busy)
{
	pmm_pfn_t resume;
	zone_lock(zone);
	pmm_pfn_t b = first_busy_locked(zone, pfn, pfn + nr, true, &resume);
	if (b == pfn + nr)
		pmm_buddy_take_run_locked(zone, pfn, pfn + nr);
	zone_unlock(zone);
	if (b == pfn + nr)
		return 0;
	*busy = b;
	return PMM_EBUSY;
}

/**
 * pmm_alloc_range - take exactly [@pfn, @pfn + @nr_pages) (contig.h).
 *
 * O(blocks) for the search and O(pages / 2^PMM_MAX_ORDER + blocks) for the
 * take. A per-CPU block in the range sends this CPU's lists back to the
 * zones and the range is tried once more.
 * Return: 0 or an error; *@busy names the first busy page on PMM_EBUSY.
 * Locking: the zone's lock.
 */
int pmm_alloc_range(pmm_pfn_t pfn, uint64_t nr_pages, pmm_pfn_t *busy)
{
	pmm_deferred_settle_range(pfn, pfn + nr_pages); /* reads descriptors by pfn */
	pmm_pfn_t b = 0;
	if (nr_pages == 0)
		return PMM_EINVAL;
	struct pmm_zone *zone = pmm_buddy_range_zone(pfn, nr_pages);
	if (zone == NULL)
		return PMM_ERANGE;
	int e = range_take(zone, pfn, nr_pages, &b);
	if (e == PMM_EBUSY && pmm_pcp_drain_local())
		e = range_take(zone, pfn, nr_pages, &b);
	if (e == 0)
		run_finish(pfn, nr_pages, 0);
	else if (busy != NULL)
		*busy = b;
	return e;
}

/* pmm_range_is_free(): see contig.h. Locking: takes the zone lock. */
bool pmm_range_is_free(pmm_pfn_t pfn, uint64_t nr_pages)
{
	pmm_deferred_settle_range(pfn, pfn + nr_pages); /* reads descriptors by pfn */
	pmm_pfn_t resume;
	struct pmm_zone *zone = nr_pages != 0 ? pmm_buddy_range_zone(pfn, nr_pages) : NULL;
	if (zone == NULL)
		return false;
	zone_lock(zone);
	bool free = first_busy_locked(zone, pfn, pfn + nr_pages, true,
				      &resume) == pfn + nr_pages;
	zone_unlock(zone);
	return free;
}

/*
 * Every page of [@s, @e) in an allocated block of refcount 1.
 * Return: 0, or the error for the first page that is not, in *@bad.
 */
static int check_run_locked(const struct pmm_zone *zone, pmm_pfn_t s,
			    pmm_pfn_t e, pmm_pfn_t *bad)
{
	PMM_ASSERT_LOCKED(&zone->lock);
	for (pmm_pfn_t q = s; q < e;) {
		pmm_pfn_t h = pmm_buddy_block_of_locked(zone, q);
		const struct pmm_page *d = &pmm_mem_map[h];
		uint32_t state = d->info & PMM_PG_STATE_MASK;
		*bad = q;
		if (state == 0)
			return PMM_ERESERVED;
		if (state != PMM_PG_ALLOC_HEAD)
			return PMM_EDOUBLEFREE;
		if (pmm_page_refcount(d) != 1)
			return PMM_EBUSY;
		q = h + pmm_order_pages(pmm_page_order(d));
	}
	return 0;
}

/*
 * Free the parts of the allocated block at @h inside [@s, @e); its parts
 * outside stay allocated heads with its flags and tag. Zone lock held.
 */
static void free_block_part_locked(struct pmm_zone *zone, pmm_pfn_t h,
				   pmm_pfn_t s, pmm_pfn_t e)
{
	PMM_ASSERT_LOCKED(&zone->lock);
	struct pmm_page keep = pmm_mem_map[h];
	pmm_order_t k = pmm_page_order(&keep);
	pmm_pfn_t end = h + pmm_order_pages(k);
	pmm_page_clear(&pmm_mem_map[h]);
	for (pmm_pfn_t p = h; p < end;) {
		pmm_order_t j = piece_order(p, end, s, e, k);
		if (p >= s && p < e) {
			if (pmm_debug_poison_on())
				pmm_poison_block(p, j);
			buddy_put_locked(zone, p, j);
		} else {
			pmm_mem_map[p] = keep;
			pmm_mem_map[p].info = (keep.info & ~PMM_PG_ORDER_MASK) | j;
		}
		p += pmm_order_pages(j);
	}
}

/**
 * pmm_free_contig - free [@page, @page + @nr_pages) (contig.h).
 *
 * Checks every block first, so that an error changes nothing.
 * Return: 0 or an error. Locking: the zone's lock.
 */
int pmm_free_contig(struct pmm_page *page, uint64_t nr_pages)
{
	pmm_buddy_deferred_finish(); /* reads descriptors by pfn */
	pmm_pfn_t s, bad = 0;
	if (!pmm_page_pfn_checked(page, &s) || nr_pages == 0)
		return PMM_EINVAL;
	struct pmm_zone *zone = pmm_buddy_range_zone(s, nr_pages);
	if (zone == NULL)
		return PMM_ERANGE;
	pmm_pfn_t e = s + nr_pages;
	zone_lock(zone);
	int err = check_run_locked(zone, s, e, &bad);
	for (pmm_pfn_t q = s; err == 0 && q < e;) {
		pmm_pfn_t h = pmm_buddy_block_of_locked(zone, q);
		q = h + pmm_order_pages(pmm_page_order(&pmm_mem_map[h]));
		free_block_part_locked(zone, h, s, e);
	}
	zone_unlock(zone);
	if (err == PMM_EDOUBLEFREE || err == PMM_ERESERVED)
		return pmm_bug(err, "pmm_free_contig",
			       "%s: pfn 0x%llx of [0x%llx, 0x%llx) is %s",
			       pmm_zone_name(zone->type), ULL(bad), ULL(s),
			       ULL(e), err == PMM_ERESERVED ? "reserved" : "free");
	return err;
}
