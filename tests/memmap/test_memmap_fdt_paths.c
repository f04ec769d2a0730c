/* SPDX-License-Identifier: MIT */
/*
 * test_memmap_fdt_paths.c - the paths of pmm_memmap_from_fdt() that the
 * QEMU blobs and the F26-F37 rows (test_memmap_fdt.c) do not take: every
 * header and token-walk error with its exact message, nodes nested past
 * the depth that is looked at, status and device_type spellings, numa ids
 * past the table, /chosen initrd forms, /distance-map checks, memreserve
 * entries that are bad, a range that ends exactly at 2^64, and the
 * boundaries mutation testing found unpinned (issue 17): the default size
 * cells, a name that is a prefix of "chosen", stale NUMA slots past
 * nr_numa, a full NUMA table, a distance triplet's second node.
 *
 * The blobs are written here by a small writer of its own: the offset of
 * every token that a message names is recorded while writing, so the
 * expected message is computed from the layout, not copied from a run.
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

/* ---- the writer -------------------------------------------------------- */

static unsigned char st[4096], strs[1024], blob[16384];
static size_t st_len, strs_len, blob_len;
static uint64_t rsv[4][2];
static unsigned int nr_rsv;

static void tok(uint32_t v)
{
	fw_put32be(st + st_len, v);
	st_len += 4;
}

/* Byte offset in the blob of the struct block's byte @at. */
static size_t at_blob(size_t at)
{
	return 40 + 16 * (nr_rsv + 1) + at;
}

static size_t begin(const char *name)
{
	size_t at = st_len, n = strlen(name) + 1;

	tok(1);
	memcpy(st + st_len, name, n);
	st_len = (st_len + n + 3) & ~(size_t)3;
	return at_blob(at);
}

static size_t end(void)
{
	size_t at = st_len;

	tok(2);
	return at_blob(at);
}

static uint32_t name_off(const char *name)
{
	size_t n = strlen(name) + 1, off = strs_len;

	memcpy(strs + strs_len, name, n);
	strs_len += n;
	return (uint32_t)off;
}

static size_t prop(const char *name, const void *val, uint32_t len)
{
	size_t at = st_len;

	tok(3);
	tok(len);
	tok(name_off(name));
	memcpy(st + st_len, val, len);
	st_len = (st_len + len + 3) & ~(size_t)3;
	return at_blob(at);
}

static size_t cells(const char *name, unsigned int n, ...)
{
	unsigned char v[64];
	va_list ap;

	va_start(ap, n);
	for (unsigned int i = 0; i < n; i++)
		fw_put32be(v + 4 * i, va_arg(ap, uint32_t));
	va_end(ap);
	return prop(name, v, 4 * n);
}

/* A root node with its cells (left open); or nothing when @root is false. */
static void start(bool root, uint32_t ac, uint32_t sc)
{
	st_len = strs_len = 0;
	nr_rsv = 0;
	memset(st, 0, sizeof(st));
	if (!root)
		return;
	begin("");
	cells("#address-cells", 1, ac);
	cells("#size-cells", 1, sc);
}

/* Lay out header, rsvmap, struct, strings; no tokens are added. */
static void layout(void)
{
	size_t off_rsv = 40, off_st = off_rsv + 16 * (nr_rsv + 1);

	memset(blob, 0, sizeof(blob));
	fw_put32be(blob, 0xd00dfeed);
	fw_put32be(blob + 8, (uint32_t)off_st);
	fw_put32be(blob + 12, (uint32_t)(off_st + st_len));
	fw_put32be(blob + 16, (uint32_t)off_rsv);
	fw_put32be(blob + 20, 17);
	fw_put32be(blob + 24, 16);
	fw_put32be(blob + 32, (uint32_t)strs_len);
	fw_put32be(blob + 36, (uint32_t)st_len);
	for (unsigned int i = 0; i < nr_rsv; i++) {
		fw_put64be(blob + off_rsv + 16 * i, rsv[i][0]);
		fw_put64be(blob + off_rsv + 16 * i + 8, rsv[i][1]);
	}
	memcpy(blob + off_st, st, st_len);
	memcpy(blob + off_st + st_len, strs, strs_len);
	blob_len = off_st + st_len + strs_len;
	fw_put32be(blob + 4, (uint32_t)blob_len);
}

