/* SPDX-License-Identifier: MIT */
/*
 * memblock_iter.c - walking memblock's ranges: the regions of one type
 * minus those of another (free memory = memory minus reserved), forwards
 * and backwards, filtered by node and flags.
 *
 * The cursor is Linux's: a u64 whose low 32 bits index type A and whose
 * high 32 bits index the gaps of type B, gap j being the hole that ends at
 * B's region j ([end of region j-1, base of region j), the first from 0 and
 * the last to the top of the address space). Both arrays are sorted, so
 * the two indices only ever move one way.
 *
 * Locking: none (boot CPU only).
 */
#include "memblock_internal.h"

#define IDX_END UINT64_MAX

static uint64_t pack(int64_t a, int64_t b)
{
	return (uint64_t)(uint32_t)a | (uint64_t)b << 32;
}

/* Gap @j of @type: [*@start, *@end). */
static void gap(const struct pmm_memblock_type *type, uint64_t j,
		pmm_phys_t *start, pmm_phys_t *end)
{
	*start = j ? mb_region_end(&type->regions[j - 1]) : 0;
	*end = j < type->cnt ? type->regions[j].base : PMM_PHYS_ADDR_MAX;
}

/* Return: true when memory region @m is not wanted for @nid and @flags. */
static bool skip_region(const struct pmm_memblock_type *type,
			const struct pmm_memblock_region *m, int nid,
			unsigned int flags)
{
	unsigned int mf = (unsigned int)m->flags;

	if (type != &pmm_memblock.memory)
		return false; /* only memory has nodes and attributes */
	if (nid != PMM_NUMA_NO_NODE && nid != mb_region_nid(m))
		return true;
	if ((mf & PMM_MEMBLOCK_HOTPLUG) && !(flags & PMM_MEMBLOCK_HOTPLUG) &&
	    mb_movable_node())
		return true;
	if ((flags & PMM_MEMBLOCK_MIRROR) && !(mf & PMM_MEMBLOCK_MIRROR))
		return true;
	if ((mf & PMM_MEMBLOCK_NOMAP) && !(flags & PMM_MEMBLOCK_NOMAP))
		return true;
	return (mf & PMM_MEMBLOCK_DRIVER_MANAGED) &&
	       !(flags & PMM_MEMBLOCK_DRIVER_MANAGED);
}

static void emit(pmm_phys_t start, pmm_phys_t end, int nid,
		 pmm_phys_t *out_start, pmm_phys_t *out_end, int *out_nid)
{
	if (out_start)
		*out_start = start;
	if (out_end)
		*out_end = end;
	if (out_nid)
		*out_nid = nid;
}

void pmm_memblock_next_range(uint64_t *idx, int nid, unsigned int flags,
			     const struct pmm_memblock_type *type_a,
			     const struct pmm_memblock_type *type_b,
			     pmm_phys_t *out_start, pmm_phys_t *out_end,
			     int *out_nid)
{
	uint64_t ia = *idx & 0xffffffffu;
	uint64_t ib = *idx >> 32;

	if (nid == pmm_memblock.nid_none)
		nid = PMM_NUMA_NO_NODE;
	for (; ia < type_a->cnt; ia++) {
		const struct pmm_memblock_region *m = &type_a->regions[ia];
		pmm_phys_t ms = m->base, me = mb_region_end(m);

		if (skip_region(type_a, m, nid, flags))
			continue;
		if (!type_b) {
			emit(ms, me, mb_region_nid(m), out_start, out_end,
			     out_nid);
			*idx = pack((int64_t)ia + 1, (int64_t)ib);
			return;
		}
		for (; ib <= type_b->cnt; ib++) {
			pmm_phys_t gs, ge;

			gap(type_b, ib, &gs, &ge);
			if (gs >= me)
				break; /* gaps are past this region */
			if (ms >= ge)
				continue;
			emit(mb_max(ms, gs), mb_min(me, ge), mb_region_nid(m),
			     out_start, out_end, out_nid);
			/* advance whichever of the two ends first */
			if (me <= ge)
				ia++;
			else
				ib++;
			*idx = pack((int64_t)ia, (int64_t)ib);
			return;
		}
	}
	*idx = IDX_END;
}

