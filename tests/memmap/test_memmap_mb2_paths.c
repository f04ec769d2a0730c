/* SPDX-License-Identifier: MIT */
/*
 * test_memmap_mb2_paths.c - the paths of pmm_memmap_from_mb2() that the
 * GRUB and SeaBIOS blocks and rows F16-F25 (test_memmap_mb2.c) do not
 * take: each entry type's mapping, repeated tags (the first counts),
 * short tags, an entry size that does not divide the tag, reversed
 * modules, a full info table, every RSDP check of both revisions, a tag
 * header cut by total_size, and no info block.
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
static unsigned char mb[2048];
static size_t mb_len;

static int setup(void **state)
{
	(void)state;
	fw_snap_reset(&s);
	memset(mb, 0, sizeof(mb));
	mb_len = 8;
	return 0;
}

/* A tag header of @type; the size is written by tag_close(). */
static size_t tag_open(uint32_t type)
{
	size_t at = mb_len;
	fw_put32le(mb + at, type);
	mb_len += 8;
	return at;
}

static void tag_close(size_t at)
{
	fw_put32le(mb + at + 4, (uint32_t)(mb_len - at));
	mb_len = (mb_len + 7) & ~(size_t)7;
}

static void finish(void)
{
	size_t at = tag_open(0);
	tag_close(at);
	fw_put32le(mb, (uint32_t)mb_len);
}

static void entry(uint64_t base, uint64_t length, uint32_t type, uint32_t esize)
{
	fw_put64le(mb + mb_len, base);
	fw_put64le(mb + mb_len + 8, length);
	fw_put32le(mb + mb_len + 16, type);
	mb_len += esize;
}

/* Tag 6 header fields: entry size and version. */
static size_t mmap_open(uint32_t esize)
{
	size_t at = tag_open(6);
	fw_put32le(mb + mb_len, esize);
	mb_len += 8;
	return at;
}

static void one_map(void)
{
	size_t at = mmap_open(24);
	entry(0x100000, 0x100000, 1, 24);
	tag_close(at);
}

static size_t module(uint32_t start, uint32_t end)
{
	size_t at = tag_open(3);
	fw_put32le(mb + mb_len, start);
	fw_put32le(mb + mb_len + 4, end);
	memcpy(mb + mb_len + 8, "initrd", 7);
	mb_len += 15;
	tag_close(at);
	return at;
}

/* An RSDP tag (14 for v1, 15 for v2) with good checksums; @len: v2 length. */
static size_t rsdp(bool v2, uint32_t rsdt, uint64_t xsdt, uint32_t len)
{
	size_t at = tag_open(v2 ? 15 : 14);
	unsigned char *r = mb + mb_len;
	unsigned int sum = 0;

	memcpy(r, "RSD PTR ", 8);
	memcpy(r + 9, "BOCHS ", 6);
	r[15] = v2 ? 2 : 0;
	fw_put32le(r + 16, rsdt);
	if (v2) {
		fw_put32le(r + 20, len);
		fw_put64le(r + 24, xsdt);
	}
	for (int i = 0; i < 20; i++)
		sum += r[i];
	r[8] = (unsigned char)(0x100 - (sum & 0xff));
	if (v2) {
		sum = 0;
		for (int i = 0; i < 36; i++)
			sum += r[i];
		r[32] = (unsigned char)(0x100 - (sum & 0xff));
	}
	mb_len += v2 ? 36 : 20;
	tag_close(at);
	return at;
}

static void read_ok(void)
{
	assert_int_equal(pmm_memmap_from_mb2(&s.m, &s.fw, mb, mb_len, &s.err), 0);
	assert_int_equal(s.fw.format, PMM_FW_FMT_MB2);
}

static void fails(int ret, const char *fmt, ...)
{
	char want[160];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(want, sizeof(want), fmt, ap);
	va_end(ap);
	assert_int_equal(pmm_memmap_add(&s.m, 0, 0x9f000, PMM_MEM_USABLE), 0);
	fw_snap_take(&s);
	assert_int_equal(pmm_memmap_from_mb2(&s.m, &s.fw, mb, mb_len, &s.err), ret);
	assert_string_equal(s.err.msg, want);
	assert_true(fw_snap_same(&s));
	assert_int_equal(pmm_memmap_from_mb2(&s.m, &s.fw, mb, mb_len, NULL), ret);
	assert_true(fw_snap_same(&s));
}

