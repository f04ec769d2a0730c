/* SPDX-License-Identifier: MIT */
/*
 * trace_parse.c - read and write Linux's kmem page events as text.
 *
 * A line looks, in ftrace's trace / trace_pipe (6.1):
 *   sh-86  [001] .....  12.345678: mm_page_alloc: page=000000003c5a pfn=0x1234 order=0 migratetype=1 gfp_flags=GFP_HIGHUSER_MOVABLE
 * in `trace-cmd report`:
 *   sh-86  [001]  12.345678: mm_page_free:  page=0xffffea0000048d00 pfn=4660 order=0
 * in `perf script`:
 *   sh  86 [001]  12.345678: kmem:mm_page_free_batched: page=0x... pfn=0x1234 order=0
 * and in 2.6.33 with the old names (mm_page_free_direct, mm_pagevec_free)
 * and decimal pfns. The parser finds the first "[NNN]" (the CPU), the
 * event name that starts with "mm_page", and then "key=value" fields in
 * any order; everything else on the line is ignored. A failed
 * allocation prints page=(null) (old) or a zero page with pfn 0 (6.x).
 *
 * gfp flags: names are mapped to Linux 6.1's bits (pmm's own, buddy.h);
 * hex leftovers keep only the zone and movable bits, which every version
 * since 2.6.24 numbers alike. Unknown names are ignored: only the zone and
 * mobility bits change where a replayed request goes.
 */
#include <stdlib.h>
#include <string.h>

#include <pmm/buddy.h>

#include "trace.h"

#define GFP_WRITE_6_1 0x1000u
#define GFP_RETRY_MAYFAIL 0x4000u
#define GFP_NOFAIL 0x8000u
#define GFP_NORETRY 0x10000u
#define GFP_MEMALLOC 0x20000u
#define GFP_COMP 0x40000u
#define GFP_NOMEMALLOC 0x80000u
#define GFP_HARDWALL 0x100000u
#define GFP_ACCOUNT 0x400000u
#define GFP_USER_6_1 (PMM_GFP_KERNEL | GFP_HARDWALL)
#define GFP_TRANSHUGE_LIGHT \
	((PMM_GFP_HIGHUSER_MOVABLE | GFP_HARDWALL | GFP_COMP | GFP_NOMEMALLOC | \
	  PMM_GFP_NOWARN) & ~PMM_GFP_RECLAIM)

struct gfp_name {
	const char *name;
	unsigned int bits;
};

/* Composite names first, in the order Linux tries them (widest first). */
static const struct gfp_name gfp_names[] = {
	{ "GFP_TRANSHUGE", GFP_TRANSHUGE_LIGHT | PMM_GFP_DIRECT_RECLAIM },
	{ "GFP_TRANSHUGE_LIGHT", GFP_TRANSHUGE_LIGHT },
	{ "GFP_HIGHUSER_MOVABLE", GFP_USER_6_1 | PMM_GFP_HIGHMEM | PMM_GFP_MOVABLE },
	{ "GFP_HIGHUSER", GFP_USER_6_1 | PMM_GFP_HIGHMEM },
	{ "GFP_USER", GFP_USER_6_1 },
	{ "GFP_KERNEL_ACCOUNT", PMM_GFP_KERNEL | GFP_ACCOUNT },
	{ "GFP_KERNEL", PMM_GFP_KERNEL },
	{ "GFP_NOFS", PMM_GFP_RECLAIM | PMM_GFP_IO },
	{ "GFP_ATOMIC", PMM_GFP_ATOMIC },
	{ "GFP_NOIO", PMM_GFP_RECLAIM },
	{ "GFP_NOWAIT", PMM_GFP_KSWAPD_RECLAIM },
	{ "GFP_DMA", PMM_GFP_DMA },
	{ "__GFP_HIGHMEM", PMM_GFP_HIGHMEM },
	{ "GFP_DMA32", PMM_GFP_DMA32 },
	{ "__GFP_DMA", PMM_GFP_DMA },
	{ "__GFP_DMA32", PMM_GFP_DMA32 },
	{ "__GFP_MOVABLE", PMM_GFP_MOVABLE },
	{ "__GFP_RECLAIMABLE", PMM_GFP_RECLAIMABLE },
	{ "__GFP_HIGH", PMM_GFP_HIGH },
	{ "__GFP_ATOMIC", PMM_GFP_ATOMIC_CONTEXT },
	{ "__GFP_IO", PMM_GFP_IO },
	{ "__GFP_FS", PMM_GFP_FS },
	{ "__GFP_ZERO", PMM_GFP_ZERO },
	{ "__GFP_DIRECT_RECLAIM", PMM_GFP_DIRECT_RECLAIM },
	{ "__GFP_KSWAPD_RECLAIM", PMM_GFP_KSWAPD_RECLAIM },
	{ "__GFP_WRITE", GFP_WRITE_6_1 },
	{ "__GFP_NOWARN", PMM_GFP_NOWARN },
	{ "__GFP_RETRY_MAYFAIL", GFP_RETRY_MAYFAIL },
	{ "__GFP_NOFAIL", GFP_NOFAIL },
	{ "__GFP_NORETRY", GFP_NORETRY },
	{ "__GFP_MEMALLOC", GFP_MEMALLOC },
	{ "__GFP_COMP", GFP_COMP },
	{ "__GFP_NOMEMALLOC", GFP_NOMEMALLOC },
	{ "__GFP_HARDWALL", GFP_HARDWALL },
	{ "__GFP_THISNODE", PMM_GFP_THISNODE },
	{ "__GFP_ACCOUNT", GFP_ACCOUNT },
};
#define NR_GFP_NAMES (sizeof(gfp_names) / sizeof(gfp_names[0]))

