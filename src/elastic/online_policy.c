/* SPDX-License-Identifier: MIT */
/*
 * online_policy.c - which zone memory goes to when it comes online, as
 * Linux's memory hotplug chooses: online_kernel takes the zone the
 * address lies in, online_movable the node's Movable zone, and a plain
 * "online" asks the policy (pmm/elastic.h):
 *
 *   contig-zones  keep zones contiguous: a range that meets the span of
 *                 its kernel zone or of the Movable zone joins that one;
 *                 otherwise the kernel zone (Movable with movable_node),
 *                 or the other one when only that one can grow over it;
 *   auto-movable  Movable while the Movable memory, this range and the
 *                 CMA regions stay within a ratio of the kernel zones'
 *                 boot memory, over the whole machine and (unless told
 *                 otherwise) over the range's node; the kernel zone
 *                 after that.
 *
 * Zones may not overlap in pmm (each pfn has one zone in the zone table),
 * so a choice whose span would meet another zone fails the call with
 * PMM_EOVERLAP instead of interleaving as Linux's zones may.
 */
#include <pmm/contig.h>

#include "elastic_internal.h"

/* Ratios above this could overflow pages * ratio in 64 bits. */
#define RATIO_MAX 1000000u

static struct pmm_online_policy policy;

void hp_policy_reset(void)
{
	policy = (struct pmm_online_policy){ .kind = PMM_POLICY_CONTIG_ZONES };
}

/**
 * pmm_memory_policy_set - choose how a plain online picks its zone
 * (pmm/elastic.h). Return: 0 or PMM_EINVAL; nothing changes on error.
 */
int pmm_memory_policy_set(const struct pmm_online_policy *p)
{
	if (p == NULL) {
		hp_policy_reset();
		return 0;
	}
	if (p->kind != PMM_POLICY_CONTIG_ZONES && p->kind != PMM_POLICY_AUTO_MOVABLE) {
		pmm_printk("pmm: online policy %u: contig-zones (%u) or auto-movable (%u)\n",
			   (unsigned int)p->kind, (unsigned int)PMM_POLICY_CONTIG_ZONES,
			   (unsigned int)PMM_POLICY_AUTO_MOVABLE);
		return PMM_EINVAL;
	}
	if (p->auto_movable_ratio > RATIO_MAX) {
		pmm_printk("pmm: online policy: auto_movable_ratio %u%% above %u%%\n",
			   p->auto_movable_ratio, RATIO_MAX);
		return PMM_EINVAL;
	}
	policy = *p;
	return 0;
}

void pmm_memory_policy_get(struct pmm_online_policy *p)
{
	*p = policy;
	if (p->auto_movable_ratio == 0)
		p->auto_movable_ratio = PMM_AUTO_MOVABLE_RATIO_DEFAULT;
}

const char *pmm_online_policy_name(enum pmm_online_policy_kind kind)
{
	return kind == PMM_POLICY_AUTO_MOVABLE ? "auto-movable" : "contig-zones";
}

int hp_addr_zone(pmm_pfn_t s, pmm_pfn_t e)
{
	for (int t = PMM_NR_ADDR_ZONES - 1; t >= 0; t--) {
		if (pmm_hp.bound[t] == pmm_hp.bound[t + 1] || s < pmm_hp.bound[t])
			continue;
		return e <= pmm_hp.bound[t + 1] ? t : -1;
	}
	return -1;
}

/*
 * Linux's contig-zones where zones may not overlap: the kernel zone
 * (Movable with movable_node), or the other one when only that one can
 * grow over the range. Linux's own test - join the zone whose span the
 * range meets - gives the same answer: a range inside one zone's span is
 * one the other zone cannot grow over.
 */
