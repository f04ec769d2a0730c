/* SPDX-License-Identifier: MIT */
/*
 * memmap_dmesg.c - read a firmware memory map out of boot-log text.
 *
 * Input is whatever people paste: dmesg output, /var/log/messages, a
 * serial console capture. Each line may carry any prefix ("[    0.000000] ",
 * "<6>", "Jan  1 00:00:00 host kernel: "), so a line is recognised by its
 * label, found anywhere in it:
 *
 *   BIOS-e820: [mem 0x0000000000000000-0x000000000009fbff] usable   (>= 3.x)
 *   BIOS-e820: 0000000000000000 - 000000000009fc00 (usable)         (2.6.x)
 *   BIOS-e820: [mem 0x0000000000000000-0x000000000009fbff]  System RAM  (7.0)
 *   BIOS-e820: [gap 0x00000000000a0000-0x00000000000effff]           (7.0)
 *   ACPI: SRAT: Node 1 PXM 1 [mem 0x848000000-0xc47ffffff] hotplug
 *
 * The modern form prints the last byte (end inclusive), the old form the
 * first byte after the range (end exclusive); 7.0's labels and its gap
 * lines (no memory) are told apart in memmap_linux7.c. Only the first run of
 * BIOS-e820 lines is the firmware's map; later maps (modified:, user:,
 * reserve setup_data:, another BIOS-e820 run) are counted, not used. Every
 * line that carries a map label must be well formed; other lines are
 * skipped. The text need not be NUL-terminated and may hold any bytes: the
 * parser reads only [text, text + len) and checks every number's length.
 */
#include <pmm/cmdline.h>
#include <pmm/firmware.h>
#include <pmm/fmt.h>
#include <pmm/memmap.h>

#include "memmap_fw.h"

enum dmesg_label {
	LBL_NONE,      /* no map line */
	LBL_BIOS,      /* BIOS-e820: the firmware's map */
	LBL_MODIFIED,  /* modified: map after e820 updates */
	LBL_USER,      /* user: map from mem=/memmap= */
	LBL_SETUP,     /* reserve setup_data: extended map */
};

struct dmesg_label_name {
	const char *text;
	enum dmesg_label label;
};

static const struct dmesg_label_name other_labels[] = {
	{ "modified:", LBL_MODIFIED },
	{ "user:", LBL_USER },
	{ "reserve setup_data:", LBL_SETUP },
};

/* A read position inside one line: [p, end). */
struct cur {
	const char *p;
	const char *end;
};

/* One map entry as read: [start, end) of type. */
struct dmesg_entry {
	pmm_phys_t start;
	pmm_phys_t end;
	uint32_t type;
};

struct dmesg_state {
	struct pmm_memmap *m;
	struct pmm_parse_error *err;
	unsigned int line;       /* 1-based number of the current line */
	enum dmesg_label prev;   /* label of the previous non-blank line */
	bool bios_seen;          /* the first BIOS-e820 run has begun */
	bool bios_done;          /* ... and ended */
};

/* ---- small text helpers ------------------------------------------------ */

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

static void skip_space(struct cur *c)
{
	while (c->p < c->end && is_space(*c->p))
		c->p++;
}

/* Drop trailing white space (and a DOS "\r") from @c. */
static void trim_end(struct cur *c)
{
	while (c->end > c->p && is_space(c->end[-1]))
		c->end--;
}

/* Consume the literal @s when the text continues with it. */
static bool accept(struct cur *c, const char *s)
{
	size_t n = pmm_strlen(s);

	if ((size_t)(c->end - c->p) < n || pmm_memcmp(c->p, s, n) != 0)
		return false;
	c->p += n;
	return true;
}

/* Return: the position just past the first @needle in @c, or NULL. */
static const char *find(const struct cur *c, const char *needle)
{
	size_t n = pmm_strlen(needle);
	const char *p;

	if ((size_t)(c->end - c->p) < n)
		return NULL;
	for (p = c->p; (size_t)(c->end - p) >= n; p++) {
		if (pmm_memcmp(p, needle, n) == 0)
			return p + n;
	}
	return NULL;
}

enum num_result { NUM_OK, NUM_NONE, NUM_LONG };

