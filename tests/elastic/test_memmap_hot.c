/* SPDX-License-Identifier: MIT */
/*
 * test_memmap_hot.c - the descriptors of hot-added blocks on a virtual
 * memmap (pmm/platform.h memmap_populate; the host's maps a memfd of
 * simulated physical memory over the array): memmap_on_memory puts a
 * block's descriptors in its own first pages (present, never managed,
 * read back through map() byte for byte), otherwise a late allocation of
 * boot memory holds them; offline keeps them, online reuses them, remove
 * gives them back; without the hooks the boot's array serves. The error
 * rows H20-H22 (docs/errors.md) with byte-for-byte snapshots.
 *
 *   pfn 0      1024                  4096      5120      6144    7168
 *       |absent|   Normal, node 0     | blk 4   | blk 5   | blk 6 | 7 |
 *   blocks of 1024 pages: 12 KiB, 3 pages, of descriptors each.
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

#include "../../src/elastic/elastic_internal.h"
#include "buddy_setup.h"
#include "host_platform.h"
#include "hotplug_setup.h"
#include "reliability_snap.h"

#define B(n) HP_BYTES((pmm_pfn_t)(n) * HP_BLOCK)
#define K 3u /* descriptor pages of a block */

/* The hotplug machine with a virtual memmap (@virt) and @on_memory. */
static void machine(bool virt, bool on_memory)
{
	assert_int_equal(hotplug_setup_memmap(virt, on_memory), 0);
}

static int on_memory_setup(void **state)
{
	(void)state;
	machine(true, true);
	return 0;
}

static int late_setup(void **state)
{
	(void)state;
	machine(true, false);
	return 0;
}

static int boot_setup(void **state)
{
	(void)state;
	machine(false, true);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	hotplug_teardown();
	return 0;
}

static struct pmm_memory_block_info info_of(unsigned int id)
{
	struct pmm_memory_block_info info;
	memset(&info, 0, sizeof(info)); /* padding too: compared byte for byte */
	assert_int_equal(pmm_memory_block_get(id, &info), 0);
	return info;
}

static const struct pmm_zone *normal(void)
{
	return &pmm_nodes[0].zones[PMM_ZONE_NORMAL];
}

/* The descriptor of @pfn is the 12 bytes at @backing's page + offset. */
static void descriptor_lives_at(pmm_pfn_t pfn, pmm_pfn_t block, pmm_pfn_t backing)
{
	const unsigned char *there = host_phys_ptr(PMM_PFN_PHYS(backing) +
						   (pfn - block) * sizeof(struct pmm_page));
	assert_non_null(there);
	assert_memory_equal(there, pmm_pfn_to_page(pfn), sizeof(struct pmm_page));
}

/* memmap_on_memory: 3 pages of block 4 hold its descriptors; the rest is free. */
static void mh_on_memory_add(void **state)
{
	(void)state;
	uint64_t free0 = pmm_nr_free_pages(), present0 = normal()->present;
	uint64_t managed0 = normal()->managed, meta0 = pmm_memory_meta_pages();
	/* memory that arrives holds whatever it held: not zero descriptors */
	memset(host_phys_ptr(PMM_PFN_PHYS(4 * HP_BLOCK)), 0xa5, (size_t)K * PMM_PAGE_SIZE);
	assert_int_equal(pmm_memory_add(0, B(4), B(1)), 0);
	uint64_t meta = pmm_memory_meta_pages() - meta0;
	assert_int_equal(pmm_nr_free_pages(), free0 + HP_BLOCK - K - meta);
	assert_int_equal(normal()->present, present0 + HP_BLOCK);
	assert_int_equal(normal()->managed, managed0 + HP_BLOCK - K);
	struct pmm_memory_block_info info = info_of(4);
	assert_string_equal(info.memmap, "range");
	assert_int_equal(info.memmap_pages, K);
	assert_int_equal(pmm_memory_memmap_pages(), K);
	assert_true(info.removable);
	/* every page it hands out lies after the descriptor pages */
	struct pmm_page *pg;
	unsigned int taken = 0;
	while ((pg = pmm_alloc_pages(PMM_GFP_KERNEL, 0)) != NULL) {
		pmm_pfn_t pfn = pmm_page_to_pfn(pg);
		assert_false(pfn >= 4 * HP_BLOCK && pfn < 4 * HP_BLOCK + K);
		if (pfn >= 4 * HP_BLOCK && pfn < 5 * HP_BLOCK)
			descriptor_lives_at(pfn, 4 * HP_BLOCK, 4 * HP_BLOCK);
		taken += pfn >= 4 * HP_BLOCK && pfn < 5 * HP_BLOCK;
	}
	assert_int_equal(taken, HP_BLOCK - K);
	assert_null(pmm_check());
}

