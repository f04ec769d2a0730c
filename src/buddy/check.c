/* SPDX-License-Identifier: MIT */
/*
 * check.c - the whole-structure validator of the buddy allocator.
 *
 * For each zone: a linear walk of its span classifies every page as free
 * head (+ inside), allocated head (+ inside), per-CPU head (+ inside) or
 * reserved and proves every non-head descriptor blank; then the free lists
 * (links both ways, heads of the list's order, aligned, inside the zone,
 * counts, tails, the reported and known-zero marks and their counts; at
 * PMM_DEBUG >= 3 known-zero blocks are read back), the per-CPU lists, the pair bitmaps (bit == XOR of the two buddies' "free head
 * of order k" for every pair), the pageblock types (each a valid type; a
 * free head on the list of its pageblock's type, a free block above the
 * pageblock order of one type) and the counters (free_pages, and managed ==
 * free + per-CPU + allocated); a deferred hand-off's spans (buddy_deferred.c):
 * aligned, apart, of one type, their waiting descriptors blank and counted
 * as free blocks of the top order on their listed block's list.
 * pmm_check() also proves every descriptor outside all zones blank. Cost
 * O(pages); for tests and debugging.
 *
 * pmm_buddy_validate_locked() is the zone's own validator for PMM_DEBUG=3:
 * the part of that proof the zone lock alone guards (lists, counts, lazy
 * counts, bitmaps, types; no span walk and no per-CPU lists, which other
 * CPUs change without the lock), run by the buddy core every
 * PMM_VALIDATE_EVERY-th locked operation; a violation fails an assertion.
 *
 * Locking: each zone's lock while it is checked; per-CPU lists must be
 * quiet for pmm_check() and pmm_check_zone().
 */
#include <pmm/check.h>
#include <pmm/fmt.h>

#include "buddy_internal.h"

static char check_msg[320];

struct walk {
	uint64_t nr_free[PMM_NR_ORDERS]; /* free heads per order */
	uint64_t free_pages;
	uint64_t alloc_pages;
	uint64_t pcp_pages;
};

__attribute__((format(printf, 2, 3)))
static const char *fail(const struct pmm_zone *zone, const char *fmt, ...)
{
	size_t n = 0;
	if (zone != NULL)
		n = pmm_snprintf(check_msg, sizeof(check_msg), "node %d zone %s: ",
				 zone->node, pmm_zone_name(zone->type));
	if (n >= sizeof(check_msg))
		n = sizeof(check_msg) - 1;
	va_list ap;
	va_start(ap, fmt);
	pmm_vsnprintf(check_msg + n, sizeof(check_msg) - n, fmt, ap);
	va_end(ap);
	return check_msg;
}

/* Return: NULL if pages (@pfn, @pfn + 2^@k) are all blank. */
static const char *check_inside(const struct pmm_zone *zone, pmm_pfn_t pfn,
				pmm_order_t k)
{
	pmm_pfn_t end = pfn + pmm_order_pages(k);
	for (pmm_pfn_t p = pfn + 1; p < end; p++) {
		const struct pmm_page *d = &pmm_mem_map[p];
		if (!pmm_page_is_blank(d))
			return fail(zone,
				    "pfn 0x%llx inside block 0x%llx order %u not blank: info 0x%x next %u prev %u",
				    ULL(p), ULL(pfn), k, d->info, d->next,
				    d->prev);
	}
	return NULL;
}

static const char *check_block(const struct pmm_zone *zone, pmm_pfn_t pfn,
			       const struct pmm_page *d)
{
	pmm_order_t k = pmm_page_order(d);
	if (k > PMM_MAX_ORDER)
		return fail(zone, "pfn 0x%llx: order %u above %u", ULL(pfn), k,
			    PMM_MAX_ORDER);
	if ((pfn & (pmm_order_pages(k) - 1)) != 0)
		return fail(zone, "pfn 0x%llx: head of order %u not aligned",
			    ULL(pfn), k);
	if (pfn + pmm_order_pages(k) > zone->end_pfn)
		return fail(zone, "pfn 0x%llx order %u: block ends past zone end 0x%llx",
			    ULL(pfn), k, ULL(zone->end_pfn));
	return check_inside(zone, pfn, k);
}

