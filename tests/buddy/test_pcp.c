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
 * Most cases run on buddy_fix_pcp(1024, high, batch): one Normal zone over
 * pfns [0, 1024) on node 0 whose pages but pfn 0 are handed off, as
 * movable blocks, one of each order 0..9 (not to scale):
 *
 *   pfn 0 1 2   4   8   16  32  64  128 256 512                  1024
 *       |x|0|1  |2  |3  |4  |5  |6  |7  |8  |9                      |
 *        x: never managed   k: a free movable block of order k
 *
 * The requests here are unmovable (no PMM_GFP_MOVABLE): the first one
 * claims the largest movable block, the pageblock [512, 1024), for its
 * type and splits it from the low end, so per-CPU refills start at pfn
 * 512. In the pictures below
 *
 *   A  allocated        P  on a per-CPU list        .  free in the zone
 *   CPU n: the list of CPU n, head first (LIFO)
 */

/*
 * high 8, batch 4: the first order-0 allocation moves 4 pages, pfns
 * 512..515, to CPU 0's list and hands out the last one listed; the next
 * three come from the list without touching the zone. The fifth refills.
 *
 *   pfn 512         516     520       528   ...   768          1024
 *       |P P P A    |. . . .|. . ...  |. .  ...   |. . . ...    |
 *   CPU 0: 514 513 512 (count 3); zone 1019 free; 515 allocated
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

/*
 * high 8, batch 4: twelve pages allocated (three refills: 512..523), eight
 * freed onto CPU 0's list; the 9th free makes 9 > 8 and drains the 4 at
 * the head (523, 516, 517, 518) back to the zone.
 *
 *   pfn 512             520         524
 *       |P P P P P . . .|A A A .    |. . . .  ...
 *   CPU 0: 519 512 513 514 515 (count 5); zone 1015 free, 1020 in all
 */
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

/*
 * high 8, batch 2: CPU 0 refills 512 and 513 and gets 513; freed on CPU 3
 * it goes to CPU 3's list; draining CPU 3, then CPU 0, returns both.
 *
 *   pfn 512     514
 *       |P  P   |. .  ...           zone 1021 free
 *   CPU 0: 512                 CPU 3: 513
 */
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

/*
 * Default lists, then high 16, batch 8: one allocation lists 512..519 and
 * hands out 519; turning the lists off (0, 0) drains them.
 *
 *   pfn 512                 520
 *       |P P P P P P P A    |. . . ...     zone 1015 free
 *   CPU 0: 518 517 ... 512 (count 7)
 *   after pmm_pcp_set_high_batch(0, 0): no list, zone 1022 free, 519 A
 */
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

/*
 * Defaults: Linux's batch rule (see pcp.c); set again after the hand-off.
 * Three machines in turn, each one Normal zone handed off but pfn 0:
 *
 *   pfn 0                 64                16384             262144
 *       |x|  63 free      |                 |                 |
 *       |x|  16383 free (64 MiB)            |                 |
 *       |x|  262143 free (1 GiB)                              |
 */
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

/*
 * An explicit setting also applies to zones set up afterwards: node 1's
 * zone is made after pmm_pcp_set_high_batch(10, 5).
 *
 *   pfn 0                        512                        1024
 *       | node 0 Normal          | node 1 Normal            |
 *       | nothing handed off     | made and handed off last |
 */
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

/*
 * Refill stops at the min watermark; this CPU's listed pages count.
 * buddy_fix_pcp(64, 32, 16) with min = low = high = 60:
 *
 *   pfn 0 1                                                     64
 *       |x|. . . . . . . . . . . 63 free . . . . . . . . . . . .|
 *
 *   step                        CPU 0 list   zone free   handed out
 *   order 0: 3 may go                2           60          1
 *   two more, from the list          0           60          3
 *   one more                         0           60      refused
 *   PMM_GFP_HIGH (min 30)           15           44          4
 *   without PMM_GFP_HIGH: 44 + 15 < 61, refused despite the list
 */
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

/*
 * Exhaustion through the per-CPU path, then everything comes back.
 * buddy_fix_pcp(256, 12, 5), allocations spread over every CPU:
 *
 *   pfn 0 1 2   4   8   16  32  64  128               256
 *       |x|0|1  |2  |3  |4  |5  |6  |7                 |    handed off
 *       |x|A A A A A A A A A A A A A A A A A A A A A A A|    all 255 taken
 *       |x|0|1  |2  |3  |4  |5  |6  |7                 |    freed, drained
 */
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
 * high 32, batch 8: an order-2 request takes 8 >> 2 = 2 blocks of order 2
 * from the zone, 512 and 516, lists 512 and hands out 516; order 3 takes
 * 8 >> 3 = 1 block, 520, and hands it out.
 *
 *   pfn 512     516     520             528
 *       |P P P P|A A A A|A A A A A A A A|. . . ...     zone 1007 free
 *   CPU 0: order 2: 512 (count 4)
 *   freeing 520 lists it: order 2: 512, order 3: 520 (count 12)
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
 *
 *   pfn 512     514 515 516     518     520     524
 *       |P  P   |P  .   |P  P   |.  .   |A A A A|. . . .  ...   before
 *       |P  P   |.  .   |.  .   .   .   |P P P P|. . . .  ...   after
 *   CPU 0 before: order 0: 514 513 512, order 1: 516 (count 5)
 *   CPU 0 after:  order 0: 513 512, order 2: 520 (count 6); 514..515 and
 *                 516..519 merged in the zone
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

/*
 * Fill CPU 0's lists with every page of the zone as single pages
 * (high 2048, batch 1):
 *
 *   pfn 0 1                                                    1024
 *       |x|P P P P P P P P P P P P P P P P P P P P P P P P P P P|
 *   CPU 0: order 0, 1023 pages; the zone's free lists are empty
 */
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
 *
 *   pfn 0 1 2   4   8  ...  256  512                   1024
 *       |x|P P P P P P ...  P P  P P P P P P P P P P P P|   before
 *       |x|0|1  |2  |3 ...  |8   |A (order 9)            |   after
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
 *
 *   pfn 0 1                                                    1024
 *       |x|P P P P P P P P P P P P P P P P P P P P P P P P P P P|
 *   CPU 0: 1023 pages; CPU 1 asks for order 9 and is refused
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

/*
 * A page inside a block on a per-CPU list is free: freeing it is a double
 * free. high 32, batch 4: the order-2 block 512 goes out and comes back.
 *
 *   pfn 512     516
 *       |P P P P|. . . .  ...
 *   CPU 0: order 2: 512 (count 4); 513 is inside that block
 */
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

/*
 * pmm_check() proves the per-CPU blocks: order, alignment, inside, lists.
 * Same memory as above; each corruption is undone before the next:
 *
 *   pfn 512     516
 *       |P P P P|. . . .  ...
 *   CPU 0: order 2: 512 (count 4)
 */
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
