/* SPDX-License-Identifier: MIT */
/*
 * alloc_floor.c - W1-W4 on the plain free-list buddy (the floor) and on
 * the second floor: the same buddy behind per-CPU LIFOs of order-0 pages.
 */
#include <stdlib.h>

#include "floor.h"

static bool floor_has_free(unsigned int order)
{
	for (unsigned int k = order; k <= PMM_MAX_ORDER; k++)
		if (floor_nr_free(k))
			return true;
	return false;
}

#define BW_NAME floorw
#define BW_ALLOC(o) floor_alloc(o)
#define BW_FREE(h, o) floor_free(h, o)
#define BW_ADDR(h) ((h) << PMM_PAGE_SHIFT)
#define BW_HAS_FREE(o) floor_has_free(o)
#define BW_FREE_2M() (floor_nr_free(9) + 2 * floor_nr_free(10))
#include "workload.h"

_Static_assert(PMM_MAX_ORDER == 10, "BW_FREE_2M counts orders 9 and 10");

int bench_floor_arena(uint64_t pages)
{
	size_t bytes = (size_t)pages * sizeof(struct floor_page);
	struct floor_page *map = bench_buf_get(BENCH_BUF_FLOOR_MAP, bytes);
	if (!map)
		return -1;
	bench_zero(map, bytes);
	if (floor_init(map, pages) != 0)
		return -1;
	floor_handoff();
	return 0;
}

static void floorw_teardown(void)
{
}

const struct bench_alloc bench_alloc_floor = {
	.name = "floor",
	.arena = true,
	.size_aligned = true,
	.setup = bench_floor_arena,
	.teardown = floorw_teardown,
	.pair = floorw_pair,
	.mixed = floorw_mixed,
};

static inline uint64_t floor2w_alloc(unsigned int order)
{
	return order == 0 ? floor2_alloc0() : floor_alloc(order);
}

static inline void floor2w_free(uint64_t pfn, unsigned int order)
{
	if (order == 0)
		floor2_free0(pfn);
	else
		floor_free(pfn, order);
}

/* The listed pages count as free to an order-0 request. */
static bool floor2w_has_free(unsigned int order)
{
	return floor_has_free(order) ||
	       (order == 0 && floor2_this_lifo()->head != 0);
}

#undef BW_NAME
#undef BW_ALLOC
#undef BW_FREE
#undef BW_HAS_FREE
#define BW_NAME floor2w
#define BW_ALLOC(o) floor2w_alloc(o)
#define BW_FREE(h, o) floor2w_free(h, o)
#define BW_HAS_FREE(o) floor2w_has_free(o)
#include "workload.h"

const struct bench_alloc bench_alloc_floor2 = {
	.name = "floor2",
	.arena = true,
	.size_aligned = true,
	.setup = bench_floor_arena,
	.teardown = floorw_teardown,
	.pair = floor2w_pair,
	.mixed = floor2w_mixed,
};
