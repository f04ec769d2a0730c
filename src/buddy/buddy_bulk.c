/* SPDX-License-Identifier: MIT */
/*
 * buddy_bulk.c - order-0 pages by the array: pmm_alloc_pages_bulk() with
 * the semantics of Linux's alloc_pages_bulk_array(), and
 * pmm_free_pages_bulk(), which checks every page as pmm_free_page() does.
 *
 * Both serve a run of slots from this CPU's per-CPU list of the first zone
 * (pmm_zone_fast) with the zone, the list and the checks that do not
 * depend on the page chosen once per run; a slot the run cannot serve goes
 * through the single-page call (pmm_alloc_pages(), which refills the list
 * or walks every zone; pmm_free_pages(), which drains a batch once its
 * push passes the high mark, or classifies a bad free), and the run
 * resumes after it. So every page leaves and comes back exactly as
 * through the single-page calls, with the same watermark and the same
 * level-1 checks.
 *
 * The array is the caller's: allocation fills its NULL slots and leaves
 * the others alone; a free empties (NULLs) each slot whose page it freed,
 * so that after an error the array holds exactly the pages still owned.
 *
 * Locking: as the single-page calls (none for a run on this CPU's list).
 */
#include <pmm/debug.h>

#include "buddy_internal.h"

/* The runs inline into the entry points as well as into the loops that
 * follow a slot the run could not serve: called, they cost WB's batches of
 * 16 about 7 % a page (2.39 against 2.18-2.24 ns). */
#define BULK_RUN static inline __attribute__((always_inline))

/*
 * What the free checks read of a zone, copied into locals so that the
 * loop keeps them in registers across its descriptor stores (the zone's
 * span and pageblock types change only at boot): its first descriptor,
 * so that one exact division finds a page's index in the zone and proves
 * it a descriptor of the span (pmm_page_pfn_in() over the zone's part of
 * the array, which pmm_check() proves lies inside the descriptors).
 */
struct free_view {
	const struct pmm_page *first;
	pmm_pfn_t start_pfn;
	uint64_t spanned;
	pmm_pfn_t block_off; /* start_pfn - map_base */
	const uint8_t *pageblock_mt;
};

/*
 * The order-0 list a free run links onto, held in locals and stored back
 * only when the run moves to another type's list or ends: its
 * type (PMM_MT_TYPES before the first page), its head (pfn + 1), and the
 * pageblock whose type chose it, so that pages of one pageblock read its
 * type once per call, as Linux's list free reads each page's type once
 * before it links any. That pageblock is held as @off, what added to a
 * page's zone index gives the page's place in it (modulo 2^64: the zone's
 * first pageblock may start before the zone), so that one add and one
 * compare tell a page of it.
 */
struct run_list {
	unsigned int mt;
	uint32_t head;
	pmm_pfn_t off;
};

/* No list held yet (RUN_NO_BLOCK: no zone index plus it is below
 * PMM_PAGEBLOCK_PAGES): the first page reads its pageblock's type. */
#define RUN_NO_BLOCK ((pmm_pfn_t)1 << 63)
#define RUN_LIST_NONE ((struct run_list){ PMM_MT_TYPES, 0, RUN_NO_BLOCK })

/* Return: true when the page of zone index @idx is in @l's pageblock. */
static inline bool run_list_holds(const struct run_list *l, pmm_pfn_t idx)
{
	return idx + l->off < PMM_PAGEBLOCK_PAGES;
}

/* Store @l's head back into @pcp. */
static inline void run_list_store(struct pmm_pcp *pcp, const struct run_list *l)
{
	if (l->mt < PMM_MT_TYPES)
		pcp->head[l->mt][0] = l->head;
}

/* Store @l back and hold @pcp's order-0 list of type @mt instead. */
static inline void run_list_switch(struct pmm_pcp *pcp, struct run_list *l,
				   unsigned int mt)
{
	run_list_store(pcp, l);
	l->mt = mt;
	l->head = pcp->head[mt][0];
}

