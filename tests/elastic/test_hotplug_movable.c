/* SPDX-License-Identifier: MIT */
/*
 * test_hotplug_movable.c - the Movable zone and the online policy
 * (pmm/elastic.h): which zone pmm_memory_add_as() / pmm_memory_online_as()
 * and the contig-zones and auto-movable policies pick, which requests
 * reach the Movable zone (only PMM_GFP_HIGHUSER_MOVABLE, as Linux's
 * gfp_zone()), that offlining Movable memory succeeds where Normal memory
 * holding a kernel page cannot, valid_zones, and the Movable zone's
 * share of the watermarks. pmm_check() after every step.
 *
 *   pfn 0      1024                  4096      5120      6144    7168
 *       |absent|   Normal, node 0     | blk 4   | blk 5   | blk 6 | 7 |
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

#define B(n) HP_BYTES((pmm_pfn_t)(n) * HP_BLOCK) /* byte address of block n */

static int mv_setup(void **state)
{
	(void)state;
	assert_int_equal(hotplug_setup(), 0);
	return 0;
}

static int mv_teardown(void **state)
{
	(void)state;
	hotplug_teardown();
	return 0;
}

static const struct pmm_zone *zone_of(int nid, enum pmm_zone_type t)
{
	return &pmm_nodes[nid].zones[t];
}

static void zones_of(unsigned int id, const char *want)
{
	struct pmm_memory_block_info info;
	assert_int_equal(pmm_memory_block_get(id, &info), 0);
	assert_string_equal(info.valid_zones, want);
}

static void set_policy(enum pmm_online_policy_kind kind, unsigned int ratio,
		       bool numa_unaware, bool movable_node)
{
	assert_int_equal(pmm_memory_policy_set(&(struct pmm_online_policy){
		.kind = kind, .auto_movable_ratio = ratio,
		.numa_unaware = numa_unaware, .movable_node = movable_node }), 0);
}

/* online_movable: block 4 becomes node 0's Movable zone, all its pageblocks movable. */
static void mv_add_movable(void **state)
{
	(void)state;
	assert_int_equal(pmm_memory_add_as(0, B(4), B(1), PMM_ONLINE_MOVABLE), 0);
	const struct pmm_zone *m = zone_of(0, PMM_ZONE_MOVABLE);
	assert_true(m->initialized);
	assert_int_equal(m->start_pfn, 4 * HP_BLOCK);
	assert_int_equal(m->end_pfn, 5 * HP_BLOCK);
	assert_int_equal(m->managed, HP_BLOCK);
	assert_int_equal(m->free_pages, HP_BLOCK);
	assert_int_equal(zone_of(0, PMM_ZONE_NORMAL)->end_pfn, 4 * HP_BLOCK);
	assert_string_equal(pmm_zone_name(m->type), "Movable");
	zones_of(4, "Movable");
	assert_null(pmm_check());
	/* a second block beside it grows the same zone */
	assert_int_equal(pmm_memory_add_as(0, B(5), B(1), PMM_ONLINE_MOVABLE), 0);
	assert_int_equal(m->end_pfn, 6 * HP_BLOCK);
	assert_int_equal(m->present, 2 * HP_BLOCK);
	assert_null(pmm_check());
}

