/* SPDX-License-Identifier: MIT */
/*
 * blockmap.c - trace pfn -> pmm block, for the replay (blockmap.h). A
 * replay of 10^6 events looks a pfn up about once per event, so the table
 * stays at most half full and a key is the pfn + 1 (0: empty).
 */
#include <stdlib.h>

#include "blockmap.h"

/* The home slot of @key (a trace pfn + 1): the product's top bits. */
static uint64_t map_home(const struct block_map *m, uint64_t key)
{
	return (key * 0x9e3779b97f4a7c15ull) >> m->shift;
}

int sim_map_init(struct block_map *m, uint64_t cap)
{
	m->slot = calloc(cap, sizeof(*m->slot));
	m->mask = cap - 1;
	m->n = 0;
	m->shift = 64;
	while (cap > 1) {
		cap >>= 1;
		m->shift--;
	}
	return m->slot ? 0 : -1;
}

struct map_slot *sim_map_find(struct block_map *m, uint64_t pfn)
{
	for (uint64_t i = map_home(m, pfn + 1);; i = (i + 1) & m->mask) {
		if (m->slot[i].key == pfn + 1)
			return &m->slot[i];
		if (m->slot[i].key == 0)
			return NULL;
	}
}

static int map_grow(struct block_map *m);

struct map_slot *sim_map_insert(struct block_map *m, uint64_t pfn)
{
	if ((m->n + 1) * 2 > m->mask + 1 && map_grow(m) != 0)
		return NULL;
	uint64_t i = map_home(m, pfn + 1);
	while (m->slot[i].key != 0)
		i = (i + 1) & m->mask;
	m->n++;
	m->slot[i] = (struct map_slot){ .key = pfn + 1 };
	return &m->slot[i];
}

static int map_grow(struct block_map *m)
{
	struct block_map big;
	if (sim_map_init(&big, (m->mask + 1) * 2) != 0)
		return -1;
	for (uint64_t i = 0; i <= m->mask; i++)
		if (m->slot[i].key)
			*sim_map_insert(&big, m->slot[i].key - 1) = m->slot[i];
	free(m->slot);
	*m = big;
	return 0;
}

/* Remove @s, shifting later entries of its probe run back (no tombstones). */
void sim_map_remove(struct block_map *m, struct map_slot *s)
{
	uint64_t i = (uint64_t)(s - m->slot), j = i;
	m->n--;
	for (;;) {
		m->slot[i].key = 0;
		for (;;) {
			j = (j + 1) & m->mask;
			if (m->slot[j].key == 0)
				return;
			uint64_t home = map_home(m, m->slot[j].key);
			/* may slot j move to i? yes unless home lies in (i, j] */
			if (i <= j ? (home <= i || home > j) : (home <= i && home > j))
				break;
		}
		m->slot[i] = m->slot[j];
		i = j;
	}
}

/* The traced block holding @pfn: its head exactly, or one up to 2^10 below. */
struct map_slot *sim_map_find_block(struct block_map *m, uint64_t pfn)
{
	struct map_slot *s = sim_map_find(m, pfn);
	for (unsigned int k = 1; !s && k <= PMM_MAX_ORDER; k++) {
		s = sim_map_find(m, pfn & ~(((uint64_t)1 << k) - 1));
		if (s && s->order < k)
			s = NULL;
	}
	return s;
}

