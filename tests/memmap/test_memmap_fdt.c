/* SPDX-License-Identifier: MIT */
/*
 * test_memmap_fdt.c - pmm_memmap_from_fdt() on the device trees QEMU's
 * arm64 and riscv64 "virt" boards built (the .dtb files of tests/data/firmware; the
 * expected numbers are the reg cells dtc printed, listed in that folder's
 * README.md), and on blobs built here for what QEMU never emits
 * (/reserved-memory, /memreserve/) and for every malformed input.
 *
 * Cases F.. are the rows F26-F37 of docs/errors.md: each checks the message
 * byte for byte and that the map and info are what they were (fw_snap).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <pmm/firmware.h>
#include "fw_data.h"
#include "memmap_data.h"

#define MiB ((uint64_t)1 << 20)

static struct fw_snap s;

static int setup(void **state)
{
	(void)state;
	fw_snap_reset(&s);
	return 0;
}

static void read_dtb(const char *name)
{
	char path[128];
	size_t len;
	char *blob;

	snprintf(path, sizeof(path), "firmware/%s.dtb", name);
	blob = memmap_data_read(path, &len);
	assert_non_null(blob);
	assert_int_equal(pmm_memmap_from_fdt(&s.m, &s.fw, blob, len, &s.err), 0);
	assert_int_equal(s.fw.format, PMM_FW_FMT_FDT);
	free(blob);
}

static void expect_entry(unsigned int i, uint64_t start, uint64_t size,
			 uint32_t type)
{
	assert_true(i < s.m.nr);
	assert_int_equal(s.m.entry[i].start, start);
	assert_int_equal(s.m.entry[i].end, start + size);
	assert_int_equal(s.m.entry[i].type, type);
}

static void expect_numa(unsigned int i, uint64_t start, uint64_t size, int nid)
{
	assert_true(i < s.m.nr_numa);
	assert_int_equal(s.m.numa[i].start, start);
	assert_int_equal(s.m.numa[i].end, start + size);
	assert_int_equal(s.m.numa[i].nid, nid);
}

/* memory@40000000 reg = <0x00 0x40000000 0x00 0x8000000> */
static void test_memmap_fdt_arm64_128m(void **state)
{
	(void)state;
	read_dtb("qemu-arm64-virt-128m");
	assert_int_equal(s.m.nr, 1);
	expect_entry(0, 0x40000000, 0x8000000, PMM_MEM_USABLE);
	assert_int_equal(s.m.nr_numa, 0);
	assert_int_equal(s.fw.nr_ranges, 0);
}

/* memory@40000000 reg = <0x00 0x40000000 0x01 0x00>: 4 GiB, two cells */
static void test_memmap_fdt_arm64_4g(void **state)
{
	(void)state;
	read_dtb("qemu-arm64-virt-4g-smp4");
	assert_int_equal(s.m.nr, 1);
	expect_entry(0, 0x40000000, 0x100000000ull, PMM_MEM_USABLE);
}

/*
 * memory@58000000 node 1 <0 0x58000000 0 0x8000000> (first in the blob),
 * memory@40000000 node 0 <0 0x40000000 0 0x18000000>; distance 20.
 */
static void test_memmap_fdt_arm64_numa2(void **state)
{
	(void)state;
	read_dtb("qemu-arm64-virt-numa2");
	assert_int_equal(s.m.nr, 2);
	expect_entry(0, 0x58000000, 0x8000000, PMM_MEM_USABLE);
	expect_entry(1, 0x40000000, 0x18000000, PMM_MEM_USABLE);
	assert_int_equal(s.m.nr_numa, 2);
	expect_numa(0, 0x58000000, 0x8000000, 1);
	expect_numa(1, 0x40000000, 0x18000000, 0);
	assert_int_equal(s.fw.nr_nodes, 2);
	assert_int_equal(s.fw.nr_dist, 2);
	assert_int_equal(s.fw.dist[0][0], 10);
	assert_int_equal(s.fw.dist[0][1], 20);
	assert_int_equal(s.fw.dist[1][0], 20);
	assert_int_equal(s.fw.dist[1][1], 10);
	assert_int_equal(pmm_memmap_sanitize(&s.m, 0), 0);
	assert_int_equal(pmm_memmap_usable_bytes(&s.m), 512 * MiB);
	assert_int_equal(pmm_memmap_node_of(&s.m, 0x5fffffff), 1);
}

