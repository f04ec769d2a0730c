/* SPDX-License-Identifier: MIT */
/*
 * memmap_cmdline.c - the kernel command line's memory options (mem=,
 * memmap=) and a boot log's own e820 edits, applied to a firmware map.
 *
 * x86 Linux reads mem= and memmap= while it parses early parameters, after
 * it has taken the firmware's e820 map and before it reserves page 0 and
 * builds zones; when any applied it prints the result as the
 * "user-defined physical RAM map". Here the options are parsed in a first
 * pass (a bad word fails with the map untouched) and applied in a second,
 * left to right, through the map edits of memmap_edit.c. A boot log
 * already shows what its own options did, as "e820: update" and
 * "e820: remove" lines: pmm_memmap_apply_log_edits() replays those.
 */
#include <pmm/cmdline.h>
#include <pmm/fmt.h>

#define CMDLINE_MAX_OPS 64 /* memory options one command line may hold */

enum op_kind { OP_LIMIT, OP_ADD, OP_EXACTMAP };

/* One memory option: drop RAM at and above @start, add a range, or clear. */
struct cmd_op {
	enum op_kind kind;
	pmm_phys_t start;
	pmm_phys_t end;
	uint32_t type;
};

struct cmd_state {
	struct cmd_op op[CMDLINE_MAX_OPS];
	unsigned int nr;
	struct pmm_parse_error *err;
};

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static int digit_value(char c, unsigned int base)
{
	int v = c >= '0' && c <= '9' ? c - '0'
		: c >= 'a' && c <= 'f' ? c - 'a' + 10
		: c >= 'A' && c <= 'F' ? c - 'A' + 10 : 99;
	return v < (int)base ? v : -1;
}

/*
 * memparse - read Linux's size form at *@p (before @end): a number in C's
 * notation (0x hex, leading 0 octal) and an optional K, M, G, T, P or E.
 * Return: true with *@val and *@p past it; false on no digits or overflow.
 */
static bool memparse(const char **p, const char *end, uint64_t *val)
{
	const char *s = *p;
	unsigned int base = 10, shift = 0;
	uint64_t v = 0;
	if (end - s > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X') &&
	    digit_value(s[2], 16) >= 0) {
		base = 16;
		s += 2;
	} else if (end - s > 1 && s[0] == '0') {
		base = 8;
	}
	const char *digits = s;
	for (int d; s < end && (d = digit_value(*s, base)) >= 0; s++) {
		if (v > (UINT64_MAX - (uint64_t)d) / base)
			return false;
		v = v * base + (uint64_t)d;
	}
	if (s == digits)
		return false;
	if (s < end) {
		static const char suffix[] = "KMGTPE";
		for (unsigned int i = 0; suffix[i]; i++)
			if (*s == suffix[i] || *s == suffix[i] + ('a' - 'A'))
				shift = 10 * (i + 1);
		s += shift ? 1 : 0;
	}
	if (shift && v > (UINT64_MAX >> shift))
		return false;
	*val = v << shift;
	*p = s;
	return true;
}

static int cmd_fail(struct cmd_state *st, const char *w, const char *end,
		    const char *why)
{
	if (st->err) {
		st->err->line = 0;
		pmm_snprintf(st->err->msg, sizeof(st->err->msg),
			     "command line: %.*s: %s", (int)(end - w), w, why);
	}
	return PMM_EPARSE;
}

static int cmd_push(struct cmd_state *st, struct cmd_op op, const char *w,
		    const char *end)
{
	if (st->nr == CMDLINE_MAX_OPS)
		return cmd_fail(st, w, end, "more than 64 memory options");
	st->op[st->nr++] = op;
	return 0;
}

/* mem=SIZE: RAM at and above SIZE goes (Linux refuses 0). */
static int parse_mem(struct cmd_state *st, const char *w, const char *end)
{
	const char *p = w + 4;
	uint64_t size;
	if (end - p == 9 && pmm_memcmp(p, "nopentium", 9) == 0)
		return 0; /* a 32-bit paging option, no map change */
	if (!memparse(&p, end, &size) || p != end)
		return cmd_fail(st, w, end, "not a size (e.g. mem=4G)");
	if (size == 0)
		return cmd_fail(st, w, end, "a zero limit leaves no memory");
	return cmd_push(st, (struct cmd_op){ OP_LIMIT, (pmm_phys_t)size, 0, 0 }, w, end);
}

/* The type a memmap= separator adds, or 0 for none. */
static uint32_t memmap_sep_type(char c)
{
	switch (c) {
	case '@': return PMM_MEM_USABLE;
	case '#': return PMM_MEM_ACPI;
	case '$': return PMM_MEM_RESERVED;
	case '!': return PMM_MEM_PRAM;
	default: return 0;
	}
}

