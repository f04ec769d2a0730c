/* SPDX-License-Identifier: MIT */
/*
 * memmap_hot.c - the descriptors of hot-added blocks on a platform with a
 * virtual memmap (pmm/platform.h memmap_populate), as Linux's sparse
 * vmemmap: a block's slice of the flat array is backed when the block is
 * added and unbacked when it is removed, so the hotplug room costs address
 * space only. The backing is
 *
 *   range  the block's own first pages (memmap_on_memory, Linux's altmap):
 *          present in the zone, never managed - the hand-off starts after
 *          them, offline steps over them and withdraws them as present
 *          pages, and they hold the descriptors while the block exists,
 *          offline included;
 *   late   unmovable pages of boot memory (below boot_end, as the zones'
 *          hotplug metadata), so the block itself stays removable.
 *
 * Without the hooks the boot backed the array to the hotplug limit and
 * nothing here runs.
 */
#include <pmm/contig.h>

#include "elastic_internal.h"

_Static_assert((sizeof(struct pmm_page) << PMM_MAX_ORDER) % PMM_PAGE_SIZE == 0,
	       "a block's descriptors fill whole pages, page-aligned in the array");

pmm_pfn_t hp_memmap_pages(void)
{
	return (pmm_pfn_t)((sizeof(struct pmm_page) << pmm_hp.shift) / PMM_PAGE_SIZE);
}

/* Block @id's slice of the descriptor array. */
static void *slice(unsigned int id)
{
	return pmm_pfn_to_page(hp_block_pfn(id));
}

static size_t slice_bytes(void)
{
	return (size_t)hp_memmap_pages() << PMM_PAGE_SHIFT;
}

/* Pages to back block @id's slice with: its own, or a late allocation.
 * Return: 0 and *@pfn, *@src; or PMM_ENOMEM. */
static int backing(unsigned int id, pmm_pfn_t *pfn, uint8_t *src)
{
	*pfn = hp_block_pfn(id);
	*src = HP_MEMMAP_RANGE;
	if (pmm_hp.memmap_on_memory)
		return 0;
	struct pmm_page *pg = pmm_alloc_contig(hp_memmap_pages(), PMM_GFP_KERNEL, 0,
					       PMM_PFN_PHYS(pmm_hp.boot_end),
					       PMM_PAGE_SIZE, 0);
	if (pg == NULL)
		return PMM_ENOMEM;
	*pfn = pmm_page_to_pfn(pg);
	*src = HP_MEMMAP_LATE;
	return 0;
}

static int back_one(unsigned int id)
{
	const struct pmm_platform *p = pmm_platform_get();
	pmm_pfn_t pfn;
	uint8_t src;
	if (backing(id, &pfn, &src) != 0)
		return PMM_ENOMEM;
	if (p->memmap_populate(p->ctx, slice(id), slice_bytes(), PMM_PFN_PHYS(pfn)) != 0) {
		if (src == HP_MEMMAP_LATE)
			(void)pmm_free_contig(pmm_pfn_to_page(pfn), hp_memmap_pages());
		return PMM_ENOMEM;
	}
	pmm_memset(slice(id), 0, slice_bytes());
	pmm_hp.block[id].flags = (uint8_t)(pmm_hp.block[id].flags | src);
	pmm_hp.memmap_pfn[id] = pfn;
	return 0;
}

int hp_memmap_back(unsigned int first, unsigned int n)
{
	if (!pmm_platform_virtual_memmap())
		return 0;
	for (unsigned int i = first; i < first + n; i++) {
		if (back_one(i) != 0) {
			hp_memmap_release(first, i - first);
			return PMM_ENOMEM;
		}
	}
	return 0;
}

void hp_memmap_release(unsigned int first, unsigned int n)
{
	const struct pmm_platform *p = pmm_platform_get();
	for (unsigned int i = first; i < first + n; i++) {
		struct hp_block *b = &pmm_hp.block[i];
		if ((b->flags & HP_MEMMAP) == 0)
			continue;
		p->memmap_depopulate(p->ctx, slice(i), slice_bytes());
		if (b->flags & HP_MEMMAP_LATE) {
			int err = pmm_free_contig(pmm_pfn_to_page(pmm_hp.memmap_pfn[i]),
						  hp_memmap_pages());
			PMM_ASSERT(err == 0, "descriptors of block %u at pfn 0x%llx: free %d",
				   i, (unsigned long long)pmm_hp.memmap_pfn[i], err);
			(void)err;
		}
		b->flags = (uint8_t)(b->flags & ~HP_MEMMAP);
	}
}

pmm_pfn_t hp_block_managed_pfn(unsigned int id)
{
	bool own = (pmm_hp.block[id].flags & HP_MEMMAP_RANGE) != 0;
	return hp_block_pfn(id) + (own ? hp_memmap_pages() : 0);
}

pmm_pfn_t hp_skip_own_memmap(pmm_pfn_t p)
{
	pmm_pfn_t managed = hp_block_managed_pfn((unsigned int)(p >> pmm_hp.shift));
	return p < managed ? managed : p;
}

uint64_t pmm_memory_memmap_pages(void)
{
	uint64_t pages = 0;
	for (unsigned int i = 0; i < pmm_hp.nr; i++)
		if (pmm_hp.block[i].flags & HP_MEMMAP)
			pages += hp_memmap_pages();
	return pages;
}

/* Block @id's descriptor backing, against its state. Return: NULL or why not. */
static const char *check_block_memmap(unsigned int id)
{
	const struct hp_block *b = &pmm_hp.block[id];
	uint8_t src = b->flags & HP_MEMMAP;
	if (src == HP_MEMMAP)
		return "memmap: a block backed twice";
	if (src != 0 && (b->state == PMM_BLOCK_ABSENT || !pmm_platform_virtual_memmap()))
		return "memmap: an absent block (or no virtual memmap) with backed descriptors";
	if (src == 0 && (b->flags & HP_HOT) && pmm_platform_virtual_memmap())
		return "memmap: a hot block without backed descriptors";
	pmm_pfn_t pfn = pmm_hp.memmap_pfn[id];
	if (src == HP_MEMMAP_LATE &&
	    (pfn >= pmm_hp.boot_end || !pmm_page_is_alloc_head(pmm_pfn_to_page(pfn))))
		return "memmap: a late backing that is not an allocated run of boot memory";
	for (pmm_pfn_t p = hp_block_pfn(id); src == HP_MEMMAP_RANGE &&
	     p < hp_block_managed_pfn(id); p++)
		if (!pmm_page_is_blank(pmm_pfn_to_page(p)))
			return "memmap: a page holding its block's descriptors is not blank";
	return NULL;
}

const char *hp_memmap_check(void)
{
	for (unsigned int i = 0; i < pmm_hp.nr; i++) {
		const char *why = check_block_memmap(i);
		if (why != NULL)
			return why;
	}
	return NULL;
}
