/* SPDX-License-Identifier: MIT */
/*
 * memmap_fdt.c - read memory out of a flattened device tree (the blob an
 * arm64 or riscv boot loader, or QEMU's "virt" board, hands the kernel).
 *
 * The blob (all numbers big endian):
 *
 *   header   magic 0xd00dfeed, totalsize, off_dt_struct, off_dt_strings,
 *            off_mem_rsvmap, version, last_comp_version, boot_cpuid_phys,
 *            size_dt_strings, size_dt_struct (version 17)
 *   rsvmap   {u64 address, u64 size} pairs ending with a pair of zeros
 *   struct   tokens on 4-byte boundaries: BEGIN_NODE name\0, PROP
 *            {u32 len, u32 nameoff} value, END_NODE, NOP, END
 *   strings  property names, NUL-terminated
 *
 * Read here: /memory* nodes (or device_type = "memory") - their reg
 * entries of (#address-cells, #size-cells) cells from the root are usable
 * memory, numa-node-id makes them NUMA ranges; /reserved-memory children's
 * reg entries are reserved (no-map and reusable noted); the rsvmap block is
 * reserved; /chosen's linux,initrd-start/end is reserved and noted;
 * /distance-map's distance-matrix gives node distances. The struct block
 * is walked without recursion, twice: memory nodes first (so overlapping
 * memory can be told from reserved memory inside it), then the rest. Every
 * offset is checked against totalsize and the input length before it is
 * read.
 */
#include <pmm/fmt.h>

#include "memmap_fw.h"

#define FDT_MAGIC 0xd00dfeedu
#define FDT_HDR_SIZE 40u
#define FDT_BEGIN_NODE 1u
#define FDT_END_NODE 2u
#define FDT_PROP 3u
#define FDT_NOP 4u
#define FDT_END 9u
#define FDT_KEEP 3u      /* depths whose nodes are looked at: /, /a, /a/b */
#define LOCAL_DISTANCE 10u

struct fdt {
	const unsigned char *p;
	size_t total;
	size_t st, st_end;   /* struct block [st, st_end) */
	size_t str, str_len; /* strings block */
	size_t rsv;          /* rsvmap block start */
};

/* What one node holds; filled while its properties are read. */
struct fdt_node {
	const char *name;
	size_t name_len;
	size_t off;                 /* byte offset of its BEGIN_NODE */
	uint32_t addr_cells, size_cells; /* for its children */
	const unsigned char *reg;
	uint32_t reg_len;
	int64_t nid;                /* -1: no numa-node-id */
	bool no_map, reusable, disabled, memory_type;
	uint64_t initrd_start, initrd_end;
	bool has_initrd_start, has_initrd_end;
	const unsigned char *dist;
	uint32_t dist_len;
};

struct fdt_walk {
	struct fw_ctx *c;
	const struct fdt *f;
	unsigned int depth;         /* 0 outside the root */
	bool memory_pass;
	struct fdt_node node[FDT_KEEP];
	const unsigned char *dist;  /* the distance-matrix, applied last */
	uint32_t dist_len;
	size_t dist_off;
	unsigned int memory_nodes;
};

/* ---- names and paths --------------------------------------------------- */

static bool name_is(const struct fdt_node *n, const char *s)
{
	size_t i;

	for (i = 0; i < n->name_len && s[i]; i++)
		if (n->name[i] != s[i])
			return false;
	return i == n->name_len && s[i] == '\0';
}

/* "memory" or "memory@..." */
static bool name_is_memory(const struct fdt_node *n)
{
	static const char m[] = "memory";
	size_t i;

	for (i = 0; i < sizeof(m) - 1; i++)
		if (i >= n->name_len || n->name[i] != m[i])
			return false;
	return n->name_len == i || n->name[i] == '@';
}

