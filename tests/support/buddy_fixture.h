/* SPDX-License-Identifier: MIT */
/*
 * buddy_fixture.h - cmocka fixtures over buddy_setup.h, shared by the unit
 * tests of the buddy allocator and of the layers above it. buddy_setup.c
 * stays free of cmocka (the fuzz and stress targets link it); what asserts
 * lives here.
 *
 *   BUDDY_CASE(case)              the case builds its machine itself
 *   BUDDY_CASE_DMA_NORMAL(case)   the case runs on the DMA + Normal machine
 *
 * Every fixture builds its machine from nothing and buddy_fix_teardown()
 * frees it, so no state crosses from one case to the next.
 */
#ifndef PMM_TESTS_BUDDY_FIXTURE_H
#define PMM_TESTS_BUDDY_FIXTURE_H

#include "buddy_setup.h"

/*
 * cmocka set-up: node 0 with DMA and Normal, every page but pfn 0 handed
 * off, per-CPU lists off.
 *
 *   pfn 0      4096             16384
 *      | DMA   |     Normal     |
 */
int buddy_fix_setup_dma_normal(void **state);

/* cmocka tear-down: buddy_teardown(). */
int buddy_fix_teardown(void **state);

/*
 * One Normal zone over [0, @pages) on node 0, handed off, per-CPU lists
 * kept; @high/@batch set them unless @high is 0 (then the defaults stay).
 * Return: the Normal zone.
 */
struct pmm_zone *buddy_fix_pcp(pmm_pfn_t pages, uint32_t high, uint32_t batch);

/* cmocka_unit_test_* entries with the fixtures above. */
#define BUDDY_CASE(f) cmocka_unit_test_teardown(f, buddy_fix_teardown)
#define BUDDY_CASE_DMA_NORMAL(f) \
	cmocka_unit_test_setup_teardown(f, buddy_fix_setup_dma_normal, buddy_fix_teardown)

/* Fail the running case with pmm_check()'s words if any invariant broke. */
void buddy_assert_clean(void);

struct rel_snap;
/*
 * The state equals @s byte for byte (reliability_snap.h), pmm_check()
 * passes, and @reports reports came since the count was @reports_before,
 * the last with @err.
 */
void buddy_expect_snap(const struct rel_snap *s, unsigned int reports_before,
		       unsigned int reports, int err);

#endif /* PMM_TESTS_BUDDY_FIXTURE_H */
