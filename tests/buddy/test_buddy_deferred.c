/* SPDX-License-Identifier: MIT */
/*
 * test_buddy_deferred.c - the deferred hand-off (buddy_deferred.c): the
 * same free lists, counts and order of allocation as the hand-off that
 * writes every head, only the heads written that are needed; what the
 * checker proves of a span; the late proof of a waiting block; and the
 * errors, which read as with every head written.
 *
 * The machine: one Normal zone [0, 8192), per-CPU lists off, handed over
 * by the test as [1, 8192): pages 1..1023 in blocks of orders 0..9, then
 * seven blocks of order 10 at 1024, 2048, ..., 7168. Deferred, the one at
 * 7168 is written and listed and the six below it wait.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include <pmm/contig.h>
#include <pmm/debug.h>

#include "buddy_fixture.h"
#include "host_platform.h"
#include "reliability_snap.h"

#ifndef PMM_DEFERRED_DEFAULT /* the boot's setting (make check-unit-deferred: 1) */
#define PMM_DEFERRED_DEFAULT 0
#endif

#define TOP ((pmm_pfn_t)1 << PMM_MAX_ORDER)
#define END ((pmm_pfn_t)8192)

static struct pmm_zone *boot(bool deferred)
{
	assert_int_equal(buddy_setup(&(struct buddy_setup_opts){ .max_pfn = END }), 0);
	pmm_buddy_set_deferred(deferred);
	uint64_t freed = 0;
	assert_int_equal(pmm_buddy_handoff_range(1, END, &freed), 0);
	assert_int_equal(freed, END - 1);
	return buddy_zone(PMM_ZONE_NORMAL);
}

static void teardown_check(void)
{
	assert_null(pmm_check());
	buddy_teardown();
}

/* The pfns of list (PMM_MAX_ORDER, movable) from its head, into @out. */
static unsigned int top_list(const struct pmm_zone *z, pmm_pfn_t *out)
{
	unsigned int n = 0;
	for (uint32_t h = z->free_area[PMM_MAX_ORDER].head[PMM_MT_MOVABLE]; h != 0;
	     h = pmm_mem_map[h - 1].next)
		out[n++] = h - 1;
	return n;
}

/* Allocate every order-10 block, one at a time, with @gfp: their pfns
 * into @out. */
static unsigned int take_all_top_gfp(unsigned int gfp, pmm_pfn_t *out)
{
	unsigned int n = 0;
	struct pmm_page *p;
	while ((p = pmm_alloc_pages(gfp, PMM_MAX_ORDER)) != NULL) {
		out[n++] = pmm_page_to_pfn(p);
		assert_null(pmm_check());
	}
	return n;
}

/* Unmovable requests: the first steals from the movable list and claims. */
static unsigned int take_all_top(pmm_pfn_t *out)
{
	return take_all_top_gfp(PMM_GFP_KERNEL, out);
}

static void deferred_counts_as_eager(void **state)
{
	(void)state;
	struct buddy_counts eager, deferred;
	boot(false);
	buddy_counts_get(buddy_zone(PMM_ZONE_NORMAL), &eager);
	assert_int_equal(pmm_buddy_deferred_pages(), 0);
	teardown_check();

	struct pmm_zone *z = boot(true);
	buddy_counts_get(z, &deferred);
	assert_true(buddy_counts_equal(&eager, &deferred));
	assert_int_equal(pmm_buddy_deferred_pages(), 6 * TOP);
	assert_int_equal(z->deferred.nr, 1);
	assert_int_equal(z->free_area[PMM_MAX_ORDER].nr_free, 7);
	/* written: the listed block only; the six below it are blank */
	assert_int_equal(pmm_mem_map[7 * TOP].info, PMM_PG_BUDDY | PMM_MAX_ORDER);
	for (pmm_pfn_t b = TOP; b < 7 * TOP; b += TOP)
		assert_int_equal(pmm_mem_map[b].info, 0);
	assert_int_equal(pmm_buddy_deferred_listed(z, PMM_MT_MOVABLE), 6);
	assert_int_equal(pmm_buddy_deferred_listed(z, PMM_MT_UNMOVABLE), 0);
	teardown_check();
}