/* Offline keeps the descriptors, online reuses them, remove unbacks them. */
static void mh_on_memory_cycle(void **state)
{
	(void)state;
	uint64_t free0 = pmm_nr_free_pages(), present0 = normal()->present;
	uint64_t meta0 = pmm_memory_meta_pages();
	hotplug_hook(true, false);
	assert_int_equal(pmm_memory_add(0, B(4), B(2)), 0);
	uint64_t free1 = pmm_nr_free_pages();
	for (unsigned int i = 0; i < 16; i++)
		assert_true(hotplug_owner_alloc(PMM_GFP_USER_MOVABLE) != 0);
	pmm_pfn_t in_block = 0;
	for (unsigned int i = 0; i < hotplug_owner_count(); i++)
		if (hotplug_owner_pfn(i) >= 5 * HP_BLOCK)
			in_block = hotplug_owner_pfn(i);
	assert_int_equal(pmm_memory_offline(B(5), B(1)), 0);
	assert_string_equal(info_of(5).memmap, "range");
	for (unsigned int i = 0; in_block != 0 && i < hotplug_owner_count(); i++)
		assert_false(hotplug_owner_pfn(i) >= 5 * HP_BLOCK &&
			     hotplug_owner_pfn(i) < 6 * HP_BLOCK);
	assert_null(pmm_check());
	assert_int_equal(pmm_memory_online(B(5), B(1)), 0);
	hotplug_owner_free_all();
	assert_int_equal(pmm_nr_free_pages(), free1);
	assert_int_equal(pmm_memory_offline(B(4), B(2)), 0);
	assert_int_equal(normal()->present, present0);
	assert_int_equal(pmm_memory_remove(B(4), B(2)), 0);
	assert_string_equal(info_of(4).memmap, "none");
	assert_int_equal(pmm_memory_memmap_pages(), 0);
	/* the slice reads zero again, as the room did before */
	const unsigned char *slice = (const unsigned char *)pmm_pfn_to_page(4 * HP_BLOCK);
	for (size_t i = 0; i < (size_t)K * PMM_PAGE_SIZE; i++)
		assert_int_equal(slice[i], 0);
	assert_int_equal(pmm_nr_free_pages(), free0 - (pmm_memory_meta_pages() - meta0));
	assert_null(pmm_check());
	/* the block's first pages still hold the old descriptors: a new add
	 * clears them before any is read */
	assert_int_equal(pmm_memory_add(0, B(4), B(2)), 0);
	assert_int_equal(pmm_nr_free_pages(), free1);
	assert_null(pmm_check());
	/* removing one block leaves the other's descriptors in place */
	assert_int_equal(pmm_memory_offline(B(4), B(1)), 0);
	assert_int_equal(pmm_memory_remove(B(4), B(1)), 0);
	assert_string_equal(info_of(5).memmap, "range");
	assert_null(pmm_check());
}

/* Without memmap_on_memory: a late allocation of boot memory holds them. */
static void mh_late(void **state)
{
	(void)state;
	uint64_t free0 = pmm_nr_free_pages();
	assert_int_equal(pmm_memory_add(0, B(4), B(1)), 0);
	struct pmm_memory_block_info info = info_of(4);
	assert_string_equal(info.memmap, "late");
	assert_int_equal(info.memmap_pages, K);
	uint64_t meta = pmm_memory_meta_pages();
	assert_int_equal(pmm_nr_free_pages(), free0 + HP_BLOCK - K - meta);
	assert_int_equal(normal()->managed - (4 * HP_BLOCK - HP_BLOCK), HP_BLOCK);
	struct pmm_page *pg = pmm_alloc_range(4 * HP_BLOCK, 1, NULL) == 0
				      ? pmm_pfn_to_page(4 * HP_BLOCK) : NULL;
	assert_non_null(pg);
	/* find the backing: the late run's first page holds block 4's first descriptors */
	pmm_pfn_t backing = 0;
	for (pmm_pfn_t p = HP_BLOCK; p < 4 * HP_BLOCK && backing == 0; p++) {
		const void *there = host_phys_ptr(PMM_PFN_PHYS(p));
		if (pmm_page_is_alloc_head(pmm_pfn_to_page(p)) &&
		    memcmp(there, pmm_pfn_to_page(4 * HP_BLOCK), sizeof(struct pmm_page)) == 0 &&
		    memcmp(there, (const unsigned char[12]){ 0 }, 12) != 0)
			backing = p;
	}
	assert_true(backing != 0);
	descriptor_lives_at(4 * HP_BLOCK, 4 * HP_BLOCK, backing);
	assert_null(pmm_check()); /* the block's first page, allocated, is no descriptor page */
	assert_int_equal(pmm_free_pages(pg, 0), 0);
	assert_null(pmm_check());
	assert_int_equal(pmm_memory_offline(B(4), B(1)), 0);
	assert_int_equal(pmm_memory_remove(B(4), B(1)), 0);
	assert_int_equal(pmm_nr_free_pages(), free0 - pmm_memory_meta_pages());
	assert_null(pmm_check());
}

