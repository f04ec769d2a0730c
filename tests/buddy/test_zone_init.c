/* SPDX-License-Identifier: MIT */
/*
 * test_zone_init.c - nodes, zones, bitmap sizing, pfn -> zone lookup,
 * iteration, descriptor map validity.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "buddy_setup.h"
#include "host_platform.h"

/*
 * Each case starts from the same state: a descriptor array over pfns
 * [0, 65536), no node, no zone, and one pair-bitmap buffer that the cases
 * hand to pmm_zone_init(); simulated memory is never touched.
 *
 *   pfn 0                                                      65536
 *       | descriptors map[], no node, no zone                    |
 */
static struct pmm_page *map;
static uint64_t bitmap[4096];

static int setup(void **state)
{
	(void)state;
	host_platform_install(&(struct host_platform_options){
		.phys_size = 0, .quiet = true, .quiet_reports = true });
	pmm_zones_reset();
	map = calloc(65536, sizeof(*map));
	pmm_page_map_init(map, 65536);
	memset(bitmap, 0, sizeof(bitmap));
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	pmm_zones_reset();
	free(map);
	host_platform_remove();
	return 0;
}

/* Builds nothing: the names the reports print. */
static void test_zone_names(void **state)
{
	(void)state;
	assert_string_equal(pmm_zone_name(PMM_ZONE_DMA), "DMA");
	assert_string_equal(pmm_zone_name(PMM_ZONE_DMA32), "DMA32");
	assert_string_equal(pmm_zone_name(PMM_ZONE_NORMAL), "Normal");
	assert_string_equal(pmm_zone_name(PMM_ZONE_HIGHMEM), "HighMem");
	assert_string_equal(pmm_zone_name(PMM_NR_ZONES), "?");
}

/*
 * The descriptor array itself, then re-set over more pfns than a pfn can
 * hold (clamped to PMM_PFN_LIMIT), then over nothing:
 *
 *   pfn 0                                          65536
 *       | map[0] .......................... map[65535] |
 *   map[65536] and a pointer into map[3] are not descriptors
 */
static void test_page_map(void **state)
{
	(void)state;
	assert_ptr_equal(pmm_mem_map, map);
	assert_int_equal(pmm_max_pfn, 65536);
	assert_true(pmm_page_is_valid(&map[0]));
	assert_true(pmm_page_is_valid(&map[65535]));
	assert_false(pmm_page_is_valid(&map[65536]));
	assert_false(pmm_page_is_valid(NULL));
	assert_false(pmm_page_is_valid((struct pmm_page *)(void *)
				       ((char *)&map[3] + 1)));
	assert_int_equal(pmm_page_to_pfn(pmm_pfn_to_page(77)), 77);
	pmm_page_map_init(map, (pmm_pfn_t)1 << 40);
	assert_int_equal(pmm_max_pfn, PMM_PFN_LIMIT);
	pmm_page_map_init(NULL, 5);
	assert_int_equal(pmm_max_pfn, 0);
	assert_false(pmm_page_is_valid(&map[0]));
}

/*
 * Nodes: bad ids and spans refused, an overlap refused, then node 1
 * re-spanned while it has no zone and fixed once it has one.
 *
 *   pfn 0         900  1000      1500      2000                3000
 *                      | node 1            | node 2            |
 *                                |<-- node 2 [1500, 3000) --->|
 *                                    overlaps node 1: refused
 *                 | node 1 re-spanned,     |
 *                 | Normal, 1100 present   |
 *   then refused: node 1 [900, 1900) (it has a zone)
 */
static void test_node_init(void **state)
{
	(void)state;
	assert_int_equal(pmm_node_init(-1, 0, 10), PMM_EINVAL);
	assert_int_equal(pmm_node_init(PMM_MAX_NUMNODES, 0, 10), PMM_EINVAL);
	assert_int_equal(pmm_node_init(0, 10, 10), PMM_EINVAL);
	assert_int_equal(pmm_node_init(0, 10, 5), PMM_EINVAL);
	assert_int_equal(pmm_node_init(0, 0, (pmm_pfn_t)1 << 33), PMM_EINVAL);
	assert_int_equal(pmm_node_init(1, 1000, 2000), 0);
	assert_int_equal(pmm_node_init(2, 1500, 3000), PMM_EOVERLAP);
	assert_int_equal(pmm_node_init(2, 2000, 3000), 0);
	assert_true(pmm_nodes[1].online);
	assert_int_equal(pmm_nodes[2].start_pfn, 2000);
	/* A node without zones may be re-spanned; with zones not. */
	assert_int_equal(pmm_node_init(1, 900, 2000), 0);
	assert_int_equal(pmm_zone_init(1, PMM_ZONE_NORMAL, 900, 2000, 1100,
				       bitmap), 0);
	assert_int_equal(pmm_node_init(1, 900, 1900), PMM_ESTATE);
	/* PMM_NUMA_NO_NODE means the lowest online node: 1. */
	assert_int_equal(pmm_buddy_handoff_range(900, 2000, NULL), 0);
	struct pmm_page *p = pmm_alloc_pages(0, 0);
	assert_non_null(p);
	assert_true(pmm_page_to_pfn(p) >= 900);
}

