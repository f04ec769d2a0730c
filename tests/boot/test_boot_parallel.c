/* SPDX-License-Identifier: MIT */
/*
 * test_boot_parallel.c - the parallel hand-off: pmm_run_on_cpus() and the
 * run_on_cpus hook (rows B07..B11 of docs/errors.md), and boots whose
 * retirement runs one job per node on several threads.
 *
 * A boot with the hook must leave the very state a boot without it
 * leaves: the descriptor array (free lists are linked through it) and the
 * nodes' zones byte for byte, for bootmem and memblock, with more nodes
 * than threads, and with the second thread started at install, before
 * the boot (the host's cpus_online, as W5T runs). A bad call or a failing hook runs nothing: the buddy
 * allocator's state is snapshotted before and compared after.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <pmm/boot.h>
#include <pmm/buddy.h>
#include <pmm/check.h>

#include "host_platform.h"
#include "machine.h"
#include "reliability_snap.h"
#include "run_hooks.h"

#define NODES 4
#define MEM ((uint64_t)1 << 30) /* fits a 32-bit host */

static struct pmm_memmap map;
static struct rel_snap snap;

/* Boot the @nodes-node PC with @early on whatever platform is installed. */
static void boot_pc_nodes(enum pmm_early early, unsigned int nodes)
{
	struct pmm_boot_config cfg;
	struct pmm_boot_info info;
	assert_int_equal(sim_machine_pc(&map, MEM, nodes), 0);
	pmm_boot_config_init(&cfg);
	cfg.profile = PMM_PROFILE_X86_64;
	cfg.early = early;
	cfg.quiet = true;
	assert_int_equal(pmm_boot(&map, &cfg, &info), 0);
	assert_int_equal(info.nr_nodes, nodes);
	assert_null(pmm_check());
}

static void boot_pc(enum pmm_early early)
{
	boot_pc_nodes(early, NODES);
}

/* @online: the other threads start at install (cpus_online). */
static void install(unsigned int cpus, bool online)
{
	struct host_platform_options o = { .phys_size = MEM,
					   .quiet = true, .quiet_reports = true,
					   .cpus = cpus, .cpus_online = online };
	assert_int_equal(host_platform_install(&o), 0);
}

static void set_hook(int (*hook)(void *, void (*)(void *, unsigned int), void *,
				 unsigned int))
{
	struct pmm_platform p = *pmm_platform_get();
	p.run_on_cpus = hook;
	pmm_platform_set(&p);
}

static int teardown(void **state)
{
	(void)state;
	rel_snap_release(&snap);
	pmm_zones_reset();
	host_platform_remove();
	return 0;
}

typedef int run_hook(void *, void (*)(void *, unsigned int), void *, unsigned int);

/*
 * The serial boot's state of the @nodes-node PC, then the same boot with
 * @hook (NULL: the host's on @cpus threads): equal byte for byte.
 */
static void boot_equals_serial(enum pmm_early early, unsigned int nodes,
			       unsigned int cpus, bool online, run_hook *hook)
{
	install(cpus, online);
	if (!hook)
		hook = pmm_platform_get()->run_on_cpus;
	assert_non_null(hook);
	set_hook(NULL);
	boot_pc_nodes(early, nodes);
	uint64_t free_serial = pmm_nr_free_pages();
	rel_snap_take(&snap);
	set_hook(hook);
	boot_pc_nodes(early, nodes);
	assert_int_equal(pmm_nr_free_pages(), free_serial);
	const char *diff = rel_snap_same(&snap);
	if (diff)
		fail_msg("%s boot of %u nodes on %u threads differs from the serial one: %s",
			 pmm_early_name(early), nodes, cpus, diff);
	assert_int_equal(host_report_count(), 0);
}

static void parallel_boot_equals_serial(enum pmm_early early, unsigned int cpus)
{
	boot_equals_serial(early, NODES, cpus, false, NULL);
}

/*
 * 16 nodes: each node's hand-off is cut in pieces (pmm_run_pieces()), 64
 * jobs; on two threads, and with the jobs run backwards, a node's pieces
 * still go over in order: the serial boot's free lists.
 */
static void pieces_bootmem_two_threads(void **state)
{
	(void)state;
	boot_equals_serial(PMM_EARLY_BOOTMEM, 16, 2, false, NULL);
}

static void pieces_memblock_two_threads(void **state)
{
	(void)state;
	boot_equals_serial(PMM_EARLY_MEMBLOCK, 16, 2, false, NULL);
}

static void pieces_bootmem_backwards(void **state)
{
	(void)state;
	boot_equals_serial(PMM_EARLY_BOOTMEM, 16, 1, false, run_hook_backwards);
}

static void pieces_memblock_backwards(void **state)
{
	(void)state;
	boot_equals_serial(PMM_EARLY_MEMBLOCK, 16, 1, false, run_hook_backwards);
}

