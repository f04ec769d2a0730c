/* SPDX-License-Identifier: MIT */
/*
 * test_hotplug_errors.c - the memory hotplug rows of docs/errors.md
 * (H01..H19) and the Movable zone and online policy rows (M01..M06):
 * every bad input to pmm/elastic.h gets its documented error, and the
 * descriptors, zones, pair bitmaps (tests/support/
 * reliability_snap.c) and the block table are byte for byte what they
 * were; pmm_check() passes. The row id is in each case's name.
 *
 *   pfn 0      1024     2000 2016              4096      5120      6144    7168
 *       |absent|  Normal |####|   Normal         | blk 4   | blk 5   | blk 6 | 7 |
 *   blocks of 1024 pages; [2000, 2016) reserved (never handed over);
 *   block 4 hot-added on node 0 before each case.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <pmm/buddy.h>
#include <pmm/check.h>
#include <pmm/contig.h>

#include "buddy_setup.h"
#include "hotplug_setup.h"
#include "reliability_snap.h"

#define B(n) HP_BYTES((pmm_pfn_t)(n) * HP_BLOCK)

static struct rel_snap snap;
static struct pmm_memory_block_info blocks[8];

static void blocks_take(struct pmm_memory_block_info out[8])
{
	memset(out, 0, 8 * sizeof(out[0]));
	for (unsigned int i = 0; i < pmm_memory_block_count(); i++)
		assert_int_equal(pmm_memory_block_get(i, &out[i]), 0);
}

/* Snapshot what a failed call must keep. */
static void mark(void)
{
	rel_snap_take(&snap);
	blocks_take(blocks);
}

static int he_setup(void **state)
{
	(void)state;
	static const struct buddy_zone_spec z[] = {
		{ 0, PMM_ZONE_NORMAL, HP_BLOCK, 4 * HP_BLOCK },
	};
	static const pmm_pfn_t bound[PMM_NR_ADDR_ZONES + 1] = {
		0, HP_BLOCK, HP_BLOCK, (pmm_pfn_t)UINT64_MAX, (pmm_pfn_t)UINT64_MAX
	};
	assert_int_equal(buddy_setup(&(struct buddy_setup_opts){
		.max_pfn = HP_MAX_PFN, .zones = z, .nr_zones = 1 }), 0);
	assert_int_equal(pmm_buddy_handoff_range(HP_BLOCK, 2000, NULL), 0);
	assert_int_equal(pmm_buddy_handoff_range(2016, 4 * HP_BLOCK, NULL), 0);
	assert_int_equal(pmm_hotplug_init(&(struct pmm_hotplug_config){
		.block_bytes = B(1), .zone_bound = bound }), 0);
	assert_int_equal(pmm_memory_add(0, B(4), B(1)), 0);
	mark();
	return 0;
}

static int he_teardown(void **state)
{
	(void)state;
	rel_snap_release(&snap);
	hotplug_teardown();
	return 0;
}

/* Unchanged since mark(), and pmm_check() passes. */
static void unchanged(void)
{
	const char *why = rel_snap_same(&snap);
	if (why)
		fail_msg("%s", why);
	struct pmm_memory_block_info now[8];
	blocks_take(now);
	assert_memory_equal(now, blocks, sizeof(now));
	assert_null(pmm_check());
}

/*
 * After a failed offline that isolated the range before its migrate hook
 * refused: the blocks, the zones' counts and every page's state as they
 * were (the free lists may be in another order, and PMM_DEBUG=3 counts
 * the locked operations), and pmm_check() passes.
 */
static void unchanged_but_list_order(void)
{
	struct pmm_memory_block_info now[8];
	blocks_take(now);
	assert_memory_equal(now, blocks, sizeof(now));
	const char *why = rel_snap_same_but_order(&snap);
	if (why)
		fail_msg("%s", why);
	assert_null(pmm_check());
}

/* Every call of the four over [@start, +@size) returns @want. */
static void all_fail(pmm_phys_t start, uint64_t size, int want)
{
	assert_int_equal(pmm_memory_add(0, start, size), want);
	assert_int_equal(pmm_memory_offline(start, size), want);
	assert_int_equal(pmm_memory_online(start, size), want);
	assert_int_equal(pmm_memory_remove(start, size), want);
}

