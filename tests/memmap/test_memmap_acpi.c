/* SPDX-License-Identifier: MIT */
/*
 * test_memmap_acpi.c - pmm_memmap_from_srat() and pmm_fw_from_slit() on
 * the tables QEMU built for three -numa shapes, read back inside a Linux
 * guest (tests/data/firmware/qemu-x86-*.srat, .slit), and on bad tables.
 *
 * The oracle is the guest's own log next to each table: Linux printed
 * "ACPI: SRAT: Node N PXM P [mem a-b] (hotplug)" for every range it took
 * from the same SRAT. pmm's dmesg reader turns those lines into NUMA
 * ranges, and the table reader must give the very same ranges. Distances
 * are those given to QEMU (README.md), which Linux does not print.
 *
 * Cases F.. are the rows F38-F49 of docs/errors.md: each checks the message
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

static struct fw_snap s;
static unsigned char tab[1024];

static int setup(void **state)
{
	(void)state;
	fw_snap_reset(&s);
	return 0;
}

static char *read_data(const char *name, const char *ext, size_t *len)
{
	char path[128];
	char *p;

	snprintf(path, sizeof(path), "firmware/%s.%s", name, ext);
	p = memmap_data_read(path, len);
	assert_non_null(p);
	return p;
}

/* SRAT of @name read by the table reader and, from the log, by dmesg. */
static void srat_vs_log(const char *name)
{
	static struct pmm_memmap from_log;
	size_t tlen, llen;
	char *t = read_data(name, "srat", &tlen);
	char *log = read_data(name, "log", &llen);
	unsigned int i;

	pmm_memmap_init(&from_log);
	assert_int_equal(pmm_memmap_parse_dmesg(&from_log, log, llen, NULL), 0);
	assert_int_equal(pmm_memmap_from_srat(&s.m, &s.fw, t, tlen, &s.err), 0);
	assert_int_equal(s.fw.format, PMM_FW_FMT_SRAT);
	assert_true(from_log.nr_numa > 0);
	assert_int_equal(s.m.nr_numa, from_log.nr_numa);
	for (i = 0; i < s.m.nr_numa; i++) {
		assert_int_equal(s.m.numa[i].start, from_log.numa[i].start);
		assert_int_equal(s.m.numa[i].end, from_log.numa[i].end);
		assert_int_equal(s.m.numa[i].nid, from_log.numa[i].nid);
		assert_int_equal(s.m.numa[i].pxm, from_log.numa[i].pxm);
		assert_int_equal(s.m.numa[i].hotplug, from_log.numa[i].hotplug);
	}
	assert_int_equal(s.m.nr, 0); /* SRAT says where, not what */
	free(t);
	free(log);
}

static void read_slit(const char *name)
{
	size_t len;
	char *t = read_data(name, "slit", &len);

	assert_int_equal(pmm_fw_from_slit(&s.fw, t, len, &s.err), 0);
	free(t);
}

/* Node 0 160 MiB (cpu 0), node 1 96 MiB (cpu 1), distance 21. */
static void test_memmap_acpi_numa2(void **state)
{
	(void)state;
	srat_vs_log("qemu-x86-numa2");
	assert_int_equal(s.fw.nr_nodes, 2);
	read_slit("qemu-x86-numa2");
	assert_int_equal(s.fw.nr_dist, 2);
	assert_int_equal(s.fw.dist[0][0], 10);
	assert_int_equal(s.fw.dist[0][1], 21);
	assert_int_equal(s.fw.dist[1][0], 21);
	assert_int_equal(s.fw.dist[1][1], 10);
}

/* Node 1 has a CPU and no memory; node 2 memory and no CPU. */
static void test_memmap_acpi_numa3_memless(void **state)
{
	static const uint8_t want[3][3] = {
		{ 10, 15, 30 }, { 15, 10, 25 }, { 30, 25, 10 },
	};
	unsigned int a, b;

	(void)state;
	srat_vs_log("qemu-x86-numa3-memless");
	assert_int_equal(s.fw.nr_nodes, 3); /* PXM 1 numbered from its CPU */
	read_slit("qemu-x86-numa3-memless");
	assert_int_equal(s.fw.nr_dist, 3);
	for (a = 0; a < 3; a++)
		for (b = 0; b < 3; b++)
			assert_int_equal(s.fw.dist[a][b], want[a][b]);
}

/* One node plus a hot-pluggable range for the DIMM slots. */
static void test_memmap_acpi_hotplug(void **state)
{
	(void)state;
	srat_vs_log("qemu-x86-numa1-hotplug");
	assert_true(s.m.numa[s.m.nr_numa - 1].hotplug);
}

/* ---- tables built here ---------------------------------------------- */

static size_t hdr(const char *sig, size_t len)
{
	memset(tab, 0, sizeof(tab));
	memcpy(tab, sig, 4);
	fw_put32le(tab + 4, (uint32_t)len);
	tab[8] = 3;
	memcpy(tab + 10, "PMMTST", 6);
	return len;
}

