/* SPDX-License-Identifier: MIT */
/*
 * w9_slab.c - W9: general-purpose allocation of mixed sizes: pmm's
 * kmalloc/kfree (the slab layer over the buddy allocator) against glibc's
 * malloc/free, jemalloc and mimalloc, on one request stream.
 *
 * The stream is made once, untimed: W9_OPS operations on a pool of at most
 * W9_POOL live allocations (allocate when the pool is empty or, while it
 * is not full, with probability 1/2; otherwise free a random live one),
 * sizes drawn as a kernel's are skewed: 60% 8..128 bytes, 25% 129..1024,
 * 12% 1025..8192, 3% 8193..32768 (pages for kmalloc). Every allocator
 * replays it exactly and writes the first byte of each allocation. The
 * validation pass (untimed, first) fills every allocation with its own
 * byte and checks it before the free, so overlapping allocations are
 * caught; for pmm, pmm_slab_check() and pmm_check() must then hold and no
 * report may have been made. Figures: ns per operation, median of the
 * runs, ratio against glibc; then the same with W9_THREADS threads (pmm's
 * each on its own CPU number) replaying the stream at once, as wall time
 * per operation of all threads, and pmm checked again after each run.
 * W9s repeats both on a stream of objects up to 1 KiB only (70% 8..128,
 * 30% 129..1024), which never reaches the buddy allocator after warm-up:
 * the slab layer's own scaling, without the zone lock of page-sized
 * kmallocs. The runs are interleaved (run r of every allocator, then run
 * r + 1), and pmm's ratio to mimalloc is the median of the per-run
 * quotients. W9b times kmem_cache_alloc_bulk()/kmem_cache_free_bulk() in
 * batches of 16 and 64 against as many single calls.
 */
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <pmm/check.h>
#include <pmm/slab.h>

#include "bench.h"
#include "host_platform.h"

void bench_w9(struct bench_opts *o);
int bench_je_posix_memalign(void **ptr, size_t align, size_t size);
void bench_je_free(void *ptr);

/* One request: allocate @size bytes into slot @slot, or (size 0) free it. */
struct w9_req {
	uint32_t size;
	uint32_t slot;
};

struct w9_stream {
	struct w9_req *req;
	uint64_t n;
	uint32_t pool;
};

static void *(*mi_malloc_fn)(size_t);
static void (*mi_free_fn)(void *);

/* A request size: the mixed stream, or (@small) objects up to 1 KiB. */
static uint32_t w9_size(uint64_t x, bool small)
{
	uint64_t pick = x % 100, r = x >> 8;
	if (small)
		return pick < 70 ? 8 + (uint32_t)(r % 121) : 129 + (uint32_t)(r % 896);
	if (pick < 60)
		return 8 + (uint32_t)(r % 121);
	if (pick < 85)
		return 129 + (uint32_t)(r % 896);
	if (pick < 97)
		return 1025 + (uint32_t)(r % 7168);
	return 8193 + (uint32_t)(r % 24576);
}

/* Build the request stream; Return: 0 or -1 (host memory). */
static int w9_stream_make(struct w9_stream *s, uint64_t ops, uint32_t pool,
			  bool small)
{
	uint32_t *live = malloc(pool * sizeof(*live)); /* live slots, dense */
	uint32_t *free_slots = malloc(pool * sizeof(*free_slots));
	s->req = malloc(ops * sizeof(*s->req));
	if (!live || !free_slots || !s->req) {
		free(live);
		free(free_slots);
		free(s->req);
		return -1;
	}
	for (uint32_t i = 0; i < pool; i++)
		free_slots[i] = pool - 1 - i;
	uint32_t nlive = 0, nfree = pool;
	uint64_t rng = BENCH_SEED ^ 0x9;
	for (uint64_t i = 0; i < ops; i++) {
		uint64_t x = bench_rng_next(&rng);
		bool alloc = nlive == 0 || (nfree != 0 && (x & 1));
		if (alloc) {
			uint32_t slot = free_slots[--nfree];
			live[nlive++] = slot;
			s->req[i] = (struct w9_req){ w9_size(x >> 1, small), slot };
			continue;
		}
		uint32_t k = (uint32_t)((x >> 1) % nlive);
		uint32_t slot = live[k];
		live[k] = live[--nlive];
		free_slots[nfree++] = slot;
		s->req[i] = (struct w9_req){ 0, slot };
	}
	s->n = ops;
	s->pool = pool;
	free(live);
	free(free_slots);
	return 0;
}