static void H01_zero_size(void **state)
{
	(void)state;
	all_fail(B(5), 0, PMM_EINVAL);
	unchanged();
}

static void H02_not_block_aligned(void **state)
{
	(void)state;
	all_fail(B(5) + PMM_PAGE_SIZE, B(1), PMM_EALIGN);
	all_fail(B(5), B(1) / 2, PMM_EALIGN);
	unchanged();
}

static void H03_range_wraps(void **state)
{
	(void)state;
	all_fail(UINT64_MAX - B(1) + 1, B(2), PMM_EOVERFLOW);
	unchanged();
}

static void H04_past_descriptors(void **state)
{
	(void)state;
	all_fail(B(8), B(1), PMM_ERANGE);
	all_fail(B(7), B(2), PMM_ERANGE);
	unchanged();
}

static void H05_node_past_limit(void **state)
{
	(void)state;
	assert_int_equal(pmm_memory_add(-1, B(5), B(1)), PMM_EINVAL);
	assert_int_equal(pmm_memory_add(PMM_MAX_NUMNODES, B(5), B(1)), PMM_EINVAL);
	unchanged();
}

static void H06_overlaps_online_memory(void **state)
{
	(void)state;
	assert_int_equal(pmm_memory_add(0, B(3), B(1)), PMM_EOVERLAP);
	assert_int_equal(pmm_memory_add(0, B(3), B(3)), PMM_EOVERLAP);
	assert_int_equal(pmm_memory_add(1, B(1), B(1)), PMM_EOVERLAP);
	unchanged();
}

static void H07_double_add(void **state)
{
	(void)state;
	assert_int_equal(pmm_memory_add(0, B(4), B(1)), PMM_EOVERLAP);
	unchanged();
}

static void H08_zone_boundary_or_pfn0(void **state)
{
	(void)state;
	const pmm_pfn_t bound[PMM_NR_ADDR_ZONES + 1] = {
		0, HP_BLOCK, HP_BLOCK, 6 * HP_BLOCK, (pmm_pfn_t)UINT64_MAX
	};
	assert_int_equal(pmm_hotplug_init(&(struct pmm_hotplug_config){
		.block_bytes = B(1), .zone_bound = bound }), 0);
	mark();
	assert_int_equal(pmm_memory_add(0, B(5), B(2)), PMM_ERANGE);
	assert_int_equal(pmm_memory_add(0, B(0), B(1)), PMM_ERANGE);
	unchanged();
}

static void H09_zone_or_node_would_meet_another(void **state)
{
	(void)state;
	assert_int_equal(pmm_memory_add(1, B(6), B(1)), 0);
	mark();
	assert_int_equal(pmm_memory_add(0, B(7), B(1)), PMM_EOVERLAP);
	/* node 0's Movable zone would not meet a zone, but node 0 would meet node 1 */
	assert_int_equal(pmm_memory_add_as(0, B(7), B(1), PMM_ONLINE_MOVABLE),
			 PMM_EOVERLAP);
	unchanged();
}

static void H10_offline_reserved_pages(void **state)
{
	(void)state;
	assert_int_equal(pmm_memory_offline(B(1), B(1)), PMM_EBUSY);
	assert_int_equal(pmm_memory_offline(B(1), B(4)), PMM_EBUSY);
	unchanged();
}

static void H11_offline_unmovable_pages(void **state)
{
	(void)state;
	struct pmm_page *pg = pmm_alloc_pages(PMM_GFP_KERNEL, 0);
	assert_non_null(pg);
	pmm_pfn_t pfn = pmm_page_to_pfn(pg);
	unsigned int id = (unsigned int)(pfn / HP_BLOCK);
	assert_true(id >= 2);
	mark();
	assert_int_equal(pmm_memory_offline(B(id), B(1)), PMM_EBUSY);
	unchanged();
	hotplug_hook(true, true);
	assert_int_equal(pmm_memory_offline(B(id), B(1)), PMM_EBUSY);
	unchanged_but_list_order();
}

static void H12_remove_online_or_absent(void **state)
{
	(void)state;
	assert_int_equal(pmm_memory_remove(B(4), B(1)), PMM_ESTATE);
	assert_int_equal(pmm_memory_remove(B(3), B(1)), PMM_ESTATE);
	assert_int_equal(pmm_memory_remove(B(5), B(1)), PMM_ESTATE);
	unchanged();
}

