/* SPDX-License-Identifier: MIT */
/*
 * run.c - `pmm-sim run`: execute a workload (workload.c) against the
 * booted allocator through the public API, with metrics as it goes.
 *
 * Live blocks sit in a table of records; each pool is an array of record
 * ids (a free picks a uniform slot and swaps the last one in), and blocks
 * with a lifetime also sit in a min-heap of expiry times, checked before
 * every request. A record freed early leaves a stale heap entry, which
 * the generation number makes the heap skip.
 *
 * A phase with contig=N or cma=N allocates runs of N pages instead
 * (pmm_alloc_contig(), pmm_cma_alloc()); a run is a record like a block,
 * freed with pmm_free_contig() or pmm_cma_release(). While the workload
 * runs, the platform's migrate hook moves the runner's own movable blocks
 * out of a CMA region: a new block of the same order and type, the record
 * (and the pfn index) pointed at it, the old one freed.
 */
#include <stdlib.h>
#include <string.h>

#include <pmm/contig.h>

#include "host_platform.h"
#include "hotplug.h"
#include "lab.h"
#include "trace.h"
#include "workload.h"

struct blk {
	pmm_pfn_t pfn;
	uint64_t run;       /* pages of a contig= / cma= run; 0: a buddy block */
	uint32_t slot;      /* index in its pool's array */
	uint32_t gen;       /* bumped when freed */
	uint16_t pool;
	uint8_t order, mt;
	uint8_t cpu, live;
	uint8_t kind;       /* enum wl_kind */
};

struct pool {
	char name[WL_NAME_LEN];
	uint32_t *ids;
	uint64_t n, cap;
};

struct expiry {
	uint64_t when;
	uint32_t id, gen;
};

struct runner {
	struct blk *blk;
	uint32_t nblk, capblk;
	uint32_t *free_ids;       /* recycled record ids */
	uint32_t nfree_ids;
	struct pool pool[WL_MAX_PHASES];
	unsigned int npools;
	struct expiry *heap;
	uint64_t nheap, capheap;
	uint64_t tick, rng;
	uint32_t *by_pfn;         /* record id + 1 of the buddy block at each pfn */
	FILE *trace;
	struct sim_metrics *m;
	struct sim_lab_stats *st;
};

static int grow(void **p, uint64_t *cap, size_t elem)
{
	uint64_t n = *cap ? *cap * 2 : 1024;
	void *q = realloc(*p, n * elem);
	if (!q)
		return -1;
	*p = q;
	*cap = n;
	return 0;
}

static unsigned int pool_id(struct runner *r, const char *name)
{
	for (unsigned int i = 0; i < r->npools; i++)
		if (strcmp(r->pool[i].name, name) == 0)
			return i;
	snprintf(r->pool[r->npools].name, WL_NAME_LEN, "%s", name);
	return r->npools++;
}

static void heap_push(struct runner *r, struct expiry e)
{
	if (r->nheap == r->capheap && grow((void **)&r->heap, &r->capheap, sizeof(e)))
		return;
	uint64_t i = r->nheap++;
	while (i > 0 && r->heap[(i - 1) / 2].when > e.when) {
		r->heap[i] = r->heap[(i - 1) / 2];
		i = (i - 1) / 2;
	}
	r->heap[i] = e;
}

static struct expiry heap_pop(struct runner *r)
{
	struct expiry top = r->heap[0], last = r->heap[--r->nheap];
	uint64_t i = 0;
	for (;;) {
		uint64_t c = 2 * i + 1;
		if (c >= r->nheap)
			break;
		if (c + 1 < r->nheap && r->heap[c + 1].when < r->heap[c].when)
			c++;
		if (r->heap[c].when >= last.when)
			break;
		r->heap[i] = r->heap[c];
		i = c;
	}
	if (r->nheap)
		r->heap[i] = last;
	return top;
}

static void emit(struct runner *r, enum sim_ev_kind kind, const struct blk *b,
		 unsigned int gfp, int failed)
{
	struct sim_event ev = {
		.kind = kind, .cpu = b->cpu, .pfn = failed ? 0 : b->pfn,
		.order = b->order, .mt = b->mt, .gfp = gfp, .failed = failed,
	};
	if (r->trace)
		sim_trace_write(r->trace, &ev, r->st->events);
}

static void count_event(struct runner *r)
{
	r->st->events++;
	sim_metrics_tick(r->m, r->st->events);
}

