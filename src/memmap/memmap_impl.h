/* SPDX-License-Identifier: MIT */
/*
 * memmap_impl.h - helpers shared by the memmap files (not public).
 *
 * The parsers only ever append to a struct pmm_memmap. A mark taken before
 * they start lets a failed parse put back the exact bytes it found: the
 * slots past nr and nr_numa are zero by the invariant in pmm/memmap.h.
 */
#ifndef PMM_MEMMAP_IMPL_H
#define PMM_MEMMAP_IMPL_H

#include <pmm/memmap.h>

struct pmm_memmap_mark {
	unsigned int nr;
	unsigned int nr_numa;
	unsigned int ignored_maps;
};

static inline struct pmm_memmap_mark pmm_memmap_mark(const struct pmm_memmap *m)
{
	struct pmm_memmap_mark mk = { m->nr, m->nr_numa, m->ignored_maps };

	return mk;
}

/* Undo every append made since @mk was taken. */
static inline void pmm_memmap_rollback(struct pmm_memmap *m,
				       struct pmm_memmap_mark mk)
{
	if (m->nr > mk.nr)
		pmm_memset(&m->entry[mk.nr], 0,
			   (m->nr - mk.nr) * sizeof(m->entry[0]));
	if (m->nr_numa > mk.nr_numa)
		pmm_memset(&m->numa[mk.nr_numa], 0,
			   (m->nr_numa - mk.nr_numa) * sizeof(m->numa[0]));
	m->nr = mk.nr;
	m->nr_numa = mk.nr_numa;
	m->ignored_maps = mk.ignored_maps;
}

#endif /* PMM_MEMMAP_IMPL_H */
