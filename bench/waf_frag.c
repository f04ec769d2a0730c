/* SPDX-License-Identifier: MIT */
/*
 * waf_frag.c - FR: what grouping pages by mobility buys against
 * fragmentation.
 *
 * W3's stream (orders P(k) = 0.6 * 0.4^k capped at 10, a pool of at most
 * W3_POOL live blocks, filled untimed, then random allocations and frees)
 * where 1 request in 4 is unmovable (PMM_GFP_KERNEL) and the others
 * movable (PMM_GFP_USER_MOVABLE), on pmm's arena with grouping on and with
 * it off (pmm_buddy_set_grouping(false): every request served as movable,
 * so both kinds share pageblocks). After the timed part, with the per-CPU
 * lists drained, it counts free 2 MiB blocks (free blocks of order >= 9,
 * in 2 MiB units) and "polluted" pageblocks: 2 MiB pageblocks that hold at
 * least one live unmovable page - those a compactor could never empty.
 * Each run uses its own seed (BENCH_SEED + run); the table gives the
 * median time per operation, the notes the medians of the counts.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <pmm/buddy.h>
#include <pmm/check.h>

#include "bench.h"
#include "host_platform.h"

_Static_assert(PMM_PAGEBLOCK_ORDER == 9 && PMM_MAX_ORDER == 10,
	       "FR counts 2 MiB pageblocks as orders 9 and 10");

struct fr_block {
	pmm_pfn_t pfn;
	pmm_order_t order;
	bool unmovable;
};

/* What one run measured. */
struct fr_run {
	double ns_per_op;
	uint64_t free_2m;     /* free blocks of order >= 9, in 2 MiB units */
	uint64_t polluted;    /* pageblocks holding a live unmovable page */
	uint64_t unmovable_pb;/* pageblocks of type unmovable */
	uint64_t failed;      /* allocations that failed (fill and timed) */
};

static uint64_t fr_thresh[BENCH_MIX_MAX_ORDER];

static void fr_thresh_init(void)
{
	double tail = 0.4;
	for (unsigned int k = 0; k < BENCH_MIX_MAX_ORDER; k++) {
		fr_thresh[k] = (uint64_t)((1.0 - tail) * 9223372036854775808.0);
		tail *= 0.4;
	}
}

static pmm_order_t fr_pick_order(uint64_t u)
{
	pmm_order_t k = 0;
	while (k < BENCH_MIX_MAX_ORDER && u >= fr_thresh[k])
		k++;
	return k;
}

