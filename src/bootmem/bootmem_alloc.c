/* SPDX-License-Identifier: MIT */
/*
 * bootmem_alloc.c - allocation from the boot memory allocator's bitmaps
 * (seed chapter 6, 6.3).
 *
 * A request has a size, an alignment, a goal and a limit. Each node is
 * searched from the goal up to the limit; when nothing fits above the goal
 * the node is searched again from its start; then the other nodes are tried
 * in order. The search scans the bitmap a word at a time for a clear bit,
 * then checks that the pages from the aligned candidate on are all clear.
 *
 * Small allocations share pages (Linux 2.4's last_pos/last_offset): a node
 * remembers the final page of its last allocation (last_pos) and how many
 * bytes of it are used (last_offset). A request that fits, aligned, into
 * the rest of that page - and meets the goal and limit of the pass - is
 * placed there and uses no new page.
 *
 * Memory comes back zeroed where the platform can touch it.
 */
#include <pmm/fmt.h>

#include "bootmem_impl.h"

struct alloc_req {
	uint64_t size;
	uint64_t align;     /* power of two, bytes */
	pmm_phys_t goal;
	pmm_phys_t limit;   /* exclusive; UINT64_MAX when none */
	uint64_t npages;    /* whole pages a fresh allocation takes */
	uint64_t apages;    /* alignment in pages, at least 1 */
};

/*
 * try_pack - place the request in the rest of @nd's last allocated page.
 * @lo: lowest address this pass may return (the goal, or the node start)
 *
 * Return: true with *@out set when it fits there, aligned, at or above @lo,
 * ending at or below the limit.
 */
static bool try_pack(struct pmm_bootmem_node *nd, const struct alloc_req *rq,
		     pmm_phys_t lo, pmm_phys_t *out)
{
	if (nd->last_offset == 0 || rq->size >= PMM_PAGE_SIZE)
		return false;
	PMM_ASSERT(nd->last_pos >= nd->start_pfn && nd->last_pos < nd->end_pfn &&
		   nd->last_offset < PMM_PAGE_SIZE,
		   "packing page 0x%llx offset %llu, node pfns [0x%llx, 0x%llx)",
		   (unsigned long long)nd->last_pos,
		   (unsigned long long)nd->last_offset,
		   (unsigned long long)nd->start_pfn, (unsigned long long)nd->end_pfn);
	uint64_t off = (nd->last_offset + rq->align - 1) & ~(rq->align - 1);
	if (off >= PMM_PAGE_SIZE || PMM_PAGE_SIZE - off < rq->size)
		return false;
	pmm_phys_t addr = PMM_PFN_PHYS(nd->last_pos) + off;
	if (addr < lo || addr > rq->limit || rq->size > rq->limit - addr)
		return false;
	nd->last_offset = off + rq->size;
	if (nd->last_offset == PMM_PAGE_SIZE)
		nd->last_offset = 0;
	*out = addr;
	return true;
}

/*
 * find_fit - the lowest pfn in [@lo, @hi) of node @nd, a multiple of
 * @rq->apages, that starts @rq->npages free pages ending by @hi.
 *
 * Before searching, the node's hint moves up over reserved pages: every
 * page in [start_pfn, hint) is reserved, so no search needs to look there.
 *
 * Return: the pfn, or @hi when nothing fits.
 */
static pmm_pfn_t find_fit(struct pmm_bootmem_node *nd,
			  const struct alloc_req *rq, pmm_pfn_t lo, pmm_pfn_t hi)
{
	pmm_pfn_t base = nd->start_pfn;
	uint64_t n = nd->end_pfn - base;
	PMM_ASSERT(nd->hint >= base && nd->hint <= nd->end_pfn,
		   "hint 0x%llx, node pfns [0x%llx, 0x%llx)",
		   (unsigned long long)nd->hint, (unsigned long long)base,
		   (unsigned long long)nd->end_pfn);
	nd->hint = base + bm_next_zero(nd->map, nd->hint - base, n);
	if (lo < nd->hint)
		lo = nd->hint;
	if (lo >= hi || hi - lo < rq->npages)
		return hi;
	uint64_t i = lo - base;
	uint64_t end = hi - base;
	for (;;) {
		i = bm_next_zero(nd->map, i, end);
		if (i >= end)
			return hi;
		pmm_pfn_t pfn = base + i;
		pmm_pfn_t aligned = (pfn + rq->apages - 1) & ~(rq->apages - 1);
		if (aligned < pfn || aligned >= hi || hi - aligned < rq->npages)
			return hi;
		i = aligned - base;
		uint64_t busy = bm_next_one(nd->map, i, i + rq->npages);
		if (busy == i + rq->npages)
			return aligned;
		i = busy + 1;
	}
}

/* Take pages [@pfn, @pfn + npages) for the request and note the packing page. */
static pmm_phys_t take_pages(struct pmm_bootmem_node *nd,
			     const struct alloc_req *rq, pmm_pfn_t pfn)
{
	uint64_t i = pfn - nd->start_pfn;
	PMM_ASSERT(pfn >= nd->start_pfn && rq->npages <= nd->end_pfn - pfn &&
		   rq->npages <= nd->free_pages,
		   "%llu pages at 0x%llx, node pfns [0x%llx, 0x%llx) with %llu free",
		   (unsigned long long)rq->npages, (unsigned long long)pfn,
		   (unsigned long long)nd->start_pfn, (unsigned long long)nd->end_pfn,
		   (unsigned long long)nd->free_pages);
	bm_fill(nd->map, i, i + rq->npages, true);
	nd->free_pages -= rq->npages;
	nd->last_pos = pfn + rq->npages - 1;
	nd->last_offset = rq->size & (PMM_PAGE_SIZE - 1);
	return PMM_PFN_PHYS(pfn);
}

