/* SPDX-License-Identifier: MIT */
/*
 * main.c - pmm-bench: the standard workloads W1-W8 of shared/BENCHMARKS.md.
 *
 *   pmm-bench [--smoke] [--runs N] [--buddies] [--only W1,W3,...,WB,LZ,FR]
 *
 * --buddies runs W1-W4 on the buddy allocators and the null one only
 * (pmm, floor, floor2, null): the ratios to both floors without the
 * user-space allocators' minutes, for measuring on a busy machine.
 *
 * WB (after W4) is not one of the standard workloads either: order-0
 * pages in batches of 16 and 64, by the single and the bulk calls
 * (wb_bulk.c, issue 18 item 4).
 * LZ (after W4) is not one of the standard workloads: it measures the lazy
 * buddy against immediate coalescing (issue 5, item 2). Nor is FR (after
 * LZ): fragmentation of a mixed movable/unmovable stream with grouping by
 * mobility on and off (waf_frag.c).
 *
 * Each W1-W4 allocator first runs one untimed validation pass (every block
 * recorded and checked for overlap, alignment and, for the buddy
 * allocators, the arena bounds), then N timed runs on a fresh arena; the
 * table gives median, min and max and the ratio against the plain
 * free-list buddy (the floor) measured in the same process. --smoke runs
 * tiny op counts once: it validates and never judges timings. The exit
 * status is 1 when a validation failed, else 0, whatever the timings.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <pmm/zone.h>

#include "bench.h"
#include "host_platform.h"

void bench_w9(struct bench_opts *o);

static struct {
	void *p;
	size_t bytes;
} bufs[BENCH_NR_BUFS];

void *bench_buf_get(int slot, size_t bytes)
{
	if (bufs[slot].p && bufs[slot].bytes >= bytes)
		return bufs[slot].p;
	bench_buf_release(slot);
	void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED)
		return NULL;
	bufs[slot].p = p;
	bufs[slot].bytes = bytes;
	return p;
}

void bench_buf_release(int slot)
{
	if (bufs[slot].p)
		munmap(bufs[slot].p, bufs[slot].bytes);
	bufs[slot].p = NULL;
	bufs[slot].bytes = 0;
}

void bench_zero(void *p, size_t bytes)
{
	memset(p, 0, bytes);
}

/* The plain host platform for W1-W4, W6-W7: nothing can be touched. */
static void host_plain(void)
{
	struct host_platform_options ho = {
		.untouchable = true, .quiet = true, .quiet_reports = false,
	};
	host_platform_install(&ho);
}

static const struct bench_alloc *const allocs[] = {
	&bench_alloc_pmm,      &bench_alloc_floor,    &bench_alloc_floor2,
	&bench_alloc_null,     &bench_alloc_glibc,    &bench_alloc_jemalloc,
	&bench_alloc_mimalloc,
};
/* Where the baselines sit in allocs[]. */
enum { AI_FLOOR = 1, AI_FLOOR2 = 2, AI_NULL = 3 };
#define NR_ALLOCS (sizeof(allocs) / sizeof(allocs[0]))

struct wl {
	const char *id;
	const char *title;
	bool mixed;
	struct bench_params p;
};

/* Samples of one allocator in one workload [ns per op]. */
struct series {
	double v[BENCH_MAX_RUNS];
	unsigned int n;
	struct bench_result check; /* the validation pass */
	uint64_t failed_max;       /* most failures in a timed run */
	bool ok;
};

static int run_pass(const struct bench_alloc *a, const struct wl *w,
		    bool validate, struct bench_result *r)
{
	struct bench_checker *chk = NULL;
	memset(r, 0, sizeof(*r));
	if (validate) {
		chk = bench_checker_new(w->p.arena_pages, a->arena,
					a->size_aligned);
		if (!chk) {
			r->error = "out of host memory for the checker";
			return -1;
		}
	}
	if (a->setup(w->p.arena_pages) != 0) {
		r->error = "arena setup failed";
		bench_checker_free(chk);
		return -1;
	}
	if (w->mixed)
		a->mixed(&w->p, chk, r);
	else
		a->pair(&w->p, chk, r);
	a->teardown();
	bench_checker_free(chk);
	return r->error ? -1 : 0;
}