/* Fail naming the node at depth @d ("/a" or "/a/b"). */
static int node_fail(struct fdt_walk *w, unsigned int d, int ret,
		     const char *why, unsigned int entry)
{
	const struct fdt_node *a = &w->node[1], *b = &w->node[2];

	if (d == 1)
		return fw_fail(w->c, ret, "/%.*s (byte 0x%zx): reg %u: %s",
			       (int)a->name_len, a->name, a->off, entry, why);
	return fw_fail(w->c, ret, "/%.*s/%.*s (byte 0x%zx): reg %u: %s",
		       (int)a->name_len, a->name, (int)b->name_len, b->name,
		       b->off, entry, why);
}

/* ---- header and blocks ------------------------------------------------- */

static bool block_fits(size_t off, size_t size, size_t total)
{
	return off <= total && size <= total - off;
}

static int fdt_header(struct fw_ctx *c, const unsigned char *p, size_t len,
		      struct fdt *f)
{
	uint32_t total, version, last_comp;

	if (len < FDT_HDR_SIZE)
		return fw_fail(c, PMM_EPARSE, "%zu bytes: shorter than the 40-byte header", len);
	if (fw_be32(p) != FDT_MAGIC)
		return fw_fail(c, PMM_EPARSE, "byte 0x0: magic 0x%08x, expected 0xd00dfeed",
			       fw_be32(p));
	total = fw_be32(p + 4);
	if (total < FDT_HDR_SIZE || total > len)
		return fw_fail(c, PMM_EPARSE, "byte 0x4: totalsize %u outside [40, %zu]",
			       total, len);
	version = fw_be32(p + 20);
	last_comp = fw_be32(p + 24);
	if (version < 17 || last_comp > 17)
		return fw_fail(c, PMM_EPARSE, "byte 0x14: version %u (last compatible %u); "
			       "version 17 is read", version, last_comp);
	f->p = p;
	f->total = total;
	f->st = fw_be32(p + 8);
	f->str = fw_be32(p + 12);
	f->rsv = fw_be32(p + 16);
	f->str_len = fw_be32(p + 32);
	f->st_end = f->st + fw_be32(p + 36);
	if (!block_fits(f->st, fw_be32(p + 36), total) ||
	    !block_fits(f->str, f->str_len, total) || f->rsv >= total)
		return fw_fail(c, PMM_EPARSE, "byte 0x8: a block (struct, strings or "
			       "memreserve) lies past totalsize %u", total);
	return 0;
}

/* ---- cells ------------------------------------------------------------- */

static uint64_t read_cells(const unsigned char *p, uint32_t cells)
{
	return cells == 2 ? fw_be64(p) : fw_be32(p);
}

/* A u32 or u64 property value into *@v. */
static bool read_num(const unsigned char *v, uint32_t len, uint64_t *out)
{
	if (len != 4 && len != 8)
		return false;
	*out = read_cells(v, len / 4);
	return true;
}

/* ---- properties -------------------------------------------------------- */

/* Is [v, v + len) the string @s (with its NUL)? */
static bool value_is(const unsigned char *v, uint32_t len, const char *s)
{
	uint32_t i;

	for (i = 0; i < len && s[i]; i++)
		if (v[i] != (unsigned char)s[i])
			return false;
	return i + 1 == len && v[i] == 0;
}

static bool prop_name_is(const struct fdt *f, uint32_t nameoff, const char *s)
{
	size_t i;

	for (i = 0; nameoff + i < f->str_len && s[i]; i++)
		if (f->p[f->str + nameoff + i] != (unsigned char)s[i])
			return false;
	return s[i] == '\0' && nameoff + i < f->str_len &&
	       f->p[f->str + nameoff + i] == 0;
}

static void take_cells(struct fdt_node *n, const struct fdt *f,
		       uint32_t nameoff, const unsigned char *v, uint32_t len)
{
	if (len != 4)
		return;
	if (prop_name_is(f, nameoff, "#address-cells"))
		n->addr_cells = fw_be32(v);
	else if (prop_name_is(f, nameoff, "#size-cells"))
		n->size_cells = fw_be32(v);
}