/* Read 1..16 hex digits, with a "0x" prefix when @prefix says. */
static enum num_result read_hex(struct cur *c, bool prefix, uint64_t *val)
{
	unsigned int digits = 0;
	uint64_t v = 0;
	int d;

	if (prefix && !accept(c, "0x") && !accept(c, "0X"))
		return NUM_NONE;
	while (c->p < c->end && (d = fw_hex_digit(*c->p)) >= 0) {
		if (++digits > 16)
			return NUM_LONG;
		v = v << 4 | (uint64_t)d;
		c->p++;
	}
	if (digits == 0)
		return NUM_NONE;
	*val = v;
	return NUM_OK;
}

/* Read a decimal number that fits in 32 bits. */
static bool read_dec(struct cur *c, uint32_t *val)
{
	uint64_t v = 0;
	unsigned int digits = 0;

	while (c->p < c->end && *c->p >= '0' && *c->p <= '9') {
		v = v * 10 + (uint64_t)(*c->p - '0');
		if (v > UINT32_MAX)
			return false;
		digits++;
		c->p++;
	}
	if (digits == 0)
		return false;
	*val = (uint32_t)v;
	return true;
}

/* ---- errors ------------------------------------------------------------- */

static int fail(struct dmesg_state *st, int ret, const char *what,
		const char *why)
{
	if (st->err) {
		st->err->line = st->line;
		pmm_snprintf(st->err->msg, sizeof(st->err->msg), "line %u: %s: %s",
			     st->line, what, why);
	}
	return ret;
}

/* Name the bad part of a line, cut to fit the message. */
static int fail_text(struct dmesg_state *st, const char *what, const char *why,
		     const struct cur *bad)
{
	size_t n = (size_t)(bad->end - bad->p);
	char quote[33];

	/* A NUL-terminated copy: the text itself may end without one. */
	if (n > sizeof(quote) - 1)
		n = sizeof(quote) - 1;
	pmm_memcpy(quote, bad->p, n);
	quote[n] = '\0';
	if (st->err) {
		st->err->line = st->line;
		pmm_snprintf(st->err->msg, sizeof(st->err->msg),
			     "line %u: %s: %s '%s'", st->line, what, why, quote);
	}
	return PMM_EPARSE;
}

/* ---- one e820 entry ----------------------------------------------------- */

/*
 * A label filling all of @c: "usable", "System RAM" (7.0), "type N",
 * "persistent (type N)", ... - the table is memmap_linux7.c's.
 */
static bool parse_type_word(struct cur c, uint32_t *type)
{
	return pmm_e820_label_type(c.p, (size_t)(c.end - c.p), type);
}

/* The type at the end of an old-form line: "(usable)" or "type 9". */
static bool parse_old_type(struct cur c, uint32_t *type)
{
	if (c.end - c.p >= 2 && c.p[0] == '(' && c.end[-1] == ')') {
		c.p++;
		c.end--;
	}
	return parse_type_word(c, type);
}

static const char *hex_problem(enum num_result r, bool start)
{
	if (r == NUM_LONG)
		return start ? "start address longer than 16 hex digits"
			     : "end address longer than 16 hex digits";
	return start ? "bad start address" : "bad end address";
}

/*
 * Parse "[mem 0xA-0xB] type" (B inclusive). @what names the label for
 * messages. Return: 0 or PMM_EPARSE through fail().
 */
static int parse_modern(struct dmesg_state *st, struct cur *c, const char *what,
			struct dmesg_entry *e)
{
	enum num_result r;
	uint64_t a = 0, b = 0;

	if (!accept(c, "[mem") || c->p == c->end || !is_space(*c->p))
		return fail(st, PMM_EPARSE, what, "expected '[mem '");
	skip_space(c);
	r = read_hex(c, true, &a);
	if (r != NUM_OK)
		return fail(st, PMM_EPARSE, what, hex_problem(r, true));
	if (!accept(c, "-"))
		return fail(st, PMM_EPARSE, what, "expected '-' after the start");
	r = read_hex(c, true, &b);
	if (r != NUM_OK)
		return fail(st, PMM_EPARSE, what, hex_problem(r, false));
	if (!accept(c, "]"))
		return fail_text(st, what, "unexpected text in the bracket", c);
	if (b < a)
		return fail(st, PMM_EPARSE, what, "end before start");
	skip_space(c);
	trim_end(c);
	if (!parse_type_word(*c, &e->type))
		return fail_text(st, what, "unknown type", c);
	e->start = a;
	/* The last byte of the address space cannot be an exclusive end. */
	e->end = b == UINT64_MAX ? UINT64_MAX : b + 1;
	return 0;
}

