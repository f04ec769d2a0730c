/* SPDX-License-Identifier: MIT */
/*
 * boot_layout.c - the machine as the boot sequence sees it: usable RAM by
 * node, the node spans, and the ranges that must stay reserved.
 *
 * Input is a sanitized struct pmm_memmap (usable entries page aligned) and
 * the boot config; output is struct boot_state, read by every boot step.
 */
#include "boot_internal.h"

static const struct pmm_numa_range *numa_covering(const struct pmm_memmap *m,
						  pmm_phys_t pa)
{
	for (unsigned int i = 0; i < m->nr_numa; i++)
		if (pa >= m->numa[i].start && pa < m->numa[i].end)
			return &m->numa[i];
	return NULL;
}

/* The lowest NUMA range starting above @pa, or NULL. */
static const struct pmm_numa_range *numa_next(const struct pmm_memmap *m,
					      pmm_phys_t pa)
{
	const struct pmm_numa_range *best = NULL;
	for (unsigned int i = 0; i < m->nr_numa; i++)
		if (m->numa[i].start > pa && (!best || m->numa[i].start < best->start))
			best = &m->numa[i];
	return best;
}

/* Node for RAM no NUMA range covers: the range just below, else the first. */
static int numa_fallback_node(const struct pmm_memmap *m, pmm_phys_t pa)
{
	const struct pmm_numa_range *best = NULL;
	for (unsigned int i = 0; i < m->nr_numa; i++)
		if (m->numa[i].end <= pa && (!best || m->numa[i].end > best->end))
			best = &m->numa[i];
	if (!best)
		best = numa_next(m, pa);
	return best ? best->nid : 0;
}

void boot_seg_iter_init(struct boot_seg_iter *it, const struct boot_state *bs)
{
	it->bs = bs;
	it->entry = 0;
	it->pos = bs->map->nr ? bs->map->entry[0].start : 0;
}

static bool seg_entry_advance(struct boot_seg_iter *it)
{
	const struct pmm_memmap *m = it->bs->map;
	while (it->entry < m->nr) {
		const struct pmm_memmap_entry *e = &m->entry[it->entry];
		if (e->type == PMM_MEM_USABLE && it->pos < e->end) {
			if (it->pos < e->start)
				it->pos = e->start;
			return true;
		}
		it->entry++;
		if (it->entry < m->nr)
			it->pos = m->entry[it->entry].start;
	}
	return false;
}

/*
 * A NUMA edge inside a page gives the whole page to the upper node, so that
 * no page has two nodes; the entry's own end is page aligned already.
 */
static pmm_phys_t page_edge(pmm_phys_t pos, pmm_phys_t edge, pmm_phys_t entry_end)
{
	pmm_phys_t down = edge & PMM_PAGE_MASK;
	if (edge == entry_end || down > pos)
		return edge == entry_end ? edge : down;
	pmm_phys_t up = down + PMM_PAGE_SIZE;
	return up < entry_end ? up : entry_end;
}

bool boot_seg_next(struct boot_seg_iter *it, struct pmm_phys_range *seg, int *nid)
{
	const struct pmm_memmap *m = it->bs->map;
	if (!seg_entry_advance(it))
		return false;
	pmm_phys_t end = m->entry[it->entry].end;
	const struct pmm_numa_range *r = numa_covering(m, it->pos);
	if (r) {
		*nid = r->nid;
		end = r->end < end ? r->end : end;
	} else {
		const struct pmm_numa_range *next = numa_next(m, it->pos);
		*nid = m->nr_numa ? numa_fallback_node(m, it->pos) : 0;
		if (next && next->start < end)
			end = next->start;
	}
	seg->start = it->pos;
	seg->end = page_edge(it->pos, end, m->entry[it->entry].end);
	it->pos = seg->end;
	return true;
}

bool boot_resv_piece_next(struct boot_seg_iter *it, const struct pmm_phys_range *r,
			  struct pmm_phys_range *piece, int *nid)
{
	struct pmm_phys_range seg;
	while (boot_seg_next(it, &seg, nid)) {
		piece->start = r->start > seg.start ? r->start : seg.start;
		piece->end = r->end < seg.end ? r->end : seg.end;
		if (piece->end > piece->start)
			return true;
	}
	return false;
}

static void node_extend(struct boot_node *n, pmm_pfn_t start, pmm_pfn_t end)
{
	if (!n->online) {
		n->online = true;
		n->start_pfn = start;
		n->end_pfn = end;
		return;
	}
	n->start_pfn = start < n->start_pfn ? start : n->start_pfn;
	n->end_pfn = end > n->end_pfn ? end : n->end_pfn;
}

static int nodes_check_disjoint(const struct boot_state *bs)
{
	for (int a = 0; a < PMM_MAX_NUMNODES; a++)
		for (int b = a + 1; b < PMM_MAX_NUMNODES; b++) {
			const struct boot_node *x = &bs->node[a], *y = &bs->node[b];
			if (!x->online || !y->online)
				continue;
			if (x->start_pfn < y->end_pfn && y->start_pfn < x->end_pfn) {
				pmm_printk("pmm: nodes %d and %d interleave; pmm needs each "
					   "node's RAM in one span\n", a, b);
				return PMM_EOVERLAP;
			}
		}
	return 0;
}

