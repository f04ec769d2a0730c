/* SPDX-License-Identifier: MIT */
/*
 * floor.h - a plain free-list buddy allocator: the physical floor of pmm's
 * design, to measure pmm against.
 *
 * Per-order doubly linked free lists through a per-page descriptor array,
 * the buddy found by XOR, a block's free state and order in its head's
 * descriptor; no pair bitmaps, counters, checks, locks or per-CPU lists.
 * One arena of pages [BENCH_ARENA_BASE, + pages); single-threaded.
 */
#ifndef PMM_BENCH_FLOOR_H
#define PMM_BENCH_FLOOR_H

#include "bench.h"

struct floor_page {
	uint32_t next;  /* index + 1 of the next free head, 0 = end */
	uint32_t prev;  /* index + 1 of the previous free head, 0 = first */
	uint8_t free;   /* 1: heads a free block */
	uint8_t order;  /* the free block's order */
};

/* Take an empty arena of @pages pages; @map is zeroed memory for them. */
int floor_init(struct floor_page *map, uint64_t pages);
/* Free every page in maximal naturally aligned blocks. */
void floor_handoff(void);
/* Return: pfn of 2^@order free pages, or 0. */
uint64_t floor_alloc(unsigned int order);
/* Free the block of 2^@order pages at @pfn, coalescing with free buddies. */
void floor_free(uint64_t pfn, unsigned int order);
/* Return: free blocks of order @order (walks the list). */
uint64_t floor_nr_free(unsigned int order);

#endif /* PMM_BENCH_FLOOR_H */
