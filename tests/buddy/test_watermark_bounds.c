/* SPDX-License-Identifier: MIT */
/*
 * test_watermark_bounds.c - the limits of pmm/watermark.h, one case per
 * boundary (issue 17, docs/mutation.md): min_free_kbytes of a perfect
 * square (the integer square root exact), the khugepaged cap taken with
 * the highs just computed, a Normal zone counted as populated, the entry
 * past @n never touched, and a zone index past the ratio table.
 *
 * Expected values come from the formulas in src/buddy/watermark.c's
 * opening comment, worked by hand in each case's comment (4 KiB pages).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pmm/watermark.h>

#define NORMAL 2u /* pmm_wmark_params_init()'s normal_idx */

static struct pmm_wmark_params p;

static int setup(void **state)
{
	(void)state;
	pmm_wmark_params_init(&p);
	return 0;
}

/* 10000 free buffer pages: sqrt(16 * 40000 KiB) = 800 exactly. */
static void wmark_min_free_perfect_square(void **state)
{
	(void)state;
	struct pmm_wmark_zone z = { .idx = NORMAL, .managed = 10000 };
	p.thp = false;
	assert_int_equal(pmm_wmark_min_free_kbytes(&z, 1, &p), 800);
}

/*
 * One Normal zone of 100000 pages with THP: kb = isqrt(6400000) = 2529;
 * marks for it: min 632, gap max(158, 100) = 158, high 948. Recommended
 * 512 * 1 zone * 11 = 5632 pages, capped at (100000 - 948) / 20 = 4952
 * pages = 19808 KiB (the cap with high 0 would be 5000 pages).
 */
static void wmark_thp_cap_uses_new_highs(void **state)
{
	(void)state;
	struct pmm_wmark_zone z = { .idx = NORMAL, .managed = 100000 };
	assert_int_equal(pmm_wmark_min_free_kbytes(&z, 1, &p), 19808);
}

/* Neither call reads or writes the entry past @n. */
static void wmark_entry_past_n_untouched(void **state)
{
	(void)state;
	struct pmm_wmark_zone z[2] = {
		{ .idx = 1, .managed = 100000 },
		{ .idx = NORMAL, .managed = 50000, .high = 77 },
	};
	for (unsigned int k = 0; k < PMM_WMARK_MAX_ZONES; k++)
		z[1].protection[k] = 77;
	uint64_t kb = pmm_wmark_min_free_kbytes(z, 1, &p);
	assert_int_equal(z[1].high, 77);
	pmm_wmark_compute(z, 1, kb, &p);
	assert_int_equal(z[1].high, 77);
	for (unsigned int k = 0; k < PMM_WMARK_MAX_ZONES; k++)
		assert_int_equal(z[1].protection[k], 77);
	assert_int_equal(z[0].protection[NORMAL], 0);
}

/* A zone index past the ratio table has ratio 0: no protection. */
static void wmark_index_past_ratio_table(void **state)
{
	(void)state;
	struct pmm_wmark_zone z[2] = {
		{ .idx = PMM_WMARK_MAX_ZONES, .managed = 1000 },
		{ .idx = 1, .managed = 5000 },
	};
	pmm_wmark_compute(z, 2, 1024, &p);
	assert_int_equal(z[0].protection[1], 0);
	assert_int_equal(z[1].protection[1], 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(wmark_min_free_perfect_square, setup),
		cmocka_unit_test_setup(wmark_thp_cap_uses_new_highs, setup),
		cmocka_unit_test_setup(wmark_entry_past_n_untouched, setup),
		cmocka_unit_test_setup(wmark_index_past_ratio_table, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
