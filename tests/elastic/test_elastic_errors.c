/* SPDX-License-Identifier: MIT */
/*
 * test_elastic_errors.c - the rows R01..R10 of docs/errors.md (section
 * "Elastic memory"): every bad input to pmm/elastic.h gets its documented
 * error, no report, the descriptors, zones and pair bitmaps are byte for
 * byte what they were (tests/support/reliability_snap.c), the settings
 * are unchanged and pmm_check() passes. The row id is in each case's name.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pmm/buddy.h>
#include <pmm/debug.h>
#include <pmm/elastic.h>

#include "buddy_setup.h"
#include "host_platform.h"
#include "reliability_snap.h"

/* ------------------------------------------------------------------ */
/* One Normal zone [0, 16384), all free but pfn 0, host reporting hooks */
/* on, reporting order 9 in batches of 1; per-CPU lists off. One order-9 */
/* block [512, 1024) is already reported (so a state to keep exists).   */
/* ------------------------------------------------------------------ */

#define MAX_PFN 16384

static struct rel_snap snap;
static unsigned int reports_before;
static uint64_t host_reported_before;

static void mark(void)
{
	rel_snap_take(&snap);
	reports_before = host_report_count();
	host_reported_before = host_reported_pages();
}

static int setup_opts(const struct buddy_setup_opts *o)
{
	assert_int_equal(buddy_setup(o), 0);
	assert_int_equal(pmm_report_set(9, 1), 0);
	assert_int_equal(pmm_report_free_pages(1), 1);
	mark();
	return 0;
}

static int re_setup(void **state)
{
	(void)state;
	return setup_opts(&(struct buddy_setup_opts){
		.max_pfn = MAX_PFN, .handoff = true, .reporting = true });
}

static int re_teardown(void **state)
{
	(void)state;
	pmm_debug_set_poison(false);
	rel_snap_release(&snap);
	buddy_teardown();
	return 0;
}

/* Unchanged since mark(): state, reports, the host's count, and the
 * settings (a pass of 1 still reports exactly one more block). */
static void unchanged(void)
{
	const char *why = rel_snap_same(&snap);
	if (why)
		fail_msg("%s", why);
	assert_null(pmm_check());
	assert_int_equal(host_report_count(), reports_before);
	assert_int_equal(host_reported_pages(), host_reported_before);
}

/* The settings are still order 9, batch 1: the next pass of 1 reports
 * one block of order >= 9. */
static void settings_kept(void)
{
	struct pmm_report_stats st;
	assert_int_equal(pmm_report_free_pages(1), 1);
	pmm_report_stats(&st);
	assert_int_equal(st.reported_blocks, 2);
}

static void R01_report_order_below_minimum(void **state)
{
	(void)state;
	assert_int_equal(pmm_report_set(PMM_REPORT_ORDER_MIN - 1, 1), PMM_EORDER);
	assert_int_equal(pmm_report_set(0, 1), PMM_EORDER);
	unchanged();
	settings_kept();
}

static void R02_report_order_above_max(void **state)
{
	(void)state;
	assert_int_equal(pmm_report_set(PMM_MAX_ORDER + 1, 1), PMM_EORDER);
	assert_int_equal(pmm_report_set(31, 1), PMM_EORDER);
	unchanged();
	settings_kept();
}

static void R03_report_batch_zero_or_too_large(void **state)
{
	(void)state;
	assert_int_equal(pmm_report_set(9, 0), PMM_EINVAL);
	assert_int_equal(pmm_report_set(9, PMM_REPORT_BATCH_MAX + 1), PMM_EINVAL);
	unchanged();
	settings_kept();
}

static void R04_report_zero_budget(void **state)
{
	(void)state;
	assert_int_equal(pmm_report_free_pages(0), PMM_EINVAL);
	unchanged();
}

static void R05_report_budget_past_int_max(void **state)
{
	(void)state;
	assert_int_equal(pmm_report_free_pages(0x80000000u), PMM_EINVAL);
	assert_int_equal(pmm_report_free_pages(UINT32_MAX), PMM_EINVAL);
	unchanged();
}

static void R06_report_without_hook(void **state)
{
	(void)state;
	struct pmm_platform p = *pmm_platform_get();
	struct pmm_platform saved = p;
	p.report_free = NULL;
	pmm_platform_set(&p);
	assert_int_equal(pmm_report_free_pages(10), PMM_ESTATE);
	pmm_platform_set(&saved);
	unchanged();
}

static void R07_report_and_zero_while_poisoning(void **state)
{
	(void)state;
	pmm_debug_set_poison(true);
	assert_int_equal(pmm_report_free_pages(10), PMM_ESTATE);
	assert_int_equal(pmm_zero_idle(10), PMM_ESTATE);
	pmm_debug_set_poison(false);
	unchanged();
}

static void R08_zero_idle_zero_budget(void **state)
{
	(void)state;
	assert_int_equal(pmm_zero_idle(0), PMM_EINVAL);
	unchanged();
}

static void R09_zero_idle_budget_past_int_max(void **state)
{
	(void)state;
	assert_int_equal(pmm_zero_idle(0x80000000u), PMM_EINVAL);
	unchanged();
}

static int decline_setup(void **state)
{
	(void)state;
	assert_int_equal(buddy_setup(&(struct buddy_setup_opts){
		.max_pfn = MAX_PFN, .handoff = true, .reporting = true,
		.report_declines = true }), 0);
	assert_int_equal(pmm_report_set(9, 1), 0);
	mark();
	return 0;
}

/* Not a bad input, but the same contract: the hypervisor took nothing,
 * so nothing is marked. */
static void R10_report_declined(void **state)
{
	(void)state;
	assert_int_equal(pmm_report_free_pages(100), 0);
	unchanged();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(R01_report_order_below_minimum, re_setup, re_teardown),
		cmocka_unit_test_setup_teardown(R02_report_order_above_max, re_setup, re_teardown),
		cmocka_unit_test_setup_teardown(R03_report_batch_zero_or_too_large, re_setup, re_teardown),
		cmocka_unit_test_setup_teardown(R04_report_zero_budget, re_setup, re_teardown),
		cmocka_unit_test_setup_teardown(R05_report_budget_past_int_max, re_setup, re_teardown),
		cmocka_unit_test_setup_teardown(R06_report_without_hook, re_setup, re_teardown),
		cmocka_unit_test_setup_teardown(R07_report_and_zero_while_poisoning, re_setup, re_teardown),
		cmocka_unit_test_setup_teardown(R08_zero_idle_zero_budget, re_setup, re_teardown),
		cmocka_unit_test_setup_teardown(R09_zero_idle_budget_past_int_max, re_setup, re_teardown),
		cmocka_unit_test_setup_teardown(R10_report_declined, decline_setup, re_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
