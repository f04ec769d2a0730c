/* SPDX-License-Identifier: MIT */
/*
 * test_buddy_migrate.c - grouping pages by mobility: the migratetype a
 * request gets from its GFP flags, the pageblock types boot sets, the
 * fallback order and when a fallback claims pageblocks, where frees go,
 * per-CPU lists per type, the grouping switch, what pmm_check() proves
 * about types, and /proc/pagetypeinfo.
 *
 * Most cases use one Normal zone [0, 4096) handed off (pfn 0 is never
 * managed), pageblocks of 512 pages:
 *
 *   pfn 1 ........ 1023 | 1024 ... 2047 | 2048 ... 3071 | 3072 ... 4095
 *   orders 0..9, movable|   order 10    |   order 10    |   order 10
 *                                                         (list head)
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <pmm/fmt.h>
#include <pmm/report.h>

#include <pmm/contig.h>

#include "buddy_fixture.h"
#include "host_platform.h"

#define MOV PMM_GFP_MOVABLE
#define REC PMM_GFP_RECLAIMABLE

static void expect_check_msg(const char *what)
{
	const char *e = pmm_check();
	assert_non_null(e);
	if (strstr(e, what) == NULL)
		fail_msg("pmm_check said \"%s\", expected \"%s\"", e, what);
}

static struct pmm_zone *setup_simple(pmm_pfn_t pages)
{
	assert_int_equal(buddy_setup_simple(pages), 0);
	return buddy_zone(PMM_ZONE_NORMAL);
}

static pmm_pfn_t alloc_pfn(unsigned int gfp, pmm_order_t order)
{
	struct pmm_page *p = pmm_alloc_pages(gfp, order);
	if (p == NULL)
		fail_msg("allocation of order %u, gfp %#x failed", order, gfp);
	return pmm_page_to_pfn(p);
}

static void free_pfn(pmm_pfn_t pfn, pmm_order_t order)
{
	assert_int_equal(pmm_free_pages(pmm_pfn_to_page(pfn), order), 0);
}

static unsigned int pb_type(const struct pmm_zone *z, pmm_pfn_t pfn)
{
	return pmm_pageblock_type(z, pfn);
}

/* Blocks listed of type @mt, all orders. */
static uint64_t listed(const struct pmm_zone *z, unsigned int mt)
{
	uint64_t n = 0;
	for (pmm_order_t k = 0; k <= PMM_MAX_ORDER; k++)
		for (uint32_t h = z->free_area[k].head[mt]; h != 0;
		     h = pmm_mem_map[h - 1].next)
			n++;
	return n + pmm_buddy_deferred_listed(z, mt);
}

/* The migratetype comes from the mobility flags, as Linux's gfp_migratetype(). */
static void test_gfp_selects_type(void **state)
{
	(void)state;
	assert_int_equal(pmm_gfp_migratetype(0), PMM_MT_UNMOVABLE);
	assert_int_equal(pmm_gfp_migratetype(PMM_GFP_KERNEL), PMM_MT_UNMOVABLE);
	assert_int_equal(pmm_gfp_migratetype(PMM_GFP_ATOMIC), PMM_MT_UNMOVABLE);
	assert_int_equal(pmm_gfp_migratetype(PMM_GFP_HIGHUSER_MOVABLE),
			 PMM_MT_MOVABLE);
	assert_int_equal(pmm_gfp_migratetype(PMM_GFP_USER_MOVABLE),
			 PMM_MT_MOVABLE);
	assert_int_equal(pmm_gfp_migratetype(PMM_GFP_KERNEL | REC),
			 PMM_MT_RECLAIMABLE);
	assert_int_equal(pmm_gfp_migratetype(MOV | REC), PMM_MT_TYPES);
	assert_int_equal(MOV, 0x08);
	assert_int_equal(REC, 0x10);
}

