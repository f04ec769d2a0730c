/* SPDX-License-Identifier: MIT */
/*
 * test_fw_bounds.c - the limits of the firmware readers, one case per
 * boundary (issue 17, docs/mutation.md): an EFI descriptor covering all of
 * 2^64 from 0, ACPI tables of exactly their minimum length, a 2-byte SRAT
 * subtable, the CPU affinity types that number proximity domains, a SLIT
 * read over an older one, a Multiboot2 range ending at 2^64 - 1 that joins
 * its neighbour, the first format past the names table, a failed read
 * resetting the message's line; in the efi=debug log reader a one-byte
 * range, a text cut at @len and an empty first line; and the Linux 7.0
 * e820 label spans, which end where @n says.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <pmm/firmware.h>
#include "fw_data.h"

#define PG 0x1000ull
#define SRAT_HDR 48u   /* ACPI header and SRAT reserved bytes */
#define SLIT_HDR 44u   /* ACPI header and the locality count */

static struct fw_snap s;
static unsigned char tab[512];

static int setup(void **state)
{
	(void)state;
	fw_snap_reset(&s);
	memset(tab, 0, sizeof(tab));
	return 0;
}

/* An ACPI table header of @sig and @len in tab (checksum left to fix). */
static size_t acpi_table(const char *sig, size_t len)
{
	memcpy(tab, sig, 4);
	fw_put32le(tab + 4, (uint32_t)len);
	return len;
}

/* A SLIT of @n localities, every remote distance @far. */
static size_t slit_table(unsigned int n, uint8_t far)
{
	size_t len = acpi_table("SLIT", SLIT_HDR + n * n);

	fw_put64le(tab + 36, n);
	for (unsigned int i = 0; i < n; i++)
		for (unsigned int j = 0; j < n; j++)
			tab[SLIT_HDR + i * n + j] = i == j ? 10 : far;
	fw_data_acpi_fix_checksum(tab, len);
	return len;
}

/* One EFI descriptor of all 2^64 bytes from 0 is taken (less a byte). */
static void test_efi_whole_address_space(void **state)
{
	static const struct pmm_efi_desc d = {
		PMM_EFI_CONVENTIONAL, 0, 0, 1ull << 52, PMM_EFI_MEMORY_WB,
	};
	unsigned char bin[64];
	size_t len = fw_data_efi_binary(bin, sizeof(bin), &d, 1, 40);

	(void)state;
	assert_int_equal(pmm_memmap_from_efi(&s.m, &s.fw, bin, len, 40, 1, NULL), 0);
	assert_int_equal(s.m.nr, 1);
	assert_int_equal(s.m.entry[0].start, 0);
	assert_int_equal(s.m.entry[0].end, UINT64_MAX);
}

/* A failed read writes line 0 over an older message's line. */
static void test_fw_fail_resets_line(void **state)
{
	unsigned char bin[8] = { 0 };

	(void)state;
	s.err.line = 99;
	assert_int_equal(pmm_memmap_from_efi(&s.m, &s.fw, bin, sizeof(bin), 48, 2,
					     &s.err), PMM_EPARSE);
	assert_int_equal(s.err.line, 0);
}

/* An SRAT of exactly its 48-byte minimum (no subtables) is read. */
static void test_srat_minimum_length(void **state)
{
	size_t len = acpi_table("SRAT", SRAT_HDR);

	(void)state;
	fw_data_acpi_fix_checksum(tab, len);
	assert_int_equal(pmm_memmap_from_srat(&s.m, &s.fw, tab, len, NULL), 0);
	assert_int_equal(s.fw.format, PMM_FW_FMT_SRAT);
	assert_int_equal(s.m.nr_numa, 0);
}

/* A 2-byte subtable of a type pmm does not read (4: GIC ITS) is skipped. */
static void test_srat_two_byte_subtable(void **state)
{
	size_t len = acpi_table("SRAT", SRAT_HDR + 2);

	(void)state;
	tab[SRAT_HDR] = 4;
	tab[SRAT_HDR + 1] = 2;
	fw_data_acpi_fix_checksum(tab, len);
	assert_int_equal(pmm_memmap_from_srat(&s.m, &s.fw, tab, len, NULL), 0);
	assert_int_equal(s.fw.nr_nodes, 0);
}

/*
 * Enabled x2APIC (type 2) and GICC (type 3) affinities number their
 * domains before memory does: PXM 7, 9, then the memory's 4 is node 2.
 */
