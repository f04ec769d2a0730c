/* SPDX-License-Identifier: MIT */
/*
 * test_pcp.c - per-CPU lists of orders 0..PMM_PCP_MAX_ORDER: refill,
 * drain, high/batch settings, cross-CPU frees, defaults, the drain of this
 * CPU's lists when an allocation fails, and what pmm_check() proves.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "buddy_fixture.h"
#include "host_platform.h"

/*
 * batch 4: the first order-0 allocation moves 4 pages to CPU 0's list
 * (pfns 1, 2, 3, 4 taken from the buddy lists) and hands one out; the
 * next three come from the list without touching the zone.
 */
static void test_refill_batch(void **state)
{
	(void)state;
	struct pmm_zone *z = buddy_fix_pcp(1024, 8, 4);
	struct pmm_page *p = pmm_alloc_page(0);
	assert_non_null(p);
	assert_int_equal(z->pcp[0].count, 3);
	assert_int_equal(z->free_pages, 1023 - 4);
	assert_int_equal(pmm_nr_free_pages(), 1022);
	assert_true(pmm_page_is_alloc_head(p));
	buddy_assert_clean();
	for (int i = 0; i < 3; i++)
		assert_non_null(pmm_alloc_page(0));
	assert_int_equal(z->pcp[0].count, 0);
	assert_int_equal(z->free_pages, 1023 - 4);
	assert_non_null(pmm_alloc_page(0));
	assert_int_equal(z->pcp[0].count, 3);
	assert_int_equal(z->free_pages, 1023 - 8);
	buddy_assert_clean();
}

/* high 8, batch 4: the 9th free onto the list drains 4 to the zone. */
static void test_drain_on_high(void **state)
{
	(void)state;
	struct pmm_zone *z = buddy_fix_pcp(1024, 8, 4);
	struct pmm_page *pg[12];
	for (int i = 0; i < 12; i++)
		pg[i] = pmm_alloc_page(0);
	assert_int_equal(z->pcp[0].count, 0);
	for (int i = 0; i < 8; i++)
		assert_int_equal(pmm_free_page(pg[i]), 0);
	assert_int_equal(z->pcp[0].count, 8);
	assert_int_equal(pmm_free_page(pg[8]), 0);
	assert_int_equal(z->pcp[0].count, 5);
	assert_int_equal(pmm_nr_free_pages(), 1023 - 3);
	buddy_assert_clean();
	for (int i = 9; i < 12; i++)
		assert_int_equal(pmm_free_page(pg[i]), 0);
	pmm_pcp_drain_all();
	assert_int_equal(z->pcp[0].count, 0);
	assert_int_equal(z->free_pages, 1023);
	for (int k = 0; k < PMM_MAX_ORDER; k++)
		assert_int_equal(z->free_area[k].nr_free, 1);
	buddy_assert_clean();
}

/* A page freed on CPU 3 goes to CPU 3's list; draining CPU 3 returns it. */
static void test_cross_cpu_free(void **state)
{
	(void)state;
	struct pmm_zone *z = buddy_fix_pcp(1024, 8, 2);
	host_set_cpu(0);
	struct pmm_page *p = pmm_alloc_page(0);
	assert_int_equal(z->pcp[0].count, 1);
	host_set_cpu(3);
	assert_int_equal(pmm_free_page(p), 0);
	assert_int_equal(z->pcp[3].count, 1);
	assert_int_equal(p->info, PMM_PG_PCP);
	buddy_assert_clean();
	/* CPU 3 gets the same page back, LIFO. */
	struct pmm_page *q = pmm_alloc_page(0);
	assert_ptr_equal(p, q);
	assert_int_equal(pmm_free_page(q), 0);
	pmm_pcp_drain_cpu(3);
	assert_int_equal(z->pcp[3].count, 0);
	assert_int_equal(z->pcp[0].count, 1);
	pmm_pcp_drain_cpu(PMM_NR_CPUS); /* ignored */
	pmm_pcp_drain_cpu(0);
	assert_int_equal(pmm_nr_free_pages(), 1023);
	assert_int_equal(z->free_pages, 1023);
	host_set_cpu(0);
	buddy_assert_clean();
}