/* Parse "A - B (type)" (B exclusive). Return: 0 or PMM_EPARSE. */
static int parse_old(struct dmesg_state *st, struct cur *c, const char *what,
		     struct dmesg_entry *e)
{
	enum num_result r;
	uint64_t a = 0, b = 0;

	r = read_hex(c, false, &a);
	if (r != NUM_OK)
		return fail(st, PMM_EPARSE, what, hex_problem(r, true));
	skip_space(c);
	if (!accept(c, "-"))
		return fail(st, PMM_EPARSE, what, "expected ' - ' after the start");
	skip_space(c);
	accept(c, "0x");
	r = read_hex(c, false, &b);
	if (r != NUM_OK)
		return fail(st, PMM_EPARSE, what, hex_problem(r, false));
	if (c->p < c->end && !is_space(*c->p))
		return fail_text(st, what, "unexpected text after the end", c);
	if (b < a)
		return fail(st, PMM_EPARSE, what, "end before start");
	skip_space(c);
	trim_end(c);
	if (!parse_old_type(*c, &e->type))
		return fail_text(st, what, "unknown type", c);
	e->start = a;
	e->end = b;
	return 0;
}

/* Parse the entry that follows a map label, in either form. */
static int parse_entry(struct dmesg_state *st, struct cur c, const char *what,
		       struct dmesg_entry *e)
{
	skip_space(&c);
	if (c.p < c.end && *c.p == '[')
		return parse_modern(st, &c, what, e);
	if (c.p < c.end && fw_hex_digit(*c.p) >= 0) {
		accept(&c, "0x");
		return parse_old(st, &c, what, e);
	}
	return fail(st, PMM_EPARSE, what, "expected '[mem' or a hex address");
}

/* ---- SRAT memory affinity ----------------------------------------------- */

/* After the range: nothing, or the flag words Linux may print. */
static bool parse_srat_flags(struct cur c, bool *hotplug)
{
	*hotplug = false;
	for (;;) {
		skip_space(&c);
		if (c.p == c.end)
			return true;
		if (accept(&c, "hotplug") || accept(&c, "Hot Pluggable"))
			*hotplug = true;
		else if (!accept(&c, "non-volatile"))
			return false;
		if (c.p < c.end && !is_space(*c.p))
			return false;
	}
}

/* Record [start, end) of @nid unless an identical range exists. */
static int numa_add(struct dmesg_state *st, const struct pmm_numa_range *r)
{
	struct pmm_memmap *m = st->m;
	bool dup = false;
	unsigned int i;

	for (i = 0; i < m->nr_numa; i++) {
		const struct pmm_numa_range *o = &m->numa[i];

		if (r->start >= o->end || o->start >= r->end)
			continue;
		if (o->nid != r->nid) {
			if (st->err) {
				st->err->line = st->line;
				pmm_snprintf(st->err->msg, sizeof(st->err->msg),
					     "line %u: SRAT: node %d range overlaps node %d at [mem 0x%llx-0x%llx]",
					     st->line, r->nid, o->nid,
					     (unsigned long long)o->start,
					     (unsigned long long)(o->end - 1));
			}
			return PMM_EPARSE;
		}
		if (o->start == r->start && o->end == r->end)
			dup = true;
	}
	if (dup)
		return 0;
	if (m->nr_numa >= PMM_NUMA_MAX)
		return fail(st, PMM_EFULL, "SRAT",
			    "more memory affinity ranges than PMM_NUMA_MAX; raise it");
	m->numa[m->nr_numa++] = *r;
	return 0;
}

/* Read the range of an SRAT line: "[mem 0xA-0xB]" or old "A-B". */
static int parse_srat_range(struct dmesg_state *st, struct cur *c,
			    struct pmm_numa_range *r)
{
	bool modern = accept(c, "[mem");
	enum num_result ra, rb;
	uint64_t a = 0, b = 0;