/* Without the hooks the boot's array serves; memmap_on_memory falls back. */
static void mh_boot_array(void **state)
{
	(void)state;
	uint64_t free0 = pmm_nr_free_pages();
	assert_int_equal(pmm_memory_add(0, B(4), B(1)), 0);
	assert_string_equal(info_of(4).memmap, "boot");
	assert_int_equal(info_of(4).memmap_pages, 0);
	assert_string_equal(info_of(1).memmap, "boot");
	assert_string_equal(info_of(5).memmap, "none");
	assert_int_equal(pmm_nr_free_pages(), free0 + HP_BLOCK - pmm_memory_meta_pages());
	assert_null(pmm_check());
}

/* pmm_check() catches a descriptor page that is not blank. */
static void mh_check_catches(void **state)
{
	(void)state;
	assert_int_equal(pmm_memory_add(0, B(4), B(1)), 0);
	struct pmm_page *d = pmm_pfn_to_page(4 * HP_BLOCK + 1);
	uint32_t was = d->info;
	d->next = 1;
	const char *why = pmm_check();
	assert_non_null(why);
	d->next = 0;
	assert_int_equal(d->info, was);
	assert_null(pmm_check());
}

/* A platform with memmap_populate but no memmap_depopulate has no virtual
 * memmap: the boot's array serves. */
static void mh_half_hooks(void **state)
{
	(void)state;
	struct pmm_platform p = *pmm_platform_get();
	p.memmap_depopulate = NULL;
	pmm_platform_set(&p);
	assert_int_equal(pmm_memory_add(0, B(4), B(1)), 0);
	assert_string_equal(info_of(4).memmap, "boot");
	assert_null(pmm_check());
}

/* The memmap proof: each broken invariant is caught. */
static void mh_check_proves(void **state)
{
	(void)state;
	assert_int_equal(pmm_memory_add(0, B(4), B(1)), 0);
	struct hp_block *b = &pmm_hp.block[4];
	/* a late backing that is not an allocated run of boot memory */
	pmm_pfn_t was = pmm_hp.memmap_pfn[4];
	pmm_hp.memmap_pfn[4] = HP_BLOCK; /* a free boot page */
	assert_non_null(pmm_check());
	assert_int_equal(pmm_alloc_range(4 * HP_BLOCK, 1, NULL), 0);
	pmm_hp.memmap_pfn[4] = 4 * HP_BLOCK; /* allocated, but past boot memory */
	assert_non_null(pmm_check());
	pmm_hp.memmap_pfn[4] = was;
	assert_null(pmm_check());
	/* an absent block with backed descriptors (a valid backing otherwise) */
	pmm_hp.block[6].flags |= HP_MEMMAP_LATE;
	pmm_hp.memmap_pfn[6] = pmm_hp.memmap_pfn[4];
	assert_non_null(pmm_check());
	pmm_hp.block[6].flags = 0;
	/* backed twice */
	b->flags |= HP_MEMMAP_RANGE;
	assert_non_null(pmm_check());
	b->flags = (uint8_t)(b->flags & ~HP_MEMMAP_RANGE);
	/* a hot block without backed descriptors */
	b->flags = (uint8_t)(b->flags & ~HP_MEMMAP_LATE);
	assert_non_null(pmm_check());
	b->flags |= HP_MEMMAP_LATE;
	assert_null(pmm_check());
}

/* A block holding its own descriptors: a descriptor page not blank. */
static void mh_check_proves_own_pages(void **state)
{
	(void)state;
	assert_int_equal(pmm_memory_add(0, B(4), B(1)), 0);
	assert_null(hp_memmap_check());
	pmm_pfn_to_page(4 * HP_BLOCK + 2)->next = 9;
	assert_non_null(hp_memmap_check());
	pmm_pfn_to_page(4 * HP_BLOCK + 2)->next = 0;
	assert_null(hp_memmap_check());
}

