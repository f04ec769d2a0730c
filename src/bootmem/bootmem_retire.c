/* SPDX-License-Identifier: MIT */
/*
 * bootmem_retire.c - retiring the boot memory allocator (seed chapter 6,
 * 6.5) and freeing its reservations late (seed 003, free_bootmem_late).
 *
 * Retirement scans each node's bitmap a 64-bit word at a time: a word of
 * reserved pages costs one compare, and each maximal run of free pages goes
 * to the buddy allocator in one pmm_buddy_handoff_range() call, which cuts
 * it into maximal naturally aligned blocks. The cost is one bit per page
 * plus work per run, never a call per page. The nodes go over as jobs
 * (a few pieces of each node, pmm_run_pieces()), run on several CPUs when
 * the platform has a run_on_cpus hook (the nodes' zones are apart: jobs of
 * different nodes meet only in pmm_run_jobs()). Then each bitmap's own
 * pages follow, on the boot CPU, and the bitmaps are gone: bootmem answers
 * only is_reserved(), free_pages() and free_late() from then on.
 */
#include <pmm/buddy.h>
#include <pmm/fmt.h>

#include "../base/platform_internal.h"
#include "bootmem_impl.h"

/* Return: the first free pfn of node @nd outside every zone, or end_pfn. */
static pmm_pfn_t first_unzoned_free(const struct pmm_bootmem_node *nd,
				    struct pmm_zone **zone)
{
	uint64_t n = nd->end_pfn - nd->start_pfn;
	uint64_t i = bm_next_zero(nd->map, 0, n);
	while (i < n) {
		uint64_t j = bm_next_one(nd->map, i, n);
		if (!pmm_zones_cover(nd->start_pfn + i, nd->start_pfn + j, zone))
			return nd->start_pfn + i;
		i = bm_next_zero(nd->map, j, n);
	}
	return nd->end_pfn;
}

/*
 * Return: the first pfn of [@s, @e) that is free in node @nd's bitmap, or
 * @e. A word-wise scan of the part of the range inside the node.
 */
static pmm_pfn_t first_free_in(const struct pmm_bootmem_node *nd, pmm_pfn_t s,
			       pmm_pfn_t e)
{
	pmm_pfn_t a = s > nd->start_pfn ? s : nd->start_pfn;
	pmm_pfn_t b = e < nd->end_pfn ? e : nd->end_pfn;
	if (a >= b)
		return e;
	uint64_t i = bm_next_zero(nd->map, a - nd->start_pfn, b - nd->start_pfn);
	return i == b - nd->start_pfn ? e : nd->start_pfn + i;
}

/*
 * Return: 0, or PMM_ECORRUPT (reported) when a page of a bitmap is free in a
 * node's bitmap: it would be handed over twice, and may have been handed
 * out already.
 */
static int check_map_pages_reserved(const struct pmm_bootmem *bm)
{
	for (int nid = 0; nid < PMM_MAX_NUMNODES; nid++) {
		if (!bm->node[nid].present)
			continue;
		struct pmm_pfn_range r = pmm_bootmem_map_pages(&bm->node[nid]);
		for (int owner = 0; owner < PMM_MAX_NUMNODES; owner++) {
			const struct pmm_bootmem_node *nd = &bm->node[owner];
			if (!nd->present)
				continue;
			pmm_pfn_t pfn = first_free_in(nd, r.start, r.end);
			if (pfn == r.end)
				continue;
			return pmm_bug(PMM_ECORRUPT, "pmm_bootmem_free_all",
					  "bitmap page 0x%llx of node %d is free in node %d: reserve the bitmap",
					  (unsigned long long)pfn, nid, owner);
		}
	}
	return 0;
}

/* Return: 0, or PMM_ERANGE (logged) when a page to hand over is in no zone. */
static int check_zones(const struct pmm_bootmem *bm)
{
	struct pmm_zone *zone = NULL;
	for (int nid = 0; nid < PMM_MAX_NUMNODES; nid++) {
		const struct pmm_bootmem_node *nd = &bm->node[nid];
		if (!nd->present)
			continue;
		struct pmm_pfn_range r = pmm_bootmem_map_pages(nd);
		/* Zones over the whole node: no free page can be outside them. */
		if (pmm_zones_cover(nd->start_pfn, nd->end_pfn, &zone) &&
		    pmm_zones_cover(r.start, r.end, &zone))
			continue;
		pmm_pfn_t pfn = first_unzoned_free(nd, &zone);
		if (pfn == nd->end_pfn && pmm_zones_cover(r.start, r.end, &zone))
			continue;
		pmm_printk("pmm: bootmem node %d: a page to hand over (pfn 0x%llx or bitmap [0x%llx, 0x%llx)) is in no zone: set up zones over all of bootmem's memory first\n",
			   nid, (unsigned long long)pfn,
			   (unsigned long long)r.start, (unsigned long long)r.end);
		return PMM_ERANGE;
	}
	return 0;
}

/*
 * Hand each maximal run of free pages of @nd in [@from, @to) over;
 * *@count += pages handed. Return: first error.
 */
static int hand_off_span(const struct pmm_bootmem_node *nd, pmm_pfn_t from,
			 pmm_pfn_t to, uint64_t *count)
{
	int first_err = 0;
	uint64_t n = to - nd->start_pfn;
	uint64_t i = bm_next_zero(nd->map, from - nd->start_pfn, n);
	while (i < n) {
		uint64_t j = bm_next_one(nd->map, i, n);
		int err = pmm_buddy_handoff_range(nd->start_pfn + i,
						  nd->start_pfn + j, count);
		if (err && !first_err)
			first_err = err;
		i = bm_next_zero(nd->map, j, n);
	}
	return first_err;
}

