/* SPDX-License-Identifier: MIT */
/*
 * test_memmap_logedit_paths.c - the edge paths of a Linux log's e820 edit
 * lines (memmap_logedit.c): every malformed range form with its message,
 * each type spelling Linux prints, remove lines with and without a type,
 * a range reaching 2^64, NULL arguments and the "Command line: " finder's
 * limits.
 *
 * Each case starts from one map (all page-aligned):
 *
 *   0x0      0x100000 0x200000   0x300000   0x400000
 *   | usable | ACPI   | reserved | usable    |
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include <pmm/cmdline.h>
#include <pmm/memmap.h>

static struct pmm_memmap m, before;

static int setup(void **state)
{
	(void)state;
	pmm_memmap_init(&m);
	assert_int_equal(pmm_memmap_add(&m, 0, 0x100000, PMM_MEM_USABLE), 0);
	assert_int_equal(pmm_memmap_add(&m, 0x100000, 0x200000, PMM_MEM_ACPI), 0);
	assert_int_equal(pmm_memmap_add(&m, 0x200000, 0x300000, PMM_MEM_RESERVED), 0);
	assert_int_equal(pmm_memmap_add(&m, 0x300000, 0x400000, PMM_MEM_USABLE), 0);
	before = m;
	return 0;
}

/* Bytes of @type in @m (unsanitized: the edits never overlap entries). */
static uint64_t bytes_of(uint32_t type)
{
	uint64_t sum = 0;
	for (unsigned int i = 0; i < m.nr; i++)
		if (m.entry[i].type == type)
			sum += m.entry[i].end - m.entry[i].start;
	return sum;
}

static int apply(const char *text, struct pmm_parse_error *err)
{
	return pmm_memmap_apply_log_edits(&m, text, strlen(text), err);
}

static void expect_fail(const char *text, unsigned int line, const char *msg)
{
	struct pmm_parse_error err;
	memset(&err, 0, sizeof(err));
	assert_int_equal(apply(text, &err), PMM_EPARSE);
	assert_int_equal(err.line, line);
	assert_string_equal(err.msg, msg);
}

#define MALFORMED "e820 edit line: malformed range"
#define NO_ARROW "e820 edit line: expected \"TYPE ==> TYPE\""

static void test_logedit_null_args(void **state)
{
	(void)state;
	assert_int_equal(pmm_memmap_apply_log_edits(NULL, "", 0, NULL), PMM_EINVAL);
	assert_int_equal(pmm_memmap_apply_log_edits(&m, NULL, 5, NULL), PMM_EINVAL);
	/* NULL text with no length is an empty log: nothing to do */
	assert_int_equal(pmm_memmap_apply_log_edits(&m, NULL, 0, NULL), 0);
	assert_memory_equal(&m, &before, sizeof(m));
}

/* Lines that mention neither edit are skipped, even near-misses. */
static void test_logedit_skips_other_lines(void **state)
{
	(void)state;
	assert_int_equal(apply("\n\n[    0.0] e820: update\n"
			       "e820: remove [me 0x0-0xfff] usable\n"
			       "e820: [mem 0x0-0xfff] usable\n"
			       "BIOS-e820: [mem 0x0-0xfff] usable", NULL), 0);
	assert_memory_equal(&m, &before, sizeof(m));
}

static void test_logedit_malformed_ranges(void **state)
{
	static const char *const bad[] = {
		"e820: remove [mem 1000-0x1fff] usable",          /* no 0x */
		"e820: remove [mem 0x-0x1fff] usable",            /* no digits */
		"e820: remove [mem 0x1000 0x1fff] usable",        /* no '-' */
		"e820: remove [mem 0x1000-1fff] usable",          /* end without 0x */
		"e820: remove [mem 0x1000-0x1fff usable",         /* no ']' */
		"e820: remove [mem 0x1000-0x1fff",                /* line ends */
		"e820: remove [mem 0x10000000000000000-0x1] usable", /* 17 digits */
		"e820: update [mem 0x2000-0x1fff] usable ==> reserved", /* reversed */
		"e820: remove [mem 0x",                           /* truncated */
	};
	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		expect_fail(bad[i], 1, MALFORMED);
		assert_memory_equal(&m, &before, sizeof(m));
	}
	/* without an error record the result is the same */
	assert_int_equal(apply("e820: remove [mem 0x1000-0x0fff]", NULL), PMM_EPARSE);
	/* the failing line is counted from 1, skipped lines included */
	expect_fail("a\nb\nc\ne820: remove [mem 0x1000]\n", 4, MALFORMED);
}