/* Node 1 has a CPU and no memory: one memory node, on node 0. */
static void test_memmap_fdt_arm64_memless(void **state)
{
	(void)state;
	read_dtb("qemu-arm64-virt-memless");
	assert_int_equal(s.m.nr, 1);
	expect_entry(0, 0x40000000, 0x10000000, PMM_MEM_USABLE);
	assert_int_equal(s.m.nr_numa, 1);
	expect_numa(0, 0x40000000, 0x10000000, 0);
}

/* /chosen linux,initrd-start = <0x48000000>, linux,initrd-end = <0x480186a0> */
static void test_memmap_fdt_arm64_initrd(void **state)
{
	(void)state;
	read_dtb("qemu-arm64-virt-initrd");
	assert_int_equal(s.m.nr, 2);
	expect_entry(0, 0x40000000, 0x10000000, PMM_MEM_USABLE);
	expect_entry(1, 0x48000000, 100000, PMM_MEM_RESERVED);
	assert_int_equal(s.fw.nr_ranges, 1);
	assert_int_equal(s.fw.range[0].kind, PMM_FW_INITRD);
	assert_int_equal(s.fw.range[0].start, 0x48000000);
	assert_int_equal(s.fw.range[0].end, 0x480186a0);
}

/* memory@80000000 reg = <0x00 0x80000000 0x00 0x10000000> */
static void test_memmap_fdt_riscv64_256m(void **state)
{
	(void)state;
	read_dtb("qemu-riscv64-virt-256m");
	assert_int_equal(s.m.nr, 1);
	expect_entry(0, 0x80000000, 0x10000000, PMM_MEM_USABLE);
}

static void test_memmap_fdt_riscv64_numa2(void **state)
{
	(void)state;
	read_dtb("qemu-riscv64-virt-numa2");
	assert_int_equal(s.m.nr, 1); /* the two touching regs are one entry */
	expect_entry(0, 0x80000000, 0x20000000, PMM_MEM_USABLE);
	assert_int_equal(s.m.nr_numa, 2);
	expect_numa(0, 0x80000000, 0x18000000, 0);
	expect_numa(1, 0x98000000, 0x8000000, 1);
	assert_int_equal(s.fw.dist[0][1], 20);
}

/* ---- blobs built here ------------------------------------------------ */

/*
 * A tiny FDT writer: struct tokens into st[], names into str[]; fdt_done()
 * lays out header, rsvmap, struct and strings.
 */
static unsigned char st[4096], str[1024], blob[8192];
static size_t st_len, str_len, blob_len;
static uint64_t rsv[8][2];
static unsigned int nr_rsv;

static void tok(uint32_t v)
{
	fw_put32be(st + st_len, v);
	st_len += 4;
}

static void begin(const char *name)
{
	size_t n = strlen(name) + 1;

	tok(1);
	memcpy(st + st_len, name, n);
	st_len = (st_len + n + 3) & ~(size_t)3;
}

static void end(void)
{
	tok(2);
}

static uint32_t name_off(const char *name)
{
	size_t n = strlen(name) + 1, off = str_len;

	memcpy(str + str_len, name, n);
	str_len += n;
	return (uint32_t)off;
}

static void prop(const char *name, const void *val, uint32_t len)
{
	tok(3);
	tok(len);
	tok(name_off(name));
	memcpy(st + st_len, val, len);
	st_len = (st_len + len + 3) & ~(size_t)3;
}

/* A property of @n big-endian cells. */
static void cells(const char *name, unsigned int n, ...)
{
	unsigned char v[64];
	unsigned int i;
	va_list ap;

	va_start(ap, n);
	for (i = 0; i < n; i++)
		fw_put32be(v + 4 * i, va_arg(ap, uint32_t));
	va_end(ap);
	prop(name, v, 4 * n);
}