/*
 * The nodes of one retirement, groups of pmm_run_pieces(): a node's pieces
 * run one at a time, so its result needs no lock; each on a cache line
 * of its own, as CPUs write them at once.
 */
struct retire_node {
	_Alignas(PMM_CACHELINE) int nid;
	uint64_t pages;
	int err;
};

struct retire_jobs {
	const struct pmm_bootmem *bm;
	unsigned int nr;
	struct retire_node node[PMM_JOBS_MAX];
};

_Static_assert(sizeof(struct retire_node) == PMM_CACHELINE, "a node's result fills a cache line");

/* pmm_piece_fn: hand piece @piece of node @group's pages over. */
static void retire_piece(void *arg, unsigned int group, unsigned int piece,
			 unsigned int pieces)
{
	struct retire_jobs *j = arg;
	struct retire_node *rn = &j->node[group];
	const struct pmm_bootmem_node *nd = &j->bm->node[rn->nid];
	pmm_pfn_t s, e;
	pmm_piece_span(nd->start_pfn, nd->end_pfn, piece, pieces, &s, &e);
	int err = hand_off_span(nd, s, e, &rn->pages);
	if (err && !rn->err)
		rn->err = err;
}

/*
 * Hand every node's free pages over, a few pieces per node, on several
 * CPUs when the platform can; *@pages += pages handed. Return: first error.
 */
static int hand_off_nodes(const struct pmm_bootmem *bm, uint64_t *pages)
{
	static struct retire_jobs jobs;
	int first_err = 0;
	jobs.bm = bm;
	jobs.nr = 0;
	for (int nid = 0; nid < PMM_MAX_NUMNODES; nid++)
		if (bm->node[nid].present)
			jobs.node[jobs.nr++] = (struct retire_node){ .nid = nid };
	if (jobs.nr == 0)
		return 0;
	pmm_run_pieces(retire_piece, &jobs, jobs.nr);
	for (unsigned int i = 0; i < jobs.nr; i++) {
		*pages += jobs.node[i].pages;
		if (jobs.node[i].err && !first_err)
			first_err = jobs.node[i].err;
	}
	return first_err;
}

/**
 * pmm_bootmem_free_all - retire: hand every free page, then the bitmaps'
 * own pages, to the buddy allocator.
 * @bm: the allocator
 * @freed: if not NULL, gets the pages handed over (bitmap pages included)
 *
 * Checks first, changes after: every bitmap page inside a node must be
 * reserved there, and every page to hand over must lie in a zone of the
 * buddy allocator. Records freed_pages and bitmap_pages_freed and marks
 * @bm retired; the bitmaps are no longer read (their pages are the buddy
 * allocator's now), every node reads as having no free pages.
 *
 * Return: 0, PMM_EINVAL, PMM_ERETIRED, PMM_ECORRUPT (a bitmap page was
 * free: reported), PMM_ERANGE (a page outside every zone); on these
 * nothing changed. A hand-off that fails after the checks passed is
 * reported as PMM_ECORRUPT, and the allocator is retired all the same.
 * Context: boot CPU, no lock; the zones' locks are taken by the buddy.
 */
int pmm_bootmem_free_all(struct pmm_bootmem *bm, uint64_t *freed)
{
	if (!bm)
		return PMM_EINVAL;
	if (bm->retired)
		return PMM_ERETIRED;
	int err = check_map_pages_reserved(bm);
	if (!err)
		err = check_zones(bm);
	if (err)
		return err;

	uint64_t pages = 0, map_pages = 0;
	int first_err = hand_off_nodes(bm, &pages);
	for (int nid = 0; nid < PMM_MAX_NUMNODES; nid++) {
		struct pmm_bootmem_node *nd = &bm->node[nid];
		if (!nd->present)
			continue;
		struct pmm_pfn_range r = pmm_bootmem_map_pages(nd);
		err = pmm_buddy_handoff_range(r.start, r.end, &map_pages);
		if (err && !first_err)
			first_err = err;
		nd->map = NULL;
		nd->free_pages = 0;
		nd->last_offset = 0;
	}
	bm->retired = true;
	bm->freed_pages = pages + map_pages;
	bm->bitmap_pages_freed = map_pages;
	if (freed)
		*freed = bm->freed_pages;
	if (first_err)
		return pmm_bug(PMM_ECORRUPT, __func__,
				  "hand-off failed after its checks passed (%s)",
				  pmm_strerror(first_err));
	return 0;
}

/**
 * pmm_bootmem_free_late - after retirement, give the whole pages of the
 * reserved range [@addr, @addr + @size) to the buddy allocator.
 * @bm: the (retired) allocator
 * @addr: first byte
 * @size: bytes
 *
 * The pages go straight to the buddy allocator (seed 003), which checks
 * that every one is reserved and in a zone. A partial page at either end
 * stays reserved; a range without a whole page frees nothing.
 *
 * Return: 0, PMM_EINVAL, PMM_ESTATE (not retired yet), PMM_EOVERFLOW, or
 * pmm_buddy_free_range()'s error.
 * Context: any CPU; the zones' locks are taken by the buddy.
 */
int pmm_bootmem_free_late(struct pmm_bootmem *bm, pmm_phys_t addr,
			  uint64_t size)
{
	if (!bm)
		return PMM_EINVAL;
	if (!bm->retired)
		return PMM_ESTATE;
	if (size == 0)
		return PMM_EINVAL;
	if (size > UINT64_MAX - addr)
		return PMM_EOVERFLOW;
	pmm_pfn_t s = bm_pfn_up(addr);
	pmm_pfn_t e = PMM_PFN_DOWN(addr + size);
	if (s >= e)
		return 0;
	uint64_t freed = 0;
	return pmm_buddy_free_range(s, e, &freed);
}