static void test_srat_cpu_types_number_first(void **state)
{
	size_t len = acpi_table("SRAT", SRAT_HDR + 24 + 18 + 40);
	unsigned char *x2apic = tab + SRAT_HDR, *gicc = x2apic + 24;
	unsigned char *mem = gicc + 18;

	(void)state;
	x2apic[0] = 2;
	x2apic[1] = 24;
	fw_put32le(x2apic + 4, 7);
	fw_put32le(x2apic + 12, 1);
	gicc[0] = 3;
	gicc[1] = 18;
	fw_put32le(gicc + 2, 9);
	fw_put32le(gicc + 10, 1);
	mem[0] = 1;
	mem[1] = 40;
	fw_put32le(mem + 2, 4);
	fw_put64le(mem + 16, 1ull << 30);
	fw_put32le(mem + 28, 1);
	fw_data_acpi_fix_checksum(tab, len);
	assert_int_equal(pmm_memmap_from_srat(&s.m, &s.fw, tab, len, NULL), 0);
	assert_int_equal(s.fw.nr_nodes, 3);
	assert_int_equal(s.fw.pxm[0], 7);
	assert_int_equal(s.fw.pxm[1], 9);
	assert_int_equal(s.fw.pxm[2], 4);
	assert_int_equal(s.m.nr_numa, 1);
	assert_int_equal(s.m.numa[0].nid, 2);
}

/* No map, or no table: refused, nothing changed. */
static void test_srat_null_args(void **state)
{
	size_t len = acpi_table("SRAT", SRAT_HDR);

	(void)state;
	fw_data_acpi_fix_checksum(tab, len);
	fw_snap_take(&s);
	assert_int_equal(pmm_memmap_from_srat(NULL, &s.fw, tab, len, NULL),
			 PMM_EINVAL);
	assert_int_equal(pmm_memmap_from_srat(&s.m, &s.fw, NULL, len, NULL),
			 PMM_EINVAL);
	assert_true(fw_snap_same(&s));
}

/* A SLIT of no localities, exactly its 44-byte minimum, is read. */
static void test_slit_minimum_length(void **state)
{
	(void)state;
	assert_int_equal(pmm_fw_from_slit(&s.fw, tab, slit_table(0, 20), NULL), 0);
	assert_int_equal(s.fw.nr_dist, 0);
	assert_int_equal(s.fw.format, PMM_FW_FMT_SLIT);
}

/* A second, smaller SLIT replaces the first: 2 localities, not 3. */
static void test_slit_over_older_slit(void **state)
{
	(void)state;
	assert_int_equal(pmm_fw_from_slit(&s.fw, tab, slit_table(3, 30), NULL), 0);
	assert_int_equal(s.fw.nr_dist, 3);
	s.fw.format = PMM_FW_FMT_NONE;
	assert_int_equal(pmm_fw_from_slit(&s.fw, tab, slit_table(2, 20), NULL), 0);
	assert_int_equal(s.fw.nr_dist, 2);
	assert_int_equal(s.fw.dist[0][1], 20);
	assert_int_equal(s.fw.dist[2][0], 0);
	assert_int_equal(s.fw.format, PMM_FW_FMT_SLIT);
}

/*
 * A Multiboot2 map whose second usable range ends at 2^64 - 1 right after
 * the first: the two are one entry.
 */
static void test_mb2_join_up_to_top(void **state)
{
	unsigned char mb[8 + 16 + 2 * 24 + 8] = { 0 };
	unsigned char *tag = mb + 8, *e = tag + 16;

	(void)state;
	fw_put32le(mb, sizeof(mb));
	fw_put32le(tag, 6);
	fw_put32le(tag + 4, 16 + 2 * 24);
	fw_put32le(tag + 8, 24);
	fw_put64le(e, UINT64_MAX - 2 * PG + 1);
	fw_put64le(e + 8, PG);
	fw_put32le(e + 16, 1);
	fw_put64le(e + 24, UINT64_MAX - PG + 1);
	fw_put64le(e + 32, PG - 1);
	fw_put32le(e + 40, 1);
	fw_put32le(e + 52, 8); /* the end tag */
	assert_int_equal(pmm_memmap_from_mb2(&s.m, &s.fw, mb, sizeof(mb), NULL), 0);
	assert_int_equal(s.m.nr, 1);
	assert_int_equal(s.m.entry[0].start, UINT64_MAX - 2 * PG + 1);
	assert_int_equal(s.m.entry[0].end, UINT64_MAX);
}

