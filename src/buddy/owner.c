/* SPDX-License-Identifier: MIT */
/*
 * owner.c - allocation owner tags and the page_owner report (see
 * pmm/debug.h).
 *
 * The tag lives in the head descriptor of each allocated block (page.h:
 * next holds the low 32 bits, prev the high ones, PMM_PG_OWNER says it is
 * set), so owner tracking costs no memory; the buddy allocator stores it
 * in pmm_alloc_pages_tagged(). The report walks each zone block by block:
 * a head of order k skips 2^k pages.
 */
#include <pmm/buddy.h>
#include <pmm/debug.h>
#include <pmm/fmt.h>

#include "buddy_internal.h"

/* pmm_alloc_pages() tagged with its caller's return address (debug.h). */
__attribute__((noinline))
struct pmm_page *pmm_alloc_pages_owner(unsigned int gfp, pmm_order_t order)
{
	return pmm_alloc_pages_tagged(PMM_NUMA_NO_NODE, gfp, order, PMM_RET_IP,
				      NULL);
}

/* Return: the owner tag of the allocated head @page, or 0. Locking: none. */
uint64_t pmm_page_owner_tag(const struct pmm_page *page)
{
	if (page == NULL || (page->info & (PMM_PG_ALLOC_HEAD | PMM_PG_OWNER)) !=
				    (PMM_PG_ALLOC_HEAD | PMM_PG_OWNER))
		return 0;
	return (uint64_t)page->prev << 32 | page->next;
}

struct owner_totals {
	uint64_t blocks, pages, tagged;
};

/* Report the allocated blocks of @zone. Zone lock held. */
static void owner_zone_locked(const struct pmm_out *out,
			      const struct pmm_zone *zone,
			      struct owner_totals *t)
{
	pmm_pfn_t pfn = zone->start_pfn;
	PMM_ASSERT_LOCKED(&zone->lock);
	while (pfn < zone->end_pfn) {
		const struct pmm_page *pg = &pmm_mem_map[pfn];
		pmm_pfn_t step = 1;
		if (pg->info & (PMM_PG_ALLOC_HEAD | PMM_PG_BUDDY))
			step = pmm_order_pages(pmm_page_order(pg));
		if (pg->info & PMM_PG_ALLOC_HEAD) {
			uint64_t tag = pmm_page_owner_tag(pg);
			pmm_fmt(out, "Page allocated via order %u, tag 0x%llx\n"
				     "PFN 0x%llx Node %d Zone %s refcount %u\n\n",
				pmm_page_order(pg), (unsigned long long)tag,
				(unsigned long long)pfn, zone->node,
				pmm_zone_name(zone->type), pmm_page_refcount(pg));
			t->blocks++;
			t->pages += step;
			t->tagged += tag != 0;
		}
		pfn += step;
	}
}

/**
 * pmm_report_page_owner - list every allocated block with its owner tag.
 * @out: where the text goes
 *
 * Locking: each zone's lock while it is walked. Output is written under
 * the lock, so @out must not call back into the allocator.
 */
void pmm_report_page_owner(const struct pmm_out *out)
{
	struct owner_totals t = { 0, 0, 0 };
	struct pmm_zone *z;
	pmm_for_each_zone(z) {
		zone_lock(z);
		owner_zone_locked(out, z, &t);
		zone_unlock(z);
	}
	pmm_fmt(out, "page_owner: %llu blocks, %llu pages allocated, %llu tagged\n",
		(unsigned long long)t.blocks, (unsigned long long)t.pages,
		(unsigned long long)t.tagged);
}
