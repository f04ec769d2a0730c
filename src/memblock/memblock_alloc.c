/* SPDX-License-Identifier: MIT */
/*
 * memblock_alloc.c - allocating from memblock and retiring it.
 *
 * An allocation walks the free ranges (memory minus reserved) top-down, or
 * bottom-up on request, takes the first aligned fit inside the asked window
 * and reserves it. When nothing fits it falls back the way Linux does: to
 * any node (unless the node is exact), from mirrored to any memory, and -
 * for the memblock_alloc_try_nid() family - without the lower bound. The
 * first page is never handed out, so 0 never names an allocation.
 *
 * Locking: none (boot CPU only).
 */
#include "memblock_internal.h"

static pmm_phys_t clamp(pmm_phys_t x, pmm_phys_t lo, pmm_phys_t hi)
{
	return x < lo ? lo : (x > hi ? hi : x);
}

static pmm_phys_t find_bottom_up(pmm_phys_t start, pmm_phys_t end,
				 uint64_t size, uint64_t align, int nid,
				 unsigned int flags)
{
	uint64_t i = 0;
	pmm_phys_t s, e, cand;

	for (;;) {
		pmm_memblock_next_range(&i, nid, flags, &pmm_memblock.memory,
					&pmm_memblock.reserved, &s, &e, NULL);
		if (i == UINT64_MAX)
			return 0;
		s = clamp(s, start, end);
		e = clamp(e, start, end);
		cand = (s + align - 1) & ~(align - 1);
		if (cand >= s && cand < e && e - cand >= size)
			return cand;
	}
}

static pmm_phys_t find_top_down(pmm_phys_t start, pmm_phys_t end,
				uint64_t size, uint64_t align, int nid,
				unsigned int flags)
{
	uint64_t i = UINT64_MAX;
	pmm_phys_t s, e, cand;

	for (;;) {
		pmm_memblock_next_range_rev(&i, nid, flags, &pmm_memblock.memory,
					    &pmm_memblock.reserved, &s, &e, NULL);
		if (i == UINT64_MAX)
			return 0;
		s = clamp(s, start, end);
		e = clamp(e, start, end);
		if (e < size)
			continue;
		cand = (e - size) & ~(align - 1);
		if (cand >= s)
			return cand;
	}
}

pmm_phys_t pmm_memblock_find_node(uint64_t size, uint64_t align,
				  pmm_phys_t start, pmm_phys_t end, int nid,
				  unsigned int flags)
{
	if (end == PMM_MEMBLOCK_ALLOC_ACCESSIBLE ||
	    end == PMM_MEMBLOCK_ALLOC_NOLEAKTRACE)
		end = pmm_memblock.current_limit;
	start = mb_max(start, PMM_PAGE_SIZE); /* never the first page */
	end = mb_max(start, end);
	if (pmm_memblock.bottom_up)
		return find_bottom_up(start, end, size, align, nid, flags);
	return find_top_down(start, end, size, align, nid, flags);
}

static void warn_mirror(uint64_t size)
{
	pmm_printk("Could not allocate 0x%016llx bytes of mirrored memory\n",
		   (unsigned long long)size);
}

pmm_phys_t pmm_memblock_find(pmm_phys_t start, pmm_phys_t end,
			     uint64_t size, uint64_t align)
{
	unsigned int flags = mb_alloc_flags();
	pmm_phys_t found;

	for (;;) {
		found = pmm_memblock_find_node(size, align, start, end,
					       PMM_NUMA_NO_NODE, flags);
		if (found || !(flags & PMM_MEMBLOCK_MIRROR))
			return found;
		warn_mirror(size);
		flags &= ~(unsigned int)PMM_MEMBLOCK_MIRROR;
	}
}

static int check_alloc(uint64_t size, uint64_t align, pmm_phys_t *out)
{
	if (!out || size == 0)
		return PMM_EINVAL;
	if (!mb_is_pow2(align))
		return PMM_EALIGN;
	if (pmm_memblock.handed_off)
		return PMM_ERETIRED;
	return PMM_OK;
}

