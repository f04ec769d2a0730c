/* SPDX-License-Identifier: MIT */
/*
 * memmap_fw.h - what the firmware readers share (not public): explicit
 * little/big-endian loads from unaligned bytes, and a read context that
 * remembers where the map and the info stood so that any failure puts
 * back the exact bytes it found and says where the input went wrong.
 */
#ifndef PMM_MEMMAP_FW_H
#define PMM_MEMMAP_FW_H

#include <pmm/firmware.h>

#include "memmap_impl.h"

static inline uint16_t fw_le16(const unsigned char *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static inline uint32_t fw_le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static inline uint64_t fw_le64(const unsigned char *p)
{
	return (uint64_t)fw_le32(p) | (uint64_t)fw_le32(p + 4) << 32;
}

static inline uint32_t fw_be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

static inline uint64_t fw_be64(const unsigned char *p)
{
	return (uint64_t)fw_be32(p) << 32 | (uint64_t)fw_be32(p + 4);
}

/* One read in progress: where it writes and where it started. */
struct fw_ctx {
	struct pmm_memmap *m;
	struct pmm_fw_info *fw;      /* may be NULL: notes are dropped */
	struct pmm_parse_error *err; /* may be NULL */
	struct pmm_memmap_mark mk;
	unsigned int fw_nr;          /* fw->nr_ranges when the read began */
	const char *who;             /* "efi", "mb2", "fdt", ... */
};

/* Start a read of @who into @m and @fw. */
void fw_begin(struct fw_ctx *c, struct pmm_memmap *m, struct pmm_fw_info *fw,
	      struct pmm_parse_error *err, const char *who);

/*
 * Undo everything appended since fw_begin() and write "@who: <fmt>" into
 * the error. Return: @ret.
 */
int fw_fail(struct fw_ctx *c, int ret, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * Append [@start, @start + @size) of @type to the map, growing the entry
 * this read appended last when it ends at @start with the same type.
 * Return: 0, PMM_EOVERFLOW (past 2^64), PMM_EFULL, PMM_EINVAL (type 0);
 * nothing is undone here (the caller fails through fw_fail()).
 */
int fw_add(struct fw_ctx *c, pmm_phys_t start, uint64_t size, uint32_t type);

/* Note [@start, @end) of @kind in the info (merged like fw_add). */
int fw_note(struct fw_ctx *c, pmm_phys_t start, pmm_phys_t end, uint32_t kind);

/* If [*@p, @end) starts with @s, move *@p past it. Return: whether it did. */
bool fw_accept(const char **p, const char *end, const char *s);

/* Return: the value of hex digit @ch, or -1. */
int fw_hex_digit(char ch);

/*
 * Read decimal digits at *@p (before @end) into *@v; *@p moves past them.
 * Return: false for no digit or a number of 2^32 or more.
 */
bool fw_dec32(const char **p, const char *end, uint32_t *v);

/* Return: true if the @n bytes at @p sum to 0 modulo 256 (ACPI checksums). */
bool fw_sum_is_zero(const unsigned char *p, size_t n);

/* Name an error code of fw_add()/fw_note() for a message. */
const char *fw_add_problem(int ret);

/*
 * Take one EFI descriptor @d into the map (and notes). Return: 0, or an
 * error code with *@why saying what is wrong with @d; nothing is undone.
 */
int fw_efi_take(struct fw_ctx *c, const struct pmm_efi_desc *d,
		const char **why);

/*
 * Walk @len bytes of descriptors at @p, @desc_size apart, version
 * @version; @base is the byte offset of @p in the caller's input (for
 * messages). Return: 0 or the error, through fw_fail().
 */
int fw_efi_walk(struct fw_ctx *c, const unsigned char *p, size_t len,
		uint32_t desc_size, uint32_t version, size_t base);

#endif /* PMM_MEMMAP_FW_H */