/* Classify one non-blank descriptor; *@step gets the pages it covers. */
static const char *walk_one(const struct pmm_zone *zone, struct walk *w,
			    pmm_pfn_t pfn, pmm_pfn_t *step)
{
	const struct pmm_page *d = &pmm_mem_map[pfn];
	uint32_t state = d->info & PMM_PG_STATE_MASK;
	pmm_order_t k = pmm_page_order(d);
	const char *err;
	*step = 1;
	if (pfn == 0)
		return fail(zone, "pfn 0 is managed: info 0x%x", d->info);
	switch (state) {
	case PMM_PG_BUDDY:
		if (pmm_page_refcount(d) != 0 ||
		    (d->info & (PMM_PG_OWNER)) != 0)
			return fail(zone, "free head 0x%llx order %u: info 0x%x has refcount or owner",
				    ULL(pfn), k, d->info);
		if ((d->info & PMM_PG_LAZY) && k == PMM_MAX_ORDER)
			return fail(zone, "free head 0x%llx: lazy at the top order", ULL(pfn));
		if ((d->info & PMM_PG_MARKS) == PMM_PG_MARKS ||
		    ((d->info & PMM_PG_MARKS) && (d->info & PMM_PG_LAZY)))
			return fail(zone, "free head 0x%llx order %u: info 0x%x carries more than one of lazy, zero, reported",
				    ULL(pfn), k, d->info);
		if ((err = check_block(zone, pfn, d)) != NULL)
			return err;
		w->nr_free[k]++;
		w->free_pages += pmm_order_pages(k);
		*step = pmm_order_pages(k);
		return NULL;
	case PMM_PG_ALLOC_HEAD:
		if (pmm_page_refcount(d) == 0)
			return fail(zone, "allocated head 0x%llx order %u: refcount 0",
				    ULL(pfn), k);
		if ((d->info & (PMM_PG_LAZY | PMM_PG_MARKS)) != 0)
			return fail(zone, "allocated head 0x%llx: lazy flag or free-block mark (info 0x%x)",
				    ULL(pfn), d->info);
		if ((err = check_block(zone, pfn, d)) != NULL)
			return err;
		w->alloc_pages += pmm_order_pages(k);
		*step = pmm_order_pages(k);
		return NULL;
	case PMM_PG_PCP:
		if ((d->info & ~(PMM_PG_PCP | PMM_PG_ORDER_MASK)) != 0 ||
		    k > PMM_PCP_MAX_ORDER || d->prev != 0)
			return fail(zone, "per-CPU head 0x%llx: info 0x%x prev %u",
				    ULL(pfn), d->info, d->prev);
		if ((err = check_block(zone, pfn, d)) != NULL)
			return err;
		w->pcp_pages += pmm_order_pages(k);
		*step = pmm_order_pages(k);
		return NULL;
	default:
		return fail(zone, "pfn 0x%llx: descriptor in no state: info 0x%x next %u prev %u",
			    ULL(pfn), d->info, d->next, d->prev);
	}
}

/* Return: the span of @zone whose waiting blocks start at @pfn, or nr. */
static uint32_t span_starting(const struct pmm_zone *zone, pmm_pfn_t pfn)
{
	const struct pmm_zone_deferred *d = &zone->deferred;
	uint32_t i = 0;
	while (i < d->nr && (d->start[i] != pfn || d->listed[i] == pfn))
		i++;
	return i;
}

/* The waiting blocks of span @i: all blank, counted free; *@step: their pages. */
static const char *walk_waiting(const struct pmm_zone *zone, struct walk *w,
				uint32_t i, pmm_pfn_t *step)
{
	pmm_pfn_t start = zone->deferred.start[i];
	pmm_pfn_t end = zone->deferred.listed[i];
	for (pmm_pfn_t p = start; p < end; p++)
		if (!pmm_page_is_blank(&pmm_mem_map[p]))
			return fail(zone, "deferred span [0x%llx, 0x%llx): pfn 0x%llx not blank: info 0x%x",
				    ULL(start), ULL(end), ULL(p), pmm_mem_map[p].info);
	w->nr_free[PMM_MAX_ORDER] += (end - start) >> PMM_MAX_ORDER;
	w->free_pages += end - start;
	*step = end - start;
	return NULL;
}

