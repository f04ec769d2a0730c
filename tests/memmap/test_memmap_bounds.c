/* SPDX-License-Identifier: MIT */
/*
 * test_memmap_bounds.c - the limits of the memmap layer, one case per
 * boundary (issue 17, docs/mutation.md): the first entry past nr and past
 * nr_numa is never read, an output of exactly PMM_MEMMAP_MAX entries fits
 * and one more does not, an entry starting exactly at the limit vanishes,
 * node PMM_MAX_NUMNODES - 1 is taken and PMM_MAX_NUMNODES refused, the
 * NUMA table holds exactly PMM_NUMA_MAX ranges, touching ranges of two
 * nodes do not overlap, and the log parser never reads past @len.
 *
 * Addresses are in pages of 4 KiB unless a case says otherwise.
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

#define PG 0x1000ull

/* The map under test, a copy to compare with, and the parser's message. */
static struct pmm_memmap m, before;
static struct pmm_parse_error err;

/* Each case starts from an empty map and an empty message. */
static int setup(void **state)
{
	static const struct pmm_parse_error no_error;

	(void)state;
	err = no_error;
	pmm_memmap_init(&m);
	return 0;
}

/* Parse the first @len bytes of @s from a heap copy of all of @s. */
static int parse_prefix(const char *s, size_t len)
{
	size_t all = strlen(s);
	char *buf = malloc(all + 1);
	int ret;

	assert_non_null(buf);
	memcpy(buf, s, all + 1);
	ret = pmm_memmap_parse_dmesg(&m, buf, len, &err);
	free(buf);
	return ret;
}

static int parse(const char *s)
{
	return parse_prefix(s, strlen(s));
}

static void expect_msg(const char *want)
{
	if (strcmp(err.msg, want) != 0)
		fail_msg("message '%s', want '%s'", err.msg, want);
}

/* ---- add_size ---------------------------------------------------------- */

/* Type 0 is refused before the empty size is looked at. */
static void test_bounds_add_size_type0_empty(void **state)
{
	(void)state;
	assert_int_equal(pmm_memmap_add_size(&m, PG, 0, 0), PMM_EINVAL);
	assert_int_equal(pmm_memmap_add_size(NULL, PG, 0, PMM_MEM_USABLE),
			 PMM_EINVAL);
	assert_int_equal(m.nr, 0);
}

/* ---- the first entry past nr --------------------------------------------- */

/*
 * A stale entry right past nr (a caller shrank nr) is not part of the map:
 *   entry[0]  [0, 4)     usable
 *   entry[1]  [8, 12)    reserved   <- nr = 1, never read
 */
static void stale_entry_past_nr(void)
{
	assert_int_equal(pmm_memmap_add(&m, 0, 4 * PG, PMM_MEM_USABLE), 0);
	assert_int_equal(pmm_memmap_add(&m, 8 * PG, 12 * PG, PMM_MEM_USABLE), 0);
	m.nr = 1;
}

/*
 * For the sanitizer the stale entry past nr is a reserved page at 0, where
 * it would beat the usable entry if it were read:
 *   entry[0]  [0, 4)  usable
 *   entry[1]  [0, 1)  reserved   <- nr = 1, never read
 */
static void test_bounds_sanitize_ignores_entry_past_nr(void **state)
{
	(void)state;
	assert_int_equal(pmm_memmap_add(&m, 0, 4 * PG, PMM_MEM_USABLE), 0);
	assert_int_equal(pmm_memmap_add(&m, 0, PG, PMM_MEM_RESERVED), 0);
	m.nr = 1;
	assert_int_equal(pmm_memmap_sanitize(&m, 0), 0);
	assert_int_equal(m.nr, 1);
	assert_int_equal(m.entry[0].start, 0);
	assert_int_equal(m.entry[0].end, 4 * PG);
	assert_int_equal(m.entry[0].type, PMM_MEM_USABLE);
}

static void test_bounds_queries_ignore_entry_past_nr(void **state)
{
	(void)state;
	stale_entry_past_nr();
	assert_int_equal(pmm_memmap_end_of_ram(&m), 4 * PG);
	assert_int_equal(pmm_memmap_usable_bytes(&m), 4 * PG);
}