/* Upper-case hex digits, and a one-byte range [a, a]. */
static void test_logedit_hex_forms(void **state)
{
	(void)state;
	assert_int_equal(apply("e820: update [mem 0x000FF000-0x000FFFFF] usable ==> reserved\n",
			       NULL), 0);
	assert_int_equal(bytes_of(PMM_MEM_USABLE), 0x1ff000);
	assert_int_equal(bytes_of(PMM_MEM_RESERVED), 0x101000);
	/* 16 digits is the most accepted */
	assert_int_equal(apply("e820: remove [mem 0x0000000000300000-0x00000000003fffff]", NULL), 0);
	assert_int_equal(bytes_of(PMM_MEM_USABLE), 0xff000);
	/* a remove of one byte cuts that byte only */
	assert_int_equal(apply("e820: remove [mem 0xabc-0xabc] usable", NULL), 0);
	assert_int_equal(bytes_of(PMM_MEM_USABLE), 0xfefff);
}

/* A remove line without a type (or with one not recognised) hits any type. */
static void test_logedit_remove_any_type(void **state)
{
	(void)state;
	assert_int_equal(apply("e820: remove [mem 0x0f0000-0x20ffff]\n", NULL), 0);
	assert_int_equal(bytes_of(PMM_MEM_USABLE), 0xf0000 + 0x100000);
	assert_int_equal(bytes_of(PMM_MEM_ACPI), 0);
	assert_int_equal(bytes_of(PMM_MEM_RESERVED), 0xf0000);
	setup(NULL);
	assert_int_equal(apply("e820: remove [mem 0x100000-0x2fffff] bogus\n", NULL), 0);
	assert_int_equal(bytes_of(PMM_MEM_ACPI), 0);
	assert_int_equal(bytes_of(PMM_MEM_RESERVED), 0);
	assert_int_equal(bytes_of(PMM_MEM_USABLE), 0x200000);
	/* a typed remove leaves the other types alone */
	setup(NULL);
	assert_int_equal(apply("e820: remove [mem 0x0-0x3fffff] ACPI data\n", NULL), 0);
	assert_int_equal(bytes_of(PMM_MEM_ACPI), 0);
	assert_int_equal(bytes_of(PMM_MEM_USABLE), 0x200000);
	assert_int_equal(bytes_of(PMM_MEM_RESERVED), 0x100000);
	/* "type 0" is no type: the remove hits every type */
	setup(NULL);
	assert_int_equal(apply("e820: remove [mem 0x0-0x3fffff] type 0\n", NULL), 0);
	assert_int_equal(m.nr, 0);
}

