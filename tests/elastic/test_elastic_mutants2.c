/* SPDX-License-Identifier: MIT */
/*
 * test_elastic_mutants2.c - more boundaries mutation testing found in the
 * block table (issue 17, docs/mutation.md): the default zone bounds'
 * top (without configured bounds, Normal runs from 4 GiB to the end of
 * memory: a block added at 4 GiB is Normal), and a boot block two zones
 * share (two zone types of one node, or one zone type of two nodes): it
 * is mixed and names no single zone. And reporting's settings: a reset
 * brings back the default order (9), not only the batch, and a pass
 * offers at most a batch per call to the hook.
 *
 * Machines (blocks of 1024 pages, handed off), per case:
 *   default bounds: DMA32 [4096, 8192), node 0; memory to 4 GiB + 2 blocks
 *   two types:      DMA32 [1024, 1536), Normal [1536, 4096), node 0
 *   two nodes:      Normal [1024, 2560) node 0, Normal [2560, 4096) node 1
 *   reporting:      Normal [0, 32768), all free but pfn 0 (order 9 at 512,
 *                   order 10 from 1024 up: 31 of them); host reporting
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <pmm/buddy.h>
#include <pmm/check.h>
#include <pmm/elastic.h>
#include <pmm/platform.h>
#include <pmm/zone.h>

#include "buddy_setup.h"
#include "hotplug_setup.h"

#define GIB4 ((pmm_pfn_t)1 << 20) /* pfn of 4 GiB */

static int boot(const struct buddy_zone_spec *z, unsigned int nr, pmm_pfn_t max_pfn,
		const pmm_pfn_t *bound)
{
	return hotplug_setup_machine(&(struct hotplug_machine){
		.zones = z, .nr_zones = nr, .max_pfn = max_pfn, .bound = bound });
}

static int em2_teardown(void **state)
{
	(void)state;
	hotplug_teardown();
	return 0;
}

/* Block @id names zone @zone ("none" when mixed). */
static void block_zone_is(unsigned int id, const char *zone)
{
	struct pmm_memory_block_info info;
	assert_int_equal(pmm_memory_block_get(id, &info), 0);
	assert_string_equal(info.valid_zones, zone);
}

/* No configured bounds: a block added at 4 GiB is Normal, not HighMem. */
static void default_bounds_normal_runs_to_the_top(void **state)
{
	(void)state;
	if (sizeof(void *) == 4) {
		print_message("skipped: a 32-bit host cannot back 4 GiB of RAM\n");
		skip();
	}
	static const struct buddy_zone_spec z[] = {
		{ 0, PMM_ZONE_DMA32, 4 * HP_BLOCK, 8 * HP_BLOCK },
	};
	assert_int_equal(boot(z, 1, GIB4 + 2 * HP_BLOCK, NULL), 0);
	block_zone_is(4, "DMA32");
	assert_int_equal(pmm_memory_add(0, HP_BYTES(GIB4), HP_BYTES(HP_BLOCK)), 0);
	block_zone_is((unsigned int)(GIB4 / HP_BLOCK), "Normal");
	/* below 16 MiB the default layout has DMA */
	assert_int_equal(pmm_memory_add(0, HP_BYTES(2 * HP_BLOCK), HP_BYTES(HP_BLOCK)), 0);
	block_zone_is(2, "DMA");
	assert_null(pmm_check());
}

/* A node that comes with its memory and goes with it gives back the zone
 * metadata hotplug allocated for it: the free count is the one before. */
static void node_retire_frees_its_metadata(void **state)
{
	(void)state;
	static const struct buddy_zone_spec z[] = {
		{ 0, PMM_ZONE_NORMAL, HP_BLOCK, 4 * HP_BLOCK },
	};
	static const pmm_pfn_t bound[PMM_NR_ADDR_ZONES + 1] = {
		0, HP_BLOCK, HP_BLOCK, (pmm_pfn_t)UINT64_MAX, (pmm_pfn_t)UINT64_MAX
	};
	assert_int_equal(boot(z, 1, HP_MAX_PFN, bound), 0);
	uint64_t free0 = pmm_nr_free_pages(), meta0 = pmm_memory_meta_pages();
	assert_int_equal(pmm_memory_add(1, HP_BYTES(6 * HP_BLOCK), HP_BYTES(HP_BLOCK)), 0);
	assert_true(pmm_memory_meta_pages() > meta0);
	assert_int_equal(pmm_memory_offline(HP_BYTES(6 * HP_BLOCK), HP_BYTES(HP_BLOCK)), 0);
	assert_int_equal(pmm_memory_remove(HP_BYTES(6 * HP_BLOCK), HP_BYTES(HP_BLOCK)), 0);
	assert_false(pmm_nodes[1].online);
	assert_int_equal(pmm_memory_meta_pages(), meta0);
	assert_int_equal(pmm_nr_free_pages(), free0);
	assert_null(pmm_check());
}

