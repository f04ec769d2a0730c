/* SPDX-License-Identifier: MIT */
/*
 * w7_threads.c - W7: W2 on pmm with one and with two threads, each on its
 * own CPU number (host_set_cpu), so each uses its own per-CPU list; and
 * the same on the second floor (floor.h: the plain buddy behind per-CPU
 * LIFOs, their refills and drains under one lock), pmm's ratio to it at
 * the same number of threads.
 *
 * Throughput is pairs of all threads per second of wall time, from the
 * moment every thread is ready to the last one's end. The validation pass
 * records every block in one checker under a mutex, between the return of
 * an allocation and the call of its free.
 */
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pmm/buddy.h>
#include <pmm/check.h>

#include "bench.h"
#include "floor.h"
#include "host_platform.h"

#define W7_MAX_THREADS 2

struct w7_ctx {
	unsigned int nthreads;
	uint64_t ops;
	pthread_barrier_t start;
	struct bench_checker *chk; /* validation pass only */
	pthread_mutex_t chk_lock;
	const char *error;
	uint64_t t0, t_end[W7_MAX_THREADS];
	bool control; /* no allocator: a private compute loop per thread */
	bool floor2;  /* the second floor instead of pmm */
};

struct w7_arg {
	struct w7_ctx *ctx;
	unsigned int cpu;
};

static void w7_note(struct w7_ctx *c, uint64_t pfn, bool add)
{
	pthread_mutex_lock(&c->chk_lock);
	const char *e = add ? bench_checker_add(c->chk, pfn << PMM_PAGE_SHIFT, PMM_PAGE_SIZE)
			    : bench_checker_remove(c->chk, pfn << PMM_PAGE_SHIFT, PMM_PAGE_SIZE);
	if (e && !c->error)
		c->error = e;
	pthread_mutex_unlock(&c->chk_lock);
}

/* Keep thread @cpu on host CPU @cpu (mod the CPUs there are), if allowed. */
static void pin_to_cpu(unsigned int cpu)
{
	cpu_set_t set;
	if (sched_getaffinity(0, sizeof(set), &set) != 0 || CPU_COUNT(&set) < 2)
		return;
	unsigned int want = cpu % (unsigned int)CPU_COUNT(&set), seen = 0;
	for (int i = 0; i < CPU_SETSIZE; i++) {
		if (!CPU_ISSET(i, &set))
			continue;
		if (seen++ == want) {
			cpu_set_t one;
			CPU_ZERO(&one);
			CPU_SET(i, &one);
			pthread_setaffinity_np(pthread_self(), sizeof(one), &one);
			return;
		}
	}
}

/*
 * The control: the same threads running a loop that shares nothing, to
 * show how far two threads can scale on this machine at this moment.
 */
static void w7_control_loop(struct w7_ctx *c, unsigned int cpu)
{
	uint64_t x = cpu;
	for (uint64_t i = 0; i < c->ops; i++) {
		for (int k = 0; k < 4; k++)
			x = bench_rng_next(&x);
		__asm__ volatile("" : "+r"(x));
	}
}

/* W2 on the second floor: a held page, then pairs on this CPU's LIFO. */
static void *w7_floor2_thread(struct w7_ctx *c, unsigned int cpu)
{
	uint64_t held = floor2_alloc0();
	if (held && c->chk)
		w7_note(c, held, true);
	pthread_barrier_wait(&c->start);
	if (cpu == 0)
		c->t0 = bench_now_ns();
	for (uint64_t i = 0; i < c->ops; i++) {
		uint64_t pfn = floor2_alloc0();
		if (__builtin_expect(!pfn, 0)) {
			c->error = "allocation failed";
			break;
		}
		if (c->chk) {
			w7_note(c, pfn, true);
			w7_note(c, pfn, false);
		}
		floor2_free0(pfn);
	}
	c->t_end[cpu] = bench_now_ns();
	if (!held) {
		c->error = "cannot allocate the held block";
		return NULL;
	}
	if (c->chk)
		w7_note(c, held, false);
	floor2_free0(held);
	return NULL;
}

/* After a validation pass on the second floor: every page back in order. */
static const char *w7_floor2_verify(uint64_t pages)
{
	floor2_drain_all();
	uint64_t free_pages = 0;
	for (unsigned int k = 0; k <= PMM_MAX_ORDER; k++)
		free_pages += floor_nr_free(k) << k;
	return free_pages == pages ? NULL : "floor2: free pages do not add up";
}

