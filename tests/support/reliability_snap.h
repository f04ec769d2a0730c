/* SPDX-License-Identifier: MIT */
/*
 * reliability_snap.h - byte-exact snapshots of the buddy allocator's state
 * (descriptor array, nodes 0..REL_SNAP_NODES-1 with their zones, free lists,
 * counters and per-CPU lists, and every zone's pair bitmaps), to prove that
 * a call which failed changed nothing.
 *
 *   struct rel_snap s = { 0 };
 *   rel_snap_take(&s);
 *   ... a call that must fail ...
 *   assert(rel_snap_same(&s) == NULL);
 *   rel_snap_release(&s);
 */
#ifndef PMM_TESTS_RELIABILITY_SNAP_H
#define PMM_TESTS_RELIABILITY_SNAP_H

#include <pmm/zone.h>

#define REL_SNAP_NODES 2

struct rel_snap {
	struct pmm_page *map;  /* copy of pmm_mem_map[0, map_n) */
	size_t map_n;
	size_t map_cap;
	struct pmm_node nodes[REL_SNAP_NODES];
	uint64_t *bitmap[REL_SNAP_NODES][PMM_NR_ZONES];
	size_t bitmap_bytes[REL_SNAP_NODES][PMM_NR_ZONES];
};

/* Record the current state in @s (buffers reused across calls). */
void rel_snap_take(struct rel_snap *s);
/* Return: NULL if the state equals @s, else what differs (static text). */
const char *rel_snap_same(const struct rel_snap *s);
/*
 * The same pages in the same states and the same zone counts and spans,
 * the free lists possibly reordered (a block allocated and freed again,
 * as after a failed offline or CMA run) and PMM_DEBUG=3's operation counts
 * moved. Return: NULL, or what differs.
 */
const char *rel_snap_same_but_order(const struct rel_snap *s);
/* Free @s's buffers. */
void rel_snap_release(struct rel_snap *s);

#endif /* PMM_TESTS_RELIABILITY_SNAP_H */
