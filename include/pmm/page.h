/* SPDX-License-Identifier: MIT */
/*
 * pmm/page.h - page descriptors and the pfn <-> descriptor mapping.
 *
 * One struct pmm_page of 12 bytes describes each page frame, in one flat
 * array indexed by pfn (pmm_mem_map[0 .. pmm_max_pfn)). Descriptors are
 * lazily valid: all zero bytes is a valid descriptor meaning "not managed by
 * the buddy allocator here" (reserved, a hole, or a non-head page of a
 * block), so a fresh zeroed array needs no initialisation and the hand-off
 * touches only block heads.
 *
 * States (a page is in exactly one, see pmm_check()):
 *   free head   PMM_PG_BUDDY, order k: heads a free block of 2^k pages on
 *               its zone's free list k; next/prev link the list. It may
 *               carry one mark (pmm/elastic.h): PMM_PG_ZERO (its memory
 *               reads as zero) or PMM_PG_REPORTED (handed to the
 *               hypervisor by free page reporting).
 *   pcp head    PMM_PG_PCP, order k <= PMM_PCP_MAX_ORDER: heads a free block
 *               on a per-CPU list; next links the list, prev is 0.
 *   alloc head  PMM_PG_ALLOC_HEAD, order k, refcount >= 1: heads an allocated
 *               block; next/prev hold the owner tag.
 *   inside      all zero, within a free or allocated block, not its head.
 *   reserved    all zero, within no block.
 *
 * Invariant: a descriptor that heads no block is all zero.
 */
#ifndef PMM_PAGE_H
#define PMM_PAGE_H

#include <pmm/types.h>

struct pmm_page {
	uint32_t next; /* list: pfn + 1 of the next head, 0 = end; alloc: tag low */
	uint32_t prev; /* list: pfn + 1 of the previous head, 0 = first; alloc: tag high */
	uint32_t info; /* order | flags | refcount, see PMM_PG_* */
};
_Static_assert(sizeof(struct pmm_page) == 12, "page descriptor is 12 bytes");

/* info layout: bits 0..4 order, bits 5..12 flags, bits 13..31 refcount. */
#define PMM_PG_ORDER_MASK 0x1fu
#define PMM_PG_BUDDY (1u << 5)  /* head of a free block on a free list */
#define PMM_PG_ALLOC_HEAD (1u << 6)   /* head of an allocated block */
#define PMM_PG_PCP (1u << 7)    /* head of a free block on a per-CPU list */
#define PMM_PG_POISON (1u << 8) /* block was poisoned when freed */
#define PMM_PG_OWNER (1u << 9)  /* next/prev hold an owner tag */
#define PMM_PG_LAZY (1u << 10)  /* free head not yet coalesced (lazy buddy) */
#define PMM_PG_ZERO (1u << 11)  /* free head whose pages are known to read zero */
#define PMM_PG_REPORTED (1u << 12) /* free head handed to the hypervisor */
#define PMM_PG_MARKS (PMM_PG_ZERO | PMM_PG_REPORTED)
#define PMM_PG_FLAGS_MASK 0x1fe0u
#define PMM_PG_REF_SHIFT 13
#define PMM_PG_REF_ONE (1u << PMM_PG_REF_SHIFT)
#define PMM_PG_REF_MAX (UINT32_MAX >> PMM_PG_REF_SHIFT)
_Static_assert(PMM_MAX_ORDER <= (int)PMM_PG_ORDER_MASK, "order fits 5 bits");
_Static_assert((PMM_PG_FLAGS_MASK & PMM_PG_ORDER_MASK) == 0 &&
		       (PMM_PG_FLAGS_MASK >> PMM_PG_REF_SHIFT) == 0 &&
		       (PMM_PG_FLAGS_MASK | PMM_PG_ORDER_MASK) + 1 == PMM_PG_REF_ONE,
	       "order, flags and refcount tile the info word");
_Static_assert((PMM_PG_MARKS & ~PMM_PG_FLAGS_MASK) == 0, "the marks are flags");

/* The flat descriptor array; set up by pmm_page_map_init(). */
extern struct pmm_page *pmm_mem_map;
extern pmm_pfn_t pmm_max_pfn; /* exclusive end of pmm_mem_map */

/* Use @map (zeroed) as the descriptors of pfns [0, @max_pfn). */
void pmm_page_map_init(struct pmm_page *map, pmm_pfn_t max_pfn);

static inline struct pmm_page *pmm_pfn_to_page(pmm_pfn_t pfn)
{
	return &pmm_mem_map[pfn];
}

static inline pmm_pfn_t pmm_page_to_pfn(const struct pmm_page *page)
{
	return (pmm_pfn_t)(page - pmm_mem_map);
}

/* Return: true if @page points at a descriptor in pmm_mem_map. */
bool pmm_page_is_valid(const struct pmm_page *page);

static inline pmm_order_t pmm_page_order(const struct pmm_page *page)
{
	return page->info & PMM_PG_ORDER_MASK;
}

static inline uint32_t pmm_page_refcount(const struct pmm_page *page)
{
	return page->info >> PMM_PG_REF_SHIFT;
}

static inline bool pmm_page_is_free_head(const struct pmm_page *page)
{
	return (page->info & PMM_PG_BUDDY) != 0;
}

static inline bool pmm_page_is_alloc_head(const struct pmm_page *page)
{
	return (page->info & PMM_PG_ALLOC_HEAD) != 0;
}

static inline bool pmm_page_is_blank(const struct pmm_page *page)
{
	return (page->next | page->prev | page->info) == 0;
}

#endif /* PMM_PAGE_H */
