/* SPDX-License-Identifier: MIT */
/*
 * test_memblock_handoff.c - retiring memblock into the buddy allocator:
 * free_all hands exactly memory minus reserved minus NOMAP (whole pages),
 * allocations end, free_late and discard go straight to the buddy
 * allocator.
 */
#include <stdlib.h>
#include <string.h>

#include "buddy_setup.h"
#include "host_platform.h"
#include "memblock_test.h"

#define MAX_PFN 16384u /* 64 MiB: DMA [0, 16M), Normal [16M, 64M) */

static const struct buddy_zone_spec zones[] = {
	{ 0, PMM_ZONE_DMA, 0, 4096 },
	{ 0, PMM_ZONE_NORMAL, 4096, MAX_PFN },
};

/* The buddy allocator over @nr zones @z of [0, MAX_PFN), memblock empty. */
static int setup_zones(const struct buddy_zone_spec *z, unsigned int nr)
{
	if (buddy_setup(&(struct buddy_setup_opts){ .max_pfn = MAX_PFN,
						    .zones = z, .nr_zones = nr }))
		return -1;
	pmm_memblock_reset();
	return 0;
}

static int setup(void **state)
{
	(void)state;
	return setup_zones(zones, 2);
}

static int teardown(void **state)
{
	(void)state;
	pmm_memblock_reset();
	buddy_teardown();
	return 0;
}

/* Pages of [0, MAX_PFN) that are memory, not NOMAP, not reserved (whole). */
static uint64_t expected_free_pages(void)
{
	uint64_t n = 0;

	for (pmm_pfn_t pfn = 0; pfn < MAX_PFN; pfn++) {
		pmm_phys_t pa = PMM_PFN_PHYS(pfn);

		if (pmm_memblock_is_region_memory(pa, PMM_PAGE_SIZE) &&
		    pmm_memblock_is_map_memory(pa) &&
		    !pmm_memblock_is_region_reserved(pa, PMM_PAGE_SIZE))
			n++;
	}
	return n;
}

/*
 *   memory   |p0[.......... 0 .. 40M .........]   [ 48M .. 64M ]|
 *   reserved |p0 [kernel 1M..3M]  [8000 bytes at 20M+100]        |
 *   nomap    |                       [30M..31M]                  |
 *   hotplug  |                                      [48M..56M]   |
 */
static void build(void)
{
	assert_int_equal(pmm_memblock_add_node(0, 40 * SZ_1M, 0, 0), 0);
	assert_int_equal(pmm_memblock_add_node(48 * SZ_1M, 16 * SZ_1M, 0,
					       PMM_MEMBLOCK_HOTPLUG), 0);
	assert_int_equal(pmm_memblock_mark_hotplug(48 * SZ_1M, 8 * SZ_1M), 0);
	assert_int_equal(pmm_memblock_reserve(0, SZ_4K), 0);
	assert_int_equal(pmm_memblock_reserve(SZ_1M, 2 * SZ_1M), 0);
	assert_int_equal(pmm_memblock_reserve(20 * SZ_1M + 100, 8000), 0);
	assert_int_equal(pmm_memblock_mark_nomap(30 * SZ_1M, SZ_1M), 0);
}

static void test_free_all_exact(void **state)
{
	uint64_t pages = 0, want;

	(void)state;
	build();
	want = expected_free_pages();
	/* 64M minus 8M hole, page 0, 2M kernel, 2 partly used pages, 1M nomap */
	assert_int_equal(want, (56 * SZ_1M - SZ_4K - 2 * SZ_1M - 2 * SZ_4K -
				SZ_1M) / SZ_4K);
	assert_int_equal(pmm_memblock_free_all(&pages), 0);
	assert_int_equal(pages, want);
	assert_int_equal(pmm_nr_free_pages(), want);
	assert_null(pmm_check());
	/* reserved, partly reserved and NOMAP pages stayed out */
	assert_true(pmm_pfn_is_reserved(PMM_PFN_DOWN(SZ_1M)));
	assert_true(pmm_pfn_is_reserved(PMM_PFN_DOWN(20 * SZ_1M)));
	assert_true(pmm_pfn_is_reserved(PMM_PFN_DOWN(20 * SZ_1M + 8100)));
	assert_false(pmm_pfn_is_reserved(PMM_PFN_DOWN(20 * SZ_1M + 8192)));
	assert_true(pmm_pfn_is_reserved(PMM_PFN_DOWN(30 * SZ_1M)));
	assert_true(pmm_pfn_is_reserved(PMM_PFN_DOWN(44 * SZ_1M)));
	/* HOTPLUG is cleared at retirement and its memory handed over */
	assert_int_equal(pmm_memblock.memory.cnt, 4);
	assert_int_equal(pmm_memblock.memory.regions[3].base, 48 * SZ_1M);
	assert_int_equal(pmm_memblock.memory.regions[3].flags, 0);
	assert_false(pmm_pfn_is_reserved(PMM_PFN_DOWN(50 * SZ_1M)));
}

