/* SPDX-License-Identifier: MIT */
/*
 * pcp.c - per-CPU lists of free blocks of orders 0..PMM_PCP_MAX_ORDER.
 *
 * Each zone keeps, per CPU, one short LIFO list per migratetype and low
 * order (as Linux's per-CPU pages), linked singly through the head
 * descriptors' next field (pfn + 1, 0 = end) and marked PMM_PG_PCP with
 * the order. An allocation of such an order pops
 * this CPU's list without a lock and, when the list is empty, refills it
 * under the zone lock with batch >> order blocks (at least one); a free
 * pushes onto it and, once the lists together hold more pages than the
 * high mark, hands at least a batch of pages back to the buddy lists under
 * the zone lock, one block per list in turn, so that no list hoards pages
 * that could coalesce. A refill takes blocks of the list's type (falling
 * back as the buddy does); a free pushes on the list of the block's
 * pageblock type, and a drain puts each block on the buddy list of its
 * pageblock's type at that time. Pages on these lists count as managed but
 * not in zone->free_pages.
 *
 * Defaults (Linux's zone_batchsize() and the old high = 6 * batch rule):
 * batch = managed / 4096 pages (at most 1 MiB worth / 4), then b + b/2
 * rounded down to a power of two, minus one, clamped to [1, 63]; high =
 * 6 * batch. A zone of 4 GiB gets batch 63, high 378; 64 MiB gets 3, 18.
 * pmm_pcp_set_high_batch() overrides the defaults for every zone (also
 * zones set up later) until pmm_buddy_reset_settings(); 0 disables the
 * lists. The lists themselves are zone state (struct pmm_zone).
 *
 * Locking: a list is touched only by its own CPU (the platform guarantees
 * cpu_id() is stable during a call), except by pmm_pcp_drain_cpu() and
 * pmm_pcp_drain_all(), which the caller runs while that CPU is quiet.
 */
#include "buddy_internal.h"

#define PCP_BATCH_MAX 63u
#define PCP_HIGH_FACTOR 6u

static struct {
	bool set; /* explicit setting in force */
	uint32_t high;
	uint32_t batch;
} pcp_setting;

void pmm_pcp_reset_settings(void)
{
	pcp_setting.set = false;
	pcp_setting.high = 0;
	pcp_setting.batch = 0;
}

static uint32_t round_down_pow2(uint64_t n)
{
	uint32_t p = 1;
	while ((uint64_t)p * 2 <= n)
		p *= 2;
	return p;
}

static uint32_t default_batch(uint64_t managed)
{
	uint64_t b = managed >> 10;
	uint64_t cap = ((uint64_t)1 << 20) >> PMM_PAGE_SHIFT; /* 1 MiB */
	if (b > cap)
		b = cap;
	b >>= 2;
	if (b == 0)
		return 1;
	uint32_t r = round_down_pow2(b + (b >> 1)) - 1;
	if (r == 0)
		r = 1;
	return r < PCP_BATCH_MAX ? r : PCP_BATCH_MAX;
}

/* Give every CPU's list set of @zone @high and @batch. */
static void zone_set_pcp(struct pmm_zone *zone, uint32_t high, uint32_t batch)
{
	for (unsigned int cpu = 0; cpu < PMM_NR_CPUS; cpu++) {
		zone->pcp[cpu].high = high;
		zone->pcp[cpu].batch = batch;
	}
}

/* Per-CPU lists of a new zone: empty, at the defaults (or the setting). */
void pmm_pcp_init_zone(struct pmm_zone *zone)
{
	pmm_memset(zone->pcp, 0, sizeof(zone->pcp));
	pmm_pcp_update_zone(zone);
}

/* The explicit setting, else the defaults for @zone's managed count. */
void pmm_pcp_update_zone(struct pmm_zone *zone)
{
	if (pcp_setting.set) {
		zone_set_pcp(zone, pcp_setting.high, pcp_setting.batch);
		return;
	}
	uint32_t batch = default_batch(zone->managed);
	zone_set_pcp(zone, PCP_HIGH_FACTOR * batch, batch);
}

/* Return: a bit per list of @pcp (type * PMM_PCP_NR_ORDERS + order) that holds a block. */
static uint32_t pcp_nonempty_lists(const struct pmm_pcp *pcp)
{
	uint32_t mask = 0;
	for (unsigned int mt = 0; mt < PMM_MT_TYPES; mt++)
		for (pmm_order_t k = 0; k < PMM_PCP_NR_ORDERS; k++)
			if (pcp->head[mt][k] != 0)
				mask |= 1u << (mt * PMM_PCP_NR_ORDERS + k);
	return mask;
}

/* Return: the first list of @mask (not 0) at or after @i, cyclically. */
static uint32_t pcp_next_list(uint32_t mask, uint32_t i)
{
	uint32_t ahead = mask & ~((1u << i) - 1);
	return (uint32_t)__builtin_ctz(ahead != 0 ? ahead : mask);
}

/*
 * Give at least @pages pages of @pcp back to @zone's buddy lists (fewer if
 * the lists run dry), one block from each non-empty list in turn, starting
 * where the last drain stopped. Zone lock held.
 */
