/* SPDX-License-Identifier: MIT */
/*
 * memblock_handoff.c - retiring memblock into the buddy allocator.
 *
 * free_all gives every free range (memory minus reserved, NOMAP excluded)
 * to the buddy allocator in one pmm_buddy_handoff_range() call per range,
 * which cuts it into maximal naturally aligned blocks; each node's ranges
 * go over in a few pieces, jobs run on several CPUs when the platform can
 * (pmm_run_pieces()). Nothing has to be
 * destroyed afterwards (seed 003): the arrays may linger, and later frees
 * (free_late) go straight to the buddy allocator.
 *
 * Locking: none (boot CPU only); the jobs take the zones' locks.
 */
#include <pmm/buddy.h>
#include "../base/platform_internal.h"
#include "memblock_internal.h"

/*
 * The hand-off of one node's free ranges is a group of pmm_run_pieces():
 * the nodes' zones are apart, so jobs on several CPUs meet only in their
 * own zone's lock, and a node's pieces (cut at top-order block boundaries
 * of the node's span) run one at a time, in order. Memory without a node
 * makes it one group over all of it. Each group's result sits on a cache
 * line of its own: CPUs write them at once.
 */
struct free_all_group {
	_Alignas(PMM_CACHELINE) int nid;      /* the group's node, or PMM_NUMA_NO_NODE */
	pmm_pfn_t start, end;        /* span of the node's memory [pfn) */
	uint64_t pages;
	int err;
};

_Static_assert(sizeof(struct free_all_group) == PMM_CACHELINE, "a group fills one cache line");

struct free_all_jobs {
	unsigned int nr;
	struct free_all_group group[PMM_JOBS_MAX];
};

/* Return: @nid's group in @j, or NULL. */
static struct free_all_group *group_of(struct free_all_jobs *j, int nid)
{
	for (unsigned int i = 0; i < j->nr; i++)
		if (j->group[i].nid == nid)
			return &j->group[i];
	return NULL;
}

/* Widen @g's span over @m's whole pages. */
static void group_widen(struct free_all_group *g, const struct pmm_memblock_region *m)
{
	pmm_pfn_t s = PMM_PFN_UP(m->base), e = PMM_PFN_DOWN(mb_region_end(m));
	if (s < g->start)
		g->start = s;
	if (e > g->end)
		g->end = e;
}

/* Add a group for @nid to @j; Return: it. */
static struct free_all_group *group_add(struct free_all_jobs *j, int nid)
{
	struct free_all_group *g = &j->group[j->nr++];
	*g = (struct free_all_group){ .nid = nid, .start = ~(pmm_pfn_t)0 };
	return g;
}

/* One group per node of memory, or one over everything (a region without one). */
static void plan_jobs(struct free_all_jobs *j)
{
	*j = (struct free_all_jobs){ .nr = 0 }; /* no slot past nr holds a count */
	for (uint64_t i = 0; i < pmm_memblock.memory.cnt; i++) {
		const struct pmm_memblock_region *m = &pmm_memblock.memory.regions[i];
		int nid = mb_region_nid(m);
		if (m->size == 0)
			continue;
		if (nid == pmm_memblock.nid_none || nid < 0 || nid >= PMM_JOBS_MAX) {
			j->nr = 0;
			break;
		}
		struct free_all_group *g = group_of(j, nid);
		group_widen(g ? g : group_add(j, nid), m);
	}
	if (j->nr != 0)
		return;
	struct free_all_group *all = group_add(j, PMM_NUMA_NO_NODE);
	for (uint64_t i = 0; i < pmm_memblock.memory.cnt; i++)
		group_widen(all, &pmm_memblock.memory.regions[i]);
}

