/* SPDX-License-Identifier: MIT */
/*
 * boot_bootmem.c - the boot sequence's adapter for the bitmap allocator.
 *
 * As Linux 2.4 did on i386, bootmem manages low memory only: each node's
 * bitmap covers its pages below the highmem boundary and lives in the first
 * free pages after the kernel. At retirement bootmem hands over its free
 * pages and its bitmaps; the highmem pages, which bootmem never saw, are
 * then released one range at a time (seed 001's one_highpage_init).
 */
#include <pmm/bootmem.h>
#include <pmm/buddy.h>

#include "boot_internal.h"

static struct pmm_bootmem bootmem;

static pmm_pfn_t cover_end(const struct boot_state *bs, int nid)
{
	pmm_pfn_t end = bs->node[nid].end_pfn;
	return end < bs->lowmem_end_pfn ? end : bs->lowmem_end_pfn;
}

static int setup_node_bitmap(struct boot_state *bs, int nid)
{
	pmm_pfn_t start = bs->node[nid].start_pfn, end = cover_end(bs, nid);
	size_t bytes = pmm_bootmem_bitmap_bytes(end - start);
	pmm_phys_t goal = bs->cfg->kernel_data.end, pa;
	int err = boot_find_free(bs, nid, bytes, goal,
				 PMM_PFN_PHYS(bs->lowmem_end_pfn), &pa);
	if (err) {
		pmm_printk("pmm: bootmem: no room for node %d's %zu-byte bitmap\n",
			   nid, bytes);
		return err;
	}
	uint64_t *map = pmm_phys_map(pa, bytes, NULL);
	if (!map) {
		pmm_printk("pmm: bootmem: the platform cannot map the bitmap at "
			   "0x%llx; its map hook must reach low memory\n",
			   (unsigned long long)pa);
		return PMM_ERANGE;
	}
	err = pmm_bootmem_init_node(&bootmem, nid, start, end, map, pa);
	if (!err)
		err = boot_resv_add(bs, pa, pa + bytes);
	if (!err && !bs->cfg->quiet)
		pmm_printk("bootmem: node %d: bitmap of %zu bytes at [mem 0x%016llx-"
			   "0x%016llx] for pfns 0x%llx-0x%llx\n", nid, bytes,
			   (unsigned long long)pa, (unsigned long long)(pa + bytes - 1),
			   (unsigned long long)start, (unsigned long long)end);
	return err;
}

/* Return: @r clipped to what node @nid's bitmap covers (maybe empty). */
static struct pmm_phys_range clip_to_cover(const struct boot_state *bs, int nid,
					   const struct pmm_phys_range *r)
{
	pmm_phys_t lo = PMM_PFN_PHYS(bs->node[nid].start_pfn);
	pmm_phys_t hi = PMM_PFN_PHYS(cover_end(bs, nid));
	struct pmm_phys_range c = { r->start > lo ? r->start : lo,
				    r->end < hi ? r->end : hi };
	return c;
}

/* boot_range_fn: free the part of usable segment @seg the bitmap covers. */
static int free_seg(const struct boot_state *bs, const struct pmm_phys_range *seg,
		    int nid, void *arg)
{
	struct pmm_phys_range c = clip_to_cover(bs, nid, seg);
	(void)arg;
	return c.end > c.start ? pmm_bootmem_free(&bootmem, c.start, c.end - c.start) : 0;
}

/* boot_range_fn: reserve the part of reservation piece @p the bitmap covers. */
static int reserve_piece(const struct boot_state *bs,
			 const struct pmm_phys_range *p, int nid, void *arg)
{
	struct pmm_phys_range c = clip_to_cover(bs, nid, p);
	(void)arg;
	return c.end > c.start ? pmm_bootmem_reserve(&bootmem, c.start, c.end - c.start) : 0;
}

/*
 * bootmem_setup - a bitmap for each node's low memory, its usable RAM
 * freed into it, then every reservation (the bitmaps' own pages included)
 * reserved. Return: 0 or the first error (logged where it is the boot's).
 */