/*
 * Builds nothing: pair-bitmap sizes. The bitmap's base rounds down to a
 * 1024-page (order 10) boundary:
 *
 *   pfn 0                        1000  1024  1100
 *       |<----------- sized as [0, 1100) ---->|    [1000, 1100)
 *                                      |<---->|    [1024, 1100) as [0, 76)
 */
static void test_bitmap_bytes(void **state)
{
	(void)state;
	assert_int_equal(pmm_zone_bitmap_bytes(5, 5), 0);
	assert_int_equal(pmm_zone_bitmap_bytes(10, 5), 0);
	/* [0, 1024): order k has 512 >> k pairs -> words 8,4,2,1,1,... */
	size_t want = 0;
	for (int k = 0; k < PMM_MAX_ORDER; k++) {
		size_t pairs = 512u >> k;
		want += (pairs + 63) / 64 * 8;
	}
	want += 8; /* two pageblock types (a byte each), in one word */
	assert_int_equal(pmm_zone_bitmap_bytes(0, 1024), want);
	/* The base rounds down to 1024, so [1000, 1100) == [0, 1100). */
	assert_int_equal(pmm_zone_bitmap_bytes(1000, 1100),
			 pmm_zone_bitmap_bytes(0, 1100));
	assert_int_equal(pmm_zone_bitmap_bytes(1024, 1100),
			 pmm_zone_bitmap_bytes(0, 76));
}

/*
 * Zones: refused while the node is offline, then on node 0 every bad
 * argument refused, DMA made, and a Normal zone overlapping it refused.
 *
 *   pfn 0                      4000  4096       5000            8192
 *       | node 0                                                |
 *       | DMA, 4000 present          |
 *                              |<--- Normal ---->|
 *                                  overlaps DMA: refused
 */
static void test_zone_init_errors(void **state)
{
	(void)state;
	assert_int_equal(pmm_zone_init(0, PMM_ZONE_NORMAL, 0, 100, 100, bitmap),
			 PMM_EINVAL); /* node offline */
	assert_int_equal(pmm_node_init(0, 0, 8192), 0);
	assert_int_equal(pmm_zone_init(0, PMM_NR_ZONES, 0, 100, 100, bitmap),
			 PMM_EINVAL);
	assert_int_equal(pmm_zone_init(0, PMM_ZONE_DMA, 100, 100, 0, bitmap),
			 PMM_EINVAL);
	assert_int_equal(pmm_zone_init(0, PMM_ZONE_DMA, 0, 9000, 100, bitmap),
			 PMM_EINVAL); /* past the node */
	assert_int_equal(pmm_zone_init(0, PMM_ZONE_DMA, 0, 100, 101, bitmap),
			 PMM_EINVAL); /* present > spanned */
	assert_int_equal(pmm_zone_init(0, PMM_ZONE_DMA, 0, 100, 100, NULL),
			 PMM_EINVAL);
	assert_int_equal(pmm_zone_init(0, PMM_ZONE_DMA, 0, 100, 100,
				       (char *)bitmap + 4), PMM_EINVAL);
	assert_int_equal(pmm_zone_init(0, PMM_ZONE_DMA, 0, 4096, 4000, bitmap), 0);
	assert_int_equal(pmm_zone_init(0, PMM_ZONE_DMA, 4096, 5000, 4, bitmap + 1024),
			 PMM_EINVAL); /* already set up */
	assert_int_equal(pmm_zone_init(0, PMM_ZONE_NORMAL, 4000, 5000, 4,
				       bitmap + 1024), PMM_EOVERLAP);
	struct pmm_zone *z = &pmm_nodes[0].zones[PMM_ZONE_DMA];
	assert_true(z->initialized);
	assert_int_equal(z->spanned, 4096);
	assert_int_equal(z->present, 4000);
	assert_int_equal(z->managed, 0);
	assert_int_equal(z->free_pages, 0);
	assert_int_equal(z->map_base, 0);
	assert_null(z->free_area[PMM_MAX_ORDER].map);
	assert_ptr_equal(z->free_area[0].map, bitmap);
	assert_null(pmm_check());
}

/*
 * Descriptor array shorter than the node: zones must fit the array.
 *
 *   pfn 0                  1000                    2000
 *       | descriptors       |                        |
 *       | node 0                                     |
 *       | Normal [0, 2000): refused                  |
 *       | Normal [0, 1000)  |
 */
static void test_zone_past_descriptors(void **state)
{
	(void)state;
	pmm_page_map_init(map, 1000);
	assert_int_equal(pmm_node_init(0, 0, 2000), 0);
	assert_int_equal(pmm_zone_init(0, PMM_ZONE_NORMAL, 0, 2000, 2000,
				       bitmap), PMM_EINVAL);
	assert_int_equal(pmm_zone_init(0, PMM_ZONE_NORMAL, 0, 1000, 1000,
				       bitmap), 0);
}