static struct rel_snap snap;
static struct pmm_memory_block_info blocks[8];

static void mark(void)
{
	rel_snap_take(&snap);
	for (unsigned int i = 0; i < 8; i++)
		blocks[i] = info_of(i);
}

/* Unchanged since mark() (@but_order: the free lists may be reordered -
 * a late backing allocated and freed again). */
static void unchanged_as(bool but_order)
{
	const char *why = but_order ? rel_snap_same_but_order(&snap) : rel_snap_same(&snap);
	rel_snap_release(&snap);
	if (why)
		fail_msg("%s", why);
	for (unsigned int i = 0; i < 8; i++) {
		struct pmm_memory_block_info now = info_of(i);
		assert_memory_equal(&now, &blocks[i], sizeof(now));
	}
	assert_null(pmm_check());
}

static void unchanged(void)
{
	unchanged_as(false);
}

static int refusing_populate(void *ctx, void *va, size_t bytes, pmm_phys_t pa)
{
	(void)ctx;
	(void)va;
	(void)bytes;
	(void)pa;
	return PMM_ENOMEM;
}

/* H20: the platform cannot back the descriptors. */
static void populate_refused(bool late)
{
	struct pmm_platform p = *pmm_platform_get();
	p.memmap_populate = refusing_populate;
	pmm_platform_set(&p);
	mark();
	assert_int_equal(pmm_memory_add(0, B(4), B(2)), PMM_ENOMEM);
	unchanged_as(late);
}

static void H20_populate_refused(void **state)
{
	(void)state;
	populate_refused(false);
}

static int (*host_populate)(void *, void *, size_t, pmm_phys_t);
static int populate_calls;

/* Backs the first block through the host's hook, refuses the second. */
static int second_refused(void *ctx, void *va, size_t bytes, pmm_phys_t pa)
{
	return populate_calls++ == 0 ? host_populate(ctx, va, bytes, pa) : PMM_ENOMEM;
}

/* H21: the second block of two cannot be backed: the first is unbacked. */
static void H21_second_block_refused(void **state)
{
	(void)state;
	struct pmm_platform p = *pmm_platform_get();
	host_populate = p.memmap_populate;
	populate_calls = 0;
	p.memmap_populate = second_refused;
	pmm_platform_set(&p);
	mark();
	assert_int_equal(pmm_memory_add(0, B(4), B(2)), PMM_ENOMEM);
	assert_int_equal(populate_calls, 2);
	unchanged();
}

/* H20 with late backing: the allocation goes back (the free lists may
 * be in another order). */
static void H20_populate_refused_late(void **state)
{
	(void)state;
	populate_refused(true);
}

/* H22: no boot memory for a late allocation of descriptors: every page
 * taken, then every other one given back - the zone's new metadata (one
 * page) fits, three contiguous pages of descriptors do not. */
static void H22_no_memory_for_late_descriptors(void **state)
{
	(void)state;
	while (pmm_alloc_pages(PMM_GFP_KERNEL, 0) != NULL) {
	}
	for (pmm_pfn_t p = HP_BLOCK; p < 4 * HP_BLOCK; p += 2)
		assert_int_equal(pmm_free_pages(pmm_pfn_to_page(p), 0), 0);
	mark();
	assert_int_equal(pmm_memory_add(0, B(4), B(1)), PMM_ENOMEM);
	unchanged();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(mh_on_memory_add, on_memory_setup, teardown),
		cmocka_unit_test_setup_teardown(mh_on_memory_cycle, on_memory_setup, teardown),
		cmocka_unit_test_setup_teardown(mh_late, late_setup, teardown),
		cmocka_unit_test_setup_teardown(mh_boot_array, boot_setup, teardown),
		cmocka_unit_test_setup_teardown(mh_check_catches, on_memory_setup, teardown),
		cmocka_unit_test_setup_teardown(mh_half_hooks, on_memory_setup, teardown),
		cmocka_unit_test_setup_teardown(mh_check_proves, late_setup, teardown),
		cmocka_unit_test_setup_teardown(mh_check_proves_own_pages, on_memory_setup, teardown),
		cmocka_unit_test_setup_teardown(H20_populate_refused, on_memory_setup, teardown),
		cmocka_unit_test_setup_teardown(H20_populate_refused_late, late_setup, teardown),
		cmocka_unit_test_setup_teardown(H21_second_block_refused, on_memory_setup, teardown),
		cmocka_unit_test_setup_teardown(H22_no_memory_for_late_descriptors, late_setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
