/* SPDX-License-Identifier: MIT */
/*
 * test_memmap_efi_log_paths.c - the paths of pmm_memmap_parse_efi_log()
 * that the OVMF log and rows F09-F15 (test_memmap_efi.c) do not take:
 * every bracket and range error with its line and message, "type=N" names,
 * attribute columns, CRLF line ends and a last line without one, a second
 * map run (counted, not read), labels that are not map lines; and the
 * shared helpers of memmap_fw.c (format names, a NULL info block).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include <pmm/firmware.h>
#include "fw_data.h"

static struct fw_snap s;

static int setup(void **state)
{
	(void)state;
	fw_snap_reset(&s);
	return 0;
}

static int parse(const char *text)
{
	memset(&s.err, 0, sizeof(s.err));
	return pmm_memmap_parse_efi_log(&s.m, &s.fw, text, strlen(text), &s.err);
}

static void fails(const char *text, int ret, unsigned int line, const char *msg)
{
	assert_int_equal(pmm_memmap_add(&s.m, 0, 0x1000, PMM_MEM_RESERVED), 0);
	fw_snap_take(&s);
	assert_int_equal(parse(text), ret);
	assert_int_equal(s.err.line, line);
	assert_string_equal(s.err.msg, msg);
	assert_true(fw_snap_same(&s));
	assert_int_equal(pmm_memmap_parse_efi_log(&s.m, &s.fw, text, strlen(text), NULL), ret);
	assert_true(fw_snap_same(&s));
}

#define GOOD "efi: mem00: [Conventional|   |WB] range=[0x0000000000100000-0x00000000001fffff] (1MB)\n"

static void test_efi_log_null_args(void **state)
{
	(void)state;
	assert_int_equal(pmm_memmap_parse_efi_log(NULL, NULL, GOOD, strlen(GOOD), NULL),
			 PMM_EINVAL);
	assert_int_equal(pmm_memmap_parse_efi_log(&s.m, NULL, NULL, 3, NULL), PMM_EINVAL);
	/* no text at all: no lines */
	assert_int_equal(pmm_memmap_parse_efi_log(&s.m, NULL, NULL, 0, &s.err), PMM_EPARSE);
	assert_string_equal(s.err.msg,
			    "efi log: line 0: no 'efi: memNN:' lines (boot with efi=debug)");
	/* no info block: read all the same */
	assert_int_equal(pmm_memmap_parse_efi_log(&s.m, NULL, GOOD, strlen(GOOD), NULL), 0);
	assert_int_equal(s.m.nr, 1);
	assert_int_equal(s.m.entry[0].start, 0x100000);
	assert_int_equal(s.m.entry[0].end, 0x200000);
	assert_int_equal(s.m.entry[0].type, PMM_MEM_USABLE);
}

/* CRLF ends, a last line without an end, a prefix before the label. */
static void test_efi_log_line_forms(void **state)
{
	(void)state;
	assert_int_equal(parse("[    0.000000] efi: mem00: [Conventional|WB] range=[0x100000-0x1fffff]\r\n"
			       "efi: memattr: not a map line\n"
			       "efi: mem: no digit\n"
			       "efi: mem01: [Reserved|] range=[0x200000-0x2fffff]"), 0);
	assert_int_equal(s.m.nr, 2);
	assert_int_equal(s.m.entry[1].type, PMM_MEM_RESERVED);
	assert_int_equal(s.m.entry[1].end, 0x300000);
	assert_int_equal(s.fw.format, PMM_FW_FMT_EFI_LOG);
	/* "efi: mem7" ending the text: the label needs a character after it */
	setup(NULL);
	assert_int_equal(parse(GOOD "efi: mem"), 0);
	assert_int_equal(s.m.nr, 1);
}

/* "type=N" for a type without a name, with spaces around it. */
static void test_efi_log_type_numbers(void **state)
{
	(void)state;
	assert_int_equal(parse("efi: mem00: [ type=7  |WB] range=[0x100000-0x1fffff]\n"
			       "efi: mem01: [type=9|WB] range=[0x200000-0x2fffff]\n"
			       "efi: mem02: [type=99|WB] range=[0x300000-0x3fffff]\n"), 0);
	assert_int_equal(s.m.nr, 3);
	assert_int_equal(s.m.entry[0].type, PMM_MEM_USABLE);
	assert_int_equal(s.m.entry[1].type, PMM_MEM_ACPI);
	assert_int_equal(s.m.entry[2].type, PMM_MEM_RESERVED);
	fails("efi: mem00: [type=|WB] range=[0x100000-0x1fffff]\n", PMM_EPARSE, 1,
	      "efi log: line 1: unknown EFI type name");
	fails("efi: mem00: [type=7x|WB] range=[0x100000-0x1fffff]\n", PMM_EPARSE, 1,
	      "efi log: line 1: unknown EFI type name");
	fails("efi: mem00: [typo=7|WB] range=[0x100000-0x1fffff]\n", PMM_EPARSE, 1,
	      "efi log: line 1: unknown EFI type name");
	fails("efi: mem00: [Conventionalx|WB] range=[0x100000-0x1fffff]\n", PMM_EPARSE, 1,
	      "efi log: line 1: unknown EFI type name");
}

