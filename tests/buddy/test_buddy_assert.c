/* SPDX-License-Identifier: MIT */
/*
 * test_buddy_assert.c - the buddy layer's assertion levels fire: at
 * PMM_DEBUG >= 2 a _locked function called without its zone lock, at
 * PMM_DEBUG == 3 a corrupted free list found by the zone's validator
 * within PMM_VALIDATE_EVERY locked operations. The platform's bug hook
 * longjmps out of the failed assertion (which would trap otherwise).
 * Below those levels each case is skipped.
 *
 * Every case: Normal [0, 4096), handed off, per-CPU lists off, so
 *   |0|1|2-3|...|512-1023|1024-2047|2048-3071|3072-4095|
 *    x o0 o1      o9       o10       o10       o10
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "buddy_setup.h"

#include "../../src/buddy/buddy_internal.h"

static jmp_buf bug_jump;
static char bug_msg[512];
static int bug_err;

static void bug_longjmp(void *ctx, int err, const char *func, const char *msg)
{
	(void)ctx;
	bug_err = err;
	snprintf(bug_msg, sizeof(bug_msg), "%s: %s", func, msg);
	longjmp(bug_jump, 1);
}

static int setup(void **state)
{
	(void)state;
	assert_int_equal(buddy_setup_simple(4096), 0);
	struct pmm_platform p = *pmm_platform_get();
	p.bug = bug_longjmp;
	pmm_platform_set(&p);
	bug_msg[0] = '\0';
	bug_err = 0;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	buddy_teardown();
	return 0;
}

/* Level 2: pmm_buddy_take_locked() without the zone lock stops at once. */
static void test_locked_call_without_lock(void **state)
{
	(void)state;
	if (PMM_DEBUG < 2)
		skip();
	struct pmm_zone *z = buddy_zone(PMM_ZONE_NORMAL);
	uint64_t free_before = z->free_pages;
	pmm_pfn_t pfn = 0;
	if (setjmp(bug_jump) == 0) {
		pmm_buddy_take_locked(z, 0, PMM_MT_MOVABLE, &pfn);
		fail_msg("no assertion without the lock (pfn 0x%llx)",
			 (unsigned long long)pfn);
	}
	assert_int_equal(bug_err, PMM_ECORRUPT);
	assert_non_null(strstr(bug_msg, "buddy_take_locked"));
	assert_non_null(strstr(bug_msg, "pmm_lock_held"));
	assert_int_equal(z->free_pages, free_before); /* nothing changed */
	assert_null(pmm_check());
}

/*
 * Level 3: the second head of the order-10 list loses its back link (only
 * a walk of the list sees it: order-0 traffic never touches that block);
 * order-0 allocations and frees reach the validator within
 * PMM_VALIDATE_EVERY locked operations.
 */
static void test_validator_finds_corrupt_list(void **state)
{
	(void)state;
	if (PMM_DEBUG < 3)
		skip();
	struct pmm_zone *z = buddy_zone(PMM_ZONE_NORMAL);
	pmm_buddy_deferred_finish(); /* every head written, to corrupt one */
	uint32_t first = z->free_area[PMM_MAX_ORDER].head[PMM_MT_MOVABLE];
	assert_int_not_equal(first, 0);
	uint32_t second = pmm_mem_map[first - 1].next;
	assert_int_not_equal(second, 0);
	pmm_mem_map[second - 1].prev = 0;
	unsigned int ops = 0;
	if (setjmp(bug_jump) == 0) {
		for (; ops < 2 * PMM_VALIDATE_EVERY; ops++) {
			struct pmm_page *p = pmm_alloc_page(PMM_GFP_MOVABLE);
			assert_non_null(p);
			assert_int_equal(pmm_free_page(p), 0);
		}
		fail_msg("validator silent after %u alloc/free pairs", ops);
	}
	assert_true(ops <= PMM_VALIDATE_EVERY / 2);
	assert_int_equal(bug_err, PMM_ECORRUPT);
	assert_non_null(strstr(bug_msg, "pmm_buddy_validate_locked"));
	assert_non_null(strstr(bug_msg, "free list 10"));
	zone_unlock(z); /* the assertion left the zone locked */
	pmm_mem_map[second - 1].prev = first;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_locked_call_without_lock,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_validator_finds_corrupt_list,
						setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