/* Every spelling of a type Linux prints. */
static void test_logedit_type_names(void **state)
{
	static const struct {
		const char *name;
		uint32_t type;
	} names[] = {
		{ "reserved", PMM_MEM_RESERVED },
		{ "ACPI data", PMM_MEM_ACPI },
		{ "ACPI NVS", PMM_MEM_NVS },
		{ "unusable", PMM_MEM_UNUSABLE },
		{ "soft reserved", PMM_MEM_SOFT_RESERVED },
		{ "unaccepted", PMM_MEM_UNACCEPTED },
		{ "persistent (type 7)", PMM_MEM_PMEM },
		{ "persistent (type 12)", PMM_MEM_PRAM },
		{ "type 20", 20 },
		{ "type 99999", 99999 },
	};
	char line[160];
	(void)state;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		setup(NULL);
		snprintf(line, sizeof(line),
			 "e820: update [mem 0x3f0000-0x3fffff] usable ==> %s\n", names[i].name);
		assert_int_equal(apply(line, NULL), 0);
		assert_int_equal(bytes_of(names[i].type),
				 0x10000 + (names[i].type == PMM_MEM_RESERVED ? 0x100000 :
					    names[i].type == PMM_MEM_ACPI ? 0x100000 : 0));
		assert_int_equal(bytes_of(PMM_MEM_USABLE), 0x1f0000);
		/* and back: the named type as the old type */
		snprintf(line, sizeof(line),
			 "e820: update [mem 0x3f0000-0x3fffff] %s ==> usable\n", names[i].name);
		assert_int_equal(apply(line, NULL), 0);
		assert_int_equal(bytes_of(PMM_MEM_USABLE), 0x200000);
	}
	/* "persistent (type N" without its ")" is not a type */
	expect_fail("e820: update [mem 0x0-0xfff] persistent (type 7 ==> reserved\n", 1, NO_ARROW);
	/* a type number is cut after 9 digits */
	setup(NULL);
	assert_int_equal(apply("e820: update [mem 0x3f0000-0x3fffff] usable ==> type 1234567890\n",
			       NULL), 0);
	assert_int_equal(bytes_of(123456789u), 0x10000);
}

static void test_logedit_update_errors(void **state)
{
	(void)state;
	/* no type at all */
	expect_fail("e820: update [mem 0x0-0xfff]\n", 1, NO_ARROW);
	/* a type that is not a type */
	expect_fail("e820: update [mem 0x0-0xfff] bogus ==> reserved\n", 1, NO_ARROW);
	/* no space before the type */
	expect_fail("e820: update [mem 0x0-0xfff]usable ==> reserved\n", 1, NO_ARROW);
	/* no arrow */
	expect_fail("e820: update [mem 0x0-0xfff] usable -> reserved\n", 1, NO_ARROW);
	/* arrow but no new type, or type 0 */
	expect_fail("e820: update [mem 0x0-0xfff] usable ==> \n", 1, NO_ARROW);
	expect_fail("e820: update [mem 0x0-0xfff] usable ==> type 0\n", 1, NO_ARROW);
	expect_fail("e820: update [mem 0x0-0xfff] usable ==> type \n", 1, NO_ARROW);
	expect_fail("e820: update [mem 0x0-0xfff] type x ==> usable\n", 1, NO_ARROW);
	assert_memory_equal(&m, &before, sizeof(m));
	/* all or nothing: an edit before the bad line is undone too */
	expect_fail("e820: remove [mem 0x200000-0x2fffff] reserved\n"
		    "e820: update [mem 0x0-0xfff] usable\n", 2, NO_ARROW);
	assert_memory_equal(&m, &before, sizeof(m));
}

/* "usable ==> usable" changes nothing (same type both sides). */
static void test_logedit_update_same_type(void **state)
{
	(void)state;
	assert_int_equal(apply("e820: update [mem 0x1000-0x1fff] ACPI NVS ==> ACPI NVS", NULL), 0);
	assert_memory_equal(&m, &before, sizeof(m));
}

/* A range whose last byte is 2^64 - 1 ends at 2^64 - 1 (no wrap). */
static void test_logedit_range_to_top(void **state)
{
	(void)state;
	assert_int_equal(pmm_memmap_add(&m, 0x400000, UINT64_MAX, PMM_MEM_RESERVED), 0);
	assert_int_equal(apply("e820: update [mem 0x300000-0xffffffffffffffff] reserved ==> usable\n",
			       NULL), 0);
	assert_int_equal(bytes_of(PMM_MEM_RESERVED), 0x100000);
	assert_int_equal(bytes_of(PMM_MEM_USABLE), UINT64_MAX - 0x400000 + 0x200000);
	setup(NULL);
	assert_int_equal(apply("e820: remove [mem 0x200000-0xffffffffffffffff]\n", NULL), 0);
	assert_int_equal(bytes_of(PMM_MEM_RESERVED), 0);
	assert_int_equal(bytes_of(PMM_MEM_USABLE), 0x100000);
	assert_int_equal(bytes_of(PMM_MEM_ACPI), 0x100000);
}