/* Names of older kernels: read, never written. */
static const struct gfp_name gfp_old_names[] = {
	{ "GFP_TEMPORARY", PMM_GFP_KERNEL | PMM_GFP_RECLAIMABLE },
	{ "GFP_IOFS", PMM_GFP_IO | PMM_GFP_FS },
	{ "__GFP_WAIT", PMM_GFP_DIRECT_RECLAIM },
};
/* pfns past 2^52 pages (2^64 bytes) are no page of any machine. */
#define TRACE_PFN_LIMIT ((uint64_t)1 << 52)
#define GFP_STABLE_HEX (PMM_GFP_ZONEMASK | PMM_GFP_MOVABLE)

void sim_trace_gfp_name(unsigned int gfp, char *buf, size_t size)
{
	size_t n = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < NR_GFP_NAMES && gfp; i++) {
		unsigned int b = gfp_names[i].bits;
		if ((gfp & b) != b)
			continue;
		n += (size_t)snprintf(buf + n, n < size ? size - n : 0, "%s%s",
				      n ? "|" : "", gfp_names[i].name);
		gfp &= ~b;
	}
	if (gfp)
		n += (size_t)snprintf(buf + n, n < size ? size - n : 0, "%s0x%x",
				      n ? "|" : "", gfp);
	if (n == 0)
		snprintf(buf, size, "0x0");
}

/* The bits of the name [@s, @s + @len) in @t[0 .. @n), 0 when absent. */
static unsigned int name_bits(const struct gfp_name *t, size_t n, const char *s,
			      size_t len)
{
	for (size_t i = 0; i < n; i++)
		if (strnlen(t[i].name, len + 1) == len && memcmp(t[i].name, s, len) == 0)
			return t[i].bits;
	return 0;
}