/* A SRAT with one CPU (PXM 0) and @n memory affinities of 40 bytes. */
static size_t srat(unsigned int n, const uint64_t (*mem)[4])
{
	size_t len = hdr("SRAT", 48 + 16 + 40 * n), off = 64;
	unsigned int i;

	tab[48] = 0;
	tab[49] = 16;
	fw_put32le(tab + 52, 1); /* enabled */
	for (i = 0; i < n; i++, off += 40) {
		tab[off] = 1;
		tab[off + 1] = 40;
		fw_put32le(tab + off + 2, (uint32_t)mem[i][0]);
		fw_put64le(tab + off + 8, mem[i][1]);
		fw_put64le(tab + off + 16, mem[i][2]);
		fw_put32le(tab + off + 28, (uint32_t)mem[i][3]);
	}
	fw_data_acpi_fix_checksum(tab, len);
	return len;
}

static void test_memmap_acpi_nonvolatile(void **state)
{
	static const uint64_t mem[2][4] = {
		{ 0, 0, 0x40000000, 1 },
		{ 1, 0x100000000ull, 0x40000000, 1 | 4 },
	};

	(void)state;
	assert_int_equal(pmm_memmap_from_srat(&s.m, &s.fw, tab, srat(2, mem), NULL), 0);
	assert_int_equal(s.m.nr_numa, 2);
	assert_int_equal(s.m.numa[1].nid, 1);
	assert_int_equal(s.fw.nr_ranges, 1);
	assert_int_equal(s.fw.range[0].kind, PMM_FW_NONVOLATILE);
	assert_int_equal(s.fw.range[0].start, 0x100000000ull);
}

static void fail_srat(size_t len, int ret, const char *msg)
{
	assert_int_equal(pmm_memmap_add(&s.m, 0, 0x9f000, PMM_MEM_USABLE), 0);
	fw_snap_take(&s);
	assert_int_equal(pmm_memmap_from_srat(&s.m, &s.fw, tab, len, &s.err), ret);
	assert_string_equal(s.err.msg, msg);
	assert_true(fw_snap_same(&s));
}

static const uint64_t two_nodes[2][4] = {
	{ 0, 0, 0x40000000, 1 },
	{ 1, 0x40000000, 0x40000000, 1 },
};

static void F38_memmap_acpi_bad_checksum(void **state)
{
	char msg[64];
	size_t len;

	(void)state;
	len = srat(2, two_nodes);
	tab[70] ^= 1; /* one bit of a range */
	snprintf(msg, sizeof(msg), "srat: byte 0x9: bad checksum 0x%02x", tab[9]);
	fail_srat(len, PMM_EPARSE, msg);
}

static void F39_memmap_acpi_truncated(void **state)
{
	(void)state;
	fail_srat(srat(2, two_nodes) - 1, PMM_EPARSE,
		  "srat: byte 0x4: length 144 outside [48, 143]");
	fail_srat(20, PMM_EPARSE, "srat: 20 bytes: shorter than the 36-byte header");
}

static void F40_memmap_acpi_bad_signature(void **state)
{
	size_t len;

	(void)state;
	len = srat(2, two_nodes);
	memcpy(tab, "SLIT", 4);
	fail_srat(len, PMM_EPARSE, "srat: byte 0x0: signature is not 'SRAT'");
}

static void F41_memmap_acpi_subtable_length(void **state)
{
	size_t len;

	(void)state;
	len = srat(2, two_nodes);
	tab[64 + 1] = 0; /* the first memory affinity's length */
	fw_data_acpi_fix_checksum(tab, len);
	fail_srat(len, PMM_EPARSE, "srat: subtable 1 at byte 0x40: length 0 below 2");
	tab[64 + 1] = 200;
	fw_data_acpi_fix_checksum(tab, len);
	fail_srat(len, PMM_EPARSE,
		  "srat: subtable 1 at byte 0x40: length 200 runs past the table");
	tab[64 + 1] = 24;
	fw_data_acpi_fix_checksum(tab, len);
	fail_srat(len, PMM_EPARSE,
		  "srat: subtable 1 (type 1) at byte 0x40: length 24 below 40");
}

static void F42_memmap_acpi_zero_length(void **state)
{
	static const uint64_t mem[1][4] = { { 0, 0x100000, 0, 1 } };

	(void)state;
	fail_srat(srat(1, mem), PMM_EPARSE,
		  "srat: memory affinity at byte 0x40: enabled with length 0");
}

/* Disabled entries are skipped, length 0 or not (QEMU emits such). */
static void test_memmap_acpi_disabled(void **state)
{
	static const uint64_t mem[2][4] = { { 0, 0, 0, 0 }, { 5, 0, 0x1000, 0 } };

	(void)state;
	assert_int_equal(pmm_memmap_from_srat(&s.m, &s.fw, tab, srat(2, mem), NULL), 0);
	assert_int_equal(s.m.nr_numa, 0);
	assert_int_equal(s.fw.nr_nodes, 1); /* the CPU's PXM 0 */
}