static void fdt_start(uint32_t ac, uint32_t sc)
{
	st_len = str_len = 0;
	nr_rsv = 0;
	memset(st, 0, sizeof(st));
	begin("");
	cells("#address-cells", 1, ac);
	cells("#size-cells", 1, sc);
}

static void fdt_done(void)
{
	size_t off_rsv = 40, off_st = off_rsv + 16 * (nr_rsv + 1);
	size_t off_str = off_st + st_len + 4;
	unsigned int i;

	end();  /* the root */
	tok(9); /* END */
	memset(blob, 0, sizeof(blob));
	fw_put32be(blob, 0xd00dfeed);
	fw_put32be(blob + 8, (uint32_t)off_st);
	fw_put32be(blob + 12, (uint32_t)(off_st + st_len));
	fw_put32be(blob + 16, (uint32_t)off_rsv);
	fw_put32be(blob + 20, 17);
	fw_put32be(blob + 24, 16);
	fw_put32be(blob + 32, (uint32_t)str_len);
	fw_put32be(blob + 36, (uint32_t)st_len);
	for (i = 0; i < nr_rsv; i++) {
		fw_put64be(blob + off_rsv + 16 * i, rsv[i][0]);
		fw_put64be(blob + off_rsv + 16 * i + 8, rsv[i][1]);
	}
	memcpy(blob + off_st, st, st_len);
	memcpy(blob + off_st + st_len, str, str_len);
	blob_len = off_st + st_len + str_len;
	fw_put32be(blob + 4, (uint32_t)blob_len);
	(void)off_str;
}

/* A memory node of one <hi lo hi lo> reg. */
static void memory(const char *name, uint64_t base, uint64_t size)
{
	begin(name);
	prop("device_type", "memory", 7);
	cells("reg", 4, (uint32_t)(base >> 32), (uint32_t)base,
	      (uint32_t)(size >> 32), (uint32_t)size);
	end();
}

/*
 *   0x80000000 .................................... 0xc0000000  memory
 *        |0x80100000 no-map 1M|  |0x90000000 reusable 16M|
 *   /memreserve/ 0x8ff00000 + 64K
 */
static void test_memmap_fdt_reserved(void **state)
{
	(void)state;
	fdt_start(2, 2);
	memory("memory@80000000", 0x80000000, 0x40000000);
	begin("reserved-memory");
	cells("#address-cells", 1, 2);
	cells("#size-cells", 1, 2);
	prop("ranges", "", 0);
	begin("secmon@80100000");
	cells("reg", 4, 0, 0x80100000, 0, 0x100000);
	prop("no-map", "", 0);
	end();
	begin("linux,cma");
	cells("reg", 4, 0, 0x90000000, 0, 0x1000000);
	prop("reusable", "", 0);
	end();
	begin("dynamic");
	cells("size", 2, 0, 0x100000); /* no reg: placed by the kernel */
	end();
	begin("off@a0000000");
	cells("reg", 4, 0, 0xa0000000, 0, 0x1000);
	prop("status", "disabled", 9);
	end();
	end();
	rsv[nr_rsv][0] = 0x8ff00000;
	rsv[nr_rsv++][1] = 0x10000;
	fdt_done();
	assert_int_equal(pmm_memmap_from_fdt(&s.m, &s.fw, blob, blob_len, &s.err), 0);
	assert_int_equal(s.m.nr, 4);
	expect_entry(0, 0x80000000, 0x40000000, PMM_MEM_USABLE);
	expect_entry(1, 0x80100000, 0x100000, PMM_MEM_RESERVED);
	expect_entry(2, 0x90000000, 0x1000000, PMM_MEM_RESERVED);
	expect_entry(3, 0x8ff00000, 0x10000, PMM_MEM_RESERVED);
	assert_int_equal(s.fw.nr_ranges, 2);
	assert_int_equal(s.fw.range[0].kind, PMM_FW_NOMAP);
	assert_int_equal(s.fw.range[0].start, 0x80100000);
	assert_int_equal(s.fw.range[1].kind, PMM_FW_REUSABLE);
	assert_int_equal(s.fw.range[1].end, 0x91000000);
}

