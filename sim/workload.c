/* SPDX-License-Identifier: MIT */
/*
 * workload.c - the workload description format of `pmm-sim run`, and the
 * standard workloads (shared/BENCHMARKS.md W1-W4) written in it.
 *
 * A workload is a few lines of text; '#' starts a comment:
 *
 *   seed 42
 *   phase fill  ops=40k alloc=1 order=0:70,3:20,9:10 mt=movable:8,unmovable:2 life=5k-50k
 *   phase churn ops=200k pool=fill alloc=0.5 order=geom(0.6,10) gfp=kernel:9,atomic:1
 *   phase drain ops=0 pool=fill free=all
 *
 * Each phase issues `ops` requests, one after another. A request
 * allocates when the phase's pool is empty, frees a uniformly chosen
 * block of the pool when the pool holds `hold` blocks, and otherwise
 * allocates with probability `alloc`. Keys (all optional but ops):
 *
 *   ops=N            requests (k, M suffixes: thousands, millions)
 *   alloc=P          probability of an allocation, 0..1 (default 0.5)
 *   hold=N           pool size at which the phase only frees (0: no cap)
 *   pool=NAME        pool of live blocks (default: the phase's name);
 *                    phases naming the same pool share its blocks
 *   free=F|all       free this fraction of the pool as the phase starts
 *   life=A[-B]       each allocated block is freed A..B requests later
 *                    (uniform), whichever phase runs then
 *   order=K:W,...    order K with weight W; or geom(P,MAX): P(k) =
 *                    P (1-P)^k, capped at MAX (the rest goes to MAX)
 *   mt=NAME:W,...    mobility: unmovable, movable, reclaimable
 *   gfp=NAME:W,...   zone and reclaim flags: kernel, atomic, nowait,
 *                    user, highuser, dma, dma32 (the mobility comes from mt)
 *   cpus=N           requests go round-robin over CPUs 0..N-1 (per-CPU lists)
 *   contig=N         allocations are contiguous runs of N pages
 *                    (pmm_alloc_contig(); gfp= picks the zones, mt= the type)
 *   cma=N            allocations are runs of N pages from CMA region 0
 *                    (pmm_cma_alloc(); boot with --cma SIZE)
 *   window=LO-HI     contig: every page inside [LO, HI) (bytes, K/M/G)
 *   align=SIZE       contig, cma: the run's first page aligned to SIZE
 *                    (a power of two, at least 4K; default 4K)
 *   boundary=SIZE    contig: no run crosses a multiple of SIZE (a power of
 *                    two no smaller than the run; default none)
 *
 * `seed N` seeds splitmix64 (default 1); `pmm-sim run --seed` overrides it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pmm/buddy.h>

#include "hotplug.h"
#include "lab.h"
#include "workload.h"

struct wl_builtin {
	const char *name, *text;
};

/* BENCHMARKS.md's W1-W4 on whatever machine was booted. */
static const struct wl_builtin builtins[] = {
	{ "w1", "# W1 pair, empty: alloc order 0, free it\n"
		"phase pair ops=10M hold=1 alloc=1\n" },
	{ "w2", "# W2 pair, held: as W1 with one other page held\n"
		"phase held ops=1 alloc=1\n"
		"phase pair ops=10M hold=1 alloc=1\n" },
	{ "w3", "# W3 mixed, half full: pool of 50,000, P(k) = 0.6 * 0.4^k\n"
		"phase fill ops=50k hold=50k alloc=1 order=geom(0.6,10)\n"
		"phase mixed ops=10M pool=fill hold=50k alloc=0.5 order=geom(0.6,10)\n" },
	{ "w4", "# W4 mixed, nearly full: pool of 85,000\n"
		"phase fill ops=85k hold=85k alloc=1 order=geom(0.6,10)\n"
		"phase mixed ops=2M pool=fill hold=85k alloc=0.5 order=geom(0.6,10)\n" },
};

const char *wl_builtin(const char *name)
{
	for (size_t i = 0; i < sizeof(builtins) / sizeof(builtins[0]); i++)
		if (strcmp(builtins[i].name, name) == 0)
			return builtins[i].text;
	return NULL;
}

void sim_workload_list(FILE *f)
{
	for (size_t i = 0; i < sizeof(builtins) / sizeof(builtins[0]); i++)
		fprintf(f, "%s:\n%s\n", builtins[i].name, builtins[i].text);
}

