/* SPDX-License-Identifier: MIT */
/*
 * memmap_mb2.c - read the boot information a Multiboot2 loader (GRUB)
 * passes to the kernel.
 *
 *   +0  u32 total_size   bytes of the whole block, this header included
 *   +4  u32 reserved
 *   +8  tags, each starting on an 8-byte boundary:
 *         +0 u32 type, +4 u32 size (header included), then the payload
 *       and ending with the end tag {type 0, size 8}.
 *
 * Tags read here (all little endian):
 *   3  module:     u32 mod_start, u32 mod_end (exclusive), name  -> reserved
 *   6  memory map: u32 entry_size, u32 entry_version, then entries
 *                  {u64 base, u64 length, u32 type, u32 reserved}
 *   14 ACPI old:   a copy of the ACPI 1.0 RSDP (20 bytes)
 *   15 ACPI new:   a copy of the ACPI 2.0+ RSDP (length in the RSDP)
 *   17 EFI map:    u32 descriptor size, u32 descriptor version, descriptors
 * When both map tags exist the EFI one wins: it says which memory is the
 * firmware's boot-services memory. The block is walked twice - first every
 * tag header is checked against total_size and the input length, then the
 * chosen tags are read - so nothing is appended from a block whose tail is
 * broken.
 */
#include "memmap_fw.h"

enum {
	MB2_TAG_END = 0,
	MB2_TAG_MODULE = 3,
	MB2_TAG_MMAP = 6,
	MB2_TAG_ACPI_OLD = 14,
	MB2_TAG_ACPI_NEW = 15,
	MB2_TAG_EFI_MMAP = 17,
};

#define MB2_MMAP_ENTRY_MIN 24u
#define RSDP_V1_LEN 20u
#define RSDP_V2_MIN 36u

/* Where each interesting tag sits (0: absent). */
struct mb2_tags {
	size_t mmap, efi, acpi_old, acpi_new;
	unsigned int mmap_idx, efi_idx, old_idx, new_idx;
};

struct mb2_acpi {
	unsigned int rev;
	uint64_t rsdt, xsdt;
};

static size_t align8(size_t x)
{
	return (x + 7) & ~(size_t)7;
}

static uint32_t mb2_map_type(uint32_t type)
{
	switch (type) {
	case 1: return PMM_MEM_USABLE;
	case 3: return PMM_MEM_ACPI;
	case 4: return PMM_MEM_NVS;
	case 5: return PMM_MEM_UNUSABLE;
	default: return PMM_MEM_RESERVED;
	}
}

static void mb2_remember(struct mb2_tags *t, uint32_t type, size_t off,
			 unsigned int idx)
{
	if (type == MB2_TAG_MMAP && !t->mmap) {
		t->mmap = off;
		t->mmap_idx = idx;
	} else if (type == MB2_TAG_EFI_MMAP && !t->efi) {
		t->efi = off;
		t->efi_idx = idx;
	} else if (type == MB2_TAG_ACPI_OLD && !t->acpi_old) {
		t->acpi_old = off;
		t->old_idx = idx;
	} else if (type == MB2_TAG_ACPI_NEW && !t->acpi_new) {
		t->acpi_new = off;
		t->new_idx = idx;
	}
}

/* Pass 1: check every tag header; find the end tag. */
static int mb2_scan(struct fw_ctx *c, const unsigned char *p, size_t total,
		    struct mb2_tags *t)
{
	unsigned int idx = 0;
	size_t off = 8;

	while (off < total) {
		uint32_t type, size;

		if (total - off < 8)
			return fw_fail(c, PMM_EPARSE,
				       "tag %u at byte 0x%zx: header truncated", idx, off);
		type = fw_le32(p + off);
		size = fw_le32(p + off + 4);
		if (size < 8 || size > total - off)
			return fw_fail(c, PMM_EPARSE,
				       "tag %u (type %u) at byte 0x%zx: size %u %s",
				       idx, type, off, size,
				       size < 8 ? "below 8" : "runs past the end");
		if (type == MB2_TAG_END)
			return 0;
		mb2_remember(t, type, off, idx);
		off += align8(size);
		idx++;
	}
	return fw_fail(c, PMM_EPARSE, "no end tag within %zu bytes", total);
}

