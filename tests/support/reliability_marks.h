/* SPDX-License-Identifier: MIT */
/*
 * reliability_marks.h - the oracle of the reported and known-zero marks
 * (pmm/elastic.h) that the differential model and fuzz_elastic share.
 */
#ifndef PMM_TESTS_RELIABILITY_MARKS_H
#define PMM_TESTS_RELIABILITY_MARKS_H

#include <stdbool.h>

#include <pmm/types.h>

/*
 * Return: NULL, or what is wrong (static text): a reported or known-zero
 * head of [0, @npages) over a page that @is_used says is allocated; the
 * host's reported less reclaimed pages unlike pmm's count; a known-zero
 * block with a byte that is not zero (read only when @read_memory).
 */
const char *rel_marks_check(bool (*is_used)(pmm_pfn_t pfn), pmm_pfn_t npages,
			    bool read_memory);

#endif /* PMM_TESTS_RELIABILITY_MARKS_H */
