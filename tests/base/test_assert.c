/* SPDX-License-Identifier: MIT */
/*
 * test_assert.c - the failure path of the assertion levels (src/base/
 * assert.h): pmm_assert_fail() reports through the platform's bug hook as
 * PMM_ECORRUPT with the function, the condition and the values, and never
 * returns. The hook here jumps back out, as a kernel's panic would not.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <pmm/platform.h>
#include "../../src/base/assert.h"

static jmp_buf back;
static int got_err;
static char got_func[64], got_msg[192];

static void bug_hook(void *ctx, int err, const char *func, const char *msg)
{
	(void)ctx;
	got_err = err;
	strncpy(got_func, func, sizeof(got_func) - 1);
	strncpy(got_msg, msg, sizeof(got_msg) - 1);
	longjmp(back, 1);
}

static void assert_fail_reports_function_condition_values(void **state)
{
	(void)state;
	pmm_platform_set(&(struct pmm_platform){ .bug = bug_hook });
	if (setjmp(back) == 0) {
		pmm_assert_fail("zone_take_locked", "zone->free_pages >= n",
				"free %llu, taking %u", 3ull, 8u);
		fail_msg("pmm_assert_fail returned");
	}
	pmm_platform_set(NULL);
	assert_int_equal(got_err, PMM_ECORRUPT);
	assert_string_equal(got_func, "zone_take_locked");
	assert_string_equal(got_msg, "assertion 'zone->free_pages >= n' failed: "
				     "free 3, taking 8");
}

/* The level this file was built with is one the header accepts. */
static void assert_level_is_in_range(void **state)
{
	(void)state;
	assert_true(PMM_DEBUG >= 0 && PMM_DEBUG <= 3);
	assert_int_equal(PMM_CHECKS, PMM_DEBUG >= 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(assert_fail_reports_function_condition_values),
		cmocka_unit_test(assert_level_is_in_range),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
