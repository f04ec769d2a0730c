/* SPDX-License-Identifier: MIT */
/*
 * test_boot_config.c - struct pmm_boot_config's reservations: the caller's
 * array of any length, in any order, overlapping and touching, merged by
 * pmm_boot() itself; and the configs it refuses (docs/errors.md, B01..B05),
 * each after a good boot whose state must survive byte for byte.
 *
 * The machine is sim_machine_pc() with 256 MiB, one node, i386 profile:
 *
 *   0        640K  1M                                        256M
 *   |usable..|rsv..|usable.......................................|
 *             kernel [1M, 8M): code 1-5M, data 5-7M, init 7-8M
 *
 * Each case runs under bootmem and memblock.
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
#include "reliability_snap.h"

#define KiB ((uint64_t)1 << 10)
#define MiB ((uint64_t)1 << 20)
#define PFN(a) PMM_PFN_DOWN(a)

static struct pmm_memmap map, map_before;
static struct pmm_boot_info info;
static char *log_text;

static void config(struct pmm_boot_config *cfg, enum pmm_early early)
{
	pmm_boot_config_init(cfg);
	cfg->early = early;
	cfg->quiet = true;
	cfg->kernel_code = (struct pmm_phys_range){ 1 * MiB, 5 * MiB };
	cfg->kernel_data = (struct pmm_phys_range){ 5 * MiB, 7 * MiB };
	cfg->init = (struct pmm_phys_range){ 7 * MiB, 8 * MiB };
}

/* Describe the machine, install the platform, boot @cfg; log captured. */
static int boot(const struct pmm_boot_config *cfg)
{
	struct host_platform_options o = { .phys_size = 256 * MiB, .quiet = true,
					   .quiet_reports = true };
	assert_int_equal(sim_machine_pc(&map, 256 * MiB, 1), 0);
	assert_int_equal(host_platform_install(&o), 0);
	host_log_capture_start();
	int err = pmm_boot(&map, cfg, &info);
	free(log_text);
	log_text = host_log_capture_stop();
	return err;
}

static int teardown(void **state)
{
	(void)state;
	free(log_text);
	log_text = NULL;
	pmm_zones_reset();
	host_platform_remove();
	return 0;
}

/* Return: how many pfns of [@s, @e) read reserved in the buddy allocator. */
static uint64_t reserved_in(pmm_pfn_t s, pmm_pfn_t e)
{
	uint64_t n = 0;
	for (pmm_pfn_t p = s; p < e; p++)
		n += pmm_pfn_is_reserved(p);
	return n;
}

/*
 * Unsorted, overlapping, touching and partial-page ranges merge into
 * [16M, 20M) and, rounded out to pages, [32M + 4K, 36M); an empty range
 * and one in the firmware hole below 1 MiB reserve nothing usable. (The
 * page descriptors go to 20M, the first free page at or above 16M.)
 *
 *   16M      17M      18M       20M          32M+4K .. 36M
 *   [--a----][--b----)                       [--d (partial pages)--)
 *        [--c----------------)
 */
static void boot_reserved_unsorted_overlapping_merged(void **state)
{
	const struct pmm_phys_range r[] = {
		{ 18 * MiB, 20 * MiB },                 /* c, second half */
		{ 32 * MiB + 4 * KiB + 100, 36 * MiB - 100 }, /* d */
		{ 16 * MiB, 17 * MiB },                 /* a */
		{ 17 * MiB, 18 * MiB },                 /* b touches a */
		{ 16 * MiB + 512 * KiB, 19 * MiB },     /* c overlaps a, b */
		{ 40 * MiB, 40 * MiB },                 /* empty: ignored */
		{ 0xa0000, 0xf0000 },                   /* firmware hole */
	};
	(void)state;
	for (int early = 0; early < 2; early++) {
		struct pmm_boot_config cfg;
		config(&cfg, (enum pmm_early)early);
		cfg.reserved = r;
		cfg.nr_reserved = sizeof(r) / sizeof(r[0]);
		assert_int_equal(boot(&cfg), 0);
		assert_int_equal(reserved_in(PFN(16 * MiB), PFN(20 * MiB)), 1024);
		assert_false(pmm_pfn_is_reserved(PFN(16 * MiB) - 1));
		assert_false(pmm_pfn_is_reserved(PFN(32 * MiB)));
		assert_int_equal(reserved_in(PFN(32 * MiB), PFN(36 * MiB)), 1023);
		assert_false(pmm_pfn_is_reserved(PFN(36 * MiB)));
		assert_false(pmm_pfn_is_reserved(PFN(40 * MiB)));
		assert_null(pmm_check());
	}
}

