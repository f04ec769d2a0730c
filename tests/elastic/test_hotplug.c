/* SPDX-License-Identifier: MIT */
/*
 * test_hotplug.c - memory hotplug (pmm/elastic.h) on the machine of
 * tests/support/hotplug_setup.h: add, allocate from, offline (moving
 * movable pages through the migrate hook), online again and remove
 * blocks; a node that comes online with its first memory and goes
 * offline with its last; the zone's span and counts at each step, and
 * pmm_check() (which runs the block proof) after every call.
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

static int hp_setup(void **state)
{
	(void)state;
	assert_int_equal(hotplug_setup(), 0);
	assert_null(pmm_check());
	return 0;
}

static int hp_teardown(void **state)
{
	(void)state;
	hotplug_teardown();
	return 0;
}

static const struct pmm_zone *normal(int nid)
{
	return &pmm_nodes[nid].zones[PMM_ZONE_NORMAL];
}

static enum pmm_block_state state_of(unsigned int id)
{
	struct pmm_memory_block_info info;
	assert_int_equal(pmm_memory_block_get(id, &info), 0);
	return info.state;
}

/* The boot blocks 1-3 are online, the rest absent; 4 MiB blocks. */
static void hp_boot_blocks(void **state)
{
	(void)state;
	assert_int_equal(pmm_memory_block_bytes(), B(1));
	assert_int_equal(pmm_memory_block_count(), 8);
	assert_int_equal(state_of(0), PMM_BLOCK_ABSENT);
	for (unsigned int i = 1; i < 4; i++) {
		struct pmm_memory_block_info info;
		assert_int_equal(pmm_memory_block_get(i, &info), 0);
		assert_int_equal(info.state, PMM_BLOCK_ONLINE);
		assert_int_equal(info.nid, 0);
		assert_string_equal(info.valid_zones, "Normal");
		assert_false(info.hot);
	}
	assert_int_equal(state_of(4), PMM_BLOCK_ABSENT);
}

/* Add block 4: Normal grows to [1024, 5120), its pages are free, taken. */
static void hp_add_grows_zone(void **state)
{
	(void)state;
	uint64_t free0 = pmm_nr_free_pages();
	assert_int_equal(pmm_memory_add(0, B(4), B(1)), 0);
	assert_null(pmm_check());
	assert_int_equal(normal(0)->start_pfn, HP_BLOCK);
	assert_int_equal(normal(0)->end_pfn, 5 * HP_BLOCK);
	assert_int_equal(normal(0)->present, 4 * HP_BLOCK);
	assert_int_equal(normal(0)->managed, 4 * HP_BLOCK);
	assert_int_equal(state_of(4), PMM_BLOCK_ONLINE);
	/* the new metadata came from boot memory: the free count rose by the
	 * block less the metadata's pages */
	uint64_t meta = PMM_PFN_UP(pmm_zone_bitmap_bytes(HP_BLOCK, 5 * HP_BLOCK));
	assert_int_equal(pmm_nr_free_pages(), free0 + HP_BLOCK - meta);
	assert_int_equal(pmm_alloc_range(4 * HP_BLOCK, HP_BLOCK, NULL), 0);
	assert_null(pmm_check());
	assert_int_equal(pmm_free_contig(pmm_pfn_to_page(4 * HP_BLOCK), HP_BLOCK), 0);
	assert_null(pmm_check());
}

/* Offline block 4 again: everything back as at boot (but the metadata). */
static void hp_offline_online_remove(void **state)
{
	(void)state;
	uint64_t free0 = pmm_nr_free_pages();
	assert_int_equal(pmm_memory_add(0, B(4), B(2)), 0);
	assert_int_equal(pmm_memory_offline(B(4), B(2)), 0);
	assert_null(pmm_check());
	assert_int_equal(state_of(4), PMM_BLOCK_OFFLINE);
	assert_int_equal(normal(0)->end_pfn, 4 * HP_BLOCK);
	assert_int_equal(normal(0)->present, 3 * HP_BLOCK);
	assert_int_equal(pmm_nr_free_pages(), free0 -
			 PMM_PFN_UP(pmm_zone_bitmap_bytes(HP_BLOCK, 4 * HP_BLOCK)));
	assert_int_equal(pmm_memory_online(B(5), B(1)), 0);
	assert_null(pmm_check());
	assert_int_equal(normal(0)->end_pfn, 6 * HP_BLOCK);
	assert_int_equal(normal(0)->present, 4 * HP_BLOCK);
	assert_int_equal(pmm_memory_offline(B(5), B(1)), 0);
	assert_int_equal(pmm_memory_remove(B(4), B(2)), 0);
	assert_null(pmm_check());
	assert_int_equal(state_of(4), PMM_BLOCK_ABSENT);
	assert_int_equal(state_of(5), PMM_BLOCK_ABSENT);
	/* an offline in the middle keeps the span, drops the present count */
	assert_int_equal(pmm_memory_add(0, B(4), B(3)), 0);
	assert_int_equal(pmm_memory_offline(B(5), B(1)), 0);
	assert_null(pmm_check());
	assert_int_equal(normal(0)->end_pfn, 7 * HP_BLOCK);
	assert_int_equal(normal(0)->present, 5 * HP_BLOCK);
}

