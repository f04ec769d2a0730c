/* SPDX-License-Identifier: MIT */
/*
 * buddy_fixture.c - cmocka fixtures over buddy_setup (see buddy_fixture.h).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "buddy_fixture.h"
#include "host_platform.h"
#include "reliability_snap.h"

int buddy_fix_setup_dma_normal(void **state)
{
	(void)state;
	return buddy_setup_dma_normal(4096, 16384);
}

int buddy_fix_teardown(void **state)
{
	(void)state;
	buddy_teardown();
	return 0;
}

struct pmm_zone *buddy_fix_pcp(pmm_pfn_t pages, uint32_t high, uint32_t batch)
{
	assert_int_equal(buddy_setup(&(struct buddy_setup_opts){
			 .max_pfn = pages, .handoff = true, .keep_pcp = true }), 0);
	if (high != 0)
		assert_int_equal(pmm_pcp_set_high_batch(high, batch), 0);
	return buddy_zone(PMM_ZONE_NORMAL);
}

void buddy_assert_clean(void)
{
	const char *e = pmm_check();
	if (e)
		fail_msg("pmm_check: %s", e);
}

void buddy_expect_snap(const struct rel_snap *s, unsigned int reports_before,
		       unsigned int reports, int err)
{
	const char *why = rel_snap_same(s);
	if (why)
		fail_msg("%s", why);
	buddy_assert_clean();
	assert_int_equal(host_report_count(), reports_before + reports);
	if (reports)
		assert_int_equal(host_last_report_err(), err);
}