static uint64_t fr_clock(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* One request: 1 in 4 unmovable. Return: false when it failed. */
static bool fr_alloc(struct fr_block *pool, uint64_t *n, uint64_t *rng)
{
	uint64_t x = bench_rng_next(rng);
	bool unmovable = (x & 3) == 0;
	pmm_order_t order = fr_pick_order(x >> 1);
	struct pmm_page *pg = pmm_alloc_pages(
		unmovable ? PMM_GFP_KERNEL : PMM_GFP_USER_MOVABLE, order);
	if (!pg)
		return false;
	pool[*n].pfn = pmm_page_to_pfn(pg);
	pool[*n].order = order;
	pool[*n].unmovable = unmovable;
	(*n)++;
	return true;
}

/* Pageblocks of the arena holding a live unmovable page. */
static uint64_t fr_polluted(const struct fr_block *pool, uint64_t n,
			    uint64_t pages)
{
	uint64_t nb = pages >> PMM_PAGEBLOCK_ORDER;
	uint8_t *mark = calloc(nb ? nb : 1, 1);
	uint64_t count = 0;
	if (!mark)
		return 0;
	for (uint64_t i = 0; i < n; i++) {
		if (!pool[i].unmovable)
			continue;
		pmm_pfn_t off = pool[i].pfn - BENCH_ARENA_BASE;
		pmm_pfn_t last = off + ((pmm_pfn_t)1 << pool[i].order) - 1;
		for (pmm_pfn_t b = off >> PMM_PAGEBLOCK_ORDER;
		     b <= last >> PMM_PAGEBLOCK_ORDER && b < nb; b++)
			mark[b] = 1;
	}
	for (uint64_t b = 0; b < nb; b++)
		count += mark[b];
	free(mark);
	return count;
}

static void fr_count(const struct pmm_zone *z, struct fr_run *r)
{
	r->free_2m = z->free_area[9].nr_free + 2 * z->free_area[10].nr_free;
	for (pmm_pfn_t p = z->start_pfn; p < z->end_pfn; p += PMM_PAGEBLOCK_PAGES)
		r->unmovable_pb += pmm_pageblock_type(z, p) == PMM_MT_UNMOVABLE;
}

/*
 * One run on a fresh arena. Return: NULL, or what went wrong (pmm
 * reported, a free failed, pmm_check() failed, pages went missing).
 */
static const char *fr_run(const struct bench_opts *o, bool grouping,
			  uint64_t seed, struct fr_run *r)
{
	static char msg[200];
	uint64_t pages = o->arena_pages, pool_max = o->w3_pool, n = 0;
	struct fr_block *pool = calloc(pool_max + 1, sizeof(*pool));
	memset(r, 0, sizeof(*r));
	if (!pool)
		return "out of host memory for the pool";
	if (bench_pmm_arena(pages, true) != 0) {
		free(pool);
		return "arena setup failed";
	}
	pmm_buddy_set_grouping(grouping);
	struct pmm_zone *z = &pmm_nodes[0].zones[PMM_ZONE_NORMAL];
	uint64_t rng = seed, errors = 0;
	unsigned int reports = host_report_count();
	for (uint64_t i = 0; i < pool_max; i++)
		r->failed += !fr_alloc(pool, &n, &rng);
	uint64_t t0 = fr_clock();
	for (uint64_t i = 0; i < o->w3_ops; i++) {
		uint64_t x = bench_rng_next(&rng);
		if (n == 0 || (n < pool_max && (x & 1))) {
			r->failed += !fr_alloc(pool, &n, &rng);
			continue;
		}
		uint64_t idx = (uint64_t)(((unsigned __int128)(x >> 1) * n) >> 63);
		struct fr_block b = pool[idx];
		pool[idx] = pool[--n];
		errors += pmm_free_pages(pmm_pfn_to_page(b.pfn), b.order) != 0;
	}
	r->ns_per_op = (double)(fr_clock() - t0) / (double)o->w3_ops;
	pmm_pcp_drain_all();
	fr_count(z, r);
	r->polluted = fr_polluted(pool, n, pages);
	const char *bad = pages <= ((uint64_t)1 << 22) ? pmm_check() : NULL;
	while (n) {
		n--;
		errors += pmm_free_pages(pmm_pfn_to_page(pool[n].pfn),
					 pool[n].order) != 0;
	}
	free(pool);
	pmm_buddy_set_grouping(true);
	if (bad) {
		snprintf(msg, sizeof(msg), "pmm_check: %s", bad);
		return msg;
	}
	if (errors || host_report_count() != reports)
		return "a free failed or pmm reported";
	if (pmm_nr_free_pages() != z->managed)
		return "pages missing after freeing every block";
	return NULL;
}

static double fr_median_u(const uint64_t *v, unsigned int n)
{
	double d[BENCH_MAX_RUNS];
	for (unsigned int i = 0; i < n; i++)
		d[i] = (double)v[i];
	return bench_median_d(d, n);
}

struct fr_series {
	const char *name;
	bool grouping;
	double ns[BENCH_MAX_RUNS];
	uint64_t free_2m[BENCH_MAX_RUNS], polluted[BENCH_MAX_RUNS];
	uint64_t unmovable_pb[BENCH_MAX_RUNS], failed[BENCH_MAX_RUNS];
	unsigned int n;
};

static void fr_report(const struct bench_opts *o, const struct fr_series *s,
		      double base)
{
	char notes[320];
	snprintf(notes, sizeof(notes),
		 "baseline=pmm-nogrouping pageblocks=%llu free_2m_blocks_end=%.0f polluted_pageblocks_end=%.0f unmovable_pageblocks_end=%.0f failed=%.0f",
		 (unsigned long long)(o->arena_pages >> PMM_PAGEBLOCK_ORDER),
		 fr_median_u(s->free_2m, s->n), fr_median_u(s->polluted, s->n),
		 fr_median_u(s->unmovable_pb, s->n),
		 fr_median_u(s->failed, s->n));
	bench_figure("FR", s->name, s->ns, s->n, base, notes);
}

/**
 * bench_fr - the FR workload: grouping on and off, interleaved runs.
 * Counts a failed validation in @o->failures.
 */
void bench_fr(struct bench_opts *o)
{
	struct fr_series s[2] = {
		{ .name = "pmm-nogrouping", .grouping = false },
		{ .name = "pmm-grouping", .grouping = true },
	};
	if (!fr_thresh[0])
		fr_thresh_init();
	for (unsigned int run = 0; run < o->runs; run++) {
		for (unsigned int i = 0; i < 2; i++) {
			struct fr_run r;
			bench_progress("FR %s: run %u/%u", s[i].name, run + 1,
				       o->runs);
			const char *err = fr_run(o, s[i].grouping,
						 BENCH_SEED + run, &r);
			if (err) {
				printf("  %-22s FAILED: %s\n", s[i].name, err);
				o->failures++;
				return;
			}
			unsigned int k = s[i].n++;
			s[i].ns[k] = r.ns_per_op;
			s[i].free_2m[k] = r.free_2m;
			s[i].polluted[k] = r.polluted;
			s[i].unmovable_pb[k] = r.unmovable_pb;
			s[i].failed[k] = r.failed;
		}
	}
	char title[160], unit[160];
	snprintf(title, sizeof(title),
		 "FR fragmentation: W3's order mix, 1 in 4 requests unmovable, pool of at most %llu live blocks",
		 (unsigned long long)o->w3_pool);
	snprintf(unit, sizeof(unit),
		 "ns per operation, %llu timed, arena %llu MiB, seed + run",
		 (unsigned long long)o->w3_ops,
		 (unsigned long long)(o->arena_pages >> (20 - PMM_PAGE_SHIFT)));
	bench_section(title, unit, "pmm-nogrouping");
	double base = bench_median_d(s[0].ns, s[0].n);
	for (unsigned int i = 0; i < 2; i++)
		fr_report(o, &s[i], base);
}