/* Give back @b: a buddy block, or a run. Return: pmm's answer. */
static int run_free(struct runner *r, const struct blk *b)
{
	struct pmm_page *pg = pmm_pfn_to_page(b->pfn);
	if (b->kind == WL_CONTIG)
		return pmm_free_contig(pg, b->run);
	if (b->kind == WL_CMA)
		return pmm_cma_release(0, pg, b->run);
	r->by_pfn[b->pfn] = 0;
	return pmm_free_pages(pg, b->order);
}

static void block_free(struct runner *r, uint32_t id)
{
	struct blk *b = &r->blk[id];
	struct pool *p = &r->pool[b->pool];
	host_set_cpu(b->cpu);
	if (run_free(r, b) != 0)
		r->st->free_errors++;
	if (b->kind == WL_PAGES)
		emit(r, SIM_EV_FREE, b, 0, 0);
	p->ids[b->slot] = p->ids[--p->n];
	r->blk[p->ids[b->slot]].slot = b->slot;
	b->live = 0;
	b->gen++;
	r->free_ids[r->nfree_ids++] = id;
	r->st->frees++;
	count_event(r);
}

static uint32_t block_new(struct runner *r)
{
	if (r->nfree_ids)
		return r->free_ids[--r->nfree_ids];
	if (r->nblk == r->capblk) {
		uint32_t cap = r->capblk ? r->capblk * 2 : 4096;
		struct blk *b = realloc(r->blk, cap * sizeof(*b));
		uint32_t *f = realloc(r->free_ids, cap * sizeof(*f));
		if (b)
			r->blk = b;
		if (f)
			r->free_ids = f;
		if (!b || !f)
			return UINT32_MAX;
		r->capblk = cap;
	}
	r->blk[r->nblk].gen = 0;
	return r->nblk++;
}

/* Keep the new record @id (block or run) in @pool, with its lifetime. */
static void block_keep(struct runner *r, const struct wl_phase *ph,
		       unsigned int pool, uint32_t id)
{
	struct pool *p = &r->pool[pool];
	struct blk *b = &r->blk[id];
	b->pool = (uint16_t)pool;
	b->slot = (uint32_t)p->n;
	b->live = 1;
	p->ids[p->n++] = id;
	if (ph->life_max) {
		uint64_t span = ph->life_max - ph->life_min + 1;
		heap_push(r, (struct expiry){ r->tick + ph->life_min + sim_rand(&r->rng) % span,
					      id, b->gen });
	}
}

/* A run of @ph's kind. Return: its first page, or NULL. */
static struct pmm_page *run_alloc(const struct wl_phase *ph, unsigned int gfp)
{
	if (ph->kind == WL_CMA)
		return pmm_cma_alloc(0, ph->run_pages,
				     (pmm_order_t)__builtin_ctzll(ph->align >> PMM_PAGE_SHIFT));
	pmm_phys_t hi = ph->win_hi != 0 ? ph->win_hi : PMM_PFN_PHYS(pmm_max_pfn);
	return pmm_alloc_contig(ph->run_pages, gfp, ph->win_lo, hi, ph->align,
				ph->boundary);
}

/* One contig= / cma= request of @ph into @pool. */
static void run_request(struct runner *r, const struct wl_phase *ph,
			unsigned int pool, unsigned int cpu)
{
	struct pool *p = &r->pool[pool];
	unsigned int mt = wl_draw(&ph->mt, sim_rand_unit(&r->rng));
	unsigned int gfp = wl_draw(&ph->gfp, sim_rand_unit(&r->rng)) |
			   mt << PMM_GFP_MT_SHIFT;
	bool cma = ph->kind == WL_CMA;
	host_set_cpu(cpu);
	struct pmm_page *pg = run_alloc(ph, gfp);
	uint32_t id = pg ? block_new(r) : UINT32_MAX;
	if ((p->n == p->cap && grow((void **)&p->ids, &p->cap, sizeof(uint32_t))) ||
	    (pg && id == UINT32_MAX)) {
		if (pg)
			(void)(cma ? pmm_cma_release(0, pg, ph->run_pages)
				   : pmm_free_contig(pg, ph->run_pages));
		pg = NULL;
	}
	*(cma ? &r->st->cma : &r->st->contig) += 1;
	count_event(r);
	if (!pg) {
		*(cma ? &r->st->cma_failed : &r->st->contig_failed) += 1;
		return;
	}
	struct blk *b = &r->blk[id];
	uint32_t gen = b->gen;
	*b = (struct blk){ .pfn = pmm_page_to_pfn(pg), .run = ph->run_pages,
			   .gen = gen, .mt = (uint8_t)mt, .cpu = (uint8_t)cpu,
			   .kind = (uint8_t)ph->kind };
	block_keep(r, ph, pool, id);
}

