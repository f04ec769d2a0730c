/* SPDX-License-Identifier: MIT */
/*
 * memmap_fw.c - the parts every firmware reader shares: the info block
 * beside the map (struct pmm_fw_info), appending entries and notes so that
 * a failed read can be undone exactly, and error messages that name the
 * reader and the place.
 */
#include <stdarg.h>

#include <pmm/fmt.h>

#include "memmap_fw.h"

/**
 * pmm_fw_info_init - empty @fw.
 * @fw: the info block.
 *
 * Context: any; no locking.
 */
void pmm_fw_info_init(struct pmm_fw_info *fw)
{
	if (fw)
		pmm_memset(fw, 0, sizeof(*fw));
}

const char *pmm_fw_format_name(enum pmm_fw_format fmt)
{
	static const char *const names[] = {
		[PMM_FW_FMT_NONE] = "none",   [PMM_FW_FMT_EFI] = "efi",
		[PMM_FW_FMT_EFI_LOG] = "efi-log", [PMM_FW_FMT_MB2] = "mb2",
		[PMM_FW_FMT_FDT] = "fdt",     [PMM_FW_FMT_SRAT] = "srat",
		[PMM_FW_FMT_SLIT] = "slit",
	};

	if ((unsigned int)fmt >= sizeof(names) / sizeof(names[0]))
		return "?";
	return names[fmt];
}

void fw_begin(struct fw_ctx *c, struct pmm_memmap *m, struct pmm_fw_info *fw,
	      struct pmm_parse_error *err, const char *who)
{
	c->m = m;
	c->fw = fw;
	c->err = err;
	c->who = who;
	c->mk = pmm_memmap_mark(m);
	c->fw_nr = fw ? fw->nr_ranges : 0;
}

static void fw_rollback(struct fw_ctx *c)
{
	struct pmm_fw_info *fw = c->fw;

	pmm_memmap_rollback(c->m, c->mk);
	if (!fw || fw->nr_ranges <= c->fw_nr)
		return;
	pmm_memset(&fw->range[c->fw_nr], 0,
		   (fw->nr_ranges - c->fw_nr) * sizeof(fw->range[0]));
	fw->nr_ranges = c->fw_nr;
}

int fw_fail(struct fw_ctx *c, int ret, const char *fmt, ...)
{
	va_list ap;
	size_t n;

	fw_rollback(c);
	if (!c->err)
		return ret;
	c->err->line = 0;
	n = pmm_snprintf(c->err->msg, sizeof(c->err->msg), "%s: ", c->who);
	if (n >= sizeof(c->err->msg))
		return ret;
	va_start(ap, fmt);
	pmm_vsnprintf(c->err->msg + n, sizeof(c->err->msg) - n, fmt, ap);
	va_end(ap);
	return ret;
}

int fw_add(struct fw_ctx *c, pmm_phys_t start, uint64_t size, uint32_t type)
{
	struct pmm_memmap_entry *last;

	if (size == 0)
		return 0;
	if (size - 1 > UINT64_MAX - start)
		return PMM_EOVERFLOW;
	last = c->m->nr > c->mk.nr ? &c->m->entry[c->m->nr - 1] : NULL;
	if (last && last->end == start && last->type == type &&
	    size <= UINT64_MAX - start) {
		last->end = start + size;
		return 0;
	}
	return pmm_memmap_add_size(c->m, start, size, type);
}

int fw_note(struct fw_ctx *c, pmm_phys_t start, pmm_phys_t end, uint32_t kind)
{
	struct pmm_fw_info *fw = c->fw;
	struct pmm_fw_range *last;

	if (!fw || start >= end)
		return 0;
	last = fw->nr_ranges > c->fw_nr ? &fw->range[fw->nr_ranges - 1] : NULL;
	if (last && last->end == start && last->kind == kind) {
		last->end = end;
		return 0;
	}
	if (fw->nr_ranges >= PMM_FW_RANGES_MAX)
		return PMM_EFULL;
	fw->range[fw->nr_ranges].start = start;
	fw->range[fw->nr_ranges].end = end;
	fw->range[fw->nr_ranges].kind = kind;
	fw->nr_ranges++;
	return 0;
}

bool fw_accept(const char **p, const char *end, const char *s)
{
	const char *q = *p;

	for (; *s; s++, q++)
		if (q == end || *q != *s)
			return false;
	*p = q;
	return true;
}

int fw_hex_digit(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

bool fw_dec32(const char **p, const char *end, uint32_t *v)
{
	const char *s = *p;
	uint64_t x = 0;

	while (s < end && *s >= '0' && *s <= '9') {
		x = x * 10 + (uint64_t)(*s - '0');
		if (x > UINT32_MAX)
			return false;
		s++;
	}
	if (s == *p)
		return false;
	*v = (uint32_t)x;
	*p = s;
	return true;
}

bool fw_sum_is_zero(const unsigned char *p, size_t n)
{
	unsigned int sum = 0;
	size_t i;

	for (i = 0; i < n; i++)
		sum += p[i];
	return (sum & 0xff) == 0;
}

const char *fw_add_problem(int ret)
{
	switch (ret) {
	case PMM_EOVERFLOW: return "range wraps past 2^64";
	case PMM_EFULL: return "table full (raise PMM_MEMMAP_MAX or PMM_FW_RANGES_MAX)";
	case PMM_EINVAL: return "bad range";
	default: return "cannot add";
	}
}