/* The untimed validation pass of @a on @w. */
static void validate_series(struct bench_opts *o, const struct bench_alloc *a,
			    const struct wl *w, struct series *s)
{
	memset(s, 0, sizeof(*s));
	bench_progress("%s %s: validation pass", w->id, a->name);
	if (run_pass(a, w, true, &s->check) != 0) {
		fprintf(stderr, "pmm-bench: %s %s: VALIDATION FAILED: %s\n",
			w->id, a->name, s->check.error);
		printf("  %-22s VALIDATION FAILED: %s\n", a->name,
		       s->check.error);
		o->failures++;
		return;
	}
	s->ok = true;
}

/* Timed run @i of @a on @w, when its validation passed. */
static void time_series(struct bench_opts *o, const struct bench_alloc *a,
			const struct wl *w, struct series *s, unsigned int i)
{
	struct bench_result r;
	if (!s->ok)
		return;
	bench_progress("%s %s: run %u/%u", w->id, a->name, i + 1, o->runs);
	if (run_pass(a, w, false, &r) != 0) {
		printf("  %-22s FAILED: %s\n", a->name, r.error);
		o->failures++;
		s->ok = false;
		return;
	}
	s->v[s->n++] = (double)r.ns / (double)r.ops;
	if (r.failed > s->failed_max)
		s->failed_max = r.failed;
}

static void mixed_notes(const struct series *s, bool arena, char *buf,
			size_t size)
{
	const struct bench_result *c = &s->check;
	int n = snprintf(buf, size,
			 "allocs=%llu failed=%llu failed_fill=%llu failed_timed_max=%llu",
			 (unsigned long long)c->allocs,
			 (unsigned long long)c->failed,
			 (unsigned long long)c->failed_fill,
			 (unsigned long long)s->failed_max);
	if (arena && n > 0 && (size_t)n < size)
		snprintf(buf + n, size - (size_t)n,
			 " failed_with_free_block=%llu free_2m_windows_end=%llu free_2m_blocks_end=%llu",
			 (unsigned long long)c->failed_with_free,
			 (unsigned long long)c->free_2m_windows,
			 (unsigned long long)c->free_2m_blocks);
}

static double series_median(const struct series *s)
{
	return s->ok ? bench_median_d(s->v, s->n) : 0;
}

static void run_workload(struct bench_opts *o, const struct wl *w)
{
	struct series *s = calloc(NR_ALLOCS, sizeof(*s));
	if (!s)
		return;
	char unit[96];
	snprintf(unit, sizeof(unit), "ns per %s, %llu timed, arena %llu MiB",
		 w->mixed ? "operation" : "alloc+free pair",
		 (unsigned long long)w->p.ops,
		 (unsigned long long)(w->p.arena_pages >> (20 - PMM_PAGE_SHIFT)));
	/* Runs interleaved, so that load from elsewhere hits all alike. */
	for (size_t i = 0; i < NR_ALLOCS; i++)
		if (!o->buddies_only || allocs[i]->arena || i == AI_NULL)
			validate_series(o, allocs[i], w, &s[i]);
	for (unsigned int r = 0; r < o->runs; r++)
		for (size_t i = 0; i < NR_ALLOCS; i++)
			time_series(o, allocs[i], w, &s[i], r);
	bench_section(w->title, unit,
		      "floor (plain free-list buddy); floor2_ratio = median / floor2 (floor + per-CPU LIFO)");
	double floor_med = series_median(&s[AI_FLOOR]);
	double floor2_med = series_median(&s[AI_FLOOR2]);
	for (size_t i = 0; i < NR_ALLOCS; i++) {
		char notes[320];
		if (!s[i].ok)
			continue;
		size_t n = (size_t)snprintf(notes, sizeof(notes),
					    "baseline=floor floor2_ratio=%.3f",
					    floor2_med > 0 ? series_median(&s[i]) / floor2_med : 0);
		if (w->mixed) {
			notes[n++] = ' ';
			mixed_notes(&s[i], allocs[i]->arena, notes + n,
				    sizeof(notes) - n);
		}
		bench_figure(w->id, allocs[i]->name, s[i].v, s[i].n, floor_med,
			     notes);
	}
	if (strcmp(w->id, "W3") == 0 && s[AI_NULL].ok) {
		/* Net allocator time: minus the null allocator's loop. */
		double null_med = series_median(&s[AI_NULL]);
		double net_floor = floor_med - null_med;
		double net_floor2 = floor2_med - null_med;
		bench_section("W3 net: allocator time minus the harness's null-allocator loop",
			      "ns per operation", "floor's net median");
		for (size_t i = 0; i < NR_ALLOCS; i++) {
			if (!s[i].ok || i == AI_NULL)
				continue;
			double v[BENCH_MAX_RUNS];
			for (unsigned int k = 0; k < s[i].n; k++)
				v[k] = s[i].v[k] - null_med;
			char notes[128];
			snprintf(notes, sizeof(notes),
				 "baseline=floor-net floor2_net_ratio=%.3f null_median_ns=%.2f",
				 net_floor2 > 0 ? bench_median_d(v, s[i].n) / net_floor2 : 0,
				 null_med);
			bench_figure("W3net", allocs[i]->name, v, s[i].n,
				     net_floor, notes);
		}
	}
	free(s);
}

