/* SPDX-License-Identifier: MIT */
/*
 * test_memmap_lowmem.c - what a Linux log says beyond its firmware map:
 * a 32-bit kernel's lowmem lines and vmalloc=, its user-defined (or 2.6
 * modified) map and pmm_memmap_diff(), and 2.6's "e820 update range"
 * lines; rows L11-L18 of docs/errors.md, each checked to change nothing.
 *
 * The 32-bit boundary, as Debian's 6.1 kernels print it:
 *
 *   0                      lowmem end (MAXMEM)       max_pfn
 *   |DMA |Normal ...........|HighMem .................|
 *                           686: 0x36bfe000, 686-pae: 0x36ffe000
 *                           (PKMAP_BASE 0xfec00000 / 0xff000000, minus
 *                           2 pages, PAGE_OFFSET and the 128 MiB reserve)
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
#define UNTOUCHED 0x5a5a5a5a5a5a5a5aull

/* pmm_linux_log_lowmem() of @log: 0 and the boundary, or fail. */
static uint64_t lowmem_of(const char *log)
{
	struct pmm_parse_error err = { 0, "" };
	uint64_t end = UNTOUCHED;
	if (pmm_linux_log_lowmem(log, strlen(log), &end, &err) != 0)
		fail_msg("%s", err.msg);
	return end;
}

/* Rows L13-L16: PMM_EPARSE naming @says, *end untouched. */
static void lowmem_refused(const char *log, const char *says)
{
	struct pmm_parse_error err = { 0, "" };
	uint64_t end = UNTOUCHED;
	assert_int_equal(pmm_linux_log_lowmem(log, strlen(log), &end, &err), PMM_EPARSE);
	assert_int_equal(end, UNTOUCHED);
	if (strstr(err.msg, says) == NULL)
		fail_msg("\"%s\" lacks \"%s\"", err.msg, says);
}

static void test_lowmem_exact_lines(void **state)
{
	uint64_t end = UNTOUCHED;
	(void)state;
	/* 6.1 686-pae: "low ram" and the HighMem zone agree */
	assert_int_equal(lowmem_of("[    0.044117] 1167MB HIGHMEM available.\n"
				   "[    0.044147] 879MB LOWMEM available.\n"
				   "[    0.044162]   mapped low ram: 0 - 36ffe000\n"
				   "[    0.044170]   low ram: 0 - 36ffe000\n"
				   "[    0.044668]   HighMem  [mem 0x0000000036ffe000-0x000000007ffdffff]\n"),
			 0x36ffe000);
	/* 4.9 excerpt: the zone line alone */
	assert_int_equal(lowmem_of("  HighMem  [mem 0x00000000339fe000-0x000000025fffffff]\n"),
			 0x339fe000);
	/* no lowmem line at all: 0, the caller computes */
	assert_int_equal(lowmem_of("BIOS-e820: [mem 0x0-0x9fbff] usable\n"), 0);
	assert_int_equal(lowmem_of(""), 0);
	assert_int_equal(pmm_linux_log_lowmem(NULL, 1, &end, NULL), PMM_EINVAL);
	assert_int_equal(pmm_linux_log_lowmem("", 0, NULL, NULL), PMM_EINVAL);
}

/*
 * "NNNMB LOWMEM available." alone is whole MiB; the exact end is the one
 * boundary in that MiB two pages below a 2 MiB-aligned PKMAP_BASE.
 */
static void test_lowmem_from_mb(void **state)
{
	(void)state;
	assert_int_equal(lowmem_of("1167MB HIGHMEM available.\n879MB LOWMEM available.\n"),
			 0x36ffe000); /* 686-pae */
	assert_int_equal(lowmem_of("147MB HIGHMEM available.\n875MB LOWMEM available.\n"),
			 0x36bfe000); /* 686 */
	assert_int_equal(lowmem_of("2439MB HIGHMEM available.\n887MB LOWMEM available.\n"),
			 0x377fe000); /* 2.6.35 686, its "low ram: 0 - 377fe000" */
	/* vmalloc=256M on the log's own command line: 264 MiB reserved */
	assert_int_equal(lowmem_of("Kernel command line: ro vmalloc=256M\n"
				   "1307MB HIGHMEM available.\n739MB LOWMEM available.\n"),
			 0x2e3fe000);
	/* a reserve that is no page multiple: no boundary fits, the MiB's start */
	assert_int_equal(lowmem_of("Command line: vmalloc=1000001\n"
				   "100MB HIGHMEM available.\n900MB LOWMEM available.\n"),
			 900 * MiB);
	/* no HighMem: lowmem holds all RAM, the end of its last MiB */
	assert_int_equal(lowmem_of("0MB HIGHMEM available.\n511MB LOWMEM available.\n"),
			 512 * MiB);
	assert_int_equal(lowmem_of("511MB LOWMEM available.\n"), 512 * MiB);
}

