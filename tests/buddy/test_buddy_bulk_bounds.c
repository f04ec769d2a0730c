/* SPDX-License-Identifier: MIT */
/*
 * test_buddy_bulk_bounds.c - the bulk free's run on this CPU's list at
 * its limit (issue 17, docs/mutation.md): a run that brings the list to
 * exactly its high mark keeps every page listed, one page more drains a
 * batch, so the list never ends above high.
 *
 * Machine: one Normal zone over [0, 4096), handed off, per-CPU lists on
 * with high 8 and batch 4; CPU 0's list emptied before each bulk free.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pmm/buddy.h>
#include <pmm/check.h>

#include "buddy_fixture.h"

#define HIGH 8u
#define BATCH 4u

/* Allocate @nr order-0 pages into @pages, then empty CPU 0's list. */
static struct pmm_zone *take_pages(struct pmm_page **pages, unsigned int nr)
{
	struct pmm_zone *z = buddy_fix_pcp(4096, HIGH, BATCH);
	for (unsigned int i = 0; i < nr; i++) {
		pages[i] = pmm_alloc_page(PMM_GFP_KERNEL);
		assert_non_null(pages[i]);
	}
	pmm_pcp_drain_cpu(0);
	assert_int_equal(z->pcp[0].count, 0);
	assert_int_equal(z->pcp[0].high, HIGH);
	return z;
}

/* HIGH pages: the list ends exactly at high, nothing drained. */
static void bulk_free_up_to_high_keeps_all(void **state)
{
	(void)state;
	struct pmm_page *pages[HIGH];
	struct pmm_zone *z = take_pages(pages, HIGH);
	assert_int_equal(pmm_free_pages_bulk(HIGH, pages), 0);
	assert_int_equal(z->pcp[0].count, HIGH);
	assert_null(pmm_check());
}

/* HIGH + 1 pages: one past high drains a batch. */
static void bulk_free_one_past_high_drains_batch(void **state)
{
	(void)state;
	struct pmm_page *pages[HIGH + 1];
	struct pmm_zone *z = take_pages(pages, HIGH + 1);
	assert_int_equal(pmm_free_pages_bulk(HIGH + 1, pages), 0);
	assert_int_equal(z->pcp[0].count, HIGH + 1 - BATCH);
	assert_null(pmm_check());
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		BUDDY_CASE(bulk_free_up_to_high_keeps_all),
		BUDDY_CASE(bulk_free_one_past_high_drains_batch),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