static void H13_offline_not_online(void **state)
{
	(void)state;
	assert_int_equal(pmm_memory_offline(B(5), B(1)), PMM_ESTATE);
	assert_int_equal(pmm_memory_offline(B(4), B(2)), PMM_ESTATE);
	assert_int_equal(pmm_memory_offline(B(4), B(1)), 0);
	mark();
	assert_int_equal(pmm_memory_offline(B(4), B(1)), PMM_ESTATE);
	unchanged();
}

static void H14_online_not_offline(void **state)
{
	(void)state;
	assert_int_equal(pmm_memory_online(B(4), B(1)), PMM_ESTATE);
	assert_int_equal(pmm_memory_online(B(5), B(1)), PMM_ESTATE);
	unchanged();
}

static void H15_blocks_of_two_zones_or_nodes(void **state)
{
	(void)state;
	assert_int_equal(pmm_memory_add(1, B(6), B(1)), 0);
	assert_int_equal(pmm_memory_add(0, B(5), B(1)), 0);
	mark();
	assert_int_equal(pmm_memory_offline(B(5), B(2)), PMM_ERANGE);
	unchanged();
}

static void H16_before_init(void **state)
{
	(void)state;
	pmm_hotplug_reset();
	assert_int_equal(pmm_memory_block_bytes(), 0);
	all_fail(B(5), B(1), PMM_ESTATE);
	struct pmm_memory_block_info info;
	assert_int_equal(pmm_memory_block_get(0, &info), PMM_ERANGE);
	const char *why = rel_snap_same(&snap);
	if (why)
		fail_msg("%s", why);
}

static void H17_bad_init(void **state)
{
	(void)state;
	const pmm_pfn_t down[PMM_NR_ADDR_ZONES + 1] = { 0, 100, 50, 200, 300 };
	assert_int_equal(pmm_hotplug_init(&(struct pmm_hotplug_config){
		.block_bytes = B(1) + PMM_PAGE_SIZE }), PMM_EALIGN);
	assert_int_equal(pmm_hotplug_init(&(struct pmm_hotplug_config){
		.block_bytes = PMM_PAGE_SIZE << 4 }), PMM_EALIGN);
	assert_int_equal(pmm_hotplug_init(&(struct pmm_hotplug_config){
		.zone_bound = down }), PMM_EINVAL);
	unchanged();
	hotplug_teardown();
	assert_int_equal(pmm_hotplug_init(NULL), PMM_ESTATE);
	assert_int_equal(hotplug_setup(), 0); /* for the teardown */
}

static void H18_no_memory_for_metadata(void **state)
{
	(void)state;
	/* take every free page */
	while (pmm_alloc_pages(PMM_GFP_KERNEL, 0) != NULL) {
	}
	mark();
	assert_int_equal(pmm_memory_add(0, B(5), B(1)), PMM_ENOMEM);
	assert_int_equal(pmm_memory_add(1, B(6), B(1)), PMM_ENOMEM);
	unchanged();
}

static int inner_err;

/* A migrate hook that tries a hotplug call of its own. */
static int reentrant_migrate(void *ctx, pmm_pfn_t pfn, pmm_order_t order)
{
	(void)ctx;
	(void)pfn;
	(void)order;
	inner_err = pmm_memory_add(0, B(6), B(1));
	return -1;
}

static void H19_call_while_another_runs(void **state)
{
	(void)state;
	struct pmm_page *pg = pmm_alloc_pages(PMM_GFP_KERNEL, 0);
	assert_non_null(pg);
	pmm_pfn_t pfn = pmm_page_to_pfn(pg);
	mark();
	struct pmm_platform p = *pmm_platform_get();
	p.migrate = reentrant_migrate;
	pmm_platform_set(&p);
	assert_int_equal(pmm_memory_offline(B(pfn / HP_BLOCK), B(1)), PMM_EBUSY);
	assert_int_equal(inner_err, PMM_EBUSY);
	unchanged_but_list_order();
}

/* The policy in force is the default one. */
static void policy_is_default(void)
{
	struct pmm_online_policy p;
	pmm_memory_policy_get(&p);
	assert_int_equal(p.kind, PMM_POLICY_CONTIG_ZONES);
	assert_int_equal(p.auto_movable_ratio, PMM_AUTO_MOVABLE_RATIO_DEFAULT);
	assert_false(p.numa_unaware);
	assert_false(p.movable_node);
}

