/* SPDX-License-Identifier: MIT */
/*
 * test_boot.c - the whole boot sequence, seed behaviour by seed behaviour,
 * on the simulator's default machine and on the real boot-log maps.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <pmm/pmm.h>

#include "host_platform.h"
#include "machine.h"

#define MiB ((uint64_t)1 << 20)
#define GiB ((uint64_t)1 << 30)

static struct pmm_memmap map;
static struct pmm_boot_info info;

static void default_config(struct pmm_boot_config *cfg, enum pmm_early early)
{
	pmm_boot_config_init(cfg);
	cfg->early = early;
	cfg->kernel_code = (struct pmm_phys_range){ 1 * MiB, 5 * MiB };
	cfg->kernel_data = (struct pmm_phys_range){ 5 * MiB, 7 * MiB };
	cfg->init = (struct pmm_phys_range){ 7 * MiB, 8 * MiB };
}

/*
 * Simulated physical memory is one host mapping of [0, end of RAM). A 32-bit
 * host has no room for more than about a GiB of it, so there the mapping
 * stops at PHYS_BACKED_32 and map() answers NULL above. That is enough for
 * the i386 profile, which only touches low memory (below 896 MiB), as the
 * i386 kernel does; the x86_64 profile puts bitmaps and descriptors in any
 * node, so its boots need all of RAM backed (host_backs_all_ram()).
 */
#define PHYS_BACKED_32 (1 * GiB)

static bool host_backs_all_ram(void)
{
	return sizeof(void *) > 4 || pmm_memmap_end_of_ram(&map) <= PHYS_BACKED_32;
}

/* Skip the running case on a host that cannot back all of the map's RAM. */
static void skip_unless_host_backs_all_ram(const char *what)
{
	if (host_backs_all_ram())
		return;
	print_message("skipped: %s: the x86_64 profile needs all of RAM backed; "
		      "a 32-bit host backs %llu MiB\n",
		      what, (unsigned long long)(PHYS_BACKED_32 >> 20));
	skip();
}

static int boot_map(const struct pmm_boot_config *cfg)
{
	struct host_platform_options o = {
		.phys_size = pmm_memmap_end_of_ram(&map), .quiet = true, .quiet_reports = true,
	};
	if (sizeof(void *) == 4 && o.phys_size > PHYS_BACKED_32)
		o.phys_size = PHYS_BACKED_32;
	assert_int_equal(host_platform_install(&o), 0);
	return pmm_boot(&map, cfg, &info);
}

static char *boot_default_logged(enum pmm_early early)
{
	struct pmm_boot_config cfg;
	default_config(&cfg, early);
	assert_int_equal(sim_machine_pc(&map, 4 * GiB, 1), 0);
	host_log_capture_start();
	assert_int_equal(boot_map(&cfg), 0);
	return host_log_capture_stop();
}

static const struct pmm_zone *zone_of(int nid, enum pmm_zone_type t)
{
	const struct pmm_zone *z = &pmm_nodes[nid].zones[t];
	return z->initialized ? z : NULL;
}

static void boot_default_machine_has_three_zones(void **state)
{
	(void)state;
	char *log = boot_default_logged(PMM_EARLY_BOOTMEM);
	assert_non_null(zone_of(0, PMM_ZONE_DMA));
	assert_non_null(zone_of(0, PMM_ZONE_NORMAL));
	assert_non_null(zone_of(0, PMM_ZONE_HIGHMEM));
	assert_null(zone_of(0, PMM_ZONE_DMA32));
	assert_null(pmm_check());
	assert_non_null(strstr(log, "Memory: "));
	assert_non_null(strstr(log, "K highmem)"));
	assert_non_null(strstr(log, "1024MB of RAM at or above 4096MB dropped"));
	free(log);
}

static void boot_bitmap_pages_freed_at_retirement(void **state)
{
	(void)state;
	free(boot_default_logged(PMM_EARLY_BOOTMEM));
	/* 896 MiB of low memory: 229376 bits = 28 KiB of bitmap = 7 pages. */
	assert_int_equal(info.bitmap_pages_freed, 7);
	assert_null(pmm_check());
}