	if (modern)
		skip_space(c);
	else
		accept(c, "0x");
	ra = read_hex(c, modern, &a);
	if (ra != NUM_OK)
		return fail(st, PMM_EPARSE, "SRAT", hex_problem(ra, true));
	if (!accept(c, "-"))
		return fail(st, PMM_EPARSE, "SRAT", "expected '-' after the start");
	if (!modern)
		accept(c, "0x");
	rb = read_hex(c, modern, &b);
	if (rb != NUM_OK)
		return fail(st, PMM_EPARSE, "SRAT", hex_problem(rb, false));
	if (modern && !accept(c, "]"))
		return fail_text(st, "SRAT", "unexpected text in the bracket", c);
	if (modern)
		b = b == UINT64_MAX ? UINT64_MAX : b + 1;
	if (b <= a)
		return fail(st, PMM_EPARSE, "SRAT", "end before start");
	r->start = a;
	r->end = b;
	return 0;
}

/*
 * "SRAT: Node N PXM M <range> [hotplug]". A line whose "Node N PXM M" part
 * does not match is some other SRAT message and is skipped; once the range
 * begins it must be well formed.
 */
static int parse_srat(struct dmesg_state *st, struct cur c)
{
	struct pmm_numa_range r = { 0, 0, 0, 0, false };
	uint32_t nid, pxm;
	int ret;

	skip_space(&c);
	if (!read_dec(&c, &nid))
		return 0;
	skip_space(&c);
	if (!accept(&c, "PXM"))
		return 0;
	skip_space(&c);
	if (!read_dec(&c, &pxm))
		return 0;
	skip_space(&c);
	if (c.p == c.end || (*c.p != '[' && fw_hex_digit(*c.p) < 0))
		return 0;
	if (nid >= PMM_MAX_NUMNODES)
		return fail(st, PMM_EFULL, "SRAT",
			    "node number not below PMM_MAX_NUMNODES; raise it");
	ret = parse_srat_range(st, &c, &r);
	if (ret)
		return ret;
	if (!parse_srat_flags(c, &r.hotplug))
		return fail_text(st, "SRAT", "unexpected text after the range", &c);
	r.nid = (int)nid;
	r.pxm = (int)(pxm & 0x7fffffffu);
	return numa_add(st, &r);
}

/* ---- lines and blocks --------------------------------------------------- */

/* A BIOS-e820 line: the first run is the map, later runs are counted. */
static int take_bios(struct dmesg_state *st, const struct dmesg_entry *e)
{
	int ret;

	if (st->bios_seen && st->prev != LBL_BIOS) {
		st->bios_done = true; /* a new run: another map */
		st->m->ignored_maps++;
	}
	st->bios_seen = true;
	if (st->bios_done)
		return 0;
	ret = pmm_memmap_add(st->m, e->start, e->end, e->type);
	if (ret == PMM_EFULL)
		return fail(st, PMM_EFULL, "BIOS-e820",
			    "more entries than PMM_MEMMAP_MAX; raise it");
	return ret;
}

/* Return: the label of another map's entry on this line, or LBL_NONE. */
static enum dmesg_label other_map_label(struct dmesg_state *st, struct cur c)
{
	struct pmm_parse_error *saved = st->err;
	struct dmesg_entry e;
	unsigned int i;

	st->err = NULL; /* a line that fails to parse is just not a map line */
	for (i = 0; i < sizeof(other_labels) / sizeof(other_labels[0]); i++) {
		const char *after = find(&c, other_labels[i].text);
		struct cur rest = { after, c.end };

		if (after && parse_entry(st, rest, other_labels[i].text, &e) == 0) {
			st->err = saved;
			return other_labels[i].label;
		}
	}
	st->err = saved;
	return LBL_NONE;
}

static bool line_is_blank(struct cur c)
{
	skip_space(&c);
	return c.p == c.end;
}

static int parse_line(struct dmesg_state *st, struct cur c)
{
	enum dmesg_label label = LBL_NONE;
	const char *after;
	int ret = 0;

	if (line_is_blank(c))
		return 0;
	after = find(&c, "BIOS-e820:");
	if (after) {
		struct cur rest = { after, c.end };
		struct dmesg_entry e;

		/* 7.0 prints the holes too: "[gap a-b]" is no memory. */
		if (pmm_e820_is_gap(rest.p, (size_t)(rest.end - rest.p)))
			ret = 0;
		else if ((ret = parse_entry(st, rest, "BIOS-e820", &e)) == 0)
			ret = take_bios(st, &e);
		label = LBL_BIOS;
	} else if ((after = find(&c, "SRAT: Node"))) {
		struct cur rest = { after, c.end };

		ret = parse_srat(st, rest);
	} else {
		label = other_map_label(st, c);
		if (label != LBL_NONE && label != st->prev)
			st->m->ignored_maps++;
	}
	st->prev = label;
	return ret;
}