/* One-cell addresses and sizes (a 32-bit board). */
static void test_memmap_fdt_one_cell(void **state)
{
	(void)state;
	fdt_start(1, 1);
	begin("memory@0");
	cells("reg", 4, 0x0, 0x8000000, 0x10000000, 0x1000000);
	end();
	fdt_done();
	assert_int_equal(pmm_memmap_from_fdt(&s.m, &s.fw, blob, blob_len, NULL), 0);
	assert_int_equal(s.m.nr, 2);
	expect_entry(0, 0, 0x8000000, PMM_MEM_USABLE);
	expect_entry(1, 0x10000000, 0x1000000, PMM_MEM_USABLE);
}

/* ---- bad input ------------------------------------------------------- */

static void fail_blob(size_t len, int ret, const char *msg)
{
	assert_int_equal(pmm_memmap_add(&s.m, 0, 0x1000, PMM_MEM_RESERVED), 0);
	fw_snap_take(&s);
	assert_int_equal(pmm_memmap_from_fdt(&s.m, &s.fw, blob, len, &s.err), ret);
	assert_string_equal(s.err.msg, msg);
	assert_true(fw_snap_same(&s));
}

static void good_blob(void)
{
	fdt_start(2, 2);
	memory("memory@40000000", 0x40000000, 0x10000000);
	fdt_done();
}

static void F26_memmap_fdt_bad_magic(void **state)
{
	(void)state;
	good_blob();
	blob[0] = 0xde;
	fail_blob(blob_len, PMM_EPARSE, "fdt: byte 0x0: magic 0xde0dfeed, expected 0xd00dfeed");
}

static void F27_memmap_fdt_truncated(void **state)
{
	(void)state;
	good_blob();
	fail_blob(blob_len - 1, PMM_EPARSE, "fdt: byte 0x4: totalsize 219 outside [40, 218]");
	fail_blob(20, PMM_EPARSE, "fdt: 20 bytes: shorter than the 40-byte header");
}

static void F28_memmap_fdt_block_past_end(void **state)
{
	(void)state;
	good_blob();
	fw_put32be(blob + 36, 0x1000); /* size_dt_struct */
	fail_blob(blob_len, PMM_EPARSE, "fdt: byte 0x8: a block (struct, strings or "
		  "memreserve) lies past totalsize 219");
}

static void F29_memmap_fdt_prop_past_end(void **state)
{
	(void)state;
	good_blob();
	/*
	 * struct at 0x38: root BEGIN 0x38, two cell props 0x40-0x5f, memory
	 * BEGIN 0x60, device_type 0x74, reg 0x88 (its length at 0x8c).
	 */
	fw_put32be(blob + 0x8c, 0x400);
	fail_blob(blob_len, PMM_EPARSE,
		  "fdt: struct block byte 0x88: property value runs past the struct block");
}

static void F30_memmap_fdt_address_cells_3(void **state)
{
	(void)state;
	fdt_start(3, 2);
	begin("memory@0");
	cells("reg", 5, 0, 0, 0x40000000, 0, 0x1000000);
	end();
	fdt_done();
	fail_blob(blob_len, PMM_EPARSE,
		  "fdt: /memory@0 (byte 0x60): reg 0: #address-cells is 3 (1 or 2 are read)");
}

static void F31_memmap_fdt_reg_not_whole(void **state)
{
	(void)state;
	fdt_start(2, 2);
	begin("memory@0");
	cells("reg", 3, 0, 0x40000000, 0);
	end();
	fdt_done();
	fail_blob(blob_len, PMM_EPARSE,
		  "fdt: /memory@0 (byte 0x60): reg 0: 12 bytes are not whole 16-byte entries");
}

