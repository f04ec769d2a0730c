/* SPDX-License-Identifier: MIT */
/*
 * memblock_dump.c - memblock's text: the debug log of each call and the
 * "MEMBLOCK configuration:" dump, both in the format of Linux's
 * memblock=debug so that boot logs can be compared line by line.
 *
 * Addresses print as Linux's %pa does for a 64-bit phys_addr_t: "0x" and
 * 16 hex digits; range ends are inclusive, as Linux prints them.
 *
 * Locking: none (boot CPU only).
 */
#include "memblock_internal.h"

void pmm_memblock_dbg(const char *fmt, ...)
{
	char line[256];
	va_list ap;

	if (!pmm_memblock.debug)
		return;
	va_start(ap, fmt);
	pmm_vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	pmm_printk("%s\n", line);
}

void pmm_memblock_dbg_range(const char *what, pmm_phys_t base, uint64_t size,
			    const char *caller)
{
	if (!pmm_memblock.debug)
		return;
	pmm_printk("%s: [0x%016llx-0x%016llx] %s\n", what,
		   (unsigned long long)base,
		   (unsigned long long)(base + size - 1), caller);
}

static void dump_type(const struct pmm_out *out,
		      const struct pmm_memblock_type *type)
{
	pmm_fmt(out, " %s.cnt  = 0x%lx\n", type->name, type->cnt);
	for (unsigned long i = 0; i < type->cnt; i++) {
		const struct pmm_memblock_region *r = &type->regions[i];
		char node[32] = "";

		if (!pmm_memblock.single_node && r->nid != pmm_memblock.nid_none)
			pmm_snprintf(node, sizeof(node), " on node %d", r->nid);
		pmm_fmt(out, " %s[0x%lx]\t[0x%016llx-0x%016llx], 0x%016llx bytes%s flags: 0x%x\n",
			type->name, i, (unsigned long long)r->base,
			(unsigned long long)(r->base + r->size - 1),
			(unsigned long long)r->size, node,
			(unsigned int)r->flags);
	}
}

void pmm_memblock_dump(const struct pmm_out *out)
{
	pmm_fmt(out, "MEMBLOCK configuration:\n");
	pmm_fmt(out, " memory size = 0x%016llx reserved size = 0x%016llx\n",
		(unsigned long long)pmm_memblock.memory.total_size,
		(unsigned long long)pmm_memblock.reserved.total_size);
	dump_type(out, &pmm_memblock.memory);
	dump_type(out, &pmm_memblock.reserved);
}

static void log_write(void *ctx, const char *s, size_t len)
{
	char buf[128];

	(void)ctx;
	while (len) {
		size_t n = len < sizeof(buf) - 1 ? len : sizeof(buf) - 1;

		pmm_memcpy(buf, s, n);
		buf[n] = '\0';
		pmm_printk("%s", buf);
		s += n;
		len -= n;
	}
}

void pmm_memblock_dump_all(void)
{
	const struct pmm_out out = { log_write, NULL };

	if (pmm_memblock.debug)
		pmm_memblock_dump(&out);
}