/* W6: pmm's W2 and W3 on the standard arena and on the big one. */
static void run_w6(struct bench_opts *o, const struct wl *w2,
		   const struct wl *w3)
{
	const struct wl *ws[2] = { w2, w3 };
	for (int i = 0; i < 2; i++) {
		struct wl small = *ws[i], big = *ws[i];
		big.p.arena_pages = o->w6_pages;
		struct series s_small, s_big;
		char id[32];
		snprintf(id, sizeof(id), "W6 %s", ws[i]->id);
		small.id = big.id = id;
		validate_series(o, &bench_alloc_pmm, &small, &s_small);
		validate_series(o, &bench_alloc_pmm, &big, &s_big);
		for (unsigned int r = 0; r < o->runs; r++) {
			time_series(o, &bench_alloc_pmm, &small, &s_small, r);
			time_series(o, &bench_alloc_pmm, &big, &s_big, r);
		}
		char title[160], unit[64];
		snprintf(title, sizeof(title),
			 "W6 scale independence: pmm %s at %llu GiB vs %llu MiB",
			 ws[i]->id,
			 (unsigned long long)(o->w6_pages >> (30 - PMM_PAGE_SHIFT)),
			 (unsigned long long)(small.p.arena_pages >> (20 - PMM_PAGE_SHIFT)));
		snprintf(unit, sizeof(unit), "ns per %s",
			 ws[i]->mixed ? "operation" : "pair");
		bench_section(title, unit, "the small arena's median");
		if (!s_small.ok || !s_big.ok)
			continue;
		double base = series_median(&s_small);
		char wid[16], notes[96];
		snprintf(wid, sizeof(wid), "W6-%s", ws[i]->id);
		snprintf(notes, sizeof(notes), "arena_pages=%llu",
			 (unsigned long long)small.p.arena_pages);
		bench_figure(wid, "pmm-small", s_small.v, s_small.n, base, notes);
		snprintf(notes, sizeof(notes), "arena_pages=%llu",
			 (unsigned long long)big.p.arena_pages);
		bench_figure(wid, "pmm-big", s_big.v, s_big.n, base, notes);
		bench_buf_release(BENCH_BUF_PMM_MAP);
	}
}

/*
 * Run @w on the @n allocators of @set, interleaved as run_workload() does;
 * the ratio is against @set[0]'s median.
 */
