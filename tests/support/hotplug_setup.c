/* SPDX-License-Identifier: MIT */
/*
 * hotplug_setup.c - the memory hotplug tests' machine (hotplug_setup.h)
 * and their migrate hook: the model knows which order-0 pages an owner
 * holds; moving one takes a new page and frees the old one.
 */
#include <pmm/buddy.h>

#include "buddy_setup.h"
#include "hotplug_setup.h"

#define MAX_OWNED 4096u

static pmm_pfn_t owned[MAX_OWNED];
static unsigned int nowned, moves;
static bool refuse;

int hotplug_setup(void)
{
	return hotplug_setup_memmap(false, false);
}

const pmm_pfn_t hotplug_bound[PMM_NR_ADDR_ZONES + 1] = {
	0, HP_BLOCK, HP_BLOCK, (pmm_pfn_t)UINT64_MAX, (pmm_pfn_t)UINT64_MAX
};

int hotplug_setup_machine(const struct hotplug_machine *m)
{
	int err = buddy_setup(&(struct buddy_setup_opts){
		.max_pfn = m->max_pfn, .zones = m->zones, .nr_zones = m->nr_zones,
		.handoff = true, .virtual_memmap = m->virtual_memmap });
	if (err != 0)
		return err;
	hotplug_owner_reset();
	return pmm_hotplug_init(&(struct pmm_hotplug_config){
		.block_bytes = HP_BYTES(HP_BLOCK), .zone_bound = m->bound,
		.memmap_on_memory = m->on_memory });
}

int hotplug_setup_memmap(bool virtual_memmap, bool on_memory)
{
	static const struct buddy_zone_spec z[] = {
		{ 0, PMM_ZONE_NORMAL, HP_BLOCK, 4 * HP_BLOCK },
	};
	return hotplug_setup_machine(&(struct hotplug_machine){
		.zones = z, .nr_zones = 1, .max_pfn = HP_MAX_PFN,
		.bound = hotplug_bound, .virtual_memmap = virtual_memmap,
		.on_memory = on_memory });
}

void hotplug_teardown(void)
{
	pmm_hotplug_reset();
	buddy_teardown();
}

void hotplug_owner_reset(void)
{
	nowned = moves = 0;
	refuse = false;
}

pmm_pfn_t hotplug_owner_alloc(unsigned int gfp)
{
	struct pmm_page *pg = pmm_alloc_pages(gfp, 0);
	if (pg == NULL || nowned == MAX_OWNED)
		return 0;
	owned[nowned++] = pmm_page_to_pfn(pg);
	return owned[nowned - 1];
}

void hotplug_owner_free_all(void)
{
	for (unsigned int i = 0; i < nowned; i++)
		pmm_free_pages(pmm_pfn_to_page(owned[i]), 0);
	nowned = 0;
}

static int owner_migrate(void *ctx, pmm_pfn_t pfn, pmm_order_t order)
{
	(void)ctx;
	for (unsigned int i = 0; i < nowned && !refuse; i++) {
		if (owned[i] != pfn || order != 0)
			continue;
		struct pmm_page *n = pmm_alloc_pages(PMM_GFP_USER_MOVABLE, 0);
		if (n == NULL)
			return -1;
		owned[i] = pmm_page_to_pfn(n);
		moves++;
		return pmm_free_pages(pmm_pfn_to_page(pfn), 0);
	}
	return -1;
}

void hotplug_hook(bool on, bool refuse_all)
{
	struct pmm_platform p = *pmm_platform_get();
	p.migrate = on ? owner_migrate : NULL;
	refuse = refuse_all;
	pmm_platform_set(&p);
}

unsigned int hotplug_moves(void)
{
	return moves;
}

unsigned int hotplug_owner_count(void)
{
	return nowned;
}

pmm_pfn_t hotplug_owner_pfn(unsigned int i)
{
	return owned[i];
}
