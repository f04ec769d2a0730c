/* SPDX-License-Identifier: MIT */
/*
 * check.c - the validation pass's record of live blocks.
 *
 * Every live 4 KiB granule is kept in an open-addressing hash set, so that
 * a new block overlapping any live block is found at once, whatever the
 * allocator's addresses look like. A block must be aligned to its size
 * (buddy allocators) or to 4 KiB (posix_memalign(4096, ...)), and arena
 * blocks must lie inside the arena.
 */
#include <stdio.h>
#include <stdlib.h>

#include "bench.h"

#define EMPTY UINT64_MAX

struct bench_checker {
	uint64_t *slot;
	uint64_t mask;
	uint64_t used;
	uint64_t arena_pages;
	bool arena;
	bool size_aligned;
	uint64_t *windows; /* live pages per 2 MiB window (arena only) */
	uint64_t nr_windows;
	char msg[160];
};

struct bench_checker *bench_checker_new(uint64_t arena_pages, bool arena,
					bool size_aligned)
{
	struct bench_checker *c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	uint64_t cap = 1u << 16;
	c->slot = malloc(cap * sizeof(*c->slot));
	c->nr_windows = (arena_pages + 511) / 512;
	c->windows = calloc(c->nr_windows + 1, sizeof(*c->windows));
	if (!c->slot || !c->windows) {
		bench_checker_free(c);
		return NULL;
	}
	for (uint64_t i = 0; i < cap; i++)
		c->slot[i] = EMPTY;
	c->mask = cap - 1;
	c->arena_pages = arena_pages;
	c->arena = arena;
	c->size_aligned = size_aligned;
	return c;
}

void bench_checker_free(struct bench_checker *c)
{
	if (!c)
		return;
	free(c->slot);
	free(c->windows);
	free(c);
}

static inline uint64_t hash(uint64_t g)
{
	g ^= g >> 33;
	g *= 0xff51afd7ed558ccdull;
	return g ^ (g >> 33);
}

static uint64_t find(const struct bench_checker *c, uint64_t g)
{
	uint64_t i = hash(g) & c->mask;
	while (c->slot[i] != EMPTY && c->slot[i] != g)
		i = (i + 1) & c->mask;
	return i;
}

/* Remove slot @i and shift later members of its cluster back. */
static void erase(struct bench_checker *c, uint64_t i)
{
	uint64_t j = i;
	c->slot[i] = EMPTY;
	for (;;) {
		j = (j + 1) & c->mask;
		if (c->slot[j] == EMPTY)
			return;
		uint64_t home = hash(c->slot[j]) & c->mask;
		/* Move j back to i unless its home lies cyclically in (i, j]. */
		bool stays = i <= j ? (home > i && home <= j)
				    : (home > i || home <= j);
		if (stays)
			continue;
		c->slot[i] = c->slot[j];
		c->slot[j] = EMPTY;
		i = j;
	}
}

/* Double the table and insert every member again. */
static int grow(struct bench_checker *c)
{
	uint64_t old_cap = c->mask + 1;
	uint64_t *old = c->slot;
	uint64_t *slot = malloc(2 * old_cap * sizeof(*slot));
	if (!slot)
		return -1;
	for (uint64_t i = 0; i < 2 * old_cap; i++)
		slot[i] = EMPTY;
	c->slot = slot;
	c->mask = 2 * old_cap - 1;
	for (uint64_t i = 0; i < old_cap; i++)
		if (old[i] != EMPTY)
			c->slot[find(c, old[i])] = old[i];
	free(old);
	return 0;
}

static const char *fail(struct bench_checker *c, const char *what,
			uint64_t addr, uint64_t bytes)
{
	snprintf(c->msg, sizeof(c->msg), "%s: block 0x%llx + 0x%llx", what,
		 (unsigned long long)addr, (unsigned long long)bytes);
	return c->msg;
}

static const char *check_place(struct bench_checker *c, uint64_t addr,
			       uint64_t bytes)
{
	uint64_t align = c->size_aligned ? bytes : PMM_PAGE_SIZE;
	if (addr == 0 || (addr & (align - 1)))
		return fail(c, "misaligned", addr, bytes);
	if (!c->arena)
		return NULL;
	uint64_t lo = (uint64_t)BENCH_ARENA_BASE << PMM_PAGE_SHIFT;
	uint64_t hi = lo + (c->arena_pages << PMM_PAGE_SHIFT);
	if (addr < lo || addr + bytes > hi)
		return fail(c, "outside the arena", addr, bytes);
	return NULL;
}

/* Blocks are naturally aligned: inside one window, or whole windows. */
static void count_windows(struct bench_checker *c, uint64_t g0, uint64_t n,
			  bool add)
{
	if (!c->arena)
		return;
	uint64_t w = (g0 - BENCH_ARENA_BASE) / 512;
	uint64_t per = n < 512 ? n : 512;
	for (uint64_t left = n; left; left -= per, w++)
		c->windows[w] = add ? c->windows[w] + per : c->windows[w] - per;
}

const char *bench_checker_add(struct bench_checker *c, uint64_t addr,
			      uint64_t bytes)
{
	const char *err = check_place(c, addr, bytes);
	if (err)
		return err;
	uint64_t g0 = addr >> PMM_PAGE_SHIFT;
	uint64_t n = bytes >> PMM_PAGE_SHIFT;
	for (uint64_t g = g0; g < g0 + n; g++)
		if (c->slot[find(c, g)] != EMPTY)
			return fail(c, "overlaps a live block", addr, bytes);
	while ((c->used + n) * 2 > c->mask)
		if (grow(c) != 0)
			return fail(c, "out of host memory", addr, bytes);
	for (uint64_t g = g0; g < g0 + n; g++)
		c->slot[find(c, g)] = g;
	c->used += n;
	count_windows(c, g0, n, true);
	return NULL;
}

const char *bench_checker_remove(struct bench_checker *c, uint64_t addr,
				 uint64_t bytes)
{
	uint64_t g0 = addr >> PMM_PAGE_SHIFT;
	uint64_t n = bytes >> PMM_PAGE_SHIFT;
	for (uint64_t g = g0; g < g0 + n; g++) {
		uint64_t i = find(c, g);
		if (c->slot[i] == EMPTY)
			return fail(c, "freeing a block not live", addr, bytes);
		erase(c, i);
	}
	c->used -= n;
	count_windows(c, g0, n, false);
	return NULL;
}

uint64_t bench_checker_free_windows(const struct bench_checker *c)
{
	uint64_t n = 0;
	if (!c->arena)
		return 0;
	for (uint64_t w = 0; w < c->arena_pages / 512; w++)
		n += c->windows[w] == 0;
	return n;
}
