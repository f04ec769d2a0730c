/* SPDX-License-Identifier: MIT */
/*
 * wc_contig.c - WC: contiguous allocations after fragmentation.
 *
 * W3's order mix (P(k) = 0.6 * 0.4^k capped at 10), 1 request in 4
 * unmovable as in FR, fills pmm's arena to 50 % or 90 % of its pages and
 * then churns (random frees and refills at that level) for a tenth of
 * W3's timed operations. Then, per size - 64 KiB, 2 MiB, 16 MiB - it
 * makes WC_TRIES contiguous allocations inside a 4 GiB window over the
 * arena (the arena sits at BENCH_ARENA_BASE, so the window is [4 GiB,
 * 8 GiB): the same as [0, 4 GiB) on a machine whose RAM starts at 0),
 * aligned to their size, with a 64 KiB boundary for the 64 KiB run (a
 * larger run cannot avoid crossing one: its boundary is its size), and
 * keeps them until the size is done (from the CMA region: as many as it
 * holds, at most WC_TRIES). It counts the successes and the
 * ns per successful one; beside them, the same count of plain buddy
 * allocations of the same order where one exists (64 KiB, 2 MiB).
 *
 * Three set-ups: grouping on, grouping off, and grouping on with a 64 MiB
 * CMA region at the arena's start (declared before the fill, so movable
 * requests borrow it) served by pmm_cma_alloc() through a migrate hook
 * that moves the bench's own blocks (their table is updated). Seeds are
 * BENCH_SEED + run; the table gives medians.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <pmm/buddy.h>
#include <pmm/check.h>
#include <pmm/contig.h>

#include "bench.h"
#include "host_platform.h"

#define WC_TRIES 64
#define WC_SIZES 3
#define WC_CMA_PAGES ((64u << 20) >> PMM_PAGE_SHIFT)
#define WC_NONE UINT32_MAX

static const uint64_t wc_pages[WC_SIZES] = { 16, 512, 4096 };
static const char *const wc_size_name[WC_SIZES] = { "64K", "2M", "16M" };

struct wc_block {
	pmm_pfn_t pfn;
	pmm_order_t order;
};

/* The bench's live blocks and, per arena page, the index of the block it
 * heads (for the migrate hook). */
static struct wc_block *wc_pool;
static uint32_t *wc_index;
static uint64_t wc_n, wc_live_pages;