/*
 * Hold the list of the type of the pageblock of the page of zone index
 * @idx (of @v's zone) in @l.
 * Return: false when that type has no per-CPU list (isolated).
 */
static inline bool run_list_for_page(struct pmm_pcp *pcp, struct run_list *l,
				     const struct free_view *v, pmm_pfn_t idx)
{
	pmm_pfn_t block = (idx + v->block_off) >> PMM_PAGEBLOCK_ORDER;
	unsigned int mt = __atomic_load_n(&v->pageblock_mt[block], __ATOMIC_RELAXED);
	if (mt >= PMM_MT_TYPES)
		return false;
	if (mt != l->mt)
		run_list_switch(pcp, l, mt);
	l->off = v->block_off - (block << PMM_PAGEBLOCK_ORDER);
	return true;
}

/*
 * A walk down a per-CPU list: the head value (pfn + 1, 0 past the end),
 * the address of its descriptor (a plain number, meaningless past the
 * end), and the last link's stride in both (0 until a stride is seen).
 */
struct list_walk {
	uint64_t head;
	uintptr_t at;
	uint64_t step;
	uintptr_t at_step;
};

/* Return: the address of the descriptor of head value @head. */
static inline uintptr_t walk_at(const struct pmm_page *map, uint64_t head)
{
	return (uintptr_t)map + (uintptr_t)(head - 1) * sizeof(*map);
}

/*
 * Step @w past the descriptor it stands on, @page, to the link stored in
 * it, so that the next pop need not wait for that load: a refill pushes a
 * split block's pages in pfn order and a bulk free pushes its array in
 * slot order, so a list mostly steps by the same stride. When the stored
 * link equals the head plus the stride, the walk takes the guess and its
 * address, which the CPU computes before the load completes: the branch
 * that checks it is predicted, where a plain `head = page->next` makes
 * every pop wait for the previous load. The empty asm keeps the compiler
 * from replacing the guess by the load it equals.
 */
static inline void walk_next(struct list_walk *w, const struct pmm_page *map,
			     const struct pmm_page *page)
{
	uint64_t guess = w->head + w->step;
	uint64_t next = page->next;
	if (__builtin_expect(next == guess, 1)) {
		__asm__("" : "+r"(guess));
		w->head = guess;
		w->at += w->at_step;
		return;
	}
	w->step = next - w->head;
	w->at_step = (uintptr_t)w->step * sizeof(*map);
	w->head = next;
	w->at = walk_at(map, next);
}

/*
 * The pops the watermark allows from a per-CPU list holding @count pages
 * (of every list of the CPU) when the zone's buddy lists hold @free_pages
 * and an order-0 allocation needs @need: before each pop, free_pages
 * plus the lists' pages must be at least @need, as pmm_pcp_may_pop()
 * asks.
 */
static inline uint64_t pops_allowed(uint64_t count, uint64_t free_pages,
				    uint64_t need)
{
	if (free_pages + count < need)
		return 0;
	return free_pages + count - need + 1;
}

/*
 * Fill the NULL slots of @pages from index @i on from this CPU's order-0
 * list of the fast zone while it holds pages and the watermark allows.
 * The run visits at most as many slots as the watermark allows pops, so
 * that no pop needs its own test; a slot past them goes through the
 * single-page call, which tests it exactly.
 * Return: the index of the first slot left NULL (or @nr).
 */