/* Only requests allowing highmem and movable pages reach the Movable zone. */
static void mv_gfp_reach(void **state)
{
	(void)state;
	assert_int_equal(pmm_memory_add_as(0, B(4), B(1), PMM_ONLINE_MOVABLE), 0);
	const struct pmm_zone *m = zone_of(0, PMM_ZONE_MOVABLE);
	static const unsigned int kernel_side[] = {
		PMM_GFP_KERNEL, PMM_GFP_USER_MOVABLE, PMM_GFP_HIGHUSER,
		PMM_GFP_KERNEL | PMM_GFP_RECLAIMABLE,
	};
	for (unsigned int g = 0; g < 4; g++) {
		struct pmm_page *pg = pmm_alloc_pages(kernel_side[g], 0);
		assert_non_null(pg);
		assert_ptr_not_equal(pmm_pfn_zone(pmm_page_to_pfn(pg)), m);
		assert_int_equal(pmm_free_pages(pg, 0), 0);
	}
	struct pmm_page *pg = pmm_alloc_pages(PMM_GFP_HIGHUSER_MOVABLE, 0);
	assert_non_null(pg);
	assert_ptr_equal(pmm_pfn_zone(pmm_page_to_pfn(pg)), m);
	assert_int_equal(pmm_free_pages(pg, 0), 0);
	/* kernel pages run out with the Movable zone untouched */
	uint64_t taken = 0;
	while ((pg = pmm_alloc_pages(PMM_GFP_KERNEL, 0)) != NULL) {
		assert_ptr_not_equal(pmm_pfn_zone(pmm_page_to_pfn(pg)), m);
		taken++;
	}
	assert_int_equal(m->free_pages, HP_BLOCK);
	assert_true(taken > 0);
	/* a movable request still gets the Movable zone's pages */
	assert_non_null(pmm_alloc_pages(PMM_GFP_HIGHUSER_MOVABLE, 0));
	assert_int_equal(m->free_pages, HP_BLOCK - 1);
	assert_null(pmm_check());
}

/* A kernel page pins a Normal block; Movable memory offlines at once. */
static void mv_offline_movable_only(void **state)
{
	(void)state;
	hotplug_hook(true, false);
	assert_int_equal(pmm_memory_add(0, B(4), B(1)), 0); /* contig-zones: Normal */
	assert_int_equal(pmm_memory_add_as(0, B(5), B(1), PMM_ONLINE_MOVABLE), 0);
	assert_ptr_equal(pmm_pfn_zone(4 * HP_BLOCK), zone_of(0, PMM_ZONE_NORMAL));
	for (unsigned int i = 0; i < 64; i++) {
		pmm_pfn_t pfn = hotplug_owner_alloc(PMM_GFP_HIGHUSER_MOVABLE);
		assert_true(pfn >= 5 * HP_BLOCK && pfn < 6 * HP_BLOCK);
	}
	struct pmm_page *k;
	while ((k = pmm_alloc_pages(PMM_GFP_KERNEL, 0)) != NULL &&
	       pmm_page_to_pfn(k) < 4 * HP_BLOCK)
		;
	assert_non_null(k); /* a kernel page in block 4 */
	assert_int_equal(pmm_memory_offline(B(4), B(1)), PMM_EBUSY);
	unsigned int moves = hotplug_moves();
	assert_int_equal(pmm_memory_offline(B(5), B(1)), 0);
	assert_int_equal(hotplug_moves(), moves + 64);
	assert_int_equal(zone_of(0, PMM_ZONE_MOVABLE)->managed, 0);
	assert_null(pmm_check());
}

/* contig-zones: a range meeting the Movable zone's span joins it; one
 * meeting nothing goes to its kernel zone, or Movable with movable_node. */
static void mv_contig_zones(void **state)
{
	(void)state;
	assert_int_equal(pmm_memory_add_as(0, B(5), B(2), PMM_ONLINE_MOVABLE), 0);
	assert_int_equal(pmm_memory_offline(B(5), B(1)), 0);
	/* block 5 lies outside the shrunk Movable span [6144, 7168) now */
	zones_of(5, "Movable Normal");
	assert_int_equal(pmm_memory_online_as(B(5), B(1), PMM_ONLINE_DEFAULT), 0);
	zones_of(5, "Normal");
	assert_int_equal(zone_of(0, PMM_ZONE_NORMAL)->end_pfn, 6 * HP_BLOCK);
	assert_null(pmm_check());
	/* block 4 lies inside Normal's span now: default is Normal */
	assert_int_equal(pmm_memory_add(0, B(4), B(1)), 0);
	zones_of(4, "Normal");
	/* movable_node: block 7 goes Movable */
	set_policy(PMM_POLICY_CONTIG_ZONES, 0, false, true);
	assert_int_equal(pmm_memory_add(0, B(7), B(1)), 0);
	zones_of(7, "Movable");
	assert_int_equal(zone_of(0, PMM_ZONE_MOVABLE)->end_pfn, 8 * HP_BLOCK);
	assert_null(pmm_check());
}