/* Close the root, END, lay out. */
static void done(void)
{
	end();
	tok(9);
	layout();
}

static void memory(const char *name, uint64_t base, uint64_t size)
{
	begin(name);
	cells("reg", 4, (uint32_t)(base >> 32), (uint32_t)base,
	      (uint32_t)(size >> 32), (uint32_t)size);
	end();
}

static void read_ok(void)
{
	memset(&s.err, 0, sizeof(s.err));
	assert_int_equal(pmm_memmap_from_fdt(&s.m, &s.fw, blob, blob_len, &s.err), 0);
	assert_string_equal(s.err.msg, "");
	assert_int_equal(s.fw.format, PMM_FW_FMT_FDT);
}

/* The read fails with @ret and "fdt: " @fmt; map and info unchanged. */
static void read_fails(int ret, const char *fmt, ...)
{
	char want[160];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(want, sizeof(want), fmt, ap);
	va_end(ap);
	assert_int_equal(pmm_memmap_add(&s.m, 0, 0x1000, PMM_MEM_RESERVED), 0);
	fw_snap_take(&s);
	assert_int_equal(pmm_memmap_from_fdt(&s.m, &s.fw, blob, blob_len, &s.err), ret);
	assert_string_equal(s.err.msg, want);
	assert_true(fw_snap_same(&s));
	/* and the same without a message record */
	assert_int_equal(pmm_memmap_from_fdt(&s.m, &s.fw, blob, blob_len, NULL), ret);
	assert_true(fw_snap_same(&s));
}

static void good(void)
{
	start(true, 2, 2);
	memory("memory@40000000", 0x40000000, 0x10000000);
	done();
}

/* ---- header ------------------------------------------------------------ */

static void test_fdt_null_args(void **state)
{
	(void)state;
	good();
	assert_int_equal(pmm_memmap_from_fdt(NULL, &s.fw, blob, blob_len, NULL), PMM_EINVAL);
	assert_int_equal(pmm_memmap_from_fdt(&s.m, &s.fw, NULL, blob_len, NULL), PMM_EINVAL);
	assert_int_equal(s.m.nr, 0);
	/* no info block: the map is still read */
	assert_int_equal(pmm_memmap_from_fdt(&s.m, NULL, blob, blob_len, NULL), 0);
	assert_int_equal(s.m.nr, 1);
	assert_int_equal(s.m.entry[0].end, 0x50000000);
}

static void test_fdt_header_errors(void **state)
{
	(void)state;
	good();
	fw_put32be(blob + 4, 39);
	read_fails(PMM_EPARSE, "fdt: byte 0x4: totalsize 39 outside [40, %zu]", blob_len);
	good();
	fw_put32be(blob + 20, 16);
	read_fails(PMM_EPARSE, "fdt: byte 0x14: version 16 (last compatible 16); "
		   "version 17 is read");
	good();
	fw_put32be(blob + 20, 18);
	fw_put32be(blob + 24, 18);
	read_fails(PMM_EPARSE, "fdt: byte 0x14: version 18 (last compatible 18); "
		   "version 17 is read");
	/* a later version still compatible with 17 is read */
	fw_snap_reset(&s);
	good();
	fw_put32be(blob + 20, 18);
	fw_put32be(blob + 24, 17);
	read_ok();
	assert_int_equal(s.m.nr, 1);
}

static void test_fdt_blocks_past_end(void **state)
{
	static const unsigned int field[] = { 8, 12, 32, 16 };
	(void)state;
	for (size_t i = 0; i < sizeof(field) / sizeof(field[0]); i++) {
		good();
		fw_put32be(blob + field[i], (uint32_t)blob_len + (field[i] == 16 ? 0 : 1));
		read_fails(PMM_EPARSE, "fdt: byte 0x8: a block (struct, strings or "
			   "memreserve) lies past totalsize %zu", blob_len);
	}
}

/* ---- the token walk ---------------------------------------------------- */

static void test_fdt_name_past_struct(void **state)
{
	(void)state;
	start(false, 0, 0);
	tok(1);
	memcpy(st + st_len, "abcd", 4); /* no NUL inside the block */
	st_len += 4;
	layout();
	read_fails(PMM_EPARSE, "fdt: struct block byte 0x%zx: node name runs past "
		   "the struct block", at_blob(0));
}

