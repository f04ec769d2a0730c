/* SPDX-License-Identifier: MIT */
/*
 * test_memmap_mb2.c - pmm_memmap_from_mb2(): the Multiboot2 boot
 * information walk, built here around maps real firmware gave:
 *
 *   - a memory-map tag (6) holding SeaBIOS's e820 table of the -numa boot
 *     (tests/data/firmware/qemu-x86-numa2.log, read by the dmesg reader);
 *   - an EFI memory-map tag (17) holding OVMF's 119 descriptors at OVMF's
 *     48-byte stride (ovmf-x86_64-256m.log), which wins over tag 6;
 *   - module tags (3) and ACPI RSDP tags (14, 15) with the RSDT/XSDT
 *     addresses those logs print.
 *
 *   +0 total_size +4 0 | tag tag ... | end tag {0, 8}   (tags 8-aligned)
 *
 * Cases F.. are the rows F16-F25 of docs/errors.md: each checks the message
 * byte for byte and that the map and info are what they were (fw_snap).
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
#include "memmap_data.h"

static struct fw_snap s;
static struct pmm_memmap ref;
static unsigned char mb[16384];
static size_t mb_len;
static struct pmm_efi_desc descs[256];

static int setup(void **state)
{
	(void)state;
	fw_snap_reset(&s);
	pmm_memmap_init(&ref);
	memset(mb, 0, sizeof(mb));
	mb_len = 8;
	return 0;
}

/* Open a tag of @type; return its offset (size filled by tag_end). */
static size_t tag_begin(uint32_t type)
{
	size_t at = mb_len;

	fw_put32le(mb + at, type);
	mb_len += 8;
	return at;
}

static void tag_end(size_t at)
{
	fw_put32le(mb + at + 4, (uint32_t)(mb_len - at));
	mb_len = (mb_len + 7) & ~(size_t)7;
}

static void finish(void)
{
	tag_end(tag_begin(0));
	fw_put32le(mb, (uint32_t)mb_len);
}

/* Tag 6 from the e820 lines of @log (the entries land in ref). */
static void mmap_tag_from_log(const char *log)
{
	size_t len, at;
	char *text = memmap_data_read(log, &len);
	unsigned int i;

	assert_non_null(text);
	assert_int_equal(pmm_memmap_parse_dmesg(&ref, text, len, NULL), 0);
	free(text);
	at = tag_begin(6);
	fw_put32le(mb + mb_len, 24);
	fw_put32le(mb + mb_len + 4, 0);
	mb_len += 8;
	for (i = 0; i < ref.nr; i++, mb_len += 24) {
		fw_put64le(mb + mb_len, ref.entry[i].start);
		fw_put64le(mb + mb_len + 8, ref.entry[i].end - ref.entry[i].start);
		fw_put32le(mb + mb_len + 16, ref.entry[i].type);
		fw_put32le(mb + mb_len + 20, 0);
	}
	tag_end(at);
}

/* Tag 17 from OVMF's lines, 48 bytes apart, version 1. */
static void efi_tag_from_log(void)
{
	size_t len, at;
	char *text = memmap_data_read("firmware/ovmf-x86_64-256m.log", &len);
	unsigned int n;

	assert_non_null(text);
	assert_int_equal(pmm_memmap_parse_efi_log(&ref, NULL, text, len, NULL), 0);
	n = fw_data_efi_lines(text, descs, 256);
	free(text);
	at = tag_begin(17);
	fw_put32le(mb + mb_len, 48);
	fw_put32le(mb + mb_len + 4, 1);
	mb_len += 8;
	mb_len += fw_data_efi_binary(mb + mb_len, sizeof(mb) - mb_len, descs, n, 48);
	tag_end(at);
}

static void module_tag(uint32_t start, uint32_t end)
{
	size_t at = tag_begin(3);

	fw_put32le(mb + mb_len, start);
	fw_put32le(mb + mb_len + 4, end);
	memcpy(mb + mb_len + 8, "initrd", 7);
	mb_len += 15;
	tag_end(at);
}

static void fix_sum(unsigned char *p, size_t n, size_t at)
{
	unsigned int sum = 0;
	size_t i;

	p[at] = 0;
	for (i = 0; i < n; i++)
		sum += p[i];
	p[at] = (unsigned char)(0x100 - (sum & 0xff));
}

