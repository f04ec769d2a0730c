/* SPDX-License-Identifier: MIT */
/*
 * test_buddy_merge_odd.c - the merge's odd case (buddy_merge.c): a pair
 * bit says the buddy is free, the buddy's descriptor is not a plain free
 * head of that order. A lazy or marked head of the same order is merged;
 * a lazy head of another order is corruption, reported once as
 * PMM_ECORRUPT, and the freed block stays unmerged (issue 17: the one
 * survivor of buddy_merge.c, `&&` read as `||`, merged it).
 *
 * Machine: Normal [1024, 2048), one top block, lazy buddy on; the four
 * pages 1024..1027 allocated one by one, then 1026, 1024, 1025 freed
 * lazily (the list of order 0 then reads 1025, 1024, 1026):
 *
 *   1024 L o0 | 1025 L o0 | 1026 L o0 | 1027 allocated | 1028.. free
 *
 * The pair bit of order 1 over (1024, 1026) is flipped by hand: it says
 * 1026 is a free head of order 1, which it is not (order 0).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "buddy_fixture.h"
#include "host_platform.h"

#include "../../src/buddy/buddy_internal.h"

static struct pmm_zone *odd_machine(struct pmm_page *pg[4])
{
	struct buddy_zone_spec zs[] = { { 0, PMM_ZONE_NORMAL, 1024, 2048 } };
	assert_int_equal(buddy_setup(&(struct buddy_setup_opts){
			 .max_pfn = 2048, .zones = zs, .nr_zones = 1,
			 .handoff = true }), 0);
	for (unsigned int i = 0; i < 4; i++) {
		pg[i] = pmm_alloc_page(0);
		assert_non_null(pg[i]);
		assert_int_equal(pmm_page_to_pfn(pg[i]), 1024 + i);
	}
	pmm_buddy_set_lazy(true);
	assert_int_equal(pmm_free_page(pg[2]), 0);
	assert_int_equal(pmm_free_page(pg[0]), 0);
	assert_int_equal(pmm_free_page(pg[1]), 0);
	buddy_assert_clean();
	return buddy_zone(PMM_ZONE_NORMAL);
}

/*
 * Settling 1025 merges it with 1024 into an order-1 block, whose merge one
 * order up meets the flipped bit and 1026, a lazy head of order 0: one
 * report naming the odd merge, 1024 stays a free order-1 head, 1026 an
 * order-0 one. The flipped bit is then the true one (1024 free at order 1,
 * 1026 not), so the state checks clean and 1027 freed merges it all.
 */
static void lazy_head_of_lower_order_is_not_merged(void **state)
{
	(void)state;
	struct pmm_page *pg[4];
	struct pmm_zone *z = odd_machine(pg);
	pmm_pair_toggle(z, 1, 1024);
	unsigned int before = host_report_count();
	pmm_buddy_set_lazy(false);
	assert_int_equal(host_report_count() - before, 1);
	assert_int_equal(host_last_report_err(), PMM_ECORRUPT);
	assert_non_null(strstr(host_last_report_msg(),
			       "pmm_buddy_merge_odd_locked"));
	assert_non_null(strstr(host_last_report_msg(),
			       "pfn 0x400 order 1 says free, buddy 0x402"));
	assert_int_equal(pg[0]->info, PMM_PG_BUDDY | 1);
	assert_int_equal(pg[2]->info, PMM_PG_BUDDY | 0);
	assert_int_equal(z->free_area[1].nr_free, 1);
	assert_int_equal(z->lazy.total, 0);
	assert_int_equal(z->lazy.nr[1], 0);
	buddy_assert_clean();
	assert_int_equal(pmm_free_page(pg[3]), 0);
	assert_int_equal(z->free_area[PMM_MAX_ORDER].nr_free, 1);
	assert_int_equal(z->free_pages, 1024);
	buddy_assert_clean();
}

/*
 * Without the flipped bit the same frees settle into the whole block once
 * 1027 comes back, and nothing is reported: the case above fails for the
 * corruption alone.
 */
static void lazy_heads_settle_without_report(void **state)
{
	(void)state;
	struct pmm_page *pg[4];
	struct pmm_zone *z = odd_machine(pg);
	unsigned int before = host_report_count();
	assert_int_equal(pmm_free_page(pg[3]), 0);
	pmm_buddy_set_lazy(false);
	assert_int_equal(host_report_count(), before);
	assert_int_equal(z->free_area[PMM_MAX_ORDER].nr_free, 1);
	assert_int_equal(z->free_pages, 1024);
	buddy_assert_clean();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		BUDDY_CASE(lazy_head_of_lower_order_is_not_merged),
		BUDDY_CASE(lazy_heads_settle_without_report),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
