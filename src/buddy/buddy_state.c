/* SPDX-License-Identifier: MIT */
/*
 * buddy_state.c - the buddy layer's global settings as a whole, and its
 * free-page total.
 *
 * Everything a zone owns lives in struct pmm_zone and goes with
 * pmm_zones_reset() (zone.c). What outlives the zones is each file's own
 * switch - grouping by mobility (buddy_mobility.c), the lazy buddy
 * (buddy_lazy.c), the deferred hand-off (buddy_deferred.c), an explicit per-CPU high/batch (pcp.c) - each with its
 * own reset; pmm_buddy_reset_settings() calls them for whoever resets the
 * allocator (the boot sequence, test and benchmark set-ups).
 */
#include "buddy_internal.h"

/**
 * pmm_buddy_reset_settings - the settings a fresh boot starts with:
 * grouping by mobility on, lazy buddy off, deferred hand-off off, per-CPU lists at their defaults
 * for zones set up from now on.
 * Locking: none; no allocation may run (call before or after
 * pmm_zones_reset(): zones that exist keep what they copied).
 */
void pmm_buddy_reset_settings(void)
{
	pmm_buddy_grouping_reset();
	pmm_buddy_lazy_reset();
	pmm_buddy_deferred_reset();
	pmm_pcp_reset_settings();
	pmm_cma_reset();
}

/**
 * pmm_nr_free_pages - free pages of every zone, per-CPU lists included.
 * Return: the total. Locking: none; a snapshot that concurrent
 * allocations may tear.
 */
uint64_t pmm_nr_free_pages(void)
{
	uint64_t n = 0;
	struct pmm_zone *z;
	pmm_for_each_zone(z) {
		n += pmm_zone_free_hint(z);
		for (unsigned int cpu = 0; cpu < PMM_NR_CPUS; cpu++)
			n += z->pcp[cpu].count;
	}
	return n;
}