/* Tag 14 (v1, 20 bytes) or 15 (v2, 36 bytes) with these tables. */
static void rsdp_tag(bool v2, uint32_t rsdt, uint64_t xsdt)
{
	size_t at = tag_begin(v2 ? 15 : 14);
	unsigned char *r = mb + mb_len;

	memcpy(r, "RSD PTR ", 8);
	memcpy(r + 9, "BOCHS ", 6);
	r[15] = v2 ? 2 : 0;
	fw_put32le(r + 16, rsdt);
	fix_sum(r, 20, 8);
	if (v2) {
		fw_put32le(r + 20, 36);
		fw_put64le(r + 24, xsdt);
		fix_sum(r, 36, 32);
	}
	mb_len += v2 ? 36 : 20;
	tag_end(at);
}

static void expect_ref(void)
{
	assert_int_equal(s.m.nr, ref.nr);
	assert_memory_equal(s.m.entry, ref.entry, sizeof(ref.entry));
}

/* SeaBIOS's e820 table through tag 6, RSDP v1 as the numa2 log shows. */
static void test_memmap_mb2_mmap_seabios(void **state)
{
	(void)state;
	tag_end(tag_begin(1)); /* a command line tag: skipped */
	mmap_tag_from_log("firmware/qemu-x86-numa2.log");
	rsdp_tag(false, 0x0ffe1c5f, 0);
	finish();
	assert_int_equal(pmm_memmap_from_mb2(&s.m, &s.fw, mb, mb_len, &s.err), 0);
	expect_ref();
	assert_int_equal(s.fw.format, PMM_FW_FMT_MB2);
	assert_int_equal(s.fw.rsdp_rev, 1);
	assert_int_equal(s.fw.rsdt, 0x0ffe1c5f);
}

/* OVMF's map through tag 17 wins over tag 6; RSDP v2 with the XSDT. */
static void test_memmap_mb2_efi_ovmf(void **state)
{
	static struct pmm_memmap seabios;
	uint64_t boot = 0;
	unsigned int i;

	(void)state;
	efi_tag_from_log();
	seabios = ref;
	pmm_memmap_init(&ref);
	mmap_tag_from_log("firmware/qemu-x86-numa2.log"); /* ignored */
	ref = seabios;
	rsdp_tag(true, 0, 0x0f77d0e8);
	finish();
	assert_int_equal(pmm_memmap_from_mb2(&s.m, &s.fw, mb, mb_len, &s.err), 0);
	expect_ref();
	assert_int_equal(s.fw.rsdp_rev, 2);
	assert_int_equal(s.fw.xsdt, 0x0f77d0e8);
	for (i = 0; i < s.fw.nr_ranges; i++)
		if (s.fw.range[i].kind == PMM_FW_BOOT_SERVICES)
			boot += s.fw.range[i].end - s.fw.range[i].start;
	assert_true(boot > 0);
}

/* Modules are reserved and noted. */
static void test_memmap_mb2_modules(void **state)
{
	(void)state;
	mmap_tag_from_log("firmware/qemu-x86-numa2.log");
	module_tag(0x1000000, 0x1200000);
	module_tag(0x2000000, 0x2000800);
	finish();
	assert_int_equal(pmm_memmap_from_mb2(&s.m, &s.fw, mb, mb_len, &s.err), 0);
	assert_int_equal(s.m.nr, ref.nr + 2);
	assert_int_equal(s.m.entry[ref.nr].start, 0x1000000);
	assert_int_equal(s.m.entry[ref.nr].type, PMM_MEM_RESERVED);
	assert_int_equal(s.fw.nr_ranges, 2);
	assert_int_equal(s.fw.range[1].kind, PMM_FW_MODULE);
	assert_int_equal(s.fw.range[1].end, 0x2000800);
}

/* ---- bad input ------------------------------------------------------- */

static void fail_mb(size_t len, int ret, const char *msg)
{
	assert_int_equal(pmm_memmap_add(&s.m, 0, 0x9f000, PMM_MEM_USABLE), 0);
	fw_snap_take(&s);
	assert_int_equal(pmm_memmap_from_mb2(&s.m, &s.fw, mb, len, &s.err), ret);
	assert_string_equal(s.err.msg, msg);
	assert_true(fw_snap_same(&s));
}

/* A tag 6 of two entries, the second given as @base, @length. */
static void small_map(uint64_t base, uint64_t length, uint32_t esize)
{
	size_t at = tag_begin(6);

	fw_put32le(mb + mb_len, esize);
	mb_len += 8;
	fw_put64le(mb + mb_len, 0x100000);
	fw_put64le(mb + mb_len + 8, 0x100000);
	fw_put32le(mb + mb_len + 16, 1);
	mb_len += 24;
	fw_put64le(mb + mb_len, base);
	fw_put64le(mb + mb_len + 8, length);
	fw_put32le(mb + mb_len + 16, 1);
	mb_len += 24;
	tag_end(at);
}