static uint64_t wc_clock(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static pmm_order_t wc_pick_order(uint64_t u)
{
	double x = (double)(u >> 11) / 9007199254740992.0, tail = 1.0;
	pmm_order_t k = 0;
	while (k < BENCH_MIX_MAX_ORDER && x >= 1.0 - tail * 0.4) {
		tail *= 0.4;
		k++;
	}
	return k;
}

static void wc_track(pmm_pfn_t pfn, pmm_order_t order)
{
	wc_pool[wc_n] = (struct wc_block){ pfn, order };
	wc_index[pfn - BENCH_ARENA_BASE] = (uint32_t)wc_n;
	wc_n++;
	wc_live_pages += (uint64_t)1 << order;
}

static bool wc_alloc(uint64_t *rng)
{
	uint64_t x = bench_rng_next(rng);
	pmm_order_t order = wc_pick_order(x);
	struct pmm_page *pg = pmm_alloc_pages((x & 3) == 0 ? PMM_GFP_KERNEL
							  : PMM_GFP_USER_MOVABLE,
					      order);
	if (pg == NULL)
		return false;
	wc_track(pmm_page_to_pfn(pg), order);
	return true;
}

static void wc_free_at(uint64_t i)
{
	struct wc_block b = wc_pool[i];
	wc_index[b.pfn - BENCH_ARENA_BASE] = WC_NONE;
	wc_pool[i] = wc_pool[--wc_n];
	if (i < wc_n)
		wc_index[wc_pool[i].pfn - BENCH_ARENA_BASE] = (uint32_t)i;
	wc_live_pages -= (uint64_t)1 << b.order;
	(void)pmm_free_pages(pmm_pfn_to_page(b.pfn), b.order);
}

/* The migrate hook: move one of the bench's blocks (a new movable block,
 * the table updated, the old one freed). */
static int wc_migrate(void *ctx, pmm_pfn_t pfn, pmm_order_t order)
{
	(void)ctx;
	uint32_t i = wc_index[pfn - BENCH_ARENA_BASE];
	if (i == WC_NONE || wc_pool[i].order != order)
		return -1;
	struct pmm_page *n = pmm_alloc_pages(PMM_GFP_USER_MOVABLE, order);
	if (n == NULL)
		return -1;
	wc_index[pfn - BENCH_ARENA_BASE] = WC_NONE;
	wc_pool[i].pfn = pmm_page_to_pfn(n);
	wc_index[wc_pool[i].pfn - BENCH_ARENA_BASE] = i;
	return pmm_free_pages(pmm_pfn_to_page(pfn), order);
}

/* Fill to @fill_pct of @pages, then churn @ops times at that level. */
static void wc_fill(uint64_t pages, unsigned int fill_pct, uint64_t ops,
		    uint64_t *rng)
{
	uint64_t target = pages * fill_pct / 100;
	while (wc_live_pages < target && wc_alloc(rng))
		;
	for (uint64_t i = 0; i < ops; i++) {
		uint64_t x = bench_rng_next(rng);
		if (wc_live_pages < target || wc_n == 0) {
			(void)wc_alloc(rng);
			continue;
		}
		wc_free_at((uint64_t)(((unsigned __int128)(x >> 1) * wc_n) >> 63));
	}
}

/* What one size measured in one run. */
struct wc_cell {
	unsigned int tries;
	unsigned int ok;
	double ns; /* per success */
	unsigned int buddy_ok;
	double buddy_ns;
};

/* WC_TRIES contiguous runs of @nr pages (CMA region @cma, or -1). */
static void wc_measure(uint64_t nr, int cma, struct wc_cell *c)
{
	struct pmm_page *got[WC_TRIES];
	pmm_phys_t lo = PMM_PFN_PHYS(BENCH_ARENA_BASE), hi = lo + (4ull << 30);
	pmm_phys_t bytes = nr << PMM_PAGE_SHIFT;
	pmm_phys_t boundary = bytes < (64u << 10) ? (64u << 10) : bytes;
	uint64_t t = 0;
	/* from the region: as many as it holds (all should succeed) */
	unsigned int tries = cma >= 0 && WC_CMA_PAGES / nr < WC_TRIES ?
				     (unsigned int)(WC_CMA_PAGES / nr) : WC_TRIES;
	c->tries = tries;
	c->ok = 0;
	for (unsigned int i = 0; i < tries; i++) {
		uint64_t t0 = wc_clock();
		struct pmm_page *p = cma >= 0 ?
			pmm_cma_alloc(cma, nr, (pmm_order_t)__builtin_ctzll(nr)) :
			pmm_alloc_contig(nr, PMM_GFP_KERNEL, lo, hi, bytes, boundary);
		uint64_t dt = wc_clock() - t0;
		if (p == NULL)
			continue;
		t += dt;
		got[c->ok++] = p;
	}
	c->ns = c->ok ? (double)t / c->ok : 0;
	for (unsigned int i = 0; i < c->ok; i++)
		(void)(cma >= 0 ? pmm_cma_release(cma, got[i], nr)
				: pmm_free_contig(got[i], nr));
	/* the same number of buddy blocks of that order, where one exists */
	c->buddy_ok = 0;
	c->buddy_ns = 0;
	pmm_order_t order = (pmm_order_t)__builtin_ctzll(nr);
	if (cma >= 0 || order > PMM_MAX_ORDER)
		return;
	t = 0;
	for (unsigned int i = 0; i < WC_TRIES; i++) {
		uint64_t t0 = wc_clock();
		struct pmm_page *p = pmm_alloc_pages(PMM_GFP_KERNEL, order);
		uint64_t dt = wc_clock() - t0;
		if (p == NULL)
			continue;
		t += dt;
		got[c->buddy_ok++] = p;
	}
	c->buddy_ns = c->buddy_ok ? (double)t / c->buddy_ok : 0;
	for (unsigned int i = 0; i < c->buddy_ok; i++)
		(void)pmm_free_pages(got[i], order);
}

enum { WC_GROUPING, WC_NOGROUPING, WC_CMA, WC_SETUPS };
static const char *const wc_setup_name[WC_SETUPS] = {
	"pmm-grouping", "pmm-nogrouping", "pmm-cma64M",
};

/* One run of set-up @s at @fill_pct. Return: NULL or what went wrong. */
static const char *wc_run(const struct bench_opts *o, int s,
			  unsigned int fill_pct, uint64_t seed,
			  struct wc_cell cells[WC_SIZES])
{
	uint64_t pages = o->arena_pages;
	int cma = -1;
	if (bench_pmm_arena(pages, true) != 0)
		return "arena setup failed";
	wc_pool = calloc(pages + 1, sizeof(*wc_pool));
	wc_index = malloc(pages * sizeof(*wc_index));
	if (!wc_pool || !wc_index)
		return "out of host memory";
	memset(wc_index, 0xff, pages * sizeof(*wc_index));
	wc_n = wc_live_pages = 0;
	pmm_buddy_set_grouping(s != WC_NOGROUPING);
	struct pmm_platform plat = *pmm_platform_get();
	if (s == WC_CMA) {
		if (pmm_cma_declare(BENCH_ARENA_BASE, WC_CMA_PAGES, "wc", &cma) != 0)
			return "CMA region refused";
		plat.migrate = wc_migrate;
		pmm_platform_set(&plat);
	}
	uint64_t rng = seed;
	wc_fill(pages, fill_pct, o->w3_ops / 10, &rng);
	pmm_pcp_drain_all();
	for (int i = 0; i < WC_SIZES; i++)
		wc_measure(wc_pages[i], cma, &cells[i]);
	const char *bad = pages <= ((uint64_t)1 << 22) ? pmm_check() : NULL;
	while (wc_n)
		wc_free_at(wc_n - 1);
	plat.migrate = NULL;
	pmm_platform_set(&plat);
	pmm_buddy_set_grouping(true);
	free(wc_pool);
	free(wc_index);
	return bad;
}

/**
 * bench_wc - the WC workload (see the file comment). Counts a failed
 * validation in @o->failures.
 */
void bench_wc(struct bench_opts *o)
{
	static const unsigned int fills[2] = { 50, 90 };
	char title[200];
	snprintf(title, sizeof(title),
		 "WC contiguous runs after W3's fill: %d tries per size, 4 GiB window, arena %llu MiB",
		 WC_TRIES, (unsigned long long)(o->arena_pages >> (20 - PMM_PAGE_SHIFT)));
	bench_section(title, "ns per successful allocation (median of runs); notes: successes of the tries, buddy blocks of the same order", NULL);
	for (int f = 0; f < 2; f++) {
		for (int s = 0; s < WC_SETUPS; s++) {
			double ns[WC_SIZES][BENCH_MAX_RUNS], bns[WC_SIZES][BENCH_MAX_RUNS];
			double ok[WC_SIZES][BENCH_MAX_RUNS], bok[WC_SIZES][BENCH_MAX_RUNS];
			unsigned int tries[WC_SIZES] = { 0 };
			unsigned int n = 0;
			for (unsigned int run = 0; run < o->runs; run++, n++) {
				struct wc_cell cells[WC_SIZES];
				bench_progress("WC %s fill %u%%: run %u/%u", wc_setup_name[s],
					       fills[f], run + 1, o->runs);
				const char *err = wc_run(o, s, fills[f], BENCH_SEED + run, cells);
				if (err) {
					printf("  %-22s FAILED: %s\n", wc_setup_name[s], err);
					o->failures++;
					return;
				}
				for (int i = 0; i < WC_SIZES; i++) {
					ns[i][run] = cells[i].ns;
					ok[i][run] = cells[i].ok;
					tries[i] = cells[i].tries;
					bns[i][run] = cells[i].buddy_ns;
					bok[i][run] = cells[i].buddy_ok;
				}
			}
			for (int i = 0; i < WC_SIZES; i++) {
				char wl[32], notes[200];
				snprintf(wl, sizeof(wl), "WC%u-%s", fills[f], wc_size_name[i]);
				snprintf(notes, sizeof(notes),
					 "fill=%u%% success=%.0f/%u buddy_success=%.0f buddy_ns=%.1f",
					 fills[f], bench_median_d(ok[i], n), tries[i],
					 bench_median_d(bok[i], n), bench_median_d(bns[i], n));
				bench_figure(wl, wc_setup_name[s], ns[i], n, 0, notes);
			}
		}
	}
}