static void test_free_all_ends_allocation(void **state)
{
	pmm_phys_t pa;
	uint64_t pages = 0;

	(void)state;
	build();
	assert_int_equal(pmm_memblock_free_all(&pages), 0);
	assert_int_equal(pmm_memblock_free_all(&pages), PMM_ERETIRED);
	assert_int_equal(pmm_memblock_phys_alloc(SZ_4K, SZ_4K, &pa),
			 PMM_ERETIRED);
	assert_int_equal(pmm_memblock_free_all(NULL), PMM_ERETIRED);
}

/* Memory outside every zone: the buddy allocator's error comes back. */
static void test_free_all_outside_zones(void **state)
{
	uint64_t pages = 0;

	(void)state;
	assert_int_equal(pmm_memblock_add(SZ_1M, SZ_1M), 0);
	assert_int_equal(pmm_memblock_add(128 * SZ_1M, SZ_1M), 0);
	assert_int_equal(pmm_memblock_add(129 * SZ_1M + SZ_4K, SZ_4K), 0);
	assert_int_equal(pmm_memblock_add(4 * SZ_1M, SZ_1M), 0);
	assert_int_equal(pmm_memblock_free_all(&pages), PMM_ERANGE);
	/* the ranges inside zones were handed over all the same */
	assert_int_equal(pages, 2 * SZ_1M / SZ_4K);
	assert_int_equal(pmm_nr_free_pages(), 2 * SZ_1M / SZ_4K);
}

/*
 *   reserved |[ initrd 8M..10M+100 ]|   free_late returns its whole pages
 */
static const struct buddy_zone_spec node_zones[] = {
	{ 0, PMM_ZONE_DMA, 0, 4096 },
	{ 0, PMM_ZONE_NORMAL, 4096, 6144 },
	{ 1, PMM_ZONE_NORMAL, 6144, 12288 },
	{ 2, PMM_ZONE_NORMAL, 12288, MAX_PFN },
};

/* The jobs the last run_on_cpus call had; the jobs run here in order. */
static unsigned int hook_jobs;

static int count_jobs_hook(void *ctx, void (*fn)(void *, unsigned int), void *arg,
			   unsigned int nr_jobs)
{
	(void)ctx;
	hook_jobs = nr_jobs;
	for (unsigned int j = 0; j < nr_jobs; j++)
		fn(arg, j);
	return 0;
}

static int setup_nodes(void **state)
{
	(void)state;
	if (setup_zones(node_zones, 4))
		return -1;
	struct pmm_platform p = *pmm_platform_get();
	p.run_on_cpus = count_jobs_hook;
	pmm_platform_set(&p);
	hook_jobs = 0;
	return 0;
}

/*
 * Three nodes, each handed over in pieces (pmm_run_pieces()), node 0's
 * span with a hole; every free page of every node goes over once:
 *
 *   memory   |p0[ node 0 0..8M ]    [ node 0 12M..24M ][ node 1 24M..48M ][ node 2 48M..64M ]|
 *   reserved |p0   [1M..3M]                                  [40M..41M]                       |
 */
