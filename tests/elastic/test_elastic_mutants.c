/* SPDX-License-Identifier: MIT */
/*
 * test_elastic_mutants.c - the boundaries mutation testing found in the
 * elastic layer (issue 17, docs/mutation.md): the block proof's limits
 * (an offline block inside a zone's span, the first node id past the
 * table, a block ending one page past its zone), the zone a block
 * starting or ending exactly on a zone bound goes to, the words of the
 * failure messages, watermarks that follow a zone's growth and shrinking,
 * and the offline path's per-CPU lists (this CPU's, another CPU's).
 *
 * Machine (tests/support/hotplug_setup.h), unless a case says otherwise:
 *   pfn 0      1024                  4096      5120      6144    7168
 *       |absent|   Normal, node 0     | blk 4   | blk 5   | blk 6 | 7 |
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <pmm/buddy.h>
#include <pmm/check.h>
#include <pmm/zone.h>

#include "buddy_setup.h"
#include "host_platform.h"
#include "hotplug_setup.h"

#include "../../src/elastic/elastic_internal.h"

#define B(n) HP_BYTES((pmm_pfn_t)(n) * HP_BLOCK) /* byte address of block n */

static int em_setup(void **state)
{
	(void)state;
	assert_int_equal(hotplug_setup(), 0);
	assert_null(pmm_check());
	return 0;
}

static int em_teardown(void **state)
{
	(void)state;
	hotplug_hook(false, false);
	hotplug_owner_free_all();
	host_set_cpu(0);
	hotplug_teardown();
	return 0;
}

static struct pmm_zone *normal0(void)
{
	return &pmm_nodes[0].zones[PMM_ZONE_NORMAL];
}

/* pmm_hotplug_check() fails, naming @what. */
static void proof_says(const char *what)
{
	const char *why = pmm_hotplug_check();
	assert_non_null(why);
	if (strstr(why, what) == NULL)
		fail_msg("pmm_hotplug_check(): \"%s\", expected \"%s\"", why, what);
}

/* @call's log holds @what. */
#define LOG_HOLDS(call, what)                                             \
	do {                                                              \
		host_log_capture_start();                                 \
		call;                                                     \
		char *log_ = host_log_capture_stop();                     \
		assert_non_null(log_);                                    \
		if (strstr(log_, (what)) == NULL)                         \
			fail_msg("log \"%s\", expected \"%s\"", log_, (what)); \
		free(log_);                                               \
	} while (0)

/*
 * Block 4 offline between online blocks 3 and 5: Normal still spans it,
 * so the proof walks its descriptors and finds the one put in use.
 *   |1024 .. 4095 online|4096 offline|5120 online|
 */
static void proof_offline_block_inside_zone_span(void **state)
{
	(void)state;
	assert_int_equal(pmm_memory_add(0, B(4), B(2)), 0);
	assert_int_equal(pmm_memory_offline(B(4), B(1)), 0);
	assert_true(pmm_zone_span_overlaps(4 * HP_BLOCK, 5 * HP_BLOCK, NULL));
	assert_null(pmm_hotplug_check());
	struct pmm_page *d = pmm_pfn_to_page(5 * HP_BLOCK - 1); /* its last page */
	d->info = PMM_PG_ALLOC_HEAD | PMM_PG_REF_ONE;
	proof_says("block 4 is offline but pfn 0x13ff is in use");
	d->info = 0;
	assert_null(pmm_hotplug_check());
}

/* A counted block's node id PMM_MAX_NUMNODES, the first past the table. */
static void proof_block_node_first_past_limit(void **state)
{
	(void)state;
	assert_int_equal(pmm_memory_add(0, B(4), B(1)), 0);
	pmm_hp.block[4].nid = PMM_MAX_NUMNODES;
	char want[64];
	snprintf(want, sizeof(want), "block 4: node %u zone %u",
		 (unsigned int)PMM_MAX_NUMNODES, (unsigned int)PMM_ZONE_NORMAL);
	proof_says(want);
	pmm_hp.block[4].nid = 0;
	assert_null(pmm_hotplug_check());
}