enum w9_alloc { W9_PMM, W9_GLIBC, W9_JE, W9_MI, W9_NR };
static const char *const w9_names[W9_NR] = { "pmm-kmalloc", "glibc", "jemalloc",
					     "mimalloc" };

static inline void *w9_malloc(enum w9_alloc a, size_t size)
{
	void *p = NULL;
	switch (a) {
	case W9_PMM:
		return pmm_kmalloc(size, PMM_GFP_KERNEL);
	case W9_GLIBC:
		return malloc(size);
	case W9_JE:
		return bench_je_posix_memalign(&p, 16, size) ? NULL : p;
	default:
		return mi_malloc_fn(size);
	}
}

static inline void w9_free(enum w9_alloc a, void *p)
{
	switch (a) {
	case W9_PMM:
		(void)pmm_kfree(p);
		break;
	case W9_GLIBC:
		free(p);
		break;
	case W9_JE:
		bench_je_free(p);
		break;
	default:
		mi_free_fn(p);
	}
}

/* Validation pass of @a: every byte of every allocation checked. */
static const char *w9_validate(enum w9_alloc a, const struct w9_stream *s,
			       void **slot, uint32_t *size)
{
	for (uint64_t i = 0; i < s->n; i++) {
		const struct w9_req *r = &s->req[i];
		if (r->size) {
			unsigned char *p = w9_malloc(a, r->size);
			if (!p)
				return "allocation failed";
			memset(p, (int)(r->slot & 0xff) | 1, r->size);
			slot[r->slot] = p;
			size[r->slot] = r->size;
			continue;
		}
		unsigned char *p = slot[r->slot];
		for (uint32_t k = 0; k < size[r->slot]; k++)
			if (p[k] != ((r->slot & 0xff) | 1))
				return "an allocation was overwritten (overlap)";
		w9_free(a, p);
		slot[r->slot] = NULL;
	}
	return NULL;
}

/* One timed replay. Return: ns, or 0 when an allocation failed. */
static uint64_t w9_time(enum w9_alloc a, const struct w9_stream *s, void **slot)
{
	uint64_t t0 = bench_now_ns();
	for (uint64_t i = 0; i < s->n; i++) {
		const struct w9_req *r = &s->req[i];
		if (r->size) {
			unsigned char *p = w9_malloc(a, r->size);
			if (__builtin_expect(!p, 0))
				return 0;
			p[0] = 1;
			slot[r->slot] = p;
		} else {
			w9_free(a, slot[r->slot]);
			slot[r->slot] = NULL;
		}
	}
	return bench_now_ns() - t0;
}

static void w9_drain(enum w9_alloc a, void **slot, uint32_t pool)
{
	for (uint32_t i = 0; i < pool; i++)
		if (slot[i]) {
			w9_free(a, slot[i]);
			slot[i] = NULL;
		}
}

#define W9_THREADS 2

struct w9_thread {
	enum w9_alloc a;
	const struct w9_stream *s;
	void **slot;
	unsigned int cpu;
	pthread_barrier_t *start;
	uint64_t ns, t0; /* its replay's time, and when it began */
};

static void *w9_thread_main(void *arg)
{
	struct w9_thread *t = arg;
	host_set_cpu(t->cpu);
	pthread_barrier_wait(t->start);
	t->t0 = bench_now_ns();
	t->ns = w9_time(t->a, t->s, t->slot);
	return NULL;
}

/* W9_THREADS replays at once, each with its own slots (@slots holds
 * W9_THREADS pools). Return: wall ns, or 0 when an allocation failed. */