static void deferred_allocates_in_eager_order(void **state)
{
	(void)state;
	pmm_pfn_t eager[16], deferred[16];
	boot(false);
	unsigned int ne = take_all_top(eager);
	teardown_check();
	boot(true);
	unsigned int nd = take_all_top(deferred);
	assert_int_equal(pmm_buddy_deferred_pages(), 0);
	teardown_check();
	assert_int_equal(ne, 7);
	assert_int_equal(nd, ne);
	assert_memory_equal(eager, deferred, sizeof(pmm_pfn_t) * ne);
}

/* A block freed while others wait goes before them, as on the eager list
 * (@gfp: unmovable, whose claims move it to a list of its own, or movable,
 * where it goes back on the span's list). */
static void free_goes_first(unsigned int gfp)
{
	pmm_pfn_t eager[16], deferred[16];
	for (int d = 0; d < 2; d++) {
		boot(d == 1);
		struct pmm_page *a = pmm_alloc_pages(gfp, PMM_MAX_ORDER);
		struct pmm_page *b = pmm_alloc_pages(gfp, PMM_MAX_ORDER);
		assert_non_null(b);
		assert_int_equal(pmm_free_pages(a, PMM_MAX_ORDER), 0);
		assert_null(pmm_check());
		unsigned int n = take_all_top_gfp(gfp, d ? deferred : eager);
		assert_int_equal(n, 6);
		teardown_check();
	}
	assert_memory_equal(eager, deferred, sizeof(pmm_pfn_t) * 6);
}

static void deferred_free_goes_first(void **state)
{
	(void)state;
	free_goes_first(PMM_GFP_KERNEL);
	free_goes_first(PMM_GFP_MOVABLE);
}

/* Behind the span on its list, a block of an earlier eager hand-off: the
 * blocks written later link in front of it, both ways. */
static void deferred_before_an_older_block(void **state)
{
	(void)state;
	pmm_pfn_t eager[16], deferred[16], settled[16];
	for (int d = 0; d < 3; d++) {
		assert_int_equal(buddy_setup(&(struct buddy_setup_opts){ .max_pfn = END }), 0);
		assert_int_equal(pmm_buddy_handoff_range(1, 2 * TOP, NULL), 0);
		pmm_buddy_set_deferred(d != 0);
		assert_int_equal(pmm_buddy_handoff_range(2 * TOP, END, NULL), 0);
		struct pmm_zone *z = buddy_zone(PMM_ZONE_NORMAL);
		assert_int_equal(z->deferred.nr, d != 0);
		assert_null(pmm_check());
		if (d == 2) {
			pmm_buddy_deferred_finish();
			assert_null(pmm_check());
			assert_int_equal(top_list(z, settled), 7);
		}
		unsigned int n = take_all_top_gfp(PMM_GFP_MOVABLE, d == 1 ? deferred : eager);
		assert_int_equal(n, 7);
		assert_int_equal(eager[6], TOP);
		teardown_check();
		if (d == 2)
			assert_memory_equal(settled, eager, sizeof(pmm_pfn_t) * 7);
	}
	assert_memory_equal(eager, deferred, sizeof(pmm_pfn_t) * 7);
}

/* Two spans of two types: the older empties first and the newer, moved
 * into its slot, still serves its own list, in order. */