static void *w7_thread(void *p)
{
	struct w7_arg *a = p;
	struct w7_ctx *c = a->ctx;
	host_set_cpu(a->cpu);
	pin_to_cpu(a->cpu);
	if (c->control) {
		pthread_barrier_wait(&c->start);
		if (a->cpu == 0)
			c->t0 = bench_now_ns();
		w7_control_loop(c, a->cpu);
		c->t_end[a->cpu] = bench_now_ns();
		return NULL;
	}
	if (c->floor2)
		return w7_floor2_thread(c, a->cpu);
	struct pmm_page *held = pmm_alloc_pages(PMM_GFP_KERNEL, 0);
	if (held && c->chk)
		w7_note(c, pmm_page_to_pfn(held), true);
	pthread_barrier_wait(&c->start);
	if (a->cpu == 0)
		c->t0 = bench_now_ns();
	for (uint64_t i = 0; i < c->ops; i++) {
		struct pmm_page *pg = pmm_alloc_pages(PMM_GFP_KERNEL, 0);
		if (__builtin_expect(!pg, 0)) {
			c->error = "allocation failed";
			break;
		}
		if (c->chk) {
			w7_note(c, pmm_page_to_pfn(pg), true);
			w7_note(c, pmm_page_to_pfn(pg), false);
		}
		if (__builtin_expect(pmm_free_pages(pg, 0) != 0, 0)) {
			c->error = "free failed";
			break;
		}
	}
	c->t_end[a->cpu] = bench_now_ns();
	if (held) {
		if (c->chk)
			w7_note(c, pmm_page_to_pfn(held), false);
		pmm_free_pages(held, 0);
	} else {
		c->error = "cannot allocate the held block";
	}
	return NULL;
}

/* One pass with @nthreads threads; Return: ns of wall time, 0 on error. */
static uint64_t w7_pass(struct bench_opts *o, unsigned int nthreads,
			uint64_t ops, bool validate, bool control,
			bool floor2, const char **error)
{
	struct w7_ctx c;
	memset(&c, 0, sizeof(c));
	c.control = control;
	c.floor2 = floor2;
	c.nthreads = nthreads;
	c.ops = ops;
	*error = NULL;
	if (floor2 ? bench_floor_arena(o->arena_pages) != 0
		   : bench_pmm_arena(o->arena_pages, true) != 0) {
		*error = "arena setup failed";
		return 0;
	}
	if (validate && !(c.chk = bench_checker_new(o->arena_pages, true, true))) {
		*error = "out of host memory";
		return 0;
	}
	pthread_mutex_init(&c.chk_lock, NULL);
	pthread_barrier_init(&c.start, NULL, nthreads);
	pthread_t th[W7_MAX_THREADS];
	struct w7_arg arg[W7_MAX_THREADS];
	for (unsigned int t = 0; t < nthreads; t++) {
		arg[t].ctx = &c;
		arg[t].cpu = t;
		pthread_create(&th[t], NULL, w7_thread, &arg[t]);
	}
	for (unsigned int t = 0; t < nthreads; t++)
		pthread_join(th[t], NULL);
	pthread_barrier_destroy(&c.start);
	pthread_mutex_destroy(&c.chk_lock);
	bench_checker_free(c.chk);
	host_set_cpu(0);
	uint64_t end = 0;
	for (unsigned int t = 0; t < nthreads; t++)
		end = c.t_end[t] > end ? c.t_end[t] : end;
	if (!c.error && validate && floor2)
		c.error = w7_floor2_verify(o->arena_pages);
	else if (!c.error && validate && !control) {
		pmm_pcp_drain_all();
		if (host_report_count())
			c.error = host_last_report_msg();
		else
			c.error = pmm_check();
		if (!c.error && pmm_nr_free_pages() != o->arena_pages)
			c.error = "free pages do not add up after the run";
	}
	*error = c.error;
	return c.error ? 0 : end - c.t0;
}

/* The untimed validation passes of pmm and the second floor. */
static bool w7_validate(struct bench_opts *o)
{
	const char *err;
	uint64_t vops = o->w7_ops < 200000 ? o->w7_ops : 200000;
	for (int f = 0; f < 2; f++) {
		for (unsigned int nt = 1; nt <= W7_MAX_THREADS; nt++) {
			bench_progress("W7 %s %u thread(s): validation pass",
				       f ? "floor2" : "pmm", nt);
			if (!w7_pass(o, nt, vops, true, false, f, &err)) {
				printf("  W7 %s %u threads: VALIDATION FAILED: %s\n",
				       f ? "floor2" : "pmm", nt, err);
				o->failures++;
				return false;
			}
		}
	}
	return true;
}

