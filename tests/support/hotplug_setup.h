/* SPDX-License-Identifier: MIT */
/*
 * hotplug_setup.h - the machine the memory hotplug tests share, and a
 * migrate hook over a model of movable pages' owners (the CMA tests use
 * the owner model too).
 *
 *   pfn 0      1024                  4096                        8192
 *       |absent|   Normal, node 0     |  hotplug room (absent)    |
 *   blocks of 1024 pages (4 MiB): 0 | 1 2 3 (boot, online) | 4 5 6 7
 *   zone bounds: DMA [0, 1024), Normal [1024, top); per-CPU lists off.
 */
#ifndef PMM_TESTS_HOTPLUG_SETUP_H
#define PMM_TESTS_HOTPLUG_SETUP_H

#include <pmm/elastic.h>

#include "buddy_setup.h"

#define HP_BLOCK 1024u                 /* pages per block */
#define HP_MAX_PFN (8u * HP_BLOCK)
#define HP_BYTES(pfn) ((pmm_phys_t)(pfn) << PMM_PAGE_SHIFT)

/* The machine's zone bounds: DMA below pfn 1024, Normal above. */
extern const pmm_pfn_t hotplug_bound[PMM_NR_ADDR_ZONES + 1];

/* Another machine for the hotplug tests: these zones, handed off, with
 * descriptors to max_pfn, 4 MiB blocks, @bound (NULL: pmm's default). */
struct hotplug_machine {
	const struct buddy_zone_spec *zones;
	unsigned int nr_zones;
	pmm_pfn_t max_pfn;
	const pmm_pfn_t *bound;
	bool virtual_memmap; /* the host's virtual memmap */
	bool on_memory;      /* memmap_on_memory */
};
/* Build it and start hotplug (the owner model reset). Return: 0 or an error. */
int hotplug_setup_machine(const struct hotplug_machine *m);

/* Build the machine and start hotplug. Return: 0 or an error. */
int hotplug_setup(void);
/* The same with the host's virtual memmap (added blocks' descriptors
 * backed as they come) and, with @on_memory, held in the blocks. */
int hotplug_setup_memmap(bool virtual_memmap, bool on_memory);
/* Tear it down (hotplug state too). */
void hotplug_teardown(void);

/* Forget every owner page (not freed), the move count and a refusal. */
void hotplug_owner_reset(void);
/* Allocate an order-0 page the hook may move (a model owner). Return: pfn or 0. */
pmm_pfn_t hotplug_owner_alloc(unsigned int gfp);
/* Free owner page @i. */
void hotplug_owner_free_all(void);
/* Install (or remove) the migrate hook; @refuse makes it refuse every move. */
void hotplug_hook(bool on, bool refuse);
/* Moves the hook made since the set-up. */
unsigned int hotplug_moves(void);
/* Pages the owner holds, and where page @i lives now. */
unsigned int hotplug_owner_count(void);
pmm_pfn_t hotplug_owner_pfn(unsigned int i);

#endif /* PMM_TESTS_HOTPLUG_SETUP_H */