static void test_set_high_batch(void **state)
{
	(void)state;
	struct pmm_zone *z = buddy_fix_pcp(1024, 0, 0);
	assert_int_equal(pmm_pcp_set_high_batch(4, 8), PMM_EINVAL);
	assert_int_equal(pmm_pcp_set_high_batch(16, 8), 0);
	for (unsigned int c = 0; c < PMM_NR_CPUS; c++) {
		assert_int_equal(z->pcp[c].high, 16);
		assert_int_equal(z->pcp[c].batch, 8);
	}
	struct pmm_page *p = pmm_alloc_page(0);
	assert_int_equal(z->pcp[0].count, 7);
	/* Disabling drains every list and bypasses them afterwards. */
	assert_int_equal(pmm_pcp_set_high_batch(0, 0), 0);
	assert_int_equal(z->pcp[0].count, 0);
	assert_int_equal(z->free_pages, 1022);
	assert_int_equal(pmm_free_page(p), 0);
	assert_int_equal(z->free_pages, 1023);
	assert_int_equal(z->pcp[0].count, 0);
	buddy_assert_clean();
}

/* Defaults: Linux's batch rule (see pcp.c); set again after the hand-off. */
static void test_defaults(void **state)
{
	(void)state;
	struct pmm_zone *z = buddy_fix_pcp(16384, 0, 0); /* 64 MiB */
	assert_int_equal(z->pcp[0].batch, 3);
	assert_int_equal(z->pcp[0].high, 18);
	buddy_teardown();
	z = buddy_fix_pcp(262144, 0, 0); /* 1 GiB */
	/* 262143 >> 10 = 255; /4 = 63; 63 + 31 = 94 -> 64 - 1 = 63. */
	assert_int_equal(z->pcp[0].batch, 63);
	assert_int_equal(z->pcp[0].high, 378);
	buddy_teardown();
	z = buddy_fix_pcp(64, 0, 0);
	assert_int_equal(z->pcp[0].batch, 1);
	assert_int_equal(z->pcp[0].high, 6);
}

/* An explicit setting also applies to zones set up afterwards. */
static void test_setting_survives_zone_init(void **state)
{
	(void)state;
	struct buddy_zone_spec zs[] = { { 0, PMM_ZONE_NORMAL, 0, 512 } };
	assert_int_equal(buddy_setup(&(struct buddy_setup_opts){
			 .max_pfn = 1024, .zones = zs, .nr_zones = 1,
			 .keep_pcp = true }), 0);
	assert_int_equal(pmm_pcp_set_high_batch(10, 5), 0);
	uint64_t bytes = pmm_zone_bitmap_bytes(512, 1024);
	static uint64_t bm[64];
	assert_true(bytes <= sizeof(bm));
	assert_int_equal(pmm_node_init(1, 512, 1024), 0);
	assert_int_equal(pmm_zone_init(1, PMM_ZONE_NORMAL, 512, 1024, 512, bm), 0);
	struct pmm_zone *z1 = &pmm_nodes[1].zones[PMM_ZONE_NORMAL];
	assert_int_equal(pmm_buddy_handoff_range(512, 1024, NULL), 0);
	assert_int_equal(z1->pcp[2].high, 10);
	assert_int_equal(z1->pcp[2].batch, 5);
	buddy_assert_clean();
}

