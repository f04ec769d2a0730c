/* SPDX-License-Identifier: MIT */
/*
 * test_buddy_pfn_in.c - pmm_page_pfn_in(), the descriptor proof of every
 * free (a pointer is a descriptor of the array exactly when its byte
 * offset is a multiple of 12 below 12 * max_pfn), against the plain
 * arithmetic: every offset of the first descriptors and around the
 * array's end, pointers below the array, offsets spread over the whole
 * address space, and the largest array the address space holds (where
 * the folded boundary test has the least room). The pointers are never
 * read, so no array is allocated.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "../../src/buddy/buddy_internal.h"

/* A map address that no test reads through, aligned as a descriptor. */
#define FAKE_MAP ((uintptr_t)0x10000000u)

/* What pmm_page_pfn_in() must answer, by division. */
static bool expected_pfn_in(uintptr_t off, pmm_pfn_t max_pfn, pmm_pfn_t *pfn)
{
	*pfn = (pmm_pfn_t)(off / sizeof(struct pmm_page));
	return off % sizeof(struct pmm_page) == 0 && *pfn < max_pfn;
}

/* Check the answer for the byte offset @off from a map of @max_pfn. */
static void check_offset(uintptr_t map, uintptr_t off, pmm_pfn_t max_pfn)
{
	pmm_pfn_t got_pfn = 0, want_pfn = 0;
	const struct pmm_page *page = (const struct pmm_page *)(map + off);
	bool got = pmm_page_pfn_in((const struct pmm_page *)map, max_pfn, page,
				   &got_pfn);
	bool want = expected_pfn_in(off, max_pfn, &want_pfn);
	if (got != want || (want && got_pfn != want_pfn))
		fail_msg("offset 0x%llx, max_pfn %llu: got %d pfn %llu, want %d pfn %llu",
			 (unsigned long long)off, (unsigned long long)max_pfn,
			 got, (unsigned long long)got_pfn, want,
			 (unsigned long long)want_pfn);
}

/* Every byte offset of the first 4096 descriptors and one past them. */
static void every_offset_of_a_small_map(void **state)
{
	(void)state;
	for (uintptr_t off = 0; off < 12u * 4097u; off++)
		check_offset(FAKE_MAP, off, 4096);
}

/* Pointers 1..4096 bytes below the map wrap to offsets near 2^N. */
static void pointers_below_the_map(void **state)
{
	(void)state;
	for (uintptr_t back = 1; back <= 4096; back++)
		check_offset(FAKE_MAP, (uintptr_t)0 - back, 4096);
}

/* No map: max_pfn 0 refuses every pointer, the map's own included. */
static void no_map_refuses_everything(void **state)
{
	(void)state;
	for (uintptr_t off = 0; off < 64; off++)
		check_offset(0, off, 0);
}

/* A small xorshift, so that the spread is the same in every run. */
static uint64_t next_random(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/*
 * The largest array the address space holds: max_pfn = floor(2^N / 12).
 * Offsets at every distance from a multiple of 12 all over the address
 * space, and every offset around the last descriptors.
 */
static void the_largest_map_the_address_space_holds(void **state)
{
	(void)state;
	const uintptr_t max_pfn = UINTPTR_MAX / sizeof(struct pmm_page);
	uint64_t seed = 0x9e3779b97f4a7c15ull;
	for (int i = 0; i < 200000; i++) {
		uintptr_t base = (uintptr_t)next_random(&seed);
		base -= base % sizeof(struct pmm_page);
		for (uintptr_t d = 0; d < sizeof(struct pmm_page); d++)
			check_offset(0, base + d, max_pfn);
	}
	uintptr_t end = max_pfn * sizeof(struct pmm_page);
	for (uintptr_t off = end - 12u * 64u; off != end + 4u; off++)
		check_offset(0, off, max_pfn);
}

/* Offsets whose quarter is a multiple of 3 only after the rotation. */
static void unaligned_offsets_that_rotate_to_multiples_of_3(void **state)
{
	(void)state;
	const uintptr_t max_pfn = UINTPTR_MAX / sizeof(struct pmm_page);
	const unsigned int bits = (unsigned int)sizeof(uintptr_t) * 8;
	for (uintptr_t low = 1; low < 4; low++)
		for (uintptr_t k = 0; k < 3u * 4096u; k++) {
			uintptr_t quarter = (low << (bits - 2)) | k;
			if (quarter % 3 != 0)
				continue;
			check_offset(0, (quarter << 2) | low, max_pfn);
		}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_offset_of_a_small_map),
		cmocka_unit_test(pointers_below_the_map),
		cmocka_unit_test(no_map_refuses_everything),
		cmocka_unit_test(the_largest_map_the_address_space_holds),
		cmocka_unit_test(unaligned_offsets_that_rotate_to_multiples_of_3),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