static void test_mb2_null_args(void **state)
{
	(void)state;
	one_map();
	finish();
	assert_int_equal(pmm_memmap_from_mb2(NULL, &s.fw, mb, mb_len, NULL), PMM_EINVAL);
	assert_int_equal(pmm_memmap_from_mb2(&s.m, &s.fw, NULL, mb_len, NULL), PMM_EINVAL);
	/* no info block: the map is read, nothing else */
	assert_int_equal(pmm_memmap_from_mb2(&s.m, NULL, mb, mb_len, NULL), 0);
	assert_int_equal(s.m.nr, 1);
	assert_int_equal(s.m.entry[0].end, 0x200000);
	assert_int_equal(s.fw.format, PMM_FW_FMT_NONE);
}

static void test_mb2_total_below_8(void **state)
{
	(void)state;
	one_map();
	finish();
	fw_put32le(mb, 4);
	fails(PMM_EPARSE, "mb2: byte 0x0: total_size 4 below 8 of %zu bytes", mb_len);
}

/* total_size ends 4 bytes into a tag header. */
static void test_mb2_header_cut(void **state)
{
	(void)state;
	one_map();
	finish();
	fw_put32le(mb, 48 + 4);
	fails(PMM_EPARSE, "mb2: tag 1 at byte 0x30: header truncated");
}

/* Every multiboot type: 1 usable, 3 ACPI, 4 NVS, 5 unusable, else reserved. */
static void test_mb2_entry_types(void **state)
{
	static const uint32_t want[] = {
		PMM_MEM_USABLE, PMM_MEM_RESERVED, PMM_MEM_ACPI, PMM_MEM_NVS,
		PMM_MEM_UNUSABLE, PMM_MEM_RESERVED, PMM_MEM_RESERVED,
	};
	(void)state;
	size_t at = mmap_open(32); /* a larger entry size than 24 is fine */
	for (uint32_t t = 1; t <= 7; t++)
		entry((uint64_t)t << 24, 0x1000, t == 7 ? 0xffffffffu : t, 32);
	tag_close(at);
	finish();
	read_ok();
	assert_int_equal(s.m.nr, 7);
	for (unsigned int i = 0; i < 7; i++) {
		assert_int_equal(s.m.entry[i].start, (uint64_t)(i + 1) << 24);
		assert_int_equal(s.m.entry[i].type, want[i]);
	}
}

/* A second map tag (and second RSDP tags) are ignored: the first counts. */
static void test_mb2_repeated_tags(void **state)
{
	(void)state;
	one_map();
	size_t at = mmap_open(24);
	entry(0x4000000, 0x100000, 1, 24);
	tag_close(at);
	rsdp(false, 0x1111, 0, 0);
	rsdp(false, 0x2222, 0, 0);
	finish();
	read_ok();
	assert_int_equal(s.m.nr, 1);
	assert_int_equal(s.m.entry[0].start, 0x100000);
	assert_int_equal(s.fw.rsdp_rev, 1);
	assert_int_equal(s.fw.rsdt, 0x1111);
	assert_int_equal(s.fw.xsdt, 0);
}

/* Both RSDP tags: the v2 one gives the XSDT. */
static void test_mb2_rsdp_both(void **state)
{
	(void)state;
	one_map();
	rsdp(false, 0x1111, 0, 0);
	rsdp(true, 0x3333, 0x44444444ull, 36);
	finish();
	read_ok();
	assert_int_equal(s.fw.rsdp_rev, 2);
	assert_int_equal(s.fw.rsdt, 0x3333);
	assert_int_equal(s.fw.xsdt, 0x44444444ull);
}

static void test_mb2_rsdp_errors(void **state)
{
	size_t at;
	(void)state;
	/* a v1 tag too small for 20 bytes */
	one_map();
	at = tag_open(14);
	mb_len += 12;
	tag_close(at);
	finish();
	fails(PMM_EPARSE, "mb2: tag 1 (ACPI RSDP) at byte 0x%zx: size 20 too small for "
	      "an RSDP", at);

	/* a v2 tag of 20 bytes: the length field is beyond it */
	setup(NULL);
	one_map();
	at = tag_open(15);
	mb_len += 20;
	tag_close(at);
	finish();
	fails(PMM_EPARSE, "mb2: tag 1 (ACPI RSDP) at byte 0x%zx: RSDP length 0 outside "
	      "[36, 20]", at);

	/* a v2 length below 36, and past the tag */
	setup(NULL);
	one_map();
	at = rsdp(true, 1, 2, 30);
	finish();
	fails(PMM_EPARSE, "mb2: tag 1 (ACPI RSDP) at byte 0x%zx: RSDP length 30 outside "
	      "[36, 36]", at);
	setup(NULL);
	one_map();
	at = rsdp(true, 1, 2, 40);
	finish();
	fails(PMM_EPARSE, "mb2: tag 1 (ACPI RSDP) at byte 0x%zx: RSDP length 40 outside "
	      "[36, 36]", at);

	/* no signature */
	setup(NULL);
	one_map();
	at = rsdp(false, 1, 0, 0);
	mb[at + 8] = 'X';
	finish();
	fails(PMM_EPARSE, "mb2: tag 1 (ACPI RSDP) at byte 0x%zx: no 'RSD PTR ' signature", at);

	/* the first 20 bytes' checksum broken (v1) */
	setup(NULL);
	one_map();
	at = rsdp(false, 1, 0, 0);
	mb[at + 8 + 16] ^= 1;
	finish();
	fails(PMM_EPARSE, "mb2: tag 1 (ACPI RSDP) at byte 0x%zx: bad checksum", at);

	/* a bad v2 after a good v1: the v1 result is not kept either */
	setup(NULL);
	one_map();
	rsdp(false, 1, 0, 0);
	at = rsdp(true, 1, 2, 36);
	mb[at + 8 + 10] ^= 1; /* breaks both sums */
	finish();
	fails(PMM_EPARSE, "mb2: tag 2 (ACPI RSDP) at byte 0x%zx: bad checksum", at);
}