/* pmm_piece_fn: hand the free ranges of node @group's piece @piece over. */
static void free_piece(void *arg, unsigned int group, unsigned int piece,
		       unsigned int pieces)
{
	struct free_all_group *g = &((struct free_all_jobs *)arg)->group[group];
	pmm_pfn_t lo, hi;
	pmm_piece_span(g->start, g->end, piece, pieces, &lo, &hi);
	struct pmm_memblock_iter it;

	pmm_memblock_for_each_free(it, g->nid, PMM_MEMBLOCK_NONE) {
		pmm_pfn_t start = PMM_PFN_UP(it.range.start);
		pmm_pfn_t end = PMM_PFN_DOWN(it.range.end);
		start = start > lo ? start : lo;
		end = end < hi ? end : hi;
		if (start >= end)
			continue;
		int err = pmm_buddy_handoff_range(start, end, &g->pages);
		if (err && !g->err)
			g->err = err;
	}
}

/**
 * pmm_memblock_free_all - retire memblock into the buddy allocator.
 * @pages: where to add the pages handed over (may be NULL).
 *
 * HOTPLUG is cleared everywhere first (its job ends with boot), then each
 * free range of whole pages goes to pmm_buddy_handoff_range(), NOMAP and
 * DRIVER_MANAGED memory excluded: a few jobs per node (pmm_run_pieces()),
 * on several CPUs when the platform has a run_on_cpus hook.
 * Return: 0, PMM_ERETIRED, or the buddy allocator's first error (the
 * other ranges are still handed over; what was handed stays handed).
 * Context: boot CPU; the zones exist.
 */
int pmm_memblock_free_all(uint64_t *pages)
{
	static struct free_all_jobs jobs;
	uint64_t count = 0;
	int first_err = PMM_OK;

	if (pmm_memblock.handed_off)
		return PMM_ERETIRED;
	if (pmm_memblock.memory.total_size)
		pmm_memblock_clear_hotplug(0, PMM_PHYS_ADDR_MAX);
	pmm_memblock.handed_off = true;
	plan_jobs(&jobs);
	pmm_run_pieces(free_piece, &jobs, jobs.nr);
	for (unsigned int i = 0; i < jobs.nr; i++) {
		count += jobs.group[i].pages;
		if (jobs.group[i].err && !first_err)
			first_err = jobs.group[i].err;
	}
	if (pages)
		*pages += count;
	return first_err;
}

int pmm_memblock_free_late(pmm_phys_t base, uint64_t size)
{
	pmm_pfn_t start = PMM_PFN_UP(base);
	pmm_pfn_t end;
	uint64_t freed = 0;
	int err = mb_check_range(base, size);

	pmm_memblock_dbg_range("memblock_free_late", base, size, __func__);
	if (err)
		return err;
	if (!pmm_memblock.handed_off)
		return PMM_ESTATE;
	end = PMM_PFN_DOWN(base + size);
	if (start < end) {
		err = pmm_buddy_free_range(start, end, &freed);
		if (err)
			return err;
	}
	return pmm_memblock_remove_range_grow(&pmm_memblock.reserved, base, size, true);
}

static int discard_type(const struct pmm_memblock_type *type)
{
	pmm_phys_t pa = pmm_memblock_array_phys(type);
	uint64_t bytes = type->max * sizeof(struct pmm_memblock_region);
	uint64_t freed = 0;

	if (!pa)
		return PMM_OK;
	bytes = (bytes + PMM_PAGE_SIZE - 1) & PMM_PAGE_MASK;
	return pmm_buddy_free_range(PMM_PFN_DOWN(pa), PMM_PFN_DOWN(pa + bytes),
				    &freed);
}

/**
 * pmm_memblock_discard - give the doubled region arrays back.
 *
 * After free_all nothing allocates from memblock any more; the arrays that
 * doubling took from memory go to the buddy allocator and memblock is
 * reset to its empty static arrays (Linux's memblock_discard()).
 * Return: 0, PMM_ESTATE (before free_all), or the buddy allocator's error.
 * Context: boot CPU.
 */
int pmm_memblock_discard(void)
{
	int err;

	if (!pmm_memblock.handed_off)
		return PMM_ESTATE;
	err = discard_type(&pmm_memblock.reserved);
	if (!err)
		err = discard_type(&pmm_memblock.memory);
	if (err)
		return err;
	pmm_memblock_reset();
	pmm_memblock.handed_off = true;
	return PMM_OK;
}