/*
 * 4096 ranges, one 4 KiB page each, covering [64M, 80M) end to end in
 * reverse order: far more than PMM_BOOT_MAX_RESERVED entries, one range
 * after merging. Both early allocators leave the same free pages.
 */
static void boot_reserved_any_length(void **state)
{
	enum { N = 4096 };
	static struct pmm_phys_range r[N];
	uint64_t free_pages[2];
	(void)state;
	for (unsigned int i = 0; i < N; i++) {
		pmm_phys_t a = 80 * MiB - (pmm_phys_t)(i + 1) * 4 * KiB;
		r[i] = (struct pmm_phys_range){ a, a + 4 * KiB };
	}
	for (int early = 0; early < 2; early++) {
		struct pmm_boot_config cfg;
		config(&cfg, (enum pmm_early)early);
		cfg.reserved = r;
		cfg.nr_reserved = N;
		assert_int_equal(boot(&cfg), 0);
		assert_int_equal(reserved_in(PFN(64 * MiB), PFN(80 * MiB)), N);
		assert_false(pmm_pfn_is_reserved(PFN(80 * MiB)));
		free_pages[early] = pmm_nr_free_pages();
		assert_null(pmm_check());
	}
	assert_int_equal(free_pages[0], free_pages[1]);
}

/* ------------------------------------------------------------------ */
/* Refused configs: a good boot first, then the bad call; the map, the */
/* info, the buddy allocator and the early allocator stay as they were. */
/* ------------------------------------------------------------------ */

static struct rel_snap snap;
static struct pmm_boot_info info_before;

static void good_boot_then_snapshot(enum pmm_early early)
{
	struct pmm_boot_config cfg;
	config(&cfg, early);
	assert_int_equal(boot(&cfg), 0);
	rel_snap_take(&snap);
	map_before = map;
	info_before = info;
}

/* pmm_boot() on the booted map with @cfg: @want, @says logged, no change. */
static void refused(const struct pmm_boot_config *cfg, int want, const char *says)
{
	uint64_t free_before = pmm_nr_free_pages();
	host_log_capture_start();
	assert_int_equal(pmm_boot(&map, cfg, &info), want);
	free(log_text);
	log_text = host_log_capture_stop();
	if (strstr(log_text, says) == NULL)
		fail_msg("log lacks \"%s\":\n%s", says, log_text);
	assert_memory_equal(&map, &map_before, sizeof(map));
	assert_memory_equal(&info, &info_before, sizeof(info));
	assert_null(rel_snap_same(&snap));
	assert_null(pmm_check());
	assert_int_equal(pmm_nr_free_pages(), free_before);
	/* The early allocator of the good boot still serves late frees. */
	assert_int_equal(pmm_boot_free_late(5 * MiB, 4 * KiB), 0);
	rel_snap_release(&snap);
}

/* B01: reserved[1] = [20M, 16M) is reversed. */
static void B01_boot_reserved_reversed(void **state)
{
	const struct pmm_phys_range r[] = {
		{ 32 * MiB, 33 * MiB }, { 20 * MiB, 16 * MiB },
	};
	(void)state;
	for (int early = 0; early < 2; early++) {
		struct pmm_boot_config cfg;
		good_boot_then_snapshot((enum pmm_early)early);
		config(&cfg, (enum pmm_early)early);
		cfg.reserved = r;
		cfg.nr_reserved = 2;
		refused(&cfg, PMM_EINVAL, "pmm: cfg->reserved[1] [0x1400000, 0x1000000) "
			"is reversed: its end lies below its start\n");
	}
}

/* B02: a count without an array. */
static void B02_boot_reserved_null_with_count(void **state)
{
	struct pmm_boot_config cfg;
	(void)state;
	good_boot_then_snapshot(PMM_EARLY_BOOTMEM);
	config(&cfg, PMM_EARLY_BOOTMEM);
	cfg.nr_reserved = 3;
	refused(&cfg, PMM_EINVAL,
		"pmm: cfg->reserved is NULL but cfg->nr_reserved is 3\n");
}