static void test_fdt_prop_header_past_struct(void **state)
{
	(void)state;
	start(true, 2, 2);
	size_t at = at_blob(st_len);
	tok(3);
	tok(0);
	layout(); /* the block ends inside the property header */
	read_fails(PMM_EPARSE, "fdt: struct block byte 0x%zx: property header runs "
		   "past the struct block", at);
}

static void test_fdt_prop_name_past_strings(void **state)
{
	(void)state;
	start(true, 2, 2);
	size_t at = cells("reg", 1, 0);
	fw_put32be(st + (at - at_blob(0)) + 8, 0x1000); /* nameoff */
	done();
	read_fails(PMM_EPARSE, "fdt: struct block byte 0x%zx: property name offset "
		   "past the strings block", at);
}

static void test_fdt_prop_outside_node(void **state)
{
	(void)state;
	start(false, 0, 0);
	size_t at = cells("#address-cells", 1, 2);
	tok(9);
	layout();
	read_fails(PMM_EPARSE, "fdt: struct block byte 0x%zx: property outside any node", at);
}

static void test_fdt_end_node_without_node(void **state)
{
	(void)state;
	start(false, 0, 0);
	size_t at = end();
	tok(9);
	layout();
	read_fails(PMM_EPARSE, "fdt: struct block byte 0x%zx: END_NODE without a node", at);
}

static void test_fdt_no_end_token(void **state)
{
	(void)state;
	start(true, 2, 2);
	memory("memory@0", 0, 0x1000000);
	size_t at = end();
	layout();
	read_fails(PMM_EPARSE, "fdt: struct block byte 0x%zx: no END token", at + 4);
}

static void test_fdt_end_inside_node(void **state)
{
	(void)state;
	start(true, 2, 2);
	memory("memory@0", 0, 0x1000000);
	size_t at = at_blob(st_len);
	tok(9);
	layout();
	read_fails(PMM_EPARSE, "fdt: struct block byte 0x%zx: END inside a node", at);
}

static void test_fdt_unknown_token(void **state)
{
	(void)state;
	start(true, 2, 2);
	size_t at = at_blob(st_len);
	tok(7);
	done();
	read_fails(PMM_EPARSE, "fdt: struct block byte 0x%zx: unknown token", at);
}

/* NOPs anywhere are skipped; nodes deeper than /a/b are walked, not read. */
static void test_fdt_nop_and_deep_nodes(void **state)
{
	(void)state;
	start(true, 2, 2);
	tok(4);
	begin("memory@40000000");
	tok(4);
	cells("reg", 4, 0, 0x40000000, 0, 0x1000000);
	begin("a");
	begin("b");
	/* depth 4: a reg here would be a bad reg if it were read */
	cells("reg", 1, 7);
	begin("c");
	cells("reg", 1, 7);
	end();
	end();
	end();
	end();
	tok(4);
	done();
	read_ok();
	assert_int_equal(s.m.nr, 1);
	assert_int_equal(s.m.entry[0].start, 0x40000000);
	assert_int_equal(s.m.entry[0].end, 0x41000000);
}

/* ---- node and property forms ------------------------------------------- */

