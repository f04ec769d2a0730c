/* SPDX-License-Identifier: MIT */
/*
 * alloc_floor.c - W1-W4 on the plain free-list buddy (the floor).
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

static int floorw_setup(uint64_t pages)
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
	.setup = floorw_setup,
	.teardown = floorw_teardown,
	.pair = floorw_pair,
	.mixed = floorw_mixed,
};