static void deferred_two_spans_two_types(void **state)
{
	(void)state;
	assert_int_equal(buddy_setup(&(struct buddy_setup_opts){ .max_pfn = 2 * END }), 0);
	struct pmm_zone *z = buddy_zone(PMM_ZONE_NORMAL);
	for (pmm_pfn_t p = END; p < 2 * END; p += PMM_PAGEBLOCK_PAGES)
		z->pageblock_mt[(p - z->map_base) >> PMM_PAGEBLOCK_ORDER] = PMM_MT_UNMOVABLE;
	pmm_buddy_set_deferred(true);
	assert_int_equal(pmm_buddy_handoff_range(1, END, NULL), 0);
	assert_int_equal(pmm_buddy_handoff_range(END, 2 * END, NULL), 0);
	assert_int_equal(z->deferred.nr, 2);
	assert_int_equal(pmm_buddy_deferred_listed(z, PMM_MT_MOVABLE), 6);
	assert_int_equal(pmm_buddy_deferred_listed(z, PMM_MT_UNMOVABLE), 7);
	assert_null(pmm_check());
	for (pmm_pfn_t want = 7 * TOP; want >= TOP; want -= TOP) {
		struct pmm_page *p = pmm_alloc_pages(PMM_GFP_MOVABLE, PMM_MAX_ORDER);
		assert_non_null(p);
		assert_int_equal(pmm_page_to_pfn(p), want);
		assert_null(pmm_check());
	}
	assert_int_equal(z->deferred.nr, 1);
	assert_int_equal(z->deferred.mt[0], PMM_MT_UNMOVABLE);
	assert_int_equal(pmm_buddy_deferred_listed(z, PMM_MT_UNMOVABLE), 7);
	assert_int_equal(pmm_buddy_deferred_pages(), 7 * TOP);
	for (pmm_pfn_t want = 2 * END - TOP; want >= END; want -= TOP) {
		struct pmm_page *p = pmm_alloc_pages(PMM_GFP_KERNEL, PMM_MAX_ORDER);
		assert_non_null(p);
		assert_int_equal(pmm_page_to_pfn(p), want);
		assert_null(pmm_check());
	}
	assert_int_equal(z->deferred.nr, 0);
	buddy_teardown();
}

/* No span over isolated or mixed pageblocks; from an aligned start, the
 * first block too; a reset brings back the boot's setting. */
static void deferred_only_over_one_type(void **state)
{
	(void)state;
	for (int c = 0; c < 3; c++) {
		assert_int_equal(buddy_setup(&(struct buddy_setup_opts){ .max_pfn = END }), 0);
		struct pmm_zone *z = buddy_zone(PMM_ZONE_NORMAL);
		uint8_t *pb = &z->pageblock_mt[(3 * TOP - z->map_base) >> PMM_PAGEBLOCK_ORDER];
		if (c == 0) /* block 0xc00: both its pageblocks */
			pb[0] = pb[1] = PMM_MT_UNMOVABLE;
		for (pmm_pfn_t p = 0; c == 1 && p < END; p += PMM_PAGEBLOCK_PAGES)
			z->pageblock_mt[p >> PMM_PAGEBLOCK_ORDER] |= PMM_PB_ISOLATE;
		pmm_buddy_set_deferred(true);
		assert_int_equal(pmm_buddy_handoff_range(c == 2 ? TOP : 1, END, NULL), 0);
		assert_int_equal(z->deferred.nr, c == 2);
		assert_int_equal(pmm_buddy_deferred_pages(), c == 2 ? 6 * TOP : 0);
		assert_null(pmm_check());
		buddy_teardown();
	}
	pmm_buddy_set_deferred(!PMM_DEFERRED_DEFAULT);
	pmm_buddy_reset_settings();
	assert_int_equal(pmm_buddy_is_deferred(), PMM_DEFERRED_DEFAULT);
}

static void deferred_finish_lists_as_eager(void **state)
{
	(void)state;
	pmm_pfn_t eager[16], settled[16];
	struct pmm_zone *z = boot(false);
	unsigned int ne = top_list(z, eager);
	teardown_check();
	z = boot(true);
	assert_int_equal(top_list(z, settled), 1);
	pmm_buddy_deferred_finish();
	assert_int_equal(pmm_buddy_deferred_pages(), 0);
	assert_int_equal(z->deferred.nr, 0);
	unsigned int nd = top_list(z, settled);
	assert_int_equal(nd, ne);
	assert_memory_equal(eager, settled, sizeof(pmm_pfn_t) * ne);
	teardown_check();
}

