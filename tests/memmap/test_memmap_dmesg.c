/* SPDX-License-Identifier: MIT */
/*
 * test_memmap_dmesg.c - pmm_memmap_parse_dmesg(): prefixes, both e820 line
 * forms, type names, SRAT lines, several maps in one log, malformed lines
 * (with their exact line number), buffers without a NUL, and arbitrary
 * bytes. Every failing case checks that the map is byte for byte unchanged.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <pmm/memmap.h>

static struct pmm_memmap m;
static struct pmm_memmap before;
static struct pmm_parse_error err;

static int setup(void **state)
{
	(void)state;
	pmm_memmap_init(&m);
	memset(&err, 0, sizeof(err));
	return 0;
}

/* Parse a C string from a heap copy of exactly its length (no NUL). */
static int parse(const char *s)
{
	size_t len = strlen(s);
	char *buf = malloc(len ? len : 1);
	int ret;

	assert_non_null(buf);
	memcpy(buf, s, len);
	ret = pmm_memmap_parse_dmesg(&m, buf, len, &err);
	free(buf);
	return ret;
}

/* Parse text that must fail at @line with @ret; the map must not change. */
static void expect_fail(const char *s, int ret, unsigned int line,
			const char *needle)
{
	char want[32];

	before = m;
	assert_int_equal(parse(s), ret);
	assert_memory_equal(&m, &before, sizeof(m));
	assert_int_equal(err.line, line);
	if (line) {
		snprintf(want, sizeof(want), "line %u:", line);
		assert_non_null(strstr(err.msg, want));
	}
	if (!strstr(err.msg, needle))
		fail_msg("message '%s' lacks '%s'", err.msg, needle);
}

static void expect_entry(unsigned int i, pmm_phys_t start, pmm_phys_t end,
			 uint32_t type)
{
	assert_true(i < m.nr);
	assert_int_equal(m.entry[i].start, start);
	assert_int_equal(m.entry[i].end, end);
	assert_int_equal(m.entry[i].type, type);
}

#define MAP2(pfx)                                                          \
	pfx "BIOS-e820: [mem 0x0000000000000000-0x000000000009fbff] usable\n" \
	pfx "BIOS-e820: [mem 0x000000000009fc00-0x000000000009ffff] reserved\n"

static void expect_map2(void)
{
	assert_int_equal(m.nr, 2);
	expect_entry(0, 0, 0x9fc00, PMM_MEM_USABLE);
	expect_entry(1, 0x9fc00, 0xa0000, PMM_MEM_RESERVED);
	assert_int_equal(m.ignored_maps, 0);
}

static void test_memmap_dmesg_prefix_timestamp(void **state)
{
	(void)state;
	assert_int_equal(parse("[    0.000000] BIOS-provided physical RAM map:\n"
			       MAP2("[    0.000000] ")), 0);
	expect_map2();
}

static void test_memmap_dmesg_prefix_syslog_level(void **state)
{
	(void)state;
	assert_int_equal(parse(MAP2("<6>")), 0);
	expect_map2();
}

static void test_memmap_dmesg_prefix_syslog_file(void **state)
{
	(void)state;
	assert_int_equal(parse(MAP2("Jan  1 00:00:00 host kernel: ")), 0);
	expect_map2();
}

static void test_memmap_dmesg_prefix_level_and_time(void **state)
{
	(void)state;
	assert_int_equal(parse(MAP2("<6>[    0.000000] ")), 0);
	expect_map2();
}

static void test_memmap_dmesg_no_prefix_crlf(void **state)
{
	(void)state;
	assert_int_equal(parse("BIOS-e820: [mem 0x0-0x9fbff] usable\r\n"
			       "BIOS-e820: [mem 0x9fc00-0x9ffff] reserved \r\n"), 0);
	expect_map2();
}