/* An empty usable entry above the RAM is not the end of RAM. */
static void test_bounds_end_of_ram_skips_empty_entry(void **state)
{
	(void)state;
	assert_int_equal(pmm_memmap_add(&m, 0, 4 * PG, PMM_MEM_USABLE), 0);
	m.entry[1].start = 16 * PG;
	m.entry[1].end = 16 * PG;
	m.entry[1].type = PMM_MEM_USABLE;
	m.nr = 2;
	assert_int_equal(pmm_memmap_end_of_ram(&m), 4 * PG);
	assert_int_equal(pmm_memmap_sanitize(&m, 0), 0);
	assert_int_equal(m.nr, 1);
}

/*
 * nr above PMM_MEMMAP_MAX (a corrupt map): the queries stop at the table's
 * end. The words right after the table (nr, then numa[0]) are shaped so
 * that reading them as one more entry would count as usable RAM.
 */
static void test_bounds_queries_stop_at_memmap_max(void **state)
{
	(void)state;
	for (unsigned int i = 0; i < PMM_MEMMAP_MAX; i++) {
		m.entry[i].start = i * PG;
		m.entry[i].end = i * PG + 1;
		m.entry[i].type = PMM_MEM_RESERVED;
	}
	m.nr = PMM_MEMMAP_MAX + 1;
	m.numa[0].start = 0x7fff0000ull << 16;
	m.numa[0].end = PMM_MEM_USABLE;
	assert_int_equal(pmm_memmap_usable_bytes(&m), 0);
	assert_int_equal(pmm_memmap_end_of_ram(&m), 0);
}

/* ---- NUMA lookups ---------------------------------------------------------- */

/* numa[1] is stale (nr_numa = 1): its range is in no node. */
static void test_bounds_node_of_ignores_range_past_nr_numa(void **state)
{
	(void)state;
	m.numa[0] = (struct pmm_numa_range){ 0, 4 * PG, 0, 0, false };
	m.numa[1] = (struct pmm_numa_range){ 4 * PG, 8 * PG, 1, 1, false };
	m.nr_numa = 1;
	assert_int_equal(pmm_memmap_node_of(&m, 4 * PG - 1), 0);
	assert_int_equal(pmm_memmap_node_of(&m, 4 * PG), PMM_NUMA_NO_NODE);
}

/*
 * nr_numa above PMM_NUMA_MAX (corrupt): the lookup stops at the table's
 * end; the fields after it, read as one more range, would cover pa 0x100.
 */
static void test_bounds_node_of_stops_at_numa_max(void **state)
{
	(void)state;
	for (unsigned int i = 0; i < PMM_NUMA_MAX; i++)
		m.numa[i] = (struct pmm_numa_range){ 1ull << 40, (1ull << 40) + 1,
						     1, 1, false };
	m.nr_numa = PMM_NUMA_MAX + 1;
	m.ignored_maps = 0;
	m.dropped_bytes = 1ull << 20;
	m.trimmed_bytes = 7;
	assert_int_equal(pmm_memmap_node_of(&m, 0x100), PMM_NUMA_NO_NODE);
}

/* ---- the sanitizer's limits ------------------------------------------------- */

/*
 * Usable [0, 2k + 1) with reserved pages 1, 3, ..., 2k - 1: 2k + 1 output
 * entries from k + 1 input entries.
 */
static void comb(unsigned int k)
{
	assert_int_equal(pmm_memmap_add(&m, 0, (2 * k + 1) * PG, PMM_MEM_USABLE), 0);
	for (unsigned int i = 0; i < k; i++)
		assert_int_equal(pmm_memmap_add(&m, (2 * i + 1) * PG,
						(2 * i + 2) * PG, PMM_MEM_RESERVED), 0);
}

/* An output of PMM_MEMMAP_MAX - 1 entries, the largest odd one, fits. */
static void test_bounds_sanitize_output_last_fit(void **state)
{
	(void)state;
	comb(PMM_MEMMAP_MAX / 2 - 1);
	assert_int_equal(pmm_memmap_sanitize(&m, 0), 0);
	assert_int_equal(m.nr, PMM_MEMMAP_MAX - 1);
	assert_int_equal(m.entry[PMM_MEMMAP_MAX - 2].type, PMM_MEM_USABLE);
}

/* Exactly PMM_MEMMAP_MAX output entries fit (the last usable page cut). */
static void test_bounds_sanitize_output_exactly_max(void **state)
{
	(void)state;
	comb(PMM_MEMMAP_MAX / 2);
	assert_int_equal(pmm_memmap_sanitize(&m, PMM_MEMMAP_MAX * PG), 0);
	assert_int_equal(m.nr, PMM_MEMMAP_MAX);
	assert_int_equal(m.dropped_bytes, PG);
}