/* B03: kernel_code [5M, 1M) is reversed. */
static void B03_boot_kernel_range_reversed(void **state)
{
	struct pmm_boot_config cfg;
	(void)state;
	good_boot_then_snapshot(PMM_EARLY_MEMBLOCK);
	config(&cfg, PMM_EARLY_MEMBLOCK);
	cfg.kernel_code = (struct pmm_phys_range){ 5 * MiB, 1 * MiB };
	refused(&cfg, PMM_EINVAL, "pmm: cfg->kernel_code [0x500000, 0x100000) "
		"is reversed: its end lies below its start\n");
}

/*
 * B04: PMM_BOOT_MAX_RESERVED + 1 single pages two pages apart: none merge.
 *   64M  +8K  +16K ...
 *   [#].[#].[#]. ...
 */
static void B04_boot_reserved_too_many_apart(void **state)
{
	enum { N = PMM_BOOT_MAX_RESERVED + 1 };
	static struct pmm_phys_range r[N];
	struct pmm_boot_config cfg;
	(void)state;
	for (unsigned int i = 0; i < N; i++) {
		pmm_phys_t a = 64 * MiB + (pmm_phys_t)i * 8 * KiB;
		r[i] = (struct pmm_phys_range){ a, a + 4 * KiB };
	}
	good_boot_then_snapshot(PMM_EARLY_BOOTMEM);
	config(&cfg, PMM_EARLY_BOOTMEM);
	cfg.reserved = r;
	cfg.nr_reserved = N;
	refused(&cfg, PMM_EFULL, "pmm: more than 128 reserved ranges remain apart "
		"after merging; raise PMM_BOOT_MAX_RESERVED\n");
	/* Page 0 and the kernel image take 2 of the 128: reserved[126] fails. */
	assert_non_null(strstr(log_text, "pmm: cfg->reserved[126] [0x40fc000, "
			       "0x40fd000) of 129 does not fit\n"));
}

/* B05: an empty range is no error: it reserves nothing. */
static void B05_boot_reserved_empty_is_ignored(void **state)
{
	const struct pmm_phys_range r = { 48 * MiB, 48 * MiB };
	struct pmm_boot_config cfg;
	(void)state;
	config(&cfg, PMM_EARLY_BOOTMEM);
	cfg.reserved = &r;
	cfg.nr_reserved = 1;
	assert_int_equal(boot(&cfg), 0);
	assert_false(pmm_pfn_is_reserved(PFN(48 * MiB)));
	assert_null(pmm_check());
}

/*
 * A descriptor array larger than the CPU can address (12 bytes a page: more
 * than about 1.3 TiB of RAM on a 32-bit CPU) is refused before anything is
 * mapped, not wrapped to a short array. Only a 32-bit build can see it.
 */
static void boot_descriptor_array_past_size_max_is_enomem(void **state)
{
	(void)state;
	if (sizeof(size_t) > 4) {
		skip();
		return;
	}
	struct pmm_boot_config cfg;
	struct host_platform_options o = { .phys_size = 256 * MiB, .quiet = true,
					   .quiet_reports = true };
	config(&cfg, PMM_EARLY_MEMBLOCK);
	cfg.profile = PMM_PROFILE_X86_64;
	assert_int_equal(sim_machine_pc(&map, (uint64_t)2 << 40, 1), 0);
	assert_int_equal(host_platform_install(&o), 0);
	host_log_capture_start();
	assert_int_equal(pmm_boot(&map, &cfg, &info), PMM_ENOMEM);
	log_text = host_log_capture_stop();
	assert_non_null(strstr(log_text, "pmm: page descriptors for 537133056 pages need 6445596672 bytes, more than this CPU can address: boot with less memory\n"));
}

/*
 * The i386 boundary from the config: lowmem_end wins; else MAXMEM for
 * vmalloc_reserve. On this 256 MiB PC a 900 MiB vmalloc reserve leaves
 * 0x3ebfe000 - 900M = 0x67fe000 of lowmem, the rest HighMem:
 *
 *   0    16M         0x67fe000        256M
 *   |DMA |Normal      |HighMem          |
 */