/* Which names and device_types make a memory node, and status. */
static void test_fdt_memory_node_forms(void **state)
{
	(void)state;
	start(true, 2, 2);
	memory("memory", 0x1000000, 0x1000000);          /* bare name: memory */
	memory("memoryx@2000000", 0x2000000, 0x1000000); /* not memory */
	memory("memor", 0x3000000, 0x1000000);           /* not memory */
	memory("mem", 0x3000000, 0x1000000);             /* not memory */
	begin("ram@4000000");                            /* by device_type */
	prop("device_type", "memory", 7);
	cells("reg", 4, 0, 0x4000000, 0, 0x1000000);
	end();
	begin("cpu@5000000");                            /* another type */
	prop("device_type", "cpu", 4);
	cells("reg", 4, 0, 0x5000000, 0, 0x1000000);
	end();
	begin("ram@5000000");                            /* "memory" w/o NUL */
	prop("device_type", "memory", 6);
	cells("reg", 4, 0, 0x5000000, 0, 0x1000000);
	end();
	begin("memory@6000000");                         /* status okay */
	prop("status", "okay", 5);
	cells("reg", 4, 0, 0x6000000, 0, 0x1000000);
	end();
	begin("memory@7000000");                         /* status ok */
	prop("status", "ok", 3);
	cells("reg", 4, 0, 0x7000000, 0, 0x1000000);
	end();
	begin("memory@8000000");                         /* status fail */
	prop("status", "fail", 5);
	cells("reg", 4, 0, 0x8000000, 0, 0x1000000);
	end();
	begin("memory@9000000");                         /* status "oka" */
	prop("status", "oka", 4);
	cells("reg", 4, 0, 0x9000000, 0, 0x1000000);
	end();
	begin("memory@a000000");                         /* no reg */
	cells("numa-node-id", 1, 1);
	end();
	done();
	read_ok();
	/* okay and ok touch: one entry */
	assert_int_equal(s.m.nr, 3);
	assert_int_equal(s.m.entry[0].start, 0x1000000);
	assert_int_equal(s.m.entry[0].end, 0x2000000);
	assert_int_equal(s.m.entry[1].start, 0x4000000);
	assert_int_equal(s.m.entry[1].end, 0x5000000);
	assert_int_equal(s.m.entry[2].start, 0x6000000);
	assert_int_equal(s.m.entry[2].end, 0x8000000);
	for (unsigned int i = 0; i < 3; i++)
		assert_int_equal(s.m.entry[i].type, PMM_MEM_USABLE);
	assert_int_equal(s.m.nr_numa, 0);
}

/* #address-cells / #size-cells: only 4-byte values count; bad values fail. */
static void test_fdt_cells(void **state)
{
	size_t mem;
	(void)state;
	/* an 8-byte #address-cells is ignored: the default 2 stays */
	start(false, 0, 0);
	begin("");
	cells("#address-cells", 2, 0, 1);
	cells("#size-cells", 1, 1);
	begin("memory@0");
	cells("reg", 3, 0, 0x100000, 0x200000);
	end();
	done();
	read_ok();
	assert_int_equal(s.m.nr, 1);
	assert_int_equal(s.m.entry[0].start, 0x100000);
	assert_int_equal(s.m.entry[0].end, 0x300000);

	fw_snap_reset(&s);
	start(true, 2, 0);
	mem = begin("memory@0");
	cells("reg", 2, 0, 0x100000);
	end();
	done();
	read_fails(PMM_EPARSE, "fdt: /memory@0 (byte 0x%zx): reg 0: #size-cells is 0 "
		   "(1 or 2 are read)", mem);

	fw_snap_reset(&s);
	start(true, 1, 1);
	mem = begin("memory@0");
	prop("reg", "", 0);
	end();
	done();
	read_fails(PMM_EPARSE, "fdt: /memory@0 (byte 0x%zx): reg 0: 0 bytes are not "
		   "whole 8-byte entries", mem);
}

/* A second reg entry that fails is named by its index; 2^64 end clipped. */
static void test_fdt_reg_entries(void **state)
{
	size_t mem;
	(void)state;
	start(true, 2, 2);
	mem = begin("memory@0");
	cells("reg", 8, 0, 0x100000, 0, 0x100000, 0, 0x300000, 0, 0);
	end();
	done();
	read_fails(PMM_EPARSE, "fdt: /memory@0 (byte 0x%zx): reg 1: zero length", mem);

	fw_snap_reset(&s);
	start(true, 2, 2);
	begin("memory@fffffffffffff000");
	cells("reg", 4, 0xffffffffu, 0xfffff000u, 0, 0x1000);
	end();
	done();
	read_ok();
	assert_int_equal(s.m.nr, 1);
	assert_int_equal(s.m.entry[0].start, 0xfffffffffffff000ull);
	assert_int_equal(s.m.entry[0].end, UINT64_MAX);

	/* touching regs of one node are merged into one entry */
	fw_snap_reset(&s);
	start(true, 1, 1);
	begin("memory@0");
	cells("reg", 4, 0x100000, 0x100000, 0x200000, 0x100000);
	end();
	done();
	read_ok();
	assert_int_equal(s.m.nr, 1);
	assert_int_equal(s.m.entry[0].end, 0x300000);
}