/* Samples of W7 [per run]: pmm (0) and floor2 (1), by thread count. */
struct w7_samples {
	double thr[2][W7_MAX_THREADS + 1][BENCH_MAX_RUNS];
	double ns_pair[2][W7_MAX_THREADS + 1][BENCH_MAX_RUNS];
	double ctl[W7_MAX_THREADS + 1][BENCH_MAX_RUNS];
};

/* Run @i of every series, interleaved. Return: false on a failure. */
static bool w7_run(struct bench_opts *o, struct w7_samples *m, unsigned int i)
{
	const char *err;
	for (unsigned int nt = 1; nt <= W7_MAX_THREADS; nt++) {
		double pairs = (double)o->w7_ops * nt;
		for (int f = 0; f < 2; f++) {
			bench_progress("W7 %s %u thread(s): run %u/%u",
				       f ? "floor2" : "pmm", nt, i + 1, o->runs);
			uint64_t ns = w7_pass(o, nt, o->w7_ops, false, false, f, &err);
			if (!ns) {
				printf("  W7 %u threads: FAILED: %s\n", nt, err);
				o->failures++;
				return false;
			}
			m->thr[f][nt][i] = pairs / ((double)ns / 1e9);
			m->ns_pair[f][nt][i] = (double)ns / pairs;
		}
		uint64_t ns = w7_pass(o, nt, o->w7_ops, false, true, false, &err);
		m->ctl[nt][i] = ns ? pairs / ((double)ns / 1e9) : 0;
	}
	return true;
}

void bench_w7(struct bench_opts *o)
{
	struct w7_samples *m = calloc(1, sizeof(*m));
	if (!m || !w7_validate(o)) {
		free(m);
		return;
	}
	/* Interleave one- and two-thread runs so drift hits both alike. */
	for (unsigned int i = 0; i < o->runs; i++)
		if (!w7_run(o, m, i)) {
			free(m);
			return;
		}
	char unit[128];
	snprintf(unit, sizeof(unit),
		 "ns of wall time per pair (all threads), %llu pairs per thread",
		 (unsigned long long)o->w7_ops);
	bench_section("W7 threads: W2 on pmm and on floor2, each thread its own CPU", unit,
		      "pmm's one-thread median (ratio < 0.53 = 1.9x throughput); floor2_ratio = median / floor2's at the same thread count");
	double base = bench_median_d(m->ns_pair[0][1], o->runs);
	char notes[160];
	for (int f = 0; f < 2; f++) {
		for (unsigned int nt = 1; nt <= W7_MAX_THREADS; nt++) {
			double f2 = bench_median_d(m->ns_pair[1][nt], o->runs);
			snprintf(notes, sizeof(notes),
				 "baseline=pmm-1-thread threads=%u throughput_mpairs_s=%.2f floor2_ratio=%.3f",
				 nt, bench_median_d(m->thr[f][nt], o->runs) / 1e6,
				 bench_median_d(m->ns_pair[f][nt], o->runs) / f2);
			char name[32];
			snprintf(name, sizeof(name), "%s-%u-thread%s",
				 f ? "floor2" : "pmm", nt, nt > 1 ? "s" : "");
			bench_figure("W7", name, m->ns_pair[f][nt], o->runs, base,
				     notes);
		}
	}
	double sp[BENCH_MAX_RUNS];
	for (int f = 0; f < 2; f++) {
		for (unsigned int i = 0; i < o->runs; i++)
			sp[i] = m->thr[f][2][i] / m->thr[f][1][i];
		bench_value("W7", f ? "floor2" : "pmm", "speedup_2_vs_1",
			    bench_median_d(sp, o->runs),
			    "throughput(2 threads) / throughput(1 thread), median of paired runs");
	}
	for (unsigned int i = 0; i < o->runs; i++)
		sp[i] = m->ctl[1][i] > 0 ? m->ctl[2][i] / m->ctl[1][i] : 0;
	bench_value("W7", "control", "speedup_2_vs_1", bench_median_d(sp, o->runs),
		    "the same threads on a loop that shares nothing: what the machine allows now");
	free(m);
}