static void F43_memmap_acpi_wraps(void **state)
{
	static const uint64_t mem[1][4] = { { 0, 0xfffffffffffff000ull, 0x2000, 1 } };

	(void)state;
	fail_srat(srat(1, mem), PMM_EOVERFLOW,
		  "srat: memory affinity at byte 0x40: range wraps past 2^64");
}

static void F44_memmap_acpi_overlap(void **state)
{
	static const uint64_t mem[2][4] = {
		{ 0, 0, 0x40000000, 1 }, { 1, 0x20000000, 0x40000000, 1 },
	};

	(void)state;
	fail_srat(srat(2, mem), PMM_EPARSE, "srat: memory affinity at byte 0x68: "
		  "PXM 1 [0x20000000, 0x60000000) overlaps another node");
}

/* A SLIT of @n localities with @d as its matrix. */
static size_t slit(unsigned int n, const uint8_t *d)
{
	size_t len = hdr("SLIT", 44 + n * n);

	fw_put64le(tab + 36, n);
	memcpy(tab + 44, d, n * n);
	fw_data_acpi_fix_checksum(tab, len);
	return len;
}

static void fail_slit(size_t len, int ret, const char *msg)
{
	fw_snap_take(&s);
	assert_int_equal(pmm_fw_from_slit(&s.fw, tab, len, &s.err), ret);
	assert_string_equal(s.err.msg, msg);
	assert_true(fw_snap_same(&s));
}

static const uint8_t slit_good[4] = { 10, 20, 20, 10 };

static void F45_memmap_acpi_slit_local(void **state)
{
	static const uint8_t diag[4] = { 10, 20, 20, 11 };

	(void)state;
	read_slit("qemu-x86-numa2");
	fail_slit(slit(2, diag), PMM_EPARSE, "slit: byte 0x2f: distance 11 from "
		  "locality 1 to 1 (local is 10, remote above 10)");
}

static void F46_memmap_acpi_slit_remote(void **state)
{
	static const uint8_t near[4] = { 10, 10, 20, 10 };

	(void)state;
	read_slit("qemu-x86-numa2");
	fail_slit(slit(2, near), PMM_EPARSE, "slit: byte 0x2d: distance 10 from "
		  "locality 0 to 1 (local is 10, remote above 10)");
}

static void F47_memmap_acpi_slit_past_end(void **state)
{
	size_t len = slit(2, slit_good);

	(void)state;
	fw_put64le(tab + 36, 3);
	fw_data_acpi_fix_checksum(tab, len);
	fail_slit(len, PMM_EPARSE, "slit: byte 0x24: a 3 x 3 matrix runs past "
		  "the table length 48");
}

static void F48_memmap_acpi_slit_too_many(void **state)
{
	size_t len = slit(2, slit_good);

	(void)state;
	fw_put64le(tab + 36, 1000);
	fw_data_acpi_fix_checksum(tab, len);
	fail_slit(len, PMM_EFULL, "slit: byte 0x24: 1000 localities, more than 64 "
		  "(raise PMM_FW_NODES_MAX)");
}

static void F49_memmap_acpi_slit_checksum(void **state)
{
	size_t len = slit(2, slit_good);

	(void)state;
	tab[45] = 30;
	fail_slit(len, PMM_EPARSE, "slit: byte 0x9: bad checksum 0x6e");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_memmap_acpi_numa2, setup),
		cmocka_unit_test_setup(test_memmap_acpi_numa3_memless, setup),
		cmocka_unit_test_setup(test_memmap_acpi_hotplug, setup),
		cmocka_unit_test_setup(test_memmap_acpi_nonvolatile, setup),
		cmocka_unit_test_setup(F38_memmap_acpi_bad_checksum, setup),
		cmocka_unit_test_setup(F39_memmap_acpi_truncated, setup),
		cmocka_unit_test_setup(F40_memmap_acpi_bad_signature, setup),
		cmocka_unit_test_setup(F41_memmap_acpi_subtable_length, setup),
		cmocka_unit_test_setup(F42_memmap_acpi_zero_length, setup),
		cmocka_unit_test_setup(test_memmap_acpi_disabled, setup),
		cmocka_unit_test_setup(F43_memmap_acpi_wraps, setup),
		cmocka_unit_test_setup(F44_memmap_acpi_overlap, setup),
		cmocka_unit_test_setup(F45_memmap_acpi_slit_local, setup),
		cmocka_unit_test_setup(F46_memmap_acpi_slit_remote, setup),
		cmocka_unit_test_setup(F47_memmap_acpi_slit_past_end, setup),
		cmocka_unit_test_setup(F48_memmap_acpi_slit_too_many, setup),
		cmocka_unit_test_setup(F49_memmap_acpi_slit_checksum, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