/* Both mobility flags contradict each other: PMM_EINVAL, nothing taken. */
static void test_both_flags_rejected(void **state)
{
	(void)state;
	setup_simple(4096);
	for (int pcp = 0; pcp < 2; pcp++) {
		if (pcp)
			assert_int_equal(pmm_pcp_set_high_batch(16, 4), 0);
		for (pmm_order_t k = 0; k <= PMM_PCP_MAX_ORDER + 1; k++) {
			int err = 0;
			assert_null(pmm_alloc_pages_tagged(PMM_NUMA_NO_NODE,
							   MOV | REC, k, 0,
							   &err));
			assert_int_equal(err, PMM_EINVAL);
		}
	}
	assert_int_equal(pmm_nr_free_pages(), 4095);
	buddy_assert_clean();
}

/* Boot gives every pageblock MOVABLE, so every free block lists as movable. */
static void test_boot_marks_movable(void **state)
{
	(void)state;
	struct pmm_zone *z = setup_simple(4096);
	for (pmm_pfn_t p = 0; p < 4096; p += PMM_PAGEBLOCK_PAGES)
		assert_int_equal(pb_type(z, p), PMM_MT_MOVABLE);
	assert_int_equal(listed(z, PMM_MT_MOVABLE), 13);
	assert_int_equal(listed(z, PMM_MT_UNMOVABLE), 0);
	assert_int_equal(listed(z, PMM_MT_RECLAIMABLE), 0);
	buddy_assert_clean();
}

/* A movable request finds its own type: no pageblock changes type. */
static void test_own_type_first(void **state)
{
	(void)state;
	struct pmm_zone *z = setup_simple(4096);
	assert_int_equal(alloc_pfn(MOV, 0), 1);
	assert_int_equal(alloc_pfn(MOV, 3), 8);
	for (pmm_pfn_t p = 0; p < 4096; p += PMM_PAGEBLOCK_PAGES)
		assert_int_equal(pb_type(z, p), PMM_MT_MOVABLE);
	buddy_assert_clean();
}

/*
 * No unmovable block: the largest movable one (order 10 at 3072, the list
 * head) is claimed whole - both its pageblocks turn unmovable - and split:
 *
 *   | 1..1023 movable | 1024 M | 2048 M | 3072 U: 3072 taken, 3073.. free U |
 *
 * The next unmovable request comes from the unmovable lists.
 */
static void test_unmovable_claims_largest(void **state)
{
	(void)state;
	struct pmm_zone *z = setup_simple(4096);
	assert_int_equal(alloc_pfn(0, 0), 3072);
	assert_int_equal(pb_type(z, 3072), PMM_MT_UNMOVABLE);
	assert_int_equal(pb_type(z, 3584), PMM_MT_UNMOVABLE);
	for (pmm_pfn_t p = 0; p < 3072; p += PMM_PAGEBLOCK_PAGES)
		assert_int_equal(pb_type(z, p), PMM_MT_MOVABLE);
	for (pmm_order_t k = 0; k < PMM_MAX_ORDER; k++)
		assert_int_not_equal(z->free_area[k].head[PMM_MT_UNMOVABLE], 0);
	assert_int_equal(z->free_area[0].head[PMM_MT_UNMOVABLE], 3073 + 1);
	buddy_assert_clean();
	assert_int_equal(alloc_pfn(PMM_GFP_KERNEL, 0), 3073);
	assert_int_equal(pb_type(z, 2560), PMM_MT_MOVABLE);
	buddy_assert_clean();
}

/*
 * Fallback below the pageblock order, half the pageblock free or more:
 *
 *   | 0 x | 1..511 free (511 pages), movable | 512..1023 allocated o9 |
 *
 * An unmovable order-0 request falls back to the order-8 block at 256,
 * finds 511 >= 256 free pages in its pageblock and claims it: every free
 * block of the pageblock moves to the unmovable lists, and the request is
 * served from them (smallest first: pfn 1).
 */
static void test_claim_half_free_pageblock(void **state)
{
	(void)state;
	struct pmm_zone *z = setup_simple(1024);
	assert_int_equal(alloc_pfn(MOV, 9), 512);
	assert_int_equal(alloc_pfn(0, 0), 1);
	assert_int_equal(pb_type(z, 0), PMM_MT_UNMOVABLE);
	assert_int_equal(pb_type(z, 512), PMM_MT_MOVABLE);
	assert_int_equal(listed(z, PMM_MT_MOVABLE), 0);
	assert_int_equal(listed(z, PMM_MT_UNMOVABLE), 8); /* orders 1..8 */
	buddy_assert_clean();
}