/* Find on @nid with @flags and reserve; *@err keeps a failed reserve. */
static pmm_phys_t find_and_reserve(uint64_t size, uint64_t align,
				   pmm_phys_t start, pmm_phys_t end, int nid,
				   unsigned int flags, int *err)
{
	pmm_phys_t found = pmm_memblock_find_node(size, align, start, end,
						  nid, flags);
	int r;

	if (!found)
		return 0;
	pmm_memblock_dbg_range("memblock_reserve", found, size,
			       "pmm_memblock_alloc_range_nid");
	r = pmm_memblock_add_range_grow(&pmm_memblock.reserved, found, size, pmm_memblock.nid_none,
					PMM_MEMBLOCK_NONE, true);
	if (r) {
		*err = r;
		return 0;
	}
	return found;
}

int pmm_memblock_alloc_range_nid(uint64_t size, uint64_t align,
				 pmm_phys_t start, pmm_phys_t end, int nid,
				 bool exact_nid, pmm_phys_t *out)
{
	unsigned int flags = mb_alloc_flags();
	int err = check_alloc(size, align, out);
	pmm_phys_t found;

	if (err)
		return err;
	if (nid == pmm_memblock.nid_none)
		nid = PMM_NUMA_NO_NODE;
	err = PMM_ENOMEM;
	for (;;) {
		found = find_and_reserve(size, align, start, end, nid, flags,
					 &err);
		if (!found && nid != PMM_NUMA_NO_NODE && !exact_nid)
			found = find_and_reserve(size, align, start, end,
						 PMM_NUMA_NO_NODE, flags, &err);
		if (found) {
			*out = found;
			return PMM_OK;
		}
		if (!(flags & PMM_MEMBLOCK_MIRROR))
			return err;
		flags &= ~(unsigned int)PMM_MEMBLOCK_MIRROR;
		warn_mirror(size);
	}
}

static const char *alloc_name(unsigned int opts)
{
	if (opts & PMM_MEMBLOCK_ALLOC_EXACT_NID)
		return "memblock_alloc_exact_nid_raw";
	if (opts & PMM_MEMBLOCK_ALLOC_RAW)
		return "memblock_alloc_try_nid_raw";
	return "memblock_alloc_try_nid";
}

/**
 * pmm_memblock_alloc - allocate for the memblock_alloc_try_nid() family.
 * @size: bytes; @align: power of two; @min_addr, @max_addr: preferred
 * window (@max_addr capped at current_limit, @min_addr dropped when
 * nothing fits above it); @nid: preferred node; @opts: PMM_MEMBLOCK_ALLOC_*.
 * @out: the physical address.
 *
 * Return: 0 or an error of pmm_memblock_alloc_range_nid().
 * Context: boot CPU.
 */
int pmm_memblock_alloc(uint64_t size, uint64_t align, pmm_phys_t min_addr,
		       pmm_phys_t max_addr, int nid, unsigned int opts,
		       pmm_phys_t *out)
{
	bool exact = (opts & PMM_MEMBLOCK_ALLOC_EXACT_NID) != 0;
	int err = check_alloc(size, align, out);

	if (pmm_memblock.debug)
		pmm_printk("%s: %llu bytes align=0x%llx nid=%d from=0x%016llx max_addr=0x%016llx %s\n",
			   alloc_name(opts), (unsigned long long)size,
			   (unsigned long long)align, nid,
			   (unsigned long long)min_addr,
			   (unsigned long long)max_addr, __func__);
	if (err)
		return err;
	if (opts & ~(PMM_MEMBLOCK_ALLOC_RAW | PMM_MEMBLOCK_ALLOC_EXACT_NID))
		return PMM_EINVAL;
	max_addr = mb_min(max_addr, pmm_memblock.current_limit);
	err = pmm_memblock_alloc_range_nid(size, align, min_addr, max_addr, nid,
					   exact, out);
	if (err == PMM_ENOMEM && min_addr)
		err = pmm_memblock_alloc_range_nid(size, align, 0, max_addr,
						   nid, exact, out);
	if (err)
		return err;
	if (!(opts & PMM_MEMBLOCK_ALLOC_RAW))
		(void)pmm_phys_fill(*out, size, 0);
	return PMM_OK;
}

int pmm_memblock_phys_alloc(uint64_t size, uint64_t align, pmm_phys_t *out)
{
	if (pmm_memblock.debug)
		pmm_printk("memblock_phys_alloc_range: %llu bytes align=0x%llx from=0x%016llx max_addr=0x%016llx %s\n",
			   (unsigned long long)size, (unsigned long long)align,
			   0ULL, 0ULL, __func__);
	return pmm_memblock_alloc_range_nid(size, align, 0,
					    PMM_MEMBLOCK_ALLOC_ACCESSIBLE,
					    PMM_NUMA_NO_NODE, false, out);
}
