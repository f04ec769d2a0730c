/* SPDX-License-Identifier: MIT */
/*
 * bootmem.c - the boot memory allocator's bitmaps: nodes, free, reserve
 * (seed chapter 6, 6.4).
 *
 * The boot code describes each node's pages with a bitmap it places in
 * memory (every page starts reserved), frees the usable RAM of the firmware
 * map into it, and reserves what is in use: the kernel, firmware areas and
 * the bitmap itself. Allocation lives in bootmem_alloc.c, the hand-off to
 * the buddy allocator in bootmem_retire.c.
 *
 * A free or reserve may span several nodes. Every check - arguments, that
 * each page lies in a node, that no page is already in the target state -
 * runs over the whole range before the first bit changes, so a failing call
 * changes nothing.
 */
#include <pmm/fmt.h>

#include "bootmem_impl.h"

size_t pmm_bootmem_bitmap_bytes(pmm_pfn_t pages)
{
	uint64_t words = pages / BM_WORD_BITS + (pages % BM_WORD_BITS != 0);
	if (words > SIZE_MAX / sizeof(uint64_t))
		return 0;
	return (size_t)(words * sizeof(uint64_t));
}

void pmm_bootmem_init(struct pmm_bootmem *bm)
{
	if (bm)
		pmm_memset(bm, 0, sizeof(*bm));
}

int pmm_bootmem_node_of(const struct pmm_bootmem *bm, pmm_pfn_t pfn)
{
	for (int nid = 0; nid < PMM_MAX_NUMNODES; nid++) {
		const struct pmm_bootmem_node *nd = &bm->node[nid];
		if (nd->present && pfn >= nd->start_pfn && pfn < nd->end_pfn)
			return nid;
	}
	return -1;
}

struct pmm_pfn_range pmm_bootmem_map_pages(const struct pmm_bootmem_node *nd)
{
	struct pmm_pfn_range r = {
		PMM_PFN_DOWN(nd->map_phys),
		bm_pfn_up(nd->map_phys + nd->map_bytes),
	};
	return r;
}

static bool ranges_meet(pmm_pfn_t s1, pmm_pfn_t e1, pmm_pfn_t s2, pmm_pfn_t e2)
{
	return s1 < e2 && s2 < e1;
}

/* Return: 0, or PMM_EOVERLAP when [@s, @e) or @maps meet another node's. */
static int check_node_overlap(const struct pmm_bootmem *bm, pmm_pfn_t s,
			      pmm_pfn_t e, struct pmm_pfn_range maps)
{
	for (int nid = 0; nid < PMM_MAX_NUMNODES; nid++) {
		const struct pmm_bootmem_node *nd = &bm->node[nid];
		if (!nd->present)
			continue;
		if (ranges_meet(s, e, nd->start_pfn, nd->end_pfn))
			return PMM_EOVERLAP;
		struct pmm_pfn_range other = pmm_bootmem_map_pages(nd);
		if (ranges_meet(maps.start, maps.end, other.start, other.end))
			return PMM_EOVERLAP;
	}
	return 0;
}

/**
 * pmm_bootmem_init_node - give node @nid a bitmap over pfns [@start, @end).
 * @bm: the allocator
 * @nid: node id, 0..PMM_MAX_NUMNODES-1
 * @start: first pfn (inclusive)
 * @end: last pfn (exclusive)
 * @map: the bitmap, pmm_bootmem_bitmap_bytes(@end - @start) bytes
 * @map_phys: the physical address of @map, on a page boundary
 *
 * Every page starts reserved. The bitmap owns the pages it touches:
 * retirement frees them, so nothing else may live in its last page.
 *
 * Return: 0, PMM_EINVAL, PMM_EALIGN (@map_phys inside a page, or @map not
 * 8-byte aligned), PMM_EOVERFLOW
 * (the bitmap does not fit in memory), PMM_EOVERLAP, PMM_ERETIRED.
 * Context: boot CPU, no lock.
 */