/* Every tag read here has 8 bytes of fields after its header. */
static int mb2_short(struct fw_ctx *c, const unsigned char *p, size_t off,
		     unsigned int idx, const char *what)
{
	uint32_t size = fw_le32(p + off + 4);

	if (size >= 16)
		return 0;
	return fw_fail(c, PMM_EPARSE, "tag %u (%s) at byte 0x%zx: size %u below 16",
		       idx, what, off, size);
}

static int mb2_read_mmap(struct fw_ctx *c, const unsigned char *p, size_t off,
			 unsigned int idx)
{
	uint32_t size = fw_le32(p + off + 4), esize, i, n;
	int ret = mb2_short(c, p, off, idx, "memory map");

	if (ret)
		return ret;
	esize = fw_le32(p + off + 8);
	if (esize < MB2_MMAP_ENTRY_MIN || (size - 16) % esize != 0)
		return fw_fail(c, PMM_EPARSE,
			       "tag %u (memory map) at byte 0x%zx: entry size %u %s",
			       idx, off, esize, esize < MB2_MMAP_ENTRY_MIN ?
			       "below 24" : "does not divide the tag");
	n = (size - 16) / esize;
	for (i = 0; i < n; i++) {
		const unsigned char *e = p + off + 16 + (size_t)i * esize;
		uint64_t base = fw_le64(e), length = fw_le64(e + 8);

		ret = length == 0 ? PMM_EPARSE
				  : fw_add(c, base, length, mb2_map_type(fw_le32(e + 16)));
		if (ret)
			return fw_fail(c, ret,
				       "tag %u (memory map) entry %u at byte 0x%zx: %s",
				       idx, i, (size_t)(e - p),
				       length == 0 ? "zero length" : fw_add_problem(ret));
	}
	return 0;
}

static int mb2_read_efi(struct fw_ctx *c, const unsigned char *p, size_t off,
			unsigned int idx)
{
	uint32_t size = fw_le32(p + off + 4);
	int ret = mb2_short(c, p, off, idx, "EFI memory map");

	if (ret)
		return ret;
	return fw_efi_walk(c, p + off + 16, size - 16, fw_le32(p + off + 8),
			   fw_le32(p + off + 12), off + 16);
}

/* Pass 2 for modules: each one reserved and noted. */
static int mb2_read_modules(struct fw_ctx *c, const unsigned char *p,
			    size_t total)
{
	unsigned int idx = 0;
	size_t off;

	for (off = 8; fw_le32(p + off) != MB2_TAG_END; idx++) {
		uint32_t size = fw_le32(p + off + 4), start, end;
		int ret;

		if (fw_le32(p + off) != MB2_TAG_MODULE)
			goto next;
		ret = mb2_short(c, p, off, idx, "module");
		if (ret)
			return ret;
		start = fw_le32(p + off + 8);
		end = fw_le32(p + off + 12);
		if (end <= start)
			return fw_fail(c, PMM_EPARSE,
				       "tag %u (module) at byte 0x%zx: %s [0x%x, 0x%x)",
				       idx, off, end == start ? "zero-length" : "reversed",
				       start, end);
		ret = fw_add(c, start, end - start, PMM_MEM_RESERVED);
		if (!ret)
			ret = fw_note(c, start, end, PMM_FW_MODULE);
		if (ret)
			return fw_fail(c, ret, "tag %u (module) at byte 0x%zx: %s",
				       idx, off, fw_add_problem(ret));
next:
		off += align8(size);
		if (off >= total)
			break;
	}
	return 0;
}

static bool rsdp_sig_ok(const unsigned char *r)
{
	static const char sig[8] = "RSD PTR ";
	size_t i;

	for (i = 0; i < 8; i++)
		if (r[i] != (unsigned char)sig[i])
			return false;
	return true;
}

