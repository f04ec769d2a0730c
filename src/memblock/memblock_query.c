/* SPDX-License-Identifier: MIT */
/*
 * memblock_query.c - the read-only questions about memblock's region arrays:
 * does a range overlap, is an address memory or reserved, which node holds
 * a pfn, how much memory there is and where DRAM starts and ends.
 *
 * The arrays are memblock.c's (sorted, non-overlapping, merged); callers are
 * the boot code, the early allocators' users and Linux's memblock API.
 * Locking: none (boot CPU only, see pmm/memblock.h).
 */
#include "memblock_internal.h"

bool pmm_memblock_addrs_overlap(pmm_phys_t base1, uint64_t size1,
				pmm_phys_t base2, uint64_t size2)
{
	return base1 < base2 + size2 && base2 < base1 + size1;
}

bool pmm_memblock_overlaps_region(const struct pmm_memblock_type *type,
				  pmm_phys_t base, uint64_t size)
{
	size = mb_cap_size(base, size);
	for (unsigned long i = 0; i < type->cnt; i++)
		if (pmm_memblock_addrs_overlap(base, size,
					       type->regions[i].base,
					       type->regions[i].size))
			return true;
	return false;
}

bool pmm_memblock_is_region_reserved(pmm_phys_t base, uint64_t size)
{
	return pmm_memblock_overlaps_region(&pmm_memblock.reserved, base, size);
}

/* Return: the index of the region of @type holding @addr, or -1. */
static long search(const struct pmm_memblock_type *type, pmm_phys_t addr)
{
	unsigned long lo = 0, hi = type->cnt;

	while (lo < hi) {
		unsigned long mid = lo + (hi - lo) / 2;
		const struct pmm_memblock_region *r = &type->regions[mid];

		if (addr < r->base)
			hi = mid;
		else if (addr >= mb_region_end(r))
			lo = mid + 1;
		else
			return (long)mid;
	}
	return -1;
}

bool pmm_memblock_is_reserved(pmm_phys_t addr)
{
	return search(&pmm_memblock.reserved, addr) >= 0;
}

bool pmm_memblock_is_memory(pmm_phys_t addr)
{
	return search(&pmm_memblock.memory, addr) >= 0;
}

bool pmm_memblock_is_map_memory(pmm_phys_t addr)
{
	long i = search(&pmm_memblock.memory, addr);

	return i >= 0 && !(pmm_memblock.memory.regions[i].flags & PMM_MEMBLOCK_NOMAP);
}

bool pmm_memblock_is_region_memory(pmm_phys_t base, uint64_t size)
{
	long i = search(&pmm_memblock.memory, base);

	if (i < 0)
		return false;
	return mb_region_end(&pmm_memblock.memory.regions[i]) >=
	       base + mb_cap_size(base, size);
}

int pmm_memblock_search_pfn_nid(pmm_pfn_t pfn, pmm_pfn_t *start,
				pmm_pfn_t *end)
{
	long i = search(&pmm_memblock.memory, PMM_PFN_PHYS(pfn));
	const struct pmm_memblock_region *r;

	if (i < 0)
		return -1;
	r = &pmm_memblock.memory.regions[i];
	if (start)
		*start = PMM_PFN_DOWN(r->base);
	if (end)
		*end = PMM_PFN_DOWN(mb_region_end(r));
	return mb_region_nid(r);
}

pmm_phys_t pmm_memblock_phys_mem_size(void) { return pmm_memblock.memory.total_size; }
pmm_phys_t pmm_memblock_reserved_size(void) { return pmm_memblock.reserved.total_size; }

pmm_phys_t pmm_memblock_start_of_dram(void)
{
	return pmm_memblock.memory.regions[0].base;
}

pmm_phys_t pmm_memblock_end_of_dram(void)
{
	return mb_region_end(&pmm_memblock.memory.regions[pmm_memblock.memory.cnt - 1]);
}