/*
 * Less than half free: the block is taken as it is, the pageblock keeps
 * its type, the remainder stays movable:
 *
 *   | 0 x | 1..255 free (255 pages) | 256..511 alloc o8 | 512.. alloc o9 |
 *
 * The unmovable request takes the largest fallback (order 7 at 128).
 */
static void test_no_claim_below_half(void **state)
{
	(void)state;
	struct pmm_zone *z = setup_simple(1024);
	assert_int_equal(alloc_pfn(MOV, 9), 512);
	assert_int_equal(alloc_pfn(MOV, 8), 256);
	assert_int_equal(alloc_pfn(0, 0), 128);
	assert_int_equal(pb_type(z, 0), PMM_MT_MOVABLE);
	assert_int_equal(listed(z, PMM_MT_UNMOVABLE), 0);
	assert_int_equal(z->free_area[0].head[PMM_MT_MOVABLE], 129 + 1);
	buddy_assert_clean();
}

/*
 * A movable request that cannot claim (largest fallback below half a
 * pageblock) takes the smallest fallback block instead, and a block freed
 * into an unmovable pageblock goes to the unmovable lists whatever type
 * asked for it:
 *
 *   | 1..1023 movable, all allocated | 1024 U alloc | 1025 o0 | 1026 o1 |
 *   | 1028 o2 | 1032 o3 | 1040.. allocated (unmovable, orders 4..9)     |
 */
static void test_movable_takes_smallest_fallback(void **state)
{
	(void)state;
	struct pmm_zone *z = setup_simple(2048);
	assert_int_equal(alloc_pfn(0, 0), 1024); /* claims 1024..2047 */
	for (int k = 9; k >= 0; k--)
		assert_int_equal(alloc_pfn(MOV, (pmm_order_t)k),
				 (pmm_pfn_t)1 << k);
	for (int k = 9; k >= 4; k--)
		assert_int_equal(alloc_pfn(0, (pmm_order_t)k),
				 1024 + ((pmm_pfn_t)1 << k));
	assert_int_equal(z->free_pages, 15);
	assert_int_equal(alloc_pfn(MOV, 0), 1025);
	assert_int_equal(pb_type(z, 1024), PMM_MT_UNMOVABLE);
	buddy_assert_clean();
	free_pfn(1025, 0);
	assert_int_equal(z->free_area[0].head[PMM_MT_UNMOVABLE], 1025 + 1);
	assert_int_equal(listed(z, PMM_MT_MOVABLE), 0);
	buddy_assert_clean();
}

/*
 * Linux's order: a reclaimable request borrows from unmovable before
 * movable when both have a block of the largest order. After the two
 * movable order-10 blocks are gone, both types hold an order-9 block:
 * the unmovable one at 3584 is claimed.
 */
static void test_reclaimable_prefers_unmovable(void **state)
{
	(void)state;
	struct pmm_zone *z = setup_simple(4096);
	assert_int_equal(alloc_pfn(0, 0), 3072);
	alloc_pfn(MOV, 10);
	alloc_pfn(MOV, 10);
	assert_int_equal(alloc_pfn(REC, 0), 3584);
	assert_int_equal(pb_type(z, 3584), PMM_MT_RECLAIMABLE);
	assert_int_equal(pb_type(z, 3072), PMM_MT_UNMOVABLE);
	assert_int_equal(pb_type(z, 512), PMM_MT_MOVABLE);
	buddy_assert_clean();
}

/*
 * Coalescing across pageblocks: the freed block's type wins.
 *
 *   Normal [1024, 2048): | 1024 a: U o9 | 1536 b: M o9 |
 *
 * a (unmovable) claims both pageblocks; b (movable) claims 1536 back.
 * Freeing a, then b merges them into one order-10 block, all movable (the
 * type of b, the block being freed; lazy: of the head settled first).
 */
