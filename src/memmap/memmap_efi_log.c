/* SPDX-License-Identifier: MIT */
/*
 * memmap_efi_log.c - read the UEFI memory map out of a Linux boot log.
 *
 * Booted with efi=debug, Linux prints each descriptor of the map the
 * firmware gave it as
 *
 *   efi: mem07: [Boot Data   |   |  |  |  |  |  |  |  |  |  |   |WB|WT|WC|UC] range=[0x0000000000900000-0x00000000014fffff] (12MB)
 *
 * type name, then the attribute columns (a blank column is a clear bit; the
 * number of columns differs between kernel versions, so the names are
 * matched, not the positions), then the range with its last byte. Later
 * in the boot it prints the runtime map again, numbered from mem00: only
 * the first run is the firmware's map. Each line is taken as the
 * descriptor it prints and goes through the same rules as the binary
 * reader (memmap_efi.c). Lines may carry any prefix and need not end with
 * a NUL; only [text, text + len) is read.
 */
#include "memmap_fw.h"

/* The names Linux prints for EFI types 0..15, padded to 12 columns. */
static const char *const efi_type_names[PMM_EFI_NR_TYPES] = {
	"Reserved", "Loader Code", "Loader Data", "Boot Code", "Boot Data",
	"Runtime Code", "Runtime Data", "Conventional", "Unusable",
	"ACPI Reclaim", "ACPI Mem NVS", "MMIO", "MMIO Port", "PAL Code",
	"Persistent", "Unaccepted",
};

static const struct {
	const char *name;
	uint64_t bit;
} efi_attr_names[] = {
	{ "RUN", PMM_EFI_MEMORY_RUNTIME }, { "MR", PMM_EFI_MEMORY_MORE_RELIABLE },
	{ "CC", PMM_EFI_MEMORY_CPU_CRYPTO }, { "SP", PMM_EFI_MEMORY_SP },
	{ "NV", PMM_EFI_MEMORY_NV }, { "XP", PMM_EFI_MEMORY_XP },
	{ "RP", PMM_EFI_MEMORY_RP }, { "WP", PMM_EFI_MEMORY_WP },
	{ "RO", PMM_EFI_MEMORY_RO }, { "UCE", PMM_EFI_MEMORY_UCE },
	{ "WB", PMM_EFI_MEMORY_WB }, { "WT", PMM_EFI_MEMORY_WT },
	{ "WC", PMM_EFI_MEMORY_WC }, { "UC", PMM_EFI_MEMORY_UC },
	{ "HP", PMM_EFI_MEMORY_HOT_PLUGGABLE },
};

/* A read position inside one line: [p, end). */
struct lcur {
	const char *p;
	const char *end;
};

struct efi_log {
	struct fw_ctx c;
	unsigned int line;     /* 1-based */
	unsigned int taken;    /* lines of the first run read */
	bool first_done;       /* a second run has begun */
};

static bool lc_accept(struct lcur *c, const char *s)
{
	return fw_accept(&c->p, c->end, s);
}

static void lc_skip_space(struct lcur *c)
{
	while (c->p < c->end && *c->p == ' ')
		c->p++;
}

/* Is [a, b) equal to @s after trimming spaces at both ends? */
static bool span_is(const char *a, const char *b, const char *s)
{
	while (a < b && *a == ' ')
		a++;
	while (b > a && b[-1] == ' ')
		b--;
	for (; a < b && *s; a++, s++)
		if (*a != *s)
			return false;
	return a == b && *s == '\0';
}

static bool span_blank(const char *a, const char *b)
{
	return span_is(a, b, "");
}

static bool lc_dec(struct lcur *c, uint32_t *v)
{
	return fw_dec32(&c->p, c->end, v);
}

/* Read "0x" and 1..16 hex digits into *@v. */
static bool lc_hex(struct lcur *c, uint64_t *v)
{
	unsigned int n = 0;

	if (!lc_accept(c, "0x"))
		return false;
	*v = 0;
	while (c->p < c->end && fw_hex_digit(*c->p) >= 0) {
		if (++n > 16)
			return false;
		*v = *v << 4 | (uint64_t)fw_hex_digit(*c->p);
		c->p++;
	}
	return n > 0;
}

/* Where "efi: mem" followed by a digit starts in the line, or NULL. */
static const char *find_mem_label(const struct lcur *c)
{
	static const char label[] = "efi: mem";
	const size_t n = sizeof(label) - 1;
	const char *p;
	size_t i;

	for (p = c->p; (size_t)(c->end - p) > n; p++) {
		for (i = 0; i < n && p[i] == label[i]; i++)
			;
		if (i == n && p[n] >= '0' && p[n] <= '9')
			return p;
	}
	return NULL;
}

static int log_fail(struct efi_log *st, const char *why)
{
	int ret = fw_fail(&st->c, PMM_EPARSE, "line %u: %s", st->line, why);

	if (st->c.err)
		st->c.err->line = st->line;
	return ret;
}

/* "Conventional" or "type=N" filling [a, b) -> *@type. */
static bool parse_type_name(const char *a, const char *b, uint32_t *type)
{
	struct lcur c;
	uint32_t i;

	for (i = 0; i < PMM_EFI_NR_TYPES; i++) {
		if (span_is(a, b, efi_type_names[i])) {
			*type = i;
			return true;
		}
	}
	c.p = a;
	c.end = b;
	lc_skip_space(&c);
	if (!lc_accept(&c, "type=") || !lc_dec(&c, type))
		return false;
	return span_blank(c.p, b);
}

