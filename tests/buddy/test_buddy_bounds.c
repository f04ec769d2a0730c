/* SPDX-License-Identifier: MIT */
/*
 * test_buddy_bounds.c - the limits of the buddy allocator, one case per
 * boundary (issue 17, docs/mutation.md): the last pfn with a descriptor
 * and the first without one, the hand-off's scan that ends exactly at its
 * range, the default zone hint after a hand-off that gives a higher
 * zone its first pages, the first node id past the table, and the free
 * count, the per-CPU setting and the drain that stop at the last CPU.
 *
 * Pages are 4 KiB; pictures show one character per page where they help.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include <pmm/debug.h>
#include <pmm/fmt.h>

#include "buddy_fixture.h"
#include "host_platform.h"

#define NPFN 64u

/*
 * Descriptors for [0, NPFN) in an array one longer: the extra one, right
 * past the last, is not blank, so reading it would show.
 */
static struct pmm_page descs[NPFN + 1];

static void one_zone_own_descs(void)
{
	assert_int_equal(buddy_setup(&(struct buddy_setup_opts){ .max_pfn = NPFN }), 0);
	memset(descs, 0, sizeof(descs));
	descs[NPFN].info = 0x5a;
	pmm_page_map_init(descs, NPFN);
	assert_int_equal(pmm_buddy_handoff_range(1, NPFN, NULL), 0);
}

/* pfn NPFN - 1 (free) is not reserved; NPFN, past the descriptors, is. */
static void test_bounds_is_reserved_last_and_first_past_descriptors(void **state)
{
	(void)state;
	one_zone_own_descs();
	assert_false(pmm_pfn_is_reserved(NPFN - 1));
	assert_true(pmm_pfn_is_reserved(NPFN));
	assert_true(pmm_pfn_is_reserved(0));
	assert_int_equal(pmm_first_unreserved(NPFN, NPFN + 8), NPFN + 8);
	assert_null(pmm_check());
}

/*
 * The hand-off of [1, 8) ends right where the allocated block at 8
 * begins: its scan for heads already in use stops at 8.
 *   0 1       8               16                              64
 *   # [hand-off)[- allocated --]
 */
static void test_bounds_handoff_scan_stops_at_end(void **state)
{
	uint64_t n = 0;

	(void)state;
	assert_int_equal(buddy_setup(&(struct buddy_setup_opts){ .max_pfn = NPFN }), 0);
	assert_int_equal(pmm_buddy_handoff_range(8, 16, &n), 0);
	struct pmm_page *block = pmm_alloc_pages(PMM_GFP_KERNEL, 3);
	assert_non_null(block);
	assert_int_equal(pmm_page_to_pfn(block), 8);
	assert_int_equal(pmm_buddy_handoff_range(1, 8, &n), 0);
	assert_int_equal(n, 15);
	assert_int_equal(pmm_nr_free_pages(), 7);
	assert_int_equal(host_report_count(), 0);
	assert_int_equal(pmm_free_pages(block, 3), 0);
	assert_int_equal(pmm_nr_free_pages(), 15);
	assert_null(pmm_check());
}

/*
 * A hand-off across the DMA/Normal boundary at 16 whose Normal part ends
 * at 28 finds the allocated head at 24: the DMA part's scan ends at 16
 * and the Normal part's starts there with its own block sizes.
 *   0 1             16      24  28                              64
 *   # [--- DMA ----)[- Normal -AA)
 */
static void test_bounds_handoff_scan_restarts_at_zone_boundary(void **state)
{
	static const struct buddy_zone_spec zones[] = {
		{ 0, PMM_ZONE_DMA, 0, 16 },
		{ 0, PMM_ZONE_NORMAL, 16, NPFN },
	};
	uint64_t n = 0;

	(void)state;
	assert_int_equal(buddy_setup(&(struct buddy_setup_opts){
				 .max_pfn = NPFN, .zones = zones, .nr_zones = 2 }), 0);
	assert_int_equal(pmm_buddy_handoff_range(24, 28, &n), 0);
	struct pmm_page *block = pmm_alloc_pages(PMM_GFP_KERNEL, 2);
	assert_non_null(block);
	assert_int_equal(pmm_page_to_pfn(block), 24);
	unsigned int reports = host_report_count();
	assert_int_equal(pmm_buddy_handoff_range(1, 28, &n), PMM_EDOUBLEFREE);
	assert_int_equal(host_report_count(), reports + 1);
	assert_int_equal(pmm_nr_free_pages(), 0);
	assert_int_equal(pmm_free_pages(block, 2), 0);
	assert_null(pmm_check());
}