static const char *check_walk(const struct pmm_zone *zone, struct walk *w)
{
	pmm_pfn_t pfn = zone->start_pfn;
	while (pfn < zone->end_pfn) {
		pmm_pfn_t step = 1;
		const char *err = NULL;
		uint32_t span;
		if (!pmm_page_is_blank(&pmm_mem_map[pfn]))
			err = walk_one(zone, w, pfn, &step);
		else if ((span = span_starting(zone, pfn)) < zone->deferred.nr)
			err = walk_waiting(zone, w, span, &step);
		if (err != NULL)
			return err;
		pfn += step;
	}
	return NULL;
}

/*
 * Each deferred span: aligned to the top order, inside the zone, of a
 * type that is not CMA, apart from the others; the waiting count their sum.
 */
static const char *check_spans(const struct pmm_zone *zone)
{
	const struct pmm_zone_deferred *d = &zone->deferred;
	uint64_t waiting = 0;
	if (d->nr > PMM_DEFER_SPANS)
		return fail(zone, "%u deferred spans, at most %u", d->nr, PMM_DEFER_SPANS);
	for (uint32_t i = 0; i < d->nr; i++) {
		pmm_pfn_t s = d->start[i], l = d->listed[i];
		if (((s | l) & (pmm_order_pages(PMM_MAX_ORDER) - 1)) != 0 || l < s ||
		    s < zone->start_pfn || l + pmm_order_pages(PMM_MAX_ORDER) > zone->end_pfn ||
		    d->mt[i] >= PMM_MT_TYPES)
			return fail(zone, "deferred span %u [0x%llx, 0x%llx] type %u: not aligned, inside the zone and of a type",
				    i, ULL(s), ULL(l), d->mt[i]);
		for (uint32_t j = i + 1; j < d->nr; j++)
			if (s <= d->listed[j] && d->start[j] <= l)
				return fail(zone, "deferred spans %u and %u overlap", i, j);
		waiting += (l - s) >> PMM_MAX_ORDER;
	}
	if (waiting != d->waiting)
		return fail(zone, "deferred: %llu blocks waiting counted, spans hold %llu",
			    ULL(d->waiting), ULL(waiting));
	return NULL;
}

/*
 * Every pageblock meeting the span has a valid type; in the Movable zone
 * (which only movable requests reach, and which holds no CMA region) every
 * one is movable, isolated or not.
 */
static const char *check_pageblocks(const struct pmm_zone *zone)
{
	pmm_pfn_t first = zone->start_pfn & ~(PMM_PAGEBLOCK_PAGES - 1);
	bool movable = zone->type == PMM_ZONE_MOVABLE;
	for (pmm_pfn_t p = first; p < zone->end_pfn; p += PMM_PAGEBLOCK_PAGES) {
		unsigned int pb = pmm_pageblock_type(zone, p);
		unsigned int mt = pb & ~PMM_PB_FLAGS;
		if (mt >= PMM_MT_TYPES)
			return fail(zone, "pageblock at pfn 0x%llx: type %u out of range",
				    ULL(p), mt);
		if (movable && ((pb & ~PMM_PB_ISOLATE) != PMM_MT_MOVABLE))
			return fail(zone, "pageblock at pfn 0x%llx: type %u in the Movable zone",
				    ULL(p), pb);
	}
	return NULL;
}

/* The free head @pfn of order @k on list @mt: its pageblocks are of type
 * @mt, or all isolated for PMM_MT_ISOLATE (so no free block joins an
 * isolated pageblock with one that is not, and none in an isolated one is
 * on a list that allocations take from). */
static const char *check_free_type(const struct pmm_zone *zone, pmm_order_t k,
				   unsigned int mt, pmm_pfn_t pfn)
{
	pmm_pfn_t end = pfn + pmm_order_pages(k);
	pmm_pfn_t p = pfn;
	do {
		unsigned int t = pmm_free_type(zone, p);
		if (t != mt)
			return fail(zone, "free list %u type %u: pfn 0x%llx order %u, pageblock at 0x%llx is of type %u",
				    k, mt, ULL(pfn), k, ULL(p), t);
		p += PMM_PAGEBLOCK_PAGES;
	} while (p < end);
	return NULL;
}

