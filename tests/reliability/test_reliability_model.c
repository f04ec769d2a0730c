/* SPDX-License-Identifier: MIT */
/*
 * test_reliability_model.c - the buddy allocator against the reference
 * model of tests/support/reliability_ops.c, on every machine the model
 * knows: each of the 64 combinations of zone layout (4), per-CPU lists on
 * or off, lazy buddy on or off, reserved holes for late frees, and
 * touchable or untouchable memory (and a third of them again with page
 * poisoning on) gets a fixed pseudo-random sequence of
 * 2000 operations. The model aborts on any disagreement (an error code, a
 * report, a changed state after a failed call, a misplaced block, an
 * allocation that fails while a free block exists, pmm_check()).
 * The fuzzer (fuzz/fuzz_buddy.c) and `make check-diff-long` run the same
 * model on far more sequences.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "reliability_ops.h"
#include "test_rand.h"

#define OPS_PER_MACHINE 2000
#define STREAM_BYTES (OPS_PER_MACHINE * 8)

static uint8_t stream[STREAM_BYTES];

static void fill(uint64_t seed)
{
	for (size_t i = 0; i < sizeof(stream); i++) {
		stream[i] = (uint8_t)(test_rand_next(&seed) >> 24);
	}
}

/* Machine @mode (the model's set-up byte) with seed @seed. */
static void run_machine(unsigned int mode, uint64_t seed)
{
	fill(seed);
	stream[0] = (uint8_t)mode;
	struct rel_src src = { stream, sizeof(stream), 0, false };
	struct rel_stats st = { 0 };
	uint64_t n = rel_buddy_run(&src, OPS_PER_MACHINE, &st);
	assert_true(n == OPS_PER_MACHINE);
	assert_true(st.allocs > 0 && st.frees > 0);
}

/* Modes 0..15: layouts x per-CPU lists x lazy, all memory handed off. */
static void model_agrees_plain_machines(void **state)
{
	(void)state;
	for (unsigned int mode = 0; mode < 16; mode++)
		run_machine(mode, 0x1234 + mode);
}

/* Modes 16..31: the same with reserved holes freed late. */
static void model_agrees_with_late_frees(void **state)
{
	(void)state;
	struct rel_stats total = { 0 };
	for (unsigned int mode = 16; mode < 32; mode++) {
		fill(0x5678 + mode);
		stream[0] = (uint8_t)mode;
		struct rel_src src = { stream, sizeof(stream), 0, false };
		rel_buddy_run(&src, OPS_PER_MACHINE, &total);
	}
	assert_true(total.late_frees > 0);
	assert_true(total.bad_frees > 0);
}

/* Modes 32..63: untouchable memory (no zeroing, no poisoning possible). */
static void model_agrees_untouchable_memory(void **state)
{
	(void)state;
	for (unsigned int mode = 32; mode < 64; mode++)
		run_machine(mode, 0x9abc + mode);
}

/* Modes 192..255: page poisoning on (a false use-after-free report fails). */
static void model_agrees_with_poisoning(void **state)
{
	(void)state;
	for (unsigned int mode = 192; mode < 256; mode += 3)
		run_machine(mode, 0xdef0 + mode);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(model_agrees_plain_machines),
		cmocka_unit_test(model_agrees_with_late_frees),
		cmocka_unit_test(model_agrees_untouchable_memory),
		cmocka_unit_test(model_agrees_with_poisoning),
	};
	return cmocka_run_group_tests_name("buddy vs reference model", tests, NULL, NULL);
}