static void test_fdt_numa_ids(void **state)
{
	size_t mem;
	(void)state;
	start(true, 2, 2);
	begin("memory@0");
	cells("numa-node-id", 1, 3);
	cells("reg", 4, 0, 0, 0, 0x1000000);
	end();
	begin("memory@1000000");
	cells("numa-node-id", 2, 0, 1); /* 8 bytes: not a numa-node-id */
	cells("reg", 4, 0, 0x1000000, 0, 0x1000000);
	end();
	done();
	read_ok();
	assert_int_equal(s.m.nr_numa, 1);
	assert_int_equal(s.m.numa[0].nid, 3);
	assert_int_equal(s.m.numa[0].pxm, 3);
	assert_int_equal(s.m.numa[0].end, 0x1000000);
	assert_int_equal(s.fw.nr_nodes, 4);
	assert_int_equal(s.fw.pxm[3], 3);

	fw_snap_reset(&s);
	start(true, 2, 2);
	mem = begin("memory@0");
	cells("numa-node-id", 1, PMM_FW_NODES_MAX); /* the first id past the table */
	cells("reg", 4, 0, 0, 0, 0x1000000);
	end();
	done();
	read_fails(PMM_EFULL, "fdt: /memory@0 (byte 0x%zx): reg 0: numa-node-id past "
		   "PMM_FW_NODES_MAX (raise it)", mem);
}

/* A reserved-memory child whose reg is wrong is named by its full path. */
static void test_fdt_reserved_child_errors(void **state)
{
	size_t res;
	(void)state;
	start(true, 2, 2);
	memory("memory@0", 0, 0x10000000);
	begin("reserved-memory");
	cells("#address-cells", 1, 1);
	cells("#size-cells", 1, 1);
	res = begin("buf@100000");
	cells("reg", 2, 0x100000, 0);
	end();
	end();
	done();
	read_fails(PMM_EPARSE, "fdt: /reserved-memory/buf@100000 (byte 0x%zx): reg 0: "
		   "zero length", res);

	/* a reg on a node that is not under /reserved-memory is ignored */
	fw_snap_reset(&s);
	start(true, 2, 2);
	memory("memory@0", 0, 0x10000000);
	begin("soc");
	begin("uart@9000000");
	cells("reg", 4, 0, 0x9000000, 0, 0x1000);
	end();
	end();
	done();
	read_ok();
	assert_int_equal(s.m.nr, 1);
}

static void test_fdt_initrd_forms(void **state)
{
	unsigned char v8[8];
	size_t ch;
	(void)state;
	/* u64 start, u32 end: both forms are read */
	start(true, 2, 2);
	memory("memory@0", 0, 0x10000000);
	begin("chosen");
	fw_put64be(v8, 0x2000000);
	prop("linux,initrd-start", v8, 8);
	cells("linux,initrd-end", 1, 0x2400000);
	end();
	done();
	read_ok();
	assert_int_equal(s.m.nr, 2);
	assert_int_equal(s.m.entry[1].start, 0x2000000);
	assert_int_equal(s.m.entry[1].end, 0x2400000);
	assert_int_equal(s.m.entry[1].type, PMM_MEM_RESERVED);
	assert_int_equal(s.fw.nr_ranges, 1);
	assert_int_equal(s.fw.range[0].kind, PMM_FW_INITRD);
	assert_int_equal(s.fw.range[0].end, 0x2400000);

	/* only a start, or an end of a bad length: no initrd */
	fw_snap_reset(&s);
	start(true, 2, 2);
	memory("memory@0", 0, 0x10000000);
	begin("chosen");
	cells("linux,initrd-start", 1, 0x2000000);
	prop("linux,initrd-end", "\0\0\x24", 3);
	end();
	done();
	read_ok();
	assert_int_equal(s.m.nr, 1);
	assert_int_equal(s.fw.nr_ranges, 0);

	/* only an end */
	fw_snap_reset(&s);
	start(true, 2, 2);
	memory("memory@0", 0, 0x10000000);
	begin("chosen");
	cells("linux,initrd-end", 1, 0x2000000);
	end();
	done();
	read_ok();
	assert_int_equal(s.m.nr, 1);

	/* empty */
	fw_snap_reset(&s);
	start(true, 2, 2);
	memory("memory@0", 0, 0x10000000);
	ch = begin("chosen");
	cells("linux,initrd-start", 1, 0x2000000);
	cells("linux,initrd-end", 1, 0x2000000);
	end();
	done();
	read_fails(PMM_EPARSE, "fdt: /chosen (byte 0x%zx): initrd [0x2000000, 0x2000000) "
		   "is empty or reversed", ch);

	/* the info table full: the note cannot be made */
	fw_snap_reset(&s);
	s.fw.nr_ranges = PMM_FW_RANGES_MAX;
	start(true, 2, 2);
	memory("memory@0", 0, 0x10000000);
	ch = begin("chosen");
	cells("linux,initrd-start", 1, 0x2000000);
	cells("linux,initrd-end", 1, 0x3000000);
	end();
	done();
	read_fails(PMM_EFULL, "fdt: /chosen (byte 0x%zx): initrd: table full "
		   "(raise PMM_MEMMAP_MAX or PMM_FW_RANGES_MAX)", ch);
}