static uint64_t w9_time_threads(enum w9_alloc a, const struct w9_stream *s,
				void **slots)
{
	pthread_barrier_t start;
	struct w9_thread t[W9_THREADS];
	pthread_t id[W9_THREADS];
	bool failed = false;
	pthread_barrier_init(&start, NULL, W9_THREADS + 1);
	for (unsigned int i = 0; i < W9_THREADS; i++) {
		t[i] = (struct w9_thread){ a, s, slots + (size_t)i * s->pool, i,
					   &start, 0, 0 };
		pthread_create(&id[i], NULL, w9_thread_main, &t[i]);
	}
	pthread_barrier_wait(&start);
	for (unsigned int i = 0; i < W9_THREADS; i++)
		pthread_join(id[i], NULL);
	pthread_barrier_destroy(&start);
	host_set_cpu(0);
	/* Wall time from the first thread's start to the last one's end, as
	 * the threads saw it (the main thread may run late on a busy host). */
	uint64_t first = UINT64_MAX, last = 0;
	for (unsigned int i = 0; i < W9_THREADS; i++) {
		failed = failed || t[i].ns == 0;
		first = t[i].t0 < first ? t[i].t0 : first;
		last = t[i].t0 + t[i].ns > last ? t[i].t0 + t[i].ns : last;
		w9_drain(a, slots + (size_t)i * s->pool, s->pool);
	}
	return failed ? 0 : last - first;
}

/*
 * Make the arena's @pages of simulated memory resident, as a machine's
 * memory is: without it every slab's first touch in a timed run is a
 * page fault of the host (its memory is mapped afresh for each run),
 * which the other allocators, reusing their memory, do not pay.
 */
static void w9_pmm_populate(uint64_t pages)
{
	unsigned char *p = host_phys_ptr(PMM_PFN_PHYS(BENCH_ARENA_BASE));
	size_t bytes = (size_t)PMM_PFN_PHYS(pages);
	if (p == NULL || madvise(p, bytes, MADV_POPULATE_WRITE) == 0)
		return;
	for (size_t off = 0; off < bytes; off += PMM_PAGE_SIZE)
		p[off] = 0; /* kernels before 5.14: one write a page */
}

/* pmm: touchable simulated memory (resident), the arena, the slab layer. */
static int w9_pmm_setup(uint64_t pages)
{
	struct host_platform_options ho = {
		.phys_size = PMM_PFN_PHYS(BENCH_ARENA_BASE + pages),
		.quiet = true,
		.quiet_reports = false,
	};
	if (host_platform_install(&ho) != 0 || bench_pmm_arena(pages, true) != 0)
		return -1;
	w9_pmm_populate(pages);
	return pmm_slab_init(0);
}

static const char *w9_pmm_verify(void)
{
	static char msg[200];
	const char *e = pmm_slab_check();
	if (!e)
		e = pmm_check();
	if (!e && host_report_count()) {
		snprintf(msg, sizeof(msg), "pmm reported: %s", host_last_report_msg());
		e = msg;
	}
	return e;
}

static int w9_mi_init(void)
{
	void *h = dlopen("libmimalloc.so.2", RTLD_NOW | RTLD_LOCAL);
	if (!h)
		return -1;
	union { void *obj; void *(*fn)(size_t); } m = { dlsym(h, "mi_malloc") };
	union { void *obj; void (*fn)(void *); } f = { dlsym(h, "mi_free") };
	mi_malloc_fn = m.fn;
	mi_free_fn = f.fn;
	return m.obj && f.obj ? 0 : -1;
}

/* Validation pass of allocator @a; Return: true, or false (reported). */
static bool w9_check(struct bench_opts *o, enum w9_alloc a,
		     const struct w9_stream *s, uint64_t pages, void **slot,
		     uint32_t *size)
{
	const char *e = NULL;
	bench_progress("W9 %s: validation pass", w9_names[a]);
	if (a == W9_PMM && w9_pmm_setup(pages) != 0)
		e = "pmm set-up failed";
	if (!e)
		e = w9_validate(a, s, slot, size);
	w9_drain(a, slot, s->pool);
	if (!e && a == W9_PMM)
		e = w9_pmm_verify();
	if (!e)
		return true;
	printf("  %-22s VALIDATION FAILED: %s\n", w9_names[a], e);
	o->failures++;
	return false;
}

/* Timed run @r of allocator @a: one thread into @v[r], W9_THREADS into
 * @vt[r]. Return: true, or false (reported). */
