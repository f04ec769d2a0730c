/* SPDX-License-Identifier: MIT */
/*
 * workload.h - the W1-W4 loops, instantiated once per allocator.
 *
 * Include after defining:
 *   BW_NAME          prefix of the generated functions
 *   BW_ALLOC(order)  uint64_t handle of a new block, 0 on failure
 *   BW_FREE(h, o)    give the block back
 *   BW_ADDR(h)       the block's first byte address (for validation)
 *   BW_HAS_FREE(o)   true when a free block of order >= o exists
 *   BW_FREE_2M()     free blocks of order >= 9, counted in 2 MiB units
 * Each allocator's calls are direct (no function pointer in the loop), so
 * every allocator pays the same harness cost, which the null allocator
 * measures. With a checker the pass is the untimed validation pass: every
 * block is recorded and checked for overlap and alignment.
 */
#ifndef PMM_BENCH_WORKLOAD_ONCE
#define PMM_BENCH_WORKLOAD_ONCE
#include <stdlib.h>
#include <time.h>

#include "bench.h"

#define BW_CAT2(a, b) a##_##b
#define BW_CAT(a, b) BW_CAT2(a, b)

struct bw_block {
	uint64_t h;
	unsigned int order;
};
#endif

/* Thresholds of P(k) = 0.6 * 0.4^k on 63-bit uniforms, k capped at 10. */
static uint64_t BW_CAT(BW_NAME, thresh)[BENCH_MIX_MAX_ORDER];

static void BW_CAT(BW_NAME, thresh_init)(void)
{
	double tail = 0.4;
	for (unsigned int k = 0; k < BENCH_MIX_MAX_ORDER; k++) {
		/* P(order <= k) = 1 - 0.4^(k + 1) */
		BW_CAT(BW_NAME, thresh)[k] =
			(uint64_t)((1.0 - tail) * 9223372036854775808.0);
		tail *= 0.4;
	}
}

static inline unsigned int BW_CAT(BW_NAME, pick_order)(uint64_t u)
{
	unsigned int k = 0;
	while (k < BENCH_MIX_MAX_ORDER && u >= BW_CAT(BW_NAME, thresh)[k])
		k++;
	return k;
}

static const char *BW_CAT(BW_NAME, note_alloc)(struct bench_checker *chk,
					       uint64_t h, unsigned int order)
{
	return bench_checker_add(chk, BW_ADDR(h), PMM_PAGE_SIZE << order);
}

static const char *BW_CAT(BW_NAME, note_free)(struct bench_checker *chk,
					      uint64_t h, unsigned int order)
{
	return bench_checker_remove(chk, BW_ADDR(h), PMM_PAGE_SIZE << order);
}