static void parallel_bootmem_two_threads(void **state)
{
	(void)state;
	parallel_boot_equals_serial(PMM_EARLY_BOOTMEM, 2);
}

static void parallel_memblock_two_threads(void **state)
{
	(void)state;
	parallel_boot_equals_serial(PMM_EARLY_MEMBLOCK, 2);
}

static void parallel_bootmem_more_threads_than_nodes(void **state)
{
	(void)state;
	parallel_boot_equals_serial(PMM_EARLY_BOOTMEM, NODES + 2);
}

static void parallel_memblock_three_threads(void **state)
{
	(void)state;
	parallel_boot_equals_serial(PMM_EARLY_MEMBLOCK, 3);
}

/* The second thread started at install, waiting through the serial boot,
 * takes the parallel boot's jobs (the bench's W5T): the same lists. */
static void pieces_memblock_online_thread(void **state)
{
	(void)state;
	boot_equals_serial(PMM_EARLY_MEMBLOCK, 16, 2, true, NULL);
}

/* ------------------------------------------------------------------ */
/* pmm_run_on_cpus(): bad calls and hooks that break their contract.   */
/* The jobs allocate a page each, so a job that ran shows in the       */
/* buddy allocator's state as well as in the counts.                   */
/* ------------------------------------------------------------------ */

struct job_log {
	unsigned int runs[PMM_JOBS_MAX];
	pmm_phys_t addr[PMM_JOBS_MAX];
};

static void alloc_job(void *arg, unsigned int job)
{
	struct job_log *log = arg;
	__atomic_fetch_add(&log->runs[job], 1, __ATOMIC_RELAXED);
	log->addr[job] = pmm_get_free_page(PMM_GFP_KERNEL);
	assert_true(log->addr[job] != 0);
}

static void free_jobs(const struct job_log *log, unsigned int nr)
{
	for (unsigned int i = 0; i < nr; i++)
		assert_int_equal(pmm_free_page_addr(log->addr[i]), 0);
}

static unsigned int hook_calls;

static int hook_fails(void *ctx, void (*fn)(void *, unsigned int), void *arg,
		      unsigned int nr_jobs)
{
	(void)ctx, (void)fn, (void)arg, (void)nr_jobs;
	hook_calls++;
	return -1;
}

/* Runs job 0 only, then fails. */
static int hook_fails_late(void *ctx, void (*fn)(void *, unsigned int), void *arg,
			   unsigned int nr_jobs)
{
	(void)ctx, (void)nr_jobs;
	hook_calls++;
	fn(arg, 0);
	return -1;
}

/*
 * Runs every job and one past the end twice each (6 extra calls for 4
 * jobs), and says it did well.
 */
static int hook_repeats(void *ctx, void (*fn)(void *, unsigned int), void *arg,
			unsigned int nr_jobs)
{
	(void)ctx;
	hook_calls++;
	for (unsigned int i = 0; i <= nr_jobs; i++) {
		fn(arg, i);
		fn(arg, i);
	}
	return 0;
}

/* Skips the last job and says it did well. */
static int hook_skips(void *ctx, void (*fn)(void *, unsigned int), void *arg,
		      unsigned int nr_jobs)
{
	(void)ctx;
	hook_calls++;
	for (unsigned int i = 0; i + 1 < nr_jobs; i++)
		fn(arg, i);
	return 0;
}

/* A booted one-CPU machine (no hook) with its state snapshotted. */
static void booted_and_snapped(void)
{
	install(0, false);
	boot_pc(PMM_EARLY_MEMBLOCK);
	hook_calls = 0;
	rel_snap_take(&snap);
}

static void nothing_changed(const struct job_log *log)
{
	for (unsigned int i = 0; i < PMM_JOBS_MAX; i++)
		assert_int_equal(log->runs[i], 0);
	const char *diff = rel_snap_same(&snap);
	if (diff)
		fail_msg("a refused pmm_run_on_cpus() changed the state: %s", diff);
}

/* A refused call: neither entry runs a job or calls the hook. */
static void refused(pmm_job_fn *fn, unsigned int nr_jobs)
{
	struct job_log log = { 0 };
	booted_and_snapped();
	set_hook(hook_repeats);
	assert_int_equal(pmm_run_on_cpus(fn, &log, nr_jobs), PMM_EINVAL);
	assert_int_equal(pmm_run_jobs(fn, &log, nr_jobs), PMM_EINVAL);
	assert_int_equal(hook_calls, 0);
	nothing_changed(&log);
}

static void B07_run_on_cpus_no_jobs(void **state)
{
	(void)state;
	refused(alloc_job, 0);
}

static void B08_run_on_cpus_null_fn(void **state)
{
	(void)state;
	refused(NULL, 3);
}