/* One '|' separated gfp token of @len bytes: its bits, 0 when unknown. */
static unsigned int gfp_token(const char *s, size_t len)
{
	if (len > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		return (unsigned int)strtoul(s, NULL, 16) & GFP_STABLE_HEX;
	return name_bits(gfp_names, NR_GFP_NAMES, s, len) |
	       name_bits(gfp_old_names, sizeof(gfp_old_names) / sizeof(gfp_old_names[0]), s, len);
}

/*
 * The last gfp string parsed and its bits: a trace repeats a handful of
 * strings, so most lines skip the name lookups (one thread: the lab's).
 */
static struct {
	char text[160];
	size_t len;
	unsigned int gfp;
} gfp_cache;

static unsigned int gfp_bits(const char *s, const char *end)
{
	size_t len = (size_t)(end - s);
	if (len == gfp_cache.len && memcmp(s, gfp_cache.text, len) == 0)
		return gfp_cache.gfp;
	unsigned int gfp = 0;
	for (const char *t = s; t < end;) {
		const char *bar = memchr(t, '|', (size_t)(end - t));
		const char *stop = bar ? bar : end;
		gfp |= gfp_token(t, (size_t)(stop - t));
		t = stop + 1;
	}
	if (len < sizeof(gfp_cache.text)) {
		memcpy(gfp_cache.text, s, len);
		gfp_cache.len = len;
		gfp_cache.gfp = gfp;
	}
	return gfp;
}

static void parse_gfp(const char *s, const char *end, struct sim_event *ev)
{
	unsigned int gfp = gfp_bits(s, end);
	ev->gfp = gfp;
	if (gfp & PMM_GFP_MOVABLE)
		ev->mobility = PMM_MT_MOVABLE;
	else if (gfp & PMM_GFP_RECLAIMABLE)
		ev->mobility = PMM_MT_RECLAIMABLE;
	else
		ev->mobility = PMM_MT_UNMOVABLE;
}

struct ev_name {
	const char *name;
	enum sim_ev_kind kind;
};

static const struct ev_name ev_names[] = {
	{ "mm_page_alloc", SIM_EV_ALLOC },
	{ "mm_page_free", SIM_EV_FREE },
	{ "mm_page_free_direct", SIM_EV_FREE },
	{ "mm_page_free_batched", SIM_EV_FREE_BATCHED },
	{ "mm_pagevec_free", SIM_EV_FREE }, /* 2.6.33: the free itself */
	{ "mm_page_alloc_zone_locked", SIM_EV_ZONE_LOCKED },
	{ "mm_page_pcpu_drain", SIM_EV_PCPU_DRAIN },
};

/* The event named at [@s, @e): its kind (SIM_EV_OTHER_KMEM if unknown). */
static enum sim_ev_kind event_kind(const char *s, const char *e)
{
	size_t len = (size_t)(e - s);
	for (size_t i = 0; i < sizeof(ev_names) / sizeof(ev_names[0]); i++)
		if (strnlen(ev_names[i].name, len + 1) == len && memcmp(ev_names[i].name, s, len) == 0)
			return ev_names[i].kind;
	return SIM_EV_OTHER_KMEM;
}

/* Return: the value of the decimal or 0x-hex number at @s, *@ok 0 if none. */
static uint64_t number(const char *s, const char *end, int *ok, int *hex)
{
	uint64_t v = 0;
	int base = 10, digits = 0;
	if (end - s > 2 && s[0] == '0' && s[1] == 'x') {
		base = 16;
		s += 2;
	}
	for (; s < end; s++, digits++) {
		unsigned int c = (unsigned char)*s, d;
		if (c >= '0' && c <= '9')
			d = c - '0';
		else if (base == 16 && (c | 0x20) >= 'a' && (c | 0x20) <= 'f')
			d = (c | 0x20) - 'a' + 10;
		else
			break;
		v = v * (unsigned int)base + d;
	}
	*ok = digits > 0;
	if (hex)
		*hex = base == 16;
	return v;
}

/* Is the page= value at [@s, @e) a null pointer ("(null)", all zeros)? */
static int null_page(const char *s, const char *e)
{
	if (e - s >= 6 && memcmp(s, "(null)", 6) == 0)
		return 1;
	if (e - s > 2 && s[0] == '0' && s[1] == 'x')
		s += 2;
	for (; s < e; s++)
		if (*s != '0')
			return 0;
	return 1;
}

struct fields_seen {
	int pfn, order, null_page;
};

/* One key=value field at [@k, @e) with '=' at @eq. Return: -1 bad value. */
static int field(const char *k, const char *eq, const char *e,
		 struct sim_event *ev, struct fields_seen *seen)
{
	size_t klen = (size_t)(eq - k);
	const char *v = eq + 1;
	int ok = 1;
	if (klen == 3 && memcmp(k, "pfn", 3) == 0) {
		ev->pfn = number(v, e, &ok, &ev->hex_pfn);
		seen->pfn = ok;
	} else if (klen == 5 && memcmp(k, "order", 5) == 0) {
		ev->order = (unsigned int)number(v, e, &ok, NULL);
		seen->order = ok;
	} else if (klen == 11 && memcmp(k, "migratetype", 11) == 0) {
		ev->mt = (int)number(v, e, &ok, NULL);
	} else if (klen == 9 && memcmp(k, "gfp_flags", 9) == 0) {
		parse_gfp(v, e, ev);
	} else if (klen == 13 && memcmp(k, "percpu_refill", 13) == 0) {
		ev->refill = (int)number(v, e, &ok, NULL);
	} else if (klen == 4 && memcmp(k, "page", 4) == 0) {
		seen->null_page = null_page(v, e);
	}
	return ok ? 0 : -1;
}

/* The CPU: the first "[digits]" before @stop; 0 when there is none. */
static unsigned int line_cpu(const char *s, const char *stop)
{
	for (; s < stop; s++) {
		if (*s != '[')
			continue;
		int ok;
		uint64_t v = number(s + 1, stop, &ok, NULL);
		const char *close = memchr(s, ']', (size_t)(stop - s));
		if (ok && close && close - s <= 6)
			return (unsigned int)v;
	}
	return 0;
}

static int is_name_char(char c)
{
	return (c >= 'a' && c <= 'z') || c == '_' || (c >= '0' && c <= '9');
}

static int parse_fields(const char *s, const char *end, struct sim_event *ev)
{
	struct fields_seen seen = { 0, 0, 0 };
	while (s < end) {
		while (s < end && (*s == ' ' || *s == '\t'))
			s++;
		const char *e = s;
		while (e < end && *e != ' ' && *e != '\t')
			e++;
		const char *eq = memchr(s, '=', (size_t)(e - s));
		if (eq && field(s, eq, e, ev, &seen) != 0)
			return -1;
		s = e;
	}
	if (!seen.pfn || !seen.order || ev->order > PMM_MAX_ORDER || ev->pfn >= TRACE_PFN_LIMIT)
		return -1;
	ev->failed = ev->kind == SIM_EV_ALLOC && (seen.null_page || ev->pfn == 0);
	return 0;
}

int sim_trace_parse_line(const char *line, size_t len, struct sim_event *ev)
{
	const char *end = line + len, *s = line;
	while (s < end && (*s == ' ' || *s == '\t' || *s == '\r'))
		s++;
	if (s == end || *s == '#')
		return 1;
	const char *name = memmem(s, (size_t)(end - s), "mm_page", 7);
	if (!name)
		return -1;
	const char *ne = name;
	while (ne < end && is_name_char(*ne))
		ne++;
	if (ne == end || *ne != ':')
		return -1;
	memset(ev, 0, sizeof(*ev));
	ev->mt = -1;
	ev->mobility = -1;
	ev->kind = event_kind(name, ne);
	ev->cpu = line_cpu(s, name);
	while (end > ne && (end[-1] == '\r' || end[-1] == '\n'))
		end--;
	return parse_fields(ne + 1, end, ev);
}

void sim_trace_scan(const char *buf, size_t len, sim_trace_fn fn, void *ctx)
{
	const char *s = buf, *end = buf + len;
	struct sim_event ev;
	while (s < end) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		const char *e = nl ? nl : end;
		fn(ctx, sim_trace_parse_line(s, (size_t)(e - s), &ev), &ev);
		s = e + 1;
	}
}

