/* SPDX-License-Identifier: MIT */
/*
 * reliability_ops.h - differential runs of the buddy allocator against a
 * reference model, driven by a byte stream: the fuzzer's input, or a seeded
 * pseudo-random stream for long runs.
 *
 * The stream's first bytes pick a machine (zone layout, per-CPU lists on or
 * off and their sizes, lazy buddy, pages left reserved for late frees);
 * every further byte pair is an operation: allocate (every entry point,
 * every zone flag, good and bad orders and nodes), free (every entry point),
 * get/put references, bad frees (wrong order, inside a block, double free,
 * reserved, out of range), late frees of ranges, CPU switches, per-CPU
 * drains, lazy on/off, full checks, bulk allocations and frees of order-0
 * pages (a free page in the middle of a bulk free), contiguous runs (pmm_alloc_contig(),
 * any count, a window, alignment) and placed ranges (pmm_alloc_range(),
 * exact result and first busy pfn without per-CPU lists), whose blocks
 * join the model and are freed like any other. The model predicts each result exactly
 * (error codes, reports) and proves placement valid (aligned, in an allowed
 * zone, disjoint from every live block); an allocation may fail only when
 * the model knows no free aligned block in the allowed zones. Failed calls
 * must leave the state byte for byte unchanged; pmm_check() must pass.
 * Any disagreement prints the operation and aborts.
 */
#ifndef PMM_TESTS_RELIABILITY_OPS_H
#define PMM_TESTS_RELIABILITY_OPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A byte stream: @p/@n, or (random) xorshift64* from @rng. */
struct rel_src {
	const uint8_t *p;
	size_t n;
	uint64_t rng;
	bool random;
};

struct rel_stats {
	uint64_t ops;
	uint64_t allocs, alloc_fail, frees, bad_frees, late_frees, checks;
};

/*
 * Run one machine: set it up from @src, apply operations until the stream
 * ends (or @max_ops, 0 = no limit), free everything and check.
 * Return: operations applied (aborts on any disagreement).
 */
uint64_t rel_buddy_run(struct rel_src *src, uint64_t max_ops,
		       struct rel_stats *st);

#endif /* PMM_TESTS_RELIABILITY_OPS_H */