/*
 * The default zone hint follows the hand-off. DMA [0, 16) gets its pages
 * first; node 1 then comes online (the hint is recomputed: DMA, Normal
 * still has no pages); the hand-off that gives node 0's Normal [16, 64)
 * its first pages must move the hint to Normal, so a default request is
 * served from Normal, as the zonelist walk says.
 */
static void test_bounds_handoff_moves_default_zone_hint(void **state)
{
	static const struct buddy_zone_spec zones[] = {
		{ 0, PMM_ZONE_DMA, 0, 16 },
		{ 0, PMM_ZONE_NORMAL, 16, 64 },
	};
	static uint64_t node1_map[64];

	(void)state;
	assert_int_equal(buddy_setup(&(struct buddy_setup_opts){
				 .max_pfn = 128, .zones = zones, .nr_zones = 2 }), 0);
	assert_int_equal(pmm_buddy_handoff_range(1, 16, NULL), 0);
	assert_true(pmm_zone_bitmap_bytes(64, 128) <= sizeof(node1_map));
	memset(node1_map, 0, sizeof(node1_map));
	assert_int_equal(pmm_node_init(1, 64, 128), 0);
	assert_int_equal(pmm_zone_init(1, PMM_ZONE_NORMAL, 64, 128, 64, node1_map), 0);
	assert_int_equal(pmm_buddy_handoff_range(16, 64, NULL), 0);

	struct pmm_page *page = pmm_alloc_page(PMM_GFP_KERNEL);
	assert_non_null(page);
	assert_true(pmm_page_to_pfn(page) >= 16 && pmm_page_to_pfn(page) < 64);
	assert_int_equal(pmm_free_page(page), 0);
	assert_null(pmm_check());
}

/*
 * Order PMM_PCP_MAX_ORDER, the last with per-CPU lists, goes through them
 * both ways: the allocation refills the list (batch 16 pages: two blocks
 * of 8, one handed out, one left), the free puts the block back on it.
 * Order PMM_PCP_MAX_ORDER + 1, the first without, never touches them.
 */
static void test_bounds_last_pcp_order(void **state)
{
	struct pmm_zone *zone = buddy_fix_pcp(1024, 64, 16);
	const struct pmm_pcp *pcp = &zone->pcp[0];
	const uint32_t block = 1u << PMM_PCP_MAX_ORDER;

	(void)state;
	struct pmm_page *big = pmm_alloc_pages(PMM_GFP_KERNEL, PMM_PCP_MAX_ORDER + 1);
	assert_non_null(big);
	assert_int_equal(pcp->count, 0);
	struct pmm_page *page = pmm_alloc_pages(PMM_GFP_KERNEL, PMM_PCP_MAX_ORDER);
	assert_non_null(page);
	assert_int_equal(pcp->count, 16 - block);
	assert_int_equal(pmm_free_pages(page, PMM_PCP_MAX_ORDER), 0);
	assert_int_equal(pcp->count, 16);
	assert_int_equal(pmm_free_pages(big, PMM_PCP_MAX_ORDER + 1), 0);
	assert_int_equal(pcp->count, 16);
	pmm_pcp_drain_all();
	assert_int_equal(pcp->count, 0);
	assert_int_equal(pmm_nr_free_pages(), 1023);
	buddy_assert_clean();
}

/*
 * A free that leaves the fast path for the slow one still uses the
 * per-CPU list up to its last order: a block of the DMA zone (not the
 * zone the fast path knows) of order PMM_PCP_MAX_ORDER goes to DMA's list.
 */
