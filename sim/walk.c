/* SPDX-License-Identifier: MIT */
/*
 * walk.c - walk a zone's pages as runs of one state, from the public
 * descriptors (pmm/page.h): a free head, a per-CPU list head or an
 * allocated head covers its whole block; any other page outside a block
 * is reserved (or a hole). Blocks are naturally aligned and never cross a
 * zone, so walking from the zone's first pfn meets every head first.
 * The metrics and the picture are both built from these runs. A deferred
 * hand-off's waiting blocks have no descriptors yet: they are written first.
 * Locking: the allocator must be quiet (the laboratory is one thread).
 */
#include <pmm/buddy.h>

#include "walk.h"

static void walk_run(pmm_pfn_t pfn, const struct pmm_page *d, struct sim_run *r)
{
	uint32_t info = d->info;
	r->pfn = pfn;
	r->order = pmm_page_order(d);
	r->pages = (pmm_pfn_t)1 << r->order;
	r->mt = PMM_MT_TYPES;
	if (info & PMM_PG_BUDDY) {
		r->state = SIM_PAGE_FREE;
	} else if (info & PMM_PG_PCP) {
		r->state = SIM_PAGE_PCP;
	} else if (info & PMM_PG_ALLOC_HEAD) {
		r->state = SIM_PAGE_ALLOC;
		uint32_t tag = (info & PMM_PG_OWNER) ? d->next & 0xff : 0;
		if (tag >= 1 && tag <= PMM_MT_TYPES)
			r->mt = tag - 1;
	} else {
		r->state = SIM_PAGE_RESERVED;
		r->order = 0;
		r->pages = 1;
	}
}

void sim_walk_zone(const struct pmm_zone *z, sim_walk_fn fn, void *ctx)
{
	struct sim_run run = { 0 };
	pmm_pfn_t end = z->end_pfn < pmm_max_pfn ? z->end_pfn : pmm_max_pfn;
	pmm_buddy_deferred_finish();
	for (pmm_pfn_t pfn = z->start_pfn; pfn < end;) {
		walk_run(pfn, pmm_pfn_to_page(pfn), &run);
		if (run.state == SIM_PAGE_RESERVED) {
			/* merge a stretch of reserved pages into one run */
			pmm_pfn_t e = pfn + 1;
			while (e < end && pmm_page_is_blank(pmm_pfn_to_page(e)))
				e++;
			run.pages = e - pfn;
		}
		if (pfn + run.pages > end)
			run.pages = end - pfn;
		fn(ctx, &run);
		pfn += run.pages;
	}
}
