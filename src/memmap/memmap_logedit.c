/* SPDX-License-Identifier: MIT */
/*
 * memmap_logedit.c - what a Linux boot log says it did to its memory:
 * replay its own edits of its e820 map, and find its command line.
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

#include "memmap_logline.h"

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