static void merge_scenario(bool lazy)
{
	static const struct buddy_zone_spec zs = { 0, PMM_ZONE_NORMAL, 1024, 2048 };
	assert_int_equal(buddy_setup(&(struct buddy_setup_opts){
			 .max_pfn = 2048, .zones = &zs, .nr_zones = 1,
			 .handoff = true }), 0);
	struct pmm_zone *z = buddy_zone(PMM_ZONE_NORMAL);
	pmm_buddy_set_lazy(lazy);
	assert_int_equal(alloc_pfn(0, 9), 1024);
	assert_int_equal(alloc_pfn(MOV, 9), 1536);
	assert_int_equal(pb_type(z, 1024), PMM_MT_UNMOVABLE);
	assert_int_equal(pb_type(z, 1536), PMM_MT_MOVABLE);
	free_pfn(1024, 9);
	assert_int_equal(z->free_area[9].head[PMM_MT_UNMOVABLE], 1024 + 1);
	buddy_assert_clean();
	free_pfn(1536, 9);
	buddy_assert_clean();
	pmm_buddy_set_lazy(false);
	/* Lazy: the head settled first decides; both pageblocks agree. */
	unsigned int mt = lazy ? pb_type(z, 1024) : PMM_MT_MOVABLE;
	assert_int_equal(z->free_area[PMM_MAX_ORDER].nr_free, 1);
	assert_int_equal(z->free_area[PMM_MAX_ORDER].head[mt], 1024 + 1);
	assert_int_equal(pb_type(z, 1024), mt);
	assert_int_equal(pb_type(z, 1536), mt);
	buddy_assert_clean();
}

static void test_merge_unifies_types(void **state)
{
	(void)state;
	merge_scenario(false);
}

static void test_merge_unifies_types_lazy(void **state)
{
	(void)state;
	merge_scenario(true);
}

/* Per-CPU lists: a free goes to the list of its pageblock's type. */
static void test_pcp_lists_per_type(void **state)
{
	(void)state;
	assert_int_equal(buddy_setup(&(struct buddy_setup_opts){
			 .max_pfn = 4096, .handoff = true, .keep_pcp = true }), 0);
	struct pmm_zone *z = buddy_zone(PMM_ZONE_NORMAL);
	assert_int_equal(pmm_pcp_set_high_batch(16, 4), 0);
	pmm_pfn_t m = alloc_pfn(MOV, 0);
	free_pfn(m, 0);
	assert_int_equal(z->pcp[0].head[PMM_MT_MOVABLE][0], m + 1);
	pmm_pfn_t u = alloc_pfn(0, 0);
	assert_true(u >= 3072); /* from the claimed order-10 block */
	free_pfn(u, 0);
	assert_int_equal(z->pcp[0].head[PMM_MT_UNMOVABLE][0], u + 1);
	buddy_assert_clean();
	assert_int_equal(alloc_pfn(MOV, 0), m);
	assert_int_equal(alloc_pfn(0, 0), u);
	free_pfn(m, 0);
	free_pfn(u, 0);
	pmm_pcp_drain_all();
	assert_int_equal(pmm_nr_free_pages(), 4095);
	buddy_assert_clean();
}

/*
 * Grouping off: every request is served as movable, like the plain buddy,
 * whatever its mobility flags (both together too).
 */
static void test_grouping_off(void **state)
{
	(void)state;
	struct pmm_zone *z = setup_simple(4096);
	assert_true(pmm_buddy_is_grouping());
	pmm_buddy_set_grouping(false);
	assert_false(pmm_buddy_is_grouping());
	assert_int_equal(alloc_pfn(0, 0), 1);
	assert_int_equal(alloc_pfn(REC, 1), 2);
	assert_int_equal(alloc_pfn(MOV | REC, 2), 4); /* flags not read */
	assert_int_equal(alloc_pfn(MOV | REC, 0), 8);
	for (pmm_pfn_t p = 0; p < 4096; p += PMM_PAGEBLOCK_PAGES)
		assert_int_equal(pb_type(z, p), PMM_MT_MOVABLE);
	pmm_buddy_set_grouping(true);
	assert_true(pmm_buddy_is_grouping());
	assert_int_equal(alloc_pfn(0, 0), 3072);
	buddy_assert_clean();
}