/* 2.6: "start - end (type)", end exclusive; "type N" without brackets. */
static void test_memmap_dmesg_old_format(void **state)
{
	(void)state;
	assert_int_equal(parse(
		"BIOS-provided physical RAM map:\n"
		" BIOS-e820: 0000000000000000 - 000000000009f800 (usable)\n"
		" BIOS-e820: 000000000009f800 - 00000000000a0000 (reserved)\n"
		" BIOS-e820: 00000000000f0000 - 0000000000100000 (ACPI NVS)\n"
		" BIOS-e820: 0000000000100000 - 00000000bff70000 (usable)\n"
		" BIOS-e820: 00000000bff70000 - 00000000bff80000 (ACPI data)\n"
		" BIOS-e820: 00000000bff80000 - 00000000bff90000 type 9\n"
		" BIOS-e820: 00000000bff90000 - 00000000bffa0000 (type 20)\n"
		" BIOS-e820: 00000000bffa0000 - 00000000bffb0000 (unusable)\n"), 0);
	assert_int_equal(m.nr, 8);
	expect_entry(0, 0, 0x9f800, PMM_MEM_USABLE);
	expect_entry(2, 0xf0000, 0x100000, PMM_MEM_NVS);
	expect_entry(4, 0xbff70000, 0xbff80000, PMM_MEM_ACPI);
	expect_entry(5, 0xbff80000, 0xbff90000, 9);
	expect_entry(6, 0xbff90000, 0xbffa0000, 20);
	expect_entry(7, 0xbffa0000, 0xbffb0000, PMM_MEM_UNUSABLE);
}

/* An old-form entry of length 0 is dropped, not an error. */
static void test_memmap_dmesg_old_format_empty_entry(void **state)
{
	(void)state;
	assert_int_equal(parse(
		" BIOS-e820: 0000000000000000 - 0000000000000000 (reserved)\n"
		" BIOS-e820: 0000000000000000 - 000000000009f800 (usable)\n"), 0);
	assert_int_equal(m.nr, 1);
	expect_entry(0, 0, 0x9f800, PMM_MEM_USABLE);
}

/* Every type word Linux prints, in the modern form. */
static void test_memmap_dmesg_type_words(void **state)
{
	static const struct { const char *word; uint32_t type; } t[] = {
		{ "usable", 1 }, { "reserved", 2 }, { "ACPI data", 3 },
		{ "ACPI NVS", 4 }, { "unusable", 5 },
		{ "persistent (type 7)", 7 }, { "persistent (type 12)", 12 },
		{ "type 9", 9 }, { "type 20", 20 },
		{ "soft reserved", PMM_MEM_SOFT_RESERVED },
	};
	char text[2048], name[32];
	size_t off = 0;
	unsigned int i, n = sizeof(t) / sizeof(t[0]);

	(void)state;
	for (i = 0; i < n; i++)
		off += (size_t)snprintf(text + off, sizeof(text) - off,
					"BIOS-e820: [mem 0x%x-0x%x] %s\n",
					i * 0x1000, i * 0x1000 + 0xfff, t[i].word);
	assert_int_equal(parse(text), 0);
	assert_int_equal(m.nr, n);
	for (i = 0; i < n; i++) {
		expect_entry(i, i * 0x1000, (i + 1) * 0x1000, t[i].type);
		/* ...and pmm_mem_type_name prints the same words back. */
		assert_string_equal(pmm_mem_type_name(t[i].type, name,
						      sizeof(name)), t[i].word);
	}
}

/* The last byte of the address space: the end clips to 2^64 - 1. */
static void test_memmap_dmesg_top_of_address_space(void **state)
{
	(void)state;
	assert_int_equal(parse("BIOS-e820: [mem 0xfffffffffff00000-0xffffffffffffffff] reserved\n"), 0);
	expect_entry(0, 0xfffffffffff00000ull, UINT64_MAX, PMM_MEM_RESERVED);
}

static void test_memmap_dmesg_srat(void **state)
{
	(void)state;
	assert_int_equal(parse(
		MAP2("")
		"[    0.041933] ACPI: SRAT: Node 0 PXM 0 [mem 0x00000000-0x0009ffff]\n"
		"[    0.041935] SRAT: Node 1 PXM 3 [mem 0x100000000-0x847ffffff] hotplug\n"
		"[    0.041936] SRAT: Node 2 PXM 2 [mem 0x848000000-0x947ffffff] hotplug non-volatile\n"
		"[    0.041937] SRAT: Node 3 PXM 3 [mem 0x948000000-0x957ffffff] Hot Pluggable\n"
		"[    0.041938] SRAT: PXM 0 -> APIC 0x00 -> Node 0\n"
		"[    0.041939] NUMA: Node 0 [mem 0x00000000-0x0009ffff] + [mem 0x00100000-0xb7ffffff] -> [mem 0x00000000-0xb7ffffff]\n"
		/* the same range again (a second boot in the file): fine */
		"[    0.041940] ACPI: SRAT: Node 0 PXM 0 [mem 0x00000000-0x0009ffff]\n"), 0);
	expect_map2();
	assert_int_equal(m.nr_numa, 4);
	assert_int_equal(m.numa[0].start, 0);
	assert_int_equal(m.numa[0].end, 0xa0000);
	assert_int_equal(m.numa[0].nid, 0);
	assert_false(m.numa[0].hotplug);
	assert_int_equal(m.numa[1].start, 0x100000000ull);
	assert_int_equal(m.numa[1].end, 0x848000000ull);
	assert_int_equal(m.numa[1].nid, 1);
	assert_int_equal(m.numa[1].pxm, 3);
	assert_true(m.numa[1].hotplug);
	assert_true(m.numa[2].hotplug);
	assert_true(m.numa[3].hotplug);
	assert_int_equal(pmm_memmap_node_of(&m, 0x9ffff), 0);
	assert_int_equal(pmm_memmap_node_of(&m, 0xa0000), -1);
	assert_int_equal(pmm_memmap_node_of(&m, 0x847ffffffull), 1);
	assert_int_equal(pmm_memmap_node_of(&m, 0x848000000ull), 2);
}