static void take_prop(struct fdt_node *n, const struct fdt *f,
		      uint32_t nameoff, const unsigned char *v, uint32_t len)
{
	take_cells(n, f, nameoff, v, len);
	if (prop_name_is(f, nameoff, "reg")) {
		n->reg = v;
		n->reg_len = len;
	} else if (prop_name_is(f, nameoff, "numa-node-id") && len == 4) {
		n->nid = fw_be32(v);
	} else if (prop_name_is(f, nameoff, "no-map")) {
		n->no_map = true;
	} else if (prop_name_is(f, nameoff, "reusable")) {
		n->reusable = true;
	} else if (prop_name_is(f, nameoff, "status")) {
		n->disabled = !value_is(v, len, "okay") && !value_is(v, len, "ok");
	} else if (prop_name_is(f, nameoff, "device_type")) {
		n->memory_type = value_is(v, len, "memory");
	} else if (prop_name_is(f, nameoff, "linux,initrd-start")) {
		n->has_initrd_start = read_num(v, len, &n->initrd_start);
	} else if (prop_name_is(f, nameoff, "linux,initrd-end")) {
		n->has_initrd_end = read_num(v, len, &n->initrd_end);
	} else if (prop_name_is(f, nameoff, "distance-matrix")) {
		n->dist = v;
		n->dist_len = len;
	}
}

/* ---- what a finished node gives --------------------------------------- */

static bool overlaps_earlier(const struct fdt_walk *w, pmm_phys_t s,
			     pmm_phys_t e)
{
	const struct pmm_memmap *m = w->c->m;
	unsigned int i;

	for (i = w->c->mk.nr; i < m->nr; i++)
		if (s < m->entry[i].end && m->entry[i].start < e)
			return true;
	return false;
}

static int add_numa(struct fdt_walk *w, pmm_phys_t s, pmm_phys_t e, int64_t nid)
{
	struct pmm_memmap *m = w->c->m;
	struct pmm_numa_range *r;

	if (nid < 0)
		return 0;
	if (nid >= PMM_NUMA_MAX || m->nr_numa >= PMM_NUMA_MAX)
		return PMM_EFULL;
	r = &m->numa[m->nr_numa++];
	r->start = s;
	r->end = e;
	r->nid = (int)nid;
	r->pxm = (int)nid;
	r->hotplug = false;
	return 0;
}

/* Check the cells used for @n's reg; 0 or the failure. */
static int check_cells(struct fdt_walk *w, unsigned int d,
		       const struct fdt_node *parent, const struct fdt_node *n)
{
	static const char *const what[] = { "#address-cells", "#size-cells" };
	uint32_t v[2] = { parent->addr_cells, parent->size_cells };
	uint32_t entry = (v[0] + v[1]) * 4;
	char why[72];
	int i;

	for (i = 0; i < 2; i++) {
		if (v[i] == 1 || v[i] == 2)
			continue;
		pmm_snprintf(why, sizeof(why), "%s is %u (1 or 2 are read)",
				what[i], v[i]);
		return node_fail(w, d, PMM_EPARSE, why, 0);
	}
	if (n->reg_len == 0 || n->reg_len % entry != 0) {
		pmm_snprintf(why, sizeof(why), "%u bytes are not whole %u-byte entries",
				n->reg_len, entry);
		return node_fail(w, d, PMM_EPARSE, why, 0);
	}
	return 0;
}