static void set_type_raw(struct pmm_zone *z, pmm_pfn_t pfn, unsigned int mt)
{
	z->pageblock_mt[(pfn - z->map_base) >> PMM_PAGEBLOCK_ORDER] = (uint8_t)mt;
}

/*
 * pmm_check() finds a pageblock type out of range; a block freed into such
 * a pageblock still lands on a valid list (unmovable), no write past the
 * per-type heads.
 */
static void test_check_type_out_of_range(void **state)
{
	(void)state;
	struct pmm_zone *z = setup_simple(4096);
	set_type_raw(z, 2560, 7);
	expect_check_msg("pageblock at pfn 0xa00: type 7 out of range");
	set_type_raw(z, 2560, PMM_MT_MOVABLE);
	buddy_assert_clean();
	assert_int_equal(alloc_pfn(MOV, 0), 1);
	set_type_raw(z, 0, 7);
	free_pfn(1, 0);
	assert_int_equal(z->free_area[0].head[PMM_MT_UNMOVABLE], 1 + 1);
	expect_check_msg("pageblock at pfn 0x0: type 7 out of range");
}

/*
 * pmm_check() finds free blocks on the list of another type: a pageblock
 * retyped under its free blocks, and one pageblock of an order-10 block.
 */
static void test_check_free_block_wrong_list(void **state)
{
	(void)state;
	struct pmm_zone *z = setup_simple(4096);
	set_type_raw(z, 0, PMM_MT_UNMOVABLE);
	expect_check_msg("pageblock at 0x1 is of type 0");
	set_type_raw(z, 0, PMM_MT_MOVABLE);
	set_type_raw(z, 1536, PMM_MT_RECLAIMABLE);
	expect_check_msg("pfn 0x400 order 10, pageblock at 0x600 is of type 2");
	set_type_raw(z, 1536, PMM_MT_MOVABLE);
	buddy_assert_clean();
}

/* /proc/pagetypeinfo after one unmovable request claimed 3072..4095. */
static void test_pagetypeinfo(void **state)
{
	(void)state;
	static char text[4096];
	static struct pmm_buf_out buf;
	setup_simple(4096);
	alloc_pfn(0, 0);
	pmm_buf_out_init(&buf, text, sizeof(text));
	pmm_report_pagetypeinfo(&buf.out);
	const char *want =
		"Page block order: 9\n"
		"Pages per block:  512\n"
		"\n"
		"Free pages count per migrate type at order       0      1      2      3      4      5      6      7      8      9     10 \n"
		"Node    0, zone   Normal, type    Unmovable      1      1      1      1      1      1      1      1      1      1      0 \n"
		"Node    0, zone   Normal, type      Movable      1      1      1      1      1      1      1      1      1      1      2 \n"
		"Node    0, zone   Normal, type  Reclaimable      0      0      0      0      0      0      0      0      0      0      0 \n"
		"\n"
		"Number of blocks type     Unmovable      Movable  Reclaimable \n"
		"Node 0, zone   Normal            2            6            0 \n";
	assert_string_equal(text, want);
}

/*
 * A list longer than 100000 blocks prints as ">100000", as Linux's:
 * 2^18 pages all allocated as single pages, then every even pfn freed
 * (131071 order-0 blocks that cannot merge).
 */
static void test_pagetypeinfo_long_list(void **state)
{
	(void)state;
	static char text[4096];
	static struct pmm_buf_out buf;
	const pmm_pfn_t pages = (pmm_pfn_t)1 << 18;
	setup_simple(pages);
	while (pmm_alloc_page(MOV) != NULL)
		;
	for (pmm_pfn_t p = 2; p < pages; p += 2)
		free_pfn(p, 0);
	pmm_buf_out_init(&buf, text, sizeof(text));
	pmm_report_pagetypeinfo(&buf.out);
	assert_non_null(strstr(text, "type      Movable >100000      0 "));
	buddy_assert_clean();
}

