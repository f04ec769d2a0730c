/* SPDX-License-Identifier: MIT */
/*
 * memmap_logedit.c - what a Linux boot log says it did to its memory:
 * replay its own edits of its e820 map, find its command line, and read
 * where a 32-bit kernel's lowmem ended.
 *
 * Between the firmware's map and its zones, x86 Linux prints each change
 * it makes to the map:
 *
 *   e820: update [mem 0x00000000-0x00000fff] usable ==> reserved
 *   e820: remove [mem 0x000a0000-0x000fffff] usable
 *   e820: remove [mem 0x80000000-0xfffffffffffffffe] usable     (mem=2G)
 *   e820 update range: 0000000000000000 - 0000000000010000 (usable) ==> (reserved)
 *   e820 remove range: 00000000000a0000 - 0000000000100000 (usable)
 *
 * (the modern range is inclusive, 2.6's "range:" form end-exclusive; a
 * remove line without a type removes any type).
 * Replaying them gives the map Linux built its zones from, whatever the
 * cause: page 0, the BIOS area, mem=, setup_data. A "usable ==> usable"
 * update (RAM kept for the kernel's own data) changes nothing here.
 */
#include <pmm/cmdline.h>
#include <pmm/fmt.h>

/* A read position inside one line: [p, end). */
struct lcur {
	const char *p;
	const char *end;
};

static bool lc_accept(struct lcur *c, const char *s)
{
	size_t n = pmm_strlen(s);
	if ((size_t)(c->end - c->p) < n || pmm_memcmp(c->p, s, n) != 0)
		return false;
	c->p += n;
	return true;
}

/* Move @c just past the first @needle in it. Return: false if absent. */
static bool lc_find(struct lcur *c, const char *needle)
{
	size_t n = pmm_strlen(needle);
	for (const char *q = c->p; (size_t)(c->end - q) >= n; q++)
		if (pmm_memcmp(q, needle, n) == 0) {
			c->p = q + n;
			return true;
		}
	return false;
}

/* 1 to 16 hex digits, no prefix. */
static bool lc_hex_digits(struct lcur *c, uint64_t *v)
{
	unsigned int n = 0;
	*v = 0;
	for (; c->p < c->end && n < 17; c->p++, n++) {
		char ch = *c->p;
		unsigned int d = ch >= '0' && ch <= '9' ? (unsigned int)(ch - '0')
			: ch >= 'a' && ch <= 'f' ? (unsigned int)(ch - 'a' + 10)
			: ch >= 'A' && ch <= 'F' ? (unsigned int)(ch - 'A' + 10) : 16;
		if (d == 16)
			break;
		*v = *v << 4 | d;
	}
	return n > 0 && n <= 16;
}

static bool lc_hex(struct lcur *c, uint64_t *v)
{
	return lc_accept(c, "0x") && lc_hex_digits(c, v);
}

static bool lc_type(struct lcur *c, uint32_t *type);

/* 2.6's type: "(usable)", "(ACPI data)", ... or "type N" without brackets. */
static bool lc_old_type(struct lcur *c, uint32_t *type)
{
	if (!lc_accept(c, "("))
		return lc_type(c, type);
	return lc_type(c, type) && lc_accept(c, ")");
}

/* Read a type as Linux prints it ("usable", "ACPI NVS", "type 9", ...). */
static bool lc_type(struct lcur *c, uint32_t *type)
{
	static const uint32_t named[] = {
		PMM_MEM_USABLE, PMM_MEM_RESERVED, PMM_MEM_ACPI, PMM_MEM_NVS,
		PMM_MEM_UNUSABLE, PMM_MEM_SOFT_RESERVED, PMM_MEM_UNACCEPTED,
	};
	char name[32];
	uint32_t v = 0;
	for (size_t i = 0; i < sizeof(named) / sizeof(named[0]); i++)
		if (lc_accept(c, pmm_mem_type_name(named[i], name, sizeof(name)))) {
			*type = named[i];
			return true;
		}
	bool persistent = lc_accept(c, "persistent (type ");
	if (!persistent && !lc_accept(c, "type "))
		return false;
	for (; c->p < c->end && *c->p >= '0' && *c->p <= '9' && v < 100000000u; c->p++)
		v = v * 10 + (uint32_t)(*c->p - '0');
	if (persistent && !lc_accept(c, ")"))
		return false;
	*type = v;
	return v != 0;
}

static int edit_fail(struct pmm_parse_error *err, unsigned int line, const char *why)
{
	if (err) {
		err->line = line;
		pmm_snprintf(err->msg, sizeof(err->msg), "e820 edit line: %s", why);
	}
	return PMM_EPARSE;
}