static void boot_highmem_pages_released(void **state)
{
	(void)state;
	free(boot_default_logged(PMM_EARLY_BOOTMEM));
	const struct pmm_zone *high = zone_of(0, PMM_ZONE_HIGHMEM);
	assert_non_null(high);
	assert_true(info.highmem_pages_freed > 0);
	assert_int_equal(info.highmem_pages_freed, high->managed);
	assert_int_equal(high->managed, high->present);
}

static void boot_init_pages_freed_and_counted(void **state)
{
	(void)state;
	char *log = boot_default_logged(PMM_EARLY_BOOTMEM);
	assert_int_equal(info.init_pages_freed, MiB / PMM_PAGE_SIZE);
	assert_non_null(strstr(log, "Freeing unused kernel memory: 1024K freed\n"));
	assert_true(pmm_pfn_is_reserved(PMM_PFN_DOWN(1 * MiB)));
	assert_false(pmm_pfn_is_reserved(PMM_PFN_DOWN(7 * MiB)));
	free(log);
}

static void boot_memory_line_adds_up(void **state)
{
	(void)state;
	free(boot_default_logged(PMM_EARLY_BOOTMEM));
	uint64_t managed = 0;
	for (struct pmm_zone *z = pmm_zone_first(); z; z = pmm_zone_next(z))
		managed += z->managed;
	/* free_initmem ran after the line: init pages were reserved then. */
	assert_int_equal(info.present_pages - info.reserved_pages + info.init_pages_freed,
			 managed);
	assert_int_equal(pmm_nr_free_pages(), managed);
}

static void boot_page_zero_and_kernel_stay_reserved(void **state)
{
	(void)state;
	free(boot_default_logged(PMM_EARLY_MEMBLOCK));
	assert_true(pmm_pfn_is_reserved(0));
	for (pmm_pfn_t pfn = PMM_PFN_DOWN(1 * MiB); pfn < PMM_PFN_DOWN(7 * MiB); pfn++)
		assert_true(pmm_pfn_is_reserved(pfn));
}

static void collect_free(uint64_t out[PMM_MAX_NUMNODES][PMM_NR_ZONES])
{
	memset(out, 0, sizeof(uint64_t) * PMM_MAX_NUMNODES * PMM_NR_ZONES);
	for (struct pmm_zone *z = pmm_zone_first(); z; z = pmm_zone_next(z))
		out[z->node][z->type] = z->free_pages;
}

/* pmm_check() walks every page: the big real maps get it in their own test. */
static const char *check_if_small(void)
{
	return info.max_pfn <= PMM_PFN_DOWN(16 * GiB) ? pmm_check() : NULL;
}

/* The profile the host can back: x86_64 where all of RAM is, else i386. */
static enum pmm_profile backed_profile(void)
{
	return host_backs_all_ram() ? PMM_PROFILE_X86_64 : PMM_PROFILE_I386;
}

/* Boot the map under @profile with bootmem, then memblock: same free pages per zone. */
static void assert_same_free_both_early(const char *what, enum pmm_profile profile)
{
	static uint64_t a[PMM_MAX_NUMNODES][PMM_NR_ZONES], b[PMM_MAX_NUMNODES][PMM_NR_ZONES];
	static struct pmm_memmap saved;
	struct pmm_boot_config cfg;
	saved = map;
	default_config(&cfg, PMM_EARLY_BOOTMEM);
	cfg.profile = profile;
	assert_int_equal(boot_map(&cfg), 0);
	assert_null(check_if_small());
	collect_free(a);
	map = saved;
	cfg.early = PMM_EARLY_MEMBLOCK;
	assert_int_equal(boot_map(&cfg), 0);
	assert_null(check_if_small());
	collect_free(b);
	for (int n = 0; n < PMM_MAX_NUMNODES; n++)
		for (int t = 0; t < PMM_NR_ZONES; t++)
			if (a[n][t] != b[n][t])
				fail_msg("%s: node %d zone %s: bootmem %llu free, memblock %llu",
					 what, n, pmm_zone_name(t), (unsigned long long)a[n][t],
					 (unsigned long long)b[n][t]);
}

