/* SPDX-License-Identifier: MIT */
/*
 * test_memmap_efi.c - the UEFI readers: pmm_memmap_from_efi() (the raw
 * descriptor array) and pmm_memmap_parse_efi_log() (Linux's efi=debug
 * lines), on the map OVMF gave a Debian kernel under QEMU
 * (tests/data/firmware/ovmf-x86_64-256m.log) and on bad input.
 *
 * The oracle for the captured map is the same log: the EFI stub turned the
 * firmware's map into the e820 table it printed as "BIOS-e820:" lines, so
 * after sanitizing, both readers must give exactly that table.
 *
 *   0      a0000  100000  800000 ... f4ed000 ... ff78000  10000000
 *   |usable|      |usable |NVS ...  |reserved ...|NVS     |
 *
 * Cases F.. are the rows F01-F15 of docs/errors.md: each checks the message
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

#define OVMF_LOG "firmware/ovmf-x86_64-256m.log"
#define OVMF_STRIDE 48u  /* efi_info.efi_memdesc_size in the same log */
#define MAXD 512

static struct fw_snap s;
static struct pmm_efi_desc descs[MAXD];
static unsigned char bin[MAXD * 64];

static int setup(void **state)
{
	(void)state;
	fw_snap_reset(&s);
	return 0;
}

/* The e820 table the EFI stub printed, sanitized. */
static void e820_of_log(struct pmm_memmap *e820, const char *text, size_t len)
{
	pmm_memmap_init(e820);
	assert_int_equal(pmm_memmap_parse_dmesg(e820, text, len, NULL), 0);
	assert_int_equal(pmm_memmap_sanitize(e820, 0), 0);
}

static void expect_same_map(struct pmm_memmap *got, const struct pmm_memmap *want)
{
	unsigned int i;

	assert_int_equal(pmm_memmap_sanitize(got, 0), 0);
	assert_int_equal(got->nr, want->nr);
	for (i = 0; i < want->nr; i++) {
		assert_int_equal(got->entry[i].start, want->entry[i].start);
		assert_int_equal(got->entry[i].end, want->entry[i].end);
		assert_int_equal(got->entry[i].type, want->entry[i].type);
	}
}

static uint64_t noted(const struct pmm_fw_info *fw, uint32_t kind)
{
	uint64_t sum = 0;
	unsigned int i;

	for (i = 0; i < fw->nr_ranges; i++)
		if (fw->range[i].kind == kind)
			sum += fw->range[i].end - fw->range[i].start;
	return sum;
}

static uint64_t desc_bytes(const struct pmm_efi_desc *d, unsigned int n,
			   uint32_t type)
{
	uint64_t sum = 0;
	unsigned int i;

	for (i = 0; i < n; i++)
		if (d[i].type == type)
			sum += d[i].num_pages << 12;
	return sum;
}

/* The efi=debug lines of the OVMF boot give the stub's e820 table. */
static void test_memmap_efi_log_ovmf(void **state)
{
	static struct pmm_memmap e820;
	size_t len;
	char *text = memmap_data_read(OVMF_LOG, &len);
	unsigned int n;

	(void)state;
	assert_non_null(text);
	e820_of_log(&e820, text, len);
	assert_int_equal(pmm_memmap_parse_efi_log(&s.m, &s.fw, text, len, &s.err), 0);
	assert_int_equal(s.fw.format, PMM_FW_FMT_EFI_LOG);
	assert_int_equal(s.m.ignored_maps, 1); /* the runtime map printed later */
	n = fw_data_efi_lines(text, descs, MAXD);
	assert_int_equal(n, 119);
	assert_int_equal(noted(&s.fw, PMM_FW_BOOT_SERVICES),
			 desc_bytes(descs, n, PMM_EFI_BOOT_CODE) +
			 desc_bytes(descs, n, PMM_EFI_BOOT_DATA));
	expect_same_map(&s.m, &e820);
	free(text);
}

/*
 * The same 119 descriptors as GetMemoryMap returned them: 48 bytes apart
 * (OVMF's DescriptorSize), version 1. Same map, same notes.
 */