static void block_alloc(struct runner *r, const struct wl_phase *ph,
			unsigned int pool, unsigned int cpu)
{
	if (ph->kind != WL_PAGES) {
		run_request(r, ph, pool, cpu);
		return;
	}
	struct pool *p = &r->pool[pool];
	struct blk tmp = { .order = (uint8_t)wl_draw(&ph->order, sim_rand_unit(&r->rng)),
			   .mt = (uint8_t)wl_draw(&ph->mt, sim_rand_unit(&r->rng)),
			   .cpu = (uint8_t)cpu };
	unsigned int gfp = wl_draw(&ph->gfp, sim_rand_unit(&r->rng)) |
			   (unsigned int)tmp.mt << PMM_GFP_MT_SHIFT;
	host_set_cpu(cpu);
	struct pmm_page *pg = pmm_alloc_pages_tagged(PMM_NUMA_NO_NODE, gfp, tmp.order,
						     sim_lab_tag(tmp.mt), NULL);
	uint32_t id = pg ? block_new(r) : UINT32_MAX;
	if ((p->n == p->cap && grow((void **)&p->ids, &p->cap, sizeof(uint32_t))) ||
	    (pg && id == UINT32_MAX)) {
		if (pg)
			pmm_free_pages(pg, tmp.order);
		pg = NULL;
	}
	r->st->allocs++;
	if (!pg) {
		r->st->failed++;
		r->st->failed_by_order[tmp.order]++;
		emit(r, SIM_EV_ALLOC, &tmp, gfp, 1);
		count_event(r);
		return;
	}
	struct blk *b = &r->blk[id];
	uint32_t gen = b->gen;
	*b = tmp;
	b->gen = gen;
	b->pfn = pmm_page_to_pfn(pg);
	r->by_pfn[b->pfn] = id + 1;
	block_keep(r, ph, pool, id);
	emit(r, SIM_EV_ALLOC, b, gfp, 0);
	count_event(r);
}

static void expire(struct runner *r)
{
	while (r->nheap && r->heap[0].when <= r->tick) {
		struct expiry e = heap_pop(r);
		if (r->blk[e.id].live && r->blk[e.id].gen == e.gen)
			block_free(r, e.id);
	}
}

static void free_fraction(struct runner *r, unsigned int pool, double frac)
{
	struct pool *p = &r->pool[pool];
	uint64_t n = (uint64_t)((double)p->n * frac + 0.5);
	while (n-- && p->n)
		block_free(r, p->ids[sim_rand(&r->rng) % p->n]);
}

/*
 * Run @ph's hotplug keys; an offline moves the workload's movable blocks
 * through the migrate hook the run installs. Return: 0 or 1.
 */
static int run_hotplug(struct runner *r, const struct wl_phase *ph)
{
	uint64_t moved = r->st->moved;
	int bad = 0;
	for (unsigned int i = 0; i < ph->nhotplug && !bad; i++)
		bad = sim_hotplug_apply(ph->hotplug[i], stdout);
	if (r->st->moved != moved)
		printf("pmm-sim: phase %s: the migrate hook moved %llu movable blocks\n",
		       ph->name, (unsigned long long)(r->st->moved - moved));
	return bad;
}

static int run_phase(struct runner *r, const struct wl_phase *ph)
{
	unsigned int pool = pool_id(r, ph->pool);
	struct pool *p = &r->pool[pool];
	if (ph->nhotplug && run_hotplug(r, ph) != 0)
		return 1;
	if (ph->free_first > 0)
		free_fraction(r, pool, ph->free_first);
	for (uint64_t i = 0; i < ph->ops; i++) {
		r->tick++;
		expire(r);
		unsigned int cpu = (unsigned int)(i % ph->cpus);
		bool alloc = p->n == 0 ||
			     (!(ph->hold && p->n >= ph->hold) &&
			      sim_rand_unit(&r->rng) < ph->alloc);
		if (alloc)
			block_alloc(r, ph, pool, cpu);
		else
			block_free(r, p->ids[sim_rand(&r->rng) % p->n]);
	}
	return 0;
}

/* The runner the migrate hook works on (one workload runs at a time). */
static struct runner *migrate_runner;