/* 2.6.32 printed "SRAT: Node 0 PXM 0 0-a0000" (end exclusive). */
static void test_memmap_dmesg_srat_old_form(void **state)
{
	(void)state;
	assert_int_equal(parse(MAP2("")
			       "SRAT: Node 0 PXM 0 0-a0000\n"
			       "SRAT: Node 1 PXM 1 100000000-200000000\n"), 0);
	assert_int_equal(m.nr_numa, 2);
	assert_int_equal(m.numa[0].end, 0xa0000);
	assert_int_equal(m.numa[1].start, 0x100000000ull);
	assert_int_equal(m.numa[1].end, 0x200000000ull);
}

/*
 *   node 0: |0x0 ........ 0x1fffffff|
 *   node 1:            |0x10000000 ...... 0x2fffffff|   <- overlap: error
 */
static void test_memmap_dmesg_srat_overlap(void **state)
{
	(void)state;
	expect_fail(MAP2("")
		    "SRAT: Node 0 PXM 0 [mem 0x00000000-0x1fffffff]\n"
		    "SRAT: Node 1 PXM 1 [mem 0x10000000-0x2fffffff]\n",
		    PMM_EPARSE, 4, "overlaps node 0");
}

static void test_memmap_dmesg_srat_malformed(void **state)
{
	(void)state;
	expect_fail(MAP2("") "SRAT: Node 0 PXM 0 [mem 0x00000000-0x1ffzz]\n",
		    PMM_EPARSE, 3, "unexpected text in the bracket");
	expect_fail(MAP2("") "SRAT: Node 0 PXM 0 [mem 0x2000-0x1fff]\n",
		    PMM_EPARSE, 3, "end before start");
	expect_fail(MAP2("") "SRAT: Node 0 PXM 0 [mem 0x0-0x1fff] hotplugged\n",
		    PMM_EPARSE, 3, "after the range");
	expect_fail(MAP2("") "SRAT: Node 999 PXM 0 [mem 0x0-0x1fff]\n",
		    PMM_EFULL, 3, "PMM_MAX_NUMNODES");
}

/*
 * Several maps in one log: only the first BIOS-e820 run is used; the
 * modified, user-defined and extended maps and a later BIOS run (a second
 * boot appended to the file) are counted, one per block.
 */
static void test_memmap_dmesg_several_maps(void **state)
{
	(void)state;
	assert_int_equal(parse(
		"[    0.000000] e820: BIOS-provided physical RAM map:\n"
		MAP2("[    0.000000] ")
		"[    0.000000] BIOS-e820: [mem 0x0000000000100000-0x000000007fffffff] usable\n"
		"[    0.000000] e820: update [mem 0x00000000-0x00000fff] usable ==> reserved\n"
		"[    0.000000] e820: remove [mem 0x000a0000-0x000fffff] usable\n"
		"[    0.000000] user-defined physical RAM map:\n"
		"[    0.000000] user: [mem 0x0000000000000000-0x000000000009fbff] usable\n"
		"[    0.000000] user: [mem 0x0000000000100000-0x000000003fffffff] usable\n"
		"[    0.000000] extended physical RAM map:\n"
		"[    0.000000] reserve setup_data: [mem 0x0000000000000000-0x000000000009fbff] usable\n"
		"[    0.000000] reserve setup_data: [mem 0x000000000009fc00-0x000000000009ffff] reserved\n"
		"[    0.000000] e820: modified physical RAM map:\n"
		"[    0.000000] modified: [mem 0x0000000000000000-0x0000000000000fff] reserved\n"
		"[    0.000000] modified: [mem 0x0000000000001000-0x000000000009fbff] usable\n"
		"[    5.000000] audit: user: [mem not a map] usable\n"
		"[    0.000000] BIOS-provided physical RAM map:\n"
		"[    0.000000] BIOS-e820: [mem 0x0000000000000000-0x000000000009fbff] usable\n"
		"[    0.000000] BIOS-e820: [mem 0x0000000000100000-0x00000000ffffffff] usable\n"), 0);
	assert_int_equal(m.nr, 3);
	expect_entry(2, 0x100000, 0x80000000, PMM_MEM_USABLE);
	assert_int_equal(m.ignored_maps, 4);
}