BULK_RUN unsigned long bulk_alloc_run(unsigned int gfp, unsigned long nr,
				       struct pmm_page **pages, unsigned long i)
{
	unsigned int mt;
	struct pmm_zone *zone = pmm_fast_zone(gfp, &mt);
	if (zone == NULL || (gfp & PMM_GFP_ZERO) || pmm_debug_poison_on())
		return i;
	struct pmm_pcp *pcp = &zone->pcp[pmm_platform_cpu()];
	struct pmm_page *const map = pmm_mem_map;
	uint32_t count = pcp->count;
	uint64_t pops = pops_allowed(count, pmm_zone_free_hint(zone),
				     pmm_gfp_min(zone, gfp) + 1);
	unsigned long end = nr - i > pops ? i + (unsigned long)pops : nr;
	unsigned long start = i, skipped = 0;
	struct list_walk w = { pcp->head[mt][0], 0, 0, 0 };
	w.at = walk_at(map, w.head);
	for (; i < end; i++) {
		if (pages[i] != NULL) {
			skipped++;
			continue;
		}
		if (w.head == 0)
			break;
		struct pmm_page *page = (struct pmm_page *)w.at;
		walk_next(&w, map, page);
		pages[i] = pmm_page_set_alloc_head(page, 0, 0);
	}
	pcp->head[mt][0] = (uint32_t)w.head;
	pcp->count = count - (uint32_t)(i - start - skipped);
	return i;
}

/*
 * Fill the NULL slots of @pages from index @i on, slot @i first through
 * pmm_alloc_pages() (the run before it stopped there), each run of slots
 * after it through bulk_alloc_run(). Kept out of line, so that a call the
 * first run serves whole costs no more than that run.
 * Return: the number of leading slots that hold a page.
 */
static __attribute__((noinline)) unsigned long
bulk_alloc_rest(unsigned int gfp, unsigned long nr, struct pmm_page **pages,
		unsigned long i)
{
	while (i < nr) {
		if (pages[i] == NULL &&
		    (pages[i] = pmm_alloc_pages(gfp, 0)) == NULL)
			break;
		i = bulk_alloc_run(gfp, nr, pages, i + 1);
	}
	return i;
}

/**
 * pmm_alloc_pages_bulk - fill the NULL slots of @pages[0..@nr) with
 * order-0 pages (see buddy.h), as Linux's alloc_pages_bulk_array(): slots
 * that already hold a page are skipped, and the call stops at the first
 * slot it cannot fill.
 * Return: the number of leading slots that hold a page - @nr when every
 * slot does; 0 for a NULL @pages.
 * Locking: as pmm_alloc_pages().
 */
PMM_HOT_ENTRY
unsigned long pmm_alloc_pages_bulk(unsigned int gfp, unsigned long nr,
				   struct pmm_page **pages)
{
	if (pages == NULL)
		return 0;
	unsigned long i = bulk_alloc_run(gfp, nr, pages, 0);
	return i == nr ? nr : bulk_alloc_rest(gfp, nr, pages, i);
}

/*
 * Free the pages of @pages[@i..@stop) onto @l's lists of @pcp while each
 * is a descriptor of @v's zone whose info word reads exactly an order-0
 * allocated head with one reference and no flag (the single free's fast
 * test, narrowed so that it is one compare; an owner tag or another flag
 * sends the page to the single free), emptying their slots. A NULL slot
 * ends the run too (NULL is no descriptor of the zone), so that a page
 * costs no NULL test of its own.
 * Return: the index of the first slot the run did not empty (or @stop).
 */
static inline unsigned long free_run_to(struct pmm_page **pages,
					unsigned long i, unsigned long stop,
					const struct free_view *v,
					struct pmm_pcp *pcp, struct run_list *l)
{
	for (; i < stop; i++) {
		struct pmm_page *page = pages[i];
		pmm_pfn_t idx;
		if (!pmm_page_pfn_in(v->first, v->spanned, page, &idx) ||
		    page->info != (PMM_PG_ALLOC_HEAD | PMM_PG_REF_ONE))
			break;
		if (!run_list_holds(l, idx) && !run_list_for_page(pcp, l, v, idx))
			break;
		pmm_pcp_mark(page, 0, v->start_pfn + idx, &l->head);
		pages[i] = NULL;
	}
	return i;
}