static void test_bounds_last_pcp_order_slow_free(void **state)
{
	static const struct buddy_zone_spec zones[] = {
		{ 0, PMM_ZONE_DMA, 0, 256 },
		{ 0, PMM_ZONE_NORMAL, 256, 1024 },
	};
	const uint32_t block = 1u << PMM_PCP_MAX_ORDER;

	(void)state;
	assert_int_equal(buddy_setup(&(struct buddy_setup_opts){
				 .max_pfn = 1024, .zones = zones, .nr_zones = 2,
				 .handoff = true, .keep_pcp = true }), 0);
	assert_int_equal(pmm_pcp_set_high_batch(64, 16), 0);
	const struct pmm_pcp *pcp = &buddy_zone(PMM_ZONE_DMA)->pcp[0];
	struct pmm_page *page = pmm_alloc_pages(PMM_GFP_DMA, PMM_PCP_MAX_ORDER);
	assert_non_null(page);
	assert_true(pmm_page_to_pfn(page) < 256);
	assert_int_equal(pcp->count, 16 - block);
	assert_int_equal(pmm_free_pages(page, PMM_PCP_MAX_ORDER), 0);
	assert_int_equal(pcp->count, 16);
	buddy_assert_clean();
}

/*
 * A forged head of order 1 at an odd-aligned pfn (4n + 1) inside an
 * allocated block: the free finds it misplaced (PMM_ECORRUPT, reported)
 * instead of pushing it on the per-CPU list.
 */
static void test_bounds_free_misaligned_head(void **state)
{
	struct pmm_zone *zone = buddy_fix_pcp(1024, 64, 16);

	(void)state;
	(void)zone;
	struct pmm_page *block = pmm_alloc_pages(PMM_GFP_KERNEL, 2);
	assert_non_null(block);
	assert_int_equal(pmm_page_to_pfn(block) & 3, 0);
	struct pmm_page *inner = block + 1;
	inner->info = PMM_PG_ALLOC_HEAD | PMM_PG_REF_ONE | 1;
	unsigned int reports = host_report_count();
	assert_int_equal(pmm_free_pages(inner, 1), PMM_ECORRUPT);
	assert_int_equal(host_report_count(), reports + 1);
	inner->info = 0;
	assert_int_equal(pmm_free_pages(block, 2), 0);
	buddy_assert_clean();
}

/* A page inside an allocated block: the report names the head's info. */
static void test_bounds_free_inside_block_names_head(void **state)
{
	char want[64];

	(void)state;
	assert_int_equal(buddy_setup_simple(NPFN), 0);
	struct pmm_page *block = pmm_alloc_pages(PMM_GFP_KERNEL, 2);
	assert_non_null(block);
	assert_int_equal(pmm_free_page(block + 1), PMM_ENOTHEAD);
	snprintf(want, sizeof(want), "block head 0x%llx info 0x%x",
		 (unsigned long long)pmm_page_to_pfn(block), block->info);
	if (!strstr(host_last_report_msg(), want))
		fail_msg("report '%s' lacks '%s'", host_last_report_msg(), want);
	assert_int_equal(pmm_free_pages(block, 2), 0);
	buddy_assert_clean();
}

/* A reference on a page that is no allocated head is refused, whatever its count. */
static void test_bounds_get_page_needs_alloc_head(void **state)
{
	(void)state;
	assert_int_equal(buddy_setup_simple(NPFN), 0);
	struct pmm_page *page = pmm_pfn_to_page(0);
	page->info = PMM_PG_REF_ONE;
	assert_int_equal(pmm_get_page(page), PMM_EINVAL);
	assert_int_equal(page->info, PMM_PG_REF_ONE);
	page->info = 0;
	buddy_assert_clean();
}

/* Resetting the settings turns mobility grouping back on. */
static void test_bounds_reset_settings_restores_grouping(void **state)
{
	(void)state;
	assert_int_equal(buddy_setup_simple(NPFN), 0);
	pmm_buddy_set_grouping(false);
	assert_false(pmm_buddy_is_grouping());
	pmm_buddy_reset_settings();
	assert_true(pmm_buddy_is_grouping());
}