/* PMM_MEMMAP_MAX + 1 output entries: PMM_EFULL and the map unchanged. */
static void test_bounds_sanitize_output_max_plus_one(void **state)
{
	(void)state;
	comb(PMM_MEMMAP_MAX / 2);
	before = m;
	assert_int_equal(pmm_memmap_sanitize(&m, 0), PMM_EFULL);
	assert_memory_equal(&m, &before, sizeof(m));
}

/* A reserved entry starting exactly at the limit vanishes entirely. */
static void test_bounds_sanitize_entry_at_limit(void **state)
{
	(void)state;
	assert_int_equal(pmm_memmap_add(&m, 0, 8 * PG, PMM_MEM_USABLE), 0);
	assert_int_equal(pmm_memmap_add(&m, 8 * PG, 9 * PG, PMM_MEM_RESERVED), 0);
	assert_int_equal(pmm_memmap_sanitize(&m, 8 * PG), 0);
	assert_int_equal(m.nr, 1);
	assert_int_equal(m.entry[0].end, 8 * PG);
	assert_int_equal(m.dropped_bytes, 0);
}

/* ---- dmesg: hex digits, old form ------------------------------------------ */

#define BIOS0 "BIOS-e820: [mem 0x0000000000000000-0x0000000000000fff] usable\n"

/* The first and last upper-case hex digits, A and F. */
static void test_bounds_dmesg_hex_upper_a_f(void **state)
{
	(void)state;
	assert_int_equal(parse("BIOS-e820: [mem 0xA000-0xAFFF] usable\n"
			       "BIOS-e820: [mem 0xF000-0xFFFF] reserved\n"), 0);
	assert_int_equal(m.nr, 2);
	assert_int_equal(m.entry[0].start, 0xa000);
	assert_int_equal(m.entry[0].end, 0xb000);
	assert_int_equal(m.entry[1].start, 0xf000);
	assert_int_equal(m.entry[1].end, 0x10000);
}

/* Old form, with "0x" on both ends and trailing blanks and a DOS "\r". */
static void test_bounds_dmesg_old_form_prefixes(void **state)
{
	(void)state;
	assert_int_equal(parse("BIOS-e820: 0x0000 - 0x1000 (usable)  \r\n"), 0);
	assert_int_equal(m.nr, 1);
	assert_int_equal(m.entry[0].end, 0x1000);
}

/* Old form, end == start: the smallest range, empty, is accepted. */
static void test_bounds_dmesg_old_form_empty(void **state)
{
	(void)state;
	assert_int_equal(parse(BIOS0 "BIOS-e820: 2000 - 2000 (usable)\n"), 0);
	assert_int_equal(m.nr, 1);
}

/* Old form, the end number right at the end of the line: no type. */
static void test_bounds_dmesg_old_form_ends_at_number(void **state)
{
	(void)state;
	assert_int_equal(parse("BIOS-e820: 0 - 1000\n"), PMM_EPARSE);
	expect_msg("line 1: BIOS-e820: unknown type ''");
}

/* Modern form with blanks and no type: the quoted type is empty. */
static void test_bounds_dmesg_modern_no_type(void **state)
{
	(void)state;
	assert_int_equal(parse("BIOS-e820: [mem 0x0-0xfff]   \n"
			       "some longer line that follows, with text\n"), PMM_EPARSE);
	expect_msg("line 1: BIOS-e820: unknown type ''");
}

/* The largest type number, 2^32 - 1, is taken; 2^32 is not a number. */
static void test_bounds_dmesg_type_u32_max(void **state)
{
	(void)state;
	assert_int_equal(parse("BIOS-e820: [mem 0x0-0xfff] type 4294967295\n"), 0);
	assert_int_equal(m.entry[0].type, UINT32_MAX);
	pmm_memmap_init(&m);
	assert_int_equal(parse("BIOS-e820: [mem 0x0-0xfff] type 4294967296\n"), PMM_EPARSE);
}

/* Modern form, end == start: one byte (the end is inclusive). */
static void test_bounds_dmesg_modern_one_byte(void **state)
{
	(void)state;
	assert_int_equal(parse("BIOS-e820: [mem 0x1000-0x1000] reserved\n"), 0);
	assert_int_equal(m.entry[0].start, 0x1000);
	assert_int_equal(m.entry[0].end, 0x1001);
}

