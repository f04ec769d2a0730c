/* SPDX-License-Identifier: MIT */
/*
 * pmm/linux/gfp.h - Linux's page allocator names on top of pmm.
 *
 * Code written against Linux's alloc_pages()/__free_pages() family (the
 * seed's table 7.2) compiles against pmm with this header. "struct page" is
 * pmm's struct pmm_page through a macro, which renames every identifier
 * `page` in the including file consistently; define PMM_NO_PAGE_ALIAS to
 * keep the name free and write struct pmm_page instead.
 *
 * Addresses are physical (pmm has no kernel virtual map of its own).
 */
#ifndef PMM_LINUX_GFP_H
#define PMM_LINUX_GFP_H

#include <pmm/buddy.h>
#include <pmm/contig.h>

#ifndef PMM_NO_PAGE_ALIAS
#define page pmm_page
#endif

typedef unsigned int gfp_t;

#define __GFP_DMA PMM_GFP_DMA
#define __GFP_HIGHMEM PMM_GFP_HIGHMEM
#define __GFP_DMA32 PMM_GFP_DMA32
#define __GFP_MOVABLE PMM_GFP_MOVABLE
#define __GFP_RECLAIMABLE PMM_GFP_RECLAIMABLE
#define __GFP_HIGH PMM_GFP_HIGH
#define __GFP_IO PMM_GFP_IO
#define __GFP_FS PMM_GFP_FS
#define __GFP_ZERO PMM_GFP_ZERO
#define __GFP_ATOMIC PMM_GFP_ATOMIC_CONTEXT
#define __GFP_DIRECT_RECLAIM PMM_GFP_DIRECT_RECLAIM
#define __GFP_KSWAPD_RECLAIM PMM_GFP_KSWAPD_RECLAIM
#define __GFP_RECLAIM PMM_GFP_RECLAIM
#define __GFP_NOWARN PMM_GFP_NOWARN
#define __GFP_THISNODE PMM_GFP_THISNODE
#define GFP_KERNEL PMM_GFP_KERNEL
#define GFP_ATOMIC PMM_GFP_ATOMIC
#define GFP_NOWAIT PMM_GFP_KSWAPD_RECLAIM
#define GFP_NOIO PMM_GFP_RECLAIM
#define GFP_NOFS (PMM_GFP_RECLAIM | PMM_GFP_IO)
#define GFP_USER PMM_GFP_KERNEL
#define GFP_DMA PMM_GFP_DMA
#define GFP_DMA32 PMM_GFP_DMA32
#define GFP_HIGHUSER PMM_GFP_HIGHUSER
#define GFP_HIGHUSER_MOVABLE PMM_GFP_HIGHUSER_MOVABLE
#define GFP_USER_MOVABLE PMM_GFP_USER_MOVABLE
#define GFP_MOVABLE_MASK PMM_GFP_MOBILITY
#define GFP_MOVABLE_SHIFT PMM_GFP_MT_SHIFT
#define MIGRATE_UNMOVABLE PMM_MT_UNMOVABLE
#define MIGRATE_MOVABLE PMM_MT_MOVABLE
#define MIGRATE_RECLAIMABLE PMM_MT_RECLAIMABLE
#define pageblock_order PMM_PAGEBLOCK_ORDER
#define pageblock_nr_pages PMM_PAGEBLOCK_PAGES

#ifndef NUMA_NO_NODE
#define NUMA_NO_NODE PMM_NUMA_NO_NODE
#endif
#ifndef MAX_ORDER
#define MAX_ORDER PMM_NR_ORDERS
#endif
#ifndef PAGE_SHIFT
#define PAGE_SHIFT PMM_PAGE_SHIFT
#define PAGE_SIZE PMM_PAGE_SIZE
#endif

/* The migratetype @gfp asks for (MIGRATE_UNMOVABLE without mobility flags). */
static inline int gfp_migratetype(gfp_t gfp)
{
	return (int)pmm_gfp_migratetype(gfp);
}

static inline struct pmm_page *alloc_pages(gfp_t gfp, unsigned int order)
{
	return pmm_alloc_pages(gfp, order);
}

static inline struct pmm_page *alloc_page(gfp_t gfp)
{
	return pmm_alloc_page(gfp);
}

static inline struct pmm_page *alloc_pages_node(int nid, gfp_t gfp,
						unsigned int order)
{
	return pmm_alloc_pages_node(nid, gfp, order);
}