/* What the lists of one order hold besides plain heads. */
struct list_count {
	uint64_t lazy;     /* PMM_PG_LAZY heads */
	uint64_t reported; /* PMM_PG_REPORTED heads */
	uint64_t zero;     /* PMM_PG_ZERO heads */
	uint32_t spans;    /* deferred spans whose listed block is on the lists */
	bool read_memory;  /* prove known-zero heads zero (pmm_check() at PMM_DEBUG >= 3) */
};

/* The known-zero head @pfn of order @k reads as zero where it can be mapped. */
static const char *check_zero_memory(const struct pmm_zone *zone,
				     pmm_pfn_t pfn, pmm_order_t k)
{
	uint64_t bytes = (uint64_t)pmm_order_pages(k) << PMM_PAGE_SHIFT;
	uint64_t off = pmm_phys_find_nonzero(PMM_PFN_PHYS(pfn), bytes);
	if (off != bytes)
		return fail(zone, "known-zero free head 0x%llx order %u: byte at +0x%llx is not zero",
			    ULL(pfn), k, ULL(off));
	return NULL;
}

/* If the top-order head @pfn on list @mt is a span's listed block, the
 * blocks waiting behind it count on that list (*@n), their pageblocks of
 * type @mt; c->spans counts the spans found. */
static const char *check_listed(const struct pmm_zone *zone, unsigned int mt,
				pmm_pfn_t pfn, uint64_t *n, struct list_count *c)
{
	const struct pmm_zone_deferred *d = &zone->deferred;
	for (uint32_t i = 0; i < d->nr; i++) {
		if (d->listed[i] != pfn)
			continue;
		if (d->mt[i] != mt)
			return fail(zone, "deferred span %u of type %u listed on list %u",
				    i, d->mt[i], mt);
		/* in list order, as if the waiting blocks were listed */
		for (pmm_pfn_t b = pfn; b > d->start[i];) {
			b -= pmm_order_pages(PMM_MAX_ORDER);
			const char *err = check_free_type(zone, PMM_MAX_ORDER, mt, b);
			if (err != NULL)
				return err;
		}
		*n += (pfn - d->start[i]) >> PMM_MAX_ORDER;
		c->spans++;
	}
	return NULL;
}

/* Walk list (@k, @mt): *@n += its heads, @c counts its lazy and marked
 * heads; its tail is its last head. */
static const char *check_list_type(const struct pmm_zone *zone, pmm_order_t k,
				   unsigned int mt, uint64_t *n,
				   struct list_count *c)
{
	const struct pmm_free_area *area = &zone->free_area[k];
	uint32_t prev = 0;
	const char *err;
	for (uint32_t cur = area->head[mt]; cur != 0;) {
		pmm_pfn_t pfn = (pmm_pfn_t)cur - 1;
		if (++*n > area->nr_free)
			return fail(zone, "free list %u: more than nr_free %llu entries (cycle?) at pfn 0x%llx",
				    k, ULL(area->nr_free), ULL(pfn));
		if (pfn < zone->start_pfn || pfn >= zone->end_pfn)
			return fail(zone, "free list %u: pfn 0x%llx outside the zone",
				    k, ULL(pfn));
		const struct pmm_page *d = &pmm_mem_map[pfn];
		if (!info_is_free_head(d->info, k))
			return fail(zone, "free list %u: pfn 0x%llx info 0x%x is not a free head of order %u",
				    k, ULL(pfn), d->info, k);
		c->lazy += (d->info & PMM_PG_LAZY) != 0;
		c->reported += (d->info & PMM_PG_REPORTED) != 0;
		c->zero += (d->info & PMM_PG_ZERO) != 0;
		if ((d->info & PMM_PG_ZERO) && c->read_memory &&
		    (err = check_zero_memory(zone, pfn, k)) != NULL)
			return err;
		if (mt >= PMM_MT_TYPES && (d->info & PMM_PG_LAZY) != 0)
			return fail(zone, "isolated or CMA free head 0x%llx order %u is lazy",
				    ULL(pfn), k);
		if (d->prev != prev)
			return fail(zone, "free list %u: pfn 0x%llx prev %u, expected %u",
				    k, ULL(pfn), d->prev, prev);
		if ((err = check_free_type(zone, k, mt, pfn)) != NULL)
			return err;
		if (k == PMM_MAX_ORDER && (err = check_listed(zone, mt, pfn, n, c)) != NULL)
			return err;
		prev = cur;
		cur = d->next;
	}
	if (area->tail[mt] != prev)
		return fail(zone, "free list %u type %u: tail %u, last head %u",
			    k, mt, area->tail[mt], prev);
	return NULL;
}

