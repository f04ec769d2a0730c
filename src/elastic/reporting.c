/* SPDX-License-Identifier: MIT */
/*
 * reporting.c - free page reporting (pmm/elastic.h): free blocks of at
 * least a minimum order are offered to the hypervisor in batches through
 * the platform's report_free hook, as Linux's page_reporting does for
 * virtio-balloon. A block it takes is marked PMM_PG_REPORTED and moved to
 * the tail of its list; the buddy layer reclaims it before any use
 * (src/buddy/buddy_marks.c), so a reported block is only ever on a free
 * list.
 *
 * Data: reads the zones' free lists and marks (pmm/zone.h); writes marks
 * through pmm_buddy_mark_locked(). Locking: one zone lock at a time,
 * held across the hook.
 */
#include <pmm/debug.h>
#include <pmm/elastic.h>

#include "../buddy/buddy_internal.h"

_Static_assert(PMM_REPORT_ORDER_DEFAULT == PMM_PAGEBLOCK_ORDER,
	       "Linux reports pageblocks by default");
_Static_assert(PMM_REPORT_ORDER_MIN > PMM_PCP_MAX_ORDER,
	       "a reported block never fits a per-CPU list");

/* Walk at most this many heads per block reported (reported ones are skipped). */
#define REPORT_WALK_FACTOR 4

/* The settings (pmm_report_set()); written while nothing reports. */
static pmm_order_t report_order = PMM_REPORT_ORDER_DEFAULT;
static unsigned int report_batch = PMM_REPORT_BATCH_MAX;

/* One batch being gathered for report_free. */
struct report_batch {
	pmm_pfn_t pfn[PMM_REPORT_BATCH_MAX];
	pmm_order_t order[PMM_REPORT_BATCH_MAX];
	unsigned int mt[PMM_REPORT_BATCH_MAX];
	unsigned int n;
};

int pmm_report_set(pmm_order_t order, unsigned int batch)
{
	if (order < PMM_REPORT_ORDER_MIN || order > PMM_MAX_ORDER)
		return PMM_EORDER;
	if (batch == 0 || batch > PMM_REPORT_BATCH_MAX)
		return PMM_EINVAL;
	report_order = order;
	report_batch = batch;
	return 0;
}

void pmm_report_reset(void)
{
	report_order = PMM_REPORT_ORDER_DEFAULT;
	report_batch = PMM_REPORT_BATCH_MAX;
}

/* Return: free pages of @zone in blocks of the reporting order or above
 * that are not reported yet. Zone lock held. */
static uint64_t unreported_pages_locked(const struct pmm_zone *zone)
{
	uint64_t pages = 0, reported = 0;
	for (pmm_order_t k = report_order; k <= PMM_MAX_ORDER; k++) {
		pages += zone->free_area[k].nr_free << k;
		reported += (uint64_t)zone->marks.reported_nr[k] << k;
	}
	return pages - reported;
}

/* Offer the gathered batch; mark what the hypervisor took. Return: blocks
 * reported. Zone lock held. */
static unsigned int report_batch_locked(struct pmm_zone *zone,
					struct report_batch *b)
{
	const struct pmm_platform *p = pmm_platform_get();
	unsigned int n = b->n;
	b->n = 0;
	if (n == 0 || p->report_free(p->ctx, b->pfn, b->order, n) != 0)
		return 0;
	for (unsigned int i = 0; i < n; i++) {
		pmm_buddy_unmark_locked(zone, b->pfn[i], b->order[i]);
		pmm_buddy_mark_locked(zone, b->pfn[i], b->order[i], b->mt[i],
				      PMM_PG_REPORTED);
	}
	return n;
}

/* Return: true if free head info @info of order @k may be reported: a
 * plain or known-zero head (not lazy, not reported). */
static bool reportable(uint32_t info, pmm_order_t k)
{
	return info == (PMM_PG_BUDDY | k) ||
	       info == (PMM_PG_BUDDY | PMM_PG_ZERO | k);
}