/* DMA32 and Normal of node 0 meet inside block 1: it is mixed. */
static void boot_block_shared_by_two_types(void **state)
{
	(void)state;
	static const struct buddy_zone_spec z[] = {
		{ 0, PMM_ZONE_DMA32, HP_BLOCK, HP_BLOCK + HP_BLOCK / 2 },
		{ 0, PMM_ZONE_NORMAL, HP_BLOCK + HP_BLOCK / 2, 4 * HP_BLOCK },
	};
	static const pmm_pfn_t bound[PMM_NR_ADDR_ZONES + 1] = {
		0, HP_BLOCK, HP_BLOCK + HP_BLOCK / 2, (pmm_pfn_t)UINT64_MAX,
		(pmm_pfn_t)UINT64_MAX
	};
	assert_int_equal(boot(z, 2, HP_MAX_PFN, bound), 0);
	block_zone_is(1, "none");
	block_zone_is(2, "Normal");
	block_zone_is(3, "Normal");
	assert_null(pmm_check());
}

/* Normal of node 0 and Normal of node 1 meet inside block 2: it is mixed. */
static void boot_block_shared_by_two_nodes(void **state)
{
	(void)state;
	static const struct buddy_zone_spec z[] = {
		{ 0, PMM_ZONE_NORMAL, HP_BLOCK, 2 * HP_BLOCK + HP_BLOCK / 2 },
		{ 1, PMM_ZONE_NORMAL, 2 * HP_BLOCK + HP_BLOCK / 2, 4 * HP_BLOCK },
	};
	static const pmm_pfn_t bound[PMM_NR_ADDR_ZONES + 1] = {
		0, HP_BLOCK, HP_BLOCK, (pmm_pfn_t)UINT64_MAX, (pmm_pfn_t)UINT64_MAX
	};
	assert_int_equal(boot(z, 2, HP_MAX_PFN, bound), 0);
	block_zone_is(1, "Normal");
	block_zone_is(2, "none");
	block_zone_is(3, "Normal");
	assert_null(pmm_check());
}

#define REP_PFN 32768u

static unsigned int hook_calls, hook_max_n;
static struct pmm_platform rep_saved;

/* The host's hook, counting calls and the largest batch offered. */
static int counting_report_free(void *ctx, const pmm_pfn_t *pfns,
				const pmm_order_t *orders, unsigned int n)
{
	hook_calls++;
	if (n > hook_max_n)
		hook_max_n = n;
	return rep_saved.report_free(ctx, pfns, orders, n);
}

static int rep_setup(void **state)
{
	(void)state;
	assert_int_equal(buddy_setup(&(struct buddy_setup_opts){
		.max_pfn = REP_PFN, .handoff = true, .reporting = true }), 0);
	rep_saved = *pmm_platform_get();
	struct pmm_platform p = rep_saved;
	p.report_free = counting_report_free;
	pmm_platform_set(&p);
	hook_calls = hook_max_n = 0;
	return 0;
}

static int rep_teardown(void **state)
{
	(void)state;
	pmm_platform_set(&rep_saved);
	pmm_report_reset();
	buddy_teardown();
	return 0;
}

static uint64_t reported_pages(void)
{
	struct pmm_report_stats st;
	pmm_report_stats(&st);
	return st.reported_pages;
}

/*
 * After order 10 and a reset: order 9 again, batch 32. 31 order-10 blocks
 * and the order-9 one are 32256 pages, a batch at order 9 (32 x 512) but
 * not at order 10 (32 x 1024): the pass reports all 32 blocks, the 31 of
 * order 10 in one call, then the order-9 one.
 */
static void report_reset_brings_back_default_order(void **state)
{
	(void)state;
	assert_int_equal(pmm_report_set(10, 1), 0);
	pmm_report_reset();
	assert_int_equal(pmm_report_free_pages(1000), 32);
	assert_int_equal(reported_pages(), REP_PFN - 512);
	assert_int_equal(hook_calls, 2); /* a batch per list: order 10, order 9 */
	assert_int_equal(hook_max_n, 31);
	assert_null(pmm_check());
}

/* Batches of 2 under a budget of 5: the hook sees 2, 2, 1, never 3. */
static void report_batch_bounds_each_offer(void **state)
{
	(void)state;
	assert_int_equal(pmm_report_set(9, 2), 0);
	assert_int_equal(pmm_report_free_pages(5), 5);
	assert_int_equal(hook_calls, 3);
	assert_int_equal(hook_max_n, 2);
	assert_int_equal(reported_pages(), 5 * 1024); /* order 10 first */
	assert_null(pmm_check());
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(default_bounds_normal_runs_to_the_top, em2_teardown),
		cmocka_unit_test_teardown(node_retire_frees_its_metadata, em2_teardown),
		cmocka_unit_test_teardown(boot_block_shared_by_two_types, em2_teardown),
		cmocka_unit_test_teardown(boot_block_shared_by_two_nodes, em2_teardown),
		cmocka_unit_test_setup_teardown(report_reset_brings_back_default_order,
						rep_setup, rep_teardown),
		cmocka_unit_test_setup_teardown(report_batch_bounds_each_offer,
						rep_setup, rep_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