/*
 * The platform's migrate hook: move the runner's movable block at @pfn
 * (order @order) to a new block of the same type. Return: 0, or -1 (not
 * one of its movable blocks, or no new block).
 */
static int run_migrate(void *ctx, pmm_pfn_t pfn, pmm_order_t order)
{
	struct runner *r = migrate_runner;
	(void)ctx;
	uint32_t id = pfn < pmm_max_pfn ? r->by_pfn[pfn] : 0;
	struct blk *b = id != 0 ? &r->blk[id - 1] : NULL;
	struct pmm_page *n = NULL;
	if (b != NULL && b->order == order && b->mt == PMM_MT_MOVABLE)
		n = pmm_alloc_pages_tagged(PMM_NUMA_NO_NODE, PMM_GFP_USER_MOVABLE,
					   order, sim_lab_tag(b->mt), NULL);
	if (n == NULL) {
		r->st->unmoved++;
		return -1;
	}
	r->by_pfn[pfn] = 0;
	b->pfn = pmm_page_to_pfn(n);
	r->by_pfn[b->pfn] = id;
	r->st->moved++;
	return pmm_free_pages(pmm_pfn_to_page(pfn), order);
}

/* Install (or, @r NULL, remove) the migrate hook over @r's blocks. */
static void migrate_hook(struct runner *r)
{
	struct pmm_platform plat = *pmm_platform_get();
	migrate_runner = r;
	plat.migrate = r != NULL ? run_migrate : NULL;
	pmm_platform_set(&plat);
}

/*
 * Return: what keeps @wl from running on this machine with @trace_out,
 * or NULL.
 */
static const char *workload_unfit(const struct workload *wl, FILE *trace_out)
{
	for (unsigned int i = 0; i < wl->nphases; i++) {
		if (wl->phase[i].kind == WL_PAGES)
			continue;
		if (trace_out != NULL)
			return "--trace-out: contig= and cma= runs have no ftrace event; drop one";
		if (wl->phase[i].kind == WL_CMA && pmm_cma_count() == 0)
			return "cma= needs a CMA region: boot with --cma SIZE";
	}
	return NULL;
}

static void runner_free(struct runner *r)
{
	free(r->by_pfn);
	free(r->blk);
	free(r->free_ids);
	free(r->heap);
	for (unsigned int i = 0; i < r->npools; i++)
		free(r->pool[i].ids);
}

/* The workload's text: a built-in name, or the contents of a file. */
static char *workload_text(const char *name)
{
	const char *b = wl_builtin(name);
	if (b)
		return strdup(b);
	FILE *f = fopen(name, "r");
	if (!f)
		return NULL;
	char *buf = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&buf, &len);
	char chunk[4096];
	size_t n;
	while (mem && (n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		fwrite(chunk, 1, n, mem);
	fclose(f);
	if (mem)
		fclose(mem);
	return buf;
}

int sim_run_workload(const char *name, uint64_t seed, FILE *trace_out,
		     struct sim_metrics *m, struct sim_lab_stats *st)
{
	static struct workload wl;
	static struct runner r;
	char err[256];
	char *text = workload_text(name);
	if (!text) {
		fprintf(stderr, "pmm-sim: run: %s is neither a built-in workload "
			"(w1 w2 w3 w4: run --list) nor a readable file\n", name);
		return 1;
	}
	int bad = wl_parse(text, name, &wl, err, sizeof(err));
	free(text);
	if (bad) {
		fprintf(stderr, "pmm-sim: %s\n", err);
		return 1;
	}
	const char *unfit = workload_unfit(&wl, trace_out);
	if (unfit) {
		fprintf(stderr, "pmm-sim: %s: %s\n", name, unfit);
		return 1;
	}
	memset(&r, 0, sizeof(r));
	r.by_pfn = calloc(pmm_max_pfn, sizeof(*r.by_pfn));
	if (!r.by_pfn) {
		fprintf(stderr, "pmm-sim: run: out of memory\n");
		return 1;
	}
	r.rng = seed ? seed : wl.seed;
	r.trace = trace_out;
	r.m = m;
	r.st = st;
	migrate_hook(&r);
	int bad_phase = 0;
	for (unsigned int i = 0; i < wl.nphases && !bad_phase; i++)
		bad_phase = run_phase(&r, &wl.phase[i]);
	migrate_hook(NULL);
	runner_free(&r);
	host_set_cpu(0);
	return bad_phase;
}
