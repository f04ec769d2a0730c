/* SPDX-License-Identifier: MIT */
/*
 * slab_map.c - where slab memory comes from, and which block a pointer is
 * in.
 *
 * Blocks come from pmm_alloc_pages_tagged() and are mapped with
 * pmm_phys_map(). The slab layer needs the reverse too (pointer -> block)
 * to free an object in O(1) without trusting the caller. It learns the
 * constant of the platform's linear map (virtual - physical) from the
 * first block it maps and checks every later block against it; a block
 * mapped elsewhere goes back and the allocation fails. A pointer then
 * becomes a pfn by subtraction, and the page descriptors - always
 * readable, unlike the memory a bad pointer points at - say whether that
 * pfn lies in an allocated block, which one, and with which owner tag.
 * Only then is the block's own memory (a slab header) read. That lookup,
 * slab_lookup() (slab_where() with the block's details), is inline in
 * slab_fast.h: every free runs it.
 */
#include <pmm/debug.h>
#include <pmm/fmt.h>

#include "slab_fast.h"

_Atomic uintptr_t slab_map_delta_plus1;

/* Return: true and *@va the linear mapping of @pa, if it is one. */
static bool map_linear(pmm_phys_t pa, size_t bytes, void **va)
{
	bool zeroed;
	void *p = pmm_phys_map(pa, bytes, &zeroed);
	if (p == NULL || pa > (pmm_phys_t)UINTPTR_MAX)
		return false;
	uintptr_t want = ((uintptr_t)p - (uintptr_t)pa) | 1u;
	/* Learned already (every block but the first): no locked instruction. */
	uintptr_t have = atomic_load_explicit(&slab_map_delta_plus1,
					      memory_order_relaxed);
	if (have == 0 &&
	    atomic_compare_exchange_strong(&slab_map_delta_plus1, &have, want))
		have = want;
	if (have != want)
		return false;
	*va = p;
	return true;
}

void slab_map_reset(void)
{
	atomic_store(&slab_map_delta_plus1, 0);
}

void *slab_block_alloc(unsigned int gfp, pmm_order_t order, uint64_t tag,
		       pmm_pfn_t *pfn)
{
	struct pmm_page *pg = pmm_alloc_pages_tagged(PMM_NUMA_NO_NODE, gfp,
						     order, tag, NULL);
	if (pg == NULL)
		return NULL;
	pmm_pfn_t head = pmm_page_to_pfn(pg);
	void *va;
	if (!map_linear(PMM_PFN_PHYS(head), (size_t)(PMM_PAGE_SIZE << order),
			&va)) {
		pmm_printk("slab: pfn 0x%llx cannot be mapped, or not at the "
			   "offset of the first slab; slabs need a linear map "
			   "of low memory\n", (unsigned long long)head);
		(void)pmm_free_pages(pg, order);
		return NULL;
	}
	*pfn = head;
	return va;
}

int slab_block_free(pmm_pfn_t pfn, pmm_order_t order)
{
	return pmm_free_pages(pmm_pfn_to_page(pfn), order);
}

void *slab_pfn_to_virt(pmm_pfn_t pfn)
{
	return (void *)((uintptr_t)PMM_PFN_PHYS(pfn) + slab_map_delta());
}