static void test_fdt_distance_checks(void **state)
{
	size_t dm;
	(void)state;
	/* one triplet each way is enough; the other direction is copied */
	start(true, 2, 2);
	begin("memory@0");
	cells("numa-node-id", 1, 0);
	cells("reg", 4, 0, 0, 0, 0x1000000);
	end();
	begin("distance-map");
	cells("distance-matrix", 9, 0, 0, 10, 0, 2, 30, 2, 2, 10);
	end();
	done();
	read_ok();
	assert_int_equal(s.fw.nr_dist, 3);
	assert_int_equal(s.fw.nr_nodes, 3);
	assert_int_equal(s.fw.dist[0][2], 30);
	assert_int_equal(s.fw.dist[2][0], 30);
	assert_int_equal(s.fw.dist[0][0], 10);
	assert_int_equal(s.fw.dist[1][1], 0);
	assert_int_equal(s.fw.pxm[2], 2);

	/* an asymmetric pair keeps both directions */
	fw_snap_reset(&s);
	start(true, 2, 2);
	memory("memory@0", 0, 0x1000000);
	begin("distance-map");
	cells("distance-matrix", 6, 1, 0, 20, 0, 1, 25);
	end();
	done();
	read_ok();
	assert_int_equal(s.fw.dist[1][0], 20);
	assert_int_equal(s.fw.dist[0][1], 25);
	assert_int_equal(s.fw.nr_nodes, 2);

	static const uint32_t bad[][3] = {
		{ 1, 1, 20 },   /* local but not 10 */
		{ 0, 1, 10 },   /* remote but 10 */
		{ 0, 1, 256 },  /* more than a byte */
		{ 0, 1, 9 },    /* less than local */
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		fw_snap_reset(&s);
		start(true, 2, 2);
		memory("memory@0", 0, 0x1000000);
		dm = begin("distance-map");
		cells("distance-matrix", 6, 0, 0, 10, bad[i][0], bad[i][1], bad[i][2]);
		end();
		done();
		read_fails(PMM_EPARSE, "fdt: /distance-map (byte 0x%zx): entry 1: distance "
			   "%u from node %u to %u", dm, bad[i][2], bad[i][0], bad[i][1]);
	}

	fw_snap_reset(&s);
	start(true, 2, 2);
	memory("memory@0", 0, 0x1000000);
	dm = begin("distance-map");
	cells("distance-matrix", 4, 0, 0, 10, 0);
	end();
	done();
	read_fails(PMM_EPARSE, "fdt: /distance-map (byte 0x%zx): distance-matrix of 16 "
		   "bytes is not whole triplets", dm);

	for (int which = 0; which < 2; which++) {
		fw_snap_reset(&s);
		start(true, 2, 2);
		memory("memory@0", 0, 0x1000000);
		dm = begin("distance-map");
		cells("distance-matrix", 3, which ? 0 : PMM_FW_NODES_MAX,
		      which ? PMM_FW_NODES_MAX : 0, 20);
		end();
		done();
		read_fails(PMM_EFULL, "fdt: /distance-map (byte 0x%zx): entry 0: node %u or %u "
			   "past PMM_FW_NODES_MAX (raise it)", dm,
			   which ? 0 : PMM_FW_NODES_MAX, which ? PMM_FW_NODES_MAX : 0);
	}

	/* a distance-map without a matrix, and without an info block */
	fw_snap_reset(&s);
	start(true, 2, 2);
	memory("memory@0", 0, 0x1000000);
	begin("distance-map");
	end();
	done();
	read_ok();
	assert_int_equal(s.fw.nr_dist, 0);
}

