/* SPDX-License-Identifier: MIT */
/*
 * boot_hotplug.c - the boot's part of memory hotplug (pmm/elastic.h):
 * the page descriptors reach the firmware's hotplug limit (the highest
 * hot-pluggable SRAT range, or cfg->hotplug_max), not only the end of RAM, and the last boot step
 * starts the memory block table over the zones the boot built, with the
 * profile's zone layout for ranges added later.
 *
 * Why a flat array to the limit: an all-zero descriptor is a valid
 * reserved one, so the room costs 12 bytes a page of address space and no
 * initialisation (on a host or a kernel that maps the array lazily, only
 * the pages a hot-added range touches); Linux's sparse vmemmap instead
 * backs each section's descriptors when it is added.
 */
#include <pmm/elastic.h>

#include "boot_internal.h"

int boot_hotplug_check(const struct pmm_boot_config *cfg)
{
	uint64_t b = cfg->memory_block_bytes;
	if (b == 0 || ((b & (b - 1)) == 0 &&
		       b >= ((uint64_t)PMM_PAGE_SIZE << PMM_MAX_ORDER)))
		return 0;
	pmm_printk("pmm: cfg->memory_block_bytes 0x%llx: a power of two of at "
		   "least %llu KiB, or 0 for 128 MiB\n", (unsigned long long)b,
		   (unsigned long long)((PMM_PAGE_SIZE << PMM_MAX_ORDER) >> 10));
	return PMM_EINVAL;
}

/* Return: the end of the highest hot-pluggable range the firmware named
 * (ACPI SRAT's hot-pluggable memory affinity entries), or 0. */
static pmm_phys_t firmware_hotplug_end(const struct pmm_memmap *map)
{
	pmm_phys_t top = 0;
	for (unsigned int i = 0; i < map->nr_numa; i++)
		if (map->numa[i].hotplug && map->numa[i].end > top)
			top = map->numa[i].end;
	return top;
}

pmm_pfn_t boot_memmap_pfns(const struct boot_state *bs)
{
	pmm_phys_t top = bs->cfg->hotplug_max;
	if (firmware_hotplug_end(bs->map) > top)
		top = firmware_hotplug_end(bs->map);
	pmm_phys_t limit = pmm_profile_addr_limit(bs->cfg->profile);
	if (limit != 0 && top > limit)
		top = limit;
	pmm_pfn_t pfns = PMM_PFN_UP(top);
	if (pfns > PMM_PFN_LIMIT)
		pfns = PMM_PFN_LIMIT;
	return pfns > bs->max_pfn ? pfns : bs->max_pfn;
}

int boot_hotplug_setup(struct boot_state *bs)
{
	pmm_pfn_t bound[PMM_NR_ADDR_ZONES + 1];
	boot_zone_bounds(bs->cfg->profile, bs->highmem_pfn, bound);
	int err = pmm_hotplug_init(&(struct pmm_hotplug_config){
		.block_bytes = bs->cfg->memory_block_bytes, .zone_bound = bound,
		.memmap_on_memory = bs->cfg->memmap_on_memory });
	if (err) {
		pmm_printk("pmm: memory blocks: %s\n", pmm_strerror(err));
		return err;
	}
	if (pmm_max_pfn > bs->max_pfn && !bs->cfg->quiet)
		pmm_printk("pmm: memory hotplug: %llu MiB blocks, room up to [mem 0x%010llx]\n",
			   (unsigned long long)(pmm_memory_block_bytes() >> 20),
			   (unsigned long long)PMM_PFN_PHYS(pmm_max_pfn) - 1);
	return 0;
}