/* contig-zones picks Movable for a range past the Movable zone, where the
 * kernel zone could not grow without meeting it. */
static void mv_contig_zones_past_movable(void **state)
{
	(void)state;
	assert_int_equal(pmm_memory_add_as(0, B(4), B(1), PMM_ONLINE_MOVABLE), 0);
	assert_int_equal(pmm_memory_add(0, B(6), B(1)), 0);
	zones_of(6, "Movable");
	assert_int_equal(zone_of(0, PMM_ZONE_MOVABLE)->end_pfn, 7 * HP_BLOCK);
	assert_null(pmm_check());
}

/* auto-movable: Movable while movable <= ratio % of the kernel's boot memory. */
static void mv_auto_movable(void **state)
{
	(void)state;
	/* boot memory: Normal [1024, 4096) = 3072 pages; 67 % = 2058 */
	set_policy(PMM_POLICY_AUTO_MOVABLE, 67, false, false);
	assert_int_equal(pmm_memory_add(0, B(4), B(1)), 0);
	zones_of(4, "Movable");
	assert_int_equal(pmm_memory_add(0, B(5), B(1)), 0);
	zones_of(5, "Movable");
	/* 3072 > 2058: the kernel zone, which the Movable zone blocks */
	assert_int_equal(pmm_memory_add(0, B(6), B(1)), PMM_EOVERLAP);
	zones_of(6, "none");
	/* at 100 % it still fits (3072 <= 3072) */
	set_policy(PMM_POLICY_AUTO_MOVABLE, 100, false, false);
	assert_int_equal(pmm_memory_add(0, B(6), B(1)), 0);
	zones_of(6, "Movable");
	struct pmm_online_policy p;
	pmm_memory_policy_get(&p);
	assert_int_equal(p.kind, PMM_POLICY_AUTO_MOVABLE);
	assert_string_equal(pmm_online_policy_name(p.kind), "auto-movable");
	assert_null(pmm_check());
}

/* auto-movable counts CMA as movable memory and not as kernel memory. */
static void mv_auto_movable_cma(void **state)
{
	(void)state;
	int id = -1;
	assert_int_equal(pmm_cma_declare(2048, 512, "test", &id), 0);
	/* early 3072 - 512 = 2560; movable 512 + blocks */
	set_policy(PMM_POLICY_AUTO_MOVABLE, 100, false, false);
	assert_int_equal(pmm_memory_add(0, B(4), B(1)), 0);
	assert_int_equal(pmm_memory_add(0, B(5), B(1)), 0);
	zones_of(5, "Movable");
	assert_int_equal(pmm_memory_add(0, B(6), B(1)), PMM_EOVERLAP);
	assert_null(pmm_check());
}

/* auto-movable is NUMA aware: a node with no boot memory gets kernel memory. */
static void mv_auto_movable_numa(void **state)
{
	(void)state;
	set_policy(PMM_POLICY_AUTO_MOVABLE, 0, false, false); /* 0: 301 % */
	assert_int_equal(pmm_memory_add(1, B(6), B(1)), 0);
	zones_of(6, "Normal");
	assert_true(zone_of(1, PMM_ZONE_NORMAL)->initialized);
	assert_int_equal(pmm_memory_offline(B(6), B(1)), 0);
	assert_int_equal(pmm_memory_remove(B(6), B(1)), 0);
	set_policy(PMM_POLICY_AUTO_MOVABLE, 0, true, false);
	assert_int_equal(pmm_memory_add(1, B(6), B(1)), 0);
	zones_of(6, "Movable");
	assert_true(zone_of(1, PMM_ZONE_MOVABLE)->initialized);
	assert_null(pmm_check());
}