/* Before any hand-off no zone has pages: an allocation fails cleanly. */
static void test_bounds_alloc_before_any_handoff(void **state)
{
	int err = 0;

	(void)state;
	assert_int_equal(buddy_setup(&(struct buddy_setup_opts){ .max_pfn = NPFN }), 0);
	assert_null(pmm_alloc_page(PMM_GFP_KERNEL));
	assert_null(pmm_alloc_pages_tagged(PMM_NUMA_NO_NODE, PMM_GFP_KERNEL, 0, 0, &err));
	assert_int_equal(err, PMM_ENOMEM);
}

/*
 * Both mobility flags with grouping on name no type (the first invalid
 * type): refused as PMM_EINVAL, by the zone's fast path as by the walk.
 */
static void test_bounds_both_mobility_flags(void **state)
{
	int err = 0;

	(void)state;
	assert_int_equal(buddy_setup_simple(NPFN), 0);
	assert_null(pmm_alloc_pages_tagged(PMM_NUMA_NO_NODE, PMM_GFP_KERNEL | PMM_GFP_MOBILITY,
					   4, 0, &err));
	assert_int_equal(err, PMM_EINVAL);
	assert_int_equal(pmm_nr_free_pages(), NPFN - 1);
	buddy_assert_clean();
}

/* page_owner's summary counts tagged blocks only: one of three here. */
static void test_bounds_owner_summary_counts_tagged(void **state)
{
	char buf[4096];
	struct pmm_buf_out b;

	(void)state;
	assert_int_equal(buddy_setup_simple(NPFN), 0);
	struct pmm_page *t = pmm_alloc_pages_tagged(PMM_NUMA_NO_NODE, PMM_GFP_KERNEL,
						    0, 0x1234, NULL);
	struct pmm_page *u1 = pmm_alloc_page(PMM_GFP_KERNEL);
	struct pmm_page *u2 = pmm_alloc_page(PMM_GFP_KERNEL);
	assert_non_null(t);
	assert_non_null(u1);
	assert_non_null(u2);
	pmm_buf_out_init(&b, buf, sizeof(buf));
	pmm_report_page_owner(&b.out);
	assert_non_null(strstr(buf, "page_owner: 3 blocks, 3 pages allocated, 1 tagged\n"));
	assert_int_equal(pmm_free_page(t), 0);
	assert_int_equal(pmm_free_page(u1), 0);
	assert_int_equal(pmm_free_page(u2), 0);
}

/*
 * A zone set up after an explicit per-CPU setting has that setting from
 * its first moment, before it has a page.
 */
static void test_bounds_new_zone_takes_pcp_setting(void **state)
{
	static const struct buddy_zone_spec zones[] = {
		{ 0, PMM_ZONE_NORMAL, 0, 64 },
	};
	static uint64_t node1_map[64];

	(void)state;
	assert_int_equal(buddy_setup(&(struct buddy_setup_opts){
				 .max_pfn = 128, .zones = zones, .nr_zones = 1,
				 .keep_pcp = true }), 0);
	assert_int_equal(pmm_pcp_set_high_batch(64, 16), 0);
	memset(node1_map, 0, sizeof(node1_map));
	assert_int_equal(pmm_node_init(1, 64, 128), 0);
	assert_int_equal(pmm_zone_init(1, PMM_ZONE_NORMAL, 64, 128, 64, node1_map), 0);
	const struct pmm_pcp *pcp = &pmm_nodes[1].zones[PMM_ZONE_NORMAL].pcp[0];
	assert_int_equal(pcp->high, 64);
	assert_int_equal(pcp->batch, 16);
	assert_int_equal(pcp->count, 0);
}

/* A high mark or a batch of 0 alone disables the lists; it is no error. */
static void test_bounds_pcp_zero_high_or_batch(void **state)
{
	struct pmm_zone *zone = buddy_fix_pcp(1024, 64, 16);

	(void)state;
	assert_int_equal(pmm_pcp_set_high_batch(0, 5), 0);
	assert_int_equal(zone->pcp[0].high, 0);
	assert_int_equal(zone->pcp[0].batch, 0);
	assert_int_equal(pmm_pcp_set_high_batch(5, 0), 0);
	assert_int_equal(zone->pcp[0].batch, 0);
	assert_int_equal(pmm_pcp_set_high_batch(4, 5), PMM_EINVAL);
}