/* Old-form modified map (2.6) counts as a map too. */
static void test_memmap_dmesg_several_maps_old_form(void **state)
{
	(void)state;
	assert_int_equal(parse(
		" BIOS-e820: 0000000000000000 - 000000000009f800 (usable)\n"
		" BIOS-e820: 0000000000100000 - 00000000bff70000 (usable)\n"
		"modified physical RAM map:\n"
		" modified: 0000000000000000 - 0000000000010000 (reserved)\n"
		" modified: 0000000000010000 - 000000000009f800 (usable)\n"), 0);
	assert_int_equal(m.nr, 2);
	assert_int_equal(m.ignored_maps, 1);
}

/* A blank line inside the BIOS run does not split it. */
static void test_memmap_dmesg_blank_line_in_block(void **state)
{
	(void)state;
	assert_int_equal(parse("BIOS-e820: [mem 0x0-0x9fbff] usable\n"
			       "   \n"
			       "BIOS-e820: [mem 0x9fc00-0x9ffff] reserved\n"), 0);
	expect_map2();
}

static void test_memmap_dmesg_malformed_bad_hex(void **state)
{
	(void)state;
	expect_fail("[    0.000000] BIOS-provided physical RAM map:\n"
		    "[    0.000000] BIOS-e820: [mem 0x0000000000000000-0x000000000009fbff] usable\n"
		    "[    0.000000] BIOS-e820: [mem 0xg000000000000000-0x000000000009ffff] reserved\n",
		    PMM_EPARSE, 3, "bad start address");
	expect_fail("BIOS-e820: [mem 0x0-0x] usable\n", PMM_EPARSE, 1,
		    "bad end address");
	expect_fail("BIOS-e820: [mem 00-0x10] usable\n", PMM_EPARSE, 1,
		    "bad start address");
}

static void test_memmap_dmesg_malformed_end_before_start(void **state)
{
	(void)state;
	expect_fail("x\ny\nBIOS-e820: [mem 0x2000-0x1fff] usable\n", PMM_EPARSE,
		    3, "end before start");
	expect_fail(" BIOS-e820: 0000000000002000 - 0000000000001000 (usable)\n",
		    PMM_EPARSE, 1, "end before start");
}

static void test_memmap_dmesg_malformed_unknown_type(void **state)
{
	(void)state;
	expect_fail(MAP2("") "BIOS-e820: [mem 0xa0000-0xfffff] usabel\n",
		    PMM_EPARSE, 3, "unknown type 'usabel'");
	expect_fail("BIOS-e820: [mem 0xa0000-0xfffff] type\n", PMM_EPARSE, 1,
		    "unknown type");
	expect_fail("BIOS-e820: [mem 0xa0000-0xfffff] type 99999999999\n",
		    PMM_EPARSE, 1, "unknown type");
	expect_fail("BIOS-e820: [mem 0xa0000-0xfffff] usable reserved\n",
		    PMM_EPARSE, 1, "unknown type");
	expect_fail("BIOS-e820: [mem 0xa0000-0xfffff]\n", PMM_EPARSE, 1,
		    "unknown type");
	expect_fail(" BIOS-e820: 0000000000000000 - 000000000009f800 (usable\n",
		    PMM_EPARSE, 1, "unknown type");
}