/* Add every reg entry of @n as @type; memory entries must not overlap. */
static int add_regs(struct fdt_walk *w, unsigned int d, const struct fdt_node *n,
		    uint32_t type, bool memory)
{
	const struct fdt_node *parent = &w->node[d - 1];
	uint32_t ac = parent->addr_cells, sc = parent->size_cells, i, nr;
	int ret = check_cells(w, d, parent, n);

	if (ret)
		return ret;
	nr = n->reg_len / ((ac + sc) * 4);
	for (i = 0; i < nr; i++) {
		const unsigned char *e = n->reg + (size_t)i * (ac + sc) * 4;
		uint64_t s = read_cells(e, ac), size = read_cells(e + ac * 4, sc);
		pmm_phys_t end;

		if (size == 0)
			return node_fail(w, d, PMM_EPARSE, "zero length", i);
		if (size - 1 > UINT64_MAX - s)
			return node_fail(w, d, PMM_EOVERFLOW, "range wraps past 2^64", i);
		/* A range ending exactly at 2^64 loses its last byte. */
		end = s + size == 0 ? UINT64_MAX : s + size;
		if (memory && overlaps_earlier(w, s, end))
			return node_fail(w, d, PMM_EOVERLAP,
					 "overlaps an earlier memory reg", i);
		if (memory && n->nid >= PMM_FW_NODES_MAX)
			return node_fail(w, d, PMM_EFULL, "numa-node-id past "
					 "PMM_FW_NODES_MAX (raise it)", i);
		ret = fw_add(w->c, s, size, type);
		if (!ret && memory)
			ret = add_numa(w, s, end, n->nid);
		if (!ret && n->no_map)
			ret = fw_note(w->c, s, end, PMM_FW_NOMAP);
		if (!ret && n->reusable)
			ret = fw_note(w->c, s, end, PMM_FW_REUSABLE);
		if (ret)
			return node_fail(w, d, ret, fw_add_problem(ret), i);
	}
	return 0;
}

static int end_chosen(struct fdt_walk *w, const struct fdt_node *n)
{
	int ret;

	if (!n->has_initrd_start || !n->has_initrd_end)
		return 0;
	if (n->initrd_end <= n->initrd_start)
		return fw_fail(w->c, PMM_EPARSE, "/chosen (byte 0x%zx): initrd "
			       "[0x%llx, 0x%llx) is empty or reversed", n->off,
			       (unsigned long long)n->initrd_start,
			       (unsigned long long)n->initrd_end);
	ret = fw_add(w->c, n->initrd_start, n->initrd_end - n->initrd_start,
		     PMM_MEM_RESERVED);
	if (!ret)
		ret = fw_note(w->c, n->initrd_start, n->initrd_end, PMM_FW_INITRD);
	if (ret)
		return fw_fail(w->c, ret, "/chosen (byte 0x%zx): initrd: %s",
			       n->off, fw_add_problem(ret));
	return 0;
}

static int check_distances(struct fdt_walk *w, const struct fdt_node *n)
{
	uint32_t i;

	if (n->dist_len % 12 != 0)
		return fw_fail(w->c, PMM_EPARSE, "/distance-map (byte 0x%zx): "
			       "distance-matrix of %u bytes is not whole triplets",
			       n->off, n->dist_len);
	for (i = 0; i < n->dist_len / 12; i++) {
		uint32_t a = fw_be32(n->dist + 12 * i), b = fw_be32(n->dist + 12 * i + 4);
		uint32_t dd = fw_be32(n->dist + 12 * i + 8);

		if (a >= PMM_FW_NODES_MAX || b >= PMM_FW_NODES_MAX)
			return fw_fail(w->c, PMM_EFULL, "/distance-map (byte 0x%zx): "
				       "entry %u: node %u or %u past PMM_FW_NODES_MAX (raise it)",
				       n->off, i, a, b);
		if (dd > 255 || (a == b) != (dd == LOCAL_DISTANCE) || dd < LOCAL_DISTANCE)
			return fw_fail(w->c, PMM_EPARSE, "/distance-map (byte 0x%zx): "
				       "entry %u: distance %u from node %u to %u", n->off,
				       i, dd, a, b);
	}
	w->dist = n->dist;
	w->dist_len = n->dist_len;
	w->dist_off = n->off;
	return 0;
}