static int bootmem_setup(struct boot_state *bs)
{
	int err = 0;
	pmm_bootmem_init(&bootmem);
	for (int nid = 0; nid < PMM_MAX_NUMNODES && !err; nid++)
		if (bs->node[nid].online && cover_end(bs, nid) > bs->node[nid].start_pfn)
			err = setup_node_bitmap(bs, nid);
	if (!err)
		err = boot_each_seg(bs, free_seg, NULL);
	if (!err)
		err = boot_each_resv_piece(bs, reserve_piece, NULL);
	return err;
}

static int bootmem_alloc(struct boot_state *bs, int nid, uint64_t size,
			 uint64_t align, pmm_phys_t limit, bool zero,
			 pmm_phys_t *out)
{
	pmm_phys_t goal = PMM_PFN_PHYS(bs->node[nid].start_pfn);
	pmm_phys_t dma_end = (pmm_phys_t)16 << 20;
	goal = goal > dma_end ? goal : dma_end;
	/*
	 * A node bootmem does not cover (all highmem) is the caller's to fall
	 * back from, with the goal of the node it falls back to: bootmem's own
	 * fallback would keep this node's goal and, finding nothing above it,
	 * start from the bottom of the other node, inside ZONE_DMA, where
	 * memblock does not go.
	 */
	if (!bootmem.node[nid].present)
		return PMM_ENOMEM;
	if (zero)
		return pmm_bootmem_alloc(&bootmem, nid, size, align, goal, limit, out);
	return pmm_bootmem_alloc_raw(&bootmem, nid, size, align, goal, limit, out);
}

/* Hand [start, end) minus the reservations to the buddy allocator. */
static int handoff_unreserved(const struct boot_state *bs, pmm_pfn_t start,
			      pmm_pfn_t end, uint64_t *freed)
{
	for (unsigned int i = 0; i < bs->nr_resv && start < end; i++) {
		pmm_pfn_t rs = PMM_PFN_DOWN(bs->resv[i].start);
		pmm_pfn_t re = PMM_PFN_UP(bs->resv[i].end);
		if (re <= start || rs >= end)
			continue;
		if (rs > start) {
			int err = pmm_buddy_handoff_range(start, rs, freed);
			if (err)
				return err;
		}
		start = re;
	}
	return start < end ? pmm_buddy_handoff_range(start, end, freed) : 0;
}

/* boot_range_fn: hand the highmem part of @seg, unreserved, to the buddy. */
static int release_highmem_seg(const struct boot_state *bs,
			       const struct pmm_phys_range *seg, int nid, void *arg)
{
	pmm_pfn_t s = PMM_PFN_UP(seg->start), e = PMM_PFN_DOWN(seg->end);
	(void)nid;
	s = s > bs->lowmem_end_pfn ? s : bs->lowmem_end_pfn;
	return e > s ? handoff_unreserved(bs, s, e, arg) : 0;
}

static int bootmem_retire(struct boot_state *bs)
{
	uint64_t n = 0, high = 0;
	int err = pmm_bootmem_free_all(&bootmem, &n);
	if (err)
		return err;
	bs->info->handoff_pages += n;
	bs->info->bitmap_pages_freed = bootmem.bitmap_pages_freed;
	if (!bs->cfg->quiet)
		pmm_printk("bootmem: retired: %llu pages to the buddy allocator, "
			   "%llu of them the bitmaps' own\n", (unsigned long long)n,
			   (unsigned long long)bootmem.bitmap_pages_freed);
	err = boot_each_seg(bs, release_highmem_seg, &high);
	bs->info->handoff_pages += high;
	if (!err && high && !bs->cfg->quiet)
		pmm_printk("highmem: %llu pages released to the buddy allocator\n",
			   (unsigned long long)high);
	return err;
}

static int bootmem_free_late(pmm_phys_t addr, uint64_t size)
{
	return pmm_bootmem_free_late(&bootmem, addr, size);
}

const struct boot_early_ops boot_bootmem_ops = {
	.setup = bootmem_setup,
	.alloc = bootmem_alloc,
	.retire = bootmem_retire,
	.free_late = bootmem_free_late,
};
