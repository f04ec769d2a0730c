/* SPDX-License-Identifier: MIT */
/*
 * w7_threads.c - W7: W2 on pmm with one and with two threads, each on its
 * own CPU number (host_set_cpu), so each uses its own per-CPU list.
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
			const char **error)
{
	struct w7_ctx c;
	memset(&c, 0, sizeof(c));
	c.control = control;
	c.nthreads = nthreads;
	c.ops = ops;
	*error = NULL;
	if (bench_pmm_arena(o->arena_pages, true) != 0) {
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
	if (!c.error && validate && !control) {
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

void bench_w7(struct bench_opts *o)
{
	double thr[W7_MAX_THREADS + 1][BENCH_MAX_RUNS];
	double ns_pair[W7_MAX_THREADS + 1][BENCH_MAX_RUNS];
	const char *err;
	for (unsigned int nt = 1; nt <= W7_MAX_THREADS; nt++) {
		bench_progress("W7 pmm %u thread(s): validation pass", nt);
		uint64_t vops = o->w7_ops < 200000 ? o->w7_ops : 200000;
		if (!w7_pass(o, nt, vops, true, false, &err)) {
			printf("  W7 %u threads: VALIDATION FAILED: %s\n", nt, err);
			o->failures++;
			return;
		}
	}
	/* Interleave one- and two-thread runs so drift hits both alike. */
	double ctl[W7_MAX_THREADS + 1][BENCH_MAX_RUNS];
	for (unsigned int i = 0; i < o->runs; i++) {
		for (unsigned int nt = 1; nt <= W7_MAX_THREADS; nt++) {
			bench_progress("W7 pmm %u thread(s): run %u/%u", nt, i + 1, o->runs);
			uint64_t ns = w7_pass(o, nt, o->w7_ops, false, false, &err);
			if (!ns) {
				printf("  W7 %u threads: FAILED: %s\n", nt, err);
				o->failures++;
				return;
			}
			double pairs = (double)o->w7_ops * nt;
			thr[nt][i] = pairs / ((double)ns / 1e9);
			ns_pair[nt][i] = (double)ns / pairs;
			ns = w7_pass(o, nt, o->w7_ops, false, true, &err);
			ctl[nt][i] = ns ? pairs / ((double)ns / 1e9) : 0;
		}
	}
	char unit[128];
	snprintf(unit, sizeof(unit),
		 "ns of wall time per pair (all threads), %llu pairs per thread",
		 (unsigned long long)o->w7_ops);
	bench_section("W7 threads: W2 on pmm, each thread its own CPU", unit,
		      "one thread's median (ratio < 0.53 = 1.9x throughput)");
	double base = bench_median_d(ns_pair[1], o->runs);
	char notes[128];
	for (unsigned int nt = 1; nt <= W7_MAX_THREADS; nt++) {
		snprintf(notes, sizeof(notes),
			 "baseline=pmm-1-thread threads=%u throughput_mpairs_s=%.2f",
			 nt, bench_median_d(thr[nt], o->runs) / 1e6);
		char name[32];
		snprintf(name, sizeof(name), "pmm-%u-thread%s", nt, nt > 1 ? "s" : "");
		bench_figure("W7", name, ns_pair[nt], o->runs, base, notes);
	}
	double sp[BENCH_MAX_RUNS];
	for (unsigned int i = 0; i < o->runs; i++)
		sp[i] = thr[2][i] / thr[1][i];
	bench_value("W7", "pmm", "speedup_2_vs_1", bench_median_d(sp, o->runs),
		    "throughput(2 threads) / throughput(1 thread), median of paired runs");
	for (unsigned int i = 0; i < o->runs; i++)
		sp[i] = ctl[1][i] > 0 ? ctl[2][i] / ctl[1][i] : 0;
	bench_value("W7", "control", "speedup_2_vs_1", bench_median_d(sp, o->runs),
		    "the same threads on a loop that shares nothing: what the machine allows now");
}
