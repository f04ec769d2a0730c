/* SPDX-License-Identifier: MIT */
/*
 * run_hooks.c - run_on_cpus hooks for tests (see run_hooks.h).
 */
#include "run_hooks.h"

int run_hook_backwards(void *ctx, void (*fn)(void *, unsigned int), void *arg,
		       unsigned int nr_jobs)
{
	(void)ctx;
	for (unsigned int j = nr_jobs; j-- > 0;)
		fn(arg, j);
	return 0;
}