static bool w9_timed(struct bench_opts *o, enum w9_alloc a, unsigned int r,
		     const struct w9_stream *s, uint64_t pages, double *v,
		     double *vt, void **slot)
{
	const char *e = NULL;
	bench_progress("W9 %s: run %u/%u", w9_names[a], r + 1, o->runs);
	if (a == W9_PMM && w9_pmm_setup(pages) != 0)
		e = "pmm set-up failed";
	uint64_t ns = e ? 0 : w9_time(a, s, slot);
	w9_drain(a, slot, s->pool);
	if (!e && a == W9_PMM && w9_pmm_setup(pages) != 0)
		e = "pmm set-up failed";
	uint64_t nt = e || !ns ? 0 : w9_time_threads(a, s, slot);
	if (!e && a == W9_PMM)
		e = w9_pmm_verify();
	if (!e && (ns == 0 || nt == 0))
		e = "allocation failed in a timed run";
	v[r] = (double)ns / (double)s->n;
	vt[r] = (double)nt / (double)(s->n * W9_THREADS);
	if (!e)
		return true;
	printf("  %-22s VALIDATION FAILED: %s\n", w9_names[a], e);
	o->failures++;
	return false;
}

static void w9_report(const struct bench_opts *o, const char *id,
		      const char *title, const char *unit,
		      double v[][BENCH_MAX_RUNS], const bool *ok,
		      const char *notes)
{
	bench_section(title, unit, "glibc");
	double base = ok[W9_GLIBC] ? bench_median_d(v[W9_GLIBC], o->runs) : 0;
	for (int a = 0; a < W9_NR; a++)
		if (ok[a])
			bench_figure(id, w9_names[a], v[a], o->runs, base, notes);
	if (!ok[W9_PMM] || !ok[W9_MI])
		return;
	/* The runs are interleaved: run r of pmm and of mimalloc saw the
	 * same load, so the median of their quotients is the fair ratio. */
	double q[BENCH_MAX_RUNS];
	for (unsigned int r = 0; r < o->runs; r++)
		q[r] = v[W9_PMM][r] / v[W9_MI][r];
	double m = bench_median_d(q, o->runs);
	printf("  pmm-kmalloc / mimalloc, median of the per-run quotients: %.3f\n", m);
	bench_value(id, "pmm-kmalloc/mimalloc", "ratio", m, notes);
}

/* Run and report W9 on one stream: @small picks objects up to 1 KiB only
 * (ids "W9s", "W9s-threads"), else the mixed sizes ("W9", "W9-threads"). */
static void w9_run(struct bench_opts *o, bool small, void **slot,
		   uint32_t *size)
{
	uint64_t ops = o->smoke ? 100000 : 10000000;
	uint32_t pool = o->smoke ? 2000 : 20000;
	uint64_t pages = o->smoke ? BENCH_GIB_PAGES / 16 : BENCH_GIB_PAGES / 2;
	struct w9_stream s;
	if (w9_stream_make(&s, ops, pool, small) != 0) {
		fprintf(stderr, "pmm-bench: W9: out of host memory\n");
		o->failures++;
		return;
	}
	static double v[W9_NR][BENCH_MAX_RUNS], vt[W9_NR][BENCH_MAX_RUNS];
	bool ok[W9_NR];
	for (int a = 0; a < W9_NR; a++)
		ok[a] = w9_check(o, (enum w9_alloc)a, &s, pages, slot, size);
	/* Run r of every allocator, then run r + 1: a change of the machine's
	 * load during the series falls on all of them alike. */
	for (unsigned int r = 0; r < o->runs; r++)
		for (int a = 0; a < W9_NR; a++)
			ok[a] = ok[a] && w9_timed(o, (enum w9_alloc)a, r, &s,
						  pages, v[a], vt[a], slot);
	const char *sizes = small ? "8 B..1 KiB" : "8 B..32 KiB";
	char unit[128], notes[160], title[96];
	snprintf(unit, sizeof(unit),
		 "ns per operation, %llu timed, pool of at most %u live, sizes %s",
		 (unsigned long long)ops, pool, sizes);
	snprintf(notes, sizeof(notes), "baseline=glibc ops=%llu pool=%u sizes=%s",
		 (unsigned long long)ops, pool, small ? "8-1024" : "8-32768");
	snprintf(title, sizeof(title), "W9%s kmalloc/kfree, sizes %s, one thread",
		 small ? "s" : "", sizes);
	w9_report(o, small ? "W9s" : "W9", title, unit, v, ok, notes);
	snprintf(unit, sizeof(unit),
		 "wall ns per operation of all %u threads (each %llu ops, its own pool)",
		 W9_THREADS, (unsigned long long)ops);
	snprintf(notes, sizeof(notes), "baseline=glibc threads=%u ops=%llu pool=%u sizes=%s",
		 W9_THREADS, (unsigned long long)ops, pool, small ? "8-1024" : "8-32768");
	snprintf(title, sizeof(title),
		 "W9%s threads: the same stream in each thread at once", small ? "s" : "");
	w9_report(o, small ? "W9s-threads" : "W9-threads", title, unit, vt, ok,
		  notes);
	free(s.req);
}

