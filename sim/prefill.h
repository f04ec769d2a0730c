/* SPDX-License-Identifier: MIT */
/*
 * prefill.h - allocate what a trace frees before it allocates it, ahead
 * of a replay (prefill.c).
 */
#ifndef PMM_SIM_PREFILL_H
#define PMM_SIM_PREFILL_H

#include <stddef.h>

#include <pmm/buddy.h>

#include "blockmap.h"

struct sim_prefill_stats {
	uint64_t blocks, pages;   /* entered in the map */
	uint64_t failed;          /* of them, pmm could not allocate */
};

/*
 * Scan the trace text [@buf, @buf + @len) and allocate in pmm each block
 * it frees before allocating it, entering it in @map under its trace pfn.
 * Return: 0, or -1 (no memory for the scan; nothing allocated).
 */
int sim_replay_prefill(const char *buf, size_t len, struct block_map *map,
		       struct sim_prefill_stats *ps);

#endif /* PMM_SIM_PREFILL_H */
