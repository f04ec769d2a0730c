/* SPDX-License-Identifier: MIT */
/*
 * test_buddy_bulk_bounds.c - the bulk free's run on this CPU's list at
 * its limit (issue 17, docs/mutation.md): a run that brings the list to
 * exactly its high mark keeps every page listed, one page more drains a
 * batch, so the list never ends above high; the bulk allocation's run
 * stops exactly at the min watermark; a pointer one past the last
 * descriptor is refused without being read.
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

/*
 * The list holds 4 pages and the zone F more; with min = F + 2 only 2
 * pages may go (free pages plus listed pages stay above min): the run
 * pops 2, the single call for the third fails, and the call says 2.
 */
static void bulk_alloc_stops_at_min_watermark(void **state)
{
	(void)state;
	struct pmm_page *pages[BATCH] = { 0 }, *more[BATCH] = { 0 };
	struct pmm_zone *z = buddy_fix_pcp(4096, HIGH, BATCH);
	uint64_t free0 = pmm_nr_free_pages();
	assert_int_equal(pmm_alloc_pages_bulk(PMM_GFP_KERNEL, BATCH, pages), BATCH);
	assert_int_equal(pmm_free_pages_bulk(BATCH, pages), 0);
	assert_int_equal(z->pcp[0].count, BATCH);
	uint64_t min = z->free_pages + 2;
	pmm_zone_set_watermarks(z, min, min, min);
	assert_int_equal(pmm_alloc_pages_bulk(PMM_GFP_KERNEL, BATCH, more), 2);
	assert_null(more[2]);
	assert_null(pmm_check());
	assert_int_equal(pmm_free_pages_bulk(BATCH, more), 0);
	assert_int_equal(pmm_nr_free_pages(), free0);
}

/*
 * A pointer one past the last descriptor after a good page: the good page
 * is freed, the bad slot refused (EINVAL) and kept; the run must not read
 * the descriptor it points at (outside the array: ASan would say so).
 */
static void bulk_free_one_past_last_descriptor(void **state)
{
	(void)state;
	buddy_fix_pcp(4096, HIGH, BATCH);
	uint64_t free0 = pmm_nr_free_pages();
	struct pmm_page *past = pmm_pfn_to_page(4095) + 1;
	struct pmm_page *pages[2] = { pmm_alloc_page(PMM_GFP_KERNEL), past };
	assert_non_null(pages[0]);
	assert_int_equal(pmm_free_pages_bulk(2, pages), PMM_EINVAL);
	assert_null(pages[0]);
	assert_ptr_equal(pages[1], past);
	assert_null(pmm_check());
	assert_int_equal(pmm_nr_free_pages(), free0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		BUDDY_CASE(bulk_free_up_to_high_keeps_all),
		BUDDY_CASE(bulk_free_one_past_high_drains_batch),
		BUDDY_CASE(bulk_alloc_stops_at_min_watermark),
		BUDDY_CASE(bulk_free_one_past_last_descriptor),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
