/* SPDX-License-Identifier: MIT */
/*
 * test_zone_resize_mutants.c - pmm_zone_resize() of spans that only touch
 * (issue 17, docs/mutation.md): nothing of the old span carries over, so
 * the new span's pageblocks keep the fresh metadata's type (0), even
 * where the old metadata's block of 2^PMM_MAX_ORDER pages reaches into
 * the new span.
 *
 * Machine: descriptors for [0, 8192), no page handed off (every
 * descriptor blank); node 1's Normal zone [5120, 6144).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <pmm/buddy.h>
#include <pmm/check.h>
#include <pmm/contig.h>
#include <pmm/page.h>
#include <pmm/zone.h>

#include "buddy_setup.h"

static uint64_t meta_a[4096], meta_b[4096];

static int setup(void **state)
{
	(void)state;
	assert_int_equal(buddy_setup_resize_pair(), 0);
	memset(meta_a, 0, sizeof(meta_a));
	memset(meta_b, 0, sizeof(meta_b));
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	buddy_teardown();
	return 0;
}

/* [5632, 6144) then [5120, 5632): the spans touch at 5632, nothing copied. */
static void zone_resize_spans_only_touch(void **state)
{
	(void)state;
	struct pmm_zone *z = &pmm_nodes[1].zones[PMM_ZONE_NORMAL];
	z->pageblock_mt[0] = PMM_MT_UNMOVABLE; /* pageblock 5120; fresh is movable */
	assert_int_equal(pmm_zone_resize(z, 5632, 6144, 512, meta_a), 0);
	assert_int_equal(z->map_base, 5120); /* the old map still holds 5120's byte */
	assert_int_equal(z->pageblock_mt[0], PMM_MT_UNMOVABLE);
	assert_int_equal(pmm_zone_resize(z, 5120, 5632, 512, meta_b), 0);
	assert_int_equal(pmm_pageblock_type(z, 5120), PMM_MT_MOVABLE);
	assert_null(pmm_check());
}

/*
 * A withdrawal ending one pageblock before a pageblock of another type:
 * Normal [1024, 3072) handed off; an unmovable order-9 allocation turns
 * its pageblock unmovable; the movable pageblock below it is isolated and
 * withdrawn, and only it becomes movable again: the next one stays
 * unmovable.
 */
static void zone_withdraw_ends_before_other_type(void **state)
{
	(void)state;
	buddy_teardown();
	assert_int_equal(buddy_setup_normal(1024, 3072, 4096), 0);
	struct pmm_zone *zn = &pmm_nodes[0].zones[PMM_ZONE_NORMAL];
	struct pmm_page *pg = pmm_alloc_pages(PMM_GFP_KERNEL, 9);
	assert_non_null(pg);
	pmm_pfn_t p = pmm_page_to_pfn(pg);
	assert_int_equal(p, 2048);
	assert_int_equal(pmm_pageblock_type(zn, 2048), PMM_MT_UNMOVABLE);
	assert_int_equal(pmm_isolate_range(1536, 512), 0);
	assert_int_equal(pmm_zone_withdraw(zn, 1536, 2048, NULL), 0);
	assert_int_equal(pmm_pageblock_type(zn, 1536), PMM_MT_MOVABLE);
	assert_int_equal(pmm_pageblock_type(zn, 2048), PMM_MT_UNMOVABLE);
	assert_null(pmm_check());
	assert_int_equal(pmm_free_pages(pg, 9), 0);
	assert_null(pmm_check());
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(zone_resize_spans_only_touch, setup, teardown),
		cmocka_unit_test_setup_teardown(zone_withdraw_ends_before_other_type, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
