/* SPDX-License-Identifier: MIT */
/*
 * memmap_acpi.c - read NUMA memory affinity (SRAT) and node distances
 * (SLIT) from raw ACPI table bytes: what a kernel finds through the
 * RSDP, and what /sys/firmware/acpi/tables/SRAT or acpidump -b give.
 *
 * Both tables open with the 36-byte ACPI header (signature, u32 length,
 * revision, u8 checksum that makes all length bytes sum to 0, OEM ids).
 *
 * SRAT: 12 reserved bytes, then subtables {u8 type, u8 length, ...}:
 *   0 local APIC affinity  (16)  +2 PXM bits 0-7, +4 flags, +9 PXM bits 8-31
 *   1 memory affinity      (40)  +2 u32 PXM, +8 u64 base, +16 u64 length,
 *                                +28 u32 flags: 1 enabled, 2 hot-pluggable,
 *                                4 non-volatile
 *   2 x2APIC affinity      (24)  +4 u32 PXM, +12 flags
 *   3 GICC affinity        (18)  +2 u32 PXM, +10 flags
 * SLIT: u64 number of localities N at +36, then the N x N matrix of u8
 * distances (10 local, 255 unreachable), row = from, column = to.
 *
 * Nodes are numbered as Linux numbers them: each new PXM gets the next
 * node, enabled CPU affinities first in table order, then memory. The
 * numbering is kept in struct pmm_fw_info, where the SLIT reader finds it.
 * Disabled entries are skipped (QEMU emits zeroed, disabled placeholders).
 */
#include "memmap_fw.h"

#define ACPI_HDR_SIZE 36u
#define SRAT_FIRST 48u
#define SLIT_MATRIX 44u
#define SRAT_ENABLED 0x1u
#define SRAT_HOTPLUG 0x2u
#define SRAT_NONVOLATILE 0x4u
#define LOCAL_DISTANCE 10u

/* PXM -> node numbering while a SRAT is read. */
struct pxm_map {
	uint32_t pxm[PMM_FW_NODES_MAX];
	unsigned int nr;
};

static const unsigned char srat_min_len[4] = { 16, 40, 24, 18 };

/* Check signature, length and checksum. Return: the table length or 0. */
static uint32_t acpi_header(struct fw_ctx *c, const unsigned char *p,
			    size_t len, const char sig[4], uint32_t min, int *ret)
{
	uint32_t tlen;

	*ret = 0;
	if (len < ACPI_HDR_SIZE) {
		*ret = fw_fail(c, PMM_EPARSE, "%zu bytes: shorter than the 36-byte header", len);
		return 0;
	}
	if (p[0] != sig[0] || p[1] != sig[1] || p[2] != sig[2] || p[3] != sig[3]) {
		*ret = fw_fail(c, PMM_EPARSE, "byte 0x0: signature is not '%.4s'", sig);
		return 0;
	}
	tlen = fw_le32(p + 4);
	if (tlen < min || tlen > len) {
		*ret = fw_fail(c, PMM_EPARSE, "byte 0x4: length %u outside [%u, %zu]",
			       tlen, min, len);
		return 0;
	}
	if (!fw_sum_is_zero(p, tlen)) {
		*ret = fw_fail(c, PMM_EPARSE, "byte 0x9: bad checksum 0x%02x",
			       (unsigned int)p[9]);
		return 0;
	}
	return tlen;
}

/* The node of @pxm, numbering it if new. Return: node or -1 when full. */
static int pxm_node(struct pxm_map *map, uint32_t pxm)
{
	unsigned int i;

	for (i = 0; i < map->nr; i++)
		if (map->pxm[i] == pxm)
			return (int)i;
	if (map->nr >= PMM_FW_NODES_MAX)
		return -1;
	map->pxm[map->nr] = pxm;
	return (int)map->nr++;
}

/* Return: the PXM and enabled flag of CPU affinity subtable @s of @type. */
static bool cpu_affinity(const unsigned char *s, unsigned int type,
			 uint32_t *pxm)
{
	uint32_t flags;

	if (type == 0) {
		*pxm = s[2] | (uint32_t)s[9] << 8 | (uint32_t)s[10] << 16 |
		       (uint32_t)s[11] << 24;
		flags = fw_le32(s + 4);
	} else if (type == 2) {
		*pxm = fw_le32(s + 4);
		flags = fw_le32(s + 12);
	} else {
		*pxm = fw_le32(s + 2);
		flags = fw_le32(s + 10);
	}
	return flags & SRAT_ENABLED;
}

