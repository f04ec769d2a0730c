/* SPDX-License-Identifier: MIT */
/*
 * test_jobs.c - pmm_run_on_cpus() and pmm_run_jobs() (src/base/jobs.c)
 * against run_on_cpus hooks that behave and that break the contract of
 * pmm/platform.h: every job runs exactly once whatever the hook does
 * (none, each, twice, one past the end, some then failing), a hook that
 * ran nothing and failed gives PMM_EPLATFORM, and a broken hook is
 * reported once as PMM_ECORRUPT. The limits of the arguments: 0,
 * PMM_JOBS_MAX and PMM_JOBS_MAX + 1 jobs (issue 17, docs/mutation.md).
 * The host's own hook with threads started at install (cpus_online):
 * the first call hands them its jobs, later calls start their own, and
 * threads no call used are released at removal.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <pmm/platform.h>

#include "host_platform.h"

/* How often each job ran; one slot past PMM_JOBS_MAX catches a stray job. */
static unsigned int runs[PMM_JOBS_MAX + 1];
static unsigned int hook_calls;

static void job(void *arg, unsigned int j)
{
	assert_ptr_equal(arg, runs);
	assert_true(j <= PMM_JOBS_MAX);
	runs[j]++;
}

static int setup(void **state)
{
	(void)state;
	struct host_platform_options o = { .phys_size = 1 << 20, .quiet = true,
					   .quiet_reports = true };
	assert_int_equal(host_platform_install(&o), 0);
	memset(runs, 0, sizeof(runs));
	hook_calls = 0;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	host_platform_remove();
	return 0;
}

typedef int hook_fn(void *ctx, void (*fn)(void *, unsigned int), void *arg,
		    unsigned int nr_jobs);

static void set_hook(hook_fn *hook)
{
	struct pmm_platform p = *pmm_platform_get();
	p.run_on_cpus = hook;
	pmm_platform_set(&p);
}

/* Jobs [0, @nr) ran once each, none past them. */
static void ran_once(unsigned int nr)
{
	for (unsigned int j = 0; j <= PMM_JOBS_MAX; j++)
		assert_int_equal(runs[j], j < nr ? 1 : 0);
}

static int hook_each(void *ctx, void (*fn)(void *, unsigned int), void *arg,
		     unsigned int nr_jobs)
{
	(void)ctx;
	hook_calls++;
	for (unsigned int j = 0; j < nr_jobs; j++)
		fn(arg, j);
	return 0;
}

/* Each job twice and job nr_jobs, the first past the end. */
static int hook_twice_and_past_end(void *ctx, void (*fn)(void *, unsigned int),
				   void *arg, unsigned int nr_jobs)
{
	(void)ctx;
	hook_calls++;
	for (unsigned int j = 0; j < nr_jobs; j++) {
		fn(arg, j);
		fn(arg, j);
	}
	fn(arg, nr_jobs);
	return 0;
}

static int hook_none_ok(void *ctx, void (*fn)(void *, unsigned int), void *arg,
			unsigned int nr_jobs)
{
	(void)ctx, (void)fn, (void)arg, (void)nr_jobs;
	hook_calls++;
	return 0;
}

static int hook_none_fails(void *ctx, void (*fn)(void *, unsigned int),
			   void *arg, unsigned int nr_jobs)
{
	(void)ctx, (void)fn, (void)arg, (void)nr_jobs;
	hook_calls++;
	return -1;
}

static int hook_first_then_fails(void *ctx, void (*fn)(void *, unsigned int),
				 void *arg, unsigned int nr_jobs)
{
	(void)ctx, (void)nr_jobs;
	hook_calls++;
	fn(arg, 0);
	return -1;
}

/* NULL, 0 and PMM_JOBS_MAX + 1 jobs are refused; PMM_JOBS_MAX run. */
static void jobs_count_limits(void **state)
{
	(void)state;
	set_hook(hook_each);
	assert_int_equal(pmm_run_on_cpus(NULL, runs, 1), PMM_EINVAL);
	assert_int_equal(pmm_run_on_cpus(job, runs, 0), PMM_EINVAL);
	assert_int_equal(pmm_run_on_cpus(job, runs, PMM_JOBS_MAX + 1), PMM_EINVAL);
	assert_int_equal(hook_calls, 0);
	ran_once(0);
	assert_int_equal(pmm_run_on_cpus(job, runs, 1), 0);
	ran_once(1);
	memset(runs, 0, sizeof(runs));
	assert_int_equal(pmm_run_on_cpus(job, runs, PMM_JOBS_MAX), 0);
	ran_once(PMM_JOBS_MAX);
	assert_int_equal(hook_calls, 2);
	assert_int_equal(host_report_count(), 0);
}

/* No hook: every job runs here, once. */
static void jobs_without_hook_run_here(void **state)
{
	(void)state;
	set_hook(NULL);
	assert_int_equal(pmm_run_on_cpus(job, runs, 3), 0);
	ran_once(3);
	assert_int_equal(host_report_count(), 0);
}

