/* SPDX-License-Identifier: MIT */
/*
 * buddy_cma.c - contiguous memory areas (Linux's CMA): regions of whole
 * pageblocks set aside for large contiguous allocations that movable
 * allocations may borrow meanwhile, so the memory is not idle.
 *
 * pmm_cma_declare() marks a region's pageblocks PMM_PB_CMA and moves its
 * free blocks to the PMM_MT_CMA lists; from then on only movable requests
 * take from them (pmm_cma_take_locked()): first, while the CMA lists hold
 * more than half of the zone's free pages (Linux's rule in __rmqueue();
 * buddy_take_locked()), else when no block of their own type is left,
 * before stealing another type's pageblock. Frees into the region come
 * back there (pmm_free_type() maps the byte); the per-CPU lists free them
 * to the zone, though a refill may hold some until it is drained.
 *
 * What is lent must come back, so lending is bounded (the guarantee that
 * pmm_cma_alloc() succeeds whenever the memory outside the regions can
 * hold what they lent): only blocks up to PMM_CMA_LEND_MAX_ORDER (order 0:
 * a page always has somewhere to go while one page is free, a larger
 * block needs a free block as large), only while the zone's free pages
 * outside CMA stay at least the pages lent plus the min watermark, never
 * with grouping by mobility off (every request is served as movable then,
 * kernel pages too), and never while pmm_cma_alloc() is taking a region of
 * the zone back (the migrate hook's new pages must land outside). Lent
 * pages are counted, not marked: the regions' pages minus their free ones
 * (zone->cma_free, kept by the list primitives); runs pmm_cma_alloc()
 * handed out count as lent too, which only bounds lending tighter.
 *
 * pmm_cma_alloc() picks a candidate run in the region, isolates its
 * pageblocks (buddy_isolate.c: frees into them stay off every allocatable
 * list), asks the platform's migrate hook - with no lock held - to move
 * each allocated block still inside, takes the run once it is all free and
 * releases the isolation. A block that cannot move fails the candidate
 * with every page where it was; the next candidate starts past it.
 *
 * Locking: the region table is written at boot (declare) and read without
 * a lock; everything else takes the region's zone lock.
 */
#include <pmm/contig.h>

#include "buddy_internal.h"

struct cma_region {
	pmm_pfn_t base;          /* first pfn, pageblock aligned */
	uint64_t count;          /* pages, whole pageblocks */
	struct pmm_zone *zone;   /* the zone holding all of it */
	unsigned int taking;     /* pmm_cma_alloc() calls running; zone lock */
	char name[PMM_CMA_NAME_MAX];
};

static struct cma_region cma_regions[PMM_CMA_MAX];
static unsigned int cma_nr;

/* Forget every region (buddy_state.c). */
void pmm_cma_reset(void)
{
	cma_nr = 0;
}

/* Return: region @id, or NULL. */
static struct cma_region *cma_get(int id)
{
	return id >= 0 && (unsigned int)id < cma_nr ? &cma_regions[id] : NULL;
}

/*
 * Return: the pages of @zone's regions, and in *@taking whether one of
 * them is being taken back. Zone lock held.
 */
static uint64_t cma_zone_pages_locked(const struct pmm_zone *zone,
				      bool *taking)
{
	uint64_t pages = 0;
	PMM_ASSERT_LOCKED(&zone->lock);
	*taking = false;
	for (unsigned int i = 0; i < cma_nr; i++) {
		if (cma_regions[i].zone != zone)
			continue;
		pages += cma_regions[i].count;
		*taking |= cma_regions[i].taking != 0;
	}
	return pages;
}

/*
 * Return: the pages of @zone's regions not on the CMA lists (lent, on a
 * per-CPU list, isolated or handed out by pmm_cma_alloc() - all counted as
 * lent, which only bounds lending tighter), and in *@taking whether one of
 * the regions is being taken back. Zone lock held.
 */