/* Check every subtable's bounds. */
static int srat_scan(struct fw_ctx *c, const unsigned char *p, uint32_t tlen)
{
	uint32_t off;
	unsigned int i = 0;

	for (off = SRAT_FIRST; off < tlen; i++) {
		unsigned int type, slen;

		if (tlen - off < 2)
			return fw_fail(c, PMM_EPARSE, "subtable %u at byte 0x%x: "
				       "header runs past the table", i, off);
		type = p[off];
		slen = p[off + 1];
		if (slen < 2 || slen > tlen - off)
			return fw_fail(c, PMM_EPARSE, "subtable %u at byte 0x%x: length %u %s",
				       i, off, slen, slen < 2 ? "below 2" : "runs past the table");
		if (type < 4 && slen < srat_min_len[type])
			return fw_fail(c, PMM_EPARSE, "subtable %u (type %u) at byte 0x%x: "
				       "length %u below %u", i, type, off, slen,
				       srat_min_len[type]);
		off += slen;
	}
	return 0;
}

/* Number the PXMs of enabled CPU affinities. */
static int srat_cpus(struct fw_ctx *c, const unsigned char *p, uint32_t tlen,
		     struct pxm_map *map)
{
	uint32_t off, pxm;

	for (off = SRAT_FIRST; off < tlen; off += p[off + 1]) {
		unsigned int type = p[off];

		if (type != 0 && type != 2 && type != 3)
			continue;
		if (cpu_affinity(p + off, type, &pxm) && pxm_node(map, pxm) < 0)
			return fw_fail(c, PMM_EFULL, "byte 0x%x: more than %u proximity "
				       "domains (raise PMM_FW_NODES_MAX)", off,
				       PMM_FW_NODES_MAX);
	}
	return 0;
}

static bool numa_overlap(const struct fw_ctx *c, pmm_phys_t s, pmm_phys_t e,
			 int nid)
{
	const struct pmm_memmap *m = c->m;
	unsigned int i;

	for (i = 0; i < m->nr_numa; i++)
		if (m->numa[i].nid != nid && s < m->numa[i].end &&
		    m->numa[i].start < e)
			return true;
	return false;
}

/* One enabled memory affinity at @off. */
static int srat_memory(struct fw_ctx *c, const unsigned char *s, uint32_t off,
		       struct pxm_map *map)
{
	uint32_t pxm = fw_le32(s + 2), flags = fw_le32(s + 28);
	uint64_t base = fw_le64(s + 8), size = fw_le64(s + 16);
	struct pmm_numa_range *r;
	pmm_phys_t end;
	int nid;

	if (size == 0)
		return fw_fail(c, PMM_EPARSE, "memory affinity at byte 0x%x: "
			       "enabled with length 0", off);
	if (size - 1 > UINT64_MAX - base)
		return fw_fail(c, PMM_EOVERFLOW, "memory affinity at byte 0x%x: "
			       "range wraps past 2^64", off);
	end = base + size == 0 ? UINT64_MAX : base + size;
	nid = pxm_node(map, pxm);
	if (nid < 0 || c->m->nr_numa >= PMM_NUMA_MAX)
		return fw_fail(c, PMM_EFULL, "memory affinity at byte 0x%x: too many "
			       "domains or ranges (raise PMM_FW_NODES_MAX or PMM_NUMA_MAX)", off);
	if (numa_overlap(c, base, end, nid))
		return fw_fail(c, PMM_EPARSE, "memory affinity at byte 0x%x: PXM %u "
			       "[0x%llx, 0x%llx) overlaps another node", off, pxm,
			       (unsigned long long)base, (unsigned long long)end);
	if ((flags & SRAT_NONVOLATILE) && fw_note(c, base, end, PMM_FW_NONVOLATILE))
		return fw_fail(c, PMM_EFULL, "memory affinity at byte 0x%x: %s", off,
			       fw_add_problem(PMM_EFULL));
	r = &c->m->numa[c->m->nr_numa++];
	r->start = base;
	r->end = end;
	r->nid = nid;
	r->pxm = (int)pxm;
	r->hotplug = (flags & SRAT_HOTPLUG) != 0;
	return 0;
}

static int srat_read(struct fw_ctx *c, const unsigned char *p, size_t len,
		     struct pxm_map *map)
{
	uint32_t tlen, off;
	int ret;

	tlen = acpi_header(c, p, len, "SRAT", SRAT_FIRST, &ret);
	if (!tlen)
		return ret;
	ret = srat_scan(c, p, tlen);
	if (!ret)
		ret = srat_cpus(c, p, tlen, map);
	for (off = SRAT_FIRST; !ret && off < tlen; off += p[off + 1])
		if (p[off] == 1 && (fw_le32(p + off + 28) & SRAT_ENABLED))
			ret = srat_memory(c, p + off, off, map);
	return ret;
}