unsigned int wl_draw(const struct wl_dist *d, double u)
{
	double x = u * d->cum[d->n - 1];
	for (unsigned int i = 0; i + 1 < d->n; i++)
		if (x < d->cum[i])
			return d->value[i];
	return d->value[d->n - 1];
}

struct name_value {
	const char *name;
	unsigned int value;
};

static const struct name_value mt_names[] = {
	{ "unmovable", PMM_MT_UNMOVABLE }, { "movable", PMM_MT_MOVABLE },
	{ "reclaimable", PMM_MT_RECLAIMABLE }, { NULL, 0 },
};

static const struct name_value gfp_names[] = {
	{ "kernel", PMM_GFP_KERNEL }, { "atomic", PMM_GFP_ATOMIC },
	{ "nowait", PMM_GFP_KSWAPD_RECLAIM }, { "user", PMM_GFP_KERNEL },
	{ "highuser", PMM_GFP_HIGHUSER }, { "dma", PMM_GFP_KERNEL | PMM_GFP_DMA },
	{ "dma32", PMM_GFP_KERNEL | PMM_GFP_DMA32 }, { NULL, 0 },
};

/* Return: @s as a count with optional k/M suffix; -1 when it is not one. */
static int parse_count(const char *s, uint64_t *out)
{
	char *end;
	double v = strtod(s, &end);
	if (end == s || v < 0)
		return -1;
	if (*end == 'k' || *end == 'K')
		v *= 1e3, end++;
	else if (*end == 'M')
		v *= 1e6, end++;
	if (*end)
		return -1;
	*out = (uint64_t)(v + 0.5);
	return 0;
}

/* Return: @s as bytes with optional K/M/G suffix; -1 when it is not. */
static int parse_bytes(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v = strtoull(s, &end, 0);
	unsigned int shift = 0;
	if (end == s || *s == '-')
		return -1;
	if (*end == 'K' || *end == 'k')
		shift = 10, end++;
	else if (*end == 'M')
		shift = 20, end++;
	else if (*end == 'G')
		shift = 30, end++;
	if (*end || v > (UINT64_MAX >> shift))
		return -1;
	*out = (uint64_t)v << shift;
	return 0;
}

/* A power of two of at least @min bytes. */
static int parse_pow2(const char *s, uint64_t min, uint64_t *out)
{
	if (parse_bytes(s, out) != 0 || *out < min || (*out & (*out - 1)) != 0)
		return -1;
	return 0;
}

/* window=LO-HI in bytes, LO below HI. */
static int parse_window(const char *s, struct wl_phase *p)
{
	const char *dash = strchr(s, '-');
	char a[32];
	if (dash == NULL || (size_t)(dash - s) >= sizeof(a))
		return -1;
	memcpy(a, s, (size_t)(dash - s));
	a[dash - s] = '\0';
	if (parse_bytes(a, &p->win_lo) != 0 || parse_bytes(dash + 1, &p->win_hi) != 0)
		return -1;
	return p->win_lo < p->win_hi ? 0 : -1;
}

/* contig=N / cma=N: a run of N >= 1 pages, once per phase. */
static int parse_run(const char *s, struct wl_phase *p, enum wl_kind kind)
{
	if (p->kind != WL_PAGES || parse_count(s, &p->run_pages) != 0 ||
	    p->run_pages == 0)
		return -1;
	p->kind = kind;
	return 0;
}

static int parse_prob(const char *s, double *out)
{
	char *end;
	double v = strtod(s, &end);
	if (end == s || *end || v < 0 || v > 1)
		return -1;
	*out = v;
	return 0;
}

static int dist_add(struct wl_dist *d, unsigned int value, double w)
{
	if (d->n == WL_MAX_CHOICES || w < 0)
		return -1;
	d->value[d->n] = value;
	d->cum[d->n] = (d->n ? d->cum[d->n - 1] : 0) + w;
	d->n++;
	return 0;
}

/* geom(P,MAX): P(k) = P (1-P)^k for k < MAX, the rest at MAX. */
static int parse_geom(const char *s, struct wl_dist *d)
{
	double p;
	unsigned int max;
	char tail;
	if (sscanf(s, "geom(%lf,%u%c", &p, &max, &tail) != 3 || tail != ')' ||
	    p <= 0 || p > 1 || max > PMM_MAX_ORDER)
		return -1;
	double rest = 1;
	d->n = 0;
	for (unsigned int k = 0; k < max; k++) {
		dist_add(d, k, rest * p);
		rest *= 1 - p;
	}
	return dist_add(d, max, rest);
}