static uint64_t cma_used_locked(const struct pmm_zone *zone, bool *taking)
{
	uint64_t pages = cma_zone_pages_locked(zone, taking);
	return pages > zone->cma_free ? pages - zone->cma_free : 0;
}

/*
 * Return: true when @zone may lend 2^@order CMA pages now (the bounds of
 * the file comment). Zone lock held.
 */
static bool cma_may_lend_locked(const struct pmm_zone *zone, pmm_order_t order)
{
	bool taking;
	if (order > PMM_CMA_LEND_MAX_ORDER || zone->gfp_mt_force != 0 ||
	    zone->cma_free == 0)
		return false;
	uint64_t used = cma_used_locked(zone, &taking);
	if (taking)
		return false;
	uint64_t outside = zone->free_pages - zone->cma_free;
	return outside >= used + pmm_order_pages(order) +
				  zone->watermark[PMM_WMARK_MIN];
}

/**
 * pmm_cma_take_locked - a movable request of 2^@order pages found no block
 * of its type: take the smallest CMA block that holds it, when the zone
 * may lend it (cma_may_lend_locked()).
 * Return: true and *@pfn (head blank), false when no CMA block may serve.
 * Locking: zone lock held.
 */
bool pmm_cma_take_locked(struct pmm_zone *zone, pmm_order_t order,
			 pmm_pfn_t *pfn)
{
	PMM_ASSERT_LOCKED(&zone->lock);
	if (!cma_may_lend_locked(zone, order))
		return false;
	for (pmm_order_t k = order; k <= PMM_MAX_ORDER; k++) {
		uint32_t h = zone->free_area[k].head[PMM_MT_CMA];
		if (h == 0)
			continue;
		buddy_take_head_locked(zone, (pmm_pfn_t)h - 1, k, PMM_MT_CMA,
				       order);
		*pfn = (pmm_pfn_t)h - 1;
		return true;
	}
	return false;
}

/* Copy @name (may be NULL) into @dst, cut to fit. */
static void cma_name_copy(char *dst, const char *name)
{
	size_t i = 0;
	for (; name != NULL && name[i] != '\0' && i + 1 < PMM_CMA_NAME_MAX; i++)
		dst[i] = name[i];
	dst[i] = '\0';
}

/* Return: true if [@pfn, +@nr) meets a declared region. */
static bool cma_overlaps(pmm_pfn_t pfn, uint64_t nr)
{
	for (unsigned int i = 0; i < cma_nr; i++)
		if (pfn < cma_regions[i].base + cma_regions[i].count &&
		    cma_regions[i].base < pfn + nr)
			return true;
	return false;
}

/*
 * Mark [@lo, @hi) of @zone CMA: free blocks move to the CMA lists (split
 * at the edges first). Return: 0 or PMM_EBUSY (an isolated pageblock, or
 * an allocated block crossing an edge). Zone lock held.
 */
static int cma_mark_locked(struct pmm_zone *zone, pmm_pfn_t lo, pmm_pfn_t hi)
{
	PMM_ASSERT_LOCKED(&zone->lock);
	/* isolate first: it checks, splits and moves the free blocks; the
	 * release puts them back by their bytes, now CMA */
	int err = pmm_isolate_locked(zone, lo, hi);
	if (err != 0)
		return err;
	for (pmm_pfn_t p = lo; p < hi; p += PMM_PAGEBLOCK_PAGES) {
		uint8_t *b = &zone->pageblock_mt[(p - zone->map_base) >>
						 PMM_PAGEBLOCK_ORDER];
		__atomic_store_n(b, (uint8_t)(*b | PMM_PB_CMA), __ATOMIC_RELAXED);
	}
	return pmm_undo_isolate_locked(zone, lo, hi);
}

/**
 * pmm_cma_declare - make [@pfn, @pfn + @nr_pages) a CMA region (contig.h).
 * Return: 0 and *@id, or an error; nothing changes on error.
 * Locking: the zone lock; the table is the boot's (no concurrent declare).
 */