static void test_memmap_efi_binary_ovmf(void **state)
{
	static struct pmm_memmap e820;
	static struct pmm_fw_info from_log;
	static struct pmm_memmap m2;
	size_t len, blen;
	char *text = memmap_data_read(OVMF_LOG, &len);
	unsigned int n;

	(void)state;
	assert_non_null(text);
	e820_of_log(&e820, text, len);
	n = fw_data_efi_lines(text, descs, MAXD);
	blen = fw_data_efi_binary(bin, sizeof(bin), descs, n, OVMF_STRIDE);
	assert_int_equal(blen, 119 * 48);
	assert_int_equal(pmm_memmap_from_efi(&s.m, &s.fw, bin, blen, OVMF_STRIDE,
					     1, &s.err), 0);
	assert_int_equal(s.fw.format, PMM_FW_FMT_EFI);
	pmm_memmap_init(&m2);
	pmm_fw_info_init(&from_log);
	assert_int_equal(pmm_memmap_parse_efi_log(&m2, &from_log, text, len, NULL), 0);
	assert_int_equal(s.m.nr, m2.nr); /* unsanitized: same entries too */
	assert_memory_equal(s.m.entry, m2.entry, sizeof(s.m.entry));
	assert_memory_equal(s.fw.range, from_log.range, sizeof(s.fw.range));
	expect_same_map(&s.m, &e820);
	free(text);
}

/* One descriptor of @type with @attr at 1 MiB, 16 pages. */
static uint32_t map_one(uint32_t type, uint64_t attr)
{
	struct pmm_efi_desc d = { type, 0x100000, 0, 16, attr };
	size_t blen = fw_data_efi_binary(bin, sizeof(bin), &d, 1, 40);

	pmm_memmap_init(&s.m);
	assert_int_equal(pmm_memmap_from_efi(&s.m, &s.fw, bin, blen, 40, 1, NULL), 0);
	assert_int_equal(s.m.nr, 1);
	assert_int_equal(s.m.entry[0].end - s.m.entry[0].start, 16 * 4096);
	return s.m.entry[0].type;
}

/* Every EFI type, mapped as Linux maps it. */
static void test_memmap_efi_types(void **state)
{
	static const struct { uint32_t efi; uint32_t want; } t[] = {
		{ PMM_EFI_RESERVED, PMM_MEM_RESERVED },
		{ PMM_EFI_LOADER_CODE, PMM_MEM_USABLE },
		{ PMM_EFI_LOADER_DATA, PMM_MEM_USABLE },
		{ PMM_EFI_BOOT_CODE, PMM_MEM_USABLE },
		{ PMM_EFI_BOOT_DATA, PMM_MEM_USABLE },
		{ PMM_EFI_RUNTIME_CODE, PMM_MEM_RESERVED },
		{ PMM_EFI_RUNTIME_DATA, PMM_MEM_RESERVED },
		{ PMM_EFI_CONVENTIONAL, PMM_MEM_USABLE },
		{ PMM_EFI_UNUSABLE, PMM_MEM_UNUSABLE },
		{ PMM_EFI_ACPI_RECLAIM, PMM_MEM_ACPI },
		{ PMM_EFI_ACPI_NVS, PMM_MEM_NVS },
		{ PMM_EFI_MMIO, PMM_MEM_RESERVED },
		{ PMM_EFI_MMIO_PORT, PMM_MEM_RESERVED },
		{ PMM_EFI_PAL_CODE, PMM_MEM_RESERVED },
		{ PMM_EFI_PERSISTENT, PMM_MEM_PMEM },
		{ PMM_EFI_UNACCEPTED, PMM_MEM_UNACCEPTED },
		{ 0x80000001u, PMM_MEM_RESERVED }, /* OEM */
	};
	unsigned int i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		assert_int_equal(map_one(t[i].efi, PMM_EFI_MEMORY_WB), t[i].want);
	/* RAM that is not write-back cacheable is no RAM. */
	assert_int_equal(map_one(PMM_EFI_CONVENTIONAL, PMM_EFI_MEMORY_UC),
			 PMM_MEM_RESERVED);
	/* Specific-purpose memory is soft-reserved. */
	assert_int_equal(map_one(PMM_EFI_CONVENTIONAL,
				 PMM_EFI_MEMORY_WB | PMM_EFI_MEMORY_SP),
			 PMM_MEM_SOFT_RESERVED);
}

/* Boot services and more-reliable memory are noted beside the map. */
static void test_memmap_efi_notes(void **state)
{
	struct pmm_efi_desc d[3] = {
		{ PMM_EFI_CONVENTIONAL, 0x0, 0, 16,
		  PMM_EFI_MEMORY_WB | PMM_EFI_MEMORY_MORE_RELIABLE },
		{ PMM_EFI_BOOT_DATA, 0x10000, 0, 16, PMM_EFI_MEMORY_WB },
		{ PMM_EFI_CONVENTIONAL, 0x20000, 0, 16, PMM_EFI_MEMORY_WB },
	};
	size_t blen = fw_data_efi_binary(bin, sizeof(bin), d, 3, 56);

	(void)state;
	assert_int_equal(pmm_memmap_from_efi(&s.m, &s.fw, bin, blen, 56, 1, NULL), 0);
	assert_int_equal(s.m.nr, 1); /* one usable run [0, 0x30000) */
	assert_int_equal(s.m.entry[0].end, 0x30000);
	assert_int_equal(s.fw.nr_ranges, 2);
	assert_int_equal(s.fw.range[0].kind, PMM_FW_MIRROR);
	assert_int_equal(s.fw.range[0].end, 0x10000);
	assert_int_equal(s.fw.range[1].kind, PMM_FW_BOOT_SERVICES);
	assert_int_equal(s.fw.range[1].start, 0x10000);
	assert_int_equal(s.fw.range[1].end, 0x20000);
}

