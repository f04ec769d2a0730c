/* SPDX-License-Identifier: MIT */
/*
 * test_buddy_marks.c - the buddy layer's side of known-zero blocks
 * (src/buddy/buddy_marks.c), seen from the buddy tests (issue 17: the
 * elastic tests that also cover it are not run against the buddy files'
 * mutants): a block put back zero merges with its known-zero buddies up
 * to the top order and keeps the mark; a zeroed request served by a
 * fallback from another type's list takes a known-zero block and skips
 * the memset.
 *
 * Machine: one Normal zone over [0, 4096), handed off (pfn 0 reserved),
 * per-CPU lists off, every pageblock movable; pmm_zero_idle() has marked
 * every free block zero:
 *
 *   pfn 0 1  2-3  4-7 ... 512-1023  1024-2047  2048-3071  3072-4095
 *       x Z0  Z1   Z2       Z9        Z10        Z10        Z10
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <pmm/buddy.h>
#include <pmm/check.h>
#include <pmm/elastic.h>

#include "buddy_fixture.h"
#include "host_platform.h"

#include "../../src/buddy/buddy_internal.h"

static struct pmm_zone *zeroed_machine(void)
{
	assert_int_equal(buddy_setup_simple(4096), 0);
	assert_int_equal(pmm_zero_idle(100000), 4095);
	assert_int_equal(pmm_mem_map[1024].info,
			 PMM_PG_BUDDY | PMM_PG_ZERO | PMM_MAX_ORDER);
	return buddy_zone(PMM_ZONE_NORMAL);
}

/* A page of a zero top block (the low blocks 1..1023 taken first), put
 * back zero: its buddies are known zero, so the top block comes back
 * whole and marked. */
static void put_zero_merges_to_top_order_marked(void **state)
{
	(void)state;
	struct pmm_zone *z = zeroed_machine();
	struct pmm_page *low[10];
	for (pmm_order_t k = 0; k < 10; k++) {
		low[k] = pmm_alloc_pages(PMM_GFP_USER_MOVABLE, k);
		assert_int_equal(pmm_page_to_pfn(low[k]), pmm_order_pages(k));
	}
	struct pmm_page *p = pmm_alloc_pages(PMM_GFP_USER_MOVABLE | PMM_GFP_ZERO, 0);
	assert_non_null(p);
	pmm_pfn_t pfn = pmm_page_to_pfn(p);
	pmm_pfn_t head = pfn & ~(pmm_order_pages(PMM_MAX_ORDER) - 1);
	assert_int_equal(pmm_mem_map[pfn ^ 1].info, PMM_PG_BUDDY | PMM_PG_ZERO | 0);
	zone_lock(z);
	pmm_page_clear(p);
	pmm_buddy_put_zero_locked(z, pfn, 0);
	zone_unlock(z);
	assert_int_equal(pmm_mem_map[head].info,
			 PMM_PG_BUDDY | PMM_PG_ZERO | PMM_MAX_ORDER);
	assert_int_equal(z->marks.zero_pages, 4095 - 1023);
	assert_null(pmm_check());
	for (pmm_order_t k = 0; k < 10; k++)
		assert_int_equal(pmm_free_pages(low[k], k), 0);
	assert_null(pmm_check());
}

/*
 * Unmovable and zeroed: no unmovable list ends in a known-zero block, the
 * take falls back to a movable one, which is known zero: no memset, so a
 * byte planted in every free page after the zeroing is still there.
 */
static void fallback_take_of_zero_block_skips_memset(void **state)
{
	(void)state;
	zeroed_machine();
	for (pmm_pfn_t pfn = 1; pfn < 4096; pfn++)
		*(unsigned char *)host_phys_ptr(PMM_PFN_PHYS(pfn) + 16) = 0x77;
	struct pmm_page *p = pmm_alloc_pages(PMM_GFP_KERNEL | PMM_GFP_ZERO, 0);
	assert_non_null(p);
	pmm_pfn_t pfn = pmm_page_to_pfn(p);
	assert_int_equal(*(unsigned char *)host_phys_ptr(PMM_PFN_PHYS(pfn) + 16), 0x77);
	for (pmm_pfn_t q = 1; q < 4096; q++)
		*(unsigned char *)host_phys_ptr(PMM_PFN_PHYS(q) + 16) = 0;
	assert_int_equal(pmm_free_page(p), 0);
	assert_null(pmm_check());
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		BUDDY_CASE(put_zero_merges_to_top_order_marked),
		BUDDY_CASE(fallback_take_of_zero_block_skips_memset),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
