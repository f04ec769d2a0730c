/* SPDX-License-Identifier: MIT */
/*
 * pmm/contig.h - physically contiguous runs of any page count from the
 * buddy allocator: searched inside a window with an alignment and a
 * boundary no run may cross (what DMA engines ask for), or placed at a
 * given pfn.
 *
 * A run of n pages is handed out as the maximal naturally aligned blocks
 * that tile it, each an allocated head of refcount 1, so any part of it can
 * later go back with pmm_free_contig() (or a block with pmm_free_pages()).
 * Ranges are half-open: [low, high) in bytes, [pfn, pfn + nr_pages) in
 * pages. A run never spans two zones.
 *
 * Locking: each call takes the lock of one zone at a time; a failed
 * search gives back this CPU's per-CPU lists and tries once more.
 */
#ifndef PMM_CONTIG_H
#define PMM_CONTIG_H

#include <pmm/buddy.h>

/*
 * Allocate @nr_pages contiguous pages, every one inside [@low, @high)
 * (bytes; the window is rounded inward to pages), the first aligned to
 * @align bytes (a power of two, at least a page), none of them on both
 * sides of a multiple of @boundary bytes (a power of two no smaller than
 * the run, or 0 for none), from the zones @gfp allows (its highest down to
 * DMA, the default node first, then the others unless PMM_GFP_THISNODE).
 * A single free block that holds the run is preferred, the smallest first,
 * over a run that joins several. On failure *@err (if not NULL) says why:
 * PMM_EINVAL (zero pages, a boundary smaller than the run, an empty window
 * or one smaller than the run, contradictory gfp), PMM_EALIGN (@align or
 * @boundary not a power of two, @align below a page), PMM_ERANGE (the
 * window meets no zone @gfp allows), PMM_ENOMEM. Nothing changes on error.
 * Return: the first page's descriptor, or NULL.
 */
struct pmm_page *pmm_alloc_contig_err(uint64_t nr_pages, unsigned int gfp,
				      pmm_phys_t low, pmm_phys_t high,
				      pmm_phys_t align, pmm_phys_t boundary,
				      int *err);

/* pmm_alloc_contig_err() without the error. Return: the first page or NULL. */
struct pmm_page *pmm_alloc_contig(uint64_t nr_pages, unsigned int gfp,
				  pmm_phys_t low, pmm_phys_t high,
				  pmm_phys_t align, pmm_phys_t boundary);

/*
 * Free [@page, @page + @nr_pages), all or part of runs this file handed
 * out (or any allocated blocks of refcount 1 in one zone); blocks that
 * reach outside the range are split and keep their outer parts.
 * Return: 0, PMM_EINVAL (not a descriptor, zero pages), PMM_ERANGE (past
 * the descriptors or across zones), PMM_EBUSY (a block with more than one
 * reference), PMM_EDOUBLEFREE (a page already free) or PMM_ERESERVED (a
 * page never handed out) - the last two also through the bug hook.
 * Nothing changes on error.
 */
int pmm_free_contig(struct pmm_page *page, uint64_t nr_pages);

/*
 * Take exactly pages [@pfn, @pfn + @nr_pages) when every one is free (in
 * one zone); freed with pmm_free_contig().
 * Return: 0, PMM_EINVAL (zero pages), PMM_ERANGE (pfn 0, past the
 * descriptors, outside a zone or across zones), PMM_EBUSY with the first
 * page that is not free in *@busy (if not NULL). Nothing changes on error.
 */
int pmm_alloc_range(pmm_pfn_t pfn, uint64_t nr_pages, pmm_pfn_t *busy);

/*
 * Return: true when every page of [@pfn, @pfn + @nr_pages) lies in a free
 * block of one zone's buddy lists (false for an empty or bad range).
 * A snapshot: takes the zone lock.
 */
bool pmm_range_is_free(pmm_pfn_t pfn, uint64_t nr_pages);

/*
 * Isolate the pageblocks meeting [@pfn, @pfn + @nr_pages) (Linux's
 * MIGRATE_ISOLATE): their free pages, and pages freed into them later,
 * stay off the lists allocations take from - pmm_alloc_range() still
 * takes them - until pmm_undo_isolate_range(). Gives back this CPU's
 * per-CPU lists first; other CPUs' blocks in the range are the platform's
 * to drain (pmm_pcp_drain_cpu()), else they may still be handed out.
 * Return: 0, PMM_EINVAL (zero pages), PMM_ERANGE (as pmm_alloc_range()),
 * PMM_EBUSY (a pageblock isolated already, or an allocated block above the
 * pageblock order crossing the range's edge). Nothing changes on error.
 */
int pmm_isolate_range(pmm_pfn_t pfn, uint64_t nr_pages);

