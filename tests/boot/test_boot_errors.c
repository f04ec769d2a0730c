/* SPDX-License-Identifier: MIT */
/*
 * test_boot_errors.c - the pmm_boot() rows of docs/errors.md (E64..E66):
 * maps and configurations pmm cannot boot get their documented error and a
 * log line that says what to change, and leave no zone behind. The row id
 * is in each case's name.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <pmm/boot.h>
#include <pmm/buddy.h>
#include <pmm/check.h>
#include <pmm/memmap.h>

#include "host_platform.h"

/* ------------------------------------------------------------------ */
/* pmm_boot(): maps and configurations it cannot boot. The map is       */
/* sanitized in place (documented); nothing else may be left behind:    */
/* no zone, no descriptors, and a log line that says what to change.    */
/* ------------------------------------------------------------------ */

static struct pmm_memmap mm;
static char *boot_log;

static int boot_err(struct pmm_boot_config *cfg, pmm_phys_t phys)
{
	struct pmm_boot_info info;
	struct host_platform_options o = { .phys_size = phys, .quiet = true,
					   .quiet_reports = true };
	assert_int_equal(host_platform_install(&o), 0);
	host_log_capture_start();
	int err = pmm_boot(&mm, cfg, &info);
	boot_log = host_log_capture_stop();
	return err;
}

static int boot_teardown(void **state)
{
	(void)state;
	free(boot_log);
	boot_log = NULL;
	pmm_zones_reset();
	host_platform_remove();
	return 0;
}

static void boot_left_nothing(const char *says)
{
	assert_null(pmm_zone_first());
	assert_null(pmm_check());
	if (strstr(boot_log, says) == NULL)
		fail_msg("boot log lacks \"%s\":\n%s", says, boot_log);
}

static void E64_boot_map_too_fragmented(void **state)
{
	(void)state;
	struct pmm_boot_config cfg;
	pmm_boot_config_init(&cfg);
	pmm_memmap_init(&mm);
	assert_int_equal(pmm_memmap_add(&mm, 0, (pmm_phys_t)1 << 30, PMM_MEM_USABLE), 0);
	for (pmm_phys_t i = 1; i <= 200; i++)
		assert_int_equal(pmm_memmap_add(&mm, i << 20, (i << 20) + 0x1000,
						PMM_MEM_RESERVED), 0);
	assert_int_equal(boot_err(&cfg, (pmm_phys_t)1 << 30), PMM_EFULL);
	boot_left_nothing("pmm: cannot sanitize the memory map: table full");
}

static void E65_boot_ram_past_pfn_limit(void **state)
{
	(void)state;
	struct pmm_boot_config cfg;
	pmm_boot_config_init(&cfg);
	cfg.profile = PMM_PROFILE_X86_64;
	pmm_memmap_init(&mm);
	assert_int_equal(pmm_memmap_add(&mm, 0x100000, 0x8000000, PMM_MEM_USABLE), 0);
	assert_int_equal(pmm_memmap_add(&mm, (pmm_phys_t)1 << 46,
					((pmm_phys_t)1 << 46) + 0x100000,
					PMM_MEM_USABLE), 0);
	assert_int_equal(boot_err(&cfg, 0x8000000), PMM_ERANGE);
	boot_left_nothing("raise PMM_PAGE_SHIFT or cut the map");
}

static void E66_boot_map_without_ram(void **state)
{
	(void)state;
	struct pmm_boot_config cfg;
	pmm_boot_config_init(&cfg);
	pmm_memmap_init(&mm);
	assert_int_equal(pmm_memmap_add(&mm, 0, (pmm_phys_t)1 << 30, PMM_MEM_RESERVED), 0);
	assert_int_equal(boot_err(&cfg, (pmm_phys_t)1 << 30), PMM_ENOMEM);
	boot_left_nothing("pmm: the memory map has no usable RAM");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(E64_boot_map_too_fragmented, boot_teardown),
		cmocka_unit_test_teardown(E65_boot_ram_past_pfn_limit, boot_teardown),
		cmocka_unit_test_teardown(E66_boot_map_without_ram, boot_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
