/* SPDX-License-Identifier: MIT */
/*
 * floor.h - a plain free-list buddy allocator: the physical floor of pmm's
 * design, to measure pmm against.
 *
 * Per-order doubly linked free lists through a per-page descriptor array,
 * the buddy found by XOR, a block's free state and order in its head's
 * descriptor; no pair bitmaps, counters, checks, locks or per-CPU lists.
 * One arena of pages [BENCH_ARENA_BASE, + pages); single-threaded.
 *
 * The second floor (floor2_*) is the same buddy with a per-CPU LIFO of
 * order-0 pages in front, as pmm's design has: an allocation of order 0
 * pops this CPU's list, a free pushes on it, with no check at all; an
 * empty list takes a batch from the buddy, a list past its high mark gives
 * a batch back (those two under one lock, so that W7's threads can share
 * the buddy). The list is linked through the descriptors' next field, as
 * pmm's per-CPU lists are; its pages are not free to the buddy (free = 0),
 * so they never merge. Orders above 0 call the buddy directly, unlocked:
 * only the single-threaded workloads ask for them.
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
/* A fresh floor arena of @pages pages, handed off (alloc_floor.c). */
int bench_floor_arena(uint64_t pages);
/* Return: free blocks of order @order (walks the list). */
uint64_t floor_nr_free(unsigned int order);


/* The second floor's batch and high mark: pmm's defaults for a 1 GiB zone. */
#define FLOOR2_BATCH 63u
#define FLOOR2_HIGH (6u * FLOOR2_BATCH)
#define FLOOR2_CPUS 8u

/* One CPU's LIFO of order-0 pages, on its own cache line. */
struct floor2_lifo {
	uint32_t head;  /* index + 1 of the first page, 0 = empty */
	uint32_t count; /* pages on the list */
} __attribute__((aligned(64)));

extern struct floor_page *floor_map;
extern struct floor2_lifo floor2_lifos[FLOOR2_CPUS];
/* host/host_platform.c: the calling thread's CPU number. */
extern _Thread_local unsigned int host_this_cpu
	__attribute__((tls_model("local-exec")));

/* Empty every CPU's list (a fresh arena: floor_init() and floor_handoff()). */
void floor2_reset(void);
/* The list @l was empty: fill it with a batch. Return: false if none. */
bool floor2_refill(struct floor2_lifo *l);
/* The list @l passed its high mark: give a batch back to the buddy. */
void floor2_drain(struct floor2_lifo *l);
/* Every CPU's list back to the buddy (the end of a W7 pass). */
void floor2_drain_all(void);

static inline struct floor2_lifo *floor2_this_lifo(void)
{
	return &floor2_lifos[host_this_cpu % FLOOR2_CPUS];
}

/* Return: pfn of one free page from this CPU's list, or 0. */
static inline uint64_t floor2_alloc0(void)
{
	struct floor2_lifo *l = floor2_this_lifo();
	if (__builtin_expect(l->head == 0, 0) && !floor2_refill(l))
		return 0;
	uint32_t idx = l->head - 1;
	l->head = floor_map[idx].next;
	l->count--;
	return BENCH_ARENA_BASE + idx;
}

/* Push the page @pfn on this CPU's list. */
static inline void floor2_free0(uint64_t pfn)
{
	struct floor2_lifo *l = floor2_this_lifo();
	uint32_t idx = (uint32_t)(pfn - BENCH_ARENA_BASE);
	floor_map[idx].next = l->head;
	l->head = idx + 1;
	if (__builtin_expect(++l->count > FLOOR2_HIGH, 0))
		floor2_drain(l);
}

#endif /* PMM_BENCH_FLOOR_H */
