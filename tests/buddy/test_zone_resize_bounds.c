/* SPDX-License-Identifier: MIT */
/*
 * test_zone_resize_bounds.c - the boundaries of memory hotplug's buddy
 * helpers (src/buddy/zone_resize.c) that mutation testing found
 * (issue 17, docs/mutation.md): a node grown up to another node's end,
 * the first bad node id of pmm_node_offline(), the span an offline node
 * is left with, and pmm_zone_resize()'s argument checks one past their
 * limits (present one above the span, an empty span without metadata,
 * metadata 4 and 8 bytes past an 8-byte boundary), and
 * pmm_zone_withdraw() of a range exactly as large as the zone's counts
 * and of one a page larger than its present count (a corruption: the
 * counts would wrap). Every error case checks that nothing changed.
 *
 * Machine: descriptors for [0, 8192), no page handed off (every
 * descriptor blank, so spans may move freely):
 *
 *   pfn 0     1024               4096     5120      6144      8192
 *       |     | node 0: Normal    |       | node 1:  |         |
 *                                           Normal
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <pmm/check.h>
#include <pmm/contig.h>
#include <pmm/zone.h>

#include "buddy_fixture.h"

static uint64_t meta[4096]; /* zone metadata for the resize cases */

static int setup(void **state)
{
	(void)state;
	assert_int_equal(buddy_setup_resize_pair(), 0);
	memset(meta, 0, sizeof(meta));
	return 0;
}

static struct pmm_zone *normal(int nid)
{
	return &pmm_nodes[nid].zones[PMM_ZONE_NORMAL];
}

/* Node 1 grown down to 4096, exactly node 0's end: they touch, no overlap. */
static void node_grow_down_to_other_nodes_end(void **state)
{
	(void)state;
	assert_int_equal(pmm_nodes[0].end_pfn, 4096);
	assert_int_equal(pmm_node_grow(1, 4096, 5120), 0);
	assert_int_equal(pmm_nodes[1].start_pfn, 4096);
	assert_int_equal(pmm_nodes[1].end_pfn, 6144);
	assert_int_equal(pmm_node_grow(1, 4095, 5120), PMM_EOVERLAP);
	assert_int_equal(pmm_nodes[1].start_pfn, 4096);
}

/* Node ids -1 and PMM_MAX_NUMNODES, and an offline node: PMM_EINVAL. */
static void node_offline_bad_ids(void **state)
{
	(void)state;
	assert_int_equal(pmm_node_offline(-1), PMM_EINVAL);
	assert_int_equal(pmm_node_offline(PMM_MAX_NUMNODES), PMM_EINVAL);
	assert_true(pmm_nodes[0].online && pmm_nodes[1].online);
	assert_int_equal(pmm_node_offline(1), 0);
	assert_int_equal(pmm_node_offline(1), PMM_EINVAL);
	assert_true(pmm_nodes[0].online);
}

/* An offline node spans nothing: [0, 0), its zone forgotten. */
static void node_offline_leaves_empty_span(void **state)
{
	(void)state;
	assert_int_equal(pmm_node_offline(1), 0);
	assert_false(pmm_nodes[1].online);
	assert_int_equal(pmm_nodes[1].start_pfn, 0);
	assert_int_equal(pmm_nodes[1].end_pfn, 0);
	assert_false(normal(1)->initialized);
}

/* Present one above the span (the span itself valid): PMM_EINVAL. */
static void zone_resize_present_one_above_span(void **state)
{
	(void)state;
	struct pmm_zone *z = normal(0);
	assert_true(pmm_zone_bitmap_bytes(1024, 4096) <= sizeof(meta));
	assert_int_equal(pmm_zone_resize(z, 1024, 4096, 3073, meta), PMM_EINVAL);
	assert_int_equal(z->present, 3072);
	assert_true(z->pageblock_mt != (void *)meta);
	assert_int_equal(pmm_zone_resize(z, 1024, 4096, 3072, meta), 0);
	assert_int_equal(z->present, 3072);
}

/* An empty span needs no metadata: NULL is fine. */
static void zone_resize_empty_span_without_metadata(void **state)
{
	(void)state;
	struct pmm_zone *z = normal(1);
	assert_int_equal(pmm_zone_resize(z, 5120, 5120, 0, NULL), 0);
	assert_int_equal(z->start_pfn, 5120);
	assert_int_equal(z->end_pfn, 5120);
	assert_int_equal(z->spanned, 0);
	assert_null(pmm_check());
}

/* Metadata 4 bytes past an 8-byte boundary is refused, 8 bytes past is fine. */
static void zone_resize_metadata_alignment(void **state)
{
	(void)state;
	struct pmm_zone *z = normal(1);
	char *base = (char *)meta;
	assert_int_equal(pmm_zone_resize(z, 5120, 6144, 1024, base + 4), PMM_EINVAL);
	assert_int_equal(z->start_pfn, 5120);
	assert_int_equal(pmm_zone_resize(z, 5120, 6144, 1024, base + 8), 0);
	assert_ptr_equal(z->free_area[0].map, (uint64_t *)(base + 8));
	assert_null(pmm_check());
}

/*
 * Node 0's Normal [1024, 2048) handed off and isolated whole: managed and
 * present are exactly the range's 1024 pages, the withdrawal takes it all.
 * With present one page short (corrupt) it refuses at the range's start.
 */
static void zone_withdraw_counts_exactly_range(void **state)
{
	(void)state;
	buddy_teardown();
	assert_int_equal(buddy_setup_normal(1024, 2048, 4096), 0);
	struct pmm_zone *zn = normal(0);
	assert_int_equal(zn->managed, 1024);
	assert_int_equal(zn->present, 1024);
	assert_int_equal(pmm_isolate_range(1024, 1024), 0);
	pmm_pfn_t bad = 0;
	zn->present = 1023;
	assert_int_equal(pmm_zone_withdraw(zn, 1024, 2048, &bad), PMM_EBUSY);
	assert_int_equal(bad, 1024);
	assert_int_equal(zn->managed, 1024);
	zn->present = 1024;
	assert_int_equal(pmm_zone_withdraw(zn, 1024, 2048, &bad), 0);
	assert_int_equal(zn->managed, 0);
	assert_int_equal(zn->present, 0);
	assert_int_equal(zn->free_pages, 0);
}

#define CASE(f) cmocka_unit_test_setup_teardown(f, setup, buddy_fix_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		CASE(node_grow_down_to_other_nodes_end),
		CASE(node_offline_bad_ids),
		CASE(node_offline_leaves_empty_span),
		CASE(zone_resize_present_one_above_span),
		CASE(zone_resize_empty_span_without_metadata),
		CASE(zone_resize_metadata_alignment),
		CASE(zone_withdraw_counts_exactly_range),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