/* Check the RSDP copy in tag @idx at @off; fill @a. */
static int mb2_read_rsdp(struct fw_ctx *c, const unsigned char *p, size_t off,
			 unsigned int idx, bool v2, struct mb2_acpi *a)
{
	uint32_t size = fw_le32(p + off + 4);
	const unsigned char *r = p + off + 8;
	uint32_t rlen = RSDP_V1_LEN;

	if (size < 8 + RSDP_V1_LEN)
		return fw_fail(c, PMM_EPARSE, "tag %u (ACPI RSDP) at byte 0x%zx: "
			       "size %u too small for an RSDP", idx, off, size);
	if (v2) {
		rlen = size >= 8 + RSDP_V2_MIN ? fw_le32(r + 20) : 0;
		if (rlen < RSDP_V2_MIN || rlen > size - 8)
			return fw_fail(c, PMM_EPARSE, "tag %u (ACPI RSDP) at byte 0x%zx: "
				       "RSDP length %u outside [%u, %u]", idx, off,
				       rlen, RSDP_V2_MIN, size - 8);
	}
	if (!rsdp_sig_ok(r))
		return fw_fail(c, PMM_EPARSE, "tag %u (ACPI RSDP) at byte 0x%zx: "
			       "no 'RSD PTR ' signature", idx, off);
	if (!fw_sum_is_zero(r, RSDP_V1_LEN) || !fw_sum_is_zero(r, rlen))
		return fw_fail(c, PMM_EPARSE, "tag %u (ACPI RSDP) at byte 0x%zx: "
			       "bad checksum", idx, off);
	a->rev = v2 ? 2 : 1;
	a->rsdt = fw_le32(r + 16);
	a->xsdt = v2 ? fw_le64(r + 24) : 0;
	return 0;
}

static int mb2_read_acpi(struct fw_ctx *c, const unsigned char *p,
			 const struct mb2_tags *t, struct mb2_acpi *a)
{
	int ret = 0;

	if (t->acpi_old)
		ret = mb2_read_rsdp(c, p, t->acpi_old, t->old_idx, false, a);
	if (!ret && t->acpi_new)
		ret = mb2_read_rsdp(c, p, t->acpi_new, t->new_idx, true, a);
	return ret;
}

static int mb2_read(struct fw_ctx *c, const unsigned char *p, size_t len)
{
	struct mb2_tags t = { 0 };
	struct mb2_acpi a = { 0 };
	uint32_t total;
	int ret;

	if (len < 8)
		return fw_fail(c, PMM_EPARSE, "%zu bytes: shorter than the 8-byte header",
			       len);
	total = fw_le32(p);
	if (total < 8 || total > len)
		return fw_fail(c, PMM_EPARSE, "byte 0x0: total_size %u %s %zu bytes",
			       total, total < 8 ? "below 8 of" : "past the end of", len);
	ret = mb2_scan(c, p, total, &t);
	if (ret)
		return ret;
	if (!t.mmap && !t.efi)
		return fw_fail(c, PMM_EPARSE, "no memory map tag (type 6 or 17)");
	ret = t.efi ? mb2_read_efi(c, p, t.efi, t.efi_idx)
		    : mb2_read_mmap(c, p, t.mmap, t.mmap_idx);
	if (!ret)
		ret = mb2_read_modules(c, p, total);
	if (!ret)
		ret = mb2_read_acpi(c, p, &t, &a);
	if (ret || !c->fw)
		return ret;
	if (a.rev) {
		c->fw->rsdp_rev = a.rev;
		c->fw->rsdt = a.rsdt;
		c->fw->xsdt = a.xsdt;
	}
	c->fw->format = PMM_FW_FMT_MB2;
	return 0;
}

/**
 * pmm_memmap_from_mb2 - append the map of a Multiboot2 boot block to @m.
 * @m: the map.
 * @fw: modules and the ACPI root pointer (may be NULL).
 * @buf: the boot information block (the address in EBX).
 * @len: the bytes that may be read at @buf (at least total_size).
 * @err: where the message goes (may be NULL).
 *
 * Return: 0, PMM_EINVAL, PMM_EPARSE, PMM_EOVERFLOW, PMM_EFULL; on error
 * @m and @fw are as they were.
 * Context: boot time, no locking.
 */
int pmm_memmap_from_mb2(struct pmm_memmap *m, struct pmm_fw_info *fw,
			const void *buf, size_t len,
			struct pmm_parse_error *err)
{
	struct fw_ctx c;

	if (!m || !buf)
		return PMM_EINVAL;
	fw_begin(&c, m, fw, err, "mb2");
	return mb2_read(&c, buf, len);
}
