/* SPDX-License-Identifier: MIT */
/*
 * we_elastic.c - the WE workload: what elastic memory (pmm/elastic.h)
 * costs and saves.
 *
 * WE-W2 / WE-W3: W2 (order-0 pair, one block held) and W3 (mixed orders,
 * pool of at most w3_pool blocks) on pmm's 1 GiB arena, with free page
 * reporting off and on, alternating run by run in one process. "On" is
 * the host platform's reporting hooks (the arena is untouchable, so they
 * only count) and a pass of 64 blocks every WE_PASS_EVERY operations,
 * inside the timed loop, as a platform timer would run it; the reclaims
 * the allocations make are in the loop too. The ratio is on / off.
 *
 * WE-Z4K / WE-Z2M: ns per __GFP_ZERO allocation of 4 KiB and 2 MiB on a
 * touchable 256 MiB arena whose memory was written non-zero first, with
 * no known-zero block (every allocation is a memset) and after
 * pmm_zero_idle() zeroed all free memory (untimed: the platform's idle
 * time). The ratio is with / without.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pmm/buddy.h>
#include <pmm/elastic.h>

#include "bench.h"
#include "host_platform.h"

#define WE_PASS_EVERY 65536u
#define WE_PASS_BUDGET 64u
#define WE_ZERO_PAGES ((uint64_t)65536) /* 256 MiB */
#define WE_Z4K_ALLOCS 8192u
#define WE_Z2M_ALLOCS 48u

static uint64_t we_handles[WE_Z4K_ALLOCS];

/* Install the untouchable host platform, with or without reporting. */
static void we_platform(bool reporting, uint64_t phys_size)
{
	struct host_platform_options ho = {
		.untouchable = phys_size == 0, .phys_size = phys_size,
		.quiet = true, .reporting = reporting,
	};
	host_platform_install(&ho);
}

static inline uint64_t we_alloc(unsigned int gfp, unsigned int order)
{
	struct pmm_page *pg = pmm_alloc_pages(gfp, order);
	return pg ? pmm_page_to_pfn(pg) : 0;
}

static inline void we_free(uint64_t pfn, unsigned int order)
{
	pmm_free_pages(pmm_pfn_to_page(pfn), order);
}

/* W2 with a reporting pass every WE_PASS_EVERY pairs when @report. */
static double we_w2(const struct bench_opts *o, bool report)
{
	uint64_t held = we_alloc(PMM_GFP_KERNEL, 0);
	uint64_t t0 = bench_now_ns();
	for (uint64_t i = 0; i < o->w12_ops; i++) {
		uint64_t h = we_alloc(PMM_GFP_KERNEL, 0);
		we_free(h, 0);
		if (report && (i & (WE_PASS_EVERY - 1)) == 0)
			pmm_report_free_pages(WE_PASS_BUDGET);
	}
	uint64_t dt = bench_now_ns() - t0;
	we_free(held, 0);
	return (double)dt / (double)o->w12_ops;
}

/* Order k with P(k) = 0.6 * 0.4^k, capped at 10 (W3's mix). */
static unsigned int we_order(uint64_t *rng)
{
	unsigned int k = 0;
	while (k < BENCH_MIX_MAX_ORDER && bench_rng_next(rng) % 5 >= 3)
		k++;
	return k;
}

struct we_pool {
	uint64_t *h;
	unsigned char *order;
	uint64_t n;
};

static void we_pool_alloc(struct we_pool *p, uint64_t *rng)
{
	unsigned int k = we_order(rng);
	uint64_t h = we_alloc(PMM_GFP_KERNEL, k);
	if (h) {
		p->h[p->n] = h;
		p->order[p->n++] = (unsigned char)k;
	}
}

static void we_pool_free(struct we_pool *p, uint64_t *rng)
{
	uint64_t i = bench_rng_next(rng) % p->n;
	we_free(p->h[i], p->order[i]);
	p->h[i] = p->h[--p->n];
	p->order[i] = p->order[p->n];
}

/* W3 (fill untimed) with a reporting pass every WE_PASS_EVERY ops when @report. */
static double we_w3(const struct bench_opts *o, bool report, struct we_pool *p)
{
	uint64_t rng = BENCH_SEED;
	p->n = 0;
	while (p->n < o->w3_pool / 2)
		we_pool_alloc(p, &rng);
	uint64_t t0 = bench_now_ns();
	for (uint64_t i = 0; i < o->w3_ops; i++) {
		bool alloc = p->n == 0 ||
			     (p->n < o->w3_pool && (bench_rng_next(&rng) & 1));
		if (alloc)
			we_pool_alloc(p, &rng);
		else
			we_pool_free(p, &rng);
		if (report && (i & (WE_PASS_EVERY - 1)) == 0)
			pmm_report_free_pages(WE_PASS_BUDGET);
	}
	uint64_t dt = bench_now_ns() - t0;
	while (p->n)
		we_pool_free(p, &rng);
	return (double)dt / (double)o->w3_ops;
}