/* The last format has a name; the first value past it is "?". */
static void test_fw_format_name_past_last(void **state)
{
	(void)state;
	assert_string_equal(pmm_fw_format_name(PMM_FW_FMT_SLIT), "slit");
	assert_string_equal(pmm_fw_format_name((enum pmm_fw_format)
					       (PMM_FW_FMT_SLIT + 1)), "?");
}

#define EFI_LINE "efi: mem00: [Conventional|   |WB] range=[0x1000-0x1fff] (0MB)\n"

/* A one-byte range is not whole pages (it does not end before it starts). */
static void test_efi_log_one_byte_range(void **state)
{
	static const char text[] = "efi: mem00: [Conventional|WB] range=[0x1000-0x1000]\n";

	(void)state;
	fw_snap_take(&s);
	assert_int_equal(pmm_memmap_parse_efi_log(&s.m, &s.fw, text, strlen(text),
						  &s.err), PMM_EPARSE);
	assert_string_equal(s.err.msg, "efi log: line 1: range is not whole 4 KiB pages");
	assert_true(fw_snap_same(&s));
}

/*
 * @len ends the text one hex digit before "f]": the digit and bracket
 * past it are not read, so the range is cut short.
 */
static void test_efi_log_stops_at_len(void **state)
{
	static const char text[] = "efi: mem00: [Conventional|WB] range=[0x1000-0x1fff]";

	(void)state;
	fw_snap_take(&s);
	assert_int_equal(pmm_memmap_parse_efi_log(&s.m, &s.fw, text, strlen(text) - 2,
						  &s.err), PMM_EPARSE);
	assert_string_equal(s.err.msg, "efi log: line 1: bad range");
	assert_true(fw_snap_same(&s));
}

/*
 * An empty first line: the byte before the text is never read (the text
 * starts its own allocation, so the sanitized build sees a read before).
 */
static void test_efi_log_empty_first_line(void **state)
{
	static const char line[] = "\n" EFI_LINE;
	char *text = malloc(sizeof(line) - 1);

	(void)state;
	assert_non_null(text);
	memcpy(text, line, sizeof(line) - 1);
	assert_int_equal(pmm_memmap_parse_efi_log(&s.m, &s.fw, text,
						  sizeof(line) - 1, NULL), 0);
	free(text);
	assert_int_equal(s.m.nr, 1);
	assert_int_equal(s.m.entry[0].start, 0x1000);
	assert_int_equal(s.m.entry[0].end, 0x2000);
}

/*
 * A label span that is empty after trimming ends there: not the blank
 * after it, nor the one before it, is trimmed into "[gap ".
 */
static void test_e820_label_span_ends_at_n(void **state)
{
	static const char gap[] = " [gap 0x0-0xfff]", gap2[] = "  [gap 0x0-0xfff]";
	uint32_t type = 0;

	(void)state;
	assert_true(pmm_e820_is_gap(gap + 1, strlen(gap + 1)));
	assert_false(pmm_e820_is_gap(gap + 1, 0));
	assert_false(pmm_e820_is_gap(gap2, 1));
	assert_false(pmm_e820_label_type(gap2, 1, &type));
	assert_int_equal(type, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_efi_whole_address_space, setup),
		cmocka_unit_test_setup(test_fw_fail_resets_line, setup),
		cmocka_unit_test_setup(test_srat_minimum_length, setup),
		cmocka_unit_test_setup(test_srat_two_byte_subtable, setup),
		cmocka_unit_test_setup(test_srat_cpu_types_number_first, setup),
		cmocka_unit_test_setup(test_srat_null_args, setup),
		cmocka_unit_test_setup(test_slit_minimum_length, setup),
		cmocka_unit_test_setup(test_slit_over_older_slit, setup),
		cmocka_unit_test_setup(test_mb2_join_up_to_top, setup),
		cmocka_unit_test_setup(test_fw_format_name_past_last, setup),
		cmocka_unit_test_setup(test_efi_log_one_byte_range, setup),
		cmocka_unit_test_setup(test_efi_log_stops_at_len, setup),
		cmocka_unit_test_setup(test_efi_log_empty_first_line, setup),
		cmocka_unit_test_setup(test_e820_label_span_ends_at_n, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
