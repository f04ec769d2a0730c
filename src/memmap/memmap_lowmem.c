/* SPDX-License-Identifier: MIT */
/*
 * memmap_lowmem.c - where a 32-bit Linux log says its lowmem ended.
 *
 * A 32-bit x86 kernel prints, between its e820 map and its zones:
 *
 *   1167MB HIGHMEM available.
 *   879MB LOWMEM available.
 *     mapped low ram: 0 - 36ffe000
 *     low ram: 0 - 36ffe000
 *   Zone ranges:
 *     HighMem  [mem 0x0000000036ffe000-0x000000007ffdffff]
 *
 * The "low ram" and HighMem lines are exact; the MiB lines are rounded
 * down, and older excerpts may hold only those. pmm_linux_log_lowmem()
 * reads them, checks that they agree and makes the MiB figure exact the
 * way Linux computed it (pmm/boot.h, boot_lowmem.c).
 */
#include <pmm/cmdline.h>

#include "memmap_logline.h"

static int line_fail(struct pmm_parse_error *err, unsigned int line, const char *why)
{
	if (err) {
		err->line = line;
		pmm_snprintf(err->msg, sizeof(err->msg), "lowmem line: %s", why);
	}
	return PMM_EPARSE;
}

/* What a 32-bit log says about its lowmem; each field 0 when not printed. */
struct lowmem_lines {
	uint64_t low_ram_end;  /* "low ram: 0 - HEX" */
	uint64_t highmem_zone; /* "HighMem  [mem 0xHEX-" */
	uint32_t lowmem_mb;    /* "NNNMB LOWMEM available." */
	uint32_t highmem_mb;   /* "NNNMB HIGHMEM available." */
	bool has_lowmem_mb;
	bool has_highmem_mb;
};

/* The decimal "NNNMB " that ends just before @at (the text starts at @start). */
static bool mb_before(const char *start, const char *at, uint32_t *mb)
{
	const char *p = at;
	uint64_t v = 0, scale = 1;
	if (at - start < 4 || pmm_memcmp(at - 3, "MB ", 3) != 0)
		return false;
	for (p = at - 3; p > start && p[-1] >= '0' && p[-1] <= '9'; p--) {
		if (scale > 100000000u)
			return false;
		v += (uint64_t)(p[-1] - '0') * scale;
		scale *= 10;
	}
	*mb = (uint32_t)v;
	return p < at - 3;
}

/* A "NNNMB WHAT available." line into *@mb. Return: 0, 1 found, or error. */
static int mb_line(struct lcur c, const char *what, uint32_t *mb, bool *has,
		   unsigned int line, struct pmm_parse_error *err)
{
	const char *start = c.p;
	if (*has || !lc_find(&c, what))
		return 0;
	if (!mb_before(start, c.p - pmm_strlen(what), mb))
		return line_fail(err, line, "expected \"NNNMB\" before LOWMEM/HIGHMEM available");
	*has = true;
	return 1;
}

/* An exact boundary after @needle: @prefixed hex (0x) or bare. */
static int hex_line(struct lcur c, const char *needle, bool prefixed,
		    uint64_t *val, unsigned int line, struct pmm_parse_error *err)
{
	uint64_t v;
	if (*val || !lc_find(&c, needle))
		return 0;
	if (!(prefixed ? lc_hex(&c, &v) : lc_hex_digits(&c, &v)) || v == 0 ||
	    (v & 0xfff) || v > ((uint64_t)4 << 30))
		return line_fail(err, line, "lowmem boundary not a page from 4K to 4G");
	*val = v;
	return 1;
}

static int lowmem_line(struct lowmem_lines *ll, struct lcur c, unsigned int line,
		       struct pmm_parse_error *err)
{
	int ret = mb_line(c, "LOWMEM available", &ll->lowmem_mb, &ll->has_lowmem_mb,
			  line, err);
	if (!ret)
		ret = mb_line(c, "HIGHMEM available", &ll->highmem_mb,
			      &ll->has_highmem_mb, line, err);
	if (!ret)
		ret = hex_line(c, "low ram: 0 - ", false, &ll->low_ram_end, line, err);
	if (!ret)
		ret = hex_line(c, "HighMem  [mem ", true, &ll->highmem_zone, line, err);
	return ret < 0 ? ret : 0;
}