/* One run of W2 or W3 on a fresh arena. Return: ns per op, or < 0. */
static double we_run(const struct bench_opts *o, bool w3, bool report,
		     struct we_pool *p, uint64_t *handed)
{
	we_platform(report, 0);
	if (bench_pmm_arena(o->arena_pages, true) != 0)
		return -1;
	pmm_report_reset();
	double ns = w3 ? we_w3(o, report, p) : we_w2(o, report);
	struct pmm_report_stats st;
	pmm_report_stats(&st);
	*handed = st.reported_pages;
	return ns;
}

static void we_reporting(struct bench_opts *o)
{
	struct we_pool p = { 0 };
	p.h = calloc(o->w3_pool + 1, sizeof(*p.h));
	p.order = calloc(o->w3_pool + 1, 1);
	for (int w = 0; w < 2 && p.h && p.order; w++) {
		double off[BENCH_MAX_RUNS], on[BENCH_MAX_RUNS];
		uint64_t handed = 0, none;
		for (unsigned int r = 0; r < o->runs; r++) {
			bench_progress("WE-W%d reporting: run %u/%u", w + 2, r + 1, o->runs);
			off[r] = we_run(o, w == 1, false, &p, &none);
			on[r] = we_run(o, w == 1, true, &p, &handed);
			if (off[r] < 0 || on[r] < 0) {
				o->failures++;
				return;
			}
		}
		char wl[16], notes[128];
		snprintf(wl, sizeof(wl), "WE-W%d", w + 2);
		snprintf(notes, sizeof(notes), "handed_back_mib=%llu pass_every=%u budget=%u",
			 (unsigned long long)(handed >> (20 - PMM_PAGE_SHIFT)),
			 WE_PASS_EVERY, WE_PASS_BUDGET);
		double base = bench_median_d(off, o->runs);
		bench_figure(wl, "pmm reporting off", off, o->runs, base, NULL);
		bench_figure(wl, "pmm reporting on", on, o->runs, base, notes);
	}
	host_platform_remove();
	free(p.h);
	free(p.order);
}

/* ns per zeroed allocation of @order, @n of them, after zero_idle when
 * @known. Return: ns, or < 0 on a failed allocation. */
static double we_zeroed(unsigned int order, unsigned int n, bool known)
{
	uint64_t end = BENCH_ARENA_BASE + WE_ZERO_PAGES;
	we_platform(false, PMM_PFN_PHYS(end));
	if (bench_pmm_arena(WE_ZERO_PAGES, true) != 0)
		return -1;
	memset(host_phys_ptr(PMM_PFN_PHYS(BENCH_ARENA_BASE)), 0x5a,
	       (size_t)PMM_PFN_PHYS(WE_ZERO_PAGES));
	if (known)
		pmm_zero_idle((unsigned int)WE_ZERO_PAGES);
	uint64_t t0 = bench_now_ns();
	for (unsigned int i = 0; i < n; i++)
		if ((we_handles[i] = we_alloc(PMM_GFP_KERNEL | PMM_GFP_ZERO, order)) == 0)
			return -1;
	uint64_t dt = bench_now_ns() - t0;
	for (unsigned int i = 0; i < n; i++)
		we_free(we_handles[i], order);
	return (double)dt / n;
}

static void we_zero(struct bench_opts *o)
{
	static const struct { const char *wl; unsigned int order, n; } cell[2] = {
		{ "WE-Z4K", 0, WE_Z4K_ALLOCS }, { "WE-Z2M", 9, WE_Z2M_ALLOCS },
	};
	for (int c = 0; c < 2; c++) {
		double memset_ns[BENCH_MAX_RUNS], known_ns[BENCH_MAX_RUNS];
		for (unsigned int r = 0; r < o->runs; r++) {
			bench_progress("%s: run %u/%u", cell[c].wl, r + 1, o->runs);
			memset_ns[r] = we_zeroed(cell[c].order, cell[c].n, false);
			known_ns[r] = we_zeroed(cell[c].order, cell[c].n, true);
			if (memset_ns[r] < 0 || known_ns[r] < 0) {
				printf("  %s: a zeroed allocation failed\n", cell[c].wl);
				o->failures++;
				return;
			}
		}
		double base = bench_median_d(memset_ns, o->runs);
		bench_figure(cell[c].wl, "pmm memset (no known-zero)", memset_ns, o->runs, base, NULL);
		bench_figure(cell[c].wl, "pmm known-zero blocks", known_ns, o->runs, base, NULL);
	}
	host_platform_remove();
}

/**
 * bench_we - the WE workload (see the file comment). Counts a failed
 * run in @o->failures.
 */
void bench_we(struct bench_opts *o)
{
	bench_section("WE elastic memory: W2/W3 with free page reporting off and on (1 GiB arena)",
		      "ns per op (median of runs)", "reporting off");
	we_reporting(o);
	bench_section("WE zeroed allocations: 4 KiB and 2 MiB, memset vs known-zero blocks (256 MiB arena)",
		      "ns per allocation (median of runs)", "memset");
	we_zero(o);
}
