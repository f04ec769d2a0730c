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

static int add_memory(struct boot_state *bs)
{
	struct boot_seg_iter it;
	struct pmm_phys_range seg;
	int nid, err = 0;

	boot_seg_iter_init(&it, bs);
	while (!err && boot_seg_next(&it, &seg, &nid))
		err = pmm_memblock_add_node(seg.start, seg.end - seg.start, nid,
					    PMM_MEMBLOCK_NONE);
	return err;
}

/* Reserve the parts of @r that are RAM, as the bootmem adapter does. */
static int reserve_in_usable(struct boot_state *bs, const struct pmm_phys_range *r)
{
	struct boot_seg_iter it;
	struct pmm_phys_range p;
	int nid, err = 0;

	boot_seg_iter_init(&it, bs);
	while (!err && boot_resv_piece_next(&it, r, &p, &nid))
		err = pmm_memblock_reserve(p.start, p.end - p.start);
	return err;
}

static int memblock_setup(struct boot_state *bs)
{
	pmm_memblock_reset();
	pmm_memblock_set_debug(bs->cfg->memblock_debug && !bs->cfg->quiet);
	int err = add_memory(bs);
	for (unsigned int i = 0; i < bs->nr_resv && !err; i++)
		err = reserve_in_usable(bs, &bs->resv[i]);
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