int pmm_bootmem_init_node(struct pmm_bootmem *bm, int nid, pmm_pfn_t start,
			  pmm_pfn_t end, uint64_t *map, pmm_phys_t map_phys)
{
	if (!bm)
		return PMM_EINVAL;
	if (bm->retired)
		return PMM_ERETIRED;
	if (nid < 0 || nid >= PMM_MAX_NUMNODES || bm->node[nid].present)
		return PMM_EINVAL;
	if (start >= end || end > BM_PFN_END || !map)
		return PMM_EINVAL;
	if ((map_phys & (PMM_PAGE_SIZE - 1)) ||
	    ((uintptr_t)map & (sizeof(uint64_t) - 1)))
		return PMM_EALIGN;
	size_t bytes = pmm_bootmem_bitmap_bytes(end - start);
	if (bytes == 0 || bytes > UINT64_MAX - map_phys)
		return PMM_EOVERFLOW;
	struct pmm_pfn_range maps = {
		PMM_PFN_DOWN(map_phys), bm_pfn_up(map_phys + bytes)
	};
	if (check_node_overlap(bm, start, end, maps))
		return PMM_EOVERLAP;

	for (size_t w = 0; w < bytes / sizeof(uint64_t); w++)
		map[w] = BM_ALL_ONES;
	struct pmm_bootmem_node *nd = &bm->node[nid];
	nd->present = true;
	nd->start_pfn = start;
	nd->end_pfn = end;
	nd->map = map;
	nd->map_phys = map_phys;
	nd->map_bytes = bytes;
	nd->hint = start;
	nd->last_pos = start;
	nd->last_offset = 0;
	nd->free_pages = 0;
	return 0;
}

/* Return: 0, or the first error of the checks every range call shares. */
static int check_range_args(const struct pmm_bootmem *bm, pmm_phys_t addr,
			    uint64_t size)
{
	if (!bm)
		return PMM_EINVAL;
	if (bm->retired)
		return PMM_ERETIRED;
	if (size == 0)
		return PMM_EINVAL;
	if (size > UINT64_MAX - addr)
		return PMM_EOVERFLOW;
	return 0;
}

/* Return: true if every pfn of [@s, @e) lies in some node. */
static bool range_covered(const struct pmm_bootmem *bm, pmm_pfn_t s,
			  pmm_pfn_t e)
{
	while (s < e) {
		int nid = pmm_bootmem_node_of(bm, s);
		if (nid < 0)
			return false;
		s = bm->node[nid].end_pfn;
	}
	return true;
}

/*
 * Return: 0, or the error (reported) for the first page of [@s, @e) whose
 * bit already has the value @set: a double reserve or a double free.
 */
static int check_no_bit(const struct pmm_bootmem *bm, pmm_pfn_t s, pmm_pfn_t e,
			bool set, const char *func)
{
	for (int nid = 0; nid < PMM_MAX_NUMNODES; nid++) {
		const struct pmm_bootmem_node *nd = &bm->node[nid];
		if (!nd->present || !ranges_meet(s, e, nd->start_pfn, nd->end_pfn))
			continue;
		uint64_t i = (s > nd->start_pfn ? s : nd->start_pfn) - nd->start_pfn;
		uint64_t j = (e < nd->end_pfn ? e : nd->end_pfn) - nd->start_pfn;
		uint64_t hit = bm_next(nd->map, i, j, set);
		if (hit == j)
			continue;
		int err = set ? PMM_EDOUBLERESERVE : PMM_EDOUBLEFREE;
		return pmm_bug(err, func,
				  "pfn 0x%llx of [0x%llx, 0x%llx) on node %d is already %s",
				  (unsigned long long)(nd->start_pfn + hit),
				  (unsigned long long)s, (unsigned long long)e,
				  nid, set ? "reserved" : "free");
	}
	return 0;
}

