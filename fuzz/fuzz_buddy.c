/* SPDX-License-Identifier: MIT */
/*
 * fuzz_buddy.c - libFuzzer target: buddy allocator operation sequences
 * decoded from the input and checked against the reference model of
 * tests/support/reliability_ops.c (placement, exact error codes, reports,
 * unchanged state after every failed call, pmm_check(), page counts).
 */
#include "reliability_ops.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rel_src src = { data, size, 0, false };
	struct rel_stats st = { 0 };
	if (size < 2)
		return 0;
	rel_buddy_run(&src, 0, &st);
	return 0;
}