/* L13: "LOWMEM available" without "NNNMB " before it. */
static void L13_lowmem_line_malformed(void **state)
{
	(void)state;
	lowmem_refused("[    0.0] LOWMEM available.\n", "expected \"NNNMB\"");
	lowmem_refused("x\nabcMB LOWMEM available.\n", "expected \"NNNMB\"");
	lowmem_refused("879 MB HIGHMEM available.\n", "expected \"NNNMB\"");
	lowmem_refused("1234567890123MB LOWMEM available.\n", "expected \"NNNMB\"");
}

/* L14: 0MB or more than 4096MB of lowmem. */
static void L14_lowmem_out_of_range(void **state)
{
	(void)state;
	lowmem_refused("0MB LOWMEM available.\n", "1 to 4096MB");
	lowmem_refused("5000MB LOWMEM available.\n", "1 to 4096MB");
}

/* L15: lines that disagree. */
static void L15_lowmem_lines_disagree(void **state)
{
	(void)state;
	lowmem_refused("800MB LOWMEM available.\nlow ram: 0 - 36ffe000\n",
		       "disagrees with the lowmem boundary");
	lowmem_refused("low ram: 0 - 36ffe000\n  HighMem  [mem 0x36bfe000-0x7ffdffff]\n",
		       "\"low ram\" and the HighMem zone disagree");
	/* and a vmalloc= the log's command line cannot hold */
	lowmem_refused("Command line: vmalloc=lots\n1MB HIGHMEM available.\n"
		       "800MB LOWMEM available.\n", "not a size");
}

/* L16: an exact boundary that is no page from 4K to 4G. */
static void L16_lowmem_boundary_malformed(void **state)
{
	(void)state;
	lowmem_refused("low ram: 0 - 36ffe800\n", "not a page");
	lowmem_refused("low ram: 0 - zz\n", "not a page");
	lowmem_refused("  HighMem  [mem 0x200000000-0x3ffffffff]\n", "not a page");
	lowmem_refused("  HighMem  [mem 0x0-0x3ffffffff]\n", "not a page");
}

static void test_cmdline_vmalloc(void **state)
{
	struct pmm_parse_error err = { 0, "" };
	uint64_t r = UNTOUCHED;
	(void)state;
	assert_int_equal(pmm_linux_cmdline_vmalloc("ro quiet", &r, &err), 0);
	assert_int_equal(r, 0);
	assert_int_equal(pmm_linux_cmdline_vmalloc("vmalloc=256M ro", &r, &err), 0);
	assert_int_equal(r, 264 * MiB);
	/* the last one wins, and vmalloc=0 keeps the 8 MiB guard */
	assert_int_equal(pmm_linux_cmdline_vmalloc("vmalloc=1G vmalloc=0", &r, &err), 0);
	assert_int_equal(r, 8 * MiB);
	assert_int_equal(pmm_linux_cmdline_vmalloc(NULL, &r, &err), PMM_EINVAL);
	assert_int_equal(pmm_linux_cmdline_vmalloc("", NULL, &err), PMM_EINVAL);
}

/* L11, L12: vmalloc= not a size, or more than a 32-bit kernel holds. */
static void L11_L12_cmdline_vmalloc_bad(void **state)
{
	static const char *const bad[][2] = {
		{ "ro vmalloc=lots", "vmalloc=lots: not a size" },
		{ "vmalloc=", "not a size" },
		{ "vmalloc=64Mx", "not a size" },
		{ "vmalloc=4G", "does not fit a 32-bit kernel" },
		{ "vmalloc=99999999999999999999", "not a size" },
	};
	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct pmm_parse_error err = { 0, "" };
		uint64_t r = UNTOUCHED;
		assert_int_equal(pmm_linux_cmdline_vmalloc(bad[i][0], &r, &err), PMM_EPARSE);
		assert_int_equal(r, UNTOUCHED);
		if (strstr(err.msg, bad[i][1]) == NULL)
			fail_msg("\"%s\" lacks \"%s\"", err.msg, bad[i][1]);
	}
}

