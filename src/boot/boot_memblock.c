/* SPDX-License-Identifier: MIT */
/*
 * boot_memblock.c - the boot sequence's adapter for memblock, the
 * range-based early allocator (seed 003's reserve_early idea).
 *
 * memblock takes every usable segment with its node, then the reservations;
 * early metadata is allocated bottom-up from 16 MiB below the lowmem limit,
 * as bootmem allocates it from its goal, so that booting a machine with
 * either allocator leaves the same free pages in every zone; retirement
 * hands memory minus reserved to the buddy allocator, highmem included, in
 * one pass with no bitmap to destroy.
 */
#include <pmm/memblock.h>

#include "boot_internal.h"

/* boot_range_fn: give memblock usable segment @seg on node @nid. */
static int add_seg(const struct boot_state *bs, const struct pmm_phys_range *seg,
		   int nid, void *arg)
{
	(void)bs;
	(void)arg;
	return pmm_memblock_add_node(seg->start, seg->end - seg->start, nid,
				     PMM_MEMBLOCK_NONE);
}

/* boot_range_fn: reserve piece @p of a reservation (usable RAM only). */
static int reserve_piece(const struct boot_state *bs,
			 const struct pmm_phys_range *p, int nid, void *arg)
{
	(void)bs;
	(void)nid;
	(void)arg;
	return pmm_memblock_reserve(p->start, p->end - p->start);
}

/*
 * memblock_setup - memblock takes every usable segment with its node, then
 * the reservations that lie in RAM, as the bootmem adapter does; early
 * metadata will come bottom-up below the lowmem limit.
 * Return: 0 or memblock's first error.
 */
static int memblock_setup(struct boot_state *bs)
{
	pmm_memblock_reset();
	pmm_memblock_set_debug(bs->cfg->memblock_debug && !bs->cfg->quiet);
	int err = boot_each_seg(bs, add_seg, NULL);
	if (!err)
		err = boot_each_resv_piece(bs, reserve_piece, NULL);
	if (err)
		return err;
	pmm_memblock_allow_resize();
	pmm_memblock_set_bottom_up(true);
	pmm_memblock_set_current_limit(PMM_PFN_PHYS(bs->lowmem_end_pfn));
	pmm_memblock_dump_all();
	return 0;
}

static int memblock_alloc(struct boot_state *bs, int nid, uint64_t size,
			  uint64_t align, pmm_phys_t limit, bool zero,
			  pmm_phys_t *out)
{
	(void)bs;
	return pmm_memblock_alloc(size, align, (pmm_phys_t)16 << 20,
				  limit ? limit : PMM_MEMBLOCK_ALLOC_ACCESSIBLE, nid,
				  zero ? 0u : PMM_MEMBLOCK_ALLOC_RAW, out);
}

static int memblock_retire(struct boot_state *bs)
{
	uint64_t n = 0;
	pmm_memblock_dump_all();
	int err = pmm_memblock_free_all(&n);
	if (err)
		return err;
	bs->info->handoff_pages += n;
	if (!bs->cfg->quiet)
		pmm_printk("memblock: retired: %llu pages to the buddy allocator\n",
			   (unsigned long long)n);
	return 0;
}

const struct boot_early_ops boot_memblock_ops = {
	.setup = memblock_setup,
	.alloc = memblock_alloc,
	.retire = memblock_retire,
	.free_late = pmm_memblock_free_late,
};
