/* SPDX-License-Identifier: MIT */
/*
 * blockmap.h - the replay's map from a traced block's head pfn to the pmm
 * block that stands for it (blockmap.c): open addressing, linear probing,
 * Fibonacci hashing, deletion by shifting back (no tombstones).
 */
#ifndef PMM_SIM_BLOCKMAP_H
#define PMM_SIM_BLOCKMAP_H

#include <pmm/types.h>

/* One live traced block: trace pfn -> pmm pfn. key 0: empty slot. */
struct map_slot {
	uint64_t key;        /* trace pfn + 1 */
	pmm_pfn_t pfn;       /* pmm's block head, 0: pmm failed it */
	uint32_t freed;      /* pages of it freed so far */
	uint8_t order, mt;
};

struct block_map {
	struct map_slot *slot;
	uint64_t mask, n;
	unsigned int shift;  /* 64 - log2(slots): Fibonacci hashing's top bits */
};

/* Set @m up empty with @cap slots (a power of two). Return: 0 or -1. */
int sim_map_init(struct block_map *m, uint64_t cap);
/* Return: the slot of head @pfn, or NULL. */
struct map_slot *sim_map_find(struct block_map *m, uint64_t pfn);
/* Return: a new zeroed slot for @pfn (not already in), or NULL (no memory). */
struct map_slot *sim_map_insert(struct block_map *m, uint64_t pfn);
/* Remove the slot @s (from sim_map_find or _insert). */
void sim_map_remove(struct block_map *m, struct map_slot *s);
/* Return: the slot of the block holding @pfn (its head or up to 2^10 below), or NULL. */
struct map_slot *sim_map_find_block(struct block_map *m, uint64_t pfn);

#endif /* PMM_SIM_BLOCKMAP_H */
