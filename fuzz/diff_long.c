/* SPDX-License-Identifier: MIT */
/*
 * diff_long.c - long differential runs of the buddy allocator against the
 * reference model (tests/support/reliability_ops.c), fed by a seeded
 * pseudo-random stream instead of the fuzzer.
 *
 *   diff_long [OPS [SEED]]     defaults: PMM_DIFF_OPS, PMM_DIFF_SEED,
 *                              else 1000000 operations, seed 1
 *
 * Every PMM_DIFF_ROUND operations (default 200000) the machine is torn
 * down (everything freed, checked) and a new one drawn from the stream, so
 * a long run visits every layout and mode. Prints operations, time and
 * what the operations were; exits non-zero (abort) on any disagreement.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "reliability_ops.h"

static uint64_t env_or(const char *name, const char *arg, uint64_t def)
{
	const char *s = arg ? arg : getenv(name);
	return s && *s ? strtoull(s, NULL, 0) : def;
}

int main(int argc, char **argv)
{
	uint64_t ops = env_or("PMM_DIFF_OPS", argc > 1 ? argv[1] : NULL, 1000000);
	uint64_t seed = env_or("PMM_DIFF_SEED", argc > 2 ? argv[2] : NULL, 1);
	uint64_t round = env_or("PMM_DIFF_ROUND", NULL, 200000);
	struct rel_src src = { NULL, 0, seed * 0x9e3779b97f4a7c15ull + 1, true };
	struct rel_stats st = { 0 };
	struct timespec t0, t1;
	unsigned int machines = 0;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (st.ops < ops) {
		uint64_t n = ops - st.ops < round ? ops - st.ops : round;
		rel_buddy_run(&src, n, &st);
		machines++;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	double secs = (double)(t1.tv_sec - t0.tv_sec) +
		      (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	printf("diff-long: %" PRIu64 " operations, seed %" PRIu64 ", %u machines, "
	       "%.1f s (%.2f Mops/s)\n", st.ops, seed, machines, secs,
	       (double)st.ops / secs / 1e6);
	printf("diff-long: %" PRIu64 " allocations (%" PRIu64 " failed, each "
	       "proven unavoidable), %" PRIu64 " frees, %" PRIu64 " bad frees, "
	       "%" PRIu64 " late frees, %" PRIu64 " full checks: model agrees\n",
	       st.allocs, st.alloc_fail, st.frees, st.bad_frees, st.late_frees,
	       st.checks);
	return 0;
}