/* An offline Normal block comes back Movable; valid_zones lists both. */
static void mv_online_as(void **state)
{
	(void)state;
	assert_int_equal(pmm_memory_add(0, B(4), B(1)), 0);
	assert_int_equal(pmm_memory_offline(B(4), B(1)), 0);
	zones_of(4, "Normal Movable");
	assert_int_equal(pmm_memory_online_as(B(4), B(1), PMM_ONLINE_MOVABLE), 0);
	zones_of(4, "Movable");
	assert_int_equal(zone_of(0, PMM_ZONE_MOVABLE)->managed, HP_BLOCK);
	assert_int_equal(pmm_memory_offline(B(4), B(1)), 0);
	zones_of(4, "Movable Normal");
	assert_int_equal(pmm_memory_online(B(4), B(1)), 0); /* the zone it had */
	zones_of(4, "Movable");
	assert_int_equal(pmm_memory_offline(B(4), B(1)), 0);
	assert_int_equal(pmm_memory_online_as(B(4), B(1), PMM_ONLINE_KERNEL), 0);
	zones_of(4, "Normal");
	assert_null(pmm_check());
}

/* With watermarks in force the Movable zone takes its Linux share: index
 * 3 of x86_64's layout, in the Normal zone's lowmem_reserve. */
static void mv_watermarks(void **state)
{
	(void)state;
	pmm_zones_setup_watermarks();
	assert_int_equal(pmm_memory_add_as(0, B(4), B(2), PMM_ONLINE_MOVABLE), 0);
	const struct pmm_zone *n = zone_of(0, PMM_ZONE_NORMAL);
	const struct pmm_zone *m = zone_of(0, PMM_ZONE_MOVABLE);
	assert_true(m->watermark[PMM_WMARK_MIN] != 0);
	assert_true(m->watermark[PMM_WMARK_LOW] > m->watermark[PMM_WMARK_MIN]);
	/* i386 layout here (no DMA32 zone): Normal is index 1, ratio 32 */
	assert_int_equal(n->protection[3], m->managed / 32);
	assert_null(pmm_check());
}

/* The checker catches a Movable pageblock of another type. */
static void mv_check_catches(void **state)
{
	(void)state;
	assert_int_equal(pmm_memory_add_as(0, B(4), B(1), PMM_ONLINE_MOVABLE), 0);
	struct pmm_zone *m = &pmm_nodes[0].zones[PMM_ZONE_MOVABLE];
	uint8_t *pb = &m->pageblock_mt[(4 * HP_BLOCK - m->map_base) / PMM_PAGEBLOCK_PAGES];
	uint8_t was = *pb;
	*pb = PMM_MT_UNMOVABLE;
	const char *why = pmm_check();
	assert_non_null(why);
	assert_non_null(strstr(why, "in the Movable zone"));
	*pb = was;
	assert_null(pmm_check());
}

/* set(NULL) restores the default; the largest ratio is taken. */
static void mv_policy_reset_and_limit(void **state)
{
	(void)state;
	set_policy(PMM_POLICY_AUTO_MOVABLE, 1000000, true, true);
	struct pmm_online_policy p;
	pmm_memory_policy_get(&p);
	assert_int_equal(p.auto_movable_ratio, 1000000);
	assert_int_equal(pmm_memory_policy_set(NULL), 0);
	pmm_memory_policy_get(&p);
	assert_int_equal(p.kind, PMM_POLICY_CONTIG_ZONES);
	assert_int_equal(p.auto_movable_ratio, PMM_AUTO_MOVABLE_RATIO_DEFAULT);
	assert_false(p.numa_unaware || p.movable_node);
	assert_string_equal(pmm_online_policy_name(p.kind), "contig-zones");
	/* pmm_hotplug_reset() (a second boot) forgets the policy too */
	set_policy(PMM_POLICY_AUTO_MOVABLE, 7, false, false);
	pmm_hotplug_reset();
	pmm_memory_policy_get(&p);
	assert_int_equal(p.kind, PMM_POLICY_CONTIG_ZONES);
	assert_int_equal(hotplug_setup(), 0); /* for the teardown */
}