static int lookup(const struct name_value *names, const char *s, size_t len,
		  unsigned int *out)
{
	for (; names->name; names++)
		if (strlen(names->name) == len && strncmp(names->name, s, len) == 0) {
			*out = names->value;
			return 0;
		}
	return -1;
}

/* "A:W,B:W" where A is a number (names NULL) or a name of @names. */
static int parse_dist(const char *s, const struct name_value *names,
		      unsigned int max, struct wl_dist *d)
{
	d->n = 0;
	while (*s) {
		const char *colon = strchr(s, ':');
		const char *comma = strchr(s, ',');
		const char *stop = comma ? comma : s + strlen(s);
		unsigned int v;
		double w = 1;
		const char *ve = colon && colon < stop ? colon : stop;
		if (names && lookup(names, s, (size_t)(ve - s), &v) != 0)
			return -1;
		if (!names) {
			char *e;
			v = (unsigned int)strtoul(s, &e, 10);
			if (e != ve || e == s || v > max)
				return -1;
		}
		if (ve != stop) {
			char *e;
			w = strtod(ve + 1, &e);
			if (e != stop)
				return -1;
		}
		if (dist_add(d, v, w) != 0)
			return -1;
		s = comma ? comma + 1 : stop;
	}
	return d->n && d->cum[d->n - 1] > 0 ? 0 : -1;
}

static int parse_life(const char *s, struct wl_phase *p)
{
	const char *dash = strchr(s, '-');
	char a[32];
	size_t n = dash ? (size_t)(dash - s) : strlen(s);
	if (n >= sizeof(a))
		return -1;
	memcpy(a, s, n);
	a[n] = '\0';
	if (parse_count(a, &p->life_min) != 0)
		return -1;
	p->life_max = p->life_min;
	if (dash && parse_count(dash + 1, &p->life_max) != 0)
		return -1;
	return p->life_max >= p->life_min ? 0 : -1;
}

/* A hotplug key: "add=NID:START:SIZE", "offline=START:SIZE", ... */
static int parse_hotplug(struct wl_phase *p, const char *k, const char *v)
{
	char *op = p->hotplug[p->nhotplug];
	if (p->nhotplug == WL_MAX_HOTPLUG ||
	    snprintf(op, WL_HOTPLUG_LEN, "%s:%s", k, v) >= WL_HOTPLUG_LEN ||
	    sim_hotplug_check(op) != 0)
		return -1;
	p->nhotplug++;
	return 0;
}

static int parse_key(struct wl_phase *p, const char *k, const char *v)
{
	if (strcmp(k, "ops") == 0)
		return parse_count(v, &p->ops);
	if (strcmp(k, "alloc") == 0)
		return parse_prob(v, &p->alloc);
	if (strcmp(k, "hold") == 0)
		return parse_count(v, &p->hold);
	if (strcmp(k, "free") == 0)
		return strcmp(v, "all") == 0 ? (p->free_first = 1, 0) : parse_prob(v, &p->free_first);
	if (strcmp(k, "life") == 0)
		return parse_life(v, p);
	if (strcmp(k, "order") == 0)
		return strncmp(v, "geom(", 5) == 0 ? parse_geom(v, &p->order)
						    : parse_dist(v, NULL, PMM_MAX_ORDER, &p->order);
	if (strcmp(k, "mt") == 0)
		return parse_dist(v, mt_names, 0, &p->mt);
	if (strcmp(k, "gfp") == 0)
		return parse_dist(v, gfp_names, 0, &p->gfp);
	if (strcmp(k, "pool") == 0 && strlen(v) < WL_NAME_LEN)
		return snprintf(p->pool, WL_NAME_LEN, "%s", v), 0;
	if (strcmp(k, "contig") == 0)
		return parse_run(v, p, WL_CONTIG);
	if (strcmp(k, "cma") == 0)
		return parse_run(v, p, WL_CMA);
	if (strcmp(k, "window") == 0)
		return parse_window(v, p);
	if (strcmp(k, "align") == 0)
		return parse_pow2(v, PMM_PAGE_SIZE, &p->align);
	if (strcmp(k, "boundary") == 0)
		return parse_pow2(v, PMM_PAGE_SIZE, &p->boundary);
	if (sim_hotplug_is_op(k))
		return parse_hotplug(p, k, v);
	if (strcmp(k, "cpus") == 0) {
		uint64_t n;
		if (parse_count(v, &n) != 0 || n == 0 || n > PMM_NR_CPUS)
			return -1;
		p->cpus = (unsigned int)n;
		return 0;
	}
	return -2;
}