/*
 * Free the pages of @pages from index @i on through this CPU's order-0
 * list of the largest zone while each passes free_run_to()'s test and the
 * lists stay at or under their high mark. The push that would take them
 * past it is the single free's, which drains a batch after it.
 * Return: the index of the first slot the run did not empty (or @nr).
 */
BULK_RUN unsigned long bulk_free_run(unsigned long nr, struct pmm_page **pages,
				      unsigned long i)
{
	struct pmm_zone *zone = pmm_zone_hint;
	if (zone == NULL || pmm_debug_poison_on())
		return i;
	struct pmm_pcp *pcp = &zone->pcp[pmm_platform_cpu()];
	uint32_t count = pcp->count;
	/* lists off: high is 0 with batch (pmm_pcp_set_high_batch()) */
	if (count >= pcp->high)
		return i;
	const struct free_view v = { pmm_mem_map + zone->start_pfn,
				     zone->start_pfn, zone->spanned,
				     zone->start_pfn - zone->map_base,
				     zone->pageblock_mt };
	struct run_list list = RUN_LIST_NONE;
	uint32_t room = pcp->high - count;
	unsigned long from = i;
	i = free_run_to(pages, i, nr - i > room ? i + room : nr, &v, pcp, &list);
	run_list_store(pcp, &list);
	pcp->count = count + (uint32_t)(i - from);
	return i;
}

/* Say which slot of a bulk free failed (the single free reported why). */
static __attribute__((noinline)) int bulk_free_error(unsigned long nr,
						     unsigned long i,
						     const struct pmm_page *page,
						     int err)
{
	pmm_pfn_t pfn;
	bool in_map = pmm_page_pfn_checked(page, &pfn);
	pmm_printk("pmm_free_pages_bulk: slot %lu of %lu (pfn 0x%llx%s): %s; the slots before it freed, it and those after it untouched\n",
		   i, nr, ULL(in_map ? pfn : 0),
		   in_map ? "" : ", not a descriptor", pmm_strerror(err));
	return err;
}

/*
 * Free the non-NULL slots of @pages from index @i on, slot @i first through
 * pmm_free_pages() (the run before it stopped there: a page to drain
 * after, or one the run's test refused), each run of slots after it
 * through bulk_free_run(). Kept out of line, so that a call the first run
 * frees whole costs no more than that run.
 * Return: 0, or the first failing page's error.
 */
static __attribute__((noinline)) int bulk_free_rest(unsigned long nr,
						    struct pmm_page **pages,
						    unsigned long i)
{
	while (i < nr) {
		int err = pages[i] != NULL ? pmm_free_pages(pages[i], 0) : 0;
		if (err != 0)
			return bulk_free_error(nr, i, pages[i], err);
		pages[i] = NULL;
		i = bulk_free_run(nr, pages, i + 1);
	}
	return 0;
}

/**
 * pmm_free_pages_bulk - drop a reference to each order-0 page of the
 * non-NULL slots of @pages[0..@nr), in slot order, and NULL each slot as
 * its page is dropped (see buddy.h).
 *
 * Every page is checked as pmm_free_page() checks it. At the first page
 * that fails, the call stops: the pages of the slots before it are freed
 * (their slots NULL), that slot and every slot after it are untouched, and
 * the error is that page's single-free error (reported as
 * pmm_free_page() reports it), logged (pmm_printk()) with the slot's
 * index and pfn.
 * Return: 0, PMM_EINVAL for a NULL @pages with @nr > 0, or the first
 * failing page's error.
 * Locking: as pmm_free_pages().
 */
PMM_HOT_ENTRY
int pmm_free_pages_bulk(unsigned long nr, struct pmm_page **pages)
{
	if (pages == NULL)
		return nr == 0 ? 0 : PMM_EINVAL;
	unsigned long i = bulk_free_run(nr, pages, 0);
	return i == nr ? 0 : bulk_free_rest(nr, pages, i);
}