int boot_layout_nodes(struct boot_state *bs)
{
	struct boot_seg_iter it;
	struct pmm_phys_range seg;
	int nid;

	boot_seg_iter_init(&it, bs);
	while (boot_seg_next(&it, &seg, &nid)) {
		if (nid < 0 || nid >= PMM_MAX_NUMNODES) {
			pmm_printk("pmm: node %d out of range; raise PMM_MAX_NUMNODES "
				   "(now %d)\n", nid, PMM_MAX_NUMNODES);
			return PMM_ERANGE;
		}
		node_extend(&bs->node[nid], PMM_PFN_DOWN(seg.start), PMM_PFN_UP(seg.end));
	}
	bs->nr_nodes = 0;
	bs->max_pfn = 0;
	for (int i = 0; i < PMM_MAX_NUMNODES; i++) {
		if (!bs->node[i].online)
			continue;
		bs->nr_nodes++;
		if (bs->node[i].end_pfn > bs->max_pfn)
			bs->max_pfn = bs->node[i].end_pfn;
	}
	if (bs->nr_nodes == 0) {
		pmm_printk("pmm: the memory map has no usable RAM\n");
		return PMM_ENOMEM;
	}
	return nodes_check_disjoint(bs);
}

static void resv_remove_at(struct boot_state *bs, unsigned int i)
{
	for (; i + 1 < bs->nr_resv; i++)
		bs->resv[i] = bs->resv[i + 1];
	bs->nr_resv--;
}

int boot_resv_add(struct boot_state *bs, pmm_phys_t start, pmm_phys_t end)
{
	unsigned int i = 0;
	if (end <= start)
		return 0;
	start &= PMM_PAGE_MASK;
	end = end > UINT64_MAX - PMM_PAGE_SIZE ? (UINT64_MAX & PMM_PAGE_MASK)
					       : (end + PMM_PAGE_SIZE - 1) & PMM_PAGE_MASK;
	while (i < bs->nr_resv && bs->resv[i].end < start)
		i++;
	while (i < bs->nr_resv && bs->resv[i].start <= end) {
		start = bs->resv[i].start < start ? bs->resv[i].start : start;
		end = bs->resv[i].end > end ? bs->resv[i].end : end;
		resv_remove_at(bs, i);
	}
	if (bs->nr_resv == BOOT_MAX_RESV) {
		pmm_printk("pmm: too many reserved ranges; raise PMM_BOOT_MAX_RESERVED\n");
		return PMM_EFULL;
	}
	for (unsigned int j = bs->nr_resv; j > i; j--)
		bs->resv[j] = bs->resv[j - 1];
	bs->resv[i].start = start;
	bs->resv[i].end = end;
	bs->nr_resv++;
	return 0;
}

int boot_layout_reservations(struct boot_state *bs)
{
	const struct pmm_boot_config *cfg = bs->cfg;
	const struct pmm_phys_range fixed[] = {
		{ 0, PMM_PAGE_SIZE }, cfg->kernel_code, cfg->kernel_data, cfg->init,
	};
	int err = 0;

	if (cfg->nr_reserved > PMM_BOOT_MAX_RESERVED)
		return PMM_EINVAL;
	for (unsigned int i = 0; i < sizeof(fixed) / sizeof(fixed[0]) && !err; i++)
		err = boot_resv_add(bs, fixed[i].start, fixed[i].end);
	for (unsigned int i = 0; i < cfg->nr_reserved && !err; i++)
		err = boot_resv_add(bs, cfg->reserved[i].start, cfg->reserved[i].end);
	return err;
}

/* First reservation that overlaps [start, end), or NULL. */
static const struct pmm_phys_range *resv_overlap(const struct boot_state *bs,
						 pmm_phys_t start, pmm_phys_t end)
{
	for (unsigned int i = 0; i < bs->nr_resv; i++)
		if (bs->resv[i].start < end && start < bs->resv[i].end)
			return &bs->resv[i];
	return NULL;
}

static bool fit_in_segment(const struct boot_state *bs,
			   const struct pmm_phys_range *seg, uint64_t size,
			   pmm_phys_t goal, pmm_phys_t limit, pmm_phys_t *out)
{
	pmm_phys_t top = limit && limit < seg->end ? limit : seg->end;
	pmm_phys_t cand = seg->start > goal ? seg->start : goal;
	cand = (cand + PMM_PAGE_SIZE - 1) & PMM_PAGE_MASK;
	while (cand < top && size <= top - cand) {
		const struct pmm_phys_range *r = resv_overlap(bs, cand, cand + size);
		if (!r) {
			*out = cand;
			return true;
		}
		cand = r->end;
	}
	return false;
}

int boot_find_free(const struct boot_state *bs, int nid, uint64_t size,
		   pmm_phys_t goal, pmm_phys_t limit, pmm_phys_t *out)
{
	for (int pass = 0; pass < 2; pass++, goal = 0) {
		struct boot_seg_iter it;
		struct pmm_phys_range seg;
		int seg_nid;
		boot_seg_iter_init(&it, bs);
		while (boot_seg_next(&it, &seg, &seg_nid))
			if (seg_nid == nid && fit_in_segment(bs, &seg, size, goal, limit, out))
				return 0;
	}
	return PMM_ENOMEM;
}

uint64_t boot_present_pages(const struct boot_state *bs, int nid,
			    pmm_pfn_t start, pmm_pfn_t end)
{
	struct boot_seg_iter it;
	struct pmm_phys_range seg;
	int seg_nid;
	uint64_t n = 0;

	boot_seg_iter_init(&it, bs);
	while (boot_seg_next(&it, &seg, &seg_nid)) {
		pmm_pfn_t s = PMM_PFN_UP(seg.start), e = PMM_PFN_DOWN(seg.end);
		s = s > start ? s : start;
		e = e < end ? e : end;
		if (seg_nid == nid && e > s)
			n += e - s;
	}
	return n;
}
