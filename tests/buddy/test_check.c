/* SPDX-License-Identifier: MIT */
/*
 * test_check.c - pmm_check() finds each kind of corruption, names it, and
 * is clean again once the corruption is undone.
 *
 * Every case: Normal [0, 1024) of a 2048-page map, handed off, so
 *   |0|1|2-3|4-7|...|256-511|512-1023| 1024..2047 (in no zone)
 *    x o0 o1  o2      o8      o9
 * then one corruption.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "buddy_setup.h"
#include "host_platform.h"

static struct pmm_zone *z;

static int setup(void **state)
{
	(void)state;
	struct buddy_zone_spec zs[] = { { 0, PMM_ZONE_NORMAL, 0, 1024 } };
	assert_int_equal(buddy_setup(&(struct buddy_setup_opts){
			 .max_pfn = 2048, .zones = zs, .nr_zones = 1,
			 .handoff = true }), 0);
	z = buddy_zone(PMM_ZONE_NORMAL);
	assert_null(pmm_check());
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	assert_null(pmm_check()); /* each case undid its corruption */
	buddy_teardown();
	return 0;
}

static void expect(const char *needle)
{
	const char *msg = pmm_check();
	assert_non_null(msg);
	if (strstr(msg, needle) == NULL)
		fail_msg("'%s' does not mention '%s'", msg, needle);
	assert_non_null(strstr(msg, "Normal"));
}

static void test_clean(void **state)
{
	(void)state;
	assert_null(pmm_check_zone(z));
	assert_null(pmm_check_zone(NULL));
}

static void test_inside_not_blank(void **state)
{
	(void)state;
	pmm_pfn_to_page(700)->prev = 9;
	expect("pfn 0x2bc inside block 0x200 order 9 not blank");
	pmm_pfn_to_page(700)->prev = 0;
}

static void test_free_head_order_changed(void **state)
{
	(void)state;
	struct pmm_page *p = pmm_pfn_to_page(256);
	p->info = PMM_PG_BUDDY | 7;
	expect("order 7");
	p->info = PMM_PG_BUDDY | 8;
}

static void test_pair_bit_flipped(void **state)
{
	(void)state;
	z->free_area[3].map[0] ^= 1; /* pair 0-7 / 8-15 */
	expect("pair bitmap order 3, pair 0x0/0x8: bit 0, free heads 0/1");
	z->free_area[3].map[0] ^= 1;
	z->free_area[9].map[0] ^= 1; /* pair 0-511 / 512-1023 */
	expect("pair bitmap order 9");
	z->free_area[9].map[0] ^= 1;
}

static void test_free_pages_counter(void **state)
{
	(void)state;
	z->free_pages++;
	expect("free_pages 1024, lists hold 1023, walk found 1023");
	z->free_pages--;
}

static void test_managed_counter(void **state)
{
	(void)state;
	z->managed--;
	expect("managed 1022 != free 1023 + per-CPU 0 + allocated 0");
	z->managed++;
}

static void test_nr_free_counter(void **state)
{
	(void)state;
	z->free_area[2].nr_free++;
	expect("order 2: nr_free 2, list holds 1, walk found 1");
	z->free_area[2].nr_free--;
}

static void test_prev_link(void **state)
{
	(void)state;
	/* Two blocks on list 0: allocate 1, 2 (splits 2-3), free 1. */
	struct pmm_page *a = pmm_alloc_page(PMM_GFP_MOVABLE);
	struct pmm_page *b = pmm_alloc_page(PMM_GFP_MOVABLE);
	assert_int_equal(pmm_free_page(a), 0);
	assert_int_equal(z->free_area[0].nr_free, 2);
	struct pmm_page *second = pmm_pfn_to_page(z->free_area[0].head[PMM_MT_MOVABLE] - 1);
	second = pmm_pfn_to_page(second->next - 1);
	uint32_t saved = second->prev;
	second->prev = 77;
	expect("prev 77");
	second->prev = saved;
	/* A cycle: the second points back at the first. */
	uint32_t saved_next = second->next;
	second->next = z->free_area[0].head[PMM_MT_MOVABLE];
	expect("cycle");
	second->next = saved_next;
	assert_null(pmm_check());
	assert_int_equal(pmm_free_page(b), 0);
}