/* Refill stops at the min watermark; this CPU's listed pages count. */
static void test_refill_respects_watermark(void **state)
{
	(void)state;
	struct pmm_zone *z = buddy_fix_pcp(64, 32, 16);
	pmm_zone_set_watermarks(z, 60, 60, 60);
	/* 63 free, min 60: 3 pages may go. */
	assert_non_null(pmm_alloc_page(0));
	assert_int_equal(z->pcp[0].count, 2);
	assert_int_equal(z->free_pages, 60);
	/* Listed pages count as free: 60 + 2 may go down to 60 + 0. */
	assert_non_null(pmm_alloc_page(0));
	assert_non_null(pmm_alloc_page(0));
	assert_int_equal(z->pcp[0].count, 0);
	assert_null(pmm_alloc_page(0));
	assert_int_equal(z->free_pages, 60);
	/* PMM_GFP_HIGH halves min: a refill of up to 16 down to 30. */
	assert_non_null(pmm_alloc_page(PMM_GFP_HIGH));
	assert_int_equal(z->pcp[0].count, 15);
	assert_int_equal(z->free_pages, 44);
	/* Without PMM_GFP_HIGH, 44 + 15 < 61: refused despite the list. */
	assert_null(pmm_alloc_page(0));
	buddy_assert_clean();
}

/* Exhaustion through the per-CPU path, then everything comes back. */
static void test_exhaust_and_return(void **state)
{
	(void)state;
	struct pmm_zone *z = buddy_fix_pcp(256, 12, 5);
	static struct pmm_page *pg[255];
	for (int i = 0; i < 255; i++) {
		host_set_cpu((unsigned int)i % PMM_NR_CPUS);
		pg[i] = pmm_alloc_page(0);
		if (pg[i] == NULL) {
			/* Only when other CPUs hold the rest. */
			pmm_pcp_drain_all();
			pg[i] = pmm_alloc_page(0);
		}
		assert_non_null(pg[i]);
	}
	assert_null(pmm_alloc_page(0));
	assert_int_equal(pmm_nr_free_pages(), 0);
	buddy_assert_clean();
	for (int i = 0; i < 255; i++) {
		host_set_cpu((unsigned int)(i * 7) % PMM_NR_CPUS);
		assert_int_equal(pmm_free_page(pg[i]), 0);
	}
	assert_int_equal(pmm_nr_free_pages(), 255);
	buddy_assert_clean();
	pmm_pcp_drain_all();
	assert_int_equal(z->free_pages, 255);
	assert_int_equal(z->free_area[7].nr_free, 1);
	host_set_cpu(0);
	buddy_assert_clean();
}

/*
 * batch 8: an order-2 request takes 8 >> 2 = 2 blocks of order 2 from the
 * zone (pfns 4..11: the buddy lists split 1..1023 from the low end) and
 * hands out one; order 3 takes 8 >> 3 = 1 block and hands it out.
 */
static void test_high_order_refill(void **state)
{
	(void)state;
	struct pmm_zone *z = buddy_fix_pcp(1024, 32, 8);
	struct pmm_page *a = pmm_alloc_pages(0, 2);
	assert_non_null(a);
	assert_int_equal(z->pcp[0].count, 4);
	assert_int_equal(z->free_pages, 1023 - 8);
	pmm_pfn_t listed = (pmm_pfn_t)z->pcp[0].head[PMM_MT_UNMOVABLE][2] - 1;
	assert_int_equal(pmm_mem_map[listed].info, PMM_PG_PCP | 2);
	assert_int_equal(listed & 3, 0);
	struct pmm_page *b = pmm_alloc_pages(0, 3);
	assert_non_null(b);
	assert_int_equal(z->pcp[0].head[PMM_MT_UNMOVABLE][3], 0);
	assert_int_equal(z->pcp[0].count, 4);
	assert_int_equal(z->free_pages, 1023 - 16);
	buddy_assert_clean();
	/* Frees go to the lists of their order, LIFO. */
	assert_int_equal(pmm_free_pages(b, 3), 0);
	assert_int_equal(b->info, PMM_PG_PCP | 3);
	assert_int_equal(z->pcp[0].count, 12);
	assert_ptr_equal(pmm_alloc_pages(0, 3), b);
	assert_int_equal(pmm_free_pages(b, 3), 0);
	assert_int_equal(pmm_free_pages(a, 2), 0);
	assert_int_equal(pmm_nr_free_pages(), 1023);
	buddy_assert_clean();
	pmm_pcp_drain_all();
	assert_int_equal(z->free_pages, 1023);
	for (int k = 0; k < PMM_MAX_ORDER; k++)
		assert_int_equal(z->free_area[k].nr_free, 1);
	buddy_assert_clean();
}