/*
 * Gather and report the unreported heads of list (@k, @mt), walking at
 * most *@walk heads and reporting at most *@left blocks (both drop).
 * Return: blocks reported. Zone lock held.
 */
static unsigned int report_list_locked(struct pmm_zone *zone, pmm_order_t k,
				       unsigned int mt, unsigned int *left,
				       uint64_t *walk)
{
	struct report_batch b;
	unsigned int done = 0;
	uint32_t cur = zone->free_area[k].head[mt];
	b.n = 0;
	while (cur != 0 && *left > b.n && *walk != 0) {
		pmm_pfn_t pfn = (pmm_pfn_t)cur - 1;
		cur = pmm_mem_map[pfn].next;
		(*walk)--;
		if (!reportable(pmm_mem_map[pfn].info, k))
			continue;
		b.pfn[b.n] = pfn;
		b.order[b.n] = k;
		b.mt[b.n] = mt;
		if (++b.n < report_batch && b.n < *left)
			continue;
		unsigned int got = report_batch_locked(zone, &b);
		done += got;
		*left -= got;
		if (got == 0)
			return done; /* the hypervisor declined: try later */
	}
	unsigned int got = report_batch_locked(zone, &b);
	*left -= got;
	return done + got;
}

/* One zone's pass: largest orders first. Return: blocks reported. */
static unsigned int report_zone(struct pmm_zone *zone, unsigned int budget)
{
	unsigned int left = budget, done = 0;
	uint64_t walk = (uint64_t)budget * REPORT_WALK_FACTOR;
	zone_lock(zone);
	if (unreported_pages_locked(zone) >= (uint64_t)report_batch << report_order) {
		for (int k = PMM_MAX_ORDER; k >= (int)report_order && left != 0; k--)
			for (unsigned int mt = 0; mt < PMM_MT_LISTS && left != 0; mt++)
				if (mt != PMM_MT_ISOLATE)
					done += report_list_locked(zone, (pmm_order_t)k,
								   mt, &left, &walk);
	}
	zone_unlock(zone);
	return done;
}

/**
 * pmm_report_free_pages - one reporting pass over every zone (see
 * pmm/elastic.h).
 * Return: blocks reported, or PMM_EINVAL / PMM_ESTATE (nothing changes).
 * Locking: each zone's lock in turn, held across report_free.
 */
int pmm_report_free_pages(unsigned int budget)
{
	if (budget == 0 || budget > (unsigned int)INT32_MAX)
		return PMM_EINVAL;
	if (pmm_platform_get()->report_free == NULL || pmm_debug_poison_on())
		return PMM_ESTATE;
	pmm_buddy_deferred_finish(); /* the passes walk the lists in place */
	unsigned int done = 0;
	for (int n = 0; n < PMM_MAX_NUMNODES; n++) {
		if (!pmm_nodes[n].online)
			continue;
		for (int t = 0; t < PMM_NR_ZONES && done < budget; t++) {
			struct pmm_zone *zone = &pmm_nodes[n].zones[t];
			if (zone->managed != 0)
				done += report_zone(zone, budget - done);
		}
	}
	return (int)done;
}

void pmm_report_stats(struct pmm_report_stats *st)
{
	pmm_memset(st, 0, sizeof(*st));
	for (int n = 0; n < PMM_MAX_NUMNODES; n++) {
		for (int t = 0; t < PMM_NR_ZONES && pmm_nodes[n].online; t++) {
			struct pmm_zone *zone = &pmm_nodes[n].zones[t];
			if (zone->managed == 0)
				continue;
			zone_lock(zone);
			st->reported_pages += zone->marks.reported_pages;
			st->reclaimed_pages += zone->marks.reclaimed_pages;
			st->zero_pages += zone->marks.zero_pages;
			for (pmm_order_t k = 0; k <= PMM_MAX_ORDER; k++)
				st->reported_blocks += zone->marks.reported_nr[k];
			zone_unlock(zone);
		}
	}
}