static int contig_zones_choice(int nid, int kernel, pmm_pfn_t s, pmm_pfn_t e)
{
	if (kernel < 0)
		return policy.movable_node ? PMM_ZONE_MOVABLE : kernel;
	int first = policy.movable_node ? PMM_ZONE_MOVABLE : kernel;
	int second = policy.movable_node ? kernel : PMM_ZONE_MOVABLE;
	if (!hp_zone_can_grow(nid, (unsigned int)first, s, e) &&
	    hp_zone_can_grow(nid, (unsigned int)second, s, e))
		return second;
	return first;
}

/* Pages of the CMA regions in node @nid (all nodes for -1). */
static uint64_t cma_pages(int nid)
{
	uint64_t pages = 0;
	for (unsigned int id = 0; id < pmm_cma_count(); id++) {
		struct pmm_cma_info info;
		const struct pmm_zone *z;
		if (pmm_cma_info((int)id, &info) == 0 &&
		    (z = pmm_pfn_zone(info.base)) != NULL &&
		    (nid < 0 || z->node == nid))
			pages += info.count;
	}
	return pages;
}

/* Return: true when node @n counts for @nid (every online node for -1). */
static bool node_counts(int n, int nid)
{
	return (nid < 0 || n == nid) && pmm_nodes[n].online;
}

/* Boot memory of node @nid's kernel zones (every node's for -1) online now. */
static uint64_t kernel_early_pages(int nid)
{
	uint64_t pages = 0;
	for (int n = 0; n < PMM_MAX_NUMNODES; n++) {
		if (!node_counts(n, nid))
			continue;
		for (int t = 0; t < PMM_NR_ADDR_ZONES; t++)
			pages += pmm_hp.base_present[n][t];
	}
	for (unsigned int i = 0; i < pmm_hp.nr; i++) {
		struct hp_block b = pmm_hp.block[i];
		if (b.state == PMM_BLOCK_ONLINE && (nid < 0 || b.nid == nid) &&
		    (b.flags & (HP_HOT | HP_COUNTED)) == HP_COUNTED &&
		    b.zone < PMM_NR_ADDR_ZONES)
			pages += hp_block_pages();
	}
	return pages;
}

/*
 * Return: true when @pages more Movable memory keeps node @nid (every
 * node for -1) within the ratio: movable + CMA + @pages <= ratio % of
 * (kernel boot memory - CMA).
 */
static bool movable_fits(int nid, uint64_t pages)
{
	uint64_t early = kernel_early_pages(nid), movable = pages;
	for (int n = 0; n < PMM_MAX_NUMNODES; n++) {
		const struct pmm_zone *m = &pmm_nodes[n].zones[PMM_ZONE_MOVABLE];
		if (node_counts(n, nid) && m->initialized)
			movable += m->present;
	}
	uint64_t cma = cma_pages(nid);
	early = early > cma ? early - cma : 0;
	movable += cma;
	uint64_t ratio = policy.auto_movable_ratio ? policy.auto_movable_ratio
						   : PMM_AUTO_MOVABLE_RATIO_DEFAULT;
	return movable <= ratio * early / 100;
}

static int auto_movable_choice(int nid, int kernel, pmm_pfn_t s, pmm_pfn_t e)
{
	if (movable_fits(-1, e - s) &&
	    (policy.numa_unaware || movable_fits(nid, e - s)))
		return PMM_ZONE_MOVABLE;
	return kernel;
}

int hp_zone_for(int nid, pmm_pfn_t s, pmm_pfn_t e, enum pmm_online_type type)
{
	int kernel = hp_addr_zone(s, e);
	if (type == PMM_ONLINE_KERNEL)
		return kernel;
	if (type == PMM_ONLINE_MOVABLE)
		return PMM_ZONE_MOVABLE;
	if (policy.kind == PMM_POLICY_AUTO_MOVABLE)
		return auto_movable_choice(nid, kernel, s, e);
	return contig_zones_choice(nid, kernel, s, e);
}

bool hp_online_type_valid(enum pmm_online_type type)
{
	return type == PMM_ONLINE_DEFAULT || type == PMM_ONLINE_KERNEL ||
	       type == PMM_ONLINE_MOVABLE;
}