/* Node at depth @d (1 = a child of the root) has ended. */
static int end_node(struct fdt_walk *w, unsigned int d)
{
	const struct fdt_node *n = &w->node[d];
	bool is_mem = d == 1 && (name_is_memory(n) || n->memory_type);

	if (n->disabled)
		return 0;
	if (w->memory_pass) {
		if (!is_mem || !n->reg)
			return 0;
		w->memory_nodes++;
		return add_regs(w, d, n, PMM_MEM_USABLE, true);
	}
	if (d == 2 && name_is(&w->node[1], "reserved-memory") && n->reg)
		return add_regs(w, d, n, PMM_MEM_RESERVED, false);
	if (d == 1 && name_is(n, "chosen"))
		return end_chosen(w, n);
	if (d == 1 && name_is(n, "distance-map") && n->dist)
		return check_distances(w, n);
	return 0;
}

/* ---- the token walk ---------------------------------------------------- */

static int struct_fail(struct fdt_walk *w, size_t off, const char *why)
{
	return fw_fail(w->c, PMM_EPARSE, "struct block byte 0x%zx: %s", off, why);
}

/* BEGIN_NODE at @pos: name follows; returns the next token's offset. */
static int begin_node(struct fdt_walk *w, size_t *pos)
{
	const struct fdt *f = w->f;
	size_t at = *pos, s = at + 4, e = s;
	struct fdt_node *n;

	while (e < f->st_end && f->p[e])
		e++;
	if (e >= f->st_end)
		return struct_fail(w, at, "node name runs past the struct block");
	*pos = (e + 1 + 3) & ~(size_t)3;
	if (w->depth++ >= FDT_KEEP)
		return 0;
	n = &w->node[w->depth - 1];
	pmm_memset(n, 0, sizeof(*n));
	n->name = (const char *)f->p + s;
	n->name_len = e - s;
	n->off = at;
	n->addr_cells = 2;
	n->size_cells = 1;
	n->nid = -1;
	return 0;
}

static int prop(struct fdt_walk *w, size_t *pos)
{
	const struct fdt *f = w->f;
	size_t at = *pos;
	uint32_t len, nameoff;

	if (f->st_end - at < 12)
		return struct_fail(w, at, "property header runs past the struct block");
	len = fw_be32(f->p + at + 4);
	nameoff = fw_be32(f->p + at + 8);
	if (len > f->st_end - at - 12)
		return struct_fail(w, at, "property value runs past the struct block");
	if (nameoff >= f->str_len)
		return struct_fail(w, at, "property name offset past the strings block");
	if (w->depth == 0)
		return struct_fail(w, at, "property outside any node");
	if (w->depth <= FDT_KEEP)
		take_prop(&w->node[w->depth - 1], f, nameoff, f->p + at + 12, len);
	*pos = (at + 12 + len + 3) & ~(size_t)3;
	return 0;
}

static int end_node_token(struct fdt_walk *w, size_t at)
{
	unsigned int d = w->depth;

	if (d == 0)
		return struct_fail(w, at, "END_NODE without a node");
	w->depth--;
	return d - 1 < FDT_KEEP && d >= 2 ? end_node(w, d - 1) : 0;
}

static int fdt_walk(struct fdt_walk *w)
{
	const struct fdt *f = w->f;
	size_t pos = f->st;
	int ret = 0;

	w->depth = 0;
	while (!ret) {
		size_t at = pos;
		uint32_t tok;

		if (pos > f->st_end || f->st_end - pos < 4)
			return struct_fail(w, pos, "no END token");
		tok = fw_be32(f->p + pos);
		pos += 4;
		if (tok == FDT_BEGIN_NODE) {
			pos = at;
			ret = begin_node(w, &pos);
		} else if (tok == FDT_PROP) {
			pos = at;
			ret = prop(w, &pos);
		} else if (tok == FDT_END_NODE) {
			ret = end_node_token(w, at);
		} else if (tok == FDT_END) {
			return w->depth ? struct_fail(w, at, "END inside a node") : 0;
		} else if (tok != FDT_NOP) {
			return struct_fail(w, at, "unknown token");
		}
	}
	return ret;
}

/* ---- the memreserve block ---------------------------------------------- */