/* Return: pages in the blocks on list (@k, @mt), at most nr_free of them. */
static uint64_t list_pages(const struct pmm_zone *zone, pmm_order_t k,
			   unsigned int mt)
{
	uint64_t n = 0;
	for (uint32_t cur = zone->free_area[k].head[mt];
	     cur != 0 && n < zone->free_area[k].nr_free; n++)
		cur = pmm_mem_map[cur - 1].next;
	return n << k;
}

/* The lists of order @k against nr_free, the lazy count and the walk (@w, or NULL). */
static const char *check_list(const struct pmm_zone *zone, pmm_order_t k,
			      const struct walk *w, uint64_t *zero_pages)
{
	const struct pmm_free_area *area = &zone->free_area[k];
	uint64_t n = 0;
	struct list_count c = { .read_memory = w != NULL && PMM_DEBUG >= 3 };
	for (unsigned int mt = 0; mt < PMM_MT_LISTS; mt++) {
		const char *err = check_list_type(zone, k, mt, &n, &c);
		if (err != NULL)
			return err;
	}
	if (k == PMM_MAX_ORDER && c.spans != zone->deferred.nr)
		return fail(zone, "%u deferred spans, %u of their blocks listed",
			    zone->deferred.nr, c.spans);
	if (n != area->nr_free || (w != NULL && n != w->nr_free[k]))
		return fail(zone, "order %u: nr_free %llu, list holds %llu, walk found %llu",
			    k, ULL(area->nr_free), ULL(n),
			    ULL(w != NULL ? w->nr_free[k] : n));
	if (c.lazy != zone->lazy.nr[k])
		return fail(zone, "order %u: %u lazy heads counted, lists hold %llu",
			    k, zone->lazy.nr[k], ULL(c.lazy));
	if (c.reported != zone->marks.reported_nr[k])
		return fail(zone, "order %u: %u reported heads counted, lists hold %llu",
			    k, zone->marks.reported_nr[k], ULL(c.reported));
	*zero_pages += c.zero << k;
	return NULL;
}

/* Walk list (@mt, @k) of @cpu's set; *@pages gets the pages it holds. */
static const char *check_pcp_list(const struct pmm_zone *zone,
				  unsigned int cpu, unsigned int mt,
				  pmm_order_t k, uint64_t *pages)
{
	const struct pmm_pcp *pcp = &zone->pcp[cpu];
	uint64_t limit = pcp->count >> k;
	uint64_t n = 0;
	for (uint32_t cur = pcp->head[mt][k]; cur != 0;) {
		pmm_pfn_t pfn = (pmm_pfn_t)cur - 1;
		if (++n > limit)
			return fail(zone, "cpu %u: per-CPU list %u longer than count %u allows",
				    cpu, k, pcp->count);
		if (pfn < zone->start_pfn || pfn >= zone->end_pfn ||
		    pmm_mem_map[pfn].info != (PMM_PG_PCP | k))
			return fail(zone, "cpu %u: per-CPU list %u entry pfn 0x%llx bad (info 0x%x)",
				    cpu, k, ULL(pfn),
				    pfn < pmm_max_pfn ? pmm_mem_map[pfn].info : 0);
		cur = pmm_mem_map[pfn].next;
	}
	*pages = n << k;
	return NULL;
}

