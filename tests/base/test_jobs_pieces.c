/* SPDX-License-Identifier: MIT */
/*
 * test_jobs_pieces.c - pmm_run_pieces() and pmm_piece_start()
 * (src/base/jobs.c), the cutting of the boot's per-node hand-off into a
 * few jobs per node.
 *
 * What they promise: every piece of every group runs exactly once; a
 * group's pieces run in order and never two at once, whatever order the
 * run_on_cpus hook runs the jobs in (in order, backwards, on two
 * threads, one job inside another's piece: a job passes a busy group by); groups get min(PMM_PIECES_MAX, PMM_JOBS_MAX / groups) pieces,
 * one group one piece; bad calls run nothing (row B12 of docs/errors.md).
 * The cuts fall on multiples of 2^order, cover [start, end) without a gap
 * or an overlap, and do not wrap at the top of the pfn space.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <pmm/platform.h>

#include "../../src/base/platform_internal.h"
#include "host_platform.h"
#include "run_hooks.h"

/* What the pieces saw: per group, the pieces in the order they ran. */
struct piece_log {
	unsigned int ran[PMM_JOBS_MAX];                  /* pieces run, per group */
	unsigned int order[PMM_JOBS_MAX][PMM_PIECES_MAX]; /* piece numbers, in run order */
	unsigned int pieces[PMM_JOBS_MAX];               /* the @pieces each was told */
	unsigned int inside[PMM_JOBS_MAX];               /* pieces running now (0 or 1) */
	unsigned int overlaps;                           /* a group's pieces at once */
	unsigned int bad;                                /* group or piece out of range */
};

static struct piece_log plog;

static void piece(void *arg, unsigned int group, unsigned int p, unsigned int pieces)
{
	struct piece_log *l = arg;
	if (group >= PMM_JOBS_MAX || p >= pieces || pieces > PMM_PIECES_MAX) {
		__atomic_fetch_add(&l->bad, 1, __ATOMIC_RELAXED);
		return;
	}
	if (__atomic_fetch_add(&l->inside[group], 1, __ATOMIC_ACQ_REL) != 0)
		__atomic_fetch_add(&l->overlaps, 1, __ATOMIC_RELAXED);
	unsigned int k = l->ran[group]++;
	if (k < PMM_PIECES_MAX)
		l->order[group][k] = p;
	l->pieces[group] = pieces;
	__atomic_fetch_sub(&l->inside[group], 1, __ATOMIC_ACQ_REL);
}

static void install(unsigned int cpus)
{
	struct host_platform_options o = { .phys_size = 1 << 20, .quiet = true,
					   .quiet_reports = true, .cpus = cpus };
	assert_int_equal(host_platform_install(&o), 0);
	memset(&plog, 0, sizeof(plog));
}

static int teardown(void **state)
{
	(void)state;
	host_platform_remove();
	return 0;
}

static void set_hook(int (*hook)(void *, void (*)(void *, unsigned int), void *,
				 unsigned int))
{
	struct pmm_platform p = *pmm_platform_get();
	p.run_on_cpus = hook;
	pmm_platform_set(&p);
}

/*
 * A hook whose job 0, inside its first piece (group 0, piece 0), has job
 * 1 run to the end on the same stack: as if another CPU ran job 1 while
 * job 0 had lost its CPU holding group 0. Job 1 must pass group 0 by (not
 * wait: that would never end) and run the rest; job 0 then finds group
 * 0's other pieces left to it.
 */
static void (*nested_fn)(void *, unsigned int);
static void *nested_arg;
static unsigned int nested_runs;
static unsigned int ran_by_nested[PMM_JOBS_MAX]; /* pieces run when job 1 returned */

static void piece_nesting(void *arg, unsigned int group, unsigned int p,
			  unsigned int pieces)
{
	piece(arg, group, p, pieces);
	if (group == 0 && p == 0 && nested_runs++ == 0) {
		nested_fn(nested_arg, 1);
		memcpy(ran_by_nested, plog.ran, sizeof(ran_by_nested));
	}
}

static int hook_nested(void *ctx, void (*fn)(void *, unsigned int), void *arg,
		       unsigned int nr_jobs)
{
	(void)ctx;
	nested_fn = fn;
	nested_arg = arg;
	fn(arg, 0);
	for (unsigned int j = 2; j < nr_jobs; j++)
		fn(arg, j);
	return 0;
}

/* Every group ran @pieces pieces, 0, 1, ... in order, none at once. */
static void each_group_in_order(unsigned int nr_groups, unsigned int pieces)
{
	assert_int_equal(plog.bad, 0);
	assert_int_equal(plog.overlaps, 0);
	for (unsigned int g = 0; g < PMM_JOBS_MAX; g++) {
		assert_int_equal(plog.ran[g], g < nr_groups ? pieces : 0);
		for (unsigned int k = 0; g < nr_groups && k < pieces; k++) {
			assert_int_equal(plog.order[g][k], k);
			assert_int_equal(plog.pieces[g], pieces);
		}
	}
	assert_int_equal(host_report_count(), 0);
}

static void run(unsigned int nr_groups, unsigned int pieces)
{
	assert_int_equal(pmm_run_pieces(piece, &plog, nr_groups), 0);
	each_group_in_order(nr_groups, pieces);
	memset(&plog, 0, sizeof(plog));
}