/* Restart hotplug with zone bounds @bound (PMM_NR_ADDR_ZONES + 1). */
static void bounds(const pmm_pfn_t *bound)
{
	assert_int_equal(pmm_hotplug_init(&(struct pmm_hotplug_config){
		.block_bytes = HP_BYTES(HP_BLOCK), .zone_bound = bound }), 0);
}

/* The kernel zone of a range is the address zone holding it: DMA too... */
static void mv_kernel_zone_dma(void **state)
{
	(void)state;
	static const pmm_pfn_t b[PMM_NR_ADDR_ZONES + 1] = {
		0, 8 * HP_BLOCK, 8 * HP_BLOCK, 8 * HP_BLOCK, (pmm_pfn_t)UINT64_MAX
	};
	bounds(b);
	assert_int_equal(pmm_memory_add_as(0, B(4), B(1), PMM_ONLINE_KERNEL), 0);
	zones_of(4, "DMA");
	assert_int_equal(pmm_memory_offline(B(4), B(1)), 0);
	assert_int_equal(pmm_memory_online(B(4), B(1)), 0); /* back to DMA */
	zones_of(4, "DMA");
	assert_int_equal(zone_of(0, PMM_ZONE_DMA)->managed, HP_BLOCK);
	assert_null(pmm_check());
}

/* ... and a range that ends on a bound. */
static void mv_kernel_zone_ends_on_bound(void **state)
{
	(void)state;
	static const pmm_pfn_t b[PMM_NR_ADDR_ZONES + 1] = {
		0, HP_BLOCK, HP_BLOCK, 6 * HP_BLOCK, (pmm_pfn_t)UINT64_MAX
	};
	bounds(b);
	assert_int_equal(pmm_memory_add(0, B(5), B(1)), 0);
	zones_of(5, "Normal");
	assert_int_equal(pmm_memory_add(0, B(6), B(1)), 0);
	zones_of(6, "HighMem");
	assert_null(pmm_check());
}

/* movable_node: a range inside the kernel zone's span stays there (the
 * Movable zone could not grow over it); one beside it goes Movable. */
static void mv_movable_node_inside_kernel_span(void **state)
{
	(void)state;
	static const pmm_pfn_t b[PMM_NR_ADDR_ZONES + 1] = {
		0, 7 * HP_BLOCK, 7 * HP_BLOCK, 7 * HP_BLOCK, (pmm_pfn_t)UINT64_MAX
	};
	bounds(b);
	assert_int_equal(pmm_memory_add_as(0, B(4), B(1), PMM_ONLINE_KERNEL), 0);
	assert_int_equal(pmm_memory_add_as(0, B(6), B(1), PMM_ONLINE_KERNEL), 0);
	zones_of(6, "DMA");
	set_policy(PMM_POLICY_CONTIG_ZONES, 0, false, true);
	assert_int_equal(pmm_memory_add(0, B(5), B(1)), 0);
	zones_of(5, "DMA");
	assert_null(pmm_check());
}

/* movable_node: a range beside the kernel zone, with the Movable zone
 * above it, joins the Movable zone. */
static void mv_movable_node_beside_kernel_zone(void **state)
{
	(void)state;
	assert_int_equal(pmm_memory_add_as(0, B(6), B(1), PMM_ONLINE_MOVABLE), 0);
	set_policy(PMM_POLICY_CONTIG_ZONES, 0, false, true);
	assert_int_equal(pmm_memory_add(0, B(4), B(1)), 0);
	zones_of(4, "Movable");
	assert_int_equal(zone_of(0, PMM_ZONE_MOVABLE)->start_pfn, 4 * HP_BLOCK);
	assert_null(pmm_check());
}

/* A Movable zone emptied to [5120, 5120) does not pull a range over it. */
static void mv_empty_movable_zone(void **state)
{
	(void)state;
	assert_int_equal(pmm_memory_add_as(0, B(5), B(1), PMM_ONLINE_MOVABLE), 0);
	assert_int_equal(pmm_memory_offline(B(5), B(1)), 0);
	assert_int_equal(pmm_memory_remove(B(5), B(1)), 0);
	assert_int_equal(pmm_memory_add(0, B(4), B(3)), 0);
	zones_of(5, "Normal");
	assert_null(pmm_check());
}