static void boot_lowmem_from_config(void **state)
{
	struct pmm_boot_config cfg;
	(void)state;
	assert_int_equal(pmm_profile_highmem_start(PMM_PROFILE_I386), 0x36bfe000);
	assert_int_equal(pmm_profile_highmem_start(PMM_PROFILE_X86_64), 0);
	assert_int_equal(pmm_i386_maxmem(264 * MiB), 0x2e3fe000); /* vmalloc=256M */
	assert_int_equal(pmm_i386_maxmem(2048 * MiB), 0);
	config(&cfg, PMM_EARLY_MEMBLOCK);
	cfg.quiet = false;
	cfg.vmalloc_reserve = 900 * MiB;
	assert_int_equal(boot(&cfg), 0);
	assert_int_equal(info.max_low_pfn, 0x67fe);
	assert_int_equal(pmm_nodes[0].zones[PMM_ZONE_HIGHMEM].spanned, info.max_pfn - 0x67fe);
	assert_non_null(strstr(log_text, "151MB HIGHMEM available.\n103MB LOWMEM available.\n"));
	cfg.lowmem_end = 128 * MiB;
	assert_int_equal(boot(&cfg), 0);
	assert_int_equal(info.max_low_pfn, PFN(128 * MiB));
	assert_non_null(strstr(log_text, "pmm: lowmem ends at 0x8000000, as given"));
	assert_null(pmm_check());
	/* the x86_64 profile has no HighMem and ignores both fields */
	cfg.profile = PMM_PROFILE_X86_64;
	cfg.lowmem_end = 3;
	assert_int_equal(boot(&cfg), 0);
	assert_int_equal(info.max_low_pfn, info.max_pfn);
}

/* L08: a vmalloc reserve below the 8 MiB guard. */
static void L08_boot_vmalloc_reserve_below_guard(void **state)
{
	struct pmm_boot_config cfg;
	(void)state;
	good_boot_then_snapshot(PMM_EARLY_BOOTMEM);
	config(&cfg, PMM_EARLY_BOOTMEM);
	cfg.vmalloc_reserve = 4 * MiB;
	refused(&cfg, PMM_EINVAL, "pmm: cfg->vmalloc_reserve 4194304 bytes is below the "
		"8 MiB guard Linux always keeps (vmalloc=SIZE reserves SIZE + 8M)\n");
}

/* L09: a vmalloc reserve that leaves less than 64 MiB of lowmem. */
static void L09_boot_vmalloc_reserve_too_large(void **state)
{
	struct pmm_boot_config cfg;
	(void)state;
	for (int early = 0; early < 2; early++) {
		good_boot_then_snapshot((enum pmm_early)early);
		config(&cfg, (enum pmm_early)early);
		cfg.vmalloc_reserve = 968 * MiB;
		refused(&cfg, PMM_EINVAL, "pmm: cfg->vmalloc_reserve 968MB leaves 35MB of "
			"lowmem, less than 64MB: lower vmalloc=\n");
		good_boot_then_snapshot((enum pmm_early)early);
		cfg.vmalloc_reserve = 2048 * MiB;
		refused(&cfg, PMM_EINVAL, "leaves 0MB of lowmem");
	}
}

/* L10: a lowmem end that is no page from 64 MiB to 4 GiB. */
static void L10_boot_lowmem_end_bad(void **state)
{
	static const uint64_t bad[] = { 0x10000800, 32 * MiB, 5ull << 30 };
	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct pmm_boot_config cfg;
		char says[96];
		good_boot_then_snapshot(PMM_EARLY_BOOTMEM);
		config(&cfg, PMM_EARLY_BOOTMEM);
		cfg.lowmem_end = bad[i];
		snprintf(says, sizeof(says), "pmm: cfg->lowmem_end 0x%llx is not a page "
			 "boundary from 64MB to 4GB\n", (unsigned long long)bad[i]);
		refused(&cfg, PMM_EINVAL, says);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(boot_descriptor_array_past_size_max_is_enomem, teardown),
		cmocka_unit_test_teardown(boot_reserved_unsorted_overlapping_merged, teardown),
		cmocka_unit_test_teardown(boot_reserved_any_length, teardown),
		cmocka_unit_test_teardown(B01_boot_reserved_reversed, teardown),
		cmocka_unit_test_teardown(B02_boot_reserved_null_with_count, teardown),
		cmocka_unit_test_teardown(B03_boot_kernel_range_reversed, teardown),
		cmocka_unit_test_teardown(B04_boot_reserved_too_many_apart, teardown),
		cmocka_unit_test_teardown(B05_boot_reserved_empty_is_ignored, teardown),
		cmocka_unit_test_teardown(boot_lowmem_from_config, teardown),
		cmocka_unit_test_teardown(L08_boot_vmalloc_reserve_below_guard, teardown),
		cmocka_unit_test_teardown(L09_boot_vmalloc_reserve_too_large, teardown),
		cmocka_unit_test_teardown(L10_boot_lowmem_end_bad, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