static const char *check_pcp(const struct pmm_zone *zone, uint64_t *total)
{
	*total = 0;
	for (unsigned int cpu = 0; cpu < PMM_NR_CPUS; cpu++) {
		const struct pmm_pcp *pcp = &zone->pcp[cpu];
		uint64_t held = 0;
		if (pcp->batch > pcp->high)
			return fail(zone, "cpu %u: batch %u above high %u", cpu,
				    pcp->batch, pcp->high);
		if (pcp->drain_list >= PMM_PCP_NR_LISTS)
			return fail(zone, "cpu %u: drain list %u above %u", cpu,
				    pcp->drain_list, PMM_PCP_NR_LISTS - 1);
		for (uint32_t i = 0; i < PMM_PCP_NR_LISTS; i++) {
			uint64_t pages = 0;
			const char *err = check_pcp_list(zone, cpu,
							 i / PMM_PCP_NR_ORDERS,
							 i % PMM_PCP_NR_ORDERS,
							 &pages);
			if (err != NULL)
				return err;
			held += pages;
		}
		if (held != pcp->count)
			return fail(zone, "cpu %u: per-CPU count %u, lists hold %llu",
				    cpu, pcp->count, ULL(held));
		*total += held;
	}
	return NULL;
}

static bool is_free_head(const struct pmm_zone *zone, pmm_pfn_t pfn,
			 pmm_order_t k)
{
	return pmm_zone_spans(zone, pfn) &&
	       info_is_free_head(pmm_mem_map[pfn].info, k);
}

static const char *check_bitmaps(const struct pmm_zone *zone)
{
	for (pmm_order_t k = 0; k < PMM_MAX_ORDER; k++) {
		pmm_pfn_t pairs = ((zone->end_pfn - zone->map_base) +
				   pmm_order_pages(k + 1) - 1) >> (k + 1);
		for (pmm_pfn_t i = 0; i < pairs; i++) {
			pmm_pfn_t a = zone->map_base + (i << (k + 1));
			pmm_pfn_t b = a + pmm_order_pages(k);
			bool want = is_free_head(zone, a, k) != is_free_head(zone, b, k);
			if (pmm_pair_test(zone, k, a) != want)
				return fail(zone, "pair bitmap order %u, pair 0x%llx/0x%llx: bit %d, free heads %d/%d",
					    k, ULL(a), ULL(b), !want,
					    is_free_head(zone, a, k),
					    is_free_head(zone, b, k));
		}
	}
	return NULL;
}

/*
 * What the zone lock alone guards, but the pair bitmaps: pageblock types,
 * every free list (and, with a span walk @w, its counts against the walk),
 * free_pages and cma_free against the lists, the lazy total.
 */
static const char *check_lists_locked(const struct pmm_zone *zone,
				      const struct walk *w)
{
	uint64_t listed = 0, lazy = 0, cma = 0, reported = 0, zero = 0;
	const char *err;
	PMM_ASSERT_LOCKED(&zone->lock);
	if ((err = check_pageblocks(zone)) != NULL || (err = check_spans(zone)) != NULL)
		return err;
	for (pmm_order_t k = 0; k <= PMM_MAX_ORDER; k++) {
		if ((err = check_list(zone, k, w, &zero)) != NULL)
			return err;
		listed += zone->free_area[k].nr_free << k;
		lazy += zone->lazy.nr[k];
		cma += list_pages(zone, k, PMM_MT_CMA);
		reported += (uint64_t)zone->marks.reported_nr[k] << k;
	}
	if (zone->cma_free != cma)
		return fail(zone, "cma_free %llu, CMA lists hold %llu",
			    ULL(zone->cma_free), ULL(cma));
	if (zone->free_pages != listed || (w != NULL && listed != w->free_pages))
		return fail(zone, "free_pages %llu, lists hold %llu, walk found %llu",
			    ULL(zone->free_pages), ULL(listed),
			    ULL(w != NULL ? w->free_pages : listed));
	if (lazy != zone->lazy.total)
		return fail(zone, "lazy total %llu, orders count %llu",
			    ULL(zone->lazy.total), ULL(lazy));
	if (reported != zone->marks.reported_pages || zero != zone->marks.zero_pages)
		return fail(zone, "reported pages %llu, lists hold %llu; known-zero pages %llu, lists hold %llu",
			    ULL(zone->marks.reported_pages), ULL(reported),
			    ULL(zone->marks.zero_pages), ULL(zero));
	return NULL;
}