/* A boot block that is wholly free goes offline too; the zone shrinks. */
static void hp_offline_boot_block(void **state)
{
	(void)state;
	assert_int_equal(pmm_memory_offline(B(3), B(1)), 0);
	assert_null(pmm_check());
	assert_int_equal(normal(0)->end_pfn, 3 * HP_BLOCK);
	assert_int_equal(normal(0)->present, 2 * HP_BLOCK);
	assert_int_equal(pmm_memory_online(B(3), B(1)), 0);
	assert_null(pmm_check());
	assert_int_equal(normal(0)->end_pfn, 4 * HP_BLOCK);
	assert_int_equal(normal(0)->present, 3 * HP_BLOCK);
}

/* Node 1 comes online with block 6 and goes offline with its removal. */
static void hp_new_node(void **state)
{
	(void)state;
	assert_false(pmm_nodes[1].online);
	assert_int_equal(pmm_memory_add(1, B(6), B(1)), 0);
	assert_null(pmm_check());
	assert_true(pmm_nodes[1].online);
	assert_int_equal(normal(1)->start_pfn, 6 * HP_BLOCK);
	assert_int_equal(normal(1)->managed, HP_BLOCK);
	struct pmm_page *pg = pmm_alloc_pages_node(1, PMM_GFP_KERNEL | PMM_GFP_THISNODE, 3);
	assert_non_null(pg);
	assert_true(pmm_page_to_pfn(pg) >= 6 * HP_BLOCK);
	/* an unmovable block: the offline fails and changes nothing */
	assert_int_equal(pmm_memory_offline(B(6), B(1)), PMM_EBUSY);
	assert_null(pmm_check());
	assert_int_equal(normal(1)->managed, HP_BLOCK);
	assert_int_equal(pmm_free_pages(pg, 3), 0);
	assert_int_equal(pmm_memory_offline(B(6), B(1)), 0);
	assert_true(pmm_nodes[1].online);
	assert_int_equal(pmm_memory_remove(B(6), B(1)), 0);
	assert_null(pmm_check());
	assert_false(pmm_nodes[1].online);
	assert_false(normal(1)->initialized);
	/* and comes back */
	assert_int_equal(pmm_memory_add(1, B(6), B(2)), 0);
	assert_null(pmm_check());
	assert_int_equal(normal(1)->managed, 2 * HP_BLOCK);
}

/* Movable pages in the range move through the hook; a refusal undoes all. */
static void hp_offline_migrates(void **state)
{
	(void)state;
	assert_int_equal(pmm_memory_add(0, B(4), B(1)), 0);
	unsigned int in_range = 0;
	for (unsigned int i = 0; i < 3000; i++) {
		pmm_pfn_t pfn = hotplug_owner_alloc(PMM_GFP_USER_MOVABLE);
		assert_true(pfn != 0);
		in_range += pfn >= 4 * HP_BLOCK;
	}
	assert_true(in_range > 0);
	uint64_t free0 = pmm_nr_free_pages();
	hotplug_hook(true, true);
	assert_int_equal(pmm_memory_offline(B(4), B(1)), PMM_EBUSY);
	assert_null(pmm_check());
	assert_int_equal(pmm_nr_free_pages(), free0);
	assert_int_equal(state_of(4), PMM_BLOCK_ONLINE);
	hotplug_hook(true, false);
	assert_int_equal(pmm_memory_offline(B(4), B(1)), 0);
	assert_null(pmm_check());
	assert_int_equal(hotplug_moves(), in_range);
	hotplug_owner_free_all();
	assert_null(pmm_check());
}

/*
 * The zone's start moves: block 1 offline shrinks Normal from below (its
 * metadata base moves up), online grows it back down; pages allocated
 * above keep their state and the pair bits follow.
 */
static void hp_zone_start_moves(void **state)
{
	(void)state;
	assert_int_equal(pmm_alloc_range(2500, 7, NULL), 0);
	assert_int_equal(pmm_alloc_range(3001, 1, NULL), 0);
	assert_int_equal(pmm_memory_offline(B(1), B(1)), 0);
	assert_null(pmm_check());
	assert_int_equal(normal(0)->start_pfn, 2 * HP_BLOCK);
	assert_int_equal(normal(0)->map_base, 2 * HP_BLOCK);
	assert_int_equal(pmm_memory_online(B(1), B(1)), 0);
	assert_null(pmm_check());
	assert_int_equal(normal(0)->start_pfn, HP_BLOCK);
	assert_int_equal(normal(0)->map_base, HP_BLOCK);
	assert_int_equal(pmm_free_contig(pmm_pfn_to_page(2500), 7), 0);
	assert_int_equal(pmm_free_contig(pmm_pfn_to_page(3001), 1), 0);
	assert_null(pmm_check());
	/* every page free again but the zone metadata hotplug holds */
	assert_int_equal(normal(0)->free_pages,
			 normal(0)->managed - pmm_memory_meta_pages());
}

