/* SPDX-License-Identifier: MIT */
/*
 * test_bulk_mutants.c - the bulk free's fast run at its edges (issue
 * 17, docs/mutation.md): a bulk free before any zone exists (no largest
 * zone to run on: the slow path alone, which skips NULL slots), and a
 * bulk free of a page whose pageblock is isolated (type PMM_MT_ISOLATE,
 * the first index past the per-CPU lists' types: the run stops there and
 * the single free puts the page on the isolated list, not on a per-CPU
 * list), and of a page whose pageblock byte reads exactly PMM_MT_TYPES
 * (a corrupted byte without flags: the run stops there too, and the
 * single free lists the page where the per-CPU count covers it); and a
 * pointer one byte into a descriptor of the zone, which the run must not
 * read as a descriptor (under UBSan a read through it is a misaligned
 * load): the single free refuses it; and a bulk free that starts with
 * CPU 0's lists above a lowered high mark (each push drains until they
 * are under it again); and a bulk free across the first pageblock of a
 * zone that starts inside it (the run's pageblock test wraps below the
 * zone's first index there) into the next one of another type.
 *
 * Machine for the second case: one Normal zone over [0, 4096), handed
 * off, per-CPU lists on with high 8 and batch 4.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pmm/buddy.h>
#include <pmm/check.h>
#include <pmm/contig.h>
#include <pmm/page.h>

#include "buddy_fixture.h"
#include "buddy_setup.h"

/* Return: the pageblock type byte of @pfn in @z, for a case to rewrite
 * (pmm_pageblock_type() reads it). */
static uint8_t *type_byte(struct pmm_zone *z, pmm_pfn_t pfn)
{
	return &z->pageblock_mt[(pfn - z->map_base) >> PMM_PAGEBLOCK_ORDER];
}

/* No zone set up yet: NULL slots are skipped, nothing is touched. */
static void bulk_free_before_any_zone(void **state)
{
	(void)state;
	struct pmm_page *pages[3] = { NULL, NULL, NULL };
	assert_int_equal(pmm_free_pages_bulk(3, pages), 0);
	assert_null(pages[0]);
	assert_null(pages[2]);
}

/* A page of an isolated pageblock goes to the isolated list, not to CPU 0's. */
static void bulk_free_into_isolated_pageblock(void **state)
{
	(void)state;
	struct pmm_zone *z = buddy_fix_pcp(4096, 8, 4);
	struct pmm_page *page = pmm_alloc_page(PMM_GFP_KERNEL);
	assert_non_null(page);
	pmm_pcp_drain_cpu(0);
	assert_int_equal(z->pcp[0].count, 0);
	pmm_pfn_t pb = pmm_page_to_pfn(page) & ~(pmm_pfn_t)(PMM_PAGEBLOCK_PAGES - 1);
	assert_int_equal(pmm_isolate_range(pb, PMM_PAGEBLOCK_PAGES), 0);
	struct pmm_page *pages[1] = { page };
	assert_int_equal(pmm_free_pages_bulk(1, pages), 0);
	assert_null(pages[0]);
	assert_int_equal(z->pcp[0].count, 0);
	assert_true(pmm_range_is_free(pb, PMM_PAGEBLOCK_PAGES));
	assert_null(pmm_check());
	assert_int_equal(pmm_undo_isolate_range(pb, PMM_PAGEBLOCK_PAGES), 0);
	assert_null(pmm_check());
}

/* A pageblock byte of exactly PMM_MT_TYPES: the run does not link the page
 * at pcp->head[PMM_MT_TYPES] (past the lists); the single free lists it. */
static void bulk_free_pageblock_type_one_past_types(void **state)
{
	(void)state;
	struct pmm_zone *z = buddy_fix_pcp(4096, 8, 4);
	struct pmm_page *page = pmm_alloc_page(PMM_GFP_KERNEL);
	assert_non_null(page);
	pmm_pcp_drain_cpu(0);
	pmm_pfn_t pfn = pmm_page_to_pfn(page);
	uint8_t *byte = type_byte(z, pfn);
	uint8_t was = *byte;
	*byte = PMM_MT_TYPES;
	struct pmm_page *pages[1] = { page };
	assert_int_equal(pmm_free_pages_bulk(1, pages), 0);
	*byte = was;
	assert_null(pages[0]);
	assert_null(pmm_check()); /* the page lies on a list the count covers */
	pmm_pcp_drain_cpu(0);
	assert_int_equal(z->pcp[0].count, 0);
	assert_true(pmm_range_is_free(pfn, 1));
	assert_null(pmm_check());
}

/* A pointer one byte into an allocated page's descriptor: the page before
 * it is freed, the bad slot and the page stay as they were. */
static void bulk_free_pointer_inside_a_descriptor(void **state)
{
	(void)state;
	(void)buddy_fix_pcp(4096, 8, 4);
	struct pmm_page *a = pmm_alloc_page(PMM_GFP_KERNEL);
	struct pmm_page *b = pmm_alloc_page(PMM_GFP_KERNEL);
	assert_non_null(a);
	assert_non_null(b);
	struct pmm_page *bad = (struct pmm_page *)(void *)((char *)b + 1);
	struct pmm_page *pages[2] = { a, bad };
	assert_int_equal(pmm_free_pages_bulk(2, pages), PMM_EINVAL);
	assert_null(pages[0]);
	assert_ptr_equal(pages[1], bad);
	assert_int_equal(pmm_page_refcount(b), 1);
	assert_int_equal(pmm_free_page(b), 0);
	assert_null(pmm_check());
}

