/* SPDX-License-Identifier: MIT */
/*
 * walk.h - a zone's pages as runs of one state (walk.c), for the
 * laboratory's metrics and pictures.
 */
#ifndef PMM_SIM_WALK_H
#define PMM_SIM_WALK_H

#include <pmm/zone.h>

enum sim_page_state {
	SIM_PAGE_FREE,      /* in a free block on a zone's lists */
	SIM_PAGE_PCP,       /* in a free block on a per-CPU list */
	SIM_PAGE_ALLOC,     /* in an allocated block */
	SIM_PAGE_RESERVED,  /* in no block: reserved or a hole */
};

/* [pfn, pfn + pages): one block, or a stretch of reserved pages. */
struct sim_run {
	pmm_pfn_t pfn;
	pmm_pfn_t pages;
	enum sim_page_state state;
	unsigned int order;   /* the block's order (0 for reserved) */
	unsigned int mt;      /* allocated: the lab's tag's type; PMM_MT_TYPES unknown */
};

typedef void (*sim_walk_fn)(void *ctx, const struct sim_run *run);

/* Call @fn for each run of @z, in pfn order. Locking: allocator quiet. */
void sim_walk_zone(const struct pmm_zone *z, sim_walk_fn fn, void *ctx);

#endif /* PMM_SIM_WALK_H */
