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
 * Only then is the block's own memory (a slab header) read.
 */
#include <pmm/debug.h>
#include <pmm/fmt.h>

#include "slab_internal.h"

/* The learned constant plus 1 (0: not learned yet). Page aligned, so the
 * low bit is free for the flag. */
static _Atomic uintptr_t slab_delta_plus1;

/* Return: true and *@va the linear mapping of @pa, if it is one. */
static bool map_linear(pmm_phys_t pa, size_t bytes, void **va)
{
	bool zeroed;
	void *p = pmm_phys_map(pa, bytes, &zeroed);
	if (p == NULL || pa > (pmm_phys_t)UINTPTR_MAX)
		return false;
	uintptr_t want = ((uintptr_t)p - (uintptr_t)pa) | 1u;
	uintptr_t have = 0;
	if (!atomic_compare_exchange_strong(&slab_delta_plus1, &have, want) &&
	    have != want)
		return false;
	*va = p;
	return true;
}

void slab_map_reset(void)
{
	atomic_store(&slab_delta_plus1, 0);
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
	uintptr_t d = atomic_load_explicit(&slab_delta_plus1,
					   memory_order_relaxed) - 1u;
	return (void *)((uintptr_t)PMM_PFN_PHYS(pfn) + d);
}

/*
 * The head of the block holding @pfn: the first non-blank descriptor at
 * @pfn rounded down to 2^k, k = 0, 1, ... (pages inside a block have blank
 * descriptors, so the first one found heads the block, if any).
 * Return: true and *@head when @pfn is in an allocated block.
 */
static bool find_head(pmm_pfn_t pfn, pmm_pfn_t *head)
{
	for (pmm_order_t k = 0; k <= PMM_MAX_ORDER; k++) {
		pmm_pfn_t h = pfn & ~(((pmm_pfn_t)1 << k) - 1);
		const struct pmm_page *pg = pmm_pfn_to_page(h);
		if (pmm_page_is_blank(pg))
			continue;
		if (!pmm_page_is_alloc_head(pg) ||
		    pfn - h >= ((pmm_pfn_t)1 << pmm_page_order(pg)))
			return false;
		*head = h;
		return true;
	}
	return false;
}

int slab_where(const void *p, struct slab_where *w)
{
	uintptr_t dp1 = atomic_load_explicit(&slab_delta_plus1,
					     memory_order_relaxed);
	if (dp1 == 0 || pmm_mem_map == NULL)
		return PMM_EINVAL;
	pmm_phys_t pa = (pmm_phys_t)((uintptr_t)p - (dp1 - 1u));
	pmm_pfn_t pfn = PMM_PFN_DOWN(pa);
	if (pfn == 0 || pfn >= pmm_max_pfn || !find_head(pfn, &w->head))
		return PMM_EINVAL;
	const struct pmm_page *pg = pmm_pfn_to_page(w->head);
	w->order = pmm_page_order(pg);
	w->tag = pmm_page_owner_tag(pg);
	w->slab = NULL;
	if ((uint32_t)(w->tag >> 32) != PMM_SLAB_TAG_SLAB)
		return 0;
	struct slab *s = slab_pfn_to_virt(w->head);
	if (s->magic == SLAB_MAGIC && s->pfn == w->head &&
	    slab_cache_ok(s->cache) && s->cache->tag == w->tag &&
	    s->cache->order == w->order)
		w->slab = s;
	return 0;
}

struct slab *slab_of_trusted(const struct pmm_kmem_cache *c, const void *obj)
{
	uintptr_t d = atomic_load_explicit(&slab_delta_plus1,
					   memory_order_relaxed) - 1u;
	uintptr_t pa = (uintptr_t)obj - d;
	uintptr_t mask = ((uintptr_t)PMM_PAGE_SIZE << c->order) - 1u;
	return (struct slab *)(void *)((pa & ~mask) + d);
}

int slab_obj_index(const struct pmm_kmem_cache *c, struct slab *s,
		   const void *p, uint32_t *idx)
{
	uintptr_t first = (uintptr_t)s + c->objs_off + c->red_left;
	uintptr_t a = (uintptr_t)p;
	if (a < first)
		return PMM_EINVAL;
	uintptr_t off = a - first;
	if (off >= (uintptr_t)c->objs_per_slab * c->slot)
		return PMM_EINVAL;
	uint32_t i = (uint32_t)off / (uint32_t)c->slot;
	*idx = i;
	return (uint32_t)off == i * (uint32_t)c->slot ? 0 : PMM_ENOTHEAD;
}