/* Switching off writes them too; a range walker writes them first. */
static void deferred_off_and_walkers_settle(void **state)
{
	(void)state;
	struct pmm_zone *z = boot(true);
	pmm_buddy_set_deferred(false);
	assert_false(pmm_buddy_is_deferred());
	assert_int_equal(z->deferred.nr, 0);
	teardown_check();
	z = boot(true);
	assert_true(pmm_buddy_is_deferred());
	assert_true(pmm_range_is_free(2 * TOP, TOP));
	assert_int_equal(z->deferred.nr, 0);
	teardown_check();
	/* a range that meets no span leaves it waiting, also one that ends
	 * where the span starts */
	z = boot(true);
	assert_false(pmm_pfn_is_reserved(3 * TOP + 5));
	assert_true(pmm_pfn_is_reserved(0));
	assert_true(pmm_range_is_free(TOP - 8, 8));
	assert_int_equal(z->deferred.nr, 1);
	teardown_check();
}

/* Poisoning switched on poisons the waiting blocks too: allocating them
 * finds the poison intact. */
static void deferred_then_poison(void **state)
{
	(void)state;
	boot(true);
	unsigned int before = host_report_count();
	pmm_debug_set_poison(true);
	pmm_pfn_t got[16];
	assert_int_equal(take_all_top_gfp(PMM_GFP_MOVABLE, got), 7);
	assert_int_equal(host_report_count(), before);
	pmm_debug_set_poison(false);
	teardown_check();
}

/* Messages of a refused call, with every head written and deferred. */
static void refused_same(int (*call)(void), int want)
{
	char msg[2][256];
	for (int d = 0; d < 2; d++) {
		boot(d == 1);
		struct rel_snap snap = { 0 };
		rel_snap_take(&snap);
		unsigned int before = host_report_count();
		assert_int_equal(call(), want);
		assert_int_equal(host_report_count(), before + 1);
		snprintf(msg[d], sizeof(msg[d]), "%s", host_last_report_msg());
		const char *why = rel_snap_same(&snap);
		rel_snap_release(&snap);
		if (why != NULL)
			fail_msg("%s", why);
		teardown_check();
	}
	assert_string_equal(msg[0], msg[1]);
}

static int handoff_again(void)
{
	return pmm_buddy_handoff_range(2 * TOP, 3 * TOP, NULL);
}

static int free_waiting_head(void)
{
	return pmm_free_pages(pmm_pfn_to_page(3 * TOP), PMM_MAX_ORDER);
}

static int put_waiting_head(void)
{
	return pmm_put_page(pmm_pfn_to_page(3 * TOP));
}

static int free_inside_waiting(void)
{
	return pmm_free_pages(pmm_pfn_to_page(3 * TOP + 8), 3);
}

static void D01_handoff_over_a_span(void **state)
{
	(void)state;
	refused_same(handoff_again, PMM_EDOUBLEFREE);
}

static void D02_free_of_a_waiting_head(void **state)
{
	(void)state;
	refused_same(free_waiting_head, PMM_EDOUBLEFREE);
}

static void D03_put_of_a_waiting_head(void **state)
{
	(void)state;
	refused_same(put_waiting_head, PMM_EDOUBLEFREE);
}

static void D04_free_inside_a_waiting_block(void **state)
{
	(void)state;
	refused_same(free_inside_waiting, PMM_EDOUBLEFREE);
}

/* A waiting block found in use when it is written is reported and left
 * out: one in the middle (0x1000), or the span's last (0x400). */