/* W9b: objects of one cache in batches, @bulk by the bulk calls, else
 * by one call each (all the allocations, then all the frees).
 * Return: ns per object (its allocation and its free), 0 on a failure. */
static double w9b_time(struct pmm_kmem_cache *c, size_t batch, bool bulk,
		       uint64_t rounds)
{
	void *objs[64];
	uint64_t t0 = bench_now_ns();
	for (uint64_t r = 0; r < rounds; r++) {
		if (bulk) {
			if (pmm_kmem_cache_alloc_bulk(c, 0, batch, objs) !=
			    (long)batch)
				return 0;
			(void)pmm_kmem_cache_free_bulk(c, batch, objs);
			continue;
		}
		for (size_t i = 0; i < batch; i++)
			if ((objs[i] = pmm_kmem_cache_alloc(c, 0)) == NULL)
				return 0;
		for (size_t i = 0; i < batch; i++)
			(void)pmm_kmem_cache_free(c, objs[i]);
	}
	return (double)(bench_now_ns() - t0) / (double)(rounds * batch);
}

/* W9b: kmem_cache_alloc_bulk/free_bulk against the per-call pair, batches
 * of 16 and 64 objects of 64 bytes; variants interleaved run by run. */
static void w9_bulk(struct bench_opts *o)
{
	static const size_t batches[2] = { 16, 64 };
	static const char *const names[4] = { "per-call-16", "bulk-16",
					      "per-call-64", "bulk-64" };
	static double v[4][BENCH_MAX_RUNS];
	uint64_t objs = o->smoke ? 64000 : 6400000;
	struct pmm_kmem_cache *c = NULL;
	const char *e = NULL;
	if (w9_pmm_setup(BENCH_GIB_PAGES / 16) != 0 ||
	    (c = pmm_kmem_cache_create("w9b", 64, 0, 0, NULL)) == NULL)
		e = "pmm set-up failed";
	for (unsigned int r = 0; !e && r < o->runs; r++) {
		bench_progress("W9b: run %u/%u", r + 1, o->runs);
		for (int k = 0; k < 4 && !e; k++) {
			size_t b = batches[k / 2];
			v[k][r] = w9b_time(c, b, k & 1, objs / b);
			if (v[k][r] == 0)
				e = "allocation failed";
		}
	}
	if (!e)
		e = w9_pmm_verify();
	if (e) {
		printf("  W9b VALIDATION FAILED: %s\n", e);
		o->failures++;
		return;
	}
	char notes[96];
	snprintf(notes, sizeof(notes), "baseline=per-call objects=%llu size=64",
		 (unsigned long long)objs);
	bench_section("W9b kmem_cache bulk calls, 64-byte objects",
		      "ns per object (its allocation and its free)",
		      "the per-call pairs of the same batch");
	for (int k = 0; k < 4; k++)
		bench_figure("W9b", names[k], v[k], o->runs,
			     bench_median_d(v[k & ~1], o->runs), notes);
}

void bench_w9(struct bench_opts *o)
{
	uint32_t pool = o->smoke ? 2000 : 20000;
	void **slot = calloc((size_t)pool * W9_THREADS, sizeof(*slot));
	uint32_t *size = calloc(pool, sizeof(*size));
	if (slot && size && w9_mi_init() == 0) {
		w9_run(o, false, slot, size);
		w9_run(o, true, slot, size);
		w9_bulk(o);
	} else {
		fprintf(stderr, "pmm-bench: W9: set-up failed\n");
		o->failures++;
	}
	struct host_platform_options plain = { .untouchable = true, .quiet = true };
	host_platform_install(&plain);
	free(slot);
	free(size);
}