static int load_log(const char *name)
{
	char path[256];
	snprintf(path, sizeof(path), "tests/data/%s", name);
	FILE *f = fopen(path, "rb");
	if (!f)
		return -1;
	static char text[1 << 16];
	size_t n = fread(text, 1, sizeof(text), f);
	fclose(f);
	struct pmm_parse_error err;
	pmm_memmap_init(&map);
	return pmm_memmap_parse_dmesg(&map, text, n, &err);
}

static const char *const real_logs[] = {
	"02-dell-pe2850-centos6-2.6.32-oldfmt.txt",
	"04-supermicro-h8qg6-8node-type9-5.0.txt",
	"16-framework-12thgen-type20-6.3.txt",
	"36-aquarius-s5000psl-i686-pae-highmem-9g-4.9.txt",
};

static void both_early_agree_on_log(size_t i)
{
	assert_int_equal(load_log(real_logs[i]), 0);
	assert_same_free_both_early(real_logs[i], backed_profile());
}

static void both_early_agree_on_pc(uint64_t mem, unsigned int nodes)
{
	char what[64];
	snprintf(what, sizeof(what), "pc %llu MiB, %u nodes", (unsigned long long)(mem >> 20),
		 nodes);
	assert_int_equal(sim_machine_pc(&map, mem, nodes), 0);
	assert_same_free_both_early(what, backed_profile());
}

static void boot_both_early_allocators_agree_on_dell_pe2850(void **state)
{
	(void)state;
	both_early_agree_on_log(0);
}

static void boot_both_early_allocators_agree_on_supermicro_8node(void **state)
{
	(void)state;
	both_early_agree_on_log(1);
}

static void boot_both_early_allocators_agree_on_framework_12thgen(void **state)
{
	(void)state;
	both_early_agree_on_log(2);
}

static void boot_both_early_allocators_agree_on_aquarius_pae(void **state)
{
	(void)state;
	both_early_agree_on_log(3);
}

static void boot_both_early_allocators_agree_on_pc_32m(void **state)
{
	(void)state;
	both_early_agree_on_pc(32 * MiB, 1);
}

static void boot_both_early_allocators_agree_on_pc_4g(void **state)
{
	(void)state;
	both_early_agree_on_pc(4 * GiB, 1);
}

static void boot_both_early_allocators_agree_on_pc_16g_4nodes(void **state)
{
	(void)state;
	both_early_agree_on_pc(16 * GiB, 4);
}

static void boot_both_early_allocators_agree_on_pc_3g_2nodes(void **state)
{
	(void)state;
	both_early_agree_on_pc(3 * GiB, 2);
}

/*
 * Under the i386 profile node 1 of this PC is all highmem, so its slice of
 * the descriptors falls back to node 0: both allocators must place it at
 * node 0's goal above ZONE_DMA (bootmem once fell back from the bottom of
 * node 0, leaving 1297 free DMA pages against memblock's 2462).
 */
static void boot_both_early_allocators_agree_on_pc_3g_2nodes_i386(void **state)
{
	(void)state;
	assert_int_equal(sim_machine_pc(&map, 3 * GiB, 2), 0);
	assert_same_free_both_early("pc 3072 MiB, 2 nodes, i386", PMM_PROFILE_I386);
}

static void boot_eight_node_map_brings_eight_nodes_online(void **state)
{
	struct pmm_boot_config cfg;
	(void)state;
	assert_int_equal(load_log(real_logs[1]), 0);
	skip_unless_host_backs_all_ram(real_logs[1]);
	default_config(&cfg, PMM_EARLY_BOOTMEM);
	cfg.profile = PMM_PROFILE_X86_64;
	assert_int_equal(boot_map(&cfg), 0);
	assert_int_equal(info.nr_nodes, 8);
	for (int nid = 0; nid < 8; nid++)
		assert_true(pmm_nodes[nid].online);
	assert_non_null(zone_of(0, PMM_ZONE_DMA32));
	assert_non_null(zone_of(7, PMM_ZONE_NORMAL));
	assert_null(pmm_check());
}