/*
 * high 6, batch 3: lists hold 3 order-0 pages and one order-1 block (5
 * pages); freeing an order-2 block makes 9 > 6, and the drain takes one
 * block from each list in turn until 3 pages went back: an order-0 page,
 * then the order-1 block. The next drain starts at order 2.
 */
static void test_drain_round_robin(void **state)
{
	(void)state;
	struct pmm_zone *z = buddy_fix_pcp(1024, 64, 1);
	struct pmm_page *p0[3], *p1, *p2;
	for (int i = 0; i < 3; i++)
		assert_non_null(p0[i] = pmm_alloc_page(0));
	assert_non_null(p1 = pmm_alloc_pages(0, 1));
	assert_non_null(p2 = pmm_alloc_pages(0, 2));
	assert_int_equal(z->pcp[0].count, 0);
	assert_int_equal(pmm_pcp_set_high_batch(6, 3), 0);
	for (int i = 0; i < 3; i++)
		assert_int_equal(pmm_free_page(p0[i]), 0);
	assert_int_equal(pmm_free_pages(p1, 1), 0);
	assert_int_equal(z->pcp[0].count, 5);
	assert_int_equal(pmm_free_pages(p2, 2), 0);
	assert_int_equal(z->pcp[0].count, 6);
	assert_int_equal(z->pcp[0].head[PMM_MT_UNMOVABLE][1], 0);
	assert_true(z->pcp[0].head[PMM_MT_UNMOVABLE][0] != 0 && z->pcp[0].head[PMM_MT_UNMOVABLE][2] != 0);
	assert_int_equal(z->pcp[0].drain_list, 2);
	assert_int_equal(z->free_pages, 1023 - 6);
	buddy_assert_clean();
}

/* Fill CPU 0's lists with every page of the zone as single pages. */
static struct pmm_zone *all_pages_on_cpu0_lists(void)
{
	struct pmm_zone *z = buddy_fix_pcp(1024, 2048, 1);
	static struct pmm_page *pg[1023];
	for (int i = 0; i < 1023; i++)
		assert_non_null(pg[i] = pmm_alloc_page(0));
	assert_null(pmm_alloc_page(0));
	for (int i = 0; i < 1023; i++)
		assert_int_equal(pmm_free_page(pg[i]), 0);
	assert_int_equal(z->pcp[0].count, 1023);
	assert_int_equal(z->free_pages, 0);
	return z;
}

/*
 * Every free page sits on CPU 0's order-0 list, none in the buddy lists:
 * a larger request fails there, drains this CPU's lists (the pages
 * coalesce back to 1, 2..3, ..., 512..1023) and is served on the retry.
 */
static void test_failure_drains_this_cpu(void **state)
{
	(void)state;
	struct pmm_zone *z = all_pages_on_cpu0_lists();
	struct pmm_page *big = pmm_alloc_pages(0, 9);
	assert_non_null(big);
	assert_int_equal(pmm_page_to_pfn(big), 512);
	assert_int_equal(z->pcp[0].count, 0);
	assert_int_equal(z->free_pages, 511);
	assert_int_equal(pmm_free_pages(big, 9), 0);
	buddy_assert_clean();
	/* A per-CPU order refills from the buddy lists, so it also works. */
	buddy_teardown();
	z = all_pages_on_cpu0_lists();
	struct pmm_page *two = pmm_alloc_pages(0, 1);
	assert_non_null(two);
	assert_int_equal(z->free_pages, 1021);
	assert_int_equal(pmm_free_pages(two, 1), 0);
	buddy_assert_clean();
}

/*
 * Another CPU's lists are not drained: only that CPU may touch them (or
 * pmm_pcp_drain_cpu() while it is quiet), so the request fails.
 */