static void test_mb2_short_tags(void **state)
{
	size_t at;
	(void)state;
	at = tag_open(6);
	tag_close(at);
	finish();
	fails(PMM_EPARSE, "mb2: tag 0 (memory map) at byte 0x8: size 8 below 16");

	setup(NULL);
	at = tag_open(17);
	tag_close(at);
	finish();
	fails(PMM_EPARSE, "mb2: tag 0 (EFI memory map) at byte 0x8: size 8 below 16");

	setup(NULL);
	one_map();
	at = tag_open(3);
	mb_len += 4;
	tag_close(at);
	finish();
	fails(PMM_EPARSE, "mb2: tag 1 (module) at byte 0x%zx: size 12 below 16", at);
}

static void test_mb2_entry_size_not_dividing(void **state)
{
	(void)state;
	size_t at = mmap_open(24);
	entry(0x100000, 0x100000, 1, 24);
	mb_len += 8; /* 32 bytes of entries */
	tag_close(at);
	finish();
	fails(PMM_EPARSE, "mb2: tag 0 (memory map) at byte 0x8: entry size 24 does not "
	      "divide the tag");
}

/* An empty map tag (no entries) is read as no memory. */
static void test_mb2_empty_map(void **state)
{
	(void)state;
	size_t at = mmap_open(24);
	tag_close(at);
	finish();
	read_ok();
	assert_int_equal(s.m.nr, 0);
}

static void test_mb2_modules(void **state)
{
	size_t at;
	(void)state;
	one_map();
	at = module(0x2000000, 0x1000000);
	finish();
	fails(PMM_EPARSE, "mb2: tag 1 (module) at byte 0x%zx: reversed [0x2000000, 0x1000000)",
	      at);

	/* two modules, touching: one reserved entry, one note */
	setup(NULL);
	one_map();
	module(0x1000000, 0x1100000);
	module(0x1100000, 0x1200000);
	finish();
	read_ok();
	assert_int_equal(s.m.nr, 2);
	assert_int_equal(s.m.entry[1].start, 0x1000000);
	assert_int_equal(s.m.entry[1].end, 0x1200000);
	assert_int_equal(s.m.entry[1].type, PMM_MEM_RESERVED);
	assert_int_equal(s.fw.nr_ranges, 1);
	assert_int_equal(s.fw.range[0].kind, PMM_FW_MODULE);
	assert_int_equal(s.fw.range[0].end, 0x1200000);

	/* the info table full: the note fails */
	setup(NULL);
	s.fw.nr_ranges = PMM_FW_RANGES_MAX;
	one_map();
	at = module(0x1000000, 0x1100000);
	finish();
	fails(PMM_EFULL, "mb2: tag 1 (module) at byte 0x%zx: table full (raise "
	      "PMM_MEMMAP_MAX or PMM_FW_RANGES_MAX)", at);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_mb2_null_args, setup),
		cmocka_unit_test_setup(test_mb2_total_below_8, setup),
		cmocka_unit_test_setup(test_mb2_header_cut, setup),
		cmocka_unit_test_setup(test_mb2_entry_types, setup),
		cmocka_unit_test_setup(test_mb2_repeated_tags, setup),
		cmocka_unit_test_setup(test_mb2_rsdp_both, setup),
		cmocka_unit_test_setup(test_mb2_rsdp_errors, setup),
		cmocka_unit_test_setup(test_mb2_short_tags, setup),
		cmocka_unit_test_setup(test_mb2_entry_size_not_dividing, setup),
		cmocka_unit_test_setup(test_mb2_empty_map, setup),
		cmocka_unit_test_setup(test_mb2_modules, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