/* Set (@set) or clear the bits of pfns [@s, @e), node by node. */
static void mark_range(struct pmm_bootmem *bm, pmm_pfn_t s, pmm_pfn_t e,
		       bool set)
{
	for (int nid = 0; nid < PMM_MAX_NUMNODES; nid++) {
		struct pmm_bootmem_node *nd = &bm->node[nid];
		if (!nd->present || !ranges_meet(s, e, nd->start_pfn, nd->end_pfn))
			continue;
		pmm_pfn_t a = s > nd->start_pfn ? s : nd->start_pfn;
		pmm_pfn_t b = e < nd->end_pfn ? e : nd->end_pfn;
		bm_fill(nd->map, a - nd->start_pfn, b - nd->start_pfn, set);
		if (set) {
			nd->free_pages -= b - a;
			continue;
		}
		nd->free_pages += b - a;
		if (a < nd->hint)
			nd->hint = a;
		/* The page small allocations were packed into is free now. */
		if (nd->last_offset && nd->last_pos >= a && nd->last_pos < b)
			nd->last_offset = 0;
	}
}

/**
 * pmm_bootmem_free - mark the whole pages of [@addr, @addr + @size) free.
 * @bm: the allocator
 * @addr: first byte
 * @size: bytes
 *
 * A page only partly inside the range stays reserved (seed 6.4): the
 * allocator never records which part of a page is in use. Every page to be
 * freed must lie in a node and be reserved; a page that is already free is
 * a double free, reported, and nothing changes.
 *
 * Return: 0, PMM_EINVAL, PMM_EOVERFLOW, PMM_ERANGE, PMM_EDOUBLEFREE,
 * PMM_ERETIRED.
 * Context: boot CPU, no lock.
 */
int pmm_bootmem_free(struct pmm_bootmem *bm, pmm_phys_t addr, uint64_t size)
{
	int err = check_range_args(bm, addr, size);
	if (err)
		return err;
	pmm_pfn_t s = bm_pfn_up(addr);
	pmm_pfn_t e = PMM_PFN_DOWN(addr + size);
	if (s >= e) {
		/* No whole page: nothing changes, but it must name a node's page. */
		pmm_pfn_t t = PMM_PFN_DOWN(addr);
		return range_covered(bm, t, bm_pfn_up(addr + size)) ? 0 : PMM_ERANGE;
	}
	if (!range_covered(bm, s, e))
		return PMM_ERANGE;
	err = check_no_bit(bm, s, e, false, __func__);
	if (err)
		return err;
	mark_range(bm, s, e, false);
	return 0;
}

/**
 * pmm_bootmem_reserve - mark every page touching [@addr, @addr + @size)
 * reserved.
 * @bm: the allocator
 * @addr: first byte
 * @size: bytes
 *
 * Every page must lie in a node and be free; a page that is already
 * reserved is a double reserve, reported, and nothing changes.
 *
 * Return: 0, PMM_EINVAL, PMM_EOVERFLOW, PMM_ERANGE, PMM_EDOUBLERESERVE,
 * PMM_ERETIRED.
 * Context: boot CPU, no lock.
 */
int pmm_bootmem_reserve(struct pmm_bootmem *bm, pmm_phys_t addr,
			uint64_t size)
{
	int err = check_range_args(bm, addr, size);
	if (err)
		return err;
	pmm_pfn_t s = PMM_PFN_DOWN(addr);
	pmm_pfn_t e = bm_pfn_up(addr + size);
	if (!range_covered(bm, s, e))
		return PMM_ERANGE;
	err = check_no_bit(bm, s, e, true, __func__);
	if (err)
		return err;
	mark_range(bm, s, e, true);
	return 0;
}

bool pmm_bootmem_is_reserved(const struct pmm_bootmem *bm, pmm_pfn_t pfn)
{
	if (!bm || bm->retired)
		return true;
	int nid = pmm_bootmem_node_of(bm, pfn);
	if (nid < 0)
		return true;
	const struct pmm_bootmem_node *nd = &bm->node[nid];
	uint64_t i = pfn - nd->start_pfn;
	return (nd->map[i / BM_WORD_BITS] >> (i % BM_WORD_BITS)) & 1;
}

uint64_t pmm_bootmem_free_pages(const struct pmm_bootmem *bm, int nid)
{
	if (!bm)
		return 0;
	if (nid != PMM_NUMA_NO_NODE) {
		if (nid < 0 || nid >= PMM_MAX_NUMNODES)
			return 0;
		return bm->node[nid].free_pages;
	}
	uint64_t total = 0;
	for (int n = 0; n < PMM_MAX_NUMNODES; n++)
		total += bm->node[n].free_pages;
	return total;
}