/*
 * CPU 0's lists above their high mark when a bulk free starts (a zone that
 * shrinks lowers high without draining: pmm_zone_withdraw() recomputes the
 * defaults): each push that leaves the count above high drains a batch,
 * as a single free's push does, until the count is back under high. The
 * count at the end is the one the single frees' rule gives.
 */
static void bulk_free_above_a_lowered_high(void **state)
{
	enum { HELD = 40, FREED_FIRST = 30, HIGH = 6, BATCH = 4 };
	(void)state;
	struct pmm_zone *z = buddy_fix_pcp(4096, 64, BATCH);
	struct pmm_page *p[HELD];
	for (int i = 0; i < HELD; i++)
		assert_non_null(p[i] = pmm_alloc_page(PMM_GFP_KERNEL));
	for (int i = 0; i < FREED_FIRST; i++)
		assert_int_equal(pmm_free_page(p[i]), 0);
	uint32_t want = z->pcp[0].count;
	assert_true(want > HIGH + BATCH);
	z->pcp[0].high = HIGH;
	for (int i = FREED_FIRST; i < HELD; i++)
		if (++want > HIGH)
			want -= BATCH;
	assert_int_equal(pmm_free_pages_bulk(HELD - FREED_FIRST, p + FREED_FIRST), 0);
	assert_int_equal(z->pcp[0].count, want);
	assert_null(pmm_check());
}

/* Return: pages on CPU 0's order-0 list of type @mt of @z, each checked
 * to lie in a pageblock of that type. */
static unsigned int mut_list_of_type(struct pmm_zone *z, unsigned int mt)
{
	unsigned int n = 0;
	for (uint32_t cur = z->pcp[0].head[mt][0]; cur != 0; n++) {
		assert_int_equal(pmm_pageblock_type(z, cur - 1), mt);
		cur = pmm_mem_map[cur - 1].next;
	}
	return n;
}

enum { MUT_ZSTART = 1000, MUT_ZEND = 1100, MUT_PAIRS = 8 };

/*
 * One Normal zone over [1000, 1100): its first pageblock [512, 1024)
 * starts before it (zone index 0 is pfn 1000), its second is [1024,
 * 1536). Every page allocated, the first pageblock's type changed to
 * another than the second's, then pages of the two freed in one bulk
 * call, alternating: each lands on the list of its own pageblock's type.
 */
static void bulk_free_across_an_unaligned_zone_start(void **state)
{
	static const struct buddy_zone_spec zone[] = {
		{ 0, PMM_ZONE_NORMAL, MUT_ZSTART, MUT_ZEND },
	};
	struct pmm_page *by_pfn[MUT_ZEND - MUT_ZSTART] = { 0 }, *pg;
	struct pmm_page *pages[2 * MUT_PAIRS];
	(void)state;
	assert_int_equal(buddy_setup(&(struct buddy_setup_opts){
		.max_pfn = MUT_ZEND, .zones = zone, .nr_zones = 1,
		.handoff = true, .keep_pcp = true }), 0);
	assert_int_equal(pmm_pcp_set_high_batch(256, 32), 0);
	struct pmm_zone *z = buddy_zone(PMM_ZONE_NORMAL);
	assert_int_not_equal(z->start_pfn & (PMM_PAGEBLOCK_PAGES - 1), 0);
	while ((pg = pmm_alloc_page(PMM_GFP_ATOMIC)) != NULL)
		by_pfn[pmm_page_to_pfn(pg) - MUT_ZSTART] = pg;
	assert_int_equal(z->pcp[0].count, 0);
	uint8_t *first = type_byte(z, MUT_ZSTART);
	unsigned int second = pmm_pageblock_type(z, 1024);
	*first = second == PMM_MT_MOVABLE ? PMM_MT_UNMOVABLE : PMM_MT_MOVABLE;
	for (unsigned int i = 0; i < MUT_PAIRS; i++) {
		/* the last pages before pfn 1024 and the first after it */
		pages[2 * i] = by_pfn[1024 - MUT_ZSTART - MUT_PAIRS + i];
		pages[2 * i + 1] = by_pfn[1024 - MUT_ZSTART + i];
		assert_non_null(pages[2 * i]);
		assert_non_null(pages[2 * i + 1]);
		by_pfn[1024 - MUT_ZSTART - MUT_PAIRS + i] = NULL;
		by_pfn[1024 - MUT_ZSTART + i] = NULL;
	}
	assert_int_equal(pmm_free_pages_bulk(2 * MUT_PAIRS, pages), 0);
	assert_int_equal(mut_list_of_type(z, *first), MUT_PAIRS);
	assert_int_equal(mut_list_of_type(z, second), MUT_PAIRS);
	assert_int_equal(z->pcp[0].count, 2 * MUT_PAIRS);
	for (unsigned int i = 0; i < MUT_ZEND - MUT_ZSTART; i++)
		if (by_pfn[i] != NULL)
			assert_int_equal(pmm_free_page(by_pfn[i]), 0);
	assert_null(pmm_check());
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(bulk_free_before_any_zone),
		BUDDY_CASE(bulk_free_into_isolated_pageblock),
		BUDDY_CASE(bulk_free_pageblock_type_one_past_types),
		BUDDY_CASE(bulk_free_pointer_inside_a_descriptor),
		BUDDY_CASE(bulk_free_above_a_lowered_high),
		BUDDY_CASE(bulk_free_across_an_unaligned_zone_start),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