/*
 * Switching poisoning on poisons every free block: the top-order one and
 * both blocks of a list holding two (order 3: 8 and 24, not buddies), so
 * allocating them finds the poison intact and reports nothing.
 *   0   8       16      24      32         1024                    2048
 *   ....[o3 free]........[o3 free]......... [---- order 10 free ----)
 */
static void test_bounds_poison_on_covers_every_free_block(void **state)
{
	struct pmm_page *b[3];

	(void)state;
	assert_int_equal(buddy_setup(&(struct buddy_setup_opts){ .max_pfn = 2048 }), 0);
	assert_int_equal(pmm_buddy_handoff_range(8, 16, NULL), 0);
	assert_int_equal(pmm_buddy_handoff_range(24, 32, NULL), 0);
	assert_int_equal(pmm_buddy_handoff_range(1024, 2048, NULL), 0);
	unsigned int reports = host_report_count();
	pmm_debug_set_poison(true);
	b[0] = pmm_alloc_pages(PMM_GFP_KERNEL, PMM_MAX_ORDER);
	b[1] = pmm_alloc_pages(PMM_GFP_KERNEL, 3);
	b[2] = pmm_alloc_pages(PMM_GFP_KERNEL, 3);
	assert_non_null(b[0]);
	assert_non_null(b[1]);
	assert_non_null(b[2]);
	assert_int_equal(host_report_count(), reports);
	assert_int_equal(pmm_free_pages(b[0], PMM_MAX_ORDER), 0);
	assert_int_equal(pmm_free_pages(b[1], 3), 0);
	assert_int_equal(pmm_free_pages(b[2], 3), 0);
	pmm_debug_set_poison(false);
	buddy_assert_clean();
}

/* Switching poisoning off when it is off writes nothing into free pages. */
static void test_bounds_poison_off_twice_writes_nothing(void **state)
{
	(void)state;
	assert_int_equal(buddy_setup_simple(NPFN), 0);
	unsigned char *p = host_phys_ptr(PMM_PFN_PHYS(NPFN - 1));
	assert_non_null(p);
	p[0] = 0x11;
	pmm_debug_set_poison(false);
	assert_int_equal(p[0], 0x11);
}

/* After a reset the default node is the lowest one online again: node 1 alone. */
static void test_bounds_default_node_after_reset(void **state)
{
	static const struct buddy_zone_spec zones[] = {
		{ 1, PMM_ZONE_NORMAL, 0, NPFN },
	};

	(void)state;
	assert_int_equal(buddy_setup_simple(NPFN), 0);
	assert_int_equal(buddy_setup(&(struct buddy_setup_opts){
				 .max_pfn = NPFN, .zones = zones, .nr_zones = 1,
				 .handoff = true }), 0);
	struct pmm_page *page = pmm_alloc_page(PMM_GFP_KERNEL);
	assert_non_null(page);
	assert_int_equal(pmm_free_page(page), 0);
}

/* A node may end exactly at PMM_PFN_LIMIT, not one page past it. */
static void test_bounds_node_ends_at_pfn_limit(void **state)
{
	(void)state;
	assert_int_equal(buddy_setup(&(struct buddy_setup_opts){ .max_pfn = NPFN }), 0);
	assert_int_equal(pmm_node_init(1, PMM_PFN_LIMIT - 64, PMM_PFN_LIMIT + 1), PMM_EINVAL);
	assert_int_equal(pmm_node_init(1, PMM_PFN_LIMIT - 64, PMM_PFN_LIMIT), 0);
	assert_true(pmm_nodes[1].online);
	assert_int_equal(pmm_nodes[1].end_pfn, PMM_PFN_LIMIT);
}

/*
 * The zone bitmap of a span from pfn 0: one bit per buddy pair of every
 * order below the top, and one byte per pageblock, each rounded up to
 * 64-bit words - nothing more.
 */