static inline uint64_t BW_CAT(BW_NAME, clock)(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* W1 (hold = false) and W2 (hold = true). */
static __attribute__((always_inline)) inline void
BW_CAT(BW_NAME, pair_loop)(const struct bench_params *p,
			   struct bench_checker *chk, struct bench_result *r)
{
	uint64_t held = 0;
	if (p->hold) {
		held = BW_ALLOC(0);
		if (!held) {
			r->error = "cannot allocate the held block";
			return;
		}
		if (chk && (r->error = BW_CAT(BW_NAME, note_alloc)(chk, held, 0)))
			return;
	}
	uint64_t t0 = BW_CAT(BW_NAME, clock)();
	for (uint64_t i = 0; i < p->ops; i++) {
		uint64_t h = BW_ALLOC(0);
		if (__builtin_expect(!h, 0)) {
			r->failed++;
			continue;
		}
		if (chk) {
			if ((r->error = BW_CAT(BW_NAME, note_alloc)(chk, h, 0)) ||
			    (r->error = BW_CAT(BW_NAME, note_free)(chk, h, 0)))
				return;
		}
		BW_FREE(h, 0);
	}
	r->ns = BW_CAT(BW_NAME, clock)() - t0;
	r->ops = p->ops;
	r->allocs = p->ops;
	if (held) {
		if (chk && (r->error = BW_CAT(BW_NAME, note_free)(chk, held, 0)))
			return;
		BW_FREE(held, 0);
	}
}

/* The timed loops start on a 64-byte line: the same fetch layout for every
 * allocator and every link of pmm-bench (BW_ALIGNED). */
#ifndef BW_ALIGNED
#define BW_ALIGNED __attribute__((aligned(64), noinline))
#endif

static BW_ALIGNED void BW_CAT(BW_NAME, pair)(const struct bench_params *p,
				  struct bench_checker *chk,
				  struct bench_result *r)
{
	if (chk)
		BW_CAT(BW_NAME, pair_loop)(p, chk, r);
	else
		BW_CAT(BW_NAME, pair_loop)(p, NULL, r);
}

static bool BW_CAT(BW_NAME, try_alloc)(struct bw_block *pool, uint64_t *n,
				       unsigned int order,
				       struct bench_checker *chk,
				       struct bench_result *r)
{
	uint64_t h = BW_ALLOC(order);
	if (!h) {
		if (chk && BW_HAS_FREE(order))
			r->failed_with_free++;
		return false;
	}
	if (chk && (r->error = BW_CAT(BW_NAME, note_alloc)(chk, h, order)))
		return false;
	pool[*n].h = h;
	pool[*n].order = order;
	(*n)++;
	return true;
}

/* W3 and W4: the pool is filled untimed, then p->ops operations timed. */
static __attribute__((always_inline)) inline void
BW_CAT(BW_NAME, mixed_loop)(const struct bench_params *p,
			    struct bench_checker *chk, struct bench_result *r,
			    struct bw_block *pool)
{
	uint64_t rng = p->seed;
	uint64_t n = 0;
	for (uint64_t i = 0; i < p->pool_max; i++) {
		uint64_t u = bench_rng_next(&rng) >> 1;
		unsigned int order = BW_CAT(BW_NAME, pick_order)(u);
		if (!BW_CAT(BW_NAME, try_alloc)(pool, &n, order, chk, r)) {
			if (r->error)
				return;
			r->failed_fill++;
		}
	}
	uint64_t t0 = BW_CAT(BW_NAME, clock)();
	for (uint64_t i = 0; i < p->ops; i++) {
		uint64_t x = bench_rng_next(&rng);
		uint64_t u = x >> 1;
		bool alloc = n == 0 || (n < p->pool_max && (x & 1));
		if (alloc) {
			r->allocs++;
			unsigned int order = BW_CAT(BW_NAME, pick_order)(u);
			if (__builtin_expect(!BW_CAT(BW_NAME, try_alloc)(
						     pool, &n, order, chk, r),
					     0)) {
				if (r->error)
					return;
				r->failed++;
			}
			continue;
		}
		uint64_t idx = (uint64_t)(((unsigned __int128)u * n) >> 63);
		struct bw_block b = pool[idx];
		pool[idx] = pool[--n];
		if (chk && (r->error = BW_CAT(BW_NAME, note_free)(chk, b.h,
								  b.order)))
			return;
		BW_FREE(b.h, b.order);
	}
	r->ns = BW_CAT(BW_NAME, clock)() - t0;
	r->ops = p->ops;
	r->live_end = n;
	if (chk) {
		r->free_2m_windows = bench_checker_free_windows(chk);
		r->free_2m_blocks = BW_FREE_2M();
	}
	while (n) {
		n--;
		if (chk && (r->error = BW_CAT(BW_NAME, note_free)(
				    chk, pool[n].h, pool[n].order)))
			return;
		BW_FREE(pool[n].h, pool[n].order);
	}
}

static BW_ALIGNED void BW_CAT(BW_NAME, mixed)(const struct bench_params *p,
				   struct bench_checker *chk,
				   struct bench_result *r)
{
	struct bw_block *pool = calloc(p->pool_max + 1, sizeof(*pool));
	if (!pool) {
		r->error = "out of host memory for the pool";
		return;
	}
	if (!BW_CAT(BW_NAME, thresh)[0])
		BW_CAT(BW_NAME, thresh_init)();
	if (chk)
		BW_CAT(BW_NAME, mixed_loop)(p, chk, r, pool);
	else
		BW_CAT(BW_NAME, mixed_loop)(p, NULL, r, pool);
	free(pool);
}
