/* SPDX-License-Identifier: MIT */
/*
 * memmap_logedit.c - replay a Linux boot log's own edits of its e820 map,
 * and find its command line.
 *
 * Between the firmware's map and its zones, x86 Linux prints each change
 * it makes to the map:
 *
 *   e820: update [mem 0x00000000-0x00000fff] usable ==> reserved
 *   e820: remove [mem 0x000a0000-0x000fffff] usable
 *   e820: remove [mem 0x80000000-0xfffffffffffffffe] usable     (mem=2G)
 *
 * (the range is inclusive; a remove line without a type removes any type).
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

static bool lc_hex(struct lcur *c, uint64_t *v)
{
	unsigned int n = 0;
	*v = 0;
	if (!lc_accept(c, "0x"))
		return false;
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
		return 0;
	if (update)
		c = u;
	if (!lc_hex(&c, &first) || !lc_accept(&c, "-") || !lc_hex(&c, &last) ||
	    !lc_accept(&c, "]") || last < first)
		return edit_fail(err, line, "malformed range");
	const uint64_t phys_max = (pmm_phys_t)~(pmm_phys_t)0;
	if (first > phys_max)
		return 0; /* wholly beyond this build's physical addresses */
	pmm_phys_t end = (pmm_phys_t)(last >= phys_max ? phys_max : last + 1);
	bool typed = lc_accept(&c, " ") && lc_type(&c, &from);
	if (!update)
		return pmm_memmap_remove(m, (pmm_phys_t)first, end, typed ? from : 0);
	if (!typed || !lc_accept(&c, " ==> ") || !lc_type(&c, &to))
		return edit_fail(err, line, "expected \"TYPE ==> TYPE\"");
	if (from == to)
		return 0;
	return pmm_memmap_update(m, (pmm_phys_t)first, end, from, to);
}

int pmm_memmap_apply_log_edits(struct pmm_memmap *m, const char *text,
			       size_t len, struct pmm_parse_error *err)
{
	const char *end = text + len;
	unsigned int line = 0;
	if (m == NULL || (text == NULL && len))
		return PMM_EINVAL;
	for (const char *p = text; p < end;) {
		const char *q = p;
		while (q < end && *q != '\n')
			q++;
		int ret = edit_line(m, (struct lcur){ p, q }, ++line, err);
		if (ret)
			return ret;
		p = q + 1;
	}
	return 0;
}

int pmm_linux_log_cmdline(const char *text, size_t len, char *buf, size_t size)
{
	struct lcur c = { text, text + len };
	if (text == NULL || buf == NULL || size == 0 || !lc_find(&c, "Command line: "))
		return -1;
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