static void test_failure_leaves_other_cpus(void **state)
{
	(void)state;
	struct pmm_zone *z = all_pages_on_cpu0_lists();
	host_set_cpu(1);
	assert_null(pmm_alloc_pages(0, 9));
	assert_int_equal(z->pcp[0].count, 1023);
	pmm_pcp_drain_cpu(0);
	struct pmm_page *big = pmm_alloc_pages(0, 9);
	assert_non_null(big);
	assert_int_equal(pmm_free_pages(big, 9), 0);
	host_set_cpu(0);
	buddy_assert_clean();
}

/* A page inside a block on a per-CPU list is free: freeing it is a double free. */
static void test_free_inside_pcp_block(void **state)
{
	(void)state;
	struct pmm_zone *z = buddy_fix_pcp(1024, 32, 4);
	struct pmm_page *a = pmm_alloc_pages(0, 2);
	assert_non_null(a);
	assert_int_equal(pmm_free_pages(a, 2), 0);
	uint32_t count = z->pcp[0].count;
	assert_int_equal(pmm_free_page(a + 1), PMM_EDOUBLEFREE);
	assert_int_equal(pmm_free_pages(a, 2), PMM_EDOUBLEFREE);
	assert_int_equal(pmm_free_pages(a, 1), PMM_EDOUBLEFREE);
	assert_false(pmm_pfn_is_reserved(pmm_page_to_pfn(a) + 3));
	assert_int_equal(z->pcp[0].count, count);
	buddy_assert_clean();
}

static void expect_check_msg(const char *what)
{
	const char *e = pmm_check();
	if (e == NULL || strstr(e, what) == NULL)
		fail_msg("pmm_check: expected \"%s\", got \"%s\"", what,
			 e ? e : "(null)");
}

/* pmm_check() proves the per-CPU blocks: order, alignment, inside, lists. */
static void test_check_sees_bad_pcp_blocks(void **state)
{
	(void)state;
	struct pmm_zone *z = buddy_fix_pcp(1024, 32, 4);
	struct pmm_page *a = pmm_alloc_pages(0, 2);
	assert_int_equal(pmm_free_pages(a, 2), 0);
	a->info = PMM_PG_PCP | (PMM_PCP_MAX_ORDER + 1);
	expect_check_msg("per-CPU head");
	a->info = PMM_PG_PCP | 2;
	a[2].info = PMM_PG_POISON;
	expect_check_msg("inside block");
	a[2].info = 0;
	z->pcp[0].drain_list = PMM_PCP_NR_LISTS;
	expect_check_msg("drain list");
	z->pcp[0].drain_list = 0;
	uint32_t h = z->pcp[0].head[PMM_MT_UNMOVABLE][2];
	z->pcp[0].head[PMM_MT_UNMOVABLE][2] = 0;
	z->pcp[0].head[PMM_MT_UNMOVABLE][1] = h;
	expect_check_msg("per-CPU list 1 entry");
	z->pcp[0].head[PMM_MT_UNMOVABLE][1] = 0;
	z->pcp[0].head[PMM_MT_UNMOVABLE][2] = h;
	buddy_assert_clean();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		BUDDY_CASE(test_refill_batch),
		BUDDY_CASE(test_drain_on_high),
		BUDDY_CASE(test_cross_cpu_free),
		BUDDY_CASE(test_set_high_batch),
		BUDDY_CASE(test_defaults),
		BUDDY_CASE(test_setting_survives_zone_init),
		BUDDY_CASE(test_refill_respects_watermark),
		BUDDY_CASE(test_exhaust_and_return),
		BUDDY_CASE(test_high_order_refill),
		BUDDY_CASE(test_drain_round_robin),
		BUDDY_CASE(test_failure_drains_this_cpu),
		BUDDY_CASE(test_failure_leaves_other_cpus),
		BUDDY_CASE(test_free_inside_pcp_block),
		BUDDY_CASE(test_check_sees_bad_pcp_blocks),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
