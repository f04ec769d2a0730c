/* SPDX-License-Identifier: MIT */
/*
 * test_boot_cma.c - CMA regions from the boot config (pmm_boot_config.cma):
 * reserved through either early allocator before the hand-off, handed to
 * the buddy allocator as CMA pageblocks after it, served by pmm_cma_alloc();
 * and the config rows K31..K33 of docs/errors.md (nothing booted, the
 * message names the setting).
 *
 * Machine: the built-in PC with 256 MiB, kernel at [1 MiB, 8 MiB).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <pmm/pmm.h>

#include "host_platform.h"
#include "machine.h"

#define MiB ((uint64_t)1 << 20)

static struct pmm_memmap map;
static struct pmm_boot_info info;
static char *log_text;

static void config(struct pmm_boot_config *cfg, enum pmm_early early,
		   const struct pmm_boot_cma *cma, size_t n)
{
	pmm_boot_config_init(cfg);
	cfg->early = early;
	cfg->quiet = true;
	cfg->kernel_code = (struct pmm_phys_range){ 1 * MiB, 5 * MiB };
	cfg->kernel_data = (struct pmm_phys_range){ 5 * MiB, 7 * MiB };
	cfg->init = (struct pmm_phys_range){ 7 * MiB, 8 * MiB };
	cfg->cma = cma;
	cfg->nr_cma = n;
}

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
	pmm_buddy_reset_settings();
	host_platform_remove();
	return 0;
}

/* 16 MiB (aligned to 4 MiB) and 5 MiB (rounded to 6) with both early
 * allocators: whole, free, CMA, and served. */
static void boot_cma_regions(void **state)
{
	(void)state;
	static const struct pmm_boot_cma cma[] = {
		{ PMM_NUMA_NO_NODE, 16 * MiB, 4 * MiB, "reserved" },
		{ 0, 5 * MiB, 0, "camera" },
	};
	for (int e = 0; e < 2; e++) {
		struct pmm_boot_config cfg;
		config(&cfg, e ? PMM_EARLY_MEMBLOCK : PMM_EARLY_BOOTMEM, cma, 2);
		assert_int_equal(boot(&cfg), 0);
		assert_int_equal(pmm_cma_count(), 2);
		assert_int_equal(info.cma_pages, (22 * MiB) >> PMM_PAGE_SHIFT);
		struct pmm_cma_info ci;
		assert_int_equal(pmm_cma_info(0, &ci), 0);
		assert_string_equal(ci.name, "reserved");
		assert_int_equal(ci.count, (16 * MiB) >> PMM_PAGE_SHIFT);
		assert_int_equal(ci.free, ci.count);
		assert_int_equal(PMM_PFN_PHYS(ci.base) & (4 * MiB - 1), 0);
		assert_int_equal(pmm_cma_info(1, &ci), 0);
		assert_int_equal(ci.count, (6 * MiB) >> PMM_PAGE_SHIFT);
		assert_null(pmm_check());
		struct pmm_page *p = pmm_cma_alloc(0, ci.count, 0);
		assert_non_null(p);
		assert_int_equal(pmm_cma_release(0, p, ci.count), 0);
		assert_null(pmm_check());
		teardown(NULL);
	}
}

static void K31_boot_cma_null(void **state)
{
	(void)state;
	struct pmm_boot_config cfg;
	config(&cfg, PMM_EARLY_BOOTMEM, NULL, 1);
	assert_int_equal(boot(&cfg), PMM_EINVAL);
	assert_non_null(strstr(log_text, "pmm: cfg->cma is NULL but cfg->nr_cma is 1"));
	assert_int_equal(pmm_cma_count(), 0);
}

static void K32_boot_cma_too_many(void **state)
{
	(void)state;
	static struct pmm_boot_cma cma[PMM_CMA_MAX + 1];
	for (int i = 0; i <= PMM_CMA_MAX; i++)
		cma[i] = (struct pmm_boot_cma){ PMM_NUMA_NO_NODE, 2 * MiB, 0, "x" };
	struct pmm_boot_config cfg;
	config(&cfg, PMM_EARLY_BOOTMEM, cma, PMM_CMA_MAX + 1);
	assert_int_equal(boot(&cfg), PMM_EINVAL);
	assert_non_null(strstr(log_text, "pmm: cfg->nr_cma 9 above 8; raise PMM_CMA_MAX"));
}

static void K33_boot_cma_bad_entry(void **state)
{
	(void)state;
	static const struct pmm_boot_cma bad[] = {
		{ PMM_NUMA_NO_NODE, 0, 0, "empty" },
		{ PMM_NUMA_NO_NODE, 4 * MiB, 3 * MiB, "odd" },
		{ 99, 4 * MiB, 0, "far" },
	};
	for (size_t i = 0; i < 3; i++) {
		struct pmm_boot_config cfg;
		config(&cfg, PMM_EARLY_MEMBLOCK, &bad[i], 1);
		assert_int_equal(boot(&cfg), PMM_EINVAL);
		assert_non_null(strstr(log_text, "pmm: cfg->cma[0]: size "));
		assert_int_equal(pmm_zone_first(), NULL);
	}
	/* more than the machine has: the reservation fails, logged */
	static const struct pmm_boot_cma huge = { PMM_NUMA_NO_NODE, 1024 * MiB, 0, "huge" };
	struct pmm_boot_config cfg;
	config(&cfg, PMM_EARLY_BOOTMEM, &huge, 1);
	assert_int_equal(boot(&cfg), PMM_ENOMEM);
	assert_non_null(strstr(log_text, "pmm: cannot reserve 1024 MiB for CMA region huge"));
}

/* Collects report text. */
static char report_buf[16384];
static size_t report_len;

static void report_write(void *ctx, const char *str, size_t n)
{
	(void)ctx;
	if (report_len + n < sizeof(report_buf)) {
		memcpy(report_buf + report_len, str, n);
		report_len += n;
		report_buf[report_len] = '\0';
	}
}

/* The Memory: line counts the region as cma-reserved (Linux 6.x), and
 * /proc/pagetypeinfo gains its CMA row and column. */
static void boot_cma_reports(void **state)
{
	(void)state;
	static const struct pmm_boot_cma cma = { PMM_NUMA_NO_NODE, 16 * MiB, 0, "reserved" };
	struct pmm_boot_config cfg;
	config(&cfg, PMM_EARLY_MEMBLOCK, &cma, 1);
	cfg.quiet = false;
	assert_int_equal(boot(&cfg), 0);
	assert_non_null(strstr(log_text, "K reserved, 16384K cma-reserved, "));
	assert_non_null(strstr(log_text, "pmm: cma: reserved 16 MiB at 0x"));
	struct pmm_out out = { report_write, NULL };
	report_len = 0;
	pmm_report_pagetypeinfo(&out);
	assert_non_null(strstr(report_buf, "type          CMA "));
	assert_non_null(strstr(report_buf, " Reclaimable          CMA \n"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(boot_cma_regions, teardown),
		cmocka_unit_test_teardown(boot_cma_reports, teardown),
		cmocka_unit_test_teardown(K31_boot_cma_null, teardown),
		cmocka_unit_test_teardown(K32_boot_cma_too_many, teardown),
		cmocka_unit_test_teardown(K33_boot_cma_bad_entry, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