static void test_memmap_dmesg_malformed_bracket_garbage(void **state)
{
	(void)state;
	expect_fail("BIOS-e820: [mem 0x0-0x9fbff foo] usable\n", PMM_EPARSE, 1,
		    "unexpected text in the bracket");
	expect_fail("BIOS-e820: [mem 0x0 - 0x9fbff] usable\n", PMM_EPARSE, 1,
		    "expected '-'");
	expect_fail("BIOS-e820: [memory 0x0-0x9fbff] usable\n", PMM_EPARSE, 1,
		    "expected '[mem '");
	expect_fail("BIOS-e820: (mem 0x0-0x9fbff) usable\n", PMM_EPARSE, 1,
		    "expected '[mem' or a hex address");
	expect_fail("BIOS-e820:\n", PMM_EPARSE, 1,
		    "expected '[mem' or a hex address");
}

/* 17 hex digits is an error even when the value would fit. */
static void test_memmap_dmesg_malformed_long_hex(void **state)
{
	(void)state;
	expect_fail("BIOS-e820: [mem 0x00000000000000000-0x9fbff] usable\n",
		    PMM_EPARSE, 1, "longer than 16 hex digits");
	expect_fail("BIOS-e820: [mem 0x0-0x1000000000000000000000000] usable\n",
		    PMM_EPARSE, 1, "end address longer than 16 hex digits");
}

/* A map already in @m stays exactly as it was when a later line fails. */
static void test_memmap_dmesg_failure_keeps_existing(void **state)
{
	(void)state;
	assert_int_equal(pmm_memmap_add(&m, 0x1000000, 0x2000000, 2), 0);
	m.numa[0].end = 0x1000; /* one NUMA range already there */
	m.numa[0].nid = 5;
	m.nr_numa = 1;
	expect_fail(MAP2("") "SRAT: Node 1 PXM 1 [mem 0x2000-0x3fff]\n"
		    "SRAT: Node 2 PXM 2 [mem 0x0-0xfff]\n"
		    "BIOS-e820: [mem 0x0-0x9fbff] bogus\n",
		    PMM_EPARSE, 4, "overlaps node 5");
}

static void test_memmap_dmesg_no_map(void **state)
{
	(void)state;
	expect_fail("[    0.000000] Linux version 6.3.1\n"
		    "[    0.000000] e820: update [mem 0x00000000-0x00000fff] usable ==> reserved\n"
		    "[    0.000000] Command line: BOOT_IMAGE=/vmlinuz\n",
		    PMM_EPARSE, 0, "no BIOS-e820 memory map lines found");
	expect_fail("", PMM_EPARSE, 0, "no BIOS-e820 memory map lines found");
	/* Other maps alone are no BIOS map either. */
	expect_fail("user: [mem 0x0-0x9fbff] usable\n", PMM_EPARSE, 0,
		    "no BIOS-e820");
	assert_int_equal(pmm_memmap_parse_dmesg(&m, NULL, 0, NULL), PMM_EPARSE);
	assert_int_equal(pmm_memmap_parse_dmesg(&m, NULL, 5, &err), PMM_EINVAL);
	assert_int_equal(pmm_memmap_parse_dmesg(NULL, "x", 1, &err), PMM_EINVAL);
}

/*
 * The buffer ends without a NUL or newline; parse a map cut short at every
 * length: each prefix either parses or fails cleanly (ASan checks reads).
 */
static void test_memmap_dmesg_not_nul_terminated(void **state)
{
	static const char text[] = MAP2("[    0.000000] ")
		"SRAT: Node 0 PXM 0 [mem 0x00000000-0x0009ffff] hotplug";
	size_t len = sizeof(text) - 1, cut;

	(void)state;
	for (cut = 0; cut <= len; cut++) {
		char *buf = malloc(cut ? cut : 1);
		int ret;

		memcpy(buf, text, cut);
		pmm_memmap_init(&m);
		ret = pmm_memmap_parse_dmesg(&m, buf, cut, &err);
		free(buf);
		assert_true(ret == 0 || ret == PMM_EPARSE);
	}
	assert_int_equal(m.nr, 2);
	assert_int_equal(m.nr_numa, 1);
	assert_true(m.numa[0].hotplug);
}

/* Too many entries: PMM_EFULL names the setting to raise. */
static void test_memmap_dmesg_too_many_entries(void **state)
{
	size_t cap = (PMM_MEMMAP_MAX + 1) * 64, off = 0;
	char *text = malloc(cap);
	unsigned int i;

	(void)state;
	for (i = 0; i <= PMM_MEMMAP_MAX; i++)
		off += (size_t)snprintf(text + off, cap - off,
					"BIOS-e820: [mem 0x%x-0x%x] reserved\n",
					i * 0x2000, i * 0x2000 + 0xfff);
	before = m;
	assert_int_equal(pmm_memmap_parse_dmesg(&m, text, off, &err), PMM_EFULL);
	assert_memory_equal(&m, &before, sizeof(m));
	assert_int_equal(err.line, PMM_MEMMAP_MAX + 1);
	assert_non_null(strstr(err.msg, "PMM_MEMMAP_MAX"));
	free(text);
}