static void B09_run_on_cpus_too_many_jobs(void **state)
{
	(void)state;
	refused(alloc_job, PMM_JOBS_MAX + 1);
}

static void B10_run_on_cpus_hook_fails(void **state)
{
	(void)state;
	struct job_log log = { 0 };
	booted_and_snapped();
	set_hook(hook_fails);
	assert_int_equal(pmm_run_on_cpus(alloc_job, &log, 5), PMM_EPLATFORM);
	assert_int_equal(hook_calls, 1);
	nothing_changed(&log);
	assert_int_equal(host_report_count(), 0);
	/* pmm_run_jobs() runs them here instead, once each, and says so. */
	host_log_capture_start();
	assert_int_equal(pmm_run_jobs(alloc_job, &log, 5), 0);
	char *text = host_log_capture_stop();
	assert_non_null(strstr(text, "pmm: the run_on_cpus hook failed: 5 jobs run "
				     "one after the other on this CPU"));
	free(text);
	for (unsigned int i = 0; i < 5; i++)
		assert_int_equal(log.runs[i], 1);
	free_jobs(&log, 5);
	assert_null(pmm_check());
}

/* The hook broke its contract: every job ran once all the same, reported. */
static void contract_broken(int (*hook)(void *, void (*)(void *, unsigned int),
					void *, unsigned int), const char *says)
{
	struct job_log log = { 0 };
	booted_and_snapped();
	set_hook(hook);
	assert_int_equal(pmm_run_on_cpus(alloc_job, &log, 4), 0);
	for (unsigned int i = 0; i < PMM_JOBS_MAX; i++)
		assert_int_equal(log.runs[i], i < 4 ? 1 : 0);
	assert_int_equal(host_report_count(), 1);
	assert_int_equal(host_last_report_err(), PMM_ECORRUPT);
	if (!strstr(host_last_report_msg(), says))
		fail_msg("report \"%s\" lacks \"%s\"", host_last_report_msg(), says);
	free_jobs(&log, 4);
	assert_null(pmm_check());
}

static void B11_run_on_cpus_hook_fails_after_a_job(void **state)
{
	(void)state;
	contract_broken(hook_fails_late,
			"returned -1 after running 1 of 4 jobs (0 calls repeated or past "
			"the end); pmm ran the other 3 itself");
}

static void B11_run_on_cpus_hook_repeats_jobs(void **state)
{
	(void)state;
	contract_broken(hook_repeats, "returned 0 after running 4 of 4 jobs (6 calls "
				      "repeated or past the end); pmm ran the other 0 itself");
}

static void B11_run_on_cpus_hook_skips_a_job(void **state)
{
	(void)state;
	contract_broken(hook_skips, "returned 0 after running 3 of 4 jobs (0 calls "
				    "repeated or past the end); pmm ran the other 1 itself");
}

/* A boot whose hook fails hands off on one CPU: the serial boot's state. */
static void boot_with_failing_hook_equals_serial(void **state)
{
	(void)state;
	install(0, false);
	boot_pc(PMM_EARLY_BOOTMEM);
	rel_snap_take(&snap);
	set_hook(hook_fails);
	hook_calls = 0;
	boot_pc(PMM_EARLY_BOOTMEM);
	assert_int_equal(hook_calls, 1);
	assert_null(rel_snap_same(&snap));
	assert_int_equal(host_report_count(), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(parallel_bootmem_two_threads, teardown),
		cmocka_unit_test_teardown(parallel_memblock_two_threads, teardown),
		cmocka_unit_test_teardown(parallel_bootmem_more_threads_than_nodes, teardown),
		cmocka_unit_test_teardown(parallel_memblock_three_threads, teardown),
		cmocka_unit_test_teardown(pieces_memblock_online_thread, teardown),
		cmocka_unit_test_teardown(pieces_bootmem_two_threads, teardown),
		cmocka_unit_test_teardown(pieces_memblock_two_threads, teardown),
		cmocka_unit_test_teardown(pieces_bootmem_backwards, teardown),
		cmocka_unit_test_teardown(pieces_memblock_backwards, teardown),
		cmocka_unit_test_teardown(B07_run_on_cpus_no_jobs, teardown),
		cmocka_unit_test_teardown(B08_run_on_cpus_null_fn, teardown),
		cmocka_unit_test_teardown(B09_run_on_cpus_too_many_jobs, teardown),
		cmocka_unit_test_teardown(B10_run_on_cpus_hook_fails, teardown),
		cmocka_unit_test_teardown(B11_run_on_cpus_hook_fails_after_a_job, teardown),
		cmocka_unit_test_teardown(B11_run_on_cpus_hook_repeats_jobs, teardown),
		cmocka_unit_test_teardown(B11_run_on_cpus_hook_skips_a_job, teardown),
		cmocka_unit_test_teardown(boot_with_failing_hook_equals_serial, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