int pmm_cma_declare(pmm_pfn_t pfn, uint64_t nr_pages, const char *name,
		    int *id)
{
	pmm_deferred_settle_range(pfn, pfn + nr_pages); /* reads descriptors by pfn */
	if (nr_pages == 0)
		return PMM_EINVAL;
	if (((pfn | nr_pages) & (PMM_PAGEBLOCK_PAGES - 1)) != 0)
		return PMM_EALIGN;
	struct pmm_zone *zone = pmm_buddy_range_zone(pfn, nr_pages);
	if (zone == NULL)
		return PMM_ERANGE;
	if (zone->type == PMM_ZONE_MOVABLE)
		return PMM_EINVAL; /* its pageblocks stay plain movable ones */
	if (cma_overlaps(pfn, nr_pages))
		return PMM_EOVERLAP;
	if (cma_nr == PMM_CMA_MAX)
		return PMM_EFULL;
	pmm_pcp_drain_local();
	zone_lock(zone);
	int err = cma_mark_locked(zone, pfn, pfn + nr_pages);
	zone_unlock(zone);
	if (err != 0)
		return err;
	struct cma_region *r = &cma_regions[cma_nr];
	r->base = pfn;
	r->count = nr_pages;
	r->zone = zone;
	r->taking = 0;
	cma_name_copy(r->name, name);
	if (id != NULL)
		*id = (int)cma_nr;
	cma_nr++;
	return 0;
}

/*
 * Find the first allocated or per-CPU block meeting [@s, @e), or a
 * reserved page. Return: true and its head in *@h (the page for a
 * reserved one, *@order 0 and *@movable false; *@movable true for an
 * allocated or per-CPU block). Zone lock held.
 */
static bool cma_first_used_locked(const struct pmm_zone *zone, pmm_pfn_t s,
				  pmm_pfn_t e, pmm_pfn_t *h, pmm_order_t *order,
				  bool *movable)
{
	PMM_ASSERT_LOCKED(&zone->lock);
	for (pmm_pfn_t q = s; q < e;) {
		pmm_pfn_t head = pmm_buddy_block_of_locked(zone, q);
		uint32_t info = pmm_mem_map[head].info;
		uint32_t state = info & PMM_PG_STATE_MASK;
		*h = head;
		*order = state == 0 ? 0 : pmm_page_order(&pmm_mem_map[head]);
		*movable = state == PMM_PG_ALLOC_HEAD || state == PMM_PG_PCP;
		if (state != PMM_PG_BUDDY)
			return true;
		q = head + pmm_order_pages(*order);
	}
	return false;
}

/*
 * Move every block still in [@s, @e) (pageblocks isolated) through the
 * migrate hook. Return: 0, or PMM_EBUSY with the block that stayed in
 * *@busy. Locking: takes and drops the zone lock; the hook runs unlocked.
 */
static int cma_evacuate(struct pmm_zone *zone, pmm_pfn_t s, pmm_pfn_t e,
			pmm_pfn_t *busy)
{
	const struct pmm_platform *plat = pmm_platform_get();
	for (;;) {
		pmm_pfn_t h;
		pmm_order_t order;
		bool movable;
		zone_lock(zone);
		bool used = cma_first_used_locked(zone, s, e, &h, &order, &movable);
		zone_unlock(zone);
		if (!used)
			return 0;
		pmm_pfn_t last = h + pmm_order_pages(order) - 1;
		*busy = last > s ? last : s;
		if ((pmm_mem_map[h].info & PMM_PG_PCP) != 0) {
			/* a refill borrowed it: this CPU's lists give it back */
			if (pmm_pcp_drain_local())
				continue;
			return PMM_EBUSY;
		}
		if (!movable || plat->migrate == NULL ||
		    plat->migrate(plat->ctx, h, order) != 0)
			return PMM_EBUSY;
		zone_lock(zone);
		bool stayed = (pmm_mem_map[h].info & PMM_PG_STATE_MASK) ==
			      PMM_PG_ALLOC_HEAD;
		zone_unlock(zone);
		if (stayed)
			return PMM_EBUSY; /* the hook said moved, but did not free */
	}
}