/* No hook: the pieces per group for 1, 2, 16, 20, 32 and 64 groups. */
static void pieces_per_group(void **state)
{
	(void)state;
	install(0);
	run(1, 1);
	run(2, PMM_PIECES_MAX);
	run(16, PMM_PIECES_MAX);
	run(20, PMM_JOBS_MAX / 20);
	run(32, PMM_JOBS_MAX / 32);
	run(PMM_JOBS_MAX, 1);
}

/* A hook that runs the jobs backwards: each group's pieces still in order. */
static void pieces_in_order_backwards(void **state)
{
	(void)state;
	install(0);
	set_hook(run_hook_backwards);
	run(16, PMM_PIECES_MAX);
	run(3, PMM_PIECES_MAX);
}

/* A job passes by a group another job is in; no piece is left behind. */
static void pieces_pass_a_busy_group_by(void **state)
{
	(void)state;
	install(0);
	set_hook(hook_nested);
	nested_runs = 0;
	assert_int_equal(pmm_run_pieces(piece_nesting, &plog, 4), 0);
	/* job 1 ran inside group 0's first piece: group 0 was busy then, and
	 * job 1 went round the others and ran every piece of theirs */
	assert_int_equal(nested_runs, 1);
	assert_int_equal(ran_by_nested[0], 1);
	for (unsigned int g = 1; g < 4; g++)
		assert_int_equal(ran_by_nested[g], PMM_PIECES_MAX);
	assert_int_equal(plog.overlaps, 0);
	each_group_in_order(4, PMM_PIECES_MAX);
}

/* Two and three threads: every piece once, a group's never at once. */
static void pieces_in_order_on_threads(void **state)
{
	(void)state;
	install(2);
	for (unsigned int i = 0; i < 50; i++)
		run(2 + i % 15, PMM_PIECES_MAX); /* 2..16 groups: all get the most */
	install(3);
	for (unsigned int i = 0; i < 50; i++)
		run(16, PMM_PIECES_MAX);
}

/* B12: bad calls run nothing and leave the state as it was. */
static void B12_run_pieces_refused(void **state)
{
	(void)state;
	install(2);
	struct piece_log before;
	memcpy(&before, &plog, sizeof(before));
	assert_int_equal(pmm_run_pieces(NULL, &plog, 4), PMM_EINVAL);
	assert_int_equal(pmm_run_pieces(piece, &plog, 0), PMM_EINVAL);
	assert_int_equal(pmm_run_pieces(piece, &plog, PMM_JOBS_MAX + 1), PMM_EINVAL);
	assert_memory_equal(&before, &plog, sizeof(before));
	assert_int_equal(host_report_count(), 0);
}

/* The cuts of [@s, @e) into @n pieces at 2^@order: aligned, in order, covering. */
static void cuts_cover(pmm_pfn_t s, pmm_pfn_t e, unsigned int n, pmm_order_t order)
{
	const pmm_pfn_t align = (pmm_pfn_t)1 << order;
	assert_true(pmm_piece_start(s, e, 0, n, order) == s);
	assert_true(pmm_piece_start(s, e, n, n, order) == e);
	pmm_pfn_t prev = s;
	for (unsigned int k = 1; k < n; k++) {
		pmm_pfn_t at = pmm_piece_start(s, e, k, n, order);
		assert_true(at >= prev && at <= e);
		assert_true(at == e || at % align == 0);
		prev = at;
	}
}

/*
 *   [s ............................................... e)
 *   |  piece 0  |  piece 1  |  piece 2  |  piece 3       |
 *               ^ cuts on multiples of 2^order
 */
static void piece_start_cuts(void **state)
{
	(void)state;
	assert_true(pmm_piece_start(0, 4096, 1, 4, 10) == 1024);
	assert_true(pmm_piece_start(0, 4096, 3, 4, 10) == 3072);
	/* 1000 + 3000 / 4 = 1750, rounded up to 2048 */
	assert_true(pmm_piece_start(1000, 4000, 1, 4, 10) == 2048);
	/* a piece that would start past the end starts at the end: empty */
	assert_true(pmm_piece_start(1000, 1500, 1, 4, 10) == 1500);
	assert_true(pmm_piece_start(1000, 1500, 3, 4, 10) == 1500);
	/* an empty or reversed range cuts nowhere */
	assert_true(pmm_piece_start(500, 500, 2, 4, 10) == 500);
	assert_true(pmm_piece_start(700, 500, 2, 4, 10) == 700);
	cuts_cover(1, 268435456, 4, 10);
	cuts_cover(12345, 9876543, 3, 10);
	cuts_cover(12345, 9876543, 4, 0);
	/* near the top of the pfn space the rounding does not wrap */
	cuts_cover(~(pmm_pfn_t)0 - 5000, ~(pmm_pfn_t)0, 4, 10);
	assert_true(pmm_piece_start(~(pmm_pfn_t)0 - 100, ~(pmm_pfn_t)0, 2, 4, 10) ==
		    ~(pmm_pfn_t)0);
}

#define CASE(f) cmocka_unit_test_teardown(f, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		CASE(pieces_per_group),
		CASE(pieces_in_order_backwards),
		CASE(pieces_pass_a_busy_group_by),
		CASE(pieces_in_order_on_threads),
		CASE(B12_run_pieces_refused),
		cmocka_unit_test(piece_start_cuts),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
