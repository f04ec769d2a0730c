/* SPDX-License-Identifier: MIT */
/*
 * jobs.c - work spread over several CPUs through the platform's
 * run_on_cpus hook (the boot's parallel hand-off, one job per node).
 *
 * The hook gets a trampoline, not the caller's function: each job first
 * claims its slot in the call's ran[] array (an atomic exchange), so a
 * job the hook runs twice runs once, and a job it skips is found after it
 * returns and run here. The caller's work is therefore done exactly once
 * whatever the hook does; only "failed and ran nothing" is the hook's
 * right, and then nothing ran (PMM_EPLATFORM).
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