static void test_alloc_head_refcount_zero(void **state)
{
	(void)state;
	struct pmm_page *p = pmm_alloc_pages(0, 2);
	uint32_t info = p->info;
	p->info = PMM_PG_ALLOC_HEAD | 2;
	expect("refcount 0");
	p->info = info;
	assert_int_equal(pmm_free_pages(p, 2), 0);
}

static void test_misaligned_head(void **state)
{
	(void)state;
	struct pmm_page *p = pmm_alloc_pages(0, 2);
	pmm_pfn_t pfn = pmm_page_to_pfn(p);
	struct pmm_page *q = pmm_pfn_to_page(pfn + 1);
	q->info = PMM_PG_ALLOC_HEAD | PMM_PG_REF_ONE | 1;
	expect("not blank"); /* inside p's block */
	struct pmm_page saved = *p;
	memset(p, 0, sizeof(*p)); /* p heads nothing: q is misaligned */
	expect("not aligned");
	*p = saved;
	q->info = 0;
	assert_int_equal(pmm_free_pages(p, 2), 0);
}

static void test_outside_zones(void **state)
{
	(void)state;
	pmm_pfn_to_page(1500)->info = PMM_PG_ALLOC_HEAD;
	const char *msg = pmm_check();
	assert_non_null(msg);
	assert_non_null(strstr(msg, "pfn 0x5dc in no zone not blank"));
	pmm_pfn_to_page(1500)->info = 0;
}

static void test_pfn0_managed(void **state)
{
	(void)state;
	pmm_pfn_to_page(0)->info = PMM_PG_ALLOC_HEAD | PMM_PG_REF_ONE;
	expect("pfn 0 is managed");
	pmm_pfn_to_page(0)->info = 0;
}

static void test_unknown_state(void **state)
{
	(void)state;
	pmm_pfn_to_page(1)->info |= PMM_PG_ALLOC_HEAD; /* BUDDY and HEAD */
	expect("in no state");
	pmm_pfn_to_page(1)->info &= ~PMM_PG_ALLOC_HEAD;
}

static void test_pcp_counts(void **state)
{
	(void)state;
	assert_int_equal(pmm_pcp_set_high_batch(8, 4), 0);
	struct pmm_page *p = pmm_alloc_page(0);
	assert_null(pmm_check());
	z->pcp[0].count++;
	expect("cpu 0: per-CPU count 4, lists hold 3");
	z->pcp[0].count--;
	z->pcp[0].batch = 9;
	expect("batch 9 above high 8");
	z->pcp[0].batch = 4;
	struct pmm_page *first = pmm_pfn_to_page(z->pcp[0].head[PMM_MT_UNMOVABLE][0] - 1);
	first->info = PMM_PG_PCP | PMM_PG_POISON;
	expect("per-CPU");
	first->info = PMM_PG_PCP;
	assert_int_equal(pmm_free_page(p), 0);
	pmm_pcp_set_high_batch(0, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_clean, setup, teardown),
		cmocka_unit_test_setup_teardown(test_inside_not_blank, setup, teardown),
		cmocka_unit_test_setup_teardown(test_free_head_order_changed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pair_bit_flipped, setup, teardown),
		cmocka_unit_test_setup_teardown(test_free_pages_counter, setup, teardown),
		cmocka_unit_test_setup_teardown(test_managed_counter, setup, teardown),
		cmocka_unit_test_setup_teardown(test_nr_free_counter, setup, teardown),
		cmocka_unit_test_setup_teardown(test_prev_link, setup, teardown),
		cmocka_unit_test_setup_teardown(test_alloc_head_refcount_zero, setup, teardown),
		cmocka_unit_test_setup_teardown(test_misaligned_head, setup, teardown),
		cmocka_unit_test_setup_teardown(test_outside_zones, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pfn0_managed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unknown_state, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pcp_counts, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
