/* SPDX-License-Identifier: MIT */
/*
 * poison.c - page poisoning: a pattern over free pages, checked when they
 * are handed out again (see pmm/debug.h).
 *
 * The buddy allocator calls pmm_poison_block() on the way in (free) and
 * pmm_poison_check() on the way out (allocation) while
 * pmm_poison_enabled is set. Pages reach memory through pmm_phys_map() a
 * chunk at a time; memory the platform cannot map (highmem without a
 * mapping, simulated memory) is skipped, so poisoning never faults.
 */
#include <pmm/debug.h>
#include <pmm/fmt.h>

#include "buddy_internal.h"

bool pmm_poison_enabled;

/* Map pages [@pfn, @pfn + @n). Return: the mapping or NULL. */
static unsigned char *map_pages(pmm_pfn_t pfn, pmm_pfn_t n)
{
	bool zeroed;
	return pmm_phys_map(PMM_PFN_PHYS(pfn), (size_t)(n << PMM_PAGE_SHIFT),
			    &zeroed);
}

/* Fill the block with PMM_POISON_BYTE where mapped (debug.h). Locking: none. */
uint64_t pmm_poison_block(pmm_pfn_t pfn, pmm_order_t order)
{
	uint64_t bytes = pmm_order_pages(order) << PMM_PAGE_SHIFT;
	return pmm_phys_fill(PMM_PFN_PHYS(pfn), bytes, PMM_POISON_BYTE) >> PMM_PAGE_SHIFT;
}

/* Return: offset of the first byte of @page that is not the pattern, or
 * PMM_PAGE_SIZE. Reads words where alignment allows. */
static uint64_t first_bad(const unsigned char *page)
{
	const uint64_t pat = 0x0101010101010101ull * PMM_POISON_BYTE;
	const uint64_t *w = (const uint64_t *)(const void *)page;
	uint64_t i = 0;
	while (i < PMM_PAGE_SIZE / 8 && w[i] == pat)
		i++;
	for (uint64_t b = i * 8; b < PMM_PAGE_SIZE; b++)
		if (page[b] != PMM_POISON_BYTE)
			return b;
	return PMM_PAGE_SIZE;
}

/* Check the block still holds the pattern (debug.h). Locking: none. */
int pmm_poison_check(pmm_pfn_t pfn, pmm_order_t order)
{
	pmm_pfn_t end = pfn + pmm_order_pages(order);
	int err = 0;
	for (; pfn < end; pfn++) {
		const unsigned char *p = map_pages(pfn, 1);
		if (p == NULL)
			return err;
		uint64_t off = first_bad(p);
		if (off == PMM_PAGE_SIZE)
			continue;
		err = pmm_bug(PMM_ECORRUPT, "pmm_poison_check",
				 "pfn 0x%llx offset 0x%llx: byte 0x%02x, want 0x%02x (written after free)",
				 (unsigned long long)pfn, (unsigned long long)off,
				 p[off], PMM_POISON_BYTE);
	}
	return err;
}

/*
 * Poison every free block of @zone: the free lists (the isolated and CMA
 * ones too) and the per-CPU lists.
 */
static void poison_zone(struct pmm_zone *zone)
{
	zone_lock(zone);
	for (pmm_order_t k = 0; k <= PMM_MAX_ORDER; k++)
		for (unsigned int mt = 0; mt < PMM_MT_LISTS; mt++)
			for (uint32_t h = zone->free_area[k].head[mt]; h != 0;
			     h = pmm_mem_map[h - 1].next)
				pmm_poison_block((pmm_pfn_t)h - 1, k);
	for (unsigned int cpu = 0; cpu < PMM_NR_CPUS; cpu++)
		for (unsigned int mt = 0; mt < PMM_MT_TYPES; mt++)
			for (pmm_order_t k = 0; k <= PMM_PCP_MAX_ORDER; k++)
				for (uint32_t h = zone->pcp[cpu].head[mt][k];
				     h != 0; h = pmm_mem_map[h - 1].next)
					pmm_poison_block((pmm_pfn_t)h - 1, k);
	zone_unlock(zone);
}

/**
 * pmm_debug_set_poison - switch page poisoning on or off.
 * @on: the new setting
 *
 * Switching on poisons what is free now, so every later allocation checks
 * memory that was poisoned when it became free.
 * Locking: each zone's lock in turn; per-CPU lists must be quiet.
 */
void pmm_debug_set_poison(bool on)
{
	struct pmm_zone *z;
	if (on && !pmm_poison_enabled) {
		pmm_buddy_deferred_finish(); /* waiting blocks are free too */
		pmm_for_each_zone(z)
			poison_zone(z);
	}
	pmm_poison_enabled = on;
}
