/* SPDX-License-Identifier: MIT */
/*
 * memblock_handoff.c - retiring memblock into the buddy allocator.
 *
 * free_all gives every free range (memory minus reserved, NOMAP excluded)
 * to the buddy allocator in one pmm_buddy_handoff_range() call per range,
 * which cuts it into maximal naturally aligned blocks; each node's ranges
 * are a job of their own, run on several CPUs when the platform can. Nothing has to be
 * destroyed afterwards (seed 003): the arrays may linger, and later frees
 * (free_late) go straight to the buddy allocator.
 *
 * Locking: none (boot CPU only); the jobs take the zones' locks.
 */
#include <pmm/buddy.h>
#include "memblock_internal.h"

/*
 * The hand-off of one node's free ranges is a job of pmm_run_jobs(): the
 * nodes' zones are apart, so jobs on several CPUs meet only in their own
 * zone's lock. Memory without a node makes it one job over all of it.
 */
struct free_all_jobs {
	unsigned int nr;
	int nid[PMM_JOBS_MAX];       /* the job's node, or PMM_NUMA_NO_NODE */
	uint64_t pages[PMM_JOBS_MAX];
	int err[PMM_JOBS_MAX];
};

/* Return: true when @nid is already one of @j's jobs. */
static bool has_job(const struct free_all_jobs *j, int nid)
{
	for (unsigned int i = 0; i < j->nr; i++)
		if (j->nid[i] == nid)
			return true;
	return false;
}

/* One job per node of memory, or one over everything (a region without one). */
static void plan_jobs(struct free_all_jobs *j)
{
	j->nr = 0;
	for (uint64_t i = 0; i < pmm_memblock.memory.cnt; i++) {
		const struct pmm_memblock_region *m = &pmm_memblock.memory.regions[i];
		int nid = mb_region_nid(m);
		if (m->size == 0)
			continue;
		if (nid == pmm_memblock.nid_none || nid < 0 || nid >= PMM_JOBS_MAX) {
			j->nr = 0;
			break;
		}
		if (!has_job(j, nid))
			j->nid[j->nr++] = nid;
	}
	if (j->nr == 0)
		j->nid[j->nr++] = PMM_NUMA_NO_NODE;
}

/* pmm_job_fn: hand the free ranges of job @job's node to the buddy allocator. */
static void free_node_job(void *arg, unsigned int job)
{
	struct free_all_jobs *j = arg;
	struct pmm_memblock_iter it;
	uint64_t count = 0;
	int first_err = PMM_OK;

	pmm_memblock_for_each_free(it, j->nid[job], PMM_MEMBLOCK_NONE) {
		pmm_pfn_t start = PMM_PFN_UP(it.range.start);
		pmm_pfn_t end = PMM_PFN_DOWN(it.range.end);
		int err;

		if (start >= end)
			continue;
		err = pmm_buddy_handoff_range(start, end, &count);
		if (err && !first_err)
			first_err = err;
	}
	j->pages[job] = count;
	j->err[job] = first_err;
}

/**
 * pmm_memblock_free_all - retire memblock into the buddy allocator.
 * @pages: where to add the pages handed over (may be NULL).
 *
 * HOTPLUG is cleared everywhere first (its job ends with boot), then each
 * free range of whole pages goes to pmm_buddy_handoff_range(), NOMAP and
 * DRIVER_MANAGED memory excluded: one job per node, on several CPUs when
 * the platform has a run_on_cpus hook (pmm_run_jobs()).
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
	pmm_run_jobs(free_node_job, &jobs, jobs.nr);
	for (unsigned int i = 0; i < jobs.nr; i++) {
		count += jobs.pages[i];
		if (jobs.err[i] && !first_err)
			first_err = jobs.err[i];
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
