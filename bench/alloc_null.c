/* SPDX-License-Identifier: MIT */
/*
 * alloc_null.c - the null allocator: the harness loop with an allocator
 * that does nothing but hand out fresh addresses, to measure what the
 * harness itself costs (W3 net = allocator - null).
 */
#include <stdlib.h>

#include "bench.h"

static uint64_t null_next;

__attribute__((noinline)) static uint64_t null_alloc(unsigned int order)
{
	uint64_t h = null_next;
	null_next += PMM_PAGE_SIZE << order;
	__asm__ volatile("" ::: "memory");
	return h;
}

__attribute__((noinline)) static void null_free(uint64_t h, unsigned int order)
{
	(void)h;
	(void)order;
	__asm__ volatile("" ::: "memory");
}

#define BW_NAME nullw
#define BW_ALLOC(o) null_alloc(o)
#define BW_FREE(h, o) null_free(h, o)
#define BW_ADDR(h) (h)
#define BW_HAS_FREE(o) false
#define BW_FREE_2M() 0
#include "workload.h"

static int nullw_setup(uint64_t pages)
{
	(void)pages;
	null_next = (uint64_t)1 << 40;
	return 0;
}

static void nullw_teardown(void)
{
}

const struct bench_alloc bench_alloc_null = {
	.name = "null",
	.arena = false,
	.size_aligned = false,
	.setup = nullw_setup,
	.teardown = nullw_teardown,
	.pair = nullw_pair,
	.mixed = nullw_mixed,
};