/*
 * The exact end Linux had for "NNNMB LOWMEM available" with HighMem
 * present: MAXMEM = VMALLOC_END - PAGE_OFFSET - reserve, VMALLOC_END two
 * pages below a 2 MiB-aligned PKMAP_BASE; one such boundary falls in the
 * MiB. Return: it, or the MiB's start if none does (reserve not a page
 * multiple).
 */
static uint64_t lowmem_from_mb(uint32_t mb, uint64_t reserve)
{
	const uint64_t page_offset = 0xc0000000u, pmd = (uint64_t)2 << 20;
	uint64_t lo = (uint64_t)mb << 20;
	uint64_t pkmap = (lo + 2 * PMM_PAGE_SIZE + page_offset + reserve + pmd - 1) & ~(pmd - 1);
	uint64_t end = (pkmap - 2 * PMM_PAGE_SIZE - page_offset - reserve) & PMM_PAGE_MASK;
	return end >> 20 == mb ? end : lo;
}

static int lowmem_fail(struct pmm_parse_error *err, const char *why)
{
	if (err) {
		err->line = 0;
		pmm_snprintf(err->msg, sizeof(err->msg), "lowmem lines: %s", why);
	}
	return PMM_EPARSE;
}

/* The vmalloc reserve of the log's own command line (128 MiB without one). */
static int log_vmalloc_reserve(const char *text, size_t len, uint64_t *reserve,
			       struct pmm_parse_error *err)
{
	static char cmdline[4096];
	*reserve = 128u << 20;
	if (pmm_linux_log_cmdline(text, len, cmdline, sizeof(cmdline)) < 0)
		return 0;
	uint64_t r = 0;
	int ret = pmm_linux_cmdline_vmalloc(cmdline, &r, err);
	if (!ret && r)
		*reserve = r;
	return ret;
}

static int lowmem_resolve(const struct lowmem_lines *ll, const char *text,
			  size_t len, uint64_t *end, struct pmm_parse_error *err)
{
	uint64_t exact = ll->low_ram_end ? ll->low_ram_end : ll->highmem_zone;
	uint64_t reserve;
	if (ll->low_ram_end && ll->highmem_zone && ll->low_ram_end != ll->highmem_zone)
		return lowmem_fail(err, "\"low ram\" and the HighMem zone disagree");
	if (ll->has_lowmem_mb && (ll->lowmem_mb == 0 || ll->lowmem_mb > 4096))
		return lowmem_fail(err, "LOWMEM available must be 1 to 4096MB");
	if (exact && ll->has_lowmem_mb && exact >> 20 != ll->lowmem_mb)
		return lowmem_fail(err, "LOWMEM available disagrees with the lowmem boundary");
	if (exact || !ll->has_lowmem_mb) {
		*end = exact;
		return 0;
	}
	if (!ll->has_highmem_mb || ll->highmem_mb == 0) {
		*end = ((uint64_t)ll->lowmem_mb + 1) << 20; /* lowmem holds all RAM */
		return 0;
	}
	int ret = log_vmalloc_reserve(text, len, &reserve, err);
	if (!ret)
		*end = lowmem_from_mb(ll->lowmem_mb, reserve);
	return ret;
}

int pmm_linux_log_lowmem(const char *text, size_t len, uint64_t *end,
			 struct pmm_parse_error *err)
{
	struct lowmem_lines ll = { 0, 0, 0, 0, false, false };
	unsigned int line = 0;
	if (end == NULL || (text == NULL && len))
		return PMM_EINVAL;
	for (const char *p = text, *stop = len ? text + len : text; p < stop;) {
		const char *q = p;
		while (q < stop && *q != '\n')
			q++;
		int ret = lowmem_line(&ll, (struct lcur){ p, q }, ++line, err);
		if (ret)
			return ret;
		p = q + 1;
	}
	return lowmem_resolve(&ll, text, len, end, err);
}
