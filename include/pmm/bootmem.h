/* SPDX-License-Identifier: MIT */
/*
 * pmm/bootmem.h - the boot memory allocator of seed chapter 6.
 *
 * One bitmap per node, one bit per page (1 = reserved), all reserved at
 * first. The boot code frees the usable RAM into it, reserves what is in
 * use, allocates early data, and finally retires it: every free page goes to
 * the buddy allocator, then the bitmap's own pages do. Only whole pages are
 * ever freed; a page partly in use stays reserved.
 *
 * Locking: none; bootmem runs on the boot CPU before anything else.
 */
#ifndef PMM_BOOTMEM_H
#define PMM_BOOTMEM_H

#include <pmm/platform.h>

struct pmm_bootmem_node {
	bool present;
	pmm_pfn_t start_pfn;  /* first page the bitmap covers */
	pmm_pfn_t end_pfn;    /* exclusive */
	uint64_t *map;        /* bit (pfn - start_pfn) set = reserved */
	pmm_phys_t map_phys;  /* where the bitmap itself lives */
	size_t map_bytes;
	pmm_pfn_t hint;       /* where the next search starts (last success) */
	pmm_pfn_t last_pos;   /* page of the last allocation's end, for packing */
	uint64_t last_offset; /* bytes used in last_pos; 0 = nothing to pack */
	uint64_t free_pages;  /* clear bits */
};

struct pmm_bootmem {
	struct pmm_bootmem_node node[PMM_MAX_NUMNODES];
	bool retired;
	uint64_t freed_pages;        /* handed over at retirement, all nodes */
	uint64_t bitmap_pages_freed; /* of which the bitmaps' own pages */
};

/* Return: bytes of bitmap for @pages pages (whole 64-bit words). */
size_t pmm_bootmem_bitmap_bytes(pmm_pfn_t pages);

/* Empty @bm: no nodes, not retired. */
void pmm_bootmem_init(struct pmm_bootmem *bm);

/*
 * Cover pfns [@start, @end) of node @nid with the bitmap at @map (virtual)
 * that lives at physical @map_phys; every page starts reserved. The bitmap
 * must start on a page boundary and owns every page it touches,
 * [@map_phys, @map_phys + map_bytes) rounded out to pages: the boot code
 * reserves those pages, retirement frees them.
 * Return: 0, PMM_EINVAL (bad node, empty range, node present), PMM_EALIGN
 * (@map_phys not page-aligned, @map not 8-byte aligned), PMM_EOVERFLOW (the
 * bitmap wraps), PMM_EOVERLAP (another node covers part of the range, or its
 * bitmap shares a page with this one's), PMM_ERETIRED.
 */
int pmm_bootmem_init_node(struct pmm_bootmem *bm, int nid, pmm_pfn_t start,
			  pmm_pfn_t end, uint64_t *map, pmm_phys_t map_phys);

/*
 * Mark the whole pages inside [@addr, @addr + @size) free; a partial page at
 * either end stays reserved. The range may span adjacent nodes; everything
 * is checked before anything changes. Return: 0, PMM_EINVAL (size 0),
 * PMM_EOVERFLOW, PMM_ERANGE (a page outside every node), PMM_EDOUBLEFREE (a
 * page already free: reported, nothing changed), PMM_ERETIRED.
 */
int pmm_bootmem_free(struct pmm_bootmem *bm, pmm_phys_t addr, uint64_t size);

/*
 * Mark every page touching [@addr, @addr + @size) reserved. Return: 0,
 * PMM_EINVAL, PMM_EOVERFLOW, PMM_ERANGE, PMM_EDOUBLERESERVE (a page already
 * reserved: reported, nothing changed), PMM_ERETIRED.
 */
int pmm_bootmem_reserve(struct pmm_bootmem *bm, pmm_phys_t addr,
			uint64_t size);

/*
 * Allocate @size bytes aligned to @align (a power of two), at or above @goal
 * if possible (else from the node start), in pages that end at or below
 * @limit (0: none), from node
 * @nid first (PMM_NUMA_NO_NODE: the node of @goal, else node 0), then the
 * others. Small allocations share the last partly used page. The memory is
 * zeroed where the platform can touch it. *@out gets the address.
 * Return: 0, PMM_EINVAL, PMM_EALIGN, PMM_EOVERFLOW, PMM_ENOMEM, PMM_ERETIRED.
 */
int pmm_bootmem_alloc(struct pmm_bootmem *bm, int nid, uint64_t size,
		      uint64_t align, pmm_phys_t goal, pmm_phys_t limit,
		      pmm_phys_t *out);

/* As pmm_bootmem_alloc(), without zeroing (memory the caller fills). */
int pmm_bootmem_alloc_raw(struct pmm_bootmem *bm, int nid, uint64_t size,
			  uint64_t align, pmm_phys_t goal, pmm_phys_t limit,
			  pmm_phys_t *out);

/*
 * Retire: hand every free page to the buddy allocator in maximal naturally
 * aligned blocks, then the bitmaps' own pages; later calls get
 * PMM_ERETIRED. *@freed (if not NULL) gets the page count.
 * Return: 0, PMM_EINVAL, PMM_ERETIRED, PMM_ECORRUPT (a bitmap page is free
 * in a bitmap: reported), PMM_ERANGE (a page to hand over is in no zone);
 * nothing changes on these errors.
 */
int pmm_bootmem_free_all(struct pmm_bootmem *bm, uint64_t *freed);

/*
 * After retirement: give the reserved whole pages of [@addr, @addr + @size)
 * straight to the buddy allocator (seed 003's free_bootmem_late).
 * Return: 0, PMM_ESTATE (not retired yet), or pmm_buddy_free_range()'s error.
 */
int pmm_bootmem_free_late(struct pmm_bootmem *bm, pmm_phys_t addr,
			  uint64_t size);

/*
 * Return: true if @pfn is reserved (or outside every node). After
 * retirement the bitmaps are gone and every pfn reads reserved.
 */
bool pmm_bootmem_is_reserved(const struct pmm_bootmem *bm, pmm_pfn_t pfn);

/*
 * Return: free pages of node @nid (all nodes for PMM_NUMA_NO_NODE); 0 after
 * retirement.
 */
uint64_t pmm_bootmem_free_pages(const struct pmm_bootmem *bm, int nid);

/*
 * The whole-node validator (PMM_DEBUG=3 runs it on its own): node @nid's
 * clear bits number free_pages, the padding bits past its last page are
 * set, every page below the search hint is reserved, and the packing page
 * (last_pos, last_offset) lies in the node and is reserved.
 * Return: NULL when all hold (or the node is absent, or @bm retired), else
 * what is broken (static text). Context: boot CPU, no lock; reads only.
 */
const char *pmm_bootmem_check_node(const struct pmm_bootmem *bm, int nid);

#endif /* PMM_BOOTMEM_H */
