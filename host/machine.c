/* SPDX-License-Identifier: MIT */
/*
 * machine.c - the machines pmm-sim can describe without a boot log.
 */
#include <stdlib.h>

#include "machine.h"

#define KiB ((uint64_t)1 << 10)
#define MiB ((uint64_t)1 << 20)
#define GiB ((uint64_t)1 << 30)

static int add_numa(struct pmm_memmap *m, uint64_t start, uint64_t end, int nid)
{
	if (m->nr_numa == PMM_NUMA_MAX)
		return PMM_EFULL;
	m->numa[m->nr_numa++] = (struct pmm_numa_range){ start, end, nid, nid, false };
	return 0;
}

/* Cut the address space so that each node gets mem/nodes bytes of RAM. */
static int split_nodes(struct pmm_memmap *m, uint64_t mem, unsigned int nodes)
{
	uint64_t share = (mem / nodes) & ~(4 * MiB - 1);
	uint64_t start = 0, acc = 0;
	unsigned int nid = 0;
	int err = 0;

	for (unsigned int i = 0; i < m->nr && nid + 1 < nodes && !err; i++) {
		const struct pmm_memmap_entry *e = &m->entry[i];
		uint64_t pos = e->start;
		if (e->type != PMM_MEM_USABLE)
			continue;
		while (nid + 1 < nodes && !err && acc + (e->end - pos) >= share) {
			uint64_t cut = (pos + (share - acc)) & ~(4 * MiB - 1);
			cut = cut > pos ? cut : pos;
			err = add_numa(m, start, cut, (int)nid++);
			start = pos = cut;
			acc = 0;
		}
		acc += e->end - pos;
	}
	return err ? err : add_numa(m, start, UINT64_MAX, (int)nid);
}

int sim_machine_pc(struct pmm_memmap *m, uint64_t mem, unsigned int nodes)
{
	uint64_t below_4g = mem < 3 * GiB ? mem : 3 * GiB;
	int err;

	pmm_memmap_init(m);
	if (mem < 2 * MiB || nodes == 0 || nodes > PMM_MAX_NUMNODES)
		return PMM_EINVAL;
	err = pmm_memmap_add(m, 0, 0x9fc00, PMM_MEM_USABLE);
	err = err ? err : pmm_memmap_add(m, 0x9fc00, 0xa0000, PMM_MEM_RESERVED);
	err = err ? err : pmm_memmap_add(m, 0xf0000, 0x100000, PMM_MEM_RESERVED);
	err = err ? err : pmm_memmap_add(m, MiB, below_4g - 64 * KiB, PMM_MEM_USABLE);
	err = err ? err : pmm_memmap_add(m, below_4g - 64 * KiB, below_4g, PMM_MEM_ACPI);
	err = err ? err : pmm_memmap_add(m, 0xfec00000, 0xfec01000, PMM_MEM_RESERVED);
	err = err ? err : pmm_memmap_add(m, 0xfee00000, 0xfee01000, PMM_MEM_RESERVED);
	err = err ? err : pmm_memmap_add(m, 0xfffc0000, 4 * GiB, PMM_MEM_RESERVED);
	if (!err && mem > below_4g)
		err = pmm_memmap_add(m, 4 * GiB, 4 * GiB + (mem - below_4g),
				     PMM_MEM_USABLE);
	if (!err && nodes > 1)
		err = split_nodes(m, mem, nodes);
	return err;
}

int sim_parse_size(const char *s, uint64_t *out)
{
	char *end;
	unsigned int shift = 0;
	if (!s || *s < '0' || *s > '9')
		return -1;
	unsigned long long v = strtoull(s, &end, 0);
	switch (*end) {
	case 'k': case 'K': shift = 10; end++; break;
	case 'm': case 'M': shift = 20; end++; break;
	case 'g': case 'G': shift = 30; end++; break;
	case 't': case 'T': shift = 40; end++; break;
	default: break;
	}
	if (*end == 'B' || *end == 'b')
		end++;
	if (*end != '\0' || (shift && v > (UINT64_MAX >> shift)))
		return -1;
	*out = (uint64_t)v << shift;
	return 0;
}