/* ---- bad input: refused, named, nothing changed ---------------------- */

static void fail_bin(size_t blen, uint32_t stride, uint32_t version, int ret,
		     const char *msg)
{
	assert_int_equal(pmm_memmap_add(&s.m, 0, 0x9f000, PMM_MEM_USABLE), 0);
	fw_snap_take(&s);
	assert_int_equal(pmm_memmap_from_efi(&s.m, &s.fw, bin, blen, stride,
					     version, &s.err), ret);
	assert_string_equal(s.err.msg, msg);
	assert_true(fw_snap_same(&s));
}

static size_t two(uint64_t start2, uint64_t pages2, uint32_t stride)
{
	struct pmm_efi_desc d[2] = {
		{ PMM_EFI_BOOT_DATA, 0x100000, 0, 16, PMM_EFI_MEMORY_WB },
		{ PMM_EFI_CONVENTIONAL, start2, 0, pages2, PMM_EFI_MEMORY_WB },
	};

	return fw_data_efi_binary(bin, sizeof(bin), d, 2, stride);
}

static void F01_memmap_efi_bad_version(void **state)
{
	(void)state;
	fail_bin(two(0x200000, 1, 48), 48, 2, PMM_EPARSE,
		 "efi: byte 0x0: descriptor version 2, expected 1");
}

static void F02_memmap_efi_stride_too_small(void **state)
{
	(void)state;
	fail_bin(two(0x200000, 1, 48), 32, 1, PMM_EPARSE,
		 "efi: byte 0x0: descriptor size 32 is below the 40-byte descriptor");
}

static void F03_memmap_efi_truncated(void **state)
{
	(void)state;
	fail_bin(two(0x200000, 1, 48) - 8, 48, 1, PMM_EPARSE,
		 "efi: byte 0x0: 88 bytes are not a whole number of 48-byte descriptors");
}

static void F04_memmap_efi_zero_pages(void **state)
{
	(void)state;
	fail_bin(two(0x200000, 0, 48), 48, 1, PMM_EPARSE,
		 "efi: descriptor 1 at byte 0x30: zero pages");
}

static void F05_memmap_efi_wraps(void **state)
{
	(void)state;
	fail_bin(two(0xfffffffffffff000ull, 2, 48), 48, 1, PMM_EOVERFLOW,
		 "efi: descriptor 1 at byte 0x30: range wraps past 2^64");
}

static void F06_memmap_efi_unaligned(void **state)
{
	(void)state;
	fail_bin(two(0x200800, 1, 48), 48, 1, PMM_EPARSE,
		 "efi: descriptor 1 at byte 0x30: start not 4 KiB aligned");
}

/* The last page of the address space is fine: it loses its last byte. */
static void test_memmap_efi_top_page(void **state)
{
	(void)state;
	assert_int_equal(pmm_memmap_from_efi(&s.m, &s.fw, bin,
					     two(0xfffffffffffff000ull, 1, 48),
					     48, 1, NULL), 0);
	assert_int_equal(s.m.nr, 2);
	assert_int_equal(s.m.entry[1].end, UINT64_MAX);
}

static void F07_memmap_efi_full(void **state)
{
	unsigned int i;

	(void)state;
	for (i = 0; i < PMM_MEMMAP_MAX; i++) {
		descs[i].type = i % 2 ? PMM_EFI_CONVENTIONAL : PMM_EFI_ACPI_NVS;
		descs[i].phys_start = (uint64_t)i << 12;
		descs[i].num_pages = 1;
		descs[i].attribute = PMM_EFI_MEMORY_WB;
	}
	fail_bin(fw_data_efi_binary(bin, sizeof(bin), descs, PMM_MEMMAP_MAX, 40),
		 40, 1, PMM_EFULL,
		 "efi: descriptor 255 at byte 0x27d8: table full (raise PMM_MEMMAP_MAX or PMM_FW_RANGES_MAX)");
}

