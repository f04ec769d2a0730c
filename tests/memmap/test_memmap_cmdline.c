/* SPDX-License-Identifier: MIT */
/*
 * test_memmap_cmdline.c - map edits (update, remove, x86 low-memory rule),
 * the command line's mem= and memmap= options and a log's e820 edit lines.
 *
 * Each case starts from the same PC map:
 *
 *   0      640K 1M                   2G       4G          6G
 *   |usable|res |      usable         | res.. | usable     |
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <pmm/cmdline.h>
#include <pmm/memmap.h>

#define MiB ((uint64_t)1 << 20)
#define GiB ((uint64_t)1 << 30)

static struct pmm_memmap m, before;

static int setup(void **state)
{
	(void)state;
	pmm_memmap_init(&m);
	pmm_memmap_add(&m, 0, 0x9fc00, PMM_MEM_USABLE);
	pmm_memmap_add(&m, 0x9fc00, 0x100000, PMM_MEM_RESERVED);
	pmm_memmap_add(&m, 1 * MiB, 2 * GiB, PMM_MEM_USABLE);
	pmm_memmap_add(&m, 2 * GiB, 4 * GiB, PMM_MEM_RESERVED);
	pmm_memmap_add(&m, 4 * GiB, 6 * GiB, PMM_MEM_USABLE);
	before = m;
	return 0;
}

static uint64_t usable(void)
{
	struct pmm_memmap s = m;
	assert_int_equal(pmm_memmap_sanitize(&s, 0), 0);
	return pmm_memmap_usable_bytes(&s);
}

static void test_memmap_cmdline_x86_trim_low(void **state)
{
	(void)state;
	assert_int_equal(pmm_memmap_x86_trim_low(&m), 0);
	/* page 0 and the partial page below 640K go; the BIOS area was reserved */
	assert_int_equal(usable(), 0x9e000 + 2 * GiB - MiB + 2 * GiB);
	assert_int_equal(pmm_memmap_x86_trim_low(NULL), PMM_EINVAL);
}

static void test_memmap_cmdline_update_remove(void **state)
{
	(void)state;
	assert_int_equal(pmm_memmap_update(&m, 1 * GiB, 1 * GiB + MiB, PMM_MEM_USABLE,
					   PMM_MEM_NVS), 0);
	assert_int_equal(usable(), 0x9f000 + 2 * GiB - 2 * MiB + 2 * GiB);
	assert_int_equal(pmm_memmap_remove(&m, 5 * GiB, 7 * GiB, 0), 0);
	assert_int_equal(usable(), 0x9f000 + 2 * GiB - 2 * MiB + 1 * GiB);
	assert_int_equal(pmm_memmap_update(&m, 2, 1, 1, 2), PMM_EINVAL);
	assert_int_equal(pmm_memmap_update(&m, 1, 2, 1, 0), PMM_EINVAL);
}

static void test_memmap_cmdline_mem_limit(void **state)
{
	(void)state;
	assert_int_equal(pmm_memmap_apply_cmdline(&m, "ro mem=1G quiet", NULL), 0);
	assert_int_equal(usable(), 0x9f000 + 1 * GiB - MiB);
	assert_int_equal(pmm_memmap_apply_cmdline(&m, "mem=nopentium", NULL), 0);
}

static void test_memmap_cmdline_memmap_forms(void **state)
{
	(void)state;
	assert_int_equal(pmm_memmap_apply_cmdline(&m,
		"memmap=64M$0x20000000,16M!0x30000000 memmap=1M#0x40000000", NULL), 0);
	assert_int_equal(usable(), 0x9f000 + 2 * GiB - MiB - 81 * MiB + 2 * GiB);
	setup(NULL);
	assert_int_equal(pmm_memmap_apply_cmdline(&m,
		"memmap=exactmap memmap=640K@0 memmap=1536M@1M", NULL), 0);
	assert_int_equal(usable(), 640 * 1024 + 1536 * MiB);
	setup(NULL);
	assert_int_equal(pmm_memmap_apply_cmdline(&m, "memmap=3G", NULL), 0);
	assert_int_equal(usable(), 0x9f000 + 2 * GiB - MiB);
}

/* Rows L01-L05 of docs/errors.md: bad options fail, the map unchanged. */
static void test_memmap_cmdline_bad_options(void **state)
{
	static const char *const bad[] = {
		"mem=lots", "mem=0", "memmap=64M^0x1000", "memmap=64M@", "memmap=1M%0x1000-1+2",
		"mem=99999999999999999999",
	};
	struct pmm_parse_error err;
	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(pmm_memmap_apply_cmdline(&m, bad[i], &err), PMM_EPARSE);
		assert_non_null(strstr(err.msg, "command line: "));
		assert_memory_equal(&m, &before, sizeof(m));
	}
	assert_int_equal(pmm_memmap_apply_cmdline(NULL, "", NULL), PMM_EINVAL);
}

static void test_memmap_cmdline_log_edits(void **state)
{
	static const char log[] =
		"[    0.000000] Command line: console=ttyS0 mem=2G  \n"
		"[    0.000000] e820: remove [mem 0x80000000-0xfffffffffffffffe] usable\n"
		"[    0.000000] e820: update [mem 0x00000000-0x00000fff] usable ==> reserved\n"
		"[    0.000000] e820: update [mem 0x7e5c0018-0x7e5d0057] usable ==> usable\n"
		"[    0.000000] e820: remove [mem 0x000a0000-0x000fffff] usable\n";
	char cmd[64];
	struct pmm_parse_error err;
	(void)state;
	assert_int_equal(pmm_linux_log_cmdline(log, sizeof(log) - 1, cmd, sizeof(cmd)), 20);
	assert_string_equal(cmd, "console=ttyS0 mem=2G");
	assert_int_equal(pmm_linux_log_cmdline(log, sizeof(log) - 1, cmd, 4), -1);
	assert_int_equal(pmm_memmap_apply_log_edits(&m, log, sizeof(log) - 1, &err), 0);
	assert_int_equal(usable(), 0x9e000 + 2 * GiB - MiB);
	static const char bad[] = "e820: update [mem 0x1000-0x0fff] usable ==> reserved\n";
	assert_int_equal(pmm_memmap_apply_log_edits(&m, bad, sizeof(bad) - 1, &err), PMM_EPARSE);
	assert_int_equal(err.line, 1);
	static const char bad2[] = "x\ne820: update [mem 0x0-0xfff] usable => reserved\n";
	assert_int_equal(pmm_memmap_apply_log_edits(&m, bad2, sizeof(bad2) - 1, &err), PMM_EPARSE);
	assert_int_equal(err.line, 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_memmap_cmdline_x86_trim_low, setup),
		cmocka_unit_test_setup(test_memmap_cmdline_update_remove, setup),
		cmocka_unit_test_setup(test_memmap_cmdline_mem_limit, setup),
		cmocka_unit_test_setup(test_memmap_cmdline_memmap_forms, setup),
		cmocka_unit_test_setup(test_memmap_cmdline_bad_options, setup),
		cmocka_unit_test_setup(test_memmap_cmdline_log_edits, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