/* A hook that runs each job: nothing reported, nothing run twice. */
static void jobs_hook_runs_each_once(void **state)
{
	(void)state;
	set_hook(hook_each);
	assert_int_equal(pmm_run_on_cpus(job, runs, 3), 0);
	ran_once(3);
	assert_int_equal(host_report_count(), 0);
}

/* Repeats and the job past the end are not run; one report counts them. */
static void jobs_hook_repeats_and_past_end(void **state)
{
	(void)state;
	set_hook(hook_twice_and_past_end);
	assert_int_equal(pmm_run_on_cpus(job, runs, 3), 0);
	ran_once(3);
	assert_int_equal(host_report_count(), 1);
	assert_int_equal(host_last_report_err(), PMM_ECORRUPT);
	assert_non_null(strstr(host_last_report_msg(),
			       "returned 0 after running 3 of 3 jobs (4 calls "
			       "repeated or past the end); pmm ran the other 0 itself"));
}

/* A hook that ran nothing and said 0: pmm runs them all, and reports. */
static void jobs_hook_ran_none_ok(void **state)
{
	(void)state;
	set_hook(hook_none_ok);
	assert_int_equal(pmm_run_on_cpus(job, runs, 3), 0);
	ran_once(3);
	assert_int_equal(host_report_count(), 1);
	assert_non_null(strstr(host_last_report_msg(),
			       "returned 0 after running 0 of 3 jobs (0 calls "
			       "repeated or past the end); pmm ran the other 3 itself"));
}

/* A hook that ran nothing and failed: PMM_EPLATFORM, nothing ran, no
 * report; pmm_run_jobs() then runs them here and says so. */
static void jobs_hook_fails_before_any(void **state)
{
	(void)state;
	set_hook(hook_none_fails);
	assert_int_equal(pmm_run_on_cpus(job, runs, 3), PMM_EPLATFORM);
	ran_once(0);
	assert_int_equal(host_report_count(), 0);
	host_log_capture_start();
	assert_int_equal(pmm_run_jobs(job, runs, 3), 0);
	char *text = host_log_capture_stop();
	assert_non_null(text);
	assert_non_null(strstr(text, "the run_on_cpus hook failed: 3 jobs"));
	free(text);
	ran_once(3);
	assert_int_equal(host_report_count(), 0);
}

/* A hook that ran job 0, then failed: pmm runs 1 and 2, and reports. */
static void jobs_hook_fails_after_one(void **state)
{
	(void)state;
	set_hook(hook_first_then_fails);
	assert_int_equal(pmm_run_on_cpus(job, runs, 3), 0);
	ran_once(3);
	assert_int_equal(host_report_count(), 1);
	assert_non_null(strstr(host_last_report_msg(),
			       "returned -1 after running 1 of 3 jobs (0 calls "
			       "repeated or past the end); pmm ran the other 2 itself"));
	/* pmm_run_jobs() passes a success through without a word */
	memset(runs, 0, sizeof(runs));
	set_hook(hook_each);
	host_log_capture_start();
	assert_int_equal(pmm_run_jobs(job, runs, 2), 0);
	char *text = host_log_capture_stop();
	assert_non_null(text);
	assert_null(strstr(text, "hook failed"));
	free(text);
	ran_once(2);
}

/* Install the host platform with @cpus threads started at install. */
static void install_online(unsigned int cpus)
{
	struct host_platform_options o = { .phys_size = 1 << 20, .quiet = true,
					   .quiet_reports = true, .cpus = cpus,
					   .cpus_online = true };
	assert_int_equal(host_platform_install(&o), 0);
}

/* The online threads and the caller run every job once; a second call,
 * with no online thread left, starts its own and runs each once more. */
static void jobs_online_threads_take_the_first_call(void **state)
{
	(void)state;
	install_online(2);
	assert_int_equal(pmm_run_on_cpus(job, runs, PMM_JOBS_MAX), 0);
	ran_once(PMM_JOBS_MAX);
	uint64_t max, sum;
	host_last_run_cpu_ns(&max, &sum);
	assert_true(sum >= max);
	assert_int_equal(pmm_run_on_cpus(job, runs, 3), 0);
	for (unsigned int j = 0; j < PMM_JOBS_MAX; j++)
		assert_int_equal(runs[j], j < 3 ? 2 : 1);
}

/* Online threads no call used are released by the removal (and by the
 * next install, which removes first); jobs still run on the caller. */
static void jobs_online_threads_released_unused(void **state)
{
	(void)state;
	install_online(2);
	host_platform_remove();
	install_online(PMM_NR_CPUS + 3);
	install_online(2);
	assert_int_equal(pmm_run_on_cpus(job, runs, 2), 0);
	ran_once(2);
}

#define CASE(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		CASE(jobs_count_limits),
		CASE(jobs_without_hook_run_here),
		CASE(jobs_hook_runs_each_once),
		CASE(jobs_hook_repeats_and_past_end),
		CASE(jobs_hook_ran_none_ok),
		CASE(jobs_hook_fails_before_any),
		CASE(jobs_hook_fails_after_one),
		CASE(jobs_online_threads_take_the_first_call),
		CASE(jobs_online_threads_released_unused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