static void waiting_block_in_use(pmm_pfn_t used)
{
	struct pmm_zone *z = boot(true);
	uint64_t managed = z->managed, free = z->free_pages;
	pmm_mem_map[used].info = PMM_PG_ALLOC_HEAD | PMM_PG_REF_ONE; /* handed elsewhere */
	unsigned int before = host_report_count();
	pmm_pfn_t got[16];
	unsigned int n = 0;
	struct pmm_page *p;
	while ((p = pmm_alloc_pages(PMM_GFP_KERNEL, PMM_MAX_ORDER)) != NULL)
		got[n++] = pmm_page_to_pfn(p);
	assert_int_equal(n, 6);
	for (unsigned int i = 0; i < n; i++)
		assert_int_not_equal(got[i], used);
	assert_int_equal(host_report_count(), before + 1);
	assert_int_equal(host_last_report_err(), PMM_EDOUBLEFREE);
	char want[96];
	snprintf(want, sizeof(want),
		 "deferred block 0x%llx order 10 in use when listed (info 0x2040): left out",
		 (unsigned long long)used);
	assert_non_null(strstr(host_last_report_msg(), want));
	assert_int_equal(z->managed, managed - TOP);
	assert_int_equal(z->free_pages, free - 7 * TOP);
	assert_int_equal(z->deferred.nr, 0);
	pmm_mem_map[used].info = 0; /* the other owner lets go */
	teardown_check();
}

static void D05_waiting_block_in_use(void **state)
{
	(void)state;
	waiting_block_in_use(4 * TOP);
	waiting_block_in_use(TOP);
}

/* What pmm_check() proves of a span. */
static void D06_check_proves_spans(void **state)
{
	(void)state;
	struct pmm_zone *z = boot(true);
	pmm_mem_map[2 * TOP + 3].info = PMM_PG_BUDDY;
	const char *e = pmm_check();
	assert_non_null(e);
	assert_non_null(strstr(e, "deferred span [0x400, 0x1c00): pfn 0x803 not blank: info 0x20"));
	pmm_mem_map[2 * TOP + 3].info = 0;
	z->deferred.waiting++;
	e = pmm_check();
	assert_non_null(e);
	assert_non_null(strstr(e, "deferred: 7 blocks waiting counted, spans hold 6"));
	z->deferred.waiting--;
	z->deferred.start[0] += 1;
	e = pmm_check();
	assert_non_null(e);
	assert_non_null(strstr(e, "deferred span 0 [0x401, 0x1c00] type 1: not aligned"));
	z->deferred.start[0] -= 1;
	z->deferred.mt[0] = PMM_MT_UNMOVABLE;
	e = pmm_check();
	assert_non_null(e);
	assert_non_null(strstr(e, "deferred span 0 of type 0 listed on list 1"));
	z->deferred.mt[0] = PMM_MT_MOVABLE;
	teardown_check();
}

/* Two blocks or more, one type, and a free slot: else the eager hand-off. */
static void deferred_only_where_it_can(void **state)
{
	(void)state;
	assert_int_equal(buddy_setup(&(struct buddy_setup_opts){ .max_pfn = END }), 0);
	pmm_buddy_set_deferred(true);
	struct pmm_zone *z = buddy_zone(PMM_ZONE_NORMAL);
	assert_int_equal(pmm_buddy_handoff_range(1, 2 * TOP + 7, NULL), 0);
	assert_int_equal(z->deferred.nr, 0); /* one top-order block only */
	assert_int_equal(pmm_buddy_handoff_range(2 * TOP + 7, 5 * TOP, NULL), 0);
	assert_int_equal(z->deferred.nr, 1); /* [3 TOP, 5 TOP): two blocks */
	assert_null(pmm_check());
	buddy_teardown();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(deferred_counts_as_eager),
		cmocka_unit_test(deferred_allocates_in_eager_order),
		cmocka_unit_test(deferred_free_goes_first),
		cmocka_unit_test(deferred_before_an_older_block),
		cmocka_unit_test(deferred_two_spans_two_types),
		cmocka_unit_test(deferred_only_over_one_type),
		cmocka_unit_test(deferred_then_poison),
		cmocka_unit_test(deferred_finish_lists_as_eager),
		cmocka_unit_test(deferred_off_and_walkers_settle),
		cmocka_unit_test(D01_handoff_over_a_span),
		cmocka_unit_test(D02_free_of_a_waiting_head),
		cmocka_unit_test(D03_put_of_a_waiting_head),
		cmocka_unit_test(D04_free_inside_a_waiting_block),
		cmocka_unit_test(D05_waiting_block_in_use),
		cmocka_unit_test(D06_check_proves_spans),
		cmocka_unit_test(deferred_only_where_it_can),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