static void F08_memmap_efi_null(void **state)
{
	(void)state;
	assert_int_equal(pmm_memmap_from_efi(&s.m, &s.fw, NULL, 48, 48, 1, NULL),
			 PMM_EINVAL);
	assert_int_equal(pmm_memmap_from_efi(NULL, &s.fw, bin, 48, 48, 1, NULL),
			 PMM_EINVAL);
}

static void fail_log(const char *text, int ret, unsigned int line,
		     const char *msg)
{
	fw_snap_take(&s);
	assert_int_equal(pmm_memmap_parse_efi_log(&s.m, &s.fw, text, strlen(text),
						  &s.err), ret);
	assert_int_equal(s.err.line, line);
	assert_string_equal(s.err.msg, msg);
	assert_true(fw_snap_same(&s));
}

#define L0 "efi: mem00: [Conventional|   |  |  |  |  |  |  |  |  |  |   |WB|WT|WC|UC] range=[0x0000000000001000-0x000000000009ffff] (0MB)\n"

static void F09_memmap_efi_log_no_lines(void **state)
{
	(void)state;
	fail_log("hello\n", PMM_EPARSE, 0,
		 "efi log: line 0: no 'efi: memNN:' lines (boot with efi=debug)");
}

static void F10_memmap_efi_log_unknown_type(void **state)
{
	(void)state;
	fail_log(L0 "efi: mem01: [Bogus Type  |   |WB] range=[0x100000-0x1fffff] (1MB)\n", PMM_EPARSE, 2,
		 "efi log: line 2: unknown EFI type name");
}

static void F11_memmap_efi_log_unknown_attribute(void **state)
{
	(void)state;
	fail_log(L0 "efi: mem01: [Conventional|XX|WB] range=[0x100000-0x1fffff]\n", PMM_EPARSE, 2,
		 "efi log: line 2: unknown attribute");
}

static void F12_memmap_efi_log_bad_range(void **state)
{
	(void)state;
	fail_log(L0 "efi: mem01: [Conventional|WB] range=[0x100000-0x100fff\n", PMM_EPARSE, 2,
		 "efi log: line 2: bad range");
}

static void F13_memmap_efi_log_reversed(void **state)
{
	(void)state;
	fail_log(L0 "efi: mem01: [Conventional|WB] range=[0x200000-0x100fff]\n", PMM_EPARSE, 2,
		 "efi log: line 2: range ends before it starts");
}

static void F14_memmap_efi_log_partial_page(void **state)
{
	(void)state;
	fail_log(L0 "efi: mem01: [Conventional|WB] range=[0x100000-0x1007ff]\n", PMM_EPARSE, 2,
		 "efi log: line 2: range is not whole 4 KiB pages");
}

static void F15_memmap_efi_log_wraps(void **state)
{
	(void)state;
	fail_log(L0 "efi: mem01: [Conventional|WB] range=[0x0-0xffffffffffffffff]\n", PMM_EPARSE, 2,
		 "efi log: line 2: range wraps past 2^64");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_memmap_efi_log_ovmf, setup),
		cmocka_unit_test_setup(test_memmap_efi_binary_ovmf, setup),
		cmocka_unit_test_setup(test_memmap_efi_types, setup),
		cmocka_unit_test_setup(test_memmap_efi_notes, setup),
		cmocka_unit_test_setup(F01_memmap_efi_bad_version, setup),
		cmocka_unit_test_setup(F02_memmap_efi_stride_too_small, setup),
		cmocka_unit_test_setup(F03_memmap_efi_truncated, setup),
		cmocka_unit_test_setup(F04_memmap_efi_zero_pages, setup),
		cmocka_unit_test_setup(F05_memmap_efi_wraps, setup),
		cmocka_unit_test_setup(F06_memmap_efi_unaligned, setup),
		cmocka_unit_test_setup(test_memmap_efi_top_page, setup),
		cmocka_unit_test_setup(F07_memmap_efi_full, setup),
		cmocka_unit_test_setup(F08_memmap_efi_null, setup),
		cmocka_unit_test_setup(F09_memmap_efi_log_no_lines, setup),
		cmocka_unit_test_setup(F10_memmap_efi_log_unknown_type, setup),
		cmocka_unit_test_setup(F11_memmap_efi_log_unknown_attribute, setup),
		cmocka_unit_test_setup(F12_memmap_efi_log_bad_range, setup),
		cmocka_unit_test_setup(F13_memmap_efi_log_reversed, setup),
		cmocka_unit_test_setup(F14_memmap_efi_log_partial_page, setup),
		cmocka_unit_test_setup(F15_memmap_efi_log_wraps, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