static size_t bitmap_bytes_from_0(pmm_pfn_t span)
{
	uint64_t words = 0;

	for (unsigned int k = 0; k < PMM_MAX_ORDER; k++) {
		uint64_t pairs = (span + (2ull << k) - 1) >> (k + 1);
		words += (pairs + 63) / 64;
	}
	uint64_t blocks = (span + PMM_PAGEBLOCK_PAGES - 1) / PMM_PAGEBLOCK_PAGES;
	words += (blocks + 7) / 8;
	return (size_t)(words * 8);
}

/* Exactly eight pageblocks fill one word of types; one page more needs two. */
static void test_bounds_bitmap_bytes_eight_pageblocks(void **state)
{
	const pmm_pfn_t span = 8 * (pmm_pfn_t)PMM_PAGEBLOCK_PAGES;

	(void)state;
	assert_int_equal(pmm_zone_bitmap_bytes(0, span), bitmap_bytes_from_0(span));
	assert_int_equal(pmm_zone_bitmap_bytes(0, span - 1), bitmap_bytes_from_0(span - 1));
	assert_int_equal(pmm_zone_bitmap_bytes(0, span + 1), bitmap_bytes_from_0(span + 1));
}

/* CPU PMM_NR_CPUS is no CPU: draining it does nothing. */
static void test_bounds_drain_first_invalid_cpu(void **state)
{
	struct pmm_zone *zone = buddy_fix_pcp(1024, 64, 16);

	(void)state;
	struct pmm_page *page = pmm_alloc_page(PMM_GFP_KERNEL);
	assert_non_null(page);
	assert_int_equal(pmm_free_page(page), 0);
	uint32_t count = zone->pcp[0].count;
	assert_int_not_equal(count, 0);
	pmm_pcp_drain_cpu(PMM_NR_CPUS);
	assert_int_equal(zone->pcp[0].count, count);
	assert_int_equal(pmm_nr_free_pages(), 1023);
	buddy_assert_clean();
	pmm_pcp_drain_cpu(PMM_NR_CPUS - 1);
	pmm_pcp_drain_cpu(0);
	assert_int_equal(zone->pcp[0].count, 0);
	buddy_assert_clean();
}

/*
 * pmm_check reads every descriptor outside the zones, the first one past
 * a zone's end included: DMA [0, 16), hole [16, 32), Normal [32, 64).
 */
static void test_bounds_check_first_pfn_after_zone(void **state)
{
	static const struct buddy_zone_spec zones[] = {
		{ 0, PMM_ZONE_DMA, 0, 16 },
		{ 0, PMM_ZONE_NORMAL, 32, NPFN },
	};

	(void)state;
	assert_int_equal(buddy_setup(&(struct buddy_setup_opts){
				 .max_pfn = NPFN, .zones = zones, .nr_zones = 2,
				 .handoff = true }), 0);
	assert_null(pmm_check());
	pmm_pfn_to_page(16)->info = PMM_PG_ALLOC_HEAD | PMM_PG_REF_ONE;
	assert_non_null(pmm_check());
	pmm_pfn_to_page(16)->info = 0;
	assert_null(pmm_check());
}

/*
 * DMA32 [0, 4096) and Normal [4096, 8192) on node 0, handed off, per-CPU
 * lists kept: in the node's table DMA32's per-CPU array is followed by
 * Normal's first bytes, so one CPU too many reads or writes Normal.
 */
static void dma32_then_normal(void)
{
	static const struct buddy_zone_spec zs[] = {
		{ 0, PMM_ZONE_DMA32, 0, 4096 }, { 0, PMM_ZONE_NORMAL, 4096, 8192 },
	};
	assert_int_equal(buddy_setup(&(struct buddy_setup_opts){
		.max_pfn = 8192, .zones = zs, .nr_zones = 2, .handoff = true,
		.keep_pcp = true }), 0);
}

/* Node PMM_MAX_NUMNODES, the first past the table, is refused. */
static void test_bounds_alloc_first_invalid_node(void **state)
{
	(void)state;
	int err = 0;
	assert_int_equal(buddy_setup_simple(1024), 0);
	assert_null(pmm_alloc_pages_tagged(PMM_MAX_NUMNODES, 0, 0, 0, &err));
	assert_int_equal(err, PMM_EINVAL);
	buddy_assert_clean();
}

