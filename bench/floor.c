/* SPDX-License-Identifier: MIT */
/*
 * floor.c - the plain free-list buddy allocator (see floor.h).
 *
 * Descriptor indexes are relative to BENCH_ARENA_BASE, which is aligned to
 * 2^PMM_MAX_ORDER pages, so index arithmetic and pfn arithmetic agree on
 * every buddy.
 */
#include <pthread.h>

#include "floor.h"

_Static_assert(sizeof(struct floor_page) == 12, "floor descriptor is 12 bytes");
_Static_assert(sizeof(struct floor2_lifo) == 64,
	       "each CPU's LIFO fills its own cache line, as pmm's per-CPU lists do");
_Static_assert((BENCH_ARENA_BASE & ((1u << PMM_MAX_ORDER) - 1)) == 0,
	       "the arena base is aligned to the largest block");

struct floor_page *floor_map;
struct floor2_lifo floor2_lifos[FLOOR2_CPUS];
static pthread_mutex_t floor2_lock = PTHREAD_MUTEX_INITIALIZER;
static uint64_t fpages;
static uint32_t fhead[PMM_NR_ORDERS];

int floor_init(struct floor_page *map, uint64_t pages)
{
	if (!map || pages == 0 || pages >= UINT32_MAX)
		return -1;
	floor_map = map;
	fpages = pages;
	for (unsigned int k = 0; k < PMM_NR_ORDERS; k++)
		fhead[k] = 0;
	floor2_reset();
	return 0;
}

static inline void floor_push(uint32_t idx, unsigned int order)
{
	struct floor_page *pg = &floor_map[idx];
	uint32_t first = fhead[order];
	pg->free = 1;
	pg->order = (uint8_t)order;
	pg->prev = 0;
	pg->next = first;
	if (first)
		floor_map[first - 1].prev = idx + 1;
	fhead[order] = idx + 1;
}

static inline void floor_unlink(uint32_t idx, unsigned int order)
{
	struct floor_page *pg = &floor_map[idx];
	if (pg->prev)
		floor_map[pg->prev - 1].next = pg->next;
	else
		fhead[order] = pg->next;
	if (pg->next)
		floor_map[pg->next - 1].prev = pg->prev;
	pg->free = 0;
}

void floor_handoff(void)
{
	uint64_t idx = 0;
	while (idx < fpages) {
		unsigned int k = PMM_MAX_ORDER;
		while ((idx & ((1ull << k) - 1)) || idx + (1ull << k) > fpages)
			k--;
		floor_push((uint32_t)idx, k);
		idx += 1ull << k;
	}
}

uint64_t floor_alloc(unsigned int order)
{
	unsigned int k = order;
	while (k <= PMM_MAX_ORDER && !fhead[k])
		k++;
	if (k > PMM_MAX_ORDER)
		return 0;
	uint32_t idx = fhead[k] - 1;
	floor_unlink(idx, k);
	while (k > order) {
		k--;
		floor_push(idx + (1u << k), k);
	}
	return BENCH_ARENA_BASE + idx;
}

void floor_free(uint64_t pfn, unsigned int order)
{
	uint32_t idx = (uint32_t)(pfn - BENCH_ARENA_BASE);
	while (order < PMM_MAX_ORDER) {
		uint32_t buddy = idx ^ (1u << order);
		if (buddy >= fpages)
			break;
		const struct floor_page *b = &floor_map[buddy];
		if (!b->free || b->order != order)
			break;
		floor_unlink(buddy, order);
		idx &= ~(1u << order);
		order++;
	}
	floor_push(idx, order);
}

uint64_t floor_nr_free(unsigned int order)
{
	uint64_t n = 0;
	for (uint32_t i = fhead[order]; i; i = floor_map[i - 1].next)
		n++;
	return n;
}

void floor2_reset(void)
{
	for (unsigned int c = 0; c < FLOOR2_CPUS; c++)
		floor2_lifos[c].head = floor2_lifos[c].count = 0;
}

bool floor2_refill(struct floor2_lifo *l)
{
	pthread_mutex_lock(&floor2_lock);
	for (unsigned int i = 0; i < FLOOR2_BATCH; i++) {
		uint64_t pfn = floor_alloc(0);
		if (!pfn)
			break;
		uint32_t idx = (uint32_t)(pfn - BENCH_ARENA_BASE);
		floor_map[idx].next = l->head;
		l->head = idx + 1;
		l->count++;
	}
	pthread_mutex_unlock(&floor2_lock);
	return l->head != 0;
}

/* Give up to @n pages of @l back to the buddy. */
static void floor2_give_back(struct floor2_lifo *l, uint32_t n)
{
	pthread_mutex_lock(&floor2_lock);
	for (; n && l->head; n--) {
		uint32_t idx = l->head - 1;
		l->head = floor_map[idx].next;
		l->count--;
		floor_free(BENCH_ARENA_BASE + idx, 0);
	}
	pthread_mutex_unlock(&floor2_lock);
}

void floor2_drain(struct floor2_lifo *l)
{
	floor2_give_back(l, FLOOR2_BATCH);
}

void floor2_drain_all(void)
{
	for (unsigned int c = 0; c < FLOOR2_CPUS; c++)
		floor2_give_back(&floor2_lifos[c], UINT32_MAX);
}
