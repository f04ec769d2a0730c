/* SPDX-License-Identifier: MIT */
/*
 * page.c - the flat page-descriptor array (mem_map) and its bounds.
 *
 * The array comes from the boot path (memory the early allocator reserved,
 * or the platform's memmap_alloc hook) already zeroed; since a zero
 * descriptor is valid (page.h), nothing here walks it.
 */
#include "buddy_internal.h"

struct pmm_page *pmm_mem_map;
pmm_pfn_t pmm_max_pfn;

/**
 * pmm_page_map_init - use @map as the descriptors of pfns [0, @max_pfn).
 * @map:     zeroed array of @max_pfn descriptors (NULL forgets the map)
 * @max_pfn: exclusive end; clipped to PMM_PFN_LIMIT, the last pfn the
 *           32-bit free-list links can name
 *
 * Locking: boot time, before any zone exists.
 */
void pmm_page_map_init(struct pmm_page *map, pmm_pfn_t max_pfn)
{
	if (max_pfn > PMM_PFN_LIMIT)
		max_pfn = PMM_PFN_LIMIT;
	pmm_mem_map = map;
	pmm_max_pfn = map != NULL ? max_pfn : 0;
}

/* Return: true if @page points at a descriptor of pmm_mem_map. Locking: none. */
bool pmm_page_is_valid(const struct pmm_page *page)
{
	return pmm_page_in_map(page);
}