/* ---- boundaries (issue 17, docs/mutation.md) --------------------------- */

/*
 * As test_movable_takes_smallest_fallback, but the order-4 block at 1040
 * stays free: a largest fallback of exactly PMM_PAGEBLOCK_ORDER / 2 lets a
 * movable request take it (31 free pages, no claim), not the smallest.
 */
static void test_movable_fallback_at_half_pageblock_order(void **state)
{
	(void)state;
	struct pmm_zone *z = setup_simple(2048);
	assert_int_equal(alloc_pfn(0, 0), 1024); /* claims 1024..2047 */
	for (int k = 9; k >= 0; k--)
		alloc_pfn(MOV, (pmm_order_t)k);
	for (int k = 9; k >= 5; k--)
		assert_int_equal(alloc_pfn(0, (pmm_order_t)k),
				 1024 + ((pmm_pfn_t)1 << k));
	assert_int_equal(z->free_pages, 31);
	assert_int_equal(alloc_pfn(MOV, 0), 1040);
	assert_int_equal(pb_type(z, 1024), PMM_MT_UNMOVABLE);
	buddy_assert_clean();
}

/*
 * Exactly half the pageblock free (256 pages, the order-8 block at 256)
 * is enough to claim it:
 *   | 0 x | 1..255 alloc | 256..511 free o8 | 512..1023 alloc o9 |
 */
static void test_claim_exactly_half_free(void **state)
{
	(void)state;
	struct pmm_zone *z = setup_simple(1024);
	assert_int_equal(alloc_pfn(MOV, 9), 512);
	for (int k = 7; k >= 0; k--)
		assert_int_equal(alloc_pfn(MOV, (pmm_order_t)k), (pmm_pfn_t)1 << k);
	assert_int_equal(alloc_pfn(0, 0), 256);
	assert_int_equal(pb_type(z, 0), PMM_MT_UNMOVABLE);
	buddy_assert_clean();
}

/*
 * The free count of a pageblock stops at its end: 255 free pages in
 * [0, 512) and a free page at 512 (the next pageblock) are not half.
 *   | 0 x | 1..255 free | 256..511 alloc o8 | 512 free | 513..1023 alloc |
 */
static void test_half_count_stays_in_pageblock(void **state)
{
	(void)state;
	struct pmm_zone *z = setup_simple(1024);
	assert_int_equal(pmm_alloc_range(513, 511, NULL), 0);
	assert_int_equal(alloc_pfn(MOV, 8), 256);
	assert_int_equal(alloc_pfn(0, 0), 128);
	assert_int_equal(pb_type(z, 0), PMM_MT_MOVABLE);
	buddy_assert_clean();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_gfp_selects_type),
		BUDDY_CASE(test_both_flags_rejected),
		BUDDY_CASE(test_boot_marks_movable),
		BUDDY_CASE(test_own_type_first),
		BUDDY_CASE(test_unmovable_claims_largest),
		BUDDY_CASE(test_claim_half_free_pageblock),
		BUDDY_CASE(test_no_claim_below_half),
		BUDDY_CASE(test_movable_takes_smallest_fallback),
		BUDDY_CASE(test_reclaimable_prefers_unmovable),
		BUDDY_CASE(test_merge_unifies_types),
		BUDDY_CASE(test_merge_unifies_types_lazy),
		BUDDY_CASE(test_pcp_lists_per_type),
		BUDDY_CASE(test_grouping_off),
		BUDDY_CASE(test_check_type_out_of_range),
		BUDDY_CASE(test_check_free_block_wrong_list),
		BUDDY_CASE(test_pagetypeinfo),
		BUDDY_CASE(test_pagetypeinfo_long_list),
		BUDDY_CASE(test_movable_fallback_at_half_pageblock_order),
		BUDDY_CASE(test_claim_exactly_half_free),
		BUDDY_CASE(test_half_count_stays_in_pageblock),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
