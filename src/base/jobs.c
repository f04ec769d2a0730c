/* SPDX-License-Identifier: MIT */
/*
 * jobs.c - work spread over several CPUs through the platform's
 * run_on_cpus hook (the boot's parallel hand-off, a few jobs per node).
 *
 * The hook gets a trampoline, not the caller's function: each job first
 * claims its slot in the call's ran[] array (an atomic exchange), so a
 * job the hook runs twice runs once, and a job it skips is found after it
 * returns and run here. The caller's work is therefore done exactly once
 * whatever the hook does; only "failed and ran nothing" is the hook's
 * right, and then nothing ran (PMM_EPLATFORM).
 *
 * pmm_run_pieces() cuts groups of work (a node's hand-off) into a few
 * pieces, run by jobs of pmm_run_jobs(), so that CPUs finish together; a
 * group's pieces run one at a time and in order, whichever job runs them.
 */
#include "platform_internal.h"

struct jobs_call {
	pmm_job_fn *fn;
	void *arg;
	unsigned int nr_jobs;
	unsigned int repeats;               /* calls of a claimed or unknown job */
	unsigned char ran[PMM_JOBS_MAX];    /* 1 once a job has been claimed */
};

static bool claim(struct jobs_call *c, unsigned int job)
{
	return __atomic_exchange_n(&c->ran[job], 1, __ATOMIC_ACQ_REL) == 0;
}

/* What the hook runs: job @job of @call, unless out of range or claimed. */
static void jobs_trampoline(void *call, unsigned int job)
{
	struct jobs_call *c = call;
	if (job < c->nr_jobs && claim(c, job)) {
		c->fn(c->arg, job);
		return;
	}
	__atomic_fetch_add(&c->repeats, 1, __ATOMIC_RELAXED);
}

/* Run every job nobody claimed yet, here. Return: how many there were. */
static unsigned int run_unclaimed(struct jobs_call *c)
{
	unsigned int n = 0;
	for (unsigned int job = 0; job < c->nr_jobs; job++)
		if (claim(c, job)) {
			c->fn(c->arg, job);
			n++;
		}
	return n;
}

static unsigned int claimed(const struct jobs_call *c)
{
	unsigned int n = 0;
	for (unsigned int job = 0; job < c->nr_jobs; job++)
		n += __atomic_load_n(&c->ran[job], __ATOMIC_ACQUIRE);
	return n;
}

int pmm_run_on_cpus(pmm_job_fn *fn, void *arg, unsigned int nr_jobs)
{
	const struct pmm_platform *p = &pmm_platform_installed;
	if (!fn || nr_jobs == 0 || nr_jobs > PMM_JOBS_MAX)
		return PMM_EINVAL;
	struct jobs_call c = { .fn = fn, .arg = arg, .nr_jobs = nr_jobs };
	if (!p->run_on_cpus) {
		run_unclaimed(&c);
		return 0;
	}
	int hook_err = p->run_on_cpus(p->ctx, jobs_trampoline, &c, nr_jobs);
	unsigned int done = claimed(&c);
	if (hook_err && done == 0)
		return PMM_EPLATFORM;
	unsigned int missing = run_unclaimed(&c);
	if (hook_err || missing || c.repeats)
		pmm_bug(PMM_ECORRUPT, __func__,
			"the run_on_cpus hook returned %d after running %u of %u jobs "
			"(%u calls repeated or past the end); pmm ran the other %u itself",
			hook_err, done, nr_jobs, c.repeats, missing);
	return 0;
}

int pmm_run_jobs(pmm_job_fn *fn, void *arg, unsigned int nr_jobs)
{
	int err = pmm_run_on_cpus(fn, arg, nr_jobs);
	if (err != PMM_EPLATFORM)
		return err;
	pmm_printk("pmm: the run_on_cpus hook failed: %u jobs run one after "
		   "the other on this CPU\n", nr_jobs);
	struct jobs_call c = { .fn = fn, .arg = arg, .nr_jobs = nr_jobs };
	run_unclaimed(&c);
	return 0;
}

/*
 * Groups of one pmm_run_pieces() call, each on a cache line of its own.
 * A job goes round the groups from its own (job % groups) running one
 * piece at a time: it takes a group's busy flag, runs the group's next
 * piece, gives the flag back and moves on; a group another job is in is
 * passed by, not waited for (that job may have lost its CPU). It stops
 * when a whole round found nothing to run, and a round after its last
 * piece passes that piece's group again, so no piece is left behind.
 */
struct pieces_group {
	_Alignas(PMM_CACHELINE) unsigned char busy; /* 1 while a job runs a piece */
	unsigned int next; /* the group's next piece; read and written holding busy */
};

struct pieces_call {
	pmm_piece_fn *fn;
	void *arg;
	unsigned int nr_groups;
	unsigned int pieces; /* per group */
	struct pieces_group group[PMM_JOBS_MAX];
};

_Static_assert(sizeof(struct pieces_group) % PMM_CACHELINE == 0,
	       "no two groups share a cache line");
_Static_assert(PMM_PIECES_MAX >= 1, "a group is at least one piece");

/* Run group @g's next piece unless none is left or a job is in it. Return: ran one. */
static bool run_next_piece(struct pieces_call *c, unsigned int g)
{
	struct pieces_group *pg = &c->group[g];
	if (__atomic_exchange_n(&pg->busy, 1, __ATOMIC_ACQUIRE) != 0)
		return false;
	bool ran = pg->next < c->pieces;
	if (ran)
		c->fn(c->arg, g, pg->next++, c->pieces);
	__atomic_store_n(&pg->busy, 0, __ATOMIC_RELEASE);
	return ran;
}

/* pmm_job_fn: run pieces round the groups from job @job's, until a round finds none. */
static void piece_job(void *call, unsigned int job)
{
	struct pieces_call *c = call;
	unsigned int g = job % c->nr_groups, idle = 0;
	while (idle < c->nr_groups) {
		idle = run_next_piece(c, g) ? 0 : idle + 1;
		g = (g + 1) % c->nr_groups;
	}
}

int pmm_run_pieces(pmm_piece_fn *fn, void *arg, unsigned int nr_groups)
{
	static struct pieces_call c;
	if (!fn || nr_groups == 0 || nr_groups > PMM_JOBS_MAX)
		return PMM_EINVAL;
	c.fn = fn;
	c.arg = arg;
	c.nr_groups = nr_groups;
	c.pieces = PMM_JOBS_MAX / nr_groups;
	if (c.pieces > PMM_PIECES_MAX)
		c.pieces = PMM_PIECES_MAX;
	if (nr_groups == 1)
		c.pieces = 1;
	for (unsigned int g = 0; g < nr_groups; g++)
		c.group[g] = (struct pieces_group){ .busy = 0 };
	return pmm_run_jobs(piece_job, &c, nr_groups * c.pieces);
}

pmm_pfn_t pmm_piece_start(pmm_pfn_t start, pmm_pfn_t end, unsigned int piece,
			  unsigned int pieces, pmm_order_t order)
{
	const pmm_pfn_t align = (pmm_pfn_t)1 << order;
	if (piece == 0 || start >= end)
		return start;
	if (piece >= pieces)
		return end;
	pmm_pfn_t at = start + (end - start) / pieces * piece;
	pmm_pfn_t short_by = (align - (at & (align - 1))) & (align - 1);
	return end - at <= short_by ? end : at + short_by;
}