/* auto-movable at 130 %: CMA counts on both sides of the ratio (as
 * movable memory, and out of the kernel memory), so the third block is
 * refused where either half alone would let it in. */
static void mv_auto_movable_cma_both_sides(void **state)
{
	(void)state;
	int id = -1;
	assert_int_equal(pmm_cma_declare(2048, 512, "test", &id), 0);
	set_policy(PMM_POLICY_AUTO_MOVABLE, 130, false, false);
	/* 130 % of (3072 - 512) = 3328 >= 2 * 1024 + 512, < 3 * 1024 + 512 */
	assert_int_equal(pmm_memory_add(0, B(4), B(1)), 0);
	assert_int_equal(pmm_memory_add(0, B(5), B(1)), 0);
	zones_of(5, "Movable");
	assert_int_equal(pmm_memory_add(0, B(6), B(1)), PMM_EOVERLAP);
	assert_null(pmm_check());
}

/* Boot memory offlined and onlined again still counts as kernel boot
 * memory; onlined Movable it does not. */
static void mv_auto_movable_reonlined_boot_block(void **state)
{
	(void)state;
	assert_int_equal(pmm_memory_offline(B(3), B(1)), 0);
	assert_int_equal(pmm_memory_online(B(3), B(1)), 0);
	/* 40 % of 3072 = 1228 >= 1024; of 2048 it would be 819 */
	set_policy(PMM_POLICY_AUTO_MOVABLE, 40, false, false);
	assert_int_equal(pmm_memory_add(0, B(4), B(1)), 0);
	zones_of(4, "Movable");
	assert_null(pmm_check());
}

static void mv_auto_movable_reonlined_movable(void **state)
{
	(void)state;
	assert_int_equal(pmm_memory_offline(B(3), B(1)), 0);
	assert_int_equal(pmm_memory_online_as(B(3), B(1), PMM_ONLINE_MOVABLE), 0);
	zones_of(3, "Movable");
	/* kernel boot memory 2048, Movable 1024: 80 % allows 1638 < 2048 */
	set_policy(PMM_POLICY_AUTO_MOVABLE, 80, false, false);
	assert_int_equal(pmm_memory_add(0, B(4), B(1)), PMM_EOVERLAP);
	assert_null(pmm_check());
}

/*
 * Two boot nodes: node 1 Normal [1024, 2048), node 0 Normal [2048, 4096),
 * hot blocks above go to node 0. Per node, the ratio is over that node's
 * kernel boot memory and its own CMA only.
 */
static int two_nodes_setup(void **state)
{
	(void)state;
	static const struct buddy_zone_spec z[] = {
		{ 1, PMM_ZONE_NORMAL, HP_BLOCK, 2 * HP_BLOCK },
		{ 0, PMM_ZONE_NORMAL, 2 * HP_BLOCK, 4 * HP_BLOCK },
	};
	assert_int_equal(hotplug_setup_machine(&(struct hotplug_machine){
		.zones = z, .nr_zones = 2, .max_pfn = HP_MAX_PFN,
		.bound = hotplug_bound }), 0);
	return 0;
}

static void mv_auto_movable_per_node(void **state)
{
	(void)state;
	/* 120 %: node 0 (2048) allows 2457 - two blocks; all (3072) three */
	set_policy(PMM_POLICY_AUTO_MOVABLE, 120, false, false);
	assert_int_equal(pmm_memory_add(0, B(4), B(1)), 0);
	assert_int_equal(pmm_memory_add(0, B(5), B(1)), 0);
	zones_of(5, "Movable");
	assert_int_equal(pmm_memory_add(0, B(6), B(1)), PMM_EOVERLAP);
	set_policy(PMM_POLICY_AUTO_MOVABLE, 120, true, false);
	assert_int_equal(pmm_memory_add(0, B(6), B(1)), 0);
	zones_of(6, "Movable");
	assert_null(pmm_check());
}