void sim_trace_write(FILE *f, const struct sim_event *ev, uint64_t seq)
{
	static const char *const names[] = {
		[SIM_EV_ALLOC] = "mm_page_alloc", [SIM_EV_FREE] = "mm_page_free",
		[SIM_EV_FREE_BATCHED] = "mm_page_free_batched",
		[SIM_EV_ZONE_LOCKED] = "mm_page_alloc_zone_locked",
		[SIM_EV_PCPU_DRAIN] = "mm_page_pcpu_drain",
		[SIM_EV_OTHER_KMEM] = "mm_page_alloc_extfrag",
	};
	char gfp[256];
	fprintf(f, "         pmm-sim-1       [%03u] .....  %6llu.%06llu: %s: "
		"page=%016llx pfn=0x%llx order=%u", ev->cpu,
		(unsigned long long)(seq / 1000000), (unsigned long long)(seq % 1000000),
		names[ev->kind], ev->failed ? 0ull : 0xffffea0000000000ull + ev->pfn * 64,
		(unsigned long long)ev->pfn, ev->order);
	if (ev->kind == SIM_EV_ALLOC) {
		sim_trace_gfp_name(ev->gfp, gfp, sizeof(gfp));
		fprintf(f, " migratetype=%d gfp_flags=%s", ev->mt, gfp);
	}
	fputc('\n', f);
}
