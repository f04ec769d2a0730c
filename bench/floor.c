/* SPDX-License-Identifier: MIT */
/*
 * floor.c - the plain free-list buddy allocator (see floor.h).
 *
 * Descriptor indexes are relative to BENCH_ARENA_BASE, which is aligned to
 * 2^PMM_MAX_ORDER pages, so index arithmetic and pfn arithmetic agree on
 * every buddy.
 */
#include "floor.h"

_Static_assert(sizeof(struct floor_page) == 12, "floor descriptor is 12 bytes");
_Static_assert((BENCH_ARENA_BASE & ((1u << PMM_MAX_ORDER) - 1)) == 0,
	       "the arena base is aligned to the largest block");

static struct floor_page *fmap;
static uint64_t fpages;
static uint32_t fhead[PMM_NR_ORDERS];

int floor_init(struct floor_page *map, uint64_t pages)
{
	if (!map || pages == 0 || pages >= UINT32_MAX)
		return -1;
	fmap = map;
	fpages = pages;
	for (unsigned int k = 0; k < PMM_NR_ORDERS; k++)
		fhead[k] = 0;
	return 0;
}

static inline void floor_push(uint32_t idx, unsigned int order)
{
	struct floor_page *pg = &fmap[idx];
	uint32_t first = fhead[order];
	pg->free = 1;
	pg->order = (uint8_t)order;
	pg->prev = 0;
	pg->next = first;
	if (first)
		fmap[first - 1].prev = idx + 1;
	fhead[order] = idx + 1;
}

static inline void floor_unlink(uint32_t idx, unsigned int order)
{
	struct floor_page *pg = &fmap[idx];
	if (pg->prev)
		fmap[pg->prev - 1].next = pg->next;
	else
		fhead[order] = pg->next;
	if (pg->next)
		fmap[pg->next - 1].prev = pg->prev;
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
		const struct floor_page *b = &fmap[buddy];
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
	for (uint32_t i = fhead[order]; i; i = fmap[i - 1].next)
		n++;
	return n;
}