static void free_late_reaches_the_buddy(enum pmm_early early)
{
	struct pmm_boot_config cfg;
	default_config(&cfg, early);
	const struct pmm_phys_range resv = { 64 * MiB, 68 * MiB };
	cfg.reserved = &resv;
	cfg.nr_reserved = 1;
	assert_int_equal(sim_machine_pc(&map, 1 * GiB, 1), 0);
	assert_int_equal(boot_map(&cfg), 0);
	uint64_t before = pmm_nr_free_pages();
	assert_true(pmm_pfn_is_reserved(PMM_PFN_DOWN(64 * MiB)));
	assert_int_equal(pmm_boot_free_late(64 * MiB, 4 * MiB), 0);
	assert_int_equal(pmm_nr_free_pages(), before + 4 * MiB / PMM_PAGE_SIZE);
	assert_null(pmm_check());
	assert_int_not_equal(pmm_boot_free_late(64 * MiB, 4 * MiB), 0);
	assert_int_equal(pmm_nr_free_pages(), before + 4 * MiB / PMM_PAGE_SIZE);
	assert_null(pmm_check());
}

static void boot_free_late_reaches_the_buddy_bootmem(void **state)
{
	(void)state;
	free_late_reaches_the_buddy(PMM_EARLY_BOOTMEM);
}

static void boot_free_late_reaches_the_buddy_memblock(void **state)
{
	(void)state;
	free_late_reaches_the_buddy(PMM_EARLY_MEMBLOCK);
}

static void boot_rejects_a_map_without_ram(void **state)
{
	struct pmm_boot_config cfg;
	(void)state;
	pmm_memmap_init(&map);
	assert_int_equal(pmm_memmap_add(&map, 0, 1 * GiB, PMM_MEM_RESERVED), 0);
	default_config(&cfg, PMM_EARLY_BOOTMEM);
	assert_int_not_equal(boot_map(&cfg), 0);
}

static void boot_i386_drops_ram_above_4g(void **state)
{
	struct pmm_boot_config cfg;
	(void)state;
	assert_int_equal(load_log(real_logs[3]), 0);
	default_config(&cfg, PMM_EARLY_MEMBLOCK);
	assert_int_equal(boot_map(&cfg), 0);
	assert_int_equal(info.dropped_bytes, 0x160000000ULL);
	assert_non_null(zone_of(0, PMM_ZONE_HIGHMEM));
	assert_null(pmm_check());
}

static int teardown(void **state)
{
	(void)state;
	host_platform_remove();
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(boot_default_machine_has_three_zones, teardown),
		cmocka_unit_test_teardown(boot_bitmap_pages_freed_at_retirement, teardown),
		cmocka_unit_test_teardown(boot_highmem_pages_released, teardown),
		cmocka_unit_test_teardown(boot_init_pages_freed_and_counted, teardown),
		cmocka_unit_test_teardown(boot_memory_line_adds_up, teardown),
		cmocka_unit_test_teardown(boot_page_zero_and_kernel_stay_reserved, teardown),
		cmocka_unit_test_teardown(boot_both_early_allocators_agree_on_dell_pe2850, teardown),
		cmocka_unit_test_teardown(boot_both_early_allocators_agree_on_supermicro_8node,
					  teardown),
		cmocka_unit_test_teardown(boot_both_early_allocators_agree_on_framework_12thgen,
					  teardown),
		cmocka_unit_test_teardown(boot_both_early_allocators_agree_on_aquarius_pae, teardown),
		cmocka_unit_test_teardown(boot_both_early_allocators_agree_on_pc_32m, teardown),
		cmocka_unit_test_teardown(boot_both_early_allocators_agree_on_pc_4g, teardown),
		cmocka_unit_test_teardown(boot_both_early_allocators_agree_on_pc_16g_4nodes, teardown),
		cmocka_unit_test_teardown(boot_both_early_allocators_agree_on_pc_3g_2nodes, teardown),
		cmocka_unit_test_teardown(boot_both_early_allocators_agree_on_pc_3g_2nodes_i386, teardown),
		cmocka_unit_test_teardown(boot_eight_node_map_brings_eight_nodes_online, teardown),
		cmocka_unit_test_teardown(boot_free_late_reaches_the_buddy_bootmem, teardown),
		cmocka_unit_test_teardown(boot_free_late_reaches_the_buddy_memblock, teardown),
		cmocka_unit_test_teardown(boot_rejects_a_map_without_ram, teardown),
		cmocka_unit_test_teardown(boot_i386_drops_ram_above_4g, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