/*
 * Many zones: 16 nodes x 2 zones of 1000 pages, out of order, so the
 * lookup goes through the sorted table's binary search.
 *   node n: DMA32 [2000n, 2000n + 1000), Normal [2000n + 1000, 2000n + 2000)
 *
 *   pfn 0       1000     2000     3000     4000  ...  30000    31000    32000
 *       | DMA32 | Normal | DMA32 | Normal |   ...   | DMA32 | Normal |
 *       |<--- node 0 --->|<--- node 1 --->|   ...   |<--- node 15 -->|
 *   all handed off but pfn 0 (31999 pages); pfn 32000 and up: no zone
 */
static void test_pfn_zone_many(void **state)
{
	(void)state;
	uint64_t *bm = bitmap;
	for (int n = 15; n >= 0; n--) {
		pmm_pfn_t base = (pmm_pfn_t)n * 2000;
		assert_int_equal(pmm_node_init(n, base, base + 2000), 0);
		assert_int_equal(pmm_zone_init(n, PMM_ZONE_NORMAL, base + 1000,
					       base + 2000, 1000, bm), 0);
		bm += pmm_zone_bitmap_bytes(base + 1000, base + 2000) / 8;
		assert_int_equal(pmm_zone_init(n, PMM_ZONE_DMA32, base,
					       base + 1000, 1000, bm), 0);
		bm += pmm_zone_bitmap_bytes(base, base + 1000) / 8;
	}
	assert_true(bm <= bitmap + 4096);
	for (pmm_pfn_t pfn = 0; pfn < 32000; pfn += 37) {
		struct pmm_zone *z = pmm_pfn_zone(pfn);
		assert_non_null(z);
		assert_true(pfn >= z->start_pfn && pfn < z->end_pfn);
		assert_int_equal(z->node, (int)(pfn / 2000));
	}
	assert_null(pmm_pfn_zone(32000));
	assert_null(pmm_pfn_zone(60000));
	int count = 0;
	struct pmm_zone *prev = NULL;
	for (struct pmm_zone *z = pmm_zone_first(); z; z = pmm_zone_next(z)) {
		if (prev)
			assert_true(prev->node < z->node ||
				    (prev->node == z->node && prev->type < z->type));
		prev = z;
		count++;
	}
	assert_int_equal(count, 32);
	assert_null(pmm_zone_next(NULL));
	/* Hand everything over and check all zones. */
	uint64_t freed = 0;
	assert_int_equal(pmm_buddy_handoff_range(0, 32000, &freed), 0);
	assert_int_equal(freed, 31999);
	assert_null(pmm_check());
	/* Preferred node 9, then the others. */
	struct pmm_page *p = pmm_alloc_pages_node(9, 0, 9);
	assert_int_equal(pmm_page_to_pfn(p) / 2000, 9);
}

/*
 * A zone, lazy mode on, then pmm_zones_reset() takes everything away,
 * descriptor array included:
 *
 *   pfn 0                     1024
 *       | node 0, Normal       |      ->   nothing
 */
static void test_reset(void **state)
{
	(void)state;
	assert_int_equal(pmm_node_init(0, 0, 1024), 0);
	assert_int_equal(pmm_zone_init(0, PMM_ZONE_NORMAL, 0, 1024, 1024,
				       bitmap), 0);
	pmm_buddy_set_lazy(true);
	pmm_zones_reset();
	pmm_buddy_reset_settings();
	assert_false(pmm_buddy_is_lazy());
	assert_null(pmm_zone_first());
	assert_null(pmm_pfn_zone(5));
	assert_false(pmm_nodes[0].online);
	assert_null(pmm_mem_map);
	assert_int_equal(pmm_nr_free_pages(), 0);
	assert_null(pmm_check());
}

/* The zone's lock goes through the platform's lock_init (issue 17). */
static const struct pmm_lock *lock_seen;

static void record_lock_init(void *ctx, struct pmm_lock *lock)
{
	(void)ctx;
	lock_seen = lock;
}

static void test_zone_init_calls_lock_init(void **state)
{
	(void)state;
	struct pmm_platform p = *pmm_platform_get();
	p.lock_init = record_lock_init;
	pmm_platform_set(&p);
	lock_seen = NULL;
	assert_int_equal(pmm_node_init(0, 0, 8192), 0);
	assert_int_equal(pmm_zone_init(PMM_MAX_NUMNODES, PMM_ZONE_DMA, 0, 4096,
				       4000, bitmap), PMM_EINVAL); /* first bad node */
	assert_null(lock_seen);
	assert_int_equal(pmm_zone_init(0, PMM_ZONE_DMA, 0, 4096, 4000, bitmap), 0);
	assert_ptr_equal(lock_seen, &pmm_nodes[0].zones[PMM_ZONE_DMA].lock);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_zone_names, setup, teardown),
		cmocka_unit_test_setup_teardown(test_page_map, setup, teardown),
		cmocka_unit_test_setup_teardown(test_node_init, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bitmap_bytes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_zone_init_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_zone_init_calls_lock_init, setup, teardown),
		cmocka_unit_test_setup_teardown(test_zone_past_descriptors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pfn_zone_many, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reset, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