static void run_compare(struct bench_opts *o, const struct wl *w,
			const struct bench_alloc *const *set, size_t n,
			const char *fig_id, const char *title)
{
	struct series *s = calloc(n, sizeof(*s));
	if (!s)
		return;
	for (size_t i = 0; i < n; i++)
		validate_series(o, set[i], w, &s[i]);
	for (unsigned int r = 0; r < o->runs; r++)
		for (size_t i = 0; i < n; i++)
			time_series(o, set[i], w, &s[i], r);
	char unit[96], base[64];
	snprintf(unit, sizeof(unit), "ns per %s, %llu timed, arena %llu MiB",
		 w->mixed ? "operation" : "alloc+free pair",
		 (unsigned long long)w->p.ops,
		 (unsigned long long)(w->p.arena_pages >> (20 - PMM_PAGE_SHIFT)));
	snprintf(base, sizeof(base), "%s", set[0]->name);
	bench_section(title, unit, base);
	double base_med = series_median(&s[0]);
	for (size_t i = 0; i < n; i++) {
		char notes[320];
		if (!s[i].ok)
			continue;
		int k = snprintf(notes, sizeof(notes), "baseline=%s", set[0]->name);
		if (w->mixed && k > 0) {
			notes[k++] = ' ';
			mixed_notes(&s[i], set[i]->arena, notes + k,
				    sizeof(notes) - (size_t)k);
		}
		bench_figure(fig_id, set[i]->name, s[i].v, s[i].n, base_med,
			     notes);
	}
	free(s);
}

/*
 * LZ: the lazy buddy (seed 7.3) against immediate coalescing - on the
 * seed's worst case (W1 without per-CPU lists: every free merges up to
 * the top order, the next allocation splits all the way down again) and
 * on W3 and W4 with the default per-CPU lists.
 */
static void run_lazy(struct bench_opts *o, const struct wl *w1,
		     const struct wl *w3, const struct wl *w4)
{
	static const struct bench_alloc *const worst[] = {
		&bench_alloc_pmm_nopcp_immediate, &bench_alloc_pmm_nopcp_lazy,
		&bench_alloc_floor,
	};
	static const struct bench_alloc *const mixed[] = {
		&bench_alloc_pmm_immediate, &bench_alloc_pmm_lazy,
		&bench_alloc_floor,
	};
	struct wl seed = *w1;
	seed.id = "LZ seed";
	run_compare(o, &seed, worst, 3, "LZ-seed",
		    "LZ lazy buddy, seed worst case: W1 without per-CPU lists (free, then split of the same block)");
	struct wl m3 = *w3, m4 = *w4;
	m3.id = "LZ W3";
	m4.id = "LZ W4";
	run_compare(o, &m3, mixed, 3, "LZ-W3",
		    "LZ lazy buddy on W3 (mixed, half full), per-CPU lists on");
	run_compare(o, &m4, mixed, 3, "LZ-W4",
		    "LZ lazy buddy on W4 (mixed, nearly full), per-CPU lists on");
}

static void opts_full(struct bench_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->runs = 5;
	o->arena_pages = BENCH_GIB_PAGES;
	o->w12_ops = 5000000;
	o->w3_ops = 10000000;
	o->w4_ops = 2000000;
	o->w3_pool = 50000;
	o->w4_pool = 85000;
	static const unsigned int sizes[] = { 1, 16, 64, 256, 1024 };
	for (unsigned int i = 0; i < 5; i++)
		o->w5_sizes_gib[i] = sizes[i];
	o->w5_nr_sizes = 5;
	o->w5_seed_max_gib = 256;
	o->w6_pages = BENCH_GIB_PAGES << 10;
	o->w7_ops = 5000000;
}

/* Tiny counts on an arena and pools 1/16 of the standard ones. */
static void opts_smoke(struct bench_opts *o)
{
	opts_full(o);
	o->smoke = true;
	o->runs = 1;
	o->arena_pages = BENCH_GIB_PAGES / 16;
	o->w12_ops = 20000;
	o->w3_ops = 50000;
	o->w4_ops = 20000;
	o->w3_pool = 50000 / 16;
	o->w4_pool = 85000 / 16;
	o->w5_sizes_gib[0] = 1;
	o->w5_sizes_gib[1] = 16;
	o->w5_nr_sizes = 2;
	o->w5_seed_max_gib = 1;
	o->w6_pages = BENCH_GIB_PAGES * 16;
	o->w7_ops = 20000;
}

static bool wanted(const char *only, const char *id)
{
	if (!only)
		return true;
	size_t n = strlen(id);
	for (const char *p = only; (p = strstr(p, id)); p += n)
		if (p[n] == '\0' || p[n] == ',')
			return true;
	return false;
}

