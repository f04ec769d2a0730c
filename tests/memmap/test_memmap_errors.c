/* SPDX-License-Identifier: MIT */
/*
 * test_memmap_errors.c - the memmap rows of docs/errors.md (E01..E16):
 * every bad map entry, dmesg text or multiboot buffer gets its documented
 * error, and the struct pmm_memmap is byte for byte what it was before the
 * call. The row id is in each case's name.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <pmm/memmap.h>

/* ------------------------------------------------------------------ */
/* memmap: a map of three entries, compared whole before and after.    */
/* ------------------------------------------------------------------ */

static struct pmm_memmap mm, mm_before;

static int mm_setup(void **state)
{
	(void)state;
	pmm_memmap_init(&mm);
	assert_int_equal(pmm_memmap_add(&mm, 0, 0x9f000, PMM_MEM_USABLE), 0);
	assert_int_equal(pmm_memmap_add(&mm, 0xf0000, 0x100000, PMM_MEM_RESERVED), 0);
	assert_int_equal(pmm_memmap_add(&mm, 0x100000, 0x8000000, PMM_MEM_USABLE), 0);
	mm_before = mm;
	return 0;
}

#define MM_UNCHANGED() assert_memory_equal(&mm, &mm_before, sizeof(mm))

static void E01_memmap_add_reversed(void **state)
{
	(void)state;
	assert_int_equal(pmm_memmap_add(&mm, 0x2000, 0x1000, PMM_MEM_USABLE), PMM_EINVAL);
	MM_UNCHANGED();
}

static void E02_memmap_add_type_zero(void **state)
{
	(void)state;
	assert_int_equal(pmm_memmap_add(&mm, 0x1000, 0x2000, 0), PMM_EINVAL);
	MM_UNCHANGED();
}

static void E03_memmap_add_zero_length(void **state)
{
	(void)state;
	assert_int_equal(pmm_memmap_add(&mm, 0x5000, 0x5000, PMM_MEM_USABLE), 0);
	MM_UNCHANGED(); /* dropped, not added */
}

static void E04_memmap_add_size_wraps(void **state)
{
	(void)state;
	assert_int_equal(pmm_memmap_add_size(&mm, UINT64_MAX - 0xfff, 0x2000,
					     PMM_MEM_USABLE), PMM_EOVERFLOW);
	MM_UNCHANGED();
}

static void E05_memmap_add_table_full(void **state)
{
	(void)state;
	for (unsigned int i = mm.nr; i < PMM_MEMMAP_MAX; i++)
		assert_int_equal(pmm_memmap_add(&mm, (pmm_phys_t)i << 32,
						((pmm_phys_t)i << 32) + 0x1000,
						PMM_MEM_RESERVED), 0);
	mm_before = mm;
	assert_int_equal(pmm_memmap_add(&mm, 0x1000, 0x2000, PMM_MEM_USABLE), PMM_EFULL);
	MM_UNCHANGED();
}

/*
 * One usable range with 200 reserved holes punched in it: the resolved map
 * needs 401 entries, more than PMM_MEMMAP_MAX (256).
 *   usable  |-------------------------------------------|
 *   holes     #    #    #   ...   #
 */
static void E06_memmap_sanitize_result_too_big(void **state)
{
	(void)state;
	pmm_memmap_init(&mm);
	assert_int_equal(pmm_memmap_add(&mm, 0, (pmm_phys_t)1 << 30, PMM_MEM_USABLE), 0);
	for (pmm_phys_t i = 1; i <= 200; i++)
		assert_int_equal(pmm_memmap_add(&mm, i << 20, (i << 20) + 0x1000,
						PMM_MEM_RESERVED), 0);
	mm_before = mm;
	assert_int_equal(pmm_memmap_sanitize(&mm, 0), PMM_EFULL);
	MM_UNCHANGED();
}

/*
 * Unsorted, overlapping, partial-page and out-of-range entries are not
 * errors: the sanitizer resolves them (the higher type wins, usable trims
 * inward, the limit cuts).
 *   raw:  [usable 0x100800-0x400000) [reserved 0x200000-0x300000)
 *         [usable 0x0-0x9fc00) [usable 0x1_0000_0000-0x1_4000_0000)
 *   out:  usable 0-0x9f000, usable 0x101000-0x200000, reserved
 *         0x200000-0x300000, usable 0x300000-0x400000 (limit 4 GiB)
 */
static void E07_memmap_unsorted_overlapping_resolved(void **state)
{
	(void)state;
	pmm_memmap_init(&mm);
	pmm_memmap_add(&mm, 0x100800, 0x400000, PMM_MEM_USABLE);
	pmm_memmap_add(&mm, 0x200000, 0x300000, PMM_MEM_RESERVED);
	pmm_memmap_add(&mm, 0, 0x9fc00, PMM_MEM_USABLE);
	pmm_memmap_add(&mm, (pmm_phys_t)1 << 32, (pmm_phys_t)5 << 30, PMM_MEM_USABLE);
	assert_int_equal(pmm_memmap_sanitize(&mm, (pmm_phys_t)1 << 32), 0);
	assert_int_equal(mm.nr, 4);
	assert_true(mm.entry[0].start == 0 && mm.entry[0].end == 0x9f000);
	assert_true(mm.entry[1].start == 0x101000 && mm.entry[1].end == 0x200000);
	assert_true(mm.entry[2].type == PMM_MEM_RESERVED && mm.entry[2].end == 0x300000);
	assert_true(mm.entry[3].start == 0x300000 && mm.entry[3].end == 0x400000);
	assert_true(mm.dropped_bytes == (pmm_phys_t)1 << 30);
}

