/* SPDX-License-Identifier: MIT */
/*
 * test_rand.h - the one pseudo-random generator of the tests: xorshift64
 * (shifts 13, 7, 17). Seeded runs repeat exactly on every host and word
 * size, so a failing seed can be replayed.
 */
#ifndef PMM_TESTS_TEST_RAND_H
#define PMM_TESTS_TEST_RAND_H

#include <stdint.h>

/* Advance @state (never 0) and return its new value. */
static inline uint64_t test_rand_next(uint64_t *state)
{
	uint64_t x = *state;
	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	*state = x;
	return x;
}

#endif /* PMM_TESTS_TEST_RAND_H */
