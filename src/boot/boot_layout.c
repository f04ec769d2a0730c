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

/* Iterates the usable RAM of the map cut at NUMA range edges. */
struct boot_seg_iter {
	const struct boot_state *bs;
	unsigned int entry;
	pmm_phys_t pos;
};

static void seg_iter_init(struct boot_seg_iter *it, const struct boot_state *bs)
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

/* Return: false at the end; else the next usable segment and its node. */
static bool seg_next(struct boot_seg_iter *it, struct pmm_phys_range *seg, int *nid)
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

int boot_each_seg(const struct boot_state *bs, boot_range_fn *fn, void *arg)
{
	struct boot_seg_iter it;
	struct pmm_phys_range seg;
	int nid, err = 0;

	seg_iter_init(&it, bs);
	while (!err && seg_next(&it, &seg, &nid))
		err = fn(bs, &seg, nid, arg);
	return err;
}

/* Call @fn for each part of reservation @r that is usable RAM. */
static int each_piece_of(const struct boot_state *bs,
			 const struct pmm_phys_range *r, boot_range_fn *fn,
			 void *arg)
{
	struct boot_seg_iter it;
	struct pmm_phys_range seg;
	int nid, err = 0;

	seg_iter_init(&it, bs);
	while (!err && seg_next(&it, &seg, &nid)) {
		struct pmm_phys_range p = {
			r->start > seg.start ? r->start : seg.start,
			r->end < seg.end ? r->end : seg.end,
		};
		if (p.end > p.start)
			err = fn(bs, &p, nid, arg);
	}
	return err;
}