static void F16_memmap_mb2_truncated(void **state)
{
	(void)state;
	small_map(0x200000, 0x100000, 24);
	finish();
	fail_mb(mb_len - 1, PMM_EPARSE, "mb2: byte 0x0: total_size 80 past the end of 79 bytes");
	fail_mb(4, PMM_EPARSE, "mb2: 4 bytes: shorter than the 8-byte header");
}

static void F17_memmap_mb2_size_past_end(void **state)
{
	(void)state;
	small_map(0x200000, 0x100000, 24);
	finish();
	fw_put32le(mb + 12, 0x1000);
	fail_mb(mb_len, PMM_EPARSE,
		"mb2: tag 0 (type 6) at byte 0x8: size 4096 runs past the end");
	fw_put32le(mb + 12, 4);
	fail_mb(mb_len, PMM_EPARSE, "mb2: tag 0 (type 6) at byte 0x8: size 4 below 8");
}

static void F18_memmap_mb2_no_end_tag(void **state)
{
	(void)state;
	small_map(0x200000, 0x100000, 24);
	fw_put32le(mb, (uint32_t)mb_len);
	fail_mb(mb_len, PMM_EPARSE, "mb2: no end tag within 72 bytes");
}

static void F19_memmap_mb2_entry_size(void **state)
{
	(void)state;
	small_map(0x200000, 0x100000, 20);
	finish();
	fail_mb(mb_len, PMM_EPARSE,
		"mb2: tag 0 (memory map) at byte 0x8: entry size 20 below 24");
}

static void F20_memmap_mb2_zero_length(void **state)
{
	(void)state;
	small_map(0x200000, 0, 24);
	finish();
	fail_mb(mb_len, PMM_EPARSE,
		"mb2: tag 0 (memory map) entry 1 at byte 0x30: zero length");
}

static void F21_memmap_mb2_wraps(void **state)
{
	(void)state;
	small_map(0xfffffffffffff000ull, 0x2000, 24);
	finish();
	fail_mb(mb_len, PMM_EOVERFLOW,
		"mb2: tag 0 (memory map) entry 1 at byte 0x30: range wraps past 2^64");
}

static void F22_memmap_mb2_no_map(void **state)
{
	(void)state;
	module_tag(0x1000000, 0x1200000);
	finish();
	fail_mb(mb_len, PMM_EPARSE, "mb2: no memory map tag (type 6 or 17)");
}

static void F23_memmap_mb2_bad_rsdp(void **state)
{
	(void)state;
	small_map(0x200000, 0x100000, 24);
	rsdp_tag(true, 0, 0x0f77d0e8);
	finish();
	mb[72 + 8 + 30] ^= 0xff; /* a byte of the XSDT address */
	fail_mb(mb_len, PMM_EPARSE, "mb2: tag 1 (ACPI RSDP) at byte 0x48: bad checksum");
}

static void F24_memmap_mb2_efi_stride(void **state)
{
	size_t at;

	(void)state;
	at = tag_begin(17);
	fw_put32le(mb + mb_len, 32);
	fw_put32le(mb + mb_len + 4, 1);
	mb_len += 8 + 64;
	tag_end(at);
	finish();
	fail_mb(mb_len, PMM_EPARSE,
		"mb2: byte 0x18: descriptor size 32 is below the 40-byte descriptor");
}

static void F25_memmap_mb2_module_empty(void **state)
{
	(void)state;
	small_map(0x200000, 0x100000, 24);
	module_tag(0x1000000, 0x1000000);
	finish();
	fail_mb(mb_len, PMM_EPARSE,
		"mb2: tag 1 (module) at byte 0x48: zero-length [0x1000000, 0x1000000)");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_memmap_mb2_mmap_seabios, setup),
		cmocka_unit_test_setup(test_memmap_mb2_efi_ovmf, setup),
		cmocka_unit_test_setup(test_memmap_mb2_modules, setup),
		cmocka_unit_test_setup(F16_memmap_mb2_truncated, setup),
		cmocka_unit_test_setup(F17_memmap_mb2_size_past_end, setup),
		cmocka_unit_test_setup(F18_memmap_mb2_no_end_tag, setup),
		cmocka_unit_test_setup(F19_memmap_mb2_entry_size, setup),
		cmocka_unit_test_setup(F20_memmap_mb2_zero_length, setup),
		cmocka_unit_test_setup(F21_memmap_mb2_wraps, setup),
		cmocka_unit_test_setup(F22_memmap_mb2_no_map, setup),
		cmocka_unit_test_setup(F23_memmap_mb2_bad_rsdp, setup),
		cmocka_unit_test_setup(F24_memmap_mb2_efi_stride, setup),
		cmocka_unit_test_setup(F25_memmap_mb2_module_empty, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