/* One attribute column [a, b): blank, or a name whose bit is set. */
static bool parse_attr(const char *a, const char *b, uint64_t *attr)
{
	size_t i;

	if (span_blank(a, b))
		return true;
	for (i = 0; i < sizeof(efi_attr_names) / sizeof(efi_attr_names[0]); i++) {
		if (span_is(a, b, efi_attr_names[i].name)) {
			*attr |= efi_attr_names[i].bit;
			return true;
		}
	}
	return false;
}

/* "[Type|A|B|...]" -> type and attributes; @c moves past ']'. */
static const char *parse_bracket(struct lcur *c, struct pmm_efi_desc *d)
{
	const char *a, *p;
	bool first = true;

	if (!lc_accept(c, "["))
		return "expected '['";
	d->attribute = 0;
	for (a = c->p, p = c->p; p < c->end; p++) {
		if (*p != '|' && *p != ']')
			continue;
		if (first && !parse_type_name(a, p, &d->type))
			return "unknown EFI type name";
		if (!first && !parse_attr(a, p, &d->attribute))
			return "unknown attribute";
		first = false;
		a = p + 1;
		if (*p == ']') {
			c->p = p + 1;
			return NULL;
		}
	}
	return "no ']' after the type and attributes";
}

/* " range=[0xA-0xB]" (B inclusive) -> start and pages. */
static const char *parse_range(struct lcur *c, struct pmm_efi_desc *d)
{
	uint64_t a, b;

	lc_skip_space(c);
	if (!lc_accept(c, "range=["))
		return "expected 'range=['";
	if (!lc_hex(c, &a) || !lc_accept(c, "-") || !lc_hex(c, &b) ||
	    !lc_accept(c, "]"))
		return "bad range";
	if (b < a)
		return "range ends before it starts";
	if (b - a == UINT64_MAX)
		return "range wraps past 2^64";
	if (((b - a + 1) & ((1u << PMM_EFI_PAGE_SHIFT) - 1)) != 0)
		return "range is not whole 4 KiB pages";
	d->phys_start = a;
	d->num_pages = (b - a + 1) >> PMM_EFI_PAGE_SHIFT;
	return NULL;
}

static int parse_mem_line(struct efi_log *st, struct lcur *c)
{
	struct pmm_efi_desc d = { 0 };
	const char *why;
	uint32_t idx;
	int ret;

	if (!lc_accept(c, "efi: mem") || !lc_dec(c, &idx) || !lc_accept(c, ":"))
		return 1; /* "efi: memattr:" and the like: not a map line */
	if (idx == 0 && st->taken > 0 && !st->first_done)
		st->first_done = true;
	if (st->first_done) {
		if (idx == 0)
			st->c.m->ignored_maps++;
		return 0;
	}
	lc_skip_space(c);
	why = parse_bracket(c, &d);
	if (!why)
		why = parse_range(c, &d);
	if (why)
		return log_fail(st, why);
	ret = fw_efi_take(&st->c, &d, &why);
	if (ret) {
		ret = fw_fail(&st->c, ret, "line %u: mem%u: %s", st->line, idx, why);
		if (st->c.err)
			st->c.err->line = st->line;
		return ret;
	}
	st->taken++;
	return 0;
}

/**
 * pmm_memmap_parse_efi_log - append the UEFI map of a boot log to @m.
 * @m: the map.
 * @fw: notes beside the map (may be NULL).
 * @text: the log.
 * @len: its length in bytes.
 * @err: where the message goes (may be NULL).
 *
 * Return: 0, PMM_EINVAL, PMM_EPARSE, PMM_EOVERFLOW, PMM_EFULL; on error
 * @m and @fw are as they were.
 * Context: boot time or a tool, no locking.
 */
int pmm_memmap_parse_efi_log(struct pmm_memmap *m, struct pmm_fw_info *fw,
			     const char *text, size_t len,
			     struct pmm_parse_error *err)
{
	struct efi_log st = { .line = 0 };
	unsigned int ignored;
	const char *p, *end;
	int ret;

	if (!m || (!text && len))
		return PMM_EINVAL;
	fw_begin(&st.c, m, fw, err, "efi log");
	ignored = m->ignored_maps;
	for (p = text, end = text + len; p < end; ) {
		struct lcur c = { p, p };
		const char *label;

		while (c.end < end && *c.end != '\n')
			c.end++;
		p = c.end < end ? c.end + 1 : end;
		st.line++;
		if (c.end > c.p && c.end[-1] == '\r')
			c.end--;
		label = find_mem_label(&c);
		if (!label)
			continue;
		c.p = label;
		ret = parse_mem_line(&st, &c);
		if (ret < 0) {
			m->ignored_maps = ignored;
			return ret;
		}
	}
	if (st.taken == 0) {
		m->ignored_maps = ignored;
		st.line = 0;
		return log_fail(&st, "no 'efi: memNN:' lines (boot with efi=debug)");
	}
	if (fw)
		fw->format = PMM_FW_FMT_EFI_LOG;
	return 0;
}