/*
 * The free-page count reads the per-CPU counts of each zone's CPUs and no
 * further: DMA32 is followed by Normal in the node's table, and Normal's
 * watermarks (all words nonzero) change nothing.
 */
static void test_bounds_free_count_stops_at_last_cpu(void **state)
{
	(void)state;
	dma32_then_normal();
	uint64_t before = pmm_nr_free_pages();
	const uint64_t w = 0x0000000700000007ull;
	pmm_zone_set_watermarks(buddy_zone(PMM_ZONE_NORMAL), w, w, w);
	assert_int_equal(pmm_nr_free_pages(), before);
	assert_int_equal(before, 8191);
}

/* Setting every CPU's high and batch writes no byte of the next zone. */
static void test_bounds_pcp_setting_stops_at_last_cpu(void **state)
{
	(void)state;
	dma32_then_normal();
	struct pmm_zone *normal = buddy_zone(PMM_ZONE_NORMAL);
	pmm_zone_set_watermarks(normal, 1, 2, 3);
	static struct pmm_zone before;
	before = *normal;
	assert_int_equal(pmm_pcp_set_high_batch(64, 16), 0);
	assert_memory_equal(normal, &before, offsetof(struct pmm_zone, pcp));
	buddy_assert_clean();
}

/*
 * CPU PMM_NR_CPUS, the first past the lists, is not drained: DMA32's
 * lists of that CPU would be Normal's first bytes (its span, watermarks
 * all nonzero), read as list heads and a count.
 */
static void test_bounds_drain_cpu_past_last(void **state)
{
	(void)state;
	dma32_then_normal();
	const uint64_t w = 0x0000000700000007ull;
	pmm_zone_set_watermarks(buddy_zone(PMM_ZONE_NORMAL), w, w, w);
	uint64_t free0 = pmm_nr_free_pages();
	pmm_pcp_drain_cpu(PMM_NR_CPUS);
	assert_int_equal(pmm_nr_free_pages(), free0);
	buddy_assert_clean();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		BUDDY_CASE(test_bounds_is_reserved_last_and_first_past_descriptors),
		BUDDY_CASE(test_bounds_handoff_scan_stops_at_end),
		BUDDY_CASE(test_bounds_handoff_scan_restarts_at_zone_boundary),
		BUDDY_CASE(test_bounds_handoff_moves_default_zone_hint),
		BUDDY_CASE(test_bounds_last_pcp_order),
		BUDDY_CASE(test_bounds_last_pcp_order_slow_free),
		BUDDY_CASE(test_bounds_free_misaligned_head),
		BUDDY_CASE(test_bounds_free_inside_block_names_head),
		BUDDY_CASE(test_bounds_get_page_needs_alloc_head),
		BUDDY_CASE(test_bounds_reset_settings_restores_grouping),
		BUDDY_CASE(test_bounds_alloc_before_any_handoff),
		BUDDY_CASE(test_bounds_both_mobility_flags),
		BUDDY_CASE(test_bounds_owner_summary_counts_tagged),
		BUDDY_CASE(test_bounds_new_zone_takes_pcp_setting),
		BUDDY_CASE(test_bounds_pcp_zero_high_or_batch),
		BUDDY_CASE(test_bounds_poison_on_covers_every_free_block),
		BUDDY_CASE(test_bounds_poison_off_twice_writes_nothing),
		BUDDY_CASE(test_bounds_default_node_after_reset),
		BUDDY_CASE(test_bounds_node_ends_at_pfn_limit),
		cmocka_unit_test(test_bounds_bitmap_bytes_eight_pageblocks),
		BUDDY_CASE(test_bounds_drain_first_invalid_cpu),
		BUDDY_CASE(test_bounds_check_first_pfn_after_zone),
		BUDDY_CASE(test_bounds_alloc_first_invalid_node),
		BUDDY_CASE(test_bounds_free_count_stops_at_last_cpu),
		BUDDY_CASE(test_bounds_pcp_setting_stops_at_last_cpu),
		BUDDY_CASE(test_bounds_drain_cpu_past_last),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