/**
 * pmm_memmap_from_srat - append the memory affinities of a SRAT to @m.
 * @m: the map; its NUMA ranges grow.
 * @fw: receives the PXM -> node numbering and non-volatile notes (may be
 *      NULL).
 * @buf: the table bytes.
 * @len: the bytes that may be read (at least the table's length).
 * @err: where the message goes (may be NULL).
 *
 * Return: 0, PMM_EINVAL, PMM_EPARSE, PMM_EOVERFLOW, PMM_EFULL; on error
 * @m and @fw are as they were.
 * Context: boot time, no locking.
 */
int pmm_memmap_from_srat(struct pmm_memmap *m, struct pmm_fw_info *fw,
			 const void *buf, size_t len,
			 struct pmm_parse_error *err)
{
	struct pxm_map map = { .nr = 0 };
	struct fw_ctx c;
	int ret;

	if (!m || !buf)
		return PMM_EINVAL;
	if (fw) {
		map.nr = fw->nr_nodes;
		pmm_memcpy(map.pxm, fw->pxm, sizeof(map.pxm));
	}
	fw_begin(&c, m, fw, err, "srat");
	ret = srat_read(&c, buf, len, &map);
	if (ret || !fw)
		return ret;
	pmm_memcpy(fw->pxm, map.pxm, sizeof(fw->pxm));
	fw->nr_nodes = map.nr;
	fw->format = PMM_FW_FMT_SRAT;
	return 0;
}

/* The node a SLIT locality (a PXM) stands for. */
static unsigned int locality_node(const struct pmm_fw_info *fw, uint32_t loc)
{
	unsigned int i;

	for (i = 0; i < fw->nr_nodes; i++)
		if (fw->pxm[i] == loc)
			return i;
	return loc;
}

static int slit_check(struct fw_ctx *c, const unsigned char *d, uint32_t n)
{
	uint32_t i, j;

	for (i = 0; i < n; i++) {
		for (j = 0; j < n; j++) {
			unsigned int v = d[i * n + j];

			if (i == j ? v == LOCAL_DISTANCE : v > LOCAL_DISTANCE)
				continue;
			return fw_fail(c, PMM_EPARSE, "byte 0x%x: distance %u from "
				       "locality %u to %u (local is 10, remote above 10)",
				       SLIT_MATRIX + i * n + j, v, i, j);
		}
	}
	return 0;
}

/**
 * pmm_fw_from_slit - read a SLIT's distances into @fw.
 * @fw: the info block; its PXM numbering (from a SRAT) maps localities.
 * @buf: the table bytes.
 * @len: the bytes that may be read.
 * @err: where the message goes (may be NULL).
 *
 * Return: 0, PMM_EINVAL, PMM_EPARSE, PMM_EFULL; on error @fw is as it was.
 * Context: boot time, no locking.
 */
int pmm_fw_from_slit(struct pmm_fw_info *fw, const void *buf, size_t len,
		     struct pmm_parse_error *err)
{
	static struct pmm_memmap none; /* fw_ctx wants a map; never written */
	const unsigned char *p = buf;
	struct fw_ctx c;
	uint64_t n64;
	uint32_t tlen, n, i, j;
	int ret;

	if (!fw || !buf)
		return PMM_EINVAL;
	fw_begin(&c, &none, NULL, err, "slit");
	tlen = acpi_header(&c, p, len, "SLIT", SLIT_MATRIX, &ret);
	if (!tlen)
		return ret;
	n64 = fw_le64(p + ACPI_HDR_SIZE);
	if (n64 > PMM_FW_NODES_MAX)
		return fw_fail(&c, PMM_EFULL, "byte 0x24: %llu localities, more than %u "
			       "(raise PMM_FW_NODES_MAX)", (unsigned long long)n64,
			       PMM_FW_NODES_MAX);
	n = (uint32_t)n64;
	if (n * n > tlen - SLIT_MATRIX)
		return fw_fail(&c, PMM_EPARSE, "byte 0x24: a %u x %u matrix runs past "
			       "the table length %u", n, n, tlen);
	ret = slit_check(&c, p + SLIT_MATRIX, n);
	if (ret)
		return ret;
	pmm_memset(fw->dist, 0, sizeof(fw->dist));
	fw->nr_dist = 0;
	for (i = 0; i < n; i++) {
		unsigned int a = locality_node(fw, i);

		for (j = 0; j < n; j++)
			fw->dist[a][locality_node(fw, j)] = p[SLIT_MATRIX + i * n + j];
		if (a + 1 > fw->nr_dist)
			fw->nr_dist = a + 1;
	}
	fw->format = PMM_FW_FMT_SLIT;
	return 0;
}
