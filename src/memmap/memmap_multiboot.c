/* SPDX-License-Identifier: MIT */
/*
 * memmap_multiboot.c - read the memory map a Multiboot (v1) loader passes.
 *
 * The loader hands over mmap_length bytes at mmap_addr, a packed run of
 *
 *   +0  u32 size     bytes that follow this field (20 or more)
 *   +4  u64 base_addr
 *   +12 u64 length
 *   +20 u32 type     1 usable, 3 ACPI, 4 NVS, 5 bad RAM, else reserved
 *
 * all little endian; the next entry starts size + 4 bytes further on. The
 * entries are appended to a struct pmm_memmap for the sanitizer. Bytes are
 * read one at a time: the buffer has no alignment guarantee.
 */
#include <pmm/memmap.h>

#include "memmap_impl.h"

#define MB_ENTRY_MIN 20u /* base_addr + length + type */
_Static_assert(MB_ENTRY_MIN == 2 * sizeof(uint64_t) + sizeof(uint32_t),
	       "a Multiboot mmap record holds two u64 and one u32 after size");

static uint32_t mb_le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static uint64_t mb_le64(const unsigned char *p)
{
	return (uint64_t)mb_le32(p) | (uint64_t)mb_le32(p + 4) << 32;
}

/* Multiboot type number -> e820 type number (the numbers agree). */
static uint32_t mb_type(uint32_t type)
{
	return type == 0 ? (uint32_t)PMM_MEM_RESERVED : type;
}

/**
 * pmm_memmap_from_multiboot - append a Multiboot v1 memory map to @m.
 * @m: the map.
 * @buf: the loader's mmap_addr bytes.
 * @len: mmap_length.
 *
 * Entries of length 0 are skipped. An entry ending exactly at 2^64 loses
 * its last byte (see pmm_memmap_add_size); one that wraps further is
 * rejected with the whole map.
 *
 * Return: 0, PMM_EINVAL, PMM_EPARSE (truncated entry, size below 20),
 * PMM_EOVERFLOW, PMM_EFULL; on error @m is as it was.
 * Context: boot time, no locking.
 */
int pmm_memmap_from_multiboot(struct pmm_memmap *m, const void *buf,
			      size_t len)
{
	const unsigned char *p = buf;
	struct pmm_memmap_mark mk;
	size_t off = 0;

	if (!m || (!buf && len))
		return PMM_EINVAL;
	mk = pmm_memmap_mark(m);
	while (off < len) {
		uint32_t size;
		int ret;

		if (len - off < 4)
			goto fail_parse;
		size = mb_le32(p + off);
		if (size < MB_ENTRY_MIN || len - off - 4 < size)
			goto fail_parse;
		ret = pmm_memmap_add_size(m, mb_le64(p + off + 4),
					  mb_le64(p + off + 12),
					  mb_type(mb_le32(p + off + 20)));
		if (ret) {
			pmm_memmap_rollback(m, mk);
			return ret;
		}
		off += (size_t)size + 4;
	}
	return 0;

fail_parse:
	pmm_memmap_rollback(m, mk);
	return PMM_EPARSE;
}
