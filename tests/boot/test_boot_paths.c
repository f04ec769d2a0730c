/* SPDX-License-Identifier: MIT */
/*
 * test_boot_paths.c - pmm_boot()'s paths that the machines of test_boot.c
 * and the rows of test_boot_errors.c do not take: early memory too small
 * for the descriptors, memory the platform cannot map (host option
 * untouchable), a platform without a memmap_alloc hook or one that gives
 * descriptors unzeroed or none, NUMA ranges that do not cover RAM, a node
 * id past PMM_MAX_NUMNODES, interleaved nodes, keep_low_memory, a bitmap
 * goal above all RAM and the free_late call before any boot.
 *
 * Every failing boot must return its error, say why in the log and leave
 * no zone behind; every good one must add up (present pages, pmm_check()).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <cmocka.h>

#include <pmm/boot.h>
#include <pmm/buddy.h>
#include <pmm/check.h>
#include <pmm/elastic.h>
#include <pmm/memmap.h>
#include <pmm/zone.h>

#include "host_platform.h"

#define MiB ((uint64_t)1 << 20)

static struct pmm_memmap mm;
static struct pmm_boot_config cfg;
static struct pmm_boot_info info;
static char *boot_log;
static struct pmm_platform wrapped;
static void *my_memmap;

static int setup(void **state)
{
	(void)state;
	pmm_memmap_init(&mm);
	pmm_boot_config_init(&cfg);
	cfg.quiet = true;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	free(boot_log);
	boot_log = NULL;
	pmm_zones_reset();
	host_platform_remove();
	free(my_memmap);
	my_memmap = NULL;
	return 0;
}

static void install(pmm_phys_t phys, bool untouchable)
{
	struct host_platform_options o = { .phys_size = phys, .untouchable = untouchable,
					   .quiet = true, .quiet_reports = true };
	assert_int_equal(host_platform_install(&o), 0);
}

/* Boot on the installed platform, the log captured. */
static int boot(void)
{
	free(boot_log);
	host_log_capture_start();
	int err = pmm_boot(&mm, &cfg, &info);
	boot_log = host_log_capture_stop();
	assert_non_null(boot_log);
	return err;
}

static void log_has(const char *says)
{
	if (strstr(boot_log, says) == NULL)
		fail_msg("boot log lacks \"%s\":\n%s", says, boot_log);
}

static void left_nothing(const char *says)
{
	assert_null(pmm_zone_first());
	log_has(says);
}

static void add_numa(pmm_phys_t start, pmm_phys_t end, int nid)
{
	struct pmm_numa_range *r = &mm.numa[mm.nr_numa++];
	r->start = start;
	r->end = end;
	r->nid = nid;
	r->pxm = nid;
	r->hotplug = false;
}

static uint64_t free_pages(void)
{
	return pmm_nr_free_pages();
}

/* Must run first: no boot yet, so no early allocator to free into. */
static void test_boot_free_late_before_boot(void **state)
{
	(void)state;
	assert_int_equal(pmm_boot_free_late(0x100000, 0x1000), PMM_ESTATE);
}

/* One page of RAM: the descriptors' slice or a bitmap cannot be placed. */
static void test_boot_tiny_map_no_room(void **state)
{
	static const enum pmm_early early[] = { PMM_EARLY_BOOTMEM, PMM_EARLY_MEMBLOCK };
	(void)state;
	for (size_t i = 0; i < 2; i++) {
		setup(NULL);
		cfg.early = early[i];
		assert_int_equal(pmm_memmap_add(&mm, 16 * MiB, 16 * MiB + 0x1000,
						PMM_MEM_USABLE), 0);
		install(32 * MiB, false);
		assert_int_equal(boot(), PMM_ENOMEM);
		left_nothing("of early memory on node 0: ");
		teardown(NULL);
	}
}