/*
 * Release the isolated pageblocks meeting [@pfn, @pfn + @nr_pages): their
 * free blocks go back to their types' lists and coalesce.
 * Return: 0, PMM_EINVAL, PMM_ERANGE, PMM_ESTATE (a pageblock that is not
 * isolated: a double release), PMM_EBUSY (an allocated block above the
 * pageblock order crosses the range's edge). Nothing changes on error.
 */
int pmm_undo_isolate_range(pmm_pfn_t pfn, uint64_t nr_pages);

/* Return: true when every pageblock meeting the range is isolated. */
bool pmm_range_is_isolated(pmm_pfn_t pfn, uint64_t nr_pages);

/*
 * CMA (contiguous memory areas): regions of whole pageblocks that only
 * movable allocations borrow, served contiguously by pmm_cma_alloc(),
 * which asks the platform's migrate hook (pmm/platform.h) to move what
 * movable allocations hold there.
 */
#define PMM_CMA_MAX 8       /* regions */
/*
 * The largest block a region lends to a movable request (order 0: a page
 * can always be moved while a page is free outside; a larger block needs a
 * free block as large there, which fragmentation may leave none of).
 * Regions lend only while the zone's free pages outside CMA stay at least
 * the pages lent plus the min watermark, and not with grouping off.
 */
#ifndef PMM_CMA_LEND_MAX_ORDER
#define PMM_CMA_LEND_MAX_ORDER 0
#endif
_Static_assert(PMM_CMA_LEND_MAX_ORDER >= 0 &&
		       PMM_CMA_LEND_MAX_ORDER <= PMM_MAX_ORDER,
	       "CMA lends blocks of order 0 .. PMM_MAX_ORDER");
#define PMM_CMA_NAME_MAX 16 /* bytes of a name, NUL included */

/*
 * Make [@pfn, @pfn + @nr_pages) (whole pageblocks of one zone, handed to
 * the buddy allocator) a CMA region named @name (cut to fit); *@id (if
 * not NULL) gets its number. Its free blocks move to the CMA lists at
 * once; blocks allocated there before stay where they are.
 * Return: 0, PMM_EINVAL (zero pages, or in the Movable zone: it takes
 * only movable pages already), PMM_EALIGN (not whole pageblocks),
 * PMM_ERANGE (pfn 0, past the descriptors, across or outside zones),
 * PMM_EOVERLAP (meets another region), PMM_EFULL (raise PMM_CMA_MAX),
 * PMM_EBUSY (a pageblock isolated, or an allocated block crossing an
 * edge). Nothing changes on error. Locking: at boot, the zone lock.
 */
int pmm_cma_declare(pmm_pfn_t pfn, uint64_t nr_pages, const char *name,
		    int *id);

/*
 * @nr_pages contiguous pages from region @id, the first aligned to
 * 2^@align_order pages (Linux's cma_alloc() alignment). Movable blocks in
 * the way are moved through the platform's migrate hook, called with no
 * lock held; a candidate run with a block that does not move is left as
 * it was and the next one tried (a failure leaves every page where it
 * was - the free lists may be in another order - but blocks the hook
 * moved stay moved). On failure *@err: PMM_ERANGE (no region
 * @id), PMM_EINVAL (zero pages, more than the region), PMM_EALIGN,
 * PMM_ENOMEM (no run could be freed).
 * Return: the first page (allocated heads of refcount 1), or NULL.
 */
struct pmm_page *pmm_cma_alloc_err(int id, uint64_t nr_pages,
				   pmm_order_t align_order, int *err);
/* pmm_cma_alloc_err() without the error. */
struct pmm_page *pmm_cma_alloc(int id, uint64_t nr_pages,
			       pmm_order_t align_order);

/*
 * Give back [@page, @page + @nr_pages) of region @id (all or part of a run).
 * Return: 0, PMM_EINVAL (not a descriptor, zero pages), PMM_ERANGE (no
 * region @id, pages outside it), PMM_ESTATE (more pages than the region
 * has handed out), or pmm_free_contig()'s error (PMM_EDOUBLEFREE on a
 * double release). Nothing changes on error.
 */
int pmm_cma_release(int id, struct pmm_page *page, uint64_t nr_pages);

struct pmm_cma_info {
	pmm_pfn_t base;   /* first pfn */
	uint64_t count;   /* pages */
	uint64_t free;    /* pages free in the buddy lists now */
	/* pages of the zone's regions off the CMA lists: lent to movable
	 * requests or handed out by pmm_cma_alloc() (what lending is bounded by) */
	uint64_t zone_used;
	const char *name;
};
/* Fill @info for region @id. Return: 0 or PMM_ERANGE. Takes the zone lock. */
int pmm_cma_info(int id, struct pmm_cma_info *info);
/* Return: the number of declared regions. */
unsigned int pmm_cma_count(void);

#endif /* PMM_CONTIG_H */