/* ---- dmesg: the quote in messages ------------------------------------------ */

#define LONG_TYPE "abcdefghijklmnopqrstuvwxyz0123456789"
#define LONG_TYPE33 "abcdefghijklmnopqrstuvwxyz0123456"

/* 36 and 33 bad characters are quoted as their first 32; then a short quote. */
static void test_bounds_dmesg_quote_32_chars(void **state)
{
	(void)state;
	assert_int_equal(parse("BIOS-e820: [mem 0x0-0xfff] " LONG_TYPE "\n"),
			 PMM_EPARSE);
	expect_msg("line 1: BIOS-e820: unknown type "
		   "'abcdefghijklmnopqrstuvwxyz012345'");
	pmm_memmap_init(&m);
	assert_int_equal(parse("BIOS-e820: [mem 0x0-0xfff] " LONG_TYPE33 "\n"), PMM_EPARSE);
	expect_msg("line 1: BIOS-e820: unknown type "
		   "'abcdefghijklmnopqrstuvwxyz012345'");
	pmm_memmap_init(&m);
	assert_int_equal(parse("BIOS-e820: [mem 0x0-0xfff] xy\n"), PMM_EPARSE);
	expect_msg("line 1: BIOS-e820: unknown type 'xy'");
}

/* ---- dmesg: never past len ------------------------------------------------- */

/* A decimal type number cut by len: "type 1" of "type 12". */
static void test_bounds_dmesg_len_cuts_decimal(void **state)
{
	static const char s[] = "BIOS-e820: [mem 0x0-0xfff] type 12";

	(void)state;
	assert_int_equal(parse_prefix(s, sizeof(s) - 2), 0);
	assert_int_equal(m.entry[0].type, 1);
}

/* A hex end cut by len: SRAT range 0-9ff of "0-9fff". */
static void test_bounds_dmesg_len_cuts_hex(void **state)
{
	static const char s[] = BIOS0 "SRAT: Node 0 PXM 0 0-9fff";

	(void)state;
	assert_int_equal(parse_prefix(s, sizeof(s) - 2), 0);
	assert_int_equal(m.nr_numa, 1);
	assert_int_equal(m.numa[0].end, 0x9ff);
}

/* SRAT "Node 0 PXM 0" cut by len before its range: the line is skipped. */
static void test_bounds_dmesg_len_cuts_before_srat_range(void **state)
{
	static const char s[] = BIOS0 "SRAT: Node 0 PXM 0 [mem 0x0-0xfff]";

	(void)state;
	assert_int_equal(parse_prefix(s, strlen(BIOS0) + strlen("SRAT: Node 0 PXM 0")), 0);
	assert_int_equal(m.nr_numa, 0);
}

/* "BIOS-e820:" cut by len right before a '[' or a hex digit. */
static void test_bounds_dmesg_len_cuts_after_label(void **state)
{
	static const char modern[] = "BIOS-e820:[mem 0x0-0xfff] usable";
	static const char old[] = "BIOS-e820:0 - 1000 (usable)";

	(void)state;
	assert_int_equal(parse_prefix(modern, strlen("BIOS-e820:")), PMM_EPARSE);
	expect_msg("line 1: BIOS-e820: expected '[mem' or a hex address");
	assert_int_equal(parse_prefix(old, strlen("BIOS-e820:")), PMM_EPARSE);
	expect_msg("line 1: BIOS-e820: expected '[mem' or a hex address");
}

/* ---- dmesg: SRAT node ids and ranges ------------------------------------------ */

/* Node PMM_MAX_NUMNODES - 1 is the last taken, PMM_MAX_NUMNODES refused. */
static void test_bounds_dmesg_srat_last_node(void **state)
{
	char text[256];

	(void)state;
	snprintf(text, sizeof(text), BIOS0 "SRAT: Node %d PXM 0 [mem 0x0-0xfff]\n",
		 PMM_MAX_NUMNODES - 1);
	assert_int_equal(parse(text), 0);
	assert_int_equal(m.numa[0].nid, PMM_MAX_NUMNODES - 1);
	pmm_memmap_init(&m);
	snprintf(text, sizeof(text), BIOS0 "SRAT: Node %d PXM 0 [mem 0x0-0xfff]\n",
		 PMM_MAX_NUMNODES);
	assert_int_equal(parse(text), PMM_EFULL);
	assert_int_equal(m.nr_numa, 0);
}