/* Apply one edit of [@first, @end) (exclusive end, clipped to phys). */
static int edit_apply(struct pmm_memmap *m, bool update, uint64_t first,
		      pmm_phys_t end, uint32_t from, uint32_t to)
{
	const uint64_t phys_max = (pmm_phys_t)~(pmm_phys_t)0;
	if (first > phys_max || first >= end)
		return 0; /* beyond this build's physical addresses, or empty */
	if (!update)
		return pmm_memmap_remove(m, (pmm_phys_t)first, end, from);
	if (from == to)
		return 0;
	return pmm_memmap_update(m, (pmm_phys_t)first, end, from, to);
}

/* 2.6's "e820 update range: A - B (T1) ==> (T2)" / "e820 remove range: A - B (T)". */
static int old_edit_line(struct pmm_memmap *m, struct lcur c, unsigned int line,
			 struct pmm_parse_error *err)
{
	uint64_t first, end;
	uint32_t from = 0, to = 0;
	struct lcur u = c;
	bool update = lc_find(&u, "e820 update range: ");
	if (update)
		c = u;
	else if (!lc_find(&c, "e820 remove range: "))
		return 0;
	if (!lc_hex_digits(&c, &first) || !lc_accept(&c, " - ") ||
	    !lc_hex_digits(&c, &end) || end < first)
		return edit_fail(err, line, "malformed range (A - B, end exclusive)");
	bool typed = lc_accept(&c, " ") && lc_old_type(&c, &from);
	if (update && (!typed || !lc_accept(&c, " ==> ") || !lc_old_type(&c, &to)))
		return edit_fail(err, line, "expected \"(TYPE) ==> (TYPE)\"");
	const uint64_t phys_max = (pmm_phys_t)~(pmm_phys_t)0;
	return edit_apply(m, update, first, (pmm_phys_t)(end > phys_max ? phys_max : end),
			  typed ? from : 0, to);
}

/* One line: an update or remove line applied, anything else skipped. */
static int edit_line(struct pmm_memmap *m, struct lcur c, unsigned int line,
		     struct pmm_parse_error *err)
{
	uint64_t first, last;
	uint32_t from = 0, to = 0;
	bool update = false;
	struct lcur u = c;
	if (lc_find(&u, "e820: update [mem "))
		update = true;
	else if (!lc_find(&c, "e820: remove [mem "))
		return old_edit_line(m, c, line, err);
	if (update)
		c = u;
	if (!lc_hex(&c, &first) || !lc_accept(&c, "-") || !lc_hex(&c, &last) ||
	    !lc_accept(&c, "]") || last < first)
		return edit_fail(err, line, "malformed range");
	const uint64_t phys_max = (pmm_phys_t)~(pmm_phys_t)0;
	pmm_phys_t end = (pmm_phys_t)(last >= phys_max ? phys_max : last + 1);
	bool typed = lc_accept(&c, " ") && lc_type(&c, &from);
	if (update && (!typed || !lc_accept(&c, " ==> ") || !lc_type(&c, &to)))
		return edit_fail(err, line, "expected \"TYPE ==> TYPE\"");
	return edit_apply(m, update, first, end, typed ? from : 0, to);
}

int pmm_memmap_apply_log_edits(struct pmm_memmap *m, const char *text,
			       size_t len, struct pmm_parse_error *err)
{
	static struct pmm_memmap edited; /* boot time, one caller at a time */
	const char *end = text + len;
	unsigned int line = 0;
	if (m == NULL || (text == NULL && len))
		return PMM_EINVAL;
	/* All or nothing: the lines apply to a copy that replaces @m. */
	pmm_memcpy(&edited, m, sizeof(edited));
	for (const char *p = text; p < end;) {
		const char *q = p;
		while (q < end && *q != '\n')
			q++;
		int ret = edit_line(&edited, (struct lcur){ p, q }, ++line, err);
		if (ret)
			return ret;
		p = q + 1;
	}
	pmm_memcpy(m, &edited, sizeof(*m));
	return 0;
}

int pmm_linux_log_cmdline(const char *text, size_t len, char *buf, size_t size)
{
	struct lcur c = { text, text + len }, k = c;
	if (text == NULL || buf == NULL || size == 0)
		return -1;
	/* x86 prints "Command line:" early; 32-bit only the later line */
	if (!lc_find(&c, "Command line: ")) {
		if (!lc_find(&k, "Kernel command line: "))
			return -1;
		c = k;
	}
	const char *q = c.p;
	while (q < c.end && *q != '\n' && *q != '\r')
		q++;
	while (q > c.p && q[-1] == ' ')
		q--;
	size_t n = (size_t)(q - c.p);
	if (n >= size)
		return -1;
	pmm_memcpy(buf, c.p, n);
	buf[n] = '\0';
	return (int)n;
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
		return edit_fail(err, line, "expected \"NNNMB\" before LOWMEM/HIGHMEM available");
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
		return edit_fail(err, line, "lowmem boundary not a page from 4K to 4G");
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