static void test_free_all_nodes_in_pieces(void **state)
{
	uint64_t pages = 0, want;

	(void)state;
	assert_int_equal(pmm_memblock_add_node(24 * SZ_1M, 24 * SZ_1M, 1, 0), 0);
	assert_int_equal(pmm_memblock_add_node(0, 8 * SZ_1M, 0, 0), 0);
	assert_int_equal(pmm_memblock_add_node(48 * SZ_1M, 16 * SZ_1M, 2, 0), 0);
	assert_int_equal(pmm_memblock_add_node(12 * SZ_1M, 12 * SZ_1M, 0, 0), 0);
	assert_int_equal(pmm_memblock_reserve(0, SZ_4K), 0);
	assert_int_equal(pmm_memblock_reserve(SZ_1M, 2 * SZ_1M), 0);
	assert_int_equal(pmm_memblock_reserve(40 * SZ_1M, SZ_1M), 0);
	want = expected_free_pages();
	assert_int_equal(want, (60 * SZ_1M - SZ_4K - 3 * SZ_1M) / SZ_4K);
	assert_int_equal(pmm_memblock_free_all(&pages), 0);
	/* a group per node, each in PMM_JOBS_MAX / 3 > 4 pieces: 4 */
	assert_int_equal(hook_jobs, 3 * 4);
	assert_int_equal(pages, want);
	assert_int_equal(pmm_nr_free_pages(), want);
	assert_null(pmm_check());
	assert_false(pmm_pfn_is_reserved(PMM_PFN_DOWN(13 * SZ_1M)));
	assert_false(pmm_pfn_is_reserved(PMM_PFN_DOWN(47 * SZ_1M)));
	assert_true(pmm_pfn_is_reserved(PMM_PFN_DOWN(9 * SZ_1M)));
}

/*
 * Memory without a node after a node's: one job over everything.
 *
 *   memory   |p0[ node 0 0..8M ]   [ no node 24M..48M ]|
 */
static void test_free_all_without_node_one_job(void **state)
{
	uint64_t pages = 0, want;

	(void)state;
	assert_int_equal(pmm_memblock_add_node(0, 8 * SZ_1M, 0, 0), 0);
	assert_int_equal(pmm_memblock_add(24 * SZ_1M, 24 * SZ_1M), 0);
	assert_int_equal(pmm_memblock_reserve(0, SZ_4K), 0);
	want = expected_free_pages();
	assert_int_equal(want, (32 * SZ_1M - SZ_4K) / SZ_4K);
	assert_int_equal(pmm_memblock_free_all(&pages), 0);
	assert_int_equal(hook_jobs, 1);
	assert_int_equal(pages, want);
	assert_int_equal(pmm_nr_free_pages(), want);
	assert_null(pmm_check());
}

/*
 * Two nodes fail differently: free_all returns the first node's error.
 *
 *   memory   |p0  node 0 [1M..2M) handed already | node 1 [80M..81M) in no zone|
 */
static void test_free_all_nodes_first_error(void **state)
{
	uint64_t pages = 0;

	(void)state;
	assert_int_equal(pmm_memblock_add_node(SZ_1M, SZ_1M, 0, 0), 0);
	assert_int_equal(pmm_memblock_add_node(80 * SZ_1M, SZ_1M, 1, 0), 0);
	assert_int_equal(pmm_buddy_handoff_range(SZ_1M / SZ_4K, 2 * SZ_1M / SZ_4K, NULL), 0);
	assert_int_equal(pmm_memblock_free_all(&pages), PMM_EDOUBLEFREE);
	assert_int_equal(pages, 0);
}

/*
 * A region removed from the top leaves its old entry past memory.cnt: the
 * plan reads only the cnt entries, so node 3's gone memory makes no job.
 *
 *   memory   |p0[ node 0 0..8M ]   [ node 1 24M..48M ]   (node 3 56M..64M removed)|
 */
static void test_free_all_removed_node_no_job(void **state)
{
	uint64_t pages = 0, want;

	(void)state;
	assert_int_equal(pmm_memblock_add_node(0, 8 * SZ_1M, 0, 0), 0);
	assert_int_equal(pmm_memblock_add_node(24 * SZ_1M, 24 * SZ_1M, 1, 0), 0);
	assert_int_equal(pmm_memblock_add_node(56 * SZ_1M, 8 * SZ_1M, 3, 0), 0);
	assert_int_equal(pmm_memblock_remove(56 * SZ_1M, 8 * SZ_1M), 0);
	assert_int_equal(pmm_memblock.memory.cnt, 2);
	assert_int_equal(pmm_memblock_reserve(0, SZ_4K), 0);
	want = expected_free_pages();
	assert_int_equal(pmm_memblock_free_all(&pages), 0);
	assert_int_equal(hook_jobs, 2 * 4);
	assert_int_equal(pages, want);
	assert_null(pmm_check());
}