static void test_fdt_memreserve_errors(void **state)
{
	(void)state;
	start(true, 2, 2);
	memory("memory@0", 0, 0x1000000);
	rsv[0][0] = 0x100000;
	rsv[0][1] = 0x1000;
	rsv[1][0] = 0x200000;
	rsv[1][1] = 0;
	nr_rsv = 2;
	done();
	read_fails(PMM_EPARSE, "fdt: memreserve entry 1 at byte 0x38: zero length");

	fw_snap_reset(&s);
	start(true, 2, 2);
	memory("memory@0", 0, 0x1000000);
	rsv[0][0] = 0xfffffffffffff000ull;
	rsv[0][1] = 0x2000;
	nr_rsv = 1;
	done();
	read_fails(PMM_EOVERFLOW, "fdt: memreserve entry 0 at byte 0x28: range wraps past 2^64");

	/* two touching entries make one reserved range */
	fw_snap_reset(&s);
	start(true, 2, 2);
	memory("memory@0", 0, 0x1000000);
	rsv[0][0] = 0x100000;
	rsv[0][1] = 0x1000;
	rsv[1][0] = 0x101000;
	rsv[1][1] = 0x1000;
	nr_rsv = 2;
	done();
	read_ok();
	assert_int_equal(s.m.nr, 2);
	assert_int_equal(s.m.entry[1].start, 0x100000);
	assert_int_equal(s.m.entry[1].end, 0x102000);
	assert_int_equal(s.m.entry[1].type, PMM_MEM_RESERVED);
}

/* The map full: the reader fails and leaves it as it was. */
static void test_fdt_map_full(void **state)
{
	size_t mem;
	(void)state;
	for (unsigned int i = 1; i < PMM_MEMMAP_MAX; i++)
		assert_int_equal(pmm_memmap_add(&s.m, (pmm_phys_t)i << 32,
						((pmm_phys_t)i << 32) + 0x1000,
						PMM_MEM_RESERVED), 0);
	start(true, 2, 2);
	mem = begin("memory@0");
	cells("reg", 4, 0, 0, 0, 0x1000000);
	end();
	done();
	read_fails(PMM_EFULL, "fdt: /memory@0 (byte 0x%zx): reg 0: table full "
		   "(raise PMM_MEMMAP_MAX or PMM_FW_RANGES_MAX)", mem);
}

/*
 * F50: the blob fuzz_fdt found: a memory node with numa-node-id = <64>,
 * past the firmware info's node table (it wrote one past pxm[]).
 */
static void F50_fdt_numa_node_id_past_fw_nodes_max(void **state)
{
	FILE *f = fopen("fuzz/regressions/fdt/numa-node-id-64", "rb");
	(void)state;
	assert_non_null(f);
	blob_len = fread(blob, 1, sizeof(blob), f);
	fclose(f);
	assert_true(blob_len > 40);
	read_fails(PMM_EFULL, "fdt: /memory@58000000 (byte 0x148): reg 0: "
		   "numa-node-id past PMM_FW_NODES_MAX (raise it)");
}

/* ---- boundaries (issue 17, docs/mutation.md) --------------------------- */

/* A memory node of node @nid, 16 MiB at 0; return: its offset. */
static size_t node0_memory(uint32_t nid)
{
	size_t at = begin("memory@0");

	cells("numa-node-id", 1, nid);
	cells("reg", 4, 0, 0, 0, 0x1000000);
	end();
	return at;
}

/* The read succeeds with one map entry, [@start, @end). */
static void read_ok_one(uint64_t start, uint64_t end)
{
	read_ok();
	assert_int_equal(s.m.nr, 1);
	assert_int_equal(s.m.entry[0].start, start);
	assert_int_equal(s.m.entry[0].end, end);
}

/* A root without #size-cells gives its children one size cell. */
static void test_fdt_default_size_cells(void **state)
{
	(void)state;
	start(false, 0, 0);
	begin("");
	cells("#address-cells", 1, 2);
	begin("memory@1000000");
	cells("reg", 3, 0, 0x1000000, 0x1000000);
	end();
	done();
	read_ok_one(0x1000000, 0x2000000);
}