/* Attribute columns: blank, each name, an unknown one. */
static void test_efi_log_attributes(void **state)
{
	(void)state;
	assert_int_equal(parse("efi: mem00: [Runtime Data|RUN|MR|CC|SP|NV|XP|RP|WP|RO|UCE|"
			       "WB|WT|WC|UC|HP|  ] range=[0x100000-0x1fffff]\n"), 0);
	assert_int_equal(s.m.nr, 1);
	assert_int_equal(s.m.entry[0].type, PMM_MEM_RESERVED);
	fails("efi: mem00: [Conventional|XX] range=[0x100000-0x1fffff]\n", PMM_EPARSE, 1,
	      "efi log: line 1: unknown attribute");
	fails("efi: mem00: [Conventional|WBX] range=[0x100000-0x1fffff]\n", PMM_EPARSE, 1,
	      "efi log: line 1: unknown attribute");
}

static void test_efi_log_bracket_errors(void **state)
{
	(void)state;
	fails(GOOD "efi: mem01: Conventional] range=[0x200000-0x2fffff]\n", PMM_EPARSE, 2,
	      "efi log: line 2: expected '['");
	fails(GOOD "efi: mem01: [Conventional|WB range=[0x200000-0x2fffff\n", PMM_EPARSE, 2,
	      "efi log: line 2: no ']' after the type and attributes");
	fails(GOOD "efi: mem01: [Conventional|WB]\n", PMM_EPARSE, 2,
	      "efi log: line 2: expected 'range=['");
	fails(GOOD "efi: mem01: [Conventional|WB] range=(0x200000-0x2fffff)\n", PMM_EPARSE, 2,
	      "efi log: line 2: expected 'range=['");
}

static void test_efi_log_range_errors(void **state)
{
	static const struct {
		const char *range;
		int ret;
		const char *why;
	} bad[] = {
		{ "range=[200000-0x2fffff]", PMM_EPARSE, "bad range" },
		{ "range=[0x-0x2fffff]", PMM_EPARSE, "bad range" },
		{ "range=[0x200000_0x2fffff]", PMM_EPARSE, "bad range" },
		{ "range=[0x200000-2fffff]", PMM_EPARSE, "bad range" },
		{ "range=[0x200000-0x2fffff", PMM_EPARSE, "bad range" },
		{ "range=[0x00000000002000000-0x2fffff]", PMM_EPARSE, "bad range" },
		{ "range=[0x300000-0x2fffff]", PMM_EPARSE, "range ends before it starts" },
		{ "range=[0x0-0xffffffffffffffff]", PMM_EPARSE, "range wraps past 2^64" },
		{ "range=[0x200000-0x2ffffe]", PMM_EPARSE, "range is not whole 4 KiB pages" },
	};
	char text[256];
	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char msg[128];
		setup(NULL);
		snprintf(text, sizeof(text), GOOD "efi: mem01: [Conventional|WB] %s\n",
			 bad[i].range);
		snprintf(msg, sizeof(msg), "efi log: line 2: %s", bad[i].why);
		fails(text, bad[i].ret, 2, msg);
	}
	/* a range not starting on a page: fw_efi_take's message, with the index */
	setup(NULL);
	fails(GOOD "efi: mem01: [Conventional|WB] range=[0x200800-0x2017ff]\n", PMM_EPARSE, 2,
	      "efi log: line 2: mem1: start not 4 KiB aligned");
	/* the last page of the address space: 2^64 - 4096 .. 2^64 - 1 */
	setup(NULL);
	assert_int_equal(parse("efi: mem00: [Conventional|WB] "
			       "range=[0xfffffffffffff000-0xffffffffffffffff]\n"), 0);
	assert_int_equal(s.m.nr, 1);
	assert_int_equal(s.m.entry[0].start, 0xfffffffffffff000ull);
}