static void test_free_late(void **state)
{
	uint64_t pages = 0, before;

	(void)state;
	build();
	assert_int_equal(pmm_memblock_reserve(8 * SZ_1M, 2 * SZ_1M + 100), 0);
	assert_int_equal(pmm_memblock_free_late(8 * SZ_1M, 2 * SZ_1M + 100),
			 PMM_ESTATE);
	assert_int_equal(pmm_memblock_free_all(&pages), 0);
	before = pmm_nr_free_pages();
	assert_int_equal(pmm_memblock_free_late(8 * SZ_1M, 2 * SZ_1M + 100), 0);
	assert_int_equal(pmm_nr_free_pages(), before + 2 * SZ_1M / SZ_4K);
	assert_false(pmm_memblock_is_region_reserved(8 * SZ_1M, 2 * SZ_1M + 100));
	assert_true(pmm_pfn_is_reserved(PMM_PFN_DOWN(10 * SZ_1M)));
	assert_null(pmm_check());
	/* freeing free memory again: the buddy allocator refuses, no change */
	assert_int_equal(pmm_memblock_free_late(8 * SZ_1M, SZ_1M),
			 PMM_EDOUBLEFREE);
	assert_int_equal(pmm_nr_free_pages(), before + 2 * SZ_1M / SZ_4K);
	assert_int_equal(pmm_memblock_free_late(8 * SZ_1M, 0), PMM_EINVAL);
	assert_null(pmm_check());
}

/* Doubled arrays live in memblock-allocated pages; discard returns them. */
static void test_discard(void **state)
{
	uint64_t pages = 0, before;
	pmm_phys_t arr;

	(void)state;
	assert_int_equal(pmm_memblock_discard(), PMM_ESTATE);
	pmm_memblock_allow_resize();
	assert_int_equal(pmm_memblock_add(SZ_1M, 40 * SZ_1M), 0);
	for (unsigned int i = 0; i <= PMM_INIT_MEMBLOCK_REGIONS; i++)
		assert_int_equal(pmm_memblock_reserve(SZ_1M + i * 2 * SZ_4K,
						      SZ_4K), 0);
	arr = pmm_memblock_array_phys(&pmm_memblock.reserved);
	assert_int_not_equal(arr, 0);
	assert_int_equal(pmm_memblock_free_all(&pages), 0);
	assert_true(pmm_pfn_is_reserved(PMM_PFN_DOWN(arr)));
	before = pmm_nr_free_pages();
	assert_int_equal(pmm_memblock_discard(), 0);
	assert_int_equal(pmm_nr_free_pages(), before + 2); /* 8 KiB array */
	assert_false(pmm_pfn_is_reserved(PMM_PFN_DOWN(arr)));
	mbt_expect_empty(&pmm_memblock.reserved);
	assert_true(pmm_memblock.handed_off);
	assert_null(pmm_check());
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_free_all_exact, setup, teardown),
		cmocka_unit_test_setup_teardown(test_free_all_ends_allocation, setup, teardown),
		cmocka_unit_test_setup_teardown(test_free_all_outside_zones, setup, teardown),
		cmocka_unit_test_setup_teardown(test_free_all_nodes_in_pieces, setup_nodes, teardown),
		cmocka_unit_test_setup_teardown(test_free_all_without_node_one_job, setup_nodes, teardown),
		cmocka_unit_test_setup_teardown(test_free_all_nodes_first_error, setup_nodes, teardown),
		cmocka_unit_test_setup_teardown(test_free_all_removed_node_no_job, setup_nodes, teardown),
		cmocka_unit_test_setup_teardown(test_free_late, setup, teardown),
		cmocka_unit_test_setup_teardown(test_discard, setup, teardown),
	};
	return cmocka_run_group_tests_name("memblock_handoff", tests, NULL, NULL);
}