/* A zone of hot blocks only empties, stays set up, and grows again. */
static void hp_zone_empties(void **state)
{
	(void)state;
	assert_int_equal(pmm_memory_add(1, B(5), B(2)), 0);
	assert_int_equal(pmm_memory_offline(B(5), B(1)), 0);
	assert_int_equal(normal(1)->start_pfn, 6 * HP_BLOCK);
	assert_int_equal(pmm_memory_offline(B(6), B(1)), 0);
	assert_null(pmm_check());
	assert_true(normal(1)->initialized);
	assert_int_equal(normal(1)->spanned, 0);
	assert_int_equal(normal(1)->present, 0);
	assert_int_equal(pmm_memory_online(B(6), B(1)), 0);
	assert_int_equal(pmm_memory_online(B(5), B(1)), 0);
	assert_null(pmm_check());
	assert_int_equal(normal(1)->start_pfn, 5 * HP_BLOCK);
	assert_int_equal(normal(1)->managed, 2 * HP_BLOCK);
	struct pmm_page *pg = pmm_alloc_pages_node(1, PMM_GFP_KERNEL | PMM_GFP_THISNODE,
						   PMM_MAX_ORDER);
	assert_non_null(pg);
	assert_int_equal(pmm_free_pages(pg, PMM_MAX_ORDER), 0);
	assert_null(pmm_check());
}

/* Return: true when pmm_check() names the hotplug proof with @what. */
static bool check_says(const char *what)
{
	const char *why = pmm_check();
	return why != NULL && strstr(why, "hotplug: ") != NULL &&
	       strstr(why, what) != NULL;
}

/* pmm_check() catches each broken hotplug invariant, and passes once repaired. */
static void hp_check_catches(void **state)
{
	(void)state;
	assert_int_equal(pmm_memory_add(0, B(4), B(1)), 0);
	assert_int_equal(pmm_memory_add(1, B(6), B(1)), 0);
	assert_int_equal(pmm_memory_offline(B(6), B(1)), 0);
	struct pmm_zone *z = &pmm_nodes[0].zones[PMM_ZONE_NORMAL];
	/* a zone's present count the blocks do not explain */
	z->present--;
	assert_true(check_says("present"));
	z->present++;
	assert_null(pmm_check());
	/* a descriptor in use inside an offline block (node 1's zone spans
	 * nothing now, so the block lies in no zone: the buddy layer's own
	 * check of descriptors outside the zones speaks first) */
	struct pmm_page *d = pmm_pfn_to_page(6 * HP_BLOCK + 5);
	d->info = PMM_PG_ALLOC_HEAD | PMM_PG_REF_ONE;
	assert_non_null(pmm_check());
	d->info = 0;
	/* a node with blocks that is offline */
	pmm_nodes[1].online = false;
	assert_true(check_says("offline"));
	pmm_nodes[1].online = true;
	assert_null(pmm_check());
}

/* What memoryN shows: state, node, zones, removability. */
static void hp_block_info(void **state)
{
	(void)state;
	struct pmm_memory_block_info info;
	assert_int_equal(pmm_memory_add(0, B(5), B(1)), 0);
	assert_int_equal(pmm_memory_block_get(5, &info), 0);
	assert_true(info.hot);
	assert_true(info.removable);
	assert_int_equal(info.phys_index, 5);
	assert_int_equal(info.start, B(5));
	assert_int_equal(pmm_memory_block_get(8, &info), PMM_ERANGE);
	struct pmm_page *pg = pmm_alloc_pages(PMM_GFP_KERNEL, 0);
	assert_non_null(pg);
	assert_int_equal(pmm_memory_block_get(0, &info), 0);
	assert_string_equal(info.valid_zones, "none");
	assert_false(info.removable);
	pmm_free_pages(pg, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(hp_boot_blocks, hp_setup, hp_teardown),
		cmocka_unit_test_setup_teardown(hp_add_grows_zone, hp_setup, hp_teardown),
		cmocka_unit_test_setup_teardown(hp_offline_online_remove, hp_setup, hp_teardown),
		cmocka_unit_test_setup_teardown(hp_offline_boot_block, hp_setup, hp_teardown),
		cmocka_unit_test_setup_teardown(hp_new_node, hp_setup, hp_teardown),
		cmocka_unit_test_setup_teardown(hp_offline_migrates, hp_setup, hp_teardown),
		cmocka_unit_test_setup_teardown(hp_block_info, hp_setup, hp_teardown),
		cmocka_unit_test_setup_teardown(hp_zone_start_moves, hp_setup, hp_teardown),
		cmocka_unit_test_setup_teardown(hp_zone_empties, hp_setup, hp_teardown),
		cmocka_unit_test_setup_teardown(hp_check_catches, hp_setup, hp_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