static void F32_memmap_fdt_overlapping_regs(void **state)
{
	(void)state;
	fdt_start(2, 2);
	memory("memory@40000000", 0x40000000, 0x10000000);
	memory("memory@48000000", 0x48000000, 0x10000000);
	fdt_done();
	fail_blob(blob_len, PMM_EOVERLAP, "fdt: /memory@48000000 (byte 0xa8): reg 0: "
		  "overlaps an earlier memory reg");
}

static void F33_memmap_fdt_zero_length(void **state)
{
	(void)state;
	fdt_start(2, 2);
	memory("memory@40000000", 0x40000000, 0);
	fdt_done();
	fail_blob(blob_len, PMM_EPARSE,
		  "fdt: /memory@40000000 (byte 0x60): reg 0: zero length");
}

static void F34_memmap_fdt_wraps(void **state)
{
	(void)state;
	fdt_start(2, 2);
	memory("memory@fffffffffffff000", 0xfffffffffffff000ull, 0x2000);
	fdt_done();
	fail_blob(blob_len, PMM_EOVERFLOW,
		  "fdt: /memory@fffffffffffff000 (byte 0x60): reg 0: range wraps past 2^64");
}

static void F35_memmap_fdt_no_memory(void **state)
{
	(void)state;
	fdt_start(2, 2);
	begin("chosen");
	end();
	fdt_done();
	fail_blob(blob_len, PMM_EPARSE, "fdt: no /memory node with a reg");
}

static void F36_memmap_fdt_memreserve_past_end(void **state)
{
	(void)state;
	good_blob();
	fw_put32be(blob + 16, (uint32_t)blob_len - 8); /* off_mem_rsvmap */
	fail_blob(blob_len, PMM_EPARSE,
		  "fdt: memreserve entry 0 at byte 0xd3 runs past totalsize");
}

static void F37_memmap_fdt_bad_distance(void **state)
{
	(void)state;
	fdt_start(2, 2);
	memory("memory@40000000", 0x40000000, 0x10000000);
	begin("distance-map");
	cells("distance-matrix", 3, 0, 1, 5);
	end();
	fdt_done();
	fail_blob(blob_len, PMM_EPARSE, "fdt: /distance-map (byte 0xa8): entry 0: "
		  "distance 5 from node 0 to 1");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_memmap_fdt_arm64_128m, setup),
		cmocka_unit_test_setup(test_memmap_fdt_arm64_4g, setup),
		cmocka_unit_test_setup(test_memmap_fdt_arm64_numa2, setup),
		cmocka_unit_test_setup(test_memmap_fdt_arm64_memless, setup),
		cmocka_unit_test_setup(test_memmap_fdt_arm64_initrd, setup),
		cmocka_unit_test_setup(test_memmap_fdt_riscv64_256m, setup),
		cmocka_unit_test_setup(test_memmap_fdt_riscv64_numa2, setup),
		cmocka_unit_test_setup(test_memmap_fdt_reserved, setup),
		cmocka_unit_test_setup(test_memmap_fdt_one_cell, setup),
		cmocka_unit_test_setup(F26_memmap_fdt_bad_magic, setup),
		cmocka_unit_test_setup(F27_memmap_fdt_truncated, setup),
		cmocka_unit_test_setup(F28_memmap_fdt_block_past_end, setup),
		cmocka_unit_test_setup(F29_memmap_fdt_prop_past_end, setup),
		cmocka_unit_test_setup(F30_memmap_fdt_address_cells_3, setup),
		cmocka_unit_test_setup(F31_memmap_fdt_reg_not_whole, setup),
		cmocka_unit_test_setup(F32_memmap_fdt_overlapping_regs, setup),
		cmocka_unit_test_setup(F33_memmap_fdt_zero_length, setup),
		cmocka_unit_test_setup(F34_memmap_fdt_wraps, setup),
		cmocka_unit_test_setup(F35_memmap_fdt_no_memory, setup),
		cmocka_unit_test_setup(F36_memmap_fdt_memreserve_past_end, setup),
		cmocka_unit_test_setup(F37_memmap_fdt_bad_distance, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