/* An SRAT line whose text after "PXM n" is no range is skipped. */
static void test_bounds_dmesg_srat_no_range_skipped(void **state)
{
	(void)state;
	assert_int_equal(parse(BIOS0 "SRAT: Node 0 PXM 0 zz\n"), 0);
	assert_int_equal(m.nr_numa, 0);
}

/* Node 1's range ends exactly where node 0's begins: no overlap. */
static void test_bounds_dmesg_srat_touching_nodes(void **state)
{
	(void)state;
	assert_int_equal(parse(BIOS0 "SRAT: Node 1 PXM 1 [mem 0x1000-0x1fff]\n"
			       "SRAT: Node 0 PXM 0 [mem 0x0-0xfff]\n"), 0);
	assert_int_equal(m.nr_numa, 2);
}

/* One byte of overlap names the other node's inclusive range. */
static void test_bounds_dmesg_srat_overlap_message(void **state)
{
	(void)state;
	assert_int_equal(parse(BIOS0 "SRAT: Node 1 PXM 1 [mem 0x1000-0x1fff]\n"
			       "SRAT: Node 0 PXM 0 [mem 0x0-0x1000]\n"), PMM_EPARSE);
	expect_msg("line 3: SRAT: node 0 range overlaps node 1 at "
		   "[mem 0x1000-0x1fff]");
}

/* Same node, same start, another end: not a duplicate, both kept. */
static void test_bounds_dmesg_srat_same_start_not_duplicate(void **state)
{
	(void)state;
	assert_int_equal(parse(BIOS0 "SRAT: Node 0 PXM 0 [mem 0x0-0xfff]\n"
			       "SRAT: Node 0 PXM 0 [mem 0x0-0x1fff]\n"
			       "SRAT: Node 0 PXM 0 [mem 0x0-0x1fff]\n"), 0);
	assert_int_equal(m.nr_numa, 2);
}

/* A stale range right past nr_numa is not compared with new ones. */
static void test_bounds_dmesg_srat_ignores_range_past_nr_numa(void **state)
{
	(void)state;
	m.numa[0] = (struct pmm_numa_range){ 0, 0x10000, 5, 5, false };
	assert_int_equal(parse(BIOS0 "SRAT: Node 0 PXM 0 [mem 0x0-0xfff]\n"), 0);
	assert_int_equal(m.nr_numa, 1);
	assert_int_equal(m.numa[0].nid, 0);
}

/* Exactly PMM_NUMA_MAX ranges fit; one more is PMM_EFULL. */
static void test_bounds_dmesg_srat_numa_max(void **state)
{
	size_t cap = 64 + 64 * (PMM_NUMA_MAX + 1);
	char *text = malloc(cap);
	size_t n;

	(void)state;
	assert_non_null(text);
	n = (size_t)snprintf(text, cap, "%s", BIOS0);
	for (unsigned int i = 0; i < PMM_NUMA_MAX; i++)
		n += (size_t)snprintf(text + n, cap - n,
				      "SRAT: Node 0 PXM 0 [mem 0x%x-0x%x]\n",
				      i * 0x1000u, i * 0x1000u + 0xfffu);
	assert_int_equal(parse(text), 0);
	assert_int_equal(m.nr_numa, PMM_NUMA_MAX);
	pmm_memmap_init(&m);
	snprintf(text + n, cap - n, "SRAT: Node 0 PXM 0 [mem 0x%x-0x%x]\n",
		 PMM_NUMA_MAX * 0x1000u, PMM_NUMA_MAX * 0x1000u + 0xfffu);
	assert_int_equal(parse(text), PMM_EFULL);
	assert_int_equal(m.nr_numa, 0);
	free(text);
}

/* ---- dmesg: other maps and the error record ----------------------------------- */

/* Two "modified:" lines in a row are one other map, a third after a gap another. */
static void test_bounds_dmesg_other_map_runs(void **state)
{
	(void)state;
	assert_int_equal(parse(BIOS0
			       "e820: modified: [mem 0x0-0xfff] usable\n"
			       "e820: modified: [mem 0x1000-0x1fff] usable\n"
			       "unrelated\n"
			       "e820: modified: [mem 0x0-0xfff] usable\n"), 0);
	assert_int_equal(m.ignored_maps, 2);
}