static const char user_log[] =
	"BIOS-e820: [mem 0x0000000000000000-0x000000000009fbff] usable\n"
	"BIOS-e820: [mem 0x0000000000100000-0x00000000bffdffff] usable\n"
	"Command line: mem=2560M memmap=32M$0x10000000\n"
	"user-defined physical RAM map:\n"
	"user: [mem 0x0000000000000000-0x000000000009fbff] usable\n"
	"user: [mem 0x0000000000100000-0x000000000fffffff] usable\n"
	"user: [mem 0x0000000010000000-0x0000000011ffffff] reserved\n"
	"user: [mem 0x0000000012000000-0x000000009fffffff] usable\n"
	"audit: user: pid=1 uid=0\n";

/* The firmware map of @log with its command line applied, into @m. */
static void firmware_and_options(struct pmm_memmap *m, const char *log)
{
	char cmd[128];
	struct pmm_parse_error err = { 0, "" };
	pmm_memmap_init(m);
	assert_int_equal(pmm_memmap_parse_dmesg(m, log, strlen(log), &err), 0);
	assert_true(pmm_linux_log_cmdline(log, strlen(log), cmd, sizeof(cmd)) > 0);
	assert_int_equal(pmm_memmap_apply_cmdline(m, cmd, &err), 0);
}

/*
 * The user-defined map against pmm's result: the same, then one option
 * left out (no memmap=) and the first entry that differs named.
 */
static void test_user_map_diff(void **state)
{
	static struct pmm_memmap user, mine;
	struct pmm_parse_error err = { 0, "" };
	unsigned int index = 99;
	char msg[192];
	(void)state;
	assert_int_equal(pmm_memmap_parse_log_map(&user, user_log, sizeof(user_log) - 1,
						  "user:", &err), 0);
	assert_int_equal(user.nr, 4);
	firmware_and_options(&mine, user_log);
	assert_int_equal(pmm_memmap_diff(&user, &mine, &index, msg, sizeof(msg)), 0);
	assert_int_equal(index, 99);
	assert_int_equal(pmm_memmap_apply_cmdline(&mine, "memmap=exactmap memmap=639K@0 "
						  "memmap=2559M@1M", &err), 0);
	assert_int_equal(pmm_memmap_diff(&user, &mine, &index, msg, sizeof(msg)), 1);
	assert_int_equal(index, 1);
	assert_string_equal(msg, "entry 1: Linux [mem 0x0000000000100000-0x000000000fffffff] "
			    "usable, pmm [mem 0x0000000000100000-0x000000009fffffff] usable");
	/* a map with fewer entries: the first one missing is named as none */
	assert_int_equal(pmm_memmap_apply_cmdline(&mine, "memmap=exactmap memmap=639K@0", &err), 0);
	assert_int_equal(pmm_memmap_diff(&user, &mine, &index, msg, sizeof(msg)), 1);
	assert_int_equal(index, 1);
	assert_non_null(strstr(msg, ", pmm none"));
	/* a log without the map: no entry */
	assert_int_equal(pmm_memmap_parse_log_map(&user, "BIOS-e820: x\n", 13, "user:",
						  &err), 0);
	assert_int_equal(user.nr, 0);
	assert_int_equal(pmm_memmap_diff(NULL, &mine, &index, msg, sizeof(msg)), PMM_EINVAL);
	assert_int_equal(pmm_memmap_parse_log_map(&user, NULL, 1, "user:", &err), PMM_EINVAL);
}

/* The last run counts: a map printed twice gives the later one. */
static void test_log_map_last_run(void **state)
{
	static struct pmm_memmap m;
	static const char log[] =
		" modified: 0000000000000000 - 0000000000010000 (reserved)\n"
		" modified: 0000000000010000 - 000000000009fc00 (usable)\n"
		"something else\n"
		" modified: 0000000000000000 - 000000000009fc00 (usable)\n";
	(void)state;
	assert_int_equal(pmm_memmap_parse_log_map(&m, log, sizeof(log) - 1, "modified:",
						  NULL), 0);
	assert_int_equal(m.nr, 1);
	assert_int_equal(m.entry[0].end, 0x9fc00);
}

/*
 * @text refused with PMM_EPARSE on line @line by the map reader of @label,
 * or by pmm_memmap_apply_log_edits() when @label is NULL; the map unchanged.
 */