/* Two tiny nodes: node 1 cannot place its slice, and node 0 cannot either. */
static void test_boot_tiny_nodes_fall_back_then_fail(void **state)
{
	(void)state;
	cfg.early = PMM_EARLY_MEMBLOCK;
	assert_int_equal(pmm_memmap_add(&mm, 16 * MiB, 16 * MiB + 0x1000, PMM_MEM_USABLE), 0);
	assert_int_equal(pmm_memmap_add(&mm, 32 * MiB, 32 * MiB + 0x1000, PMM_MEM_USABLE), 0);
	add_numa(0, 24 * MiB, 0);
	add_numa(24 * MiB, 40 * MiB, 1);
	install(64 * MiB, false);
	assert_int_equal(boot(), PMM_ENOMEM);
	left_nothing("bytes of early memory on node ");
}

/* bootmem's bitmap is in RAM the platform cannot map. */
static void test_boot_untouchable_bootmem_bitmap(void **state)
{
	(void)state;
	cfg.early = PMM_EARLY_BOOTMEM;
	assert_int_equal(pmm_memmap_add(&mm, 0, 64 * MiB, PMM_MEM_USABLE), 0);
	install(0, true);
	assert_int_equal(boot(), PMM_ERANGE);
	left_nothing("pmm: bootmem: the platform cannot map the bitmap at 0x");
}

/* memblock needs no mapping, but a zone's pair bitmap does. */
static void test_boot_untouchable_zone_bitmap(void **state)
{
	(void)state;
	cfg.early = PMM_EARLY_MEMBLOCK;
	assert_int_equal(pmm_memmap_add(&mm, 0, 64 * MiB, PMM_MEM_USABLE), 0);
	install(0, true);
	assert_int_equal(boot(), PMM_ERANGE);
	left_nothing("cannot be mapped");
	log_has("pmm: zone bitmap at 0x");
}

static void *unzeroed_memmap(void *ctx, size_t bytes, bool *zeroed)
{
	(void)ctx;
	free(my_memmap);
	my_memmap = malloc(bytes);
	if (my_memmap)
		memset(my_memmap, 0xa5, bytes);
	*zeroed = false;
	return my_memmap;
}

static void *no_memmap(void *ctx, size_t bytes, bool *zeroed)
{
	(void)ctx;
	(void)bytes;
	*zeroed = true;
	return NULL;
}

static void wrap_platform(void *(*memmap_alloc)(void *, size_t, bool *))
{
	wrapped = *pmm_platform_get();
	wrapped.memmap_alloc = memmap_alloc;
	pmm_platform_set(&wrapped);
}

/* Descriptors the platform did not zero are zeroed by the boot. */
static void test_boot_unzeroed_descriptors(void **state)
{
	(void)state;
	assert_int_equal(pmm_memmap_add(&mm, 0, 64 * MiB, PMM_MEM_USABLE), 0);
	install(64 * MiB, false);
	wrap_platform(unzeroed_memmap);
	assert_int_equal(boot(), 0);
	assert_null(pmm_check());
	assert_int_equal(info.max_pfn, 64 * MiB / 4096);
	/* page 0 and 640K..1M are not RAM (the x86 low-memory rule) */
	assert_int_equal(info.present_pages, 64 * MiB / 4096 - 1 - 96);
	assert_true(info.memmap_pages > 0);
	assert_int_equal(free_pages() + info.reserved_pages, info.present_pages);
}

static void test_boot_platform_has_no_descriptors(void **state)
{
	(void)state;
	assert_int_equal(pmm_memmap_add(&mm, 0, 64 * MiB, PMM_MEM_USABLE), 0);
	install(64 * MiB, false);
	wrap_platform(no_memmap);
	assert_int_equal(boot(), PMM_ENOMEM);
	left_nothing("pmm: the platform has no ");
	log_has("bytes for page descriptors");
}