/* Return: the 1, 5 and 15 minute load averages as text. */
static const char *loadavg(void)
{
	static char buf[64];
	double l[3];
	if (getloadavg(l, 3) != 3)
		return "unknown";
	snprintf(buf, sizeof(buf), "%.2f %.2f %.2f", l[0], l[1], l[2]);
	return buf;
}

static int usage(void)
{
	fprintf(stderr, "usage: pmm-bench [--smoke] [--runs N] [--buddies] [--only W1,W2,...,W5T,W5S,WB,LZ,FR,WC,WE]\n");
	return 2;
}

int main(int argc, char **argv)
{
	struct bench_opts o;
	const char *only = NULL;
	unsigned int runs = 0;
	opts_full(&o);
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--smoke") == 0)
			opts_smoke(&o);
		else if (strcmp(argv[i], "--runs") == 0 && i + 1 < argc)
			runs = (unsigned int)strtoul(argv[++i], NULL, 10);
		else if (strcmp(argv[i], "--only") == 0 && i + 1 < argc)
			only = argv[++i];
		else if (strcmp(argv[i], "--buddies") == 0)
			o.buddies_only = true;
		else
			return usage();
	}
	if (runs)
		o.runs = runs < BENCH_MAX_RUNS ? runs : BENCH_MAX_RUNS;
	if (bench_libc_init() != 0)
		return 1;
	host_plain();

	printf("pmm-bench%s: %u run(s) per figure, seed 0x%llx, %ld CPUs, load average %s\n",
	       o.smoke ? " --smoke (validation only: timings not judged)" : "",
	       o.runs, (unsigned long long)BENCH_SEED, sysconf(_SC_NPROCESSORS_ONLN),
	       loadavg());
	struct wl w[4] = {
		{ "W1", "W1 pair, empty: alloc order 0 + free on an empty arena", false,
		  { .ops = o.w12_ops } },
		{ "W2", "W2 pair, held: as W1 with one other block held", false,
		  { .ops = o.w12_ops, .hold = true } },
		{ "W3", "W3 mixed, half full: pool of at most W3_POOL live blocks", true,
		  { .ops = o.w3_ops, .pool_max = o.w3_pool } },
		{ "W4", "W4 mixed, nearly full: pool of at most W4_POOL live blocks", true,
		  { .ops = o.w4_ops, .pool_max = o.w4_pool } },
	};
	char t3[96], t4[96];
	snprintf(t3, sizeof(t3), "W3 mixed, half full: pool of at most %llu live blocks",
		 (unsigned long long)o.w3_pool);
	snprintf(t4, sizeof(t4), "W4 mixed, nearly full: pool of at most %llu live blocks",
		 (unsigned long long)o.w4_pool);
	w[2].title = t3;
	w[3].title = t4;
	for (int i = 0; i < 4; i++) {
		w[i].p.seed = BENCH_SEED;
		w[i].p.arena_pages = o.arena_pages;
		if (wanted(only, w[i].id))
			run_workload(&o, &w[i]);
	}
	if (wanted(only, "WB"))
		bench_wb(&o);
	if (wanted(only, "LZ"))
		run_lazy(&o, &w[0], &w[2], &w[3]);
	if (wanted(only, "FR"))
		bench_fr(&o);
	if (wanted(only, "WC"))
		bench_wc(&o);
	if (wanted(only, "WE")) {
		bench_we(&o);
		host_plain();
	}
	bench_buf_release(BENCH_BUF_FLOOR_MAP);
	if (wanted(only, "W5"))
		bench_w5(&o);
	if (wanted(only, "W5") || wanted(only, "W5T"))
		bench_w5t(&o);
	if (wanted(only, "W5S"))
		bench_w5s(&o);
	host_plain();
	if (wanted(only, "W6"))
		run_w6(&o, &w[1], &w[2]);
	if (wanted(only, "W7"))
		bench_w7(&o);
	if (wanted(only, "W8"))
		bench_w8(&o);
	if (wanted(only, "W9"))
		bench_w9(&o); /* bench/w9_slab.c: kmalloc vs malloc */
	printf("\nload average at the end: %s\n", loadavg());
	bench_print_lines();
	if (o.failures) {
		printf("pmm-bench: %d validation failure(s)\n", o.failures);
		return 1;
	}
	return 0;
}