/**
 * pmm_memmap_parse_dmesg - append the BIOS-e820 map and SRAT ranges found
 * in boot-log text to @m.
 * @m: the map (entries and NUMA ranges are appended).
 * @text: the log, @len bytes, any content, no NUL needed.
 * @len: bytes at @text.
 * @err: where a failure is described (line number and message); may be NULL.
 *
 * Return: 0; PMM_EPARSE for a malformed map or SRAT line, overlapping
 * NUMA ranges of different nodes or no BIOS-e820 line at all; PMM_EFULL
 * when a table is too small; PMM_EINVAL for NULL @m or @text with @len.
 * On error @m is exactly as it was.
 * Context: any; touches only @m and @err.
 */
int pmm_memmap_parse_dmesg(struct pmm_memmap *m, const char *text, size_t len,
			   struct pmm_parse_error *err)
{
	struct dmesg_state st = { m, err, 0, LBL_NONE, false, false };
	struct pmm_memmap_mark mk;
	size_t pos = 0;

	if (!m || (!text && len)) {
		if (err) {
			err->line = 0;
			pmm_snprintf(err->msg, sizeof(err->msg), "no map or no text");
		}
		return PMM_EINVAL;
	}
	mk = pmm_memmap_mark(m);
	while (pos < len) {
		struct cur c = { text + pos, text + pos };
		int ret;

		while (c.end < text + len && *c.end != '\n')
			c.end++;
		pos = (size_t)(c.end - text) + 1;
		st.line++;
		ret = parse_line(&st, c);
		if (ret) {
			pmm_memmap_rollback(m, mk);
			return ret;
		}
	}
	if (!st.bios_seen) {
		pmm_memmap_rollback(m, mk);
		st.line = 0;
		if (err) {
			err->line = 0;
			pmm_snprintf(err->msg, sizeof(err->msg),
				     "no BIOS-e820 memory map lines found");
		}
		return PMM_EPARSE;
	}
	return 0;
}

/* ---- a later map of the log (user-defined, modified) --------------------- */

/* One line of the log map @label: 0 if none, 1 with *@e, or an error. */
static int log_map_line(struct dmesg_state *st, struct cur c, const char *label,
			struct dmesg_entry *e)
{
	const char *after = find(&c, label);
	struct cur rest = { after, c.end };
	if (!after)
		return 0;
	skip_space(&rest);
	/* "user:" can be any word in any line; a map line goes on with a range */
	if (rest.p == rest.end || (*rest.p != '[' && fw_hex_digit(*rest.p) < 0))
		return 0;
	int ret = parse_entry(st, rest, label, e);
	return ret ? ret : 1;
}

int pmm_memmap_parse_log_map(struct pmm_memmap *m, const char *text, size_t len,
			     const char *label, struct pmm_parse_error *err)
{
	static struct pmm_memmap run; /* boot time, one caller at a time */
	struct dmesg_state st = { &run, err, 0, LBL_NONE, false, false };
	bool in_run = false;
	if (!m || !label || (!text && len))
		return PMM_EINVAL;
	pmm_memmap_init(&run);
	for (size_t pos = 0; pos < len;) {
		struct cur c = { text + pos, text + pos };
		struct dmesg_entry e;
		while (c.end < text + len && *c.end != '\n')
			c.end++;
		pos = (size_t)(c.end - text) + 1;
		st.line++;
		int ret = log_map_line(&st, c, label, &e);
		if (ret == 1 && !in_run)
			pmm_memmap_init(&run); /* a new run: the last one counts */
		in_run = ret == 1;
		if (ret == 1 && pmm_memmap_add(&run, e.start, e.end, e.type) == PMM_EFULL)
			ret = fail(&st, PMM_EFULL, label, "more entries than PMM_MEMMAP_MAX");
		if (ret < 0)
			return ret;
	}
	pmm_memcpy(m, &run, sizeof(*m));
	return 0;
}