static void phase_defaults(struct wl_phase *p, const char *name)
{
	memset(p, 0, sizeof(*p));
	snprintf(p->name, WL_NAME_LEN, "%s", name);
	snprintf(p->pool, WL_NAME_LEN, "%s", name);
	p->alloc = 0.5;
	p->cpus = 1;
	p->ops = UINT64_MAX;
	p->align = PMM_PAGE_SIZE;
	dist_add(&p->order, 0, 1);
	dist_add(&p->mt, PMM_MT_UNMOVABLE, 1);
	dist_add(&p->gfp, PMM_GFP_KERNEL, 1);
}

/* Return: what is wrong with the run keys of @p, or NULL. */
static const char *run_keys_bad(const struct wl_phase *p)
{
	bool shaped = p->win_hi != 0 || p->boundary != 0 || p->align != PMM_PAGE_SIZE;
	if (p->kind == WL_PAGES && shaped)
		return "window=, align= and boundary= need contig=N or cma=N";
	if (p->kind == WL_CMA && (p->win_hi != 0 || p->boundary != 0))
		return "cma=N takes align= only (the region is its window)";
	if (p->boundary != 0 && p->boundary < p->run_pages * PMM_PAGE_SIZE)
		return "boundary= is smaller than the run: no run fits";
	if (p->win_hi != 0 && p->win_hi - p->win_lo < p->run_pages * PMM_PAGE_SIZE)
		return "window= is smaller than the run: no run fits";
	return NULL;
}

/* One "phase NAME k=v ..." line, tokenised in place. Return: 0 or -1 with @why. */
static int parse_phase(char *line, struct workload *wl, const char **why)
{
	char *save, *name = strtok_r(line, " \t", &save);
	if (!name || strlen(name) >= WL_NAME_LEN)
		return *why = "phase needs a name (up to 31 characters)", -1;
	if (wl->nphases == WL_MAX_PHASES)
		return *why = "too many phases (at most 32)", -1;
	struct wl_phase *p = &wl->phase[wl->nphases];
	phase_defaults(p, name);
	for (char *kv; (kv = strtok_r(NULL, " \t", &save));) {
		char *eq = strchr(kv, '=');
		if (!eq)
			return *why = "expected key=value", -1;
		*eq = '\0';
		int r = parse_key(p, kv, eq + 1);
		if (r == -2)
			return *why = "unknown key (ops, alloc, hold, pool, free, life, order, mt, gfp, cpus, contig, cma, window, align, boundary, add, add_kernel, add_movable, offline, online, online_auto, online_kernel, online_movable, remove)", -1;
		if (r != 0)
			return *why = "bad value", -1;
	}
	if (p->ops == UINT64_MAX)
		return *why = "phase needs ops=N", -1;
	if ((*why = run_keys_bad(p)) != NULL)
		return -1;
	wl->nphases++;
	return 0;
}

static int parse_line(char *line, struct workload *wl, const char **why)
{
	char *hash = strchr(line, '#');
	if (hash)
		*hash = '\0';
	line += strspn(line, " \t\r");
	if (!*line)
		return 0;
	if (strncmp(line, "seed", 4) == 0 && (line[4] == ' ' || line[4] == '\t')) {
		char *end;
		wl->seed = strtoull(line + 5, &end, 0);
		if (end[strspn(end, " \t\r")] != '\0')
			return *why = "seed takes one number", -1;
		return 0;
	}
	if (strncmp(line, "phase", 5) == 0 && (line[5] == ' ' || line[5] == '\t'))
		return parse_phase(line + 6, wl, why);
	return *why = "expected 'seed N' or 'phase NAME key=value ...'", -1;
}

int wl_parse(const char *text, const char *name, struct workload *wl,
	     char *err, size_t errlen)
{
	char *copy = strdup(text);
	unsigned int lineno = 0;
	memset(wl, 0, sizeof(*wl));
	wl->seed = 1;
	if (!copy)
		return snprintf(err, errlen, "%s: out of memory", name), -1;
	/* strsep keeps empty lines, so line numbers stay right */
	for (char *s = copy, *line; (line = strsep(&s, "\n"));) {
		const char *why = NULL;
		lineno++;
		if (parse_line(line, wl, &why) != 0) {
			snprintf(err, errlen, "%s:%u: %s", name, lineno, why);
			free(copy);
			return -1;
		}
	}
	free(copy);
	if (wl->nphases == 0)
		return snprintf(err, errlen, "%s: no phase (write 'phase NAME ops=N ...')", name), -1;
	return 0;
}