int boot_each_resv_piece(const struct boot_state *bs, boot_range_fn *fn,
			 void *arg)
{
	int err = 0;
	for (unsigned int i = 0; i < bs->nr_resv && !err; i++)
		err = each_piece_of(bs, &bs->resv[i], fn, arg);
	return err;
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

/* boot_range_fn: widen the span of segment @seg's node in @arg (the nodes). */
static int node_add_seg(const struct boot_state *bs,
			const struct pmm_phys_range *seg, int nid, void *arg)
{
	struct boot_node *node = arg;
	(void)bs;
	if (nid < 0 || nid >= PMM_MAX_NUMNODES) {
		pmm_printk("pmm: node %d out of range; raise PMM_MAX_NUMNODES "
			   "(now %d)\n", nid, PMM_MAX_NUMNODES);
		return PMM_ERANGE;
	}
	node_extend(&node[nid], PMM_PFN_DOWN(seg->start), PMM_PFN_UP(seg->end));
	return 0;
}

/* Count the online nodes and find the highest pfn + 1 among them. */
static void nodes_count(struct boot_state *bs)
{
	bs->nr_nodes = 0;
	bs->max_pfn = 0;
	for (int i = 0; i < PMM_MAX_NUMNODES; i++) {
		if (!bs->node[i].online)
			continue;
		bs->nr_nodes++;
		if (bs->node[i].end_pfn > bs->max_pfn)
			bs->max_pfn = bs->node[i].end_pfn;
	}
}

int boot_layout_nodes(struct boot_state *bs)
{
	int err = boot_each_seg(bs, node_add_seg, bs->node);
	if (err)
		return err;
	nodes_count(bs);
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

static void resv_insert_at(struct boot_state *bs, unsigned int i,
			   pmm_phys_t start, pmm_phys_t end)
{
	for (unsigned int j = bs->nr_resv; j > i; j--)
		bs->resv[j] = bs->resv[j - 1];
	bs->resv[i] = (struct pmm_phys_range){ start, end };
	bs->nr_resv++;
}

/* Return: @end rounded up to a page, or the last page's start near 2^64. */
static pmm_phys_t page_round_up(pmm_phys_t end)
{
	if (end > UINT64_MAX - (PMM_PAGE_SIZE - 1))
		return UINT64_MAX & PMM_PAGE_MASK;
	return (end + PMM_PAGE_SIZE - 1) & PMM_PAGE_MASK;
}

/**
 * boot_resv_add - add [@start, @end), rounded out to pages, to the sorted
 * reservation list, merged with every range it overlaps or touches.
 * @bs: the boot state
 * @start: first byte (inclusive)
 * @end: last byte + 1 (exclusive); an empty or reversed range adds nothing
 *
 * Return: 0, or PMM_EFULL when the range stays apart from all the others
 * and the list already holds PMM_BOOT_MAX_RESERVED ranges (logged; the
 * list is then as it was).
 * Context: boot CPU, during pmm_boot().
 */
int boot_resv_add(struct boot_state *bs, pmm_phys_t start, pmm_phys_t end)
{
	unsigned int i = 0, j;
	if (end <= start)
		return 0;
	start &= PMM_PAGE_MASK;
	end = page_round_up(end);
	while (i < bs->nr_resv && bs->resv[i].end < start)
		i++;
	for (j = i; j < bs->nr_resv && bs->resv[j].start <= end; j++) {
		start = bs->resv[j].start < start ? bs->resv[j].start : start;
		end = bs->resv[j].end > end ? bs->resv[j].end : end;
	}
	if (j == i && bs->nr_resv == PMM_BOOT_MAX_RESERVED) {
		pmm_printk("pmm: more than %u reserved ranges remain apart after "
			   "merging; raise PMM_BOOT_MAX_RESERVED\n",
			   (unsigned int)PMM_BOOT_MAX_RESERVED);
		return PMM_EFULL;
	}
	while (j-- > i)
		resv_remove_at(bs, i);
	resv_insert_at(bs, i, start, end);
	return 0;
}

#define NOT_INDEXED SIZE_MAX

/* Return: 0, or PMM_EINVAL (logged) when @r, @name[@idx] of the config, is reversed. */
static int check_range(const char *name, size_t idx, const struct pmm_phys_range *r)
{
	if (r->end >= r->start)
		return 0;
	if (idx == NOT_INDEXED)
		pmm_printk("pmm: %s [0x%llx, 0x%llx) is reversed: its end lies below "
			   "its start\n", name, (unsigned long long)r->start,
			   (unsigned long long)r->end);
	else
		pmm_printk("pmm: %s[%zu] [0x%llx, 0x%llx) is reversed: its end lies "
			   "below its start\n", name, idx, (unsigned long long)r->start,
			   (unsigned long long)r->end);
	return PMM_EINVAL;
}

/**
 * boot_check_config - prove @cfg bootable before anything changes.
 * @cfg: the caller's configuration
 *
 * An empty range is fine (it reserves nothing); a reversed one is not, nor
 * a reservation array that is NULL with a count.
 *
 * Return: 0, or PMM_EINVAL with a log line naming the field.
 * Context: boot CPU, first step of pmm_boot(); reads @cfg only.
 */
int boot_check_config(const struct pmm_boot_config *cfg)
{
	int err = check_range("cfg->kernel_code", NOT_INDEXED, &cfg->kernel_code);
	if (!err)
		err = check_range("cfg->kernel_data", NOT_INDEXED, &cfg->kernel_data);
	if (!err)
		err = check_range("cfg->init", NOT_INDEXED, &cfg->init);
	if (!err && cfg->nr_reserved && !cfg->reserved) {
		pmm_printk("pmm: cfg->reserved is NULL but cfg->nr_reserved is %zu\n",
			   cfg->nr_reserved);
		err = PMM_EINVAL;
	}
	for (size_t i = 0; i < cfg->nr_reserved && !err; i++)
		err = check_range("cfg->reserved", i, &cfg->reserved[i]);
	return err;
}

/**
 * boot_layout_reservations - collect page 0, the kernel image, the init
 * sections and @bs->cfg->reserved[] into @bs->resv, sorted and merged.
 * @bs: the boot state, its config checked by boot_check_config()
 *
 * Return: 0, or PMM_EFULL (logged, naming the config entry that did not
 * fit and PMM_BOOT_MAX_RESERVED).
 * Context: boot CPU, during pmm_boot().
 */
int boot_layout_reservations(struct boot_state *bs)
{
	const struct pmm_boot_config *cfg = bs->cfg;
	const struct pmm_phys_range fixed[] = {
		{ 0, PMM_PAGE_SIZE }, cfg->kernel_code, cfg->kernel_data, cfg->init,
	};
	int err = 0;

	for (unsigned int i = 0; i < sizeof(fixed) / sizeof(fixed[0]) && !err; i++)
		err = boot_resv_add(bs, fixed[i].start, fixed[i].end);
	for (size_t i = 0; i < cfg->nr_reserved && !err; i++) {
		const struct pmm_phys_range *r = &cfg->reserved[i];
		err = boot_resv_add(bs, r->start, r->end);
		if (err)
			pmm_printk("pmm: cfg->reserved[%zu] [0x%llx, 0x%llx) of %zu "
				   "does not fit\n", i, (unsigned long long)r->start,
				   (unsigned long long)r->end, cfg->nr_reserved);
	}
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

/* A search of boot_find_free(), carried through boot_each_seg(). */
struct free_search {
	int nid;
	uint64_t size;
	pmm_phys_t goal;
	pmm_phys_t limit; /* 0: none */
	pmm_phys_t found;
};

/* boot_range_fn: Return: 1 with fs->found set when the search fits in @seg. */
static int fit_in_segment(const struct boot_state *bs,
			  const struct pmm_phys_range *seg, int nid, void *arg)
{
	struct free_search *fs = arg;
	if (nid != fs->nid)
		return 0;
	pmm_phys_t top = fs->limit && fs->limit < seg->end ? fs->limit : seg->end;
	pmm_phys_t cand = page_round_up(seg->start > fs->goal ? seg->start : fs->goal);
	while (cand < top && fs->size <= top - cand) {
		const struct pmm_phys_range *r = resv_overlap(bs, cand, cand + fs->size);
		if (!r) {
			fs->found = cand;
			return 1;
		}
		cand = r->end;
	}
	return 0;
}

int boot_find_free(const struct boot_state *bs, int nid, uint64_t size,
		   pmm_phys_t goal, pmm_phys_t limit, pmm_phys_t *out)
{
	struct free_search fs = { nid, size, goal, limit, 0 };
	if (!boot_each_seg(bs, fit_in_segment, &fs)) {
		fs.goal = 0;
		if (!boot_each_seg(bs, fit_in_segment, &fs))
			return PMM_ENOMEM;
	}
	*out = fs.found;
	return 0;
}

/* A count of boot_present_pages(), carried through boot_each_seg(). */
struct page_count {
	int nid;
	pmm_pfn_t start, end; /* [start, end) */
	uint64_t n;
};

/* boot_range_fn: add the whole pages of @seg inside the count's span. */
static int count_seg_pages(const struct boot_state *bs,
			   const struct pmm_phys_range *seg, int nid, void *arg)
{
	struct page_count *pc = arg;
	pmm_pfn_t s = PMM_PFN_UP(seg->start), e = PMM_PFN_DOWN(seg->end);
	(void)bs;
	s = s > pc->start ? s : pc->start;
	e = e < pc->end ? e : pc->end;
	if (nid == pc->nid && e > s)
		pc->n += e - s;
	return 0;
}

uint64_t boot_present_pages(const struct boot_state *bs, int nid,
			    pmm_pfn_t start, pmm_pfn_t end)
{
	struct page_count pc = { nid, start, end, 0 };
	boot_each_seg(bs, count_seg_pages, &pc);
	return pc.n;
}