/* One item of memmap=: exactmap, SIZE, or SIZE then @ # $ ! and ADDR. */
static int parse_memmap_one(struct cmd_state *st, const char *w, const char *end)
{
	const char *p = w;
	uint64_t size, addr;
	if (end - w == 8 && pmm_memcmp(w, "exactmap", 8) == 0)
		return cmd_push(st, (struct cmd_op){ OP_EXACTMAP, 0, 0, 0 }, w, end);
	if (!memparse(&p, end, &size))
		return cmd_fail(st, w, end, "not a size (memmap=SIZE[@#$!]ADDR or exactmap)");
	if (p == end)
		return cmd_push(st, (struct cmd_op){ OP_LIMIT, (pmm_phys_t)size, 0, 0 }, w, end);
	uint32_t type = memmap_sep_type(*p);
	if (type == 0)
		return cmd_fail(st, w, end, *p == '%' ? "retyping (%) is not supported"
				: "expected @, #, $ or ! after the size");
	p++;
	if (!memparse(&p, end, &addr) || p != end)
		return cmd_fail(st, w, end, "not an address after the separator");
	if (addr + size < addr || (pmm_phys_t)(addr + size) != addr + size)
		return cmd_fail(st, w, end, "the range wraps past the address space");
	return cmd_push(st, (struct cmd_op){ OP_ADD, (pmm_phys_t)addr,
					      (pmm_phys_t)(addr + size), type }, w, end);
}

/* memmap=ITEM[,ITEM...] */
static int parse_memmap(struct cmd_state *st, const char *w, const char *end)
{
	const char *p = w + 7;
	while (p <= end) {
		const char *q = p;
		while (q < end && *q != ',')
			q++;
		int ret = parse_memmap_one(st, p, q);
		if (ret)
			return ret;
		p = q + 1;
	}
	return 0;
}

static int parse_word(struct cmd_state *st, const char *w, const char *end)
{
	if (end - w >= 4 && pmm_memcmp(w, "mem=", 4) == 0)
		return parse_mem(st, w, end);
	if (end - w >= 7 && pmm_memcmp(w, "memmap=", 7) == 0)
		return parse_memmap(st, w, end);
	return 0;
}

static int apply_op(struct pmm_memmap *m, const struct cmd_op *op)
{
	switch (op->kind) {
	case OP_EXACTMAP: /* entries past nr are zero bytes (pmm/memmap.h) */
		pmm_memset(m->entry, 0, m->nr * sizeof(m->entry[0]));
		m->nr = 0;
		return 0;
	case OP_LIMIT:
		return pmm_memmap_remove(m, op->start, (pmm_phys_t)~(pmm_phys_t)0,
					 PMM_MEM_USABLE);
	default:
		return pmm_memmap_add(m, op->start, op->end, op->type);
	}
}

int pmm_memmap_apply_cmdline(struct pmm_memmap *m, const char *cmdline,
			     struct pmm_parse_error *err)
{
	static struct cmd_state st; /* boot time, one caller at a time */
	if (m == NULL || cmdline == NULL)
		return PMM_EINVAL;
	st.nr = 0;
	st.err = err;
	for (const char *p = cmdline; *p;) {
		while (is_blank(*p))
			p++;
		const char *w = p;
		while (*p && !is_blank(*p))
			p++;
		int ret = w < p ? parse_word(&st, w, p) : 0;
		if (ret)
			return ret;
	}
	/* All or nothing: the options apply to a copy that replaces @m. */
	static struct pmm_memmap edited;
	pmm_memcpy(&edited, m, sizeof(edited));
	for (unsigned int i = 0; i < st.nr; i++) {
		int ret = apply_op(&edited, &st.op[i]);
		if (ret)
			return ret;
	}
	pmm_memcpy(m, &edited, sizeof(*m));
	return 0;
}

int pmm_linux_cmdline_vmalloc(const char *cmdline, uint64_t *reserve,
			      struct pmm_parse_error *err)
{
	static struct cmd_state st; /* for cmd_fail's message only */
	const uint64_t max = ((uint64_t)1 << 32) - PMM_I386_VMALLOC_GUARD;
	if (cmdline == NULL || reserve == NULL)
		return PMM_EINVAL;
	st.err = err;
	uint64_t found = 0;
	for (const char *p = cmdline; *p;) {
		while (is_blank(*p))
			p++;
		const char *w = p, *v = p + 8;
		uint64_t size;
		while (*p && !is_blank(*p))
			p++;
		if (p - w < 8 || pmm_memcmp(w, "vmalloc=", 8) != 0)
			continue;
		if (!memparse(&v, p, &size) || v != p)
			return cmd_fail(&st, w, p, "not a size (e.g. vmalloc=256M)");
		if (size >= max)
			return cmd_fail(&st, w, p, "does not fit a 32-bit kernel's "
					"address space (at most 4G - 8M)");
		found = size + PMM_I386_VMALLOC_GUARD;
	}
	*reserve = found;
	return 0;
}
