/* SPDX-License-Identifier: MIT */
/*
 * memblock_handoff.c - retiring memblock into the buddy allocator.
 *
 * free_all gives every free range (memory minus reserved, NOMAP excluded)
 * to the buddy allocator in one pmm_buddy_handoff_range() call per range,
 * which cuts it into maximal naturally aligned blocks. Nothing has to be
 * destroyed afterwards (seed 003): the arrays may linger, and later frees
 * (free_late) go straight to the buddy allocator.
 *
 * Locking: none (boot CPU only).
 */
#include <pmm/buddy.h>
#include "memblock_internal.h"

/**
 * pmm_memblock_free_all - retire memblock into the buddy allocator.
 * @pages: where to add the pages handed over (may be NULL).
 *
 * HOTPLUG is cleared everywhere first (its job ends with boot), then each
 * free range of whole pages goes to pmm_buddy_handoff_range(), NOMAP and
 * DRIVER_MANAGED memory excluded.
 * Return: 0, PMM_ERETIRED, or the buddy allocator's first error (the
 * other ranges are still handed over; what was handed stays handed).
 * Context: boot CPU; the zones exist.
 */
int pmm_memblock_free_all(uint64_t *pages)
{
	struct pmm_memblock_iter it;
	uint64_t count = 0;
	int first_err = PMM_OK;

	if (pmm_memblock.handed_off)
		return PMM_ERETIRED;
	if (pmm_memblock.memory.total_size)
		pmm_memblock_clear_hotplug(0, PMM_PHYS_ADDR_MAX);
	pmm_memblock.handed_off = true;
	pmm_memblock_for_each_free(it, PMM_NUMA_NO_NODE, PMM_MEMBLOCK_NONE) {
		pmm_pfn_t start = PMM_PFN_UP(it.range.start);
		pmm_pfn_t end = PMM_PFN_DOWN(it.range.end);
		int err;

		if (start >= end)
			continue;
		err = pmm_buddy_handoff_range(start, end, &count);
		if (err && !first_err)
			first_err = err;
	}
	if (pages)
		*pages += count;
	return first_err;
}

int pmm_memblock_free_late(pmm_phys_t base, uint64_t size)
{
	pmm_pfn_t start = PMM_PFN_UP(base);
	pmm_pfn_t end;
	uint64_t freed = 0;
	int err = mb_check_range(base, size);

	pmm_memblock_dbg_range("memblock_free_late", base, size, __func__);
	if (err)
		return err;
	if (!pmm_memblock.handed_off)
		return PMM_ESTATE;
	end = PMM_PFN_DOWN(base + size);
	if (start < end) {
		err = pmm_buddy_free_range(start, end, &freed);
		if (err)
			return err;
	}
	return pmm_memblock_remove_range_grow(&pmm_memblock.reserved, base, size, true);
}

static int discard_type(const struct pmm_memblock_type *type)
{
	pmm_phys_t pa = pmm_memblock_array_phys(type);
	uint64_t bytes = type->max * sizeof(struct pmm_memblock_region);
	uint64_t freed = 0;

	if (!pa)
		return PMM_OK;
	bytes = (bytes + PMM_PAGE_SIZE - 1) & PMM_PAGE_MASK;
	return pmm_buddy_free_range(PMM_PFN_DOWN(pa), PMM_PFN_DOWN(pa + bytes),
				    &freed);
}

/**
 * pmm_memblock_discard - give the doubled region arrays back.
 *
 * After free_all nothing allocates from memblock any more; the arrays that
 * doubling took from memory go to the buddy allocator and memblock is
 * reset to its empty static arrays (Linux's memblock_discard()).
 * Return: 0, PMM_ESTATE (before free_all), or the buddy allocator's error.
 * Context: boot CPU.
 */
int pmm_memblock_discard(void)
{
	int err;

	if (!pmm_memblock.handed_off)
		return PMM_ESTATE;
	err = discard_type(&pmm_memblock.reserved);
	if (!err)
		err = discard_type(&pmm_memblock.memory);
	if (err)
		return err;
	pmm_memblock_reset();
	pmm_memblock.handed_off = true;
	return PMM_OK;
}