/* An edit that would need more than PMM_MEMMAP_MAX entries fails whole. */
static void test_logedit_table_full(void **state)
{
	(void)state;
	pmm_memmap_init(&m);
	for (unsigned int i = 0; i < PMM_MEMMAP_MAX; i++)
		assert_int_equal(pmm_memmap_add(&m, (pmm_phys_t)i << 24,
						((pmm_phys_t)i << 24) + 0x100000,
						PMM_MEM_USABLE), 0);
	before = m;
	assert_int_equal(apply("e820: remove [mem 0x1000-0x1fff] usable\n", NULL), PMM_EFULL);
	assert_int_equal(apply("e820: update [mem 0x1000-0x1fff] usable ==> reserved\n", NULL),
			 PMM_EFULL);
	assert_memory_equal(&m, &before, sizeof(m));
	/* an edit on an entry's edge needs no new entry */
	assert_int_equal(apply("e820: update [mem 0x0-0xfffff] usable ==> reserved\n", NULL), 0);
	assert_int_equal(m.nr, PMM_MEMMAP_MAX);
	assert_int_equal(m.entry[0].type, PMM_MEM_RESERVED);
}

static void test_logedit_cmdline_limits(void **state)
{
	char buf[32];
	(void)state;
	static const char log[] = "x\nCommand line: a b\r\nCommand line: second\n";
	/* NULL text, NULL buffer, zero size, no line */
	assert_int_equal(pmm_linux_log_cmdline(NULL, 4, buf, sizeof(buf)), -1);
	assert_int_equal(pmm_linux_log_cmdline(log, sizeof(log) - 1, NULL, 8), -1);
	assert_int_equal(pmm_linux_log_cmdline(log, sizeof(log) - 1, buf, 0), -1);
	assert_int_equal(pmm_linux_log_cmdline("Command line:", 13, buf, sizeof(buf)), -1);
	/* the first line is taken, ended by \r */
	assert_int_equal(pmm_linux_log_cmdline(log, sizeof(log) - 1, buf, sizeof(buf)), 3);
	assert_string_equal(buf, "a b");
	/* exactly fits (n + 1 == size), one less fails */
	assert_int_equal(pmm_linux_log_cmdline(log, sizeof(log) - 1, buf, 4), 3);
	assert_string_equal(buf, "a b");
	assert_int_equal(pmm_linux_log_cmdline(log, sizeof(log) - 1, buf, 3), -1);
	/* an empty command line (only spaces), at the very end of the text */
	assert_int_equal(pmm_linux_log_cmdline("Command line:    ", 17, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "");
	/* the length bounds the search: the line is past it */
	assert_int_equal(pmm_linux_log_cmdline(log, 10, buf, sizeof(buf)), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_logedit_null_args, setup),
		cmocka_unit_test_setup(test_logedit_skips_other_lines, setup),
		cmocka_unit_test_setup(test_logedit_malformed_ranges, setup),
		cmocka_unit_test_setup(test_logedit_hex_forms, setup),
		cmocka_unit_test_setup(test_logedit_remove_any_type, setup),
		cmocka_unit_test_setup(test_logedit_type_names, setup),
		cmocka_unit_test_setup(test_logedit_update_errors, setup),
		cmocka_unit_test_setup(test_logedit_update_same_type, setup),
		cmocka_unit_test_setup(test_logedit_range_to_top, setup),
		cmocka_unit_test_setup(test_logedit_table_full, setup),
		cmocka_unit_test_setup(test_logedit_cmdline_limits, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