static void pcp_drain_locked(struct pmm_zone *zone, struct pmm_pcp *pcp,
			     uint32_t pages)
{
	uint32_t i = pcp->drain_list;
	uint32_t done = 0;
	uint32_t mask = pcp_nonempty_lists(pcp);
	PMM_ASSERT_LOCKED(&zone->lock);
	while (done < pages && mask != 0) {
		i = pcp_next_list(mask, i);
		unsigned int mt = i / PMM_PCP_NR_ORDERS;
		pmm_order_t k = i % PMM_PCP_NR_ORDERS;
		pmm_pfn_t pfn = pmm_pcp_pop(pcp, mt, k);
		if (pcp->head[mt][k] == 0)
			mask &= ~(1u << i);
		pmm_page_clear(&pmm_mem_map[pfn]);
		pmm_buddy_put_locked(zone, pfn, k);
		done += 1u << k;
		i = i + 1 < PMM_PCP_NR_LISTS ? i + 1 : 0;
	}
	pcp->drain_list = i;
}

/*
 * Fill the empty list (@mt, @order) of @pcp with up to batch >> @order
 * blocks while free_pages stays at or above @need. Takes the zone lock.
 */
static void pcp_refill(struct pmm_zone *zone, struct pmm_pcp *pcp,
		       pmm_order_t order, unsigned int mt, uint64_t need)
{
	uint32_t n = pcp->batch >> order;
	if (n == 0)
		n = 1;
	zone_lock(zone);
	for (uint32_t i = 0; i < n; i++) {
		pmm_pfn_t p;
		if (zone->free_pages < need ||
		    !pmm_buddy_take_locked(zone, order, mt, &p))
			break;
		pmm_pcp_push(pcp, mt, order, p);
	}
	zone_unlock(zone);
}

/* See buddy_internal.h. Locking: none, but the zone lock for a refill. */
bool pmm_pcp_alloc(struct pmm_zone *zone, uint64_t min, pmm_order_t order,
		   unsigned int mt, pmm_pfn_t *pfn)
{
	struct pmm_pcp *pcp = &zone->pcp[pmm_platform_cpu()];
	uint64_t need = min + pmm_order_pages(order);
	/* Unlocked read of free_pages: a hint, as in zone_try(). */
	if (pmm_zone_free_hint(zone) + pcp->count < need)
		return false;
	if (pcp->head[mt][order] == 0) {
		pcp_refill(zone, pcp, order, mt, need);
		if (pcp->head[mt][order] == 0)
			return false;
	}
	*pfn = pmm_pcp_pop(pcp, mt, order);
	return true;
}

/* A batch of @pcp back to @zone (the high mark passed); takes the zone lock. */
void pmm_pcp_drain_batch(struct pmm_zone *zone, struct pmm_pcp *pcp)
{
	zone_lock(zone);
	pcp_drain_locked(zone, pcp, pcp->batch);
	zone_unlock(zone);
}

/* Drain every zone's lists of @cpu; Return: true if any page moved. */
static bool pcp_drain_cpu(unsigned int cpu)
{
	bool moved = false;
	struct pmm_zone *z;
	pmm_for_each_zone(z) {
		struct pmm_pcp *pcp = &z->pcp[cpu];
		if (pcp->count == 0)
			continue;
		zone_lock(z);
		pcp_drain_locked(z, pcp, UINT32_MAX);
		zone_unlock(z);
		moved = true;
	}
	return moved;
}

/**
 * pmm_pcp_drain_cpu - give every page on @cpu's lists back to the zones.
 * Locking: each zone's lock; @cpu must not allocate or free meanwhile.
 */
void pmm_pcp_drain_cpu(unsigned int cpu)
{
	if (cpu < PMM_NR_CPUS)
		pcp_drain_cpu(cpu);
}

/* Every list of this CPU back to the zones. Return: true if a page moved. */
bool pmm_pcp_drain_local(void)
{
	return pcp_drain_cpu(pmm_platform_cpu());
}

/* pmm_pcp_drain_cpu() for every CPU; each must be quiet meanwhile. */
void pmm_pcp_drain_all(void)
{
	for (unsigned int cpu = 0; cpu < PMM_NR_CPUS; cpu++)
		pmm_pcp_drain_cpu(cpu);
}

/**
 * pmm_pcp_set_high_batch - set every zone's per-CPU high mark and batch.
 *
 * @high 0 (or @batch 0) disables the lists: all are drained and order-0
 * requests go to the buddy lists directly. Zones set up later get the same.
 * Return: 0 or PMM_EINVAL (@batch > @high).
 * Locking: while every CPU is quiet (the lists are drained).
 */
int pmm_pcp_set_high_batch(uint32_t high, uint32_t batch)
{
	struct pmm_zone *z;
	if (high == 0 || batch == 0)
		high = batch = 0;
	if (batch > high)
		return PMM_EINVAL;
	pcp_setting.set = true;
	pcp_setting.high = high;
	pcp_setting.batch = batch;
	pmm_pcp_drain_all();
	pmm_for_each_zone(z)
		zone_set_pcp(z, high, batch);
	return 0;
}
