/* SPDX-License-Identifier: MIT */
/*
 * run_hooks.h - run_on_cpus hooks for tests that prove the boot's jobs do
 * not depend on the order a platform runs them in.
 */
#ifndef PMM_TESTS_RUN_HOOKS_H
#define PMM_TESTS_RUN_HOOKS_H

/* A run_on_cpus hook: the jobs from the last to the first, on this CPU. */
int run_hook_backwards(void *ctx, void (*fn)(void *, unsigned int), void *arg,
		       unsigned int nr_jobs);

#endif /* PMM_TESTS_RUN_HOOKS_H */