/*
 * Try the run [@s, +@nr) of region @r. Return: 0 (taken), or PMM_EBUSY
 * with where the next candidate must start past in *@busy.
 */
static int cma_try(struct cma_region *r, pmm_pfn_t s, uint64_t nr,
		   pmm_pfn_t *busy)
{
	struct pmm_zone *zone = r->zone;
	pmm_pfn_t lo = s & ~(PMM_PAGEBLOCK_PAGES - 1);
	pmm_pfn_t hi = (s + nr + PMM_PAGEBLOCK_PAGES - 1) &
		       ~(PMM_PAGEBLOCK_PAGES - 1);
	*busy = s;
	zone_lock(zone);
	int err = pmm_isolate_locked(zone, lo, hi);
	zone_unlock(zone);
	if (err != 0)
		return PMM_EBUSY;
	err = cma_evacuate(zone, s, s + nr, busy);
	zone_lock(zone);
	pmm_pfn_t h;
	pmm_order_t order;
	bool movable;
	if (err == 0 && cma_first_used_locked(zone, s, s + nr, &h, &order, &movable))
		err = PMM_EBUSY; /* taken meanwhile: only another CPU's list can */
	if (err == 0)
		pmm_buddy_take_run_locked(zone, s, s + nr);
	int undo = pmm_undo_isolate_locked(zone, lo, hi);
	zone_unlock(zone);
	PMM_ASSERT(undo == 0, "CMA run [0x%llx, 0x%llx): release %d", ULL(s),
		   ULL(s + nr), undo);
	(void)undo;
	return err;
}

/*
 * Try the candidate runs of @nr pages aligned to @a pages in @r, first to
 * last, with lending off in its zone meanwhile (the hook's new pages go
 * elsewhere). Return: the run's first page, or NULL.
 */
static struct pmm_page *cma_search(struct cma_region *r, uint64_t nr,
				   pmm_pfn_t a)
{
	pmm_pfn_t end = r->base + r->count;
	struct pmm_page *run = NULL;
	pmm_pcp_drain_local();
	zone_lock(r->zone);
	r->taking++;
	zone_unlock(r->zone);
	for (pmm_pfn_t s = (r->base + a - 1) & ~(a - 1);
	     run == NULL && s < end && end - s >= nr;) {
		pmm_pfn_t busy = s;
		if (cma_try(r, s, nr, &busy) == 0)
			run = &pmm_mem_map[s];
		s = (busy + 1 + a - 1) & ~(a - 1);
	}
	zone_lock(r->zone);
	r->taking--;
	zone_unlock(r->zone);
	return run;
}

/**
 * pmm_cma_alloc_err - @nr_pages contiguous pages from CMA region @id,
 * the first aligned to 2^@align_order pages (contig.h).
 * Return: the first page, or NULL and *@err.
 * Locking: the zone lock, dropped around every migrate hook call.
 */
struct pmm_page *pmm_cma_alloc_err(int id, uint64_t nr_pages,
				   pmm_order_t align_order, int *err)
{
	pmm_buddy_deferred_finish(); /* reads descriptors by pfn */
	struct cma_region *r = cma_get(id);
	int e = PMM_ENOMEM;
	if (r == NULL || nr_pages == 0 || nr_pages > r->count) {
		e = r == NULL ? PMM_ERANGE : PMM_EINVAL;
		goto fail;
	}
	if (align_order > PMM_MAX_ORDER + 10) {
		e = PMM_EALIGN;
		goto fail;
	}
	struct pmm_page *run = cma_search(r, nr_pages, pmm_order_pages(align_order));
	if (run != NULL)
		return run;
fail:
	if (err != NULL)
		*err = e;
	return NULL;
}

/* pmm_cma_alloc_err() without the error (contig.h). */
struct pmm_page *pmm_cma_alloc(int id, uint64_t nr_pages,
			       pmm_order_t align_order)
{
	return pmm_cma_alloc_err(id, nr_pages, align_order, NULL);
}