static inline unsigned long __get_free_pages(gfp_t gfp, unsigned int order)
{
	return (unsigned long)pmm_get_free_pages(gfp, order);
}

static inline unsigned long __get_free_page(gfp_t gfp)
{
	return (unsigned long)pmm_get_free_page(gfp);
}

static inline unsigned long get_zeroed_page(gfp_t gfp)
{
	return (unsigned long)pmm_get_zeroed_page(gfp);
}

static inline void __free_pages(struct pmm_page *pg, unsigned int order)
{
	(void)pmm_free_pages(pg, order);
}

static inline void __free_page(struct pmm_page *pg)
{
	(void)pmm_free_page(pg);
}

static inline void free_pages(unsigned long addr, unsigned int order)
{
	(void)pmm_free_pages_addr((pmm_phys_t)addr, order);
}

static inline void free_page(unsigned long addr)
{
	(void)pmm_free_page_addr((pmm_phys_t)addr);
}

/* Fill the NULL slots of @page_array; Return: leading slots populated. */
static inline unsigned long alloc_pages_bulk_array(gfp_t gfp,
						   unsigned long nr_pages,
						   struct pmm_page **page_array)
{
	return pmm_alloc_pages_bulk(gfp, nr_pages, page_array);
}

/* The name Linux 6.14 gave alloc_pages_bulk_array(). */
static inline unsigned long alloc_pages_bulk(gfp_t gfp, unsigned long nr_pages,
					     struct pmm_page **page_array)
{
	return pmm_alloc_pages_bulk(gfp, nr_pages, page_array);
}

/*
 * Drop a reference to each page of @pages[0..@nr) (Linux's
 * release_pages() for order-0 pages; pmm also NULLs each slot it freed).
 */
static inline void release_pages(struct pmm_page **pages, int nr)
{
	(void)pmm_free_pages_bulk(nr > 0 ? (unsigned long)nr : 0, pages);
}

static inline void get_page(struct pmm_page *pg)
{
	(void)pmm_get_page(pg);
}

static inline void put_page(struct pmm_page *pg)
{
	(void)pmm_put_page(pg);
}

static inline unsigned long page_to_pfn(const struct pmm_page *pg)
{
	return (unsigned long)pmm_page_to_pfn(pg);
}

static inline struct pmm_page *pfn_to_page(unsigned long pfn)
{
	return pmm_pfn_to_page(pfn);
}

static inline unsigned long nr_free_pages(void)
{
	return (unsigned long)pmm_nr_free_pages();
}

/*
 * Contiguous runs (pmm/contig.h). alloc_contig_pages(): @nr_pages pages
 * anywhere the zones of @gfp reach, naturally aligned to the smallest
 * power of two holding them when that is at most a top-order block (as
 * Linux aligns), else to a page; @nid and @nodemask are not read (every
 * node is searched, the default one first).
 */
static inline struct pmm_page *alloc_contig_pages(unsigned long nr_pages,
						  gfp_t gfp, int nid,
						  void *nodemask)
{
	pmm_phys_t align = PMM_PAGE_SIZE;
	(void)nid;
	(void)nodemask;
	while (align < ((pmm_phys_t)nr_pages << PMM_PAGE_SHIFT) &&
	       align < ((pmm_phys_t)PMM_PAGE_SIZE << PMM_MAX_ORDER))
		align <<= 1;
	if (align < ((pmm_phys_t)nr_pages << PMM_PAGE_SHIFT))
		align = PMM_PAGE_SIZE;
	return pmm_alloc_contig(nr_pages, gfp, 0, ~(pmm_phys_t)0, align, 0);
}

/* Take pfns [@start, @end) (Linux returns -EBUSY; pmm its own codes). */
static inline int alloc_contig_range(unsigned long start, unsigned long end,
				     unsigned int migratetype, gfp_t gfp)
{
	(void)migratetype;
	(void)gfp;
	if (end <= start)
		return PMM_EINVAL;
	return pmm_alloc_range(start, end - start, NULL);
}

/* Free pfns [@pfn, @pfn + @nr_pages). */
static inline void free_contig_range(unsigned long pfn, unsigned long nr_pages)
{
	(void)pmm_free_contig(pmm_pfn_to_page(pfn), nr_pages);
}

#endif /* PMM_LINUX_GFP_H */