static void parse_fails(const char *text, int want, unsigned int line)
{
	struct pmm_parse_error perr = { 0, "" };
	assert_int_equal(pmm_memmap_parse_dmesg(&mm, text, strlen(text), &perr), want);
	assert_int_equal(perr.line, line);
	assert_true(perr.msg[0] != '\0');
	MM_UNCHANGED();
}

static void E08_dmesg_malformed_hex(void **state)
{
	(void)state;
	parse_fails("BIOS-e820: [mem 0x0000000000000000-0x000000000009zzzz] usable\n",
		    PMM_EPARSE, 1);
}

static void E09_dmesg_no_map(void **state)
{
	(void)state;
	parse_fails("hello\nworld\n", PMM_EPARSE, 0);
}

static void E10_dmesg_reversed_range(void **state)
{
	(void)state;
	parse_fails("BIOS-e820: [mem 0x0000000000002000-0x0000000000000fff] usable\n",
		    PMM_EPARSE, 1);
}

static void E11_dmesg_numa_overlap(void **state)
{
	(void)state;
	parse_fails("BIOS-e820: [mem 0x0-0x3fffffff] usable\n"
		    "ACPI: SRAT: Node 0 PXM 0 [mem 0x0-0x1fffffff]\n"
		    "ACPI: SRAT: Node 1 PXM 1 [mem 0x10000000-0x3fffffff]\n",
		    PMM_EPARSE, 3);
}

static void E12_dmesg_end_wraps(void **state)
{
	(void)state;
	parse_fails(" BIOS-e820: 0000000000100000 - 0000000000000000 (usable)\n",
		    PMM_EPARSE, 1);
}

/* Multiboot entry: u32 size (20), u64 base, u64 length, u32 type. */
static size_t mb_entry(unsigned char *p, uint32_t size, uint64_t base,
		       uint64_t len, uint32_t type)
{
	memcpy(p, &size, 4);
	memcpy(p + 4, &base, 8);
	memcpy(p + 12, &len, 8);
	memcpy(p + 20, &type, 4);
	return 24;
}

static void E13_multiboot_truncated(void **state)
{
	(void)state;
	unsigned char buf[48];
	size_t n = mb_entry(buf, 20, 0x100000, 0x100000, 1);
	n += mb_entry(buf + n, 20, 0x200000, 0x100000, 1);
	assert_int_equal(pmm_memmap_from_multiboot(&mm, buf, n - 3), PMM_EPARSE);
	MM_UNCHANGED();
}

static void E14_multiboot_entry_size_below_20(void **state)
{
	(void)state;
	unsigned char buf[24];
	mb_entry(buf, 16, 0x100000, 0x100000, 1);
	assert_int_equal(pmm_memmap_from_multiboot(&mm, buf, sizeof(buf)), PMM_EPARSE);
	MM_UNCHANGED();
}

static void E15_multiboot_entry_wraps(void **state)
{
	(void)state;
	unsigned char buf[48];
	size_t n = mb_entry(buf, 20, 0x100000, 0x100000, 1);
	n += mb_entry(buf + n, 20, UINT64_MAX - 0xfff, 0x10000, 1);
	assert_int_equal(pmm_memmap_from_multiboot(&mm, buf, n), PMM_EOVERFLOW);
	MM_UNCHANGED();
}

static void E16_multiboot_null_buffer(void **state)
{
	(void)state;
	assert_int_equal(pmm_memmap_from_multiboot(&mm, NULL, 24), PMM_EINVAL);
	MM_UNCHANGED();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(E01_memmap_add_reversed, mm_setup),
		cmocka_unit_test_setup(E02_memmap_add_type_zero, mm_setup),
		cmocka_unit_test_setup(E03_memmap_add_zero_length, mm_setup),
		cmocka_unit_test_setup(E04_memmap_add_size_wraps, mm_setup),
		cmocka_unit_test_setup(E05_memmap_add_table_full, mm_setup),
		cmocka_unit_test_setup(E06_memmap_sanitize_result_too_big, mm_setup),
		cmocka_unit_test_setup(E07_memmap_unsorted_overlapping_resolved, mm_setup),
		cmocka_unit_test_setup(E08_dmesg_malformed_hex, mm_setup),
		cmocka_unit_test_setup(E09_dmesg_no_map, mm_setup),
		cmocka_unit_test_setup(E10_dmesg_reversed_range, mm_setup),
		cmocka_unit_test_setup(E11_dmesg_numa_overlap, mm_setup),
		cmocka_unit_test_setup(E12_dmesg_end_wraps, mm_setup),
		cmocka_unit_test_setup(E13_multiboot_truncated, mm_setup),
		cmocka_unit_test_setup(E14_multiboot_entry_size_below_20, mm_setup),
		cmocka_unit_test_setup(E15_multiboot_entry_wraps, mm_setup),
		cmocka_unit_test_setup(E16_multiboot_null_buffer, mm_setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