/* A line that mentions a label but does not parse leaves @err alone. */
static void test_bounds_dmesg_failed_probe_keeps_err(void **state)
{
	(void)state;
	strcpy(err.msg, "untouched");
	err.line = 77;
	assert_int_equal(parse(BIOS0 "user: nonsense\n"), 0);
	assert_int_equal(err.line, 77);
	expect_msg("untouched");
}

/* After such a probe, a later failure is still described. */
static void test_bounds_dmesg_err_after_probe(void **state)
{
	(void)state;
	assert_int_equal(parse(BIOS0 "user: nonsense\nBIOS-e820: junk\n"), PMM_EPARSE);
	assert_int_equal(err.line, 3);
}

/* No map: line 0 and the message, whatever @err held before. */
static void test_bounds_dmesg_err_line_zero(void **state)
{
	(void)state;
	err.line = 99;
	assert_int_equal(pmm_memmap_parse_dmesg(NULL, "x", 1, &err), PMM_EINVAL);
	assert_int_equal(err.line, 0);
	expect_msg("no map or no text");
	err.line = 99;
	assert_int_equal(parse("nothing here\n"), PMM_EPARSE);
	assert_int_equal(err.line, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_bounds_add_size_type0_empty, setup),
		cmocka_unit_test_setup(test_bounds_sanitize_ignores_entry_past_nr, setup),
		cmocka_unit_test_setup(test_bounds_queries_ignore_entry_past_nr, setup),
		cmocka_unit_test_setup(test_bounds_end_of_ram_skips_empty_entry, setup),
		cmocka_unit_test_setup(test_bounds_queries_stop_at_memmap_max, setup),
		cmocka_unit_test_setup(test_bounds_node_of_ignores_range_past_nr_numa, setup),
		cmocka_unit_test_setup(test_bounds_node_of_stops_at_numa_max, setup),
		cmocka_unit_test_setup(test_bounds_sanitize_output_last_fit, setup),
		cmocka_unit_test_setup(test_bounds_sanitize_output_exactly_max, setup),
		cmocka_unit_test_setup(test_bounds_sanitize_output_max_plus_one, setup),
		cmocka_unit_test_setup(test_bounds_sanitize_entry_at_limit, setup),
		cmocka_unit_test_setup(test_bounds_dmesg_hex_upper_a_f, setup),
		cmocka_unit_test_setup(test_bounds_dmesg_old_form_prefixes, setup),
		cmocka_unit_test_setup(test_bounds_dmesg_old_form_empty, setup),
		cmocka_unit_test_setup(test_bounds_dmesg_old_form_ends_at_number, setup),
		cmocka_unit_test_setup(test_bounds_dmesg_modern_no_type, setup),
		cmocka_unit_test_setup(test_bounds_dmesg_type_u32_max, setup),
		cmocka_unit_test_setup(test_bounds_dmesg_modern_one_byte, setup),
		cmocka_unit_test_setup(test_bounds_dmesg_quote_32_chars, setup),
		cmocka_unit_test_setup(test_bounds_dmesg_len_cuts_decimal, setup),
		cmocka_unit_test_setup(test_bounds_dmesg_len_cuts_hex, setup),
		cmocka_unit_test_setup(test_bounds_dmesg_len_cuts_before_srat_range, setup),
		cmocka_unit_test_setup(test_bounds_dmesg_len_cuts_after_label, setup),
		cmocka_unit_test_setup(test_bounds_dmesg_srat_last_node, setup),
		cmocka_unit_test_setup(test_bounds_dmesg_srat_no_range_skipped, setup),
		cmocka_unit_test_setup(test_bounds_dmesg_srat_touching_nodes, setup),
		cmocka_unit_test_setup(test_bounds_dmesg_srat_overlap_message, setup),
		cmocka_unit_test_setup(test_bounds_dmesg_srat_same_start_not_duplicate, setup),
		cmocka_unit_test_setup(test_bounds_dmesg_srat_ignores_range_past_nr_numa, setup),
		cmocka_unit_test_setup(test_bounds_dmesg_srat_numa_max, setup),
		cmocka_unit_test_setup(test_bounds_dmesg_other_map_runs, setup),
		cmocka_unit_test_setup(test_bounds_dmesg_failed_probe_keeps_err, setup),
		cmocka_unit_test_setup(test_bounds_dmesg_err_after_probe, setup),
		cmocka_unit_test_setup(test_bounds_dmesg_err_line_zero, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