/* A counted block's zone PMM_NR_ZONES (HP_MIXED), the first past the zones. */
static void proof_block_zone_first_past_limit(void **state)
{
	(void)state;
	assert_int_equal(pmm_memory_add(0, B(4), B(1)), 0);
	pmm_hp.block[4].zone = PMM_NR_ZONES;
	char want[64];
	snprintf(want, sizeof(want), "block 4: node 0 zone %u",
		 (unsigned int)PMM_NR_ZONES);
	proof_says(want);
	pmm_hp.block[4].zone = PMM_ZONE_NORMAL;
	assert_null(pmm_hotplug_check());
}

/* The zone ends one page before its last counted block does. */
static void proof_block_one_page_past_zone_end(void **state)
{
	(void)state;
	assert_int_equal(pmm_memory_add(0, B(4), B(1)), 0);
	normal0()->end_pfn--;
	proof_says("online block 4 [0x1000, 0x1400) outside zone Normal of node 0");
	normal0()->end_pfn++;
	assert_null(pmm_hotplug_check());
}

/* Block 0 ends exactly on DMA's upper bound: it is DMA's, refused for
 * pfn 0 (not for crossing a bound); the log gives its last byte. */
static void add_block_ending_on_zone_bound(void **state)
{
	(void)state;
	LOG_HOLDS(assert_int_equal(pmm_memory_add(0, B(0), B(1)), PMM_ERANGE),
		  "memory_add [mem 0x0000000000-0x00003fffff]: holds pfn 0");
}

/* Node PMM_MAX_NUMNODES: the message names the last valid one. */
static void add_node_first_past_limit_says_last(void **state)
{
	(void)state;
	char want[64];
	snprintf(want, sizeof(want), "nodes are 0..%d (PMM_MAX_NUMNODES)",
		 PMM_MAX_NUMNODES - 1);
	LOG_HOLDS(assert_int_equal(pmm_memory_add(PMM_MAX_NUMNODES, B(5), B(1)),
				   PMM_EINVAL),
		  want);
}

/* HighMem's bound exactly at block 6's first pfn: the block is HighMem's. */
static void add_block_starting_on_zone_bound(void **state)
{
	(void)state;
	static const pmm_pfn_t bound[PMM_NR_ADDR_ZONES + 1] = {
		0, HP_BLOCK, HP_BLOCK, 6 * HP_BLOCK, (pmm_pfn_t)UINT64_MAX
	};
	pmm_hotplug_reset();
	assert_int_equal(pmm_hotplug_init(&(struct pmm_hotplug_config){
		.block_bytes = B(1), .zone_bound = bound }), 0);
	assert_int_equal(pmm_memory_add(0, B(6), B(1)), 0);
	const struct pmm_zone *hi = &pmm_nodes[0].zones[PMM_ZONE_HIGHMEM];
	assert_int_equal(hi->start_pfn, 6 * HP_BLOCK);
	assert_int_equal(hi->end_pfn, 7 * HP_BLOCK);
	assert_null(pmm_check());
}

/* Watermarks set: each add and offline sets them again for the new size
 * (setting them once more afterwards changes nothing). */
static void watermarks_follow_add_and_offline(void **state)
{
	(void)state;
	pmm_zones_setup_watermarks();
	uint64_t boot = normal0()->watermark[PMM_WMARK_MIN];
	assert_true(boot != 0);
	assert_int_equal(pmm_memory_add(0, B(4), B(4)), 0);
	uint64_t grown = normal0()->watermark[PMM_WMARK_MIN];
	assert_true(grown > boot);
	pmm_zones_setup_watermarks();
	assert_int_equal(normal0()->watermark[PMM_WMARK_MIN], grown);
	assert_int_equal(pmm_memory_offline(B(4), B(3)), 0);
	uint64_t shrunk = normal0()->watermark[PMM_WMARK_MIN];
	assert_true(shrunk < grown);
	pmm_zones_setup_watermarks();
	assert_int_equal(normal0()->watermark[PMM_WMARK_MIN], shrunk);
}