/*
 * Arbitrary bytes: random text and a real map with random bytes changed.
 * Nothing may crash or read outside the buffer; a failure leaves the map
 * as it was.
 */
static void test_memmap_dmesg_random_bytes(void **state)
{
	static const char seed[] =
		"[    0.000000] BIOS-e820: [mem 0x0000000000000000-0x000000000009fbff] usable\n"
		" BIOS-e820: 000000000009f800 - 00000000000a0000 (reserved)\n"
		"ACPI: SRAT: Node 0 PXM 0 [mem 0x00000000-0x0009ffff] hotplug\n"
		"modified: [mem 0x0-0xfff] persistent (type 12)\n";
	static const char alphabet[] = "0123456789abcdefx[]-() \n\r\tmeBIOS:usable";
	unsigned int round;

	(void)state;
	srand(4242);
	for (round = 0; round < 3000; round++) {
		size_t len = sizeof(seed) - 1, i;
		char *buf = malloc(len);
		int ret;

		memcpy(buf, seed, len);
		for (i = 0; i < 1 + (size_t)rand() % 6; i++) {
			size_t at = (size_t)rand() % len;

			buf[at] = (rand() & 1) ? (char)rand()
					       : alphabet[rand() % (int)(sizeof(alphabet) - 1)];
		}
		len = (size_t)rand() % (len + 1);
		pmm_memmap_init(&m);
		before = m;
		ret = pmm_memmap_parse_dmesg(&m, buf, len, &err);
		if (ret)
			assert_memory_equal(&m, &before, sizeof(m));
		assert_true(ret == 0 || ret == PMM_EPARSE || ret == PMM_EFULL);
		free(buf);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_memmap_dmesg_prefix_timestamp, setup),
		cmocka_unit_test_setup(test_memmap_dmesg_prefix_syslog_level, setup),
		cmocka_unit_test_setup(test_memmap_dmesg_prefix_syslog_file, setup),
		cmocka_unit_test_setup(test_memmap_dmesg_prefix_level_and_time, setup),
		cmocka_unit_test_setup(test_memmap_dmesg_no_prefix_crlf, setup),
		cmocka_unit_test_setup(test_memmap_dmesg_old_format, setup),
		cmocka_unit_test_setup(test_memmap_dmesg_old_format_empty_entry, setup),
		cmocka_unit_test_setup(test_memmap_dmesg_type_words, setup),
		cmocka_unit_test_setup(test_memmap_dmesg_top_of_address_space, setup),
		cmocka_unit_test_setup(test_memmap_dmesg_srat, setup),
		cmocka_unit_test_setup(test_memmap_dmesg_srat_old_form, setup),
		cmocka_unit_test_setup(test_memmap_dmesg_srat_overlap, setup),
		cmocka_unit_test_setup(test_memmap_dmesg_srat_malformed, setup),
		cmocka_unit_test_setup(test_memmap_dmesg_several_maps, setup),
		cmocka_unit_test_setup(test_memmap_dmesg_several_maps_old_form, setup),
		cmocka_unit_test_setup(test_memmap_dmesg_blank_line_in_block, setup),
		cmocka_unit_test_setup(test_memmap_dmesg_malformed_bad_hex, setup),
		cmocka_unit_test_setup(test_memmap_dmesg_malformed_end_before_start, setup),
		cmocka_unit_test_setup(test_memmap_dmesg_malformed_unknown_type, setup),
		cmocka_unit_test_setup(test_memmap_dmesg_malformed_bracket_garbage, setup),
		cmocka_unit_test_setup(test_memmap_dmesg_malformed_long_hex, setup),
		cmocka_unit_test_setup(test_memmap_dmesg_failure_keeps_existing, setup),
		cmocka_unit_test_setup(test_memmap_dmesg_no_map, setup),
		cmocka_unit_test_setup(test_memmap_dmesg_not_nul_terminated, setup),
		cmocka_unit_test_setup(test_memmap_dmesg_too_many_entries, setup),
		cmocka_unit_test_setup(test_memmap_dmesg_random_bytes, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