static void mv_auto_movable_cma_of_another_node(void **state)
{
	(void)state;
	int id = -1;
	assert_int_equal(pmm_cma_declare(HP_BLOCK, 512, "node1", &id), 0);
	/* node 0: 2 * 1024 <= 120 % of 2048 (its CMA: none); all nodes:
	 * 2048 + 512 <= 120 % of (3072 - 512) */
	set_policy(PMM_POLICY_AUTO_MOVABLE, 120, false, false);
	assert_int_equal(pmm_memory_add(0, B(4), B(2)), 0);
	zones_of(5, "Movable");
	assert_null(pmm_check());
}

/* A table of exactly PMM_MEMORY_BLOCKS_MAX blocks: the policy reads no
 * block past it. */
static int full_table_setup(void **state)
{
	(void)state;
	if (sizeof(void *) == 4)
		return 0; /* 16 GiB of simulated memory: the test skips */
	static const struct buddy_zone_spec z[] = {
		{ 0, PMM_ZONE_NORMAL, HP_BLOCK, 4 * HP_BLOCK },
	};
	assert_int_equal(hotplug_setup_machine(&(struct hotplug_machine){
		.zones = z, .nr_zones = 1,
		.max_pfn = (pmm_pfn_t)PMM_MEMORY_BLOCKS_MAX * HP_BLOCK }), 0);
	assert_int_equal(pmm_memory_block_count(), PMM_MEMORY_BLOCKS_MAX);
	return 0;
}

static void mv_auto_movable_full_table(void **state)
{
	(void)state;
	if (sizeof(void *) == 4) {
		print_message("skipped: 16 GiB of simulated memory on a 32-bit host\n");
		skip();
	}
	set_policy(PMM_POLICY_AUTO_MOVABLE, 0, false, false);
	pmm_phys_t last = HP_BYTES((pmm_pfn_t)(PMM_MEMORY_BLOCKS_MAX - 1) * HP_BLOCK);
	assert_int_equal(pmm_memory_add(0, last, B(1)), 0);
	zones_of(PMM_MEMORY_BLOCKS_MAX - 1, "Movable");
	assert_int_equal(pmm_memory_memmap_pages(), 0); /* reads no block past the table */
	assert_null(pmm_check());
}

/* A Movable zone set up at boot (as Linux's kernelcore= carves one):
 * its memory is movable memory, not kernel boot memory. */
static int boot_movable_setup(void **state)
{
	(void)state;
	static const struct buddy_zone_spec z[] = {
		{ 0, PMM_ZONE_NORMAL, HP_BLOCK, 3 * HP_BLOCK },
		{ 0, PMM_ZONE_MOVABLE, 3 * HP_BLOCK, 4 * HP_BLOCK },
	};
	assert_int_equal(hotplug_setup_machine(&(struct hotplug_machine){
		.zones = z, .nr_zones = 2, .max_pfn = HP_MAX_PFN,
		.bound = hotplug_bound }), 0);
	return 0;
}

static void mv_auto_movable_boot_movable_zone(void **state)
{
	(void)state;
	zones_of(3, "Movable");
	/* kernel boot memory 2048, Movable 1024 already: 100 % allows one more */
	set_policy(PMM_POLICY_AUTO_MOVABLE, 100, false, false);
	assert_int_equal(pmm_memory_add(0, B(4), B(1)), 0);
	zones_of(4, "Movable");
	assert_int_equal(pmm_memory_add(0, B(5), B(1)), PMM_EOVERLAP);
	assert_null(pmm_check());
}

/*
 * Per node, only that node's re-onlined boot blocks and Movable zone
 * count: node 1 Normal [1024, 3072) with block 1 offlined and onlined
 * again and block 2 brought back Movable, node 0 Normal [3072, 4096).
 */