/* A second run from mem00 on is counted, never read; even a bad line. */
static void test_efi_log_second_run(void **state)
{
	(void)state;
	s.m.ignored_maps = 3;
	assert_int_equal(parse(GOOD
			       "efi: mem01: [Conventional|WB] range=[0x200000-0x2fffff]\n"
			       "efi: mem00: [Conventional|WB] range=[0x400000-0x4fffff]\n"
			       "efi: mem01: [Bogus|WB] range=[0x500000-0x5fffff]\n"
			       "efi: mem00: [Conventional|WB] range=[0x600000-0x6fffff]\n"), 0);
	assert_int_equal(s.m.nr, 1); /* the two touching ranges are one */
	assert_int_equal(s.m.entry[0].end, 0x300000);
	assert_int_equal(s.m.ignored_maps, 5);
	/* a failure puts the count back */
	setup(NULL);
	s.m.ignored_maps = 1;
	assert_int_equal(parse("efi: mem00: [Conventional|WB] range=[0x400000-0x4fffff]\n"
			       "efi: mem01: [Conventional|WB] range=[0x500000-0x5ffffe]\n"),
			 PMM_EPARSE);
	assert_int_equal(s.m.ignored_maps, 1);
	/* a mem00 line that is the first line does not end a run */
	setup(NULL);
	assert_int_equal(parse("efi: mem00: [Conventional|WB] range=[0x400000-0x4fffff]\n"
			       "efi: mem00: [Conventional|WB] range=[0x600000-0x6fffff]\n"), 0);
	assert_int_equal(s.m.nr, 1);
	assert_int_equal(s.m.ignored_maps, 1);
}

/* The largest index reads; the third line fails with its own line number. */
static void test_efi_log_index_forms(void **state)
{
	char text[512];
	(void)state;
	snprintf(text, sizeof(text), "efi: mem4294967295: [Conventional|WB] range=[0x1000-0x1fff]\n"
		 "efi: mem1: [Conventional|WB] range=[0x0-0x0fff]\n"
		 "efi: mem2: [Conventional|WB] range=[0x3000-0x2fff]\n");
	assert_int_equal(pmm_memmap_parse_efi_log(&s.m, &s.fw, text, strlen(text), &s.err),
			 PMM_EPARSE);
	assert_string_equal(s.err.msg, "efi log: line 3: range ends before it starts");
	/* an index past 32 bits is not a label: the line is not a map line */
	setup(NULL);
	assert_int_equal(parse("efi: mem4294967296: [Conventional|WB] range=[0x1000-0x1fff]\n"
			       GOOD), 0);
	assert_int_equal(s.m.nr, 1);
	assert_int_equal(s.m.entry[0].start, 0x100000);
}

static void test_fw_helpers(void **state)
{
	(void)state;
	pmm_fw_info_init(NULL); /* nothing to clear, no crash */
	s.fw.nr_ranges = 5;
	pmm_fw_info_init(&s.fw);
	assert_int_equal(s.fw.nr_ranges, 0);
	assert_string_equal(pmm_fw_format_name(PMM_FW_FMT_NONE), "none");
	assert_string_equal(pmm_fw_format_name(PMM_FW_FMT_EFI), "efi");
	assert_string_equal(pmm_fw_format_name(PMM_FW_FMT_EFI_LOG), "efi-log");
	assert_string_equal(pmm_fw_format_name(PMM_FW_FMT_MB2), "mb2");
	assert_string_equal(pmm_fw_format_name(PMM_FW_FMT_FDT), "fdt");
	assert_string_equal(pmm_fw_format_name(PMM_FW_FMT_SRAT), "srat");
	assert_string_equal(pmm_fw_format_name(PMM_FW_FMT_SLIT), "slit");
	assert_string_equal(pmm_fw_format_name((enum pmm_fw_format)99), "?");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_efi_log_null_args, setup),
		cmocka_unit_test_setup(test_efi_log_line_forms, setup),
		cmocka_unit_test_setup(test_efi_log_type_numbers, setup),
		cmocka_unit_test_setup(test_efi_log_attributes, setup),
		cmocka_unit_test_setup(test_efi_log_bracket_errors, setup),
		cmocka_unit_test_setup(test_efi_log_range_errors, setup),
		cmocka_unit_test_setup(test_efi_log_second_run, setup),
		cmocka_unit_test_setup(test_efi_log_index_forms, setup),
		cmocka_unit_test_setup(test_fw_helpers, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