static void M01_unknown_online_type(void **state)
{
	(void)state;
	assert_int_equal(pmm_memory_add_as(0, B(5), B(1), (enum pmm_online_type)7),
			 PMM_EINVAL);
	assert_int_equal(pmm_memory_offline(B(4), B(1)), 0);
	mark();
	assert_int_equal(pmm_memory_online_as(B(4), B(1), (enum pmm_online_type)3),
			 PMM_EINVAL);
	unchanged();
}

static void M02_bad_policy(void **state)
{
	(void)state;
	assert_int_equal(pmm_memory_policy_set(&(struct pmm_online_policy){
		.kind = (enum pmm_online_policy_kind)2 }), PMM_EINVAL);
	assert_int_equal(pmm_memory_policy_set(&(struct pmm_online_policy){
		.kind = PMM_POLICY_AUTO_MOVABLE, .auto_movable_ratio = 1000001 }),
			 PMM_EINVAL);
	policy_is_default();
	unchanged();
}

static void M03_movable_inside_kernel_zone(void **state)
{
	(void)state;
	assert_int_equal(pmm_memory_add(0, B(6), B(1)), 0); /* Normal to block 6 */
	mark();
	assert_int_equal(pmm_memory_add_as(0, B(5), B(1), PMM_ONLINE_MOVABLE),
			 PMM_EOVERLAP);
	unchanged();
}

static void M04_online_movable_inside_kernel_zone(void **state)
{
	(void)state;
	assert_int_equal(pmm_memory_add(0, B(6), B(1)), 0);
	assert_int_equal(pmm_memory_offline(B(4), B(1)), 0); /* a hole in Normal's span */
	mark();
	assert_int_equal(pmm_memory_online_as(B(4), B(1), PMM_ONLINE_MOVABLE),
			 PMM_EOVERLAP);
	unchanged();
}

static void M05_auto_movable_kernel_zone_blocked(void **state)
{
	(void)state;
	assert_int_equal(pmm_memory_add_as(0, B(5), B(1), PMM_ONLINE_MOVABLE), 0);
	assert_int_equal(pmm_memory_policy_set(&(struct pmm_online_policy){
		.kind = PMM_POLICY_AUTO_MOVABLE, .auto_movable_ratio = 1 }), 0);
	mark();
	assert_int_equal(pmm_memory_add(0, B(6), B(1)), PMM_EOVERLAP);
	unchanged();
}

static void M06_cma_in_movable_zone(void **state)
{
	(void)state;
	assert_int_equal(pmm_memory_add_as(0, B(5), B(1), PMM_ONLINE_MOVABLE), 0);
	mark();
	int id = -1;
	assert_int_equal(pmm_cma_declare(5 * HP_BLOCK, PMM_PAGEBLOCK_PAGES, "m", &id),
			 PMM_EINVAL);
	assert_int_equal(id, -1);
	assert_int_equal(pmm_cma_count(), 0);
	unchanged();
}

#define HE(f) cmocka_unit_test_setup_teardown(f, he_setup, he_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		HE(H01_zero_size),
		HE(H02_not_block_aligned),
		HE(H03_range_wraps),
		HE(H04_past_descriptors),
		HE(H05_node_past_limit),
		HE(H06_overlaps_online_memory),
		HE(H07_double_add),
		HE(H08_zone_boundary_or_pfn0),
		HE(H09_zone_or_node_would_meet_another),
		HE(H10_offline_reserved_pages),
		HE(H11_offline_unmovable_pages),
		HE(H12_remove_online_or_absent),
		HE(H13_offline_not_online),
		HE(H14_online_not_offline),
		HE(H15_blocks_of_two_zones_or_nodes),
		HE(H16_before_init),
		HE(H17_bad_init),
		HE(H18_no_memory_for_metadata),
		HE(H19_call_while_another_runs),
		HE(M01_unknown_online_type),
		HE(M02_bad_policy),
		HE(M03_movable_inside_kernel_zone),
		HE(M04_online_movable_inside_kernel_zone),
		HE(M05_auto_movable_kernel_zone_blocked),
		HE(M06_cma_in_movable_zone),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