static int other_nodes_setup(void **state)
{
	(void)state;
	static const struct buddy_zone_spec z[] = {
		{ 1, PMM_ZONE_NORMAL, HP_BLOCK, 3 * HP_BLOCK },
		{ 0, PMM_ZONE_NORMAL, 3 * HP_BLOCK, 4 * HP_BLOCK },
	};
	assert_int_equal(hotplug_setup_machine(&(struct hotplug_machine){
		.zones = z, .nr_zones = 2, .max_pfn = HP_MAX_PFN,
		.bound = hotplug_bound }), 0);
	assert_int_equal(pmm_memory_offline(B(1), B(1)), 0);
	assert_int_equal(pmm_memory_online(B(1), B(1)), 0);
	assert_int_equal(pmm_memory_offline(B(2), B(1)), 0);
	assert_int_equal(pmm_memory_online_as(B(2), B(1), PMM_ONLINE_MOVABLE), 0);
	return 0;
}

static void mv_auto_movable_other_nodes(void **state)
{
	(void)state;
	/* 200 %: node 0 (1024 of boot memory, no Movable) takes two blocks;
	 * all nodes (2048 boot, 1024 Movable) would take three */
	set_policy(PMM_POLICY_AUTO_MOVABLE, 200, false, false);
	assert_int_equal(pmm_memory_add(0, B(4), B(1)), 0);
	assert_int_equal(pmm_memory_add(0, B(5), B(1)), 0);
	zones_of(5, "Movable");
	assert_int_equal(pmm_memory_add(0, B(6), B(1)), PMM_EOVERLAP);
	assert_null(pmm_check());
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(mv_add_movable, mv_setup, mv_teardown),
		cmocka_unit_test_setup_teardown(mv_gfp_reach, mv_setup, mv_teardown),
		cmocka_unit_test_setup_teardown(mv_offline_movable_only, mv_setup, mv_teardown),
		cmocka_unit_test_setup_teardown(mv_contig_zones, mv_setup, mv_teardown),
		cmocka_unit_test_setup_teardown(mv_contig_zones_past_movable, mv_setup, mv_teardown),
		cmocka_unit_test_setup_teardown(mv_auto_movable, mv_setup, mv_teardown),
		cmocka_unit_test_setup_teardown(mv_auto_movable_cma, mv_setup, mv_teardown),
		cmocka_unit_test_setup_teardown(mv_auto_movable_numa, mv_setup, mv_teardown),
		cmocka_unit_test_setup_teardown(mv_online_as, mv_setup, mv_teardown),
		cmocka_unit_test_setup_teardown(mv_watermarks, mv_setup, mv_teardown),
		cmocka_unit_test_setup_teardown(mv_check_catches, mv_setup, mv_teardown),
		cmocka_unit_test_setup_teardown(mv_policy_reset_and_limit, mv_setup, mv_teardown),
		cmocka_unit_test_setup_teardown(mv_kernel_zone_dma, mv_setup, mv_teardown),
		cmocka_unit_test_setup_teardown(mv_kernel_zone_ends_on_bound, mv_setup, mv_teardown),
		cmocka_unit_test_setup_teardown(mv_movable_node_inside_kernel_span, mv_setup, mv_teardown),
		cmocka_unit_test_setup_teardown(mv_movable_node_beside_kernel_zone, mv_setup, mv_teardown),
		cmocka_unit_test_setup_teardown(mv_empty_movable_zone, mv_setup, mv_teardown),
		cmocka_unit_test_setup_teardown(mv_auto_movable_cma_both_sides, mv_setup, mv_teardown),
		cmocka_unit_test_setup_teardown(mv_auto_movable_reonlined_boot_block, mv_setup, mv_teardown),
		cmocka_unit_test_setup_teardown(mv_auto_movable_reonlined_movable, mv_setup, mv_teardown),
		cmocka_unit_test_setup_teardown(mv_auto_movable_per_node, two_nodes_setup, mv_teardown),
		cmocka_unit_test_setup_teardown(mv_auto_movable_cma_of_another_node, two_nodes_setup, mv_teardown),
		cmocka_unit_test_setup_teardown(mv_auto_movable_full_table, full_table_setup, mv_teardown),
		cmocka_unit_test_setup_teardown(mv_auto_movable_boot_movable_zone, boot_movable_setup, mv_teardown),
		cmocka_unit_test_setup_teardown(mv_auto_movable_other_nodes, other_nodes_setup, mv_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