/* One pass over node @nd from address @lo: packing first, then new pages. */
static bool try_from(struct pmm_bootmem_node *nd, const struct alloc_req *rq,
		     pmm_phys_t lo, pmm_phys_t *out)
{
	if (try_pack(nd, rq, lo, out))
		return true;
	pmm_pfn_t hi = nd->end_pfn;
	if (PMM_PFN_DOWN(rq->limit) < hi)
		hi = PMM_PFN_DOWN(rq->limit);
	pmm_pfn_t lo_pfn = bm_pfn_up(lo);
	pmm_pfn_t pfn = find_fit(nd, rq, lo_pfn, hi);
	if (pfn == hi)
		return false;
	*out = take_pages(nd, rq, pfn);
	return true;
}

/* Search node @nd from the goal, then again from the node's start. */
static bool try_node(struct pmm_bootmem_node *nd, const struct alloc_req *rq,
		     pmm_phys_t *out)
{
	pmm_phys_t start = PMM_PFN_PHYS(nd->start_pfn);
	pmm_phys_t lo = rq->goal > start ? rq->goal : start;
	if (try_from(nd, rq, lo, out))
		return true;
	return lo != start && try_from(nd, rq, start, out);
}

/* Return: the node to try first: @nid, else the node of @goal, else 0. */
static int first_node(const struct pmm_bootmem *bm, int nid, pmm_phys_t goal)
{
	if (nid != PMM_NUMA_NO_NODE)
		return nid;
	int g = pmm_bootmem_node_of(bm, PMM_PFN_DOWN(goal));
	return g >= 0 ? g : 0;
}

/* Return: the node that met @rq, @first tried first, with *@out set; or -1. */
static int alloc_from_nodes(struct pmm_bootmem *bm, const struct alloc_req *rq,
			    int first, pmm_phys_t *out)
{
	if (bm->node[first].present && try_node(&bm->node[first], rq, out))
		return first;
	for (int n = 0; n < PMM_MAX_NUMNODES; n++)
		if (n != first && bm->node[n].present &&
		    try_node(&bm->node[n], rq, out))
			return n;
	return -1;
}

/* Return: 0, or the error for a malformed request. */
static int check_alloc_args(const struct pmm_bootmem *bm, int nid,
			    uint64_t size, uint64_t align, const pmm_phys_t *out)
{
	int err = bm_check_live(bm);
	if (err)
		return err;
	if (!out || size == 0)
		return PMM_EINVAL;
	if (nid != PMM_NUMA_NO_NODE && (nid < 0 || nid >= PMM_MAX_NUMNODES))
		return PMM_EINVAL;
	if (align == 0 || (align & (align - 1)))
		return PMM_EALIGN;
	if (size > UINT64_MAX - (PMM_PAGE_SIZE - 1) - (align - 1))
		return PMM_EOVERFLOW;
	return 0;
}

/**
 * pmm_bootmem_alloc_raw - allocate @size bytes aligned to @align.
 * @bm: the allocator
 * @nid: node to try first, or PMM_NUMA_NO_NODE for the node of @goal
 * @size: bytes, not zero
 * @align: a power of two; above PMM_PAGE_SIZE it aligns the first page
 * @goal: the lowest address wanted (a preference)
 * @limit: the pages used end at or below this address; 0 for no limit
 * @out: gets the address
 *
 * A fresh allocation takes whole pages and remembers its final page for
 * packing when @size is not a multiple of the page size. The memory is
 * left as it is; pmm_bootmem_alloc() zeroes it.
 *
 * Return: 0, PMM_EINVAL, PMM_EALIGN, PMM_EOVERFLOW, PMM_ENOMEM (no node has
 * room below @limit), PMM_ERETIRED.
 * Context: boot CPU, no lock.
 */
int pmm_bootmem_alloc_raw(struct pmm_bootmem *bm, int nid, uint64_t size,
			  uint64_t align, pmm_phys_t goal, pmm_phys_t limit,
			  pmm_phys_t *out)
{
	int err = check_alloc_args(bm, nid, size, align, out);
	if (err)
		return err;
	struct alloc_req rq = {
		.size = size,
		.align = align,
		.goal = goal,
		.limit = limit ? limit : UINT64_MAX,
		.npages = bm_pfn_up(size),
		.apages = align > PMM_PAGE_SIZE ? align >> PMM_PAGE_SHIFT : 1,
	};
	pmm_phys_t addr = 0;
	int got = alloc_from_nodes(bm, &rq, first_node(bm, nid, goal), &addr);
	if (got < 0)
		return PMM_ENOMEM;
	bm_validate_due(bm, got, __func__);
	*out = addr;
	return 0;
}

/*
 * pmm_bootmem_alloc - pmm_bootmem_alloc_raw(), then the memory zeroed where
 * the platform can touch it. Return: as pmm_bootmem_alloc_raw().
 * Context: boot CPU, no lock.
 */
int pmm_bootmem_alloc(struct pmm_bootmem *bm, int nid, uint64_t size,
		      uint64_t align, pmm_phys_t goal, pmm_phys_t limit,
		      pmm_phys_t *out)
{
	int err = pmm_bootmem_alloc_raw(bm, nid, size, align, goal, limit, out);
	if (!err)
		pmm_phys_fill(*out, size, 0);
	return err;
}
