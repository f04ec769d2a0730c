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
	int err = bm_check_live(bm);
	if (err)
		return err;
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
	bm->node[nid] = (struct pmm_bootmem_node){
		.present = true, .start_pfn = start, .end_pfn = end, .map = map,
		.map_phys = map_phys, .map_bytes = bytes, .hint = start,
		.last_pos = start,
	};
	return 0;
}

/* Return: 0, or the first error of the checks every range call shares. */
static int check_range_args(const struct pmm_bootmem *bm, pmm_phys_t addr,
			    uint64_t size)
{
	int err = bm_check_live(bm);
	if (err)
		return err;
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

/* Count @n pages of @nd reserved, whose bits were clear and now are set. */
static void node_took(struct pmm_bootmem_node *nd, uint64_t n)
{
	PMM_ASSERT(nd->free_pages >= n, "%llu pages reserved of %llu free",
		   (unsigned long long)n, (unsigned long long)nd->free_pages);
	nd->free_pages -= n;
}

/* Count pfns [@a, @b) of @nd free, whose bits were set and now are clear. */
static void node_gave_back(struct pmm_bootmem_node *nd, pmm_pfn_t a, pmm_pfn_t b)
{
	nd->free_pages += b - a;
	PMM_ASSERT(nd->free_pages <= nd->end_pfn - nd->start_pfn,
		   "%llu pages free in a node of %llu",
		   (unsigned long long)nd->free_pages,
		   (unsigned long long)(nd->end_pfn - nd->start_pfn));
	if (a < nd->hint)
		nd->hint = a;
	/* The page small allocations were packed into is free now. */
	if (nd->last_offset && nd->last_pos >= a && nd->last_pos < b)
		nd->last_offset = 0;
}

/* Set (@set) or clear the bits of pfns [@s, @e), node by node, for @func. */
static void mark_range(struct pmm_bootmem *bm, pmm_pfn_t s, pmm_pfn_t e,
		       bool set, const char *func)
{
	for (int nid = 0; nid < PMM_MAX_NUMNODES; nid++) {
		struct pmm_bootmem_node *nd = &bm->node[nid];
		if (!nd->present || !ranges_meet(s, e, nd->start_pfn, nd->end_pfn))
			continue;
		pmm_pfn_t a = s > nd->start_pfn ? s : nd->start_pfn;
		pmm_pfn_t b = e < nd->end_pfn ? e : nd->end_pfn;
		bm_fill(nd->map, a - nd->start_pfn, b - nd->start_pfn, set);
		if (set)
			node_took(nd, b - a);
		else
			node_gave_back(nd, a, b);
		bm_validate_due(bm, nid, func);
	}
}

/*
 * change_range - the common end of a free (@set false) and a reserve: every
 * pfn of [@s, @e) must lie in a node and none may be in the target state
 * already; then all change. Return: 0, PMM_ERANGE, or the reported
 * PMM_EDOUBLEFREE / PMM_EDOUBLERESERVE (for @func); nothing changes on an
 * error.
 */
static int change_range(struct pmm_bootmem *bm, pmm_pfn_t s, pmm_pfn_t e,
			bool set, const char *func)
{
	if (!range_covered(bm, s, e))
		return PMM_ERANGE;
	int err = check_no_bit(bm, s, e, set, func);
	if (err)
		return err;
	mark_range(bm, s, e, set, func);
	return 0;
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
	return change_range(bm, s, e, false, __func__);
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
	return change_range(bm, PMM_PFN_DOWN(addr), bm_pfn_up(addr + size), true,
			    __func__);
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

/* Return: NULL, or what is wrong with the bits and counters of @nd. */
static const char *check_node_bits(const struct pmm_bootmem_node *nd)
{
	uint64_t n = nd->end_pfn - nd->start_pfn;
	uint64_t words = nd->map_bytes / sizeof(uint64_t), clear = 0;
	if (nd->map_bytes != pmm_bootmem_bitmap_bytes(n))
		return "map_bytes does not match the node's pages";
	for (uint64_t w = 0; w < words; w++)
		clear += BM_WORD_BITS - bm_popcount(nd->map[w]);
	if (n % BM_WORD_BITS &&
	    (nd->map[words - 1] | bm_mask(0, n % BM_WORD_BITS)) != BM_ALL_ONES)
		return "a padding bit past the node's last page is clear";
	if (clear != nd->free_pages)
		return "the clear bits do not number free_pages";
	return NULL;
}

/* Return: NULL, or what is wrong with @nd's search hint and packing page. */
static const char *check_node_cursors(const struct pmm_bootmem_node *nd)
{
	if (nd->hint < nd->start_pfn || nd->hint > nd->end_pfn)
		return "the search hint lies outside the node";
	uint64_t below = nd->hint - nd->start_pfn;
	if (bm_next_zero(nd->map, 0, below) != below)
		return "a page below the search hint is free";
	if (nd->last_offset >= PMM_PAGE_SIZE)
		return "last_offset is a page or more";
	if (nd->last_offset == 0)
		return NULL;
	if (nd->last_pos < nd->start_pfn || nd->last_pos >= nd->end_pfn)
		return "the packing page last_pos lies outside the node";
	uint64_t i = nd->last_pos - nd->start_pfn;
	if (!((nd->map[i / BM_WORD_BITS] >> (i % BM_WORD_BITS)) & 1))
		return "the packing page last_pos is free";
	return NULL;
}

const char *pmm_bootmem_check_node(const struct pmm_bootmem *bm, int nid)
{
	if (!bm || bm->retired || nid < 0 || nid >= PMM_MAX_NUMNODES ||
	    !bm->node[nid].present)
		return NULL;
	const char *bad = check_node_bits(&bm->node[nid]);
	return bad ? bad : check_node_cursors(&bm->node[nid]);
}

void bm_validate_due(const struct pmm_bootmem *bm, int nid, const char *func)
{
	static unsigned int changes; /* bitmap changes, all allocators */
	if (!PMM_VALIDATE_DUE(changes))
		return;
	const char *bad = pmm_bootmem_check_node(bm, nid);
	if (bad)
		pmm_assert_fail(func, "pmm_bootmem_check_node() == NULL",
				"node %d: %s", nid, bad);
}