/**
 * pmm_cma_release - give back [@page, +@nr_pages) of region @id
 * (contig.h). Return: 0, PMM_ERANGE (no such region, or pages outside
 * it), or pmm_free_contig()'s error.
 */
int pmm_cma_release(int id, struct pmm_page *page, uint64_t nr_pages)
{
	pmm_buddy_deferred_finish(); /* reads descriptors by pfn */
	struct cma_region *r = cma_get(id);
	pmm_pfn_t pfn;
	if (r == NULL)
		return PMM_ERANGE;
	if (!pmm_page_pfn_checked(page, &pfn) || nr_pages == 0)
		return PMM_EINVAL;
	if (pfn < r->base || pfn - r->base >= r->count ||
	    nr_pages > r->count - (pfn - r->base))
		return PMM_ERANGE;
	return pmm_free_contig(page, nr_pages);
}

/* Return: pages of @r in free blocks (any list). Zone lock held. */
static uint64_t cma_free_pages_locked(const struct cma_region *r)
{
	uint64_t free = 0;
	PMM_ASSERT_LOCKED(&r->zone->lock);
	for (pmm_pfn_t q = r->base; q < r->base + r->count;) {
		pmm_pfn_t h = pmm_buddy_block_of_locked(r->zone, q);
		uint32_t state = pmm_mem_map[h].info & PMM_PG_STATE_MASK;
		pmm_pfn_t n = state == 0 ? 1 : pmm_order_pages(pmm_page_order(&pmm_mem_map[h]));
		if (state == PMM_PG_BUDDY)
			free += n;
		q = h + n;
	}
	return free;
}

/**
 * pmm_cma_info - region @id's span, name and free pages (contig.h).
 * Return: 0 or PMM_ERANGE. Locking: the zone lock for the free count.
 */
int pmm_cma_info(int id, struct pmm_cma_info *info)
{
	struct cma_region *r = cma_get(id);
	if (r == NULL)
		return PMM_ERANGE;
	info->base = r->base;
	info->count = r->count;
	info->name = r->name;
	info->free = 0;
	zone_lock(r->zone);
	bool taking;
	info->zone_used = cma_used_locked(r->zone, &taking);
	info->free = cma_free_pages_locked(r);
	zone_unlock(r->zone);
	return 0;
}

/* Return: the number of declared regions. */
unsigned int pmm_cma_count(void)
{
	return cma_nr;
}

/**
 * pmm_cma_check - every region lies in one zone, on whole pageblocks that
 * all carry PMM_PB_CMA, and no two meet; no pmm_cma_alloc() is running and
 * the zone's CMA lists hold no more than its regions (pmm_check()).
 * Return: NULL, or what is wrong. Locking: each region's zone lock.
 */
const char *pmm_cma_check(void)
{
	for (unsigned int i = 0; i < cma_nr; i++) {
		const struct cma_region *r = &cma_regions[i];
		if (r->zone == NULL || !pmm_zone_spans(r->zone, r->base) ||
		    r->count > r->zone->end_pfn - r->base)
			return "CMA region outside its zone";
		for (pmm_pfn_t p = r->base; p < r->base + r->count;
		     p += PMM_PAGEBLOCK_PAGES)
			if ((pmm_pageblock_type(r->zone, p) & PMM_PB_CMA) == 0)
				return "CMA region pageblock without PMM_PB_CMA";
		for (unsigned int j = 0; j < i; j++)
			if (r->base < cma_regions[j].base + cma_regions[j].count &&
			    cma_regions[j].base < r->base + r->count)
				return "CMA regions overlap";
		bool busy;
		zone_lock(r->zone);
		bool over = r->zone->cma_free > cma_zone_pages_locked(r->zone, &busy);
		zone_unlock(r->zone);
		if (busy)
			return "CMA region left marked as being taken";
		if (over)
			return "CMA lists hold more pages than the zone's regions";
	}
	return NULL;
}