/* The machine of hotplug_setup.h, built here with options of its own. */
static const struct buddy_zone_spec machine_zone = {
	0, PMM_ZONE_NORMAL, HP_BLOCK, 4 * HP_BLOCK
};
static const pmm_pfn_t machine_bound[PMM_NR_ADDR_ZONES + 1] = {
	0, HP_BLOCK, HP_BLOCK, (pmm_pfn_t)UINT64_MAX, (pmm_pfn_t)UINT64_MAX
};

/*
 * The machine again, with per-CPU lists on (@pcp), host memory that cannot
 * be mapped (@untouchable), and only [@first, 4 * HP_BLOCK) handed off
 * (@first 0: all of it); block 4 not added yet.
 */
static void machine(bool pcp, bool untouchable, pmm_pfn_t first)
{
	hotplug_teardown();
	assert_int_equal(buddy_setup(&(struct buddy_setup_opts){
		.max_pfn = HP_MAX_PFN, .zones = &machine_zone, .nr_zones = 1,
		.handoff = first == 0, .keep_pcp = pcp,
		.untouchable = untouchable }), 0);
	uint64_t n = 0;
	if (first != 0)
		assert_int_equal(pmm_buddy_handoff_range(first, 4 * HP_BLOCK, &n), 0);
	assert_int_equal(pmm_hotplug_init(&(struct pmm_hotplug_config){
		.block_bytes = B(1), .zone_bound = machine_bound }), 0);
}

/* A page of block 4 on this CPU's list: drained, then the block goes. */
static void offline_drains_this_cpus_list(void **state)
{
	(void)state;
	machine(true, false, 0);
	assert_int_equal(pmm_memory_add(0, B(4), B(1)), 0);
	struct pmm_page *pg = pmm_alloc_pages_node(0, PMM_GFP_KERNEL, 0);
	assert_non_null(pg);
	pmm_pfn_t pfn = pmm_page_to_pfn(pg);
	assert_int_equal(pmm_free_page(pg), 0);
	if (pfn < 4 * HP_BLOCK || pfn >= 5 * HP_BLOCK)
		skip(); /* the allocation came from the boot blocks */
	assert_true(normal0()->pcp[0].count > 0);
	assert_int_equal(pmm_memory_offline(B(4), B(1)), 0);
	assert_null(pmm_check());
}

/* The same page on CPU 1's list: this CPU's drain cannot free it, so the
 * offline stops with PMM_EBUSY after one drain (it does not loop). */
static void offline_busy_on_other_cpus_list(void **state)
{
	(void)state;
	machine(true, false, 0);
	assert_int_equal(pmm_memory_add(0, B(4), B(1)), 0);
	host_set_cpu(1);
	struct pmm_page *pg = pmm_alloc_pages_node(0, PMM_GFP_KERNEL, 0);
	assert_non_null(pg);
	pmm_pfn_t pfn = pmm_page_to_pfn(pg);
	assert_int_equal(pmm_free_page(pg), 0);
	host_set_cpu(0);
	if (pfn < 4 * HP_BLOCK || pfn >= 5 * HP_BLOCK)
		skip();
	assert_true(normal0()->pcp[1].count > 0);
	assert_int_equal(pmm_memory_offline(B(4), B(1)), PMM_EBUSY);
	assert_null(pmm_check());
}

/* The top order too: a byte planted in a known-zero order-10 block is
 * found. Machine: Normal [0, 16384), every free block zeroed. */