/* A node whose name is a prefix of "chosen" is not /chosen. */
static void test_fdt_name_prefix_is_not_chosen(void **state)
{
	(void)state;
	start(true, 2, 2);
	memory("memory@0", 0, 0x10000000);
	begin("chose");
	cells("linux,initrd-start", 1, 0x2000000);
	cells("linux,initrd-end", 1, 0x2100000);
	end();
	done();
	read_ok_one(0, 0x10000000);
	assert_int_equal(s.fw.nr_ranges, 0);
}

/*
 * The NUMA slots past nr_numa hold stale values (a hot-plug flag, node 9):
 * the new range clears its slot, and the node count reads none past it.
 */
static void test_fdt_numa_ignores_stale_slots(void **state)
{
	(void)state;
	s.m.numa[0].hotplug = true;
	s.m.numa[1].nid = 9;
	start(true, 2, 2);
	node0_memory(0);
	done();
	read_ok();
	assert_int_equal(s.m.nr_numa, 1);
	assert_false(s.m.numa[0].hotplug);
	assert_int_equal(s.fw.nr_nodes, 1);
}

/* A full NUMA table refuses the next node's range; nothing changes. */
static void test_fdt_numa_table_full(void **state)
{
	size_t mem;
	(void)state;
	for (unsigned int i = 0; i < PMM_NUMA_MAX; i++) {
		s.m.numa[i].start = (1ull << 40) + i * 0x1000ull;
		s.m.numa[i].end = s.m.numa[i].start + 0x1000;
	}
	s.m.nr_numa = PMM_NUMA_MAX;
	start(true, 2, 2);
	mem = node0_memory(1);
	done();
	read_fails(PMM_EFULL, "fdt: /memory@0 (byte 0x%zx): reg 0: table full "
		   "(raise PMM_MEMMAP_MAX or PMM_FW_RANGES_MAX)", mem);
}

/* A distance triplet's second node counts: (0, 1) makes two nodes. */
static void test_fdt_distance_second_node_counts(void **state)
{
	(void)state;
	start(true, 2, 2);
	node0_memory(0);
	begin("distance-map");
	cells("distance-matrix", 6, 0, 0, 10, 0, 1, 20);
	end();
	done();
	read_ok();
	assert_int_equal(s.fw.nr_dist, 2);
	assert_int_equal(s.fw.nr_nodes, 2);
	assert_int_equal(s.fw.dist[1][0], 20);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_fdt_null_args, setup),
		cmocka_unit_test_setup(F50_fdt_numa_node_id_past_fw_nodes_max, setup),
		cmocka_unit_test_setup(test_fdt_header_errors, setup),
		cmocka_unit_test_setup(test_fdt_blocks_past_end, setup),
		cmocka_unit_test_setup(test_fdt_name_past_struct, setup),
		cmocka_unit_test_setup(test_fdt_prop_header_past_struct, setup),
		cmocka_unit_test_setup(test_fdt_prop_name_past_strings, setup),
		cmocka_unit_test_setup(test_fdt_prop_outside_node, setup),
		cmocka_unit_test_setup(test_fdt_end_node_without_node, setup),
		cmocka_unit_test_setup(test_fdt_no_end_token, setup),
		cmocka_unit_test_setup(test_fdt_end_inside_node, setup),
		cmocka_unit_test_setup(test_fdt_unknown_token, setup),
		cmocka_unit_test_setup(test_fdt_nop_and_deep_nodes, setup),
		cmocka_unit_test_setup(test_fdt_memory_node_forms, setup),
		cmocka_unit_test_setup(test_fdt_cells, setup),
		cmocka_unit_test_setup(test_fdt_reg_entries, setup),
		cmocka_unit_test_setup(test_fdt_numa_ids, setup),
		cmocka_unit_test_setup(test_fdt_reserved_child_errors, setup),
		cmocka_unit_test_setup(test_fdt_initrd_forms, setup),
		cmocka_unit_test_setup(test_fdt_distance_checks, setup),
		cmocka_unit_test_setup(test_fdt_memreserve_errors, setup),
		cmocka_unit_test_setup(test_fdt_map_full, setup),
		cmocka_unit_test_setup(test_fdt_default_size_cells, setup),
		cmocka_unit_test_setup(test_fdt_name_prefix_is_not_chosen, setup),
		cmocka_unit_test_setup(test_fdt_numa_ignores_stale_slots, setup),
		cmocka_unit_test_setup(test_fdt_numa_table_full, setup),
		cmocka_unit_test_setup(test_fdt_distance_second_node_counts, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
