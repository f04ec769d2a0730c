/* SPDX-License-Identifier: MIT */
/*
 * test_boot_lowmem_bounds.c - the i386 profile's lowmem settings exactly
 * on their limits boot (issue 17, docs/mutation.md; the first values past
 * them are rows L08..L10 of docs/errors.md in test_boot_config.c): a
 * vmalloc reserve of exactly the 8 MiB guard, one that leaves exactly
 * 64 MiB of lowmem, and a lowmem end of exactly 64 MiB and of 4 GiB.
 *
 * The machine is sim_machine_pc() with 256 MiB, one node, i386 profile,
 * booted with memblock:
 *
 *   0     16M                 lowmem end            256M
 *   |DMA  |Normal              |HighMem (if any)      |
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

static struct pmm_memmap map;
static struct pmm_boot_info info;

static int teardown(void **state)
{
	(void)state;
	pmm_zones_reset();
	host_platform_remove();
	return 0;
}

/* Boot the PC on the i386 profile with @reserve and @lowmem_end. */
static int boot_i386(uint64_t reserve, uint64_t lowmem_end)
{
	struct host_platform_options o = { .phys_size = 256 * MiB, .quiet = true,
					   .quiet_reports = true };
	struct pmm_boot_config cfg;
	assert_int_equal(sim_machine_pc(&map, 256 * MiB, 1), 0);
	assert_int_equal(host_platform_install(&o), 0);
	pmm_boot_config_init(&cfg);
	cfg.profile = PMM_PROFILE_I386;
	cfg.early = PMM_EARLY_MEMBLOCK;
	cfg.quiet = true;
	cfg.vmalloc_reserve = reserve;
	cfg.lowmem_end = lowmem_end;
	return pmm_boot(&map, &cfg, &info);
}

/* vmalloc reserve of exactly PMM_I386_VMALLOC_GUARD: allowed. */
static void vmalloc_reserve_exactly_guard(void **state)
{
	(void)state;
	assert_int_equal(boot_i386(PMM_I386_VMALLOC_GUARD, 0), 0);
	assert_int_equal(info.max_low_pfn, info.max_pfn); /* all 256M below MAXMEM */
	assert_null(pmm_check());
}

/* A reserve leaving exactly PMM_I386_LOWMEM_MIN of lowmem: allowed. */
static void vmalloc_reserve_leaves_exactly_lowmem_min(void **state)
{
	(void)state;
	uint64_t room = PMM_I386_VMALLOC_END - PMM_I386_PAGE_OFFSET;
	uint64_t reserve = room - PMM_I386_LOWMEM_MIN;
	assert_int_equal(pmm_i386_maxmem(reserve), PMM_I386_LOWMEM_MIN);
	assert_int_equal(boot_i386(reserve, 0), 0);
	assert_int_equal(info.max_low_pfn, PMM_PFN_DOWN(PMM_I386_LOWMEM_MIN));
	assert_null(pmm_check());
}

/* A reserve of all the room leaves no lowmem (and is refused at boot). */
static void vmalloc_reserve_of_all_room(void **state)
{
	(void)state;
	uint64_t room = PMM_I386_VMALLOC_END - PMM_I386_PAGE_OFFSET;
	assert_int_equal(pmm_i386_maxmem(room - PMM_PAGE_SIZE), PMM_PAGE_SIZE);
	assert_int_equal(pmm_i386_maxmem(room), 0);
	assert_int_equal(pmm_i386_maxmem(room + 1), 0);
}

/* lowmem_end of exactly 64 MiB and of exactly 4 GiB: allowed. */
static void lowmem_end_exactly_min_and_4g(void **state)
{
	(void)state;
	assert_int_equal(boot_i386(0, PMM_I386_LOWMEM_MIN), 0);
	assert_int_equal(info.max_low_pfn, PMM_PFN_DOWN(PMM_I386_LOWMEM_MIN));
	assert_null(pmm_check());
	pmm_zones_reset();
	host_platform_remove();
	assert_int_equal(boot_i386(0, (uint64_t)4 << 30), 0);
	assert_int_equal(info.max_low_pfn, info.max_pfn);
	assert_null(pmm_check());
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(vmalloc_reserve_exactly_guard, teardown),
		cmocka_unit_test_teardown(vmalloc_reserve_leaves_exactly_lowmem_min, teardown),
		cmocka_unit_test_teardown(vmalloc_reserve_of_all_room, teardown),
		cmocka_unit_test_teardown(lowmem_end_exactly_min_and_4g, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