static void map_refuses(const char *text, const char *label, unsigned int line)
{
	static struct pmm_memmap m, before;
	struct pmm_parse_error err = { 0, "" };
	pmm_memmap_init(&m);
	assert_int_equal(pmm_memmap_add(&m, 0, 0x9f000, PMM_MEM_USABLE), 0);
	before = m;
	int ret = label ? pmm_memmap_parse_log_map(&m, text, strlen(text), label, &err)
			: pmm_memmap_apply_log_edits(&m, text, strlen(text), &err);
	assert_int_equal(ret, PMM_EPARSE);
	assert_int_equal(err.line, line);
	assert_memory_equal(&m, &before, sizeof(m));
}

/* L17: a malformed line of the map read; @m unchanged. */
static void L17_log_map_line_malformed(void **state)
{
	(void)state;
	map_refuses("user: [mem 0x0000000000001000-0x0000000000000fff] usable\n", "user:", 1);
	map_refuses("user: [mem 0x0-0xfff] usable\nuser: [mem 0x1000-0x1fff] bogus\n",
		    "user:", 2);
	map_refuses(" modified: 0000000000000000 - 0000000000010000 (nonsense)\n",
		    "modified:", 1);
}

/* 2.6's edit lines, end exclusive, as the 2.6.35 log of tests/data has them. */
static void test_old_edit_lines(void **state)
{
	static struct pmm_memmap m;
	static const char log[] =
		"[    0.0]  BIOS-e820: 0000000000000000 - 000000000009fc00 (usable)\n"
		"[    0.0]  BIOS-e820: 0000000000100000 - 00000000cff80000 (usable)\n"
		"[    0.0] e820 update range: 0000000000000000 - 0000000000010000 (usable) ==> (reserved)\n"
		"[    0.0] e820 remove range: 00000000000a0000 - 0000000000100000 (usable)\n"
		"[    0.0] e820 update range: 0000000000001000 - 0000000000002000 type 12 ==> (reserved)\n"
		"[    0.0] e820 remove range: 00000000c0000000 - 00000000c0001000\n"
		"[    0.0] e820 remove range: 00000000c0002000 - 00000000c0002000 (usable)\n";
	struct pmm_parse_error err = { 0, "" };
	(void)state;
	pmm_memmap_init(&m);
	assert_int_equal(pmm_memmap_parse_dmesg(&m, log, sizeof(log) - 1, &err), 0);
	assert_int_equal(pmm_memmap_apply_log_edits(&m, log, sizeof(log) - 1, &err), 0);
	assert_int_equal(pmm_memmap_sanitize(&m, 0), 0);
	assert_int_equal(m.entry[0].start, 0);
	assert_int_equal(m.entry[0].end, 0x10000);
	assert_int_equal(m.entry[0].type, PMM_MEM_RESERVED);
	assert_int_equal(pmm_memmap_usable_bytes(&m),
			 0x9f000 - 0x10000 + 0xcff80000 - 0x100000 - 0x1000);
}

/* L18: a malformed 2.6 edit line; the map unchanged. */
static void L18_old_edit_line_malformed(void **state)
{
	static const char *const bad[] = {
		"e820 update range: 0000000000001000 - 0000000000000000 (usable) ==> (reserved)\n",
		"e820 update range: 0000000000000000 - 0000000000001000 (usable)\n",
		"e820 update range: 0000000000000000 - 0000000000001000 (usable) ==> (bogus)\n",
		"e820 remove range: 00000000000a0000 -- 0000000000100000 (usable)\n",
		"e820 update range: 00000000000000000 - 0000000000001000 (usable) ==> (reserved)\n",
	};
	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		map_refuses(bad[i], NULL, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lowmem_exact_lines),
		cmocka_unit_test(test_lowmem_from_mb),
		cmocka_unit_test(L13_lowmem_line_malformed),
		cmocka_unit_test(L14_lowmem_out_of_range),
		cmocka_unit_test(L15_lowmem_lines_disagree),
		cmocka_unit_test(L16_lowmem_boundary_malformed),
		cmocka_unit_test(test_cmdline_vmalloc),
		cmocka_unit_test(L11_L12_cmdline_vmalloc_bad),
		cmocka_unit_test(test_user_map_diff),
		cmocka_unit_test(test_log_map_last_run),
		cmocka_unit_test(L17_log_map_line_malformed),
		cmocka_unit_test(test_old_edit_lines),
		cmocka_unit_test(L18_old_edit_line_malformed),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