static void zero_verify_reaches_top_order(void **state)
{
	(void)state;
	hotplug_teardown();
	assert_int_equal(buddy_setup_simple(16384), 0);
	assert_true(pmm_zero_idle(100000) > 0);
	assert_null(pmm_zero_verify());
	assert_int_equal(pmm_mem_map[15360].info,
			 PMM_PG_BUDDY | PMM_PG_ZERO | PMM_MAX_ORDER);
	unsigned char *planted = host_phys_ptr(PMM_PFN_PHYS(15360) + 3);
	*planted = 1;
	const char *why = pmm_zero_verify();
	assert_non_null(why);
	assert_non_null(strstr(why, "pfn 0x3c00 order 10: byte at +0x3 is not zero"));
	*planted = 0;
	assert_null(pmm_zero_verify());
}

/* Node 1's only block offlined: its zone keeps an empty span at the
 * block's first pfn (where the zone started), not at its end. */
static void offline_last_block_leaves_span_at_start(void **state)
{
	(void)state;
	assert_int_equal(pmm_memory_add(1, B(6), B(1)), 0);
	assert_int_equal(pmm_memory_offline(B(6), B(1)), 0);
	const struct pmm_zone *z = &pmm_nodes[1].zones[PMM_ZONE_NORMAL];
	assert_true(z->initialized);
	assert_int_equal(z->start_pfn, 6 * HP_BLOCK);
	assert_int_equal(z->end_pfn, 6 * HP_BLOCK);
	assert_null(pmm_check());
}

/* The new zone metadata cannot be mapped: the pages taken for it go back
 * (no page leaks), the add fails with PMM_ENOMEM. */
static void add_metadata_unmappable_frees_it(void **state)
{
	(void)state;
	machine(false, true, 0);
	uint64_t free0 = pmm_nr_free_pages();
	assert_int_equal(pmm_memory_add(0, B(4), B(1)), PMM_ENOMEM);
	assert_int_equal(pmm_nr_free_pages(), free0);
	assert_null(pmm_check());
}

/* A zone whose present count is one page short of the block: the
 * withdrawal refuses (the counts would wrap), the offline fails. */
static void offline_present_below_block_refused(void **state)
{
	(void)state;
	assert_int_equal(pmm_memory_add(0, B(4), B(1)), 0);
	uint64_t present = normal0()->present;
	normal0()->present = HP_BLOCK - 1;
	assert_int_equal(pmm_memory_offline(B(4), B(1)), PMM_EBUSY);
	normal0()->present = present;
	assert_null(pmm_check());
}

/* Boot block 1 with its first page never handed off (reserved): not
 * removable; block 2, every page in the buddy allocator, is. */
static void block_with_reserved_first_page_not_removable(void **state)
{
	(void)state;
	machine(false, false, HP_BLOCK + 1);
	struct pmm_memory_block_info info;
	assert_int_equal(pmm_memory_block_get(1, &info), 0);
	assert_false(info.removable);
	assert_int_equal(pmm_memory_block_get(2, &info), 0);
	assert_true(info.removable);
}

#define CASE(f) cmocka_unit_test_setup_teardown(f, em_setup, em_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		CASE(proof_offline_block_inside_zone_span),
		CASE(proof_block_node_first_past_limit),
		CASE(proof_block_zone_first_past_limit),
		CASE(proof_block_one_page_past_zone_end),
		CASE(add_block_ending_on_zone_bound),
		CASE(add_node_first_past_limit_says_last),
		CASE(add_block_starting_on_zone_bound),
		CASE(watermarks_follow_add_and_offline),
		CASE(offline_drains_this_cpus_list),
		CASE(offline_busy_on_other_cpus_list),
		CASE(zero_verify_reaches_top_order),
		CASE(offline_last_block_leaves_span_at_start),
		CASE(add_metadata_unmappable_frees_it),
		CASE(offline_present_below_block_refused),
		CASE(block_with_reserved_first_page_not_removable),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
