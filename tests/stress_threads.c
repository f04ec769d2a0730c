/* SPDX-License-Identifier: MIT */
/*
 * stress_threads.c - threads hammer the buddy allocator at once, built
 * with ThreadSanitizer by `make check-tsan` (mk/reliability.mk).
 *
 * Each thread is one CPU (host_set_cpu(i)) and does STRESS_OPS mixed
 * operations: allocations of orders 0..PMM_MAX_ORDER (mostly order 0, so
 * the per-CPU lists refill and drain all the time: high and batch are kept
 * small), frees of its own blocks, get/put of references, drains of its own
 * per-CPU lists, and cross-CPU frees: a thread hands blocks to the next one
 * through a mutex-protected queue and frees blocks the previous one
 * allocated. A shared owner byte per page, set with an atomic exchange on
 * every allocation and cleared on every free, catches any page handed out
 * twice. At the end every block is freed, the lists drained, pmm_check()
 * must pass and the free page count must equal the managed count exactly.
 *
 *   stress_threads [THREADS [OPS [lazy]]]   defaults 2, 1000000, eager
 *
 * With "lazy" the lazy buddy (delayed coalescing) is on during the run and
 * switched off (coalescing everything) before the final check.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <pmm/buddy.h>
#include <pmm/check.h>

#include "buddy_setup.h"
#include "host_platform.h"

#define MAX_THREADS 8
#define HELD_MAX 256
#define QUEUE_LEN 1024
#define MAX_PFN ((pmm_pfn_t)1 << 16) /* 256 MiB of 4 KiB pages */

struct held {
	pmm_pfn_t pfn;
	pmm_order_t order;
};

/* A bounded queue of blocks from thread i to thread i + 1. */
struct queue {
	pthread_mutex_t lock;
	struct held q[QUEUE_LEN];
	unsigned int head, count;
};

static struct queue queues[MAX_THREADS];
static _Atomic unsigned char owner[MAX_PFN]; /* thread + 1, 0 = free */
static unsigned int nthreads = 2;
static uint64_t nops = 1000000;
static _Atomic int failed;

#define FAIL(...)                                                          \
	do {                                                               \
		fprintf(stderr, "stress: " __VA_ARGS__);                   \
		fputc('\n', stderr);                                       \
		atomic_store(&failed, 1);                                  \
	} while (0)

struct worker {
	unsigned int id;
	uint64_t rng;
	struct held held[HELD_MAX];
	unsigned int nr_held;
	uint64_t allocs, frees, cross, fails;
};

static uint32_t rnd(struct worker *w)
{
	w->rng ^= w->rng << 13;
	w->rng ^= w->rng >> 7;
	w->rng ^= w->rng << 17;
	return (uint32_t)(w->rng >> 16);
}

static void claim(struct worker *w, pmm_pfn_t pfn, pmm_order_t order)
{
	for (pmm_pfn_t p = pfn; p < pfn + ((pmm_pfn_t)1 << order); p++) {
		unsigned char old = atomic_exchange(&owner[p],
						    (unsigned char)(w->id + 1));
		if (old != 0)
			FAIL("pfn 0x%llx handed to thread %u while thread %u holds it",
			     (unsigned long long)p, w->id, old - 1u);
	}
}

static void release(pmm_pfn_t pfn, pmm_order_t order)
{
	for (pmm_pfn_t p = pfn; p < pfn + ((pmm_pfn_t)1 << order); p++)
		atomic_store(&owner[p], 0);
}

static void do_free(struct worker *w, struct held h)
{
	release(h.pfn, h.order);
	int err = pmm_free_pages(pmm_pfn_to_page(h.pfn), h.order);
	if (err != 0)
		FAIL("thread %u: free 0x%llx order %u: %s", w->id,
		     (unsigned long long)h.pfn, h.order, pmm_strerror(err));
	w->frees++;
}

static pmm_order_t pick_order(struct worker *w)
{
	uint32_t r = rnd(w) % 64;
	if (r < 48)
		return 0;
	if (r < 62)
		return 1 + r % 3;
	return (pmm_order_t)(rnd(w) % (PMM_MAX_ORDER + 1));
}

static void do_alloc(struct worker *w)
{
	if (w->nr_held == HELD_MAX)
		return;
	pmm_order_t order = pick_order(w);
	unsigned int gfp = (rnd(w) & 7) == 0 ? PMM_GFP_DMA : PMM_GFP_KERNEL;
	struct pmm_page *pg = pmm_alloc_pages(gfp, order);
	if (pg == NULL) {
		w->fails++;
		return;
	}
	pmm_pfn_t pfn = pmm_page_to_pfn(pg);
	claim(w, pfn, order);
	w->held[w->nr_held++] = (struct held){ pfn, order };
	w->allocs++;
}

static struct held take_held(struct worker *w)
{
	unsigned int i = rnd(w) % w->nr_held;
	struct held h = w->held[i];
	w->held[i] = w->held[--w->nr_held];
	return h;
}

/* Give one of our blocks to the next thread. */
static void do_hand_over(struct worker *w)
{
	if (w->nr_held == 0)
		return;
	struct queue *q = &queues[(w->id + 1) % nthreads];
	pthread_mutex_lock(&q->lock);
	if (q->count < QUEUE_LEN) {
		struct held h = take_held(w);
		q->q[(q->head + q->count) % QUEUE_LEN] = h;
		q->count++;
	}
	pthread_mutex_unlock(&q->lock);
}