static int fdt_rsvmap(struct fw_ctx *c, const struct fdt *f)
{
	size_t off;
	unsigned int i = 0;

	for (off = f->rsv;; off += 16, i++) {
		uint64_t a, s;
		int ret;

		if (f->total - off < 16)
			return fw_fail(c, PMM_EPARSE, "memreserve entry %u at byte 0x%zx "
				       "runs past totalsize", i, off);
		a = fw_be64(f->p + off);
		s = fw_be64(f->p + off + 8);
		if (a == 0 && s == 0)
			return 0;
		ret = s == 0 ? PMM_EPARSE : fw_add(c, a, s, PMM_MEM_RESERVED);
		if (ret)
			return fw_fail(c, ret, "memreserve entry %u at byte 0x%zx: %s",
				       i, off, s == 0 ? "zero length" : fw_add_problem(ret));
	}
}

/* ---- after a good walk -------------------------------------------------- */

static void apply_distances(struct pmm_fw_info *fw, const unsigned char *d,
			    uint32_t len)
{
	uint32_t i;

	for (i = 0; i < len / 12; i++) {
		uint32_t a = fw_be32(d + 12 * i), b = fw_be32(d + 12 * i + 4);

		fw->dist[a][b] = (uint8_t)fw_be32(d + 12 * i + 8);
		/* The binding lets one triplet stand for both directions. */
		if (fw->dist[b][a] == 0)
			fw->dist[b][a] = fw->dist[a][b];
		if (a + 1 > fw->nr_dist)
			fw->nr_dist = a + 1;
		if (b + 1 > fw->nr_dist)
			fw->nr_dist = b + 1;
	}
}

static void fdt_commit(struct fdt_walk *w)
{
	struct pmm_fw_info *fw = w->c->fw;
	const struct pmm_memmap *m = w->c->m;
	unsigned int i;

	if (!fw)
		return;
	if (w->dist) {
		pmm_memset(fw->dist, 0, sizeof(fw->dist));
		fw->nr_dist = 0;
		apply_distances(fw, w->dist, w->dist_len);
	}
	for (i = w->c->mk.nr_numa; i < m->nr_numa; i++)
		if ((unsigned int)m->numa[i].nid + 1 > fw->nr_nodes)
			fw->nr_nodes = (unsigned int)m->numa[i].nid + 1;
	if (fw->nr_dist > fw->nr_nodes)
		fw->nr_nodes = fw->nr_dist;
	for (i = 0; i < fw->nr_nodes; i++)
		fw->pxm[i] = i;
	fw->format = PMM_FW_FMT_FDT;
}

static int fdt_read(struct fw_ctx *c, const unsigned char *p, size_t len)
{
	struct fdt f;
	struct fdt_walk w = { .c = c, .f = &f, .memory_pass = true };
	int ret = fdt_header(c, p, len, &f);

	if (!ret)
		ret = fdt_walk(&w);
	if (!ret && w.memory_nodes == 0)
		ret = fw_fail(c, PMM_EPARSE, "no /memory node with a reg");
	if (!ret) {
		w.memory_pass = false;
		ret = fdt_walk(&w);
	}
	if (!ret)
		ret = fdt_rsvmap(c, &f);
	if (!ret)
		fdt_commit(&w);
	return ret;
}

/**
 * pmm_memmap_from_fdt - append the memory of a device tree to @m.
 * @m: the map (entries and NUMA ranges).
 * @fw: initrd, no-map/reusable notes and distances (may be NULL).
 * @buf: the blob.
 * @len: the bytes that may be read at @buf (at least totalsize).
 * @err: where the message goes (may be NULL).
 *
 * Return: 0, PMM_EINVAL, PMM_EPARSE, PMM_EOVERLAP, PMM_EOVERFLOW,
 * PMM_EFULL; on error @m and @fw are as they were.
 * Context: boot time, no locking.
 */
int pmm_memmap_from_fdt(struct pmm_memmap *m, struct pmm_fw_info *fw,
			const void *buf, size_t len,
			struct pmm_parse_error *err)
{
	struct fw_ctx c;

	if (!m || !buf)
		return PMM_EINVAL;
	fw_begin(&c, m, fw, err, "fdt");
	return fdt_read(&c, buf, len);
}