static const char *check_zone_locked(const struct pmm_zone *zone)
{
	struct walk w;
	uint64_t pcp_pages;
	const char *err;
	PMM_ASSERT_LOCKED(&zone->lock);
	pmm_memset(&w, 0, sizeof(w));
	/* empty: every block of a zone memory hotplug set up went offline */
	if (zone->end_pfn > pmm_max_pfn || zone->start_pfn > zone->end_pfn ||
	    (zone->start_pfn == zone->end_pfn && zone->managed != 0))
		return fail(zone, "span [0x%llx, 0x%llx) outside the descriptors (max_pfn 0x%llx)",
			    ULL(zone->start_pfn), ULL(zone->end_pfn), ULL(pmm_max_pfn));
	if ((err = check_walk(zone, &w)) != NULL)
		return err;
	if ((err = check_lists_locked(zone, &w)) != NULL)
		return err;
	if ((err = check_pcp(zone, &pcp_pages)) != NULL)
		return err;
	if (pcp_pages != w.pcp_pages)
		return fail(zone, "per-CPU lists hold %llu pages, walk found %llu",
			    ULL(pcp_pages), ULL(w.pcp_pages));
	if (zone->managed != w.free_pages + w.pcp_pages + w.alloc_pages)
		return fail(zone, "managed %llu != free %llu + per-CPU %llu + allocated %llu",
			    ULL(zone->managed), ULL(w.free_pages),
			    ULL(w.pcp_pages), ULL(w.alloc_pages));
	if (zone->managed > zone->spanned)
		return fail(zone, "managed %llu above spanned %llu",
			    ULL(zone->managed), ULL(zone->spanned));
	return check_bitmaps(zone);
}

void pmm_buddy_validate_locked(struct pmm_zone *zone)
{
	const char *err = check_lists_locked(zone, NULL);
	if (err == NULL)
		err = check_bitmaps(zone);
	if (err != NULL)
		pmm_assert_fail(__func__, "zone valid", "%s", err);
}

/**
 * pmm_check_zone - prove @zone consistent (see the file comment).
 * Return: NULL (also for NULL or a zone not set up) or the first
 * violation. Locking: takes the zone lock; per-CPU lists must be quiet.
 */
const char *pmm_check_zone(const struct pmm_zone *zone)
{
	if (zone == NULL || !zone->initialized)
		return NULL;
	struct pmm_zone *z = (struct pmm_zone *)(uintptr_t)zone;
	zone_lock(z);
	const char *err = check_zone_locked(zone);
	zone_unlock(z);
	return err;
}

/* Every descriptor in no zone must be blank. */
static const char *check_outside(void)
{
	for (pmm_pfn_t pfn = 0; pfn < pmm_max_pfn; pfn++) {
		struct pmm_zone *zone = pmm_pfn_zone_fast(pfn);
		if (zone != NULL) {
			pfn = zone->end_pfn - 1;
			continue;
		}
		const struct pmm_page *d = &pmm_mem_map[pfn];
		if (!pmm_page_is_blank(d))
			return fail(NULL, "pfn 0x%llx in no zone not blank: info 0x%x next %u prev %u",
				    ULL(pfn), d->info, d->next, d->prev);
	}
	return NULL;
}

/* The count of spans over all zones, which lets the walkers skip a settle. */
static const char *check_span_count(void)
{
	uint32_t spans = 0;
	const struct pmm_zone *z;
	pmm_for_each_zone(z)
		spans += z->deferred.nr;
	uint32_t counted = __atomic_load_n(&pmm_deferred_spans, __ATOMIC_RELAXED);
	if (spans != counted)
		return fail(NULL, "deferred spans: %u counted, zones hold %u",
			    counted, spans);
	return NULL;
}

static const char *(*check_above)(void); /* a higher layer's proof */

void pmm_check_register(const char *(*check)(void))
{
	check_above = check;
}

/**
 * pmm_check - prove every zone, the count of deferred spans, every
 * descriptor outside the zones and then what a higher layer registered
 * (pmm_check_register()).
 * Return: NULL or the first violation. Locking: as pmm_check_zone().
 */
const char *pmm_check(void)
{
	const struct pmm_zone *z;
	pmm_for_each_zone(z) {
		const char *err = pmm_check_zone(z);
		if (err != NULL)
			return err;
	}
	const char *err = pmm_cma_check();
	if (err == NULL)
		err = check_span_count();
	if (err == NULL)
		err = check_outside();
	if (err == NULL && check_above != NULL)
		err = check_above();
	return err;
}