/* Free a block the previous thread allocated: a cross-CPU free. */
static void do_cross_free(struct worker *w)
{
	struct queue *q = &queues[w->id];
	struct held h;
	bool got = false;
	pthread_mutex_lock(&q->lock);
	if (q->count != 0) {
		h = q->q[q->head];
		q->head = (q->head + 1) % QUEUE_LEN;
		q->count--;
		got = true;
	}
	pthread_mutex_unlock(&q->lock);
	if (!got)
		return;
	do_free(w, h);
	w->cross++;
}

static void do_ref(struct worker *w)
{
	if (w->nr_held == 0)
		return;
	struct held h = w->held[rnd(w) % w->nr_held];
	struct pmm_page *pg = pmm_pfn_to_page(h.pfn);
	if (pmm_get_page(pg) != 0 || pmm_put_page(pg) != 0)
		FAIL("thread %u: get/put of 0x%llx failed", w->id,
		     (unsigned long long)h.pfn);
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	host_set_cpu(w->id);
	for (uint64_t i = 0; i < nops && !atomic_load(&failed); i++) {
		uint32_t r = rnd(w) % 100;
		if (r < 45)
			do_alloc(w);
		else if (r < 80) {
			if (w->nr_held != 0)
				do_free(w, take_held(w));
		} else if (r < 88)
			do_hand_over(w);
		else if (r < 96)
			do_cross_free(w);
		else if (r < 99)
			do_ref(w);
		else
			pmm_pcp_drain_cpu(w->id); /* our own lists: we are quiet */
	}
	while (w->nr_held != 0)
		do_free(w, take_held(w));
	return NULL;
}

int main(int argc, char **argv)
{
	if (argc > 1)
		nthreads = (unsigned int)strtoul(argv[1], NULL, 0);
	if (argc > 2)
		nops = strtoull(argv[2], NULL, 0);
	bool lazy = argc > 3 && strcmp(argv[3], "lazy") == 0;
	if (nthreads < 2 || nthreads > MAX_THREADS || nthreads > PMM_NR_CPUS) {
		fprintf(stderr, "stress: 2..%d threads\n", MAX_THREADS);
		return 2;
	}
	static const struct buddy_zone_spec zones[] = {
		{ 0, PMM_ZONE_DMA, 0, 4096 },
		{ 0, PMM_ZONE_NORMAL, 4096, MAX_PFN },
	};
	struct buddy_setup_opts o = {
		.max_pfn = MAX_PFN, .zones = zones, .nr_zones = 2,
		.handoff = true, .keep_pcp = true, .untouchable = true,
	};
	if (buddy_setup(&o) != 0 || pmm_pcp_set_high_batch(24, 7) != 0) {
		fprintf(stderr, "stress: set-up failed\n");
		return 1;
	}
	uint64_t managed = buddy_setup_handed();
	pmm_buddy_set_lazy(lazy);
	static struct worker w[MAX_THREADS];
	pthread_t th[MAX_THREADS];
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (unsigned int i = 0; i < nthreads; i++) {
		pthread_mutex_init(&queues[i].lock, NULL);
		w[i].id = i;
		w[i].rng = 0x9e3779b97f4a7c15ull * (i + 1);
	}
	for (unsigned int i = 0; i < nthreads; i++)
		pthread_create(&th[i], NULL, worker_main, &w[i]);
	for (unsigned int i = 0; i < nthreads; i++)
		pthread_join(th[i], NULL);
	clock_gettime(CLOCK_MONOTONIC, &t1);

	/* Blocks still queued: the owners are gone, free them here. */
	struct worker main_w = { .id = 0 };
	host_set_cpu(0);
	for (unsigned int i = 0; i < nthreads; i++)
		while (queues[i].count != 0) {
			struct queue *q = &queues[i];
			do_free(&main_w, q->q[q->head]);
			q->head = (q->head + 1) % QUEUE_LEN;
			q->count--;
		}
	pmm_pcp_drain_all();
	pmm_buddy_set_lazy(false);
	const char *why = pmm_check();
	uint64_t free_pages = pmm_nr_free_pages();
	uint64_t allocs = 0, frees = main_w.frees, cross = 0, fails = 0;
	for (unsigned int i = 0; i < nthreads; i++) {
		allocs += w[i].allocs;
		frees += w[i].frees;
		cross += w[i].cross;
		fails += w[i].fails;
	}
	double secs = (double)(t1.tv_sec - t0.tv_sec) +
		      (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	printf("stress: %u threads x %llu ops%s in %.1f s: %llu allocations "
	       "(%llu failed), %llu frees (%llu cross-CPU)\n",
	       nthreads, (unsigned long long)nops, lazy ? " (lazy buddy)" : "", secs,
	       (unsigned long long)allocs, (unsigned long long)fails,
	       (unsigned long long)frees, (unsigned long long)cross);
	printf("stress: pmm_check %s; free pages %llu, managed %llu\n",
	       why ? why : "ok", (unsigned long long)free_pages,
	       (unsigned long long)managed);
	int bad = atomic_load(&failed) || why != NULL || free_pages != managed ||
		  allocs != frees;
	buddy_teardown();
	if (bad)
		fprintf(stderr, "stress: FAILED\n");
	return bad;
}
