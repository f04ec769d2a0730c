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
 * or walks every zone; pmm_free_pages(), which classifies a bad free), and
 * the run resumes after it. So every page leaves and comes back exactly as
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
 * only when the run moves to another type's list, drains, or ends: its
 * type (PMM_MT_TYPES before the first page), its head (pfn + 1), and the
 * pageblock whose type chose it (RUN_NO_BLOCK: none), so that pages of
 * one pageblock read its type once per call, as Linux's list free reads
 * each page's type once before it links any.
 */
struct run_list {
	unsigned int mt;
	uint32_t head;
	pmm_pfn_t block;
};

#define RUN_NO_BLOCK (~(pmm_pfn_t)0)
/* No list held yet: the first page reads its pageblock's type. */
#define RUN_LIST_NONE ((struct run_list){ PMM_MT_TYPES, 0, RUN_NO_BLOCK })

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
 * Hold the list of the type of pageblock @block (of @v's zone) in @l.
 * Return: false when that type has no per-CPU list (isolated).
 */
static inline bool run_list_for_block(struct pmm_pcp *pcp, struct run_list *l,
				      const struct free_view *v, pmm_pfn_t block)
{
	unsigned int mt = __atomic_load_n(&v->pageblock_mt[block], __ATOMIC_RELAXED);
	if (mt >= PMM_MT_TYPES)
		return false;
	if (mt != l->mt)
		run_list_switch(pcp, l, mt);
	l->block = block;
	return true;
}

/*
 * The link after @page, the list block whose head value (pfn + 1) is
 * @head, read so that the next pop need not wait for it: a refill pushes
 * a split block's pages in pfn order and a bulk free pushes its array in
 * slot order, so a list mostly steps by the same stride, *@step (0 until
 * a stride is seen). When the stored link equals @head + *@step, the
 * value returned is the guess, which the CPU computes before the load
 * completes: the branch that checks it is predicted, where a plain
 * `head = page->next` makes every pop wait for the previous load. The
 * empty asm keeps the compiler from replacing the guess by the load it
 * equals.
 */
static inline uint64_t list_next(const struct pmm_page *page, uint64_t head,
				 uint64_t *step)
{
	uint64_t guess = head + *step;
	uint64_t next = page->next;
	if (__builtin_expect(next == guess, 1)) {
		__asm__("" : "+r"(guess));
		return guess;
	}
	*step = next - head;
	return next;
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
static unsigned long bulk_alloc_run(unsigned int gfp, unsigned long nr,
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
	/* 64 bits wide, so that map[head - 1] folds the - 1 into the load. */
	uint64_t head = pcp->head[mt][0];
	uint64_t step = 0; /* the last link's stride; 0: none guessed yet */
	for (; i < end; i++) {
		if (pages[i] != NULL) {
			skipped++;
			continue;
		}
		if (head == 0)
			break;
		struct pmm_page *page = &map[head - 1];
		head = list_next(page, head, &step);
		pages[i] = pmm_page_set_alloc_head(page, 0, 0);
	}
	pcp->head[mt][0] = (uint32_t)head;
	pcp->count = count - (uint32_t)(i - start - skipped);
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
	unsigned long i = 0;
	if (pages == NULL)
		return 0;
	while (i < nr) {
		i = bulk_alloc_run(gfp, nr, pages, i);
		if (i == nr)
			break;
		if (pages[i] == NULL &&
		    (pages[i] = pmm_alloc_pages(gfp, 0)) == NULL)
			break;
		i++;
	}
	return i;
}

/*
 * The count @pcp's lists may reach before a push drains a batch: the high
 * mark, or the count itself when a lowered high mark left it above.
 * Return: that limit, and in *@room the pushes that keep the count at or
 * under it.
 */
static inline uint32_t run_limit(const struct pmm_pcp *pcp, uint32_t *room)
{
	uint32_t limit = pcp->count > pcp->high ? pcp->count : pcp->high;
	*room = limit - pcp->count;
	return limit;
}

/*
 * Free the pages of @pages[@i..@stop) onto @l's lists of @pcp while each
 * is a descriptor of @v's zone whose info word reads exactly an order-0
 * allocated head with one reference and no flag (the single free's fast
 * test, narrowed so that it is one compare; an owner tag or another flag
 * sends the page to the single free), emptying their slots. A NULL slot
 * ends the run too (NULL is no descriptor of the zone), so that a page
 * costs no NULL test of its own. No drain: the caller sized the run.
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
		pmm_pfn_t block = (idx + v->block_off) >> PMM_PAGEBLOCK_ORDER;
		if (block != l->block && !run_list_for_block(pcp, l, v, block))
			break;
		pmm_pcp_mark(page, 0, v->start_pfn + idx, &l->head);
		pages[i] = NULL;
	}
	return i;
}

/*
 * Free the pages of @pages from index @i on through this CPU's order-0
 * list of the largest zone while each passes free_run_to()'s test. The
 * run goes in stretches that end at the push which takes the lists past
 * their limit (the high mark, or the count when it is already above it);
 * a batch drains there, as after a single free's push. Return: the index
 * of the first slot the run did not empty (or @nr).
 */
static unsigned long bulk_free_run(unsigned long nr, struct pmm_page **pages,
				   unsigned long i)
{
	struct pmm_zone *zone = pmm_zone_hint;
	if (zone == NULL || pmm_debug_poison_on())
		return i;
	struct pmm_pcp *pcp = &zone->pcp[pmm_platform_cpu()];
	if (pcp->batch == 0)
		return i;
	const struct free_view v = { pmm_mem_map + zone->start_pfn,
				     zone->start_pfn, zone->spanned,
				     zone->start_pfn - zone->map_base,
				     zone->pageblock_mt };
	struct run_list list = RUN_LIST_NONE;
	uint32_t room, limit = run_limit(pcp, &room);
	for (;;) {
		unsigned long stop = nr - i > room ? i + room + 1 : nr;
		unsigned long from = i;
		i = free_run_to(pages, i, stop, &v, pcp, &list);
		uint32_t pushed = (uint32_t)(i - from);
		if (pushed <= room) {
			room -= pushed;
			break; /* every slot done, or slot i stays for the caller */
		}
		run_list_store(pcp, &list);
		pcp->count = limit + 1;
		pmm_pcp_drain_batch(zone, pcp);
		limit = run_limit(pcp, &room);
		/* the drain may have taken its head */
		list = RUN_LIST_NONE;
	}
	run_list_store(pcp, &list);
	pcp->count = limit - room;
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
	unsigned long i = 0;
	if (pages == NULL)
		return nr == 0 ? 0 : PMM_EINVAL;
	while (i < nr) {
		i = bulk_free_run(nr, pages, i);
		if (i == nr)
			break;
		int err = pages[i] != NULL ? pmm_free_pages(pages[i], 0) : 0;
		if (err != 0)
			return bulk_free_error(nr, i, pages[i], err);
		pages[i++] = NULL;
	}
	return 0;
}