/* No memmap_alloc hook: the descriptors come from early memory, node 0's. */
static void test_boot_descriptors_from_early_two_nodes(void **state)
{
	static const enum pmm_early early[] = { PMM_EARLY_BOOTMEM, PMM_EARLY_MEMBLOCK };
	(void)state;
	for (size_t i = 0; i < 2; i++) {
		setup(NULL);
		cfg.early = early[i];
		cfg.quiet = false;
		cfg.profile = PMM_PROFILE_X86_64;
		assert_int_equal(pmm_memmap_add(&mm, 0, 128 * MiB, PMM_MEM_USABLE), 0);
		add_numa(0, 64 * MiB, 0);
		add_numa(64 * MiB, 128 * MiB, 1);
		install(128 * MiB, false);
		wrap_platform(NULL);
		assert_int_equal(boot(), 0);
		assert_null(pmm_check());
		assert_int_equal(info.nr_nodes, 2);
		log_has("pmm: page descriptors of all nodes on one node: the platform "
			"has no memmap_alloc hook");
		assert_int_equal(info.memmap_pages,
				 (128 * MiB / 4096 * sizeof(struct pmm_page) + 4095) / 4096);
		assert_int_equal(free_pages() + info.reserved_pages, info.present_pages);
		teardown(NULL);
	}
}

/*
 * 64 MiB of RAM and room to 1 GiB. The array handed over is unzeroed below
 * boot memory and read-only zero pages above it: with a virtual memmap
 * the boot zeroes only the first part (a write to the room would fault),
 * without one it backs the room as before.
 */
static size_t room_array_len;
static void *room_array;