void pmm_memblock_next_range_rev(uint64_t *idx, int nid, unsigned int flags,
				 const struct pmm_memblock_type *type_a,
				 const struct pmm_memblock_type *type_b,
				 pmm_phys_t *out_start, pmm_phys_t *out_end,
				 int *out_nid)
{
	int64_t ia = (int32_t)(uint32_t)(*idx & 0xffffffffu);
	int64_t ib = (int32_t)(uint32_t)(*idx >> 32);

	if (nid == pmm_memblock.nid_none)
		nid = PMM_NUMA_NO_NODE;
	if (*idx == IDX_END) {
		ia = (int64_t)type_a->cnt - 1;
		ib = type_b ? (int64_t)type_b->cnt : 0;
	}
	for (; ia >= 0; ia--) {
		const struct pmm_memblock_region *m = &type_a->regions[ia];
		pmm_phys_t ms = m->base, me = mb_region_end(m);

		if (skip_region(type_a, m, nid, flags))
			continue;
		if (!type_b) {
			emit(ms, me, mb_region_nid(m), out_start, out_end,
			     out_nid);
			*idx = pack(ia - 1, ib);
			return;
		}
		for (; ib >= 0; ib--) {
			pmm_phys_t gs, ge;

			gap(type_b, (uint64_t)ib, &gs, &ge);
			if (ge <= ms)
				break; /* gaps are below this region */
			if (me <= gs)
				continue;
			emit(mb_max(ms, gs), mb_min(me, ge), mb_region_nid(m),
			     out_start, out_end, out_nid);
			/* step back whichever of the two starts last */
			if (ms >= gs)
				ia--;
			else
				ib--;
			*idx = pack(ia, ib);
			return;
		}
	}
	*idx = IDX_END;
}

void pmm_memblock_iter_init(struct pmm_memblock_iter *it, int nid,
			    unsigned int flags, bool reverse)
{
	pmm_memset(it, 0, sizeof(*it));
	it->idx = reverse ? IDX_END : 0;
	it->want_nid = nid;
	it->flags = flags;
	it->reverse = reverse;
	it->nid = PMM_NUMA_NO_NODE;
}

bool pmm_memblock_iter_next(struct pmm_memblock_iter *it)
{
	if (!it->reverse && it->idx == IDX_END)
		return false;
	if (it->reverse)
		pmm_memblock_next_range_rev(&it->idx, it->want_nid, it->flags,
					    &pmm_memblock.memory, &pmm_memblock.reserved,
					    &it->range.start, &it->range.end,
					    &it->nid);
	else
		pmm_memblock_next_range(&it->idx, it->want_nid, it->flags,
					&pmm_memblock.memory, &pmm_memblock.reserved,
					&it->range.start, &it->range.end,
					&it->nid);
	if (it->idx != IDX_END)
		return true;
	/* the reverse walk restarts from END: stop it for good */
	it->reverse = false;
	return false;
}

void pmm_memblock_next_pfn_range(int *idx, int nid, pmm_pfn_t *out_start,
				 pmm_pfn_t *out_end, int *out_nid)
{
	const struct pmm_memblock_type *type = &pmm_memblock.memory;
	const struct pmm_memblock_region *r = NULL;

	while (++*idx >= 0 && (unsigned long)*idx < type->cnt) {
		r = &type->regions[*idx];
		if (PMM_PFN_UP(r->base) >= PMM_PFN_DOWN(mb_region_end(r)))
			continue;
		if (nid == pmm_memblock.nid_none || nid == mb_region_nid(r))
			break;
	}
	if (*idx < 0 || (unsigned long)*idx >= type->cnt) {
		*idx = -1;
		return;
	}
	if (out_start)
		*out_start = PMM_PFN_UP(r->base);
	if (out_end)
		*out_end = PMM_PFN_DOWN(mb_region_end(r));
	if (out_nid)
		*out_nid = mb_region_nid(r);
}