static void *room_read_only_memmap(void *ctx, size_t bytes, bool *zeroed)
{
	size_t boot = 64 * MiB / 4096 * sizeof(struct pmm_page);
	(void)ctx;
	room_array = mmap(NULL, bytes, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(room_array != MAP_FAILED);
	room_array_len = bytes;
	memset(room_array, 0xa5, boot);
	assert_int_equal(mprotect((char *)room_array + boot, bytes - boot, PROT_READ), 0);
	*zeroed = false;
	return room_array;
}

static void boot_with_room(bool virtual_memmap)
{
	struct host_platform_options o = { .phys_size = 64 * MiB, .quiet = true,
					   .quiet_reports = true,
					   .virtual_memmap = virtual_memmap };
	cfg.quiet = false;
	cfg.hotplug_max = 1024 * MiB;
	assert_int_equal(pmm_memmap_add(&mm, 0, 64 * MiB, PMM_MEM_USABLE), 0);
	assert_int_equal(host_platform_install(&o), 0);
}

static void test_boot_virtual_memmap_room_unpopulated(void **state)
{
	(void)state;
	boot_with_room(true);
	wrap_platform(room_read_only_memmap);
	assert_int_equal(boot(), 0);
	assert_null(pmm_check());
	assert_int_equal(info.memmap_room_bytes,
			 (1024 - 64) * MiB / 4096 * sizeof(struct pmm_page));
	log_has("hotplug room: unpopulated until added (virtual memmap)");
	assert_int_equal(free_pages() + info.reserved_pages, info.present_pages);
	pmm_hotplug_reset();
	munmap(room_array, room_array_len);
}

static void test_boot_flat_memmap_room_backed(void **state)
{
	(void)state;
	boot_with_room(false);
	assert_int_equal(boot(), 0);
	assert_null(pmm_check());
	assert_int_equal(info.memmap_room_bytes, 0);
	log_has("hotplug room: backed at boot (a flat array cannot be backed later)");
	pmm_hotplug_reset();
}

/* No hook, and the early memory it gets cannot be mapped. */
static void test_boot_descriptors_from_early_unmappable(void **state)
{
	(void)state;
	cfg.early = PMM_EARLY_MEMBLOCK;
	assert_int_equal(pmm_memmap_add(&mm, 0, 64 * MiB, PMM_MEM_USABLE), 0);
	install(0, true);
	wrap_platform(NULL);
	assert_int_equal(boot(), PMM_ERANGE);
	left_nothing("pmm: page descriptors at 0x");
	log_has("cannot be mapped");
}

static void test_boot_node_id_out_of_range(void **state)
{
	(void)state;
	assert_int_equal(pmm_memmap_add(&mm, 0, 64 * MiB, PMM_MEM_USABLE), 0);
	add_numa(0, 64 * MiB, PMM_MAX_NUMNODES);
	install(64 * MiB, false);
	assert_int_equal(boot(), PMM_ERANGE);
	left_nothing("pmm: node 64 out of range; raise PMM_MAX_NUMNODES (now 64)");
}

static void test_boot_nodes_interleave(void **state)
{
	(void)state;
	assert_int_equal(pmm_memmap_add(&mm, 0, 96 * MiB, PMM_MEM_USABLE), 0);
	add_numa(0, 32 * MiB, 0);
	add_numa(32 * MiB, 64 * MiB, 1);
	add_numa(64 * MiB, 96 * MiB, 0);
	install(96 * MiB, false);
	assert_int_equal(boot(), PMM_EOVERLAP);
	left_nothing("pmm: nodes 0 and 1 interleave; pmm needs each node's RAM in one span");
}

/*
 * NUMA ranges that leave RAM uncovered: below the first range it goes to
 * the first range's node, between two ranges to the range below it, above
 * the last to the last.
 */
static void test_boot_ram_outside_numa_ranges(void **state)
{
	(void)state;
	cfg.early = PMM_EARLY_MEMBLOCK;
	cfg.profile = PMM_PROFILE_X86_64;
	assert_int_equal(pmm_memmap_add(&mm, 0, 128 * MiB, PMM_MEM_USABLE), 0);
	add_numa(32 * MiB, 48 * MiB, 1);
	add_numa(64 * MiB, 96 * MiB, 2);
	install(128 * MiB, false);
	assert_int_equal(boot(), 0);
	assert_null(pmm_check());
	assert_int_equal(info.nr_nodes, 2);
	const struct pmm_node *n1 = &pmm_nodes[1], *n2 = &pmm_nodes[2];
	assert_true(n1->online);
	assert_true(n2->online);
	assert_false(pmm_nodes[0].online);
	assert_int_equal(n1->start_pfn, 1); /* page 0 is not RAM */
	assert_int_equal(n1->end_pfn, 64 * MiB / 4096);
	assert_int_equal(n2->start_pfn, 64 * MiB / 4096);
	assert_int_equal(n2->end_pfn, 128 * MiB / 4096);
}

/* keep_low_memory: page 0 and 640K..1M stay RAM. */
static void test_boot_keep_low_memory(void **state)
{
	(void)state;
	assert_int_equal(pmm_memmap_add(&mm, 0, 64 * MiB, PMM_MEM_USABLE), 0);
	cfg.keep_low_memory = true;
	install(64 * MiB, false);
	assert_int_equal(boot(), 0);
	assert_int_equal(info.present_pages, 64 * MiB / 4096);
	assert_null(pmm_check());
}

/*
 * The kernel's data ends at the top of RAM: bootmem's bitmap, placed from
 * there up, is placed from the bottom instead. A reservation reaching 2^64
 * (outside RAM) is ignored. Nothing quiet: the bitmap's line is logged.
 */
static void test_boot_bitmap_goal_above_ram(void **state)
{
	static const struct pmm_phys_range top[] = { { UINT64_MAX - 10, UINT64_MAX } };
	(void)state;
	assert_int_equal(pmm_memmap_add(&mm, 0, 64 * MiB, PMM_MEM_USABLE), 0);
	cfg.quiet = false;
	cfg.kernel_data = (struct pmm_phys_range){ 60 * MiB, 64 * MiB };
	cfg.reserved = top;
	cfg.nr_reserved = 1;
	install(64 * MiB, false);
	assert_int_equal(boot(), 0);
	assert_null(pmm_check());
	/* 0x4000 pfns, a bit each; above the goal was no room: from the bottom */
	log_has("bootmem: node 0: bitmap of 2048 bytes at [mem 0x0000000000001000-"
		"0x00000000000017ff] for pfns 0x1-0x4000");
	/* the kernel data stays reserved: 4 MiB of pages never freed */
	assert_true(info.reserved_pages >= 4 * MiB / 4096);
	assert_int_equal(free_pages() + info.reserved_pages, info.present_pages);
}

/* skip_free_initmem: the init section stays reserved. */
static void test_boot_skip_free_initmem(void **state)
{
	(void)state;
	assert_int_equal(pmm_memmap_add(&mm, 0, 64 * MiB, PMM_MEM_USABLE), 0);
	cfg.init = (struct pmm_phys_range){ 8 * MiB, 9 * MiB };
	cfg.skip_free_initmem = true;
	install(64 * MiB, false);
	assert_int_equal(boot(), 0);
	assert_int_equal(info.init_pages_freed, 0);
	uint64_t kept_free = free_pages();
	teardown(NULL);
	setup(NULL);
	assert_int_equal(pmm_memmap_add(&mm, 0, 64 * MiB, PMM_MEM_USABLE), 0);
	cfg.init = (struct pmm_phys_range){ 8 * MiB, 9 * MiB };
	install(64 * MiB, false);
	assert_int_equal(boot(), 0);
	assert_int_equal(info.init_pages_freed, 256);
	assert_int_equal(free_pages(), kept_free + 256);
}

/* memblock_debug with quiet: nothing logged. */
static void test_boot_memblock_debug_quiet(void **state)
{
	(void)state;
	cfg.early = PMM_EARLY_MEMBLOCK;
	cfg.memblock_debug = true;
	assert_int_equal(pmm_memmap_add(&mm, 0, 64 * MiB, PMM_MEM_USABLE), 0);
	install(64 * MiB, false);
	assert_int_equal(boot(), 0);
	assert_string_equal(boot_log, "");
	teardown(NULL);
	setup(NULL);
	cfg.early = PMM_EARLY_MEMBLOCK;
	cfg.memblock_debug = true;
	cfg.quiet = false;
	assert_int_equal(pmm_memmap_add(&mm, 0, 64 * MiB, PMM_MEM_USABLE), 0);
	install(64 * MiB, false);
	assert_int_equal(boot(), 0);
	log_has("memblock");
	log_has("memblock: retired: ");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_boot_free_late_before_boot, setup, teardown),
		cmocka_unit_test_setup_teardown(test_boot_tiny_map_no_room, setup, teardown),
		cmocka_unit_test_setup_teardown(test_boot_tiny_nodes_fall_back_then_fail, setup, teardown),
		cmocka_unit_test_setup_teardown(test_boot_untouchable_bootmem_bitmap, setup, teardown),
		cmocka_unit_test_setup_teardown(test_boot_untouchable_zone_bitmap, setup, teardown),
		cmocka_unit_test_setup_teardown(test_boot_unzeroed_descriptors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_boot_platform_has_no_descriptors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_boot_descriptors_from_early_two_nodes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_boot_descriptors_from_early_unmappable, setup, teardown),
		cmocka_unit_test_setup_teardown(test_boot_virtual_memmap_room_unpopulated, setup, teardown),
		cmocka_unit_test_setup_teardown(test_boot_flat_memmap_room_backed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_boot_node_id_out_of_range, setup, teardown),
		cmocka_unit_test_setup_teardown(test_boot_nodes_interleave, setup, teardown),
		cmocka_unit_test_setup_teardown(test_boot_ram_outside_numa_ranges, setup, teardown),
		cmocka_unit_test_setup_teardown(test_boot_keep_low_memory, setup, teardown),
		cmocka_unit_test_setup_teardown(test_boot_bitmap_goal_above_ram, setup, teardown),
		cmocka_unit_test_setup_teardown(test_boot_skip_free_initmem, setup, teardown),
		cmocka_unit_test_setup_teardown(test_boot_memblock_debug_quiet, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
