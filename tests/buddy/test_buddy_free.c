/* SPDX-License-Identifier: MIT */
/*
 * test_buddy_free.c - freeing: the error classification (each error leaves
 * the allocator exactly as it was and pmm_check() clean), hand-off and late
 * frees of ranges.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "buddy_fixture.h"
#include "host_platform.h"

/* Everything a failed call must leave untouched. */
struct snap {
	struct buddy_counts counts;
	uint64_t managed;
	struct pmm_page map[1024];
};

static struct snap before_snap;

static void snap_take(struct snap *s)
{
	struct pmm_zone *z = buddy_zone(PMM_ZONE_NORMAL);
	buddy_counts_get(z, &s->counts);
	s->managed = z->managed;
	memcpy(s->map, pmm_mem_map, sizeof(s->map));
}

/* Expect @call's result to be @err, reported, with no change at all. */
#define EXPECT_REFUSED(call, err, reported)                                   \
	do {                                                                  \
		struct snap after_;                                           \
		unsigned int reports_ = host_report_count();                  \
		snap_take(&before_snap);                                      \
		assert_int_equal((call), (err));                              \
		snap_take(&after_);                                           \
		assert_memory_equal(&before_snap, &after_, sizeof(after_));   \
		assert_int_equal(host_report_count(),                         \
				 reports_ + ((reported) ? 1 : 0));            \
		if (reported)                                                 \
			assert_int_equal(host_last_report_err(), (err));      \
		buddy_assert_clean();                                               \
	} while (0)

/*
 * Normal [0, 1024) handed off; then:
 *   a = order 2 at 4-7 (allocated), b = order 0 at 1 (allocated), movable
 *   |0|1b|2-3 free o1|4-7 a|8-15 free o3|...
 */
static struct pmm_page *a_blk, *b_pg;

static void setup_ab(void)
{
	assert_int_equal(buddy_setup_simple(1024), 0);
	b_pg = pmm_alloc_page(PMM_GFP_MOVABLE);
	a_blk = pmm_alloc_pages(PMM_GFP_MOVABLE, 2);
	assert_int_equal(pmm_page_to_pfn(b_pg), 1);
	assert_int_equal(pmm_page_to_pfn(a_blk), 4);
	buddy_assert_clean();
}

static void test_free_not_descriptor(void **state)
{
	(void)state;
	setup_ab();
	EXPECT_REFUSED(pmm_free_pages(NULL, 0), PMM_EINVAL, false);
	EXPECT_REFUSED(pmm_free_pages(pmm_mem_map + 1024, 0), PMM_EINVAL, false);
	EXPECT_REFUSED(pmm_free_pages(pmm_mem_map - 1, 0), PMM_EINVAL, false);
	EXPECT_REFUSED(pmm_free_pages((struct pmm_page *)(void *)
				      ((char *)a_blk + 4), 2),
		       PMM_EINVAL, false);
}

static void test_free_bad_order(void **state)
{
	(void)state;
	setup_ab();
	EXPECT_REFUSED(pmm_free_pages(a_blk, PMM_MAX_ORDER + 1), PMM_EORDER,
		       false);
}

static void test_free_wrong_order(void **state)
{
	(void)state;
	setup_ab();
	EXPECT_REFUSED(pmm_free_pages(a_blk, 1), PMM_EWRONGORDER, true);
	EXPECT_REFUSED(pmm_free_pages(a_blk, 3), PMM_EWRONGORDER, true);
	EXPECT_REFUSED(pmm_free_pages(b_pg, 1), PMM_EWRONGORDER, true);
	assert_int_equal(pmm_free_pages(a_blk, 2), 0);
	buddy_assert_clean();
}

static void test_double_free(void **state)
{
	(void)state;
	setup_ab();
	assert_int_equal(pmm_free_pages(a_blk, 2), 0);
	/* 4-7's buddy 0-3 holds the allocated page 1: 4 stays a free head. */
	assert_true(pmm_page_is_free_head(a_blk));
	EXPECT_REFUSED(pmm_free_pages(a_blk, 2), PMM_EDOUBLEFREE, true);
	EXPECT_REFUSED(pmm_free_pages(a_blk, 0), PMM_EDOUBLEFREE, true);
	/* Free head of order 1 at 2. */
	EXPECT_REFUSED(pmm_free_pages(pmm_pfn_to_page(2), 1),
		       PMM_EDOUBLEFREE, true);
	assert_int_equal(pmm_free_page(b_pg), 0);
	EXPECT_REFUSED(pmm_free_page(b_pg), PMM_EDOUBLEFREE, true);
	/* Everything coalesced back. */
	assert_int_equal(pmm_nr_free_pages(), 1023);
}

/* A page inside a free block (not its head): double free. */
static void test_free_inside_free_block(void **state)
{
	(void)state;
	setup_ab();
	/* 512-1023 is a free order-9 block. */
	assert_true(pmm_page_is_free_head(pmm_pfn_to_page(512)));
	EXPECT_REFUSED(pmm_free_pages(pmm_pfn_to_page(700), 0),
		       PMM_EDOUBLEFREE, true);
	EXPECT_REFUSED(pmm_free_pages(pmm_pfn_to_page(1023), 0),
		       PMM_EDOUBLEFREE, true);
	EXPECT_REFUSED(pmm_free_pages(pmm_pfn_to_page(3), 0),
		       PMM_EDOUBLEFREE, true);
}

/* A page inside an allocated block: not its head. */
static void test_free_inside_alloc_block(void **state)
{
	(void)state;
	setup_ab();
	EXPECT_REFUSED(pmm_free_pages(pmm_pfn_to_page(5), 0), PMM_ENOTHEAD,
		       true);
	EXPECT_REFUSED(pmm_free_pages(pmm_pfn_to_page(6), 1), PMM_ENOTHEAD,
		       true);
	EXPECT_REFUSED(pmm_free_pages(pmm_pfn_to_page(7), 2), PMM_ENOTHEAD,
		       true);
	EXPECT_REFUSED(pmm_put_page(pmm_pfn_to_page(7)), PMM_ENOTHEAD, true);
}

/* pfn 0 and a page outside every zone are reserved. */
static void test_free_reserved(void **state)
{
	(void)state;
	struct buddy_zone_spec zs[] = { { 0, PMM_ZONE_NORMAL, 0, 1000 } };
	assert_int_equal(buddy_setup(&(struct buddy_setup_opts){
			 .max_pfn = 1024, .zones = zs, .nr_zones = 1 }), 0);
	/* Hand off [1, 500) and [600, 1000): 500-599 stay reserved. */
	assert_int_equal(pmm_buddy_handoff_range(0, 500, NULL), 0);
	assert_int_equal(pmm_buddy_handoff_range(600, 1000, NULL), 0);
	buddy_assert_clean();
	EXPECT_REFUSED(pmm_free_page(pmm_pfn_to_page(0)), PMM_ERESERVED, true);
	EXPECT_REFUSED(pmm_free_page(pmm_pfn_to_page(500)), PMM_ERESERVED,
		       true);
	EXPECT_REFUSED(pmm_free_pages(pmm_pfn_to_page(512), 3), PMM_ERESERVED,
		       true);
	EXPECT_REFUSED(pmm_free_page(pmm_pfn_to_page(1010)), PMM_ERESERVED,
		       true);
	EXPECT_REFUSED(pmm_free_page_addr(PMM_PFN_PHYS(599)), PMM_ERESERVED,
		       true);
	assert_true(pmm_pfn_is_reserved(0));
	assert_true(pmm_pfn_is_reserved(550));
	assert_true(pmm_pfn_is_reserved(1010));
	assert_true(pmm_pfn_is_reserved(5000));
	assert_false(pmm_pfn_is_reserved(1));
	assert_false(pmm_pfn_is_reserved(300));
	assert_false(pmm_pfn_is_reserved(999));
}

/*
 * Hand-off cost is per block: [1, 1000) in Normal [0, 1024) gives
 *   1(o0) 2(o1) 4(o2) 8(o3) 16(o4) 32(o5) 64(o6) 128(o7) 256(o8)
 *   512(o8) 768(o7) 896(o6) 960(o5) 992(o3)
 */
static void test_handoff_maximal_blocks(void **state)
{
	(void)state;
	assert_int_equal(buddy_setup(&(struct buddy_setup_opts){
			 .max_pfn = 1024 }), 0);
	uint64_t freed = 5;
	assert_int_equal(pmm_buddy_handoff_range(1, 1000, &freed), 0);
	assert_int_equal(freed, 5 + 999);
	struct pmm_zone *z = buddy_zone(PMM_ZONE_NORMAL);
	assert_int_equal(z->managed, 999);
	static const unsigned int want[] = { 1, 1, 1, 2, 1, 2, 2, 2, 2, 0, 0 };
	for (int k = 0; k <= PMM_MAX_ORDER; k++)
		assert_int_equal(z->free_area[k].nr_free, want[k]);
	/* No two of these are buddies: 256's is 0-255, 512's is 768-1023. */
	buddy_assert_clean();
	/* Handing the rest completes the zone: all coalesce to order 9s. */
	assert_int_equal(pmm_buddy_handoff_range(1000, 1024, &freed), 0);
	assert_int_equal(z->free_area[9].nr_free, 1);
	assert_int_equal(z->managed, 1023);
	buddy_assert_clean();
}

static void test_handoff_errors(void **state)
{
	(void)state;
	struct buddy_zone_spec zs[] = {
		{ 0, PMM_ZONE_DMA, 0, 100 },
		{ 0, PMM_ZONE_NORMAL, 200, 400 },
	};
	assert_int_equal(buddy_setup(&(struct buddy_setup_opts){
			 .max_pfn = 512, .zones = zs, .nr_zones = 2 }), 0);
	assert_int_equal(pmm_buddy_handoff_range(50, 250, NULL), PMM_ERANGE);
	assert_int_equal(pmm_buddy_handoff_range(300, 450, NULL), PMM_ERANGE);
	assert_int_equal(pmm_buddy_handoff_range(300, 600, NULL), PMM_ERANGE);
	assert_int_equal(pmm_buddy_handoff_range(30, 20, NULL), PMM_EINVAL);
	assert_int_equal(pmm_buddy_handoff_range(30, 30, NULL), 0);
	assert_int_equal(pmm_buddy_handoff_range(0, 1, NULL), 0);
	assert_int_equal(pmm_nr_free_pages(), 0);
	buddy_assert_clean();
	uint64_t freed = 0;
	assert_int_equal(pmm_buddy_handoff_range(0, 100, &freed), 0);
	assert_int_equal(pmm_buddy_handoff_range(200, 400, &freed), 0);
	assert_int_equal(freed, 99 + 200);
	assert_int_equal(buddy_zone(PMM_ZONE_DMA)->managed, 99);
	assert_int_equal(buddy_zone(PMM_ZONE_NORMAL)->managed, 200);
	buddy_assert_clean();
}

/* Handing a block head over twice is refused whole and reported. */
static void test_handoff_twice(void **state)
{
	(void)state;
	assert_int_equal(buddy_setup(&(struct buddy_setup_opts){
			 .max_pfn = 1024 }), 0);
	assert_int_equal(pmm_buddy_handoff_range(512, 1024, NULL), 0);
	uint64_t freed = 0;
	EXPECT_REFUSED(pmm_buddy_handoff_range(256, 1024, &freed),
		       PMM_EDOUBLEFREE, true);
	assert_int_equal(freed, 0);
	assert_int_equal(buddy_zone(PMM_ZONE_NORMAL)->managed, 512);
}

/* A range crossing a zone boundary is split there. */
static void test_handoff_across_zones(void **state)
{
	(void)state;
	struct buddy_zone_spec zs[] = {
		{ 0, PMM_ZONE_DMA, 0, 300 },
		{ 0, PMM_ZONE_NORMAL, 300, 1024 },
	};
	assert_int_equal(buddy_setup(&(struct buddy_setup_opts){
			 .max_pfn = 1024, .zones = zs, .nr_zones = 2 }), 0);
	uint64_t freed = 0;
	assert_int_equal(pmm_buddy_handoff_range(256, 512, &freed), 0);
	assert_int_equal(freed, 256);
	assert_int_equal(buddy_zone(PMM_ZONE_DMA)->managed, 44);
	assert_int_equal(buddy_zone(PMM_ZONE_NORMAL)->managed, 212);
	assert_true(pmm_page_is_free_head(pmm_pfn_to_page(256)));
	assert_int_equal(pmm_page_order(pmm_pfn_to_page(256)), 5);
	assert_true(pmm_page_is_free_head(pmm_pfn_to_page(300)));
	buddy_assert_clean();
}

/*
 * Late frees: Normal [0, 1024) with [1, 512) handed off, [512, 1024)
 * reserved. Freeing reserved pages works; touching managed ones fails
 * whole.
 */
static void test_free_range(void **state)
{
	(void)state;
	assert_int_equal(buddy_setup(&(struct buddy_setup_opts){
			 .max_pfn = 1024 }), 0);
	assert_int_equal(pmm_buddy_handoff_range(1, 512, NULL), 0);
	struct pmm_zone *z = buddy_zone(PMM_ZONE_NORMAL);
	uint64_t freed = 0;
	EXPECT_REFUSED(pmm_buddy_free_range(500, 600, &freed),
		       PMM_EDOUBLEFREE, true);
	EXPECT_REFUSED(pmm_buddy_free_range(0, 1, &freed), PMM_ERANGE, false);
	EXPECT_REFUSED(pmm_buddy_free_range(600, 600, &freed), PMM_EINVAL,
		       false);
	EXPECT_REFUSED(pmm_buddy_free_range(700, 600, &freed), PMM_EINVAL,
		       false);
	EXPECT_REFUSED(pmm_buddy_free_range(1000, 1100, &freed), PMM_ERANGE,
		       false);
	assert_int_equal(freed, 0);
	assert_int_equal(pmm_buddy_free_range(600, 700, &freed), 0);
	assert_int_equal(freed, 100);
	assert_int_equal(z->managed, 611);
	buddy_assert_clean();
	/* Again: now free. */
	EXPECT_REFUSED(pmm_buddy_free_range(650, 651, &freed),
		       PMM_EDOUBLEFREE, true);
	/* A range whose first page is reserved but later pages belong to an
	 * allocated block. */
	struct pmm_page *p = pmm_alloc_pages(0, 2);
	assert_non_null(p);
	pmm_pfn_t pfn = pmm_page_to_pfn(p);
	EXPECT_REFUSED(pmm_buddy_free_range(pfn + 1, pfn + 2, &freed),
		       PMM_EDOUBLEFREE, true);
	EXPECT_REFUSED(pmm_buddy_free_range(pfn, pfn + 4, &freed),
		       PMM_EDOUBLEFREE, true);
	assert_int_equal(pmm_buddy_free_range(512, 600, &freed), 0);
	assert_int_equal(pmm_buddy_free_range(700, 1024, &freed), 0);
	assert_int_equal(pmm_free_pages(p, 2), 0);
	assert_int_equal(z->free_area[9].nr_free, 1);
	assert_int_equal(pmm_nr_free_pages(), 1023);
	buddy_assert_clean();
}

/*
 * Forged or damaged heads: a head at a misaligned pfn, a head whose count
 * already dropped to zero. Both refused and reported.
 */
static void test_free_forged_heads(void **state)
{
	(void)state;
	setup_ab();
	struct pmm_page *p = pmm_pfn_to_page(5); /* inside a: 4-7 */
	p->info = PMM_PG_ALLOC_HEAD | PMM_PG_REF_ONE | 1;
	unsigned int r = host_report_count();
	assert_int_equal(pmm_free_pages(p, 1), PMM_ECORRUPT);
	assert_int_equal(host_report_count(), r + 1);
	p->info = 0;
	uint32_t info = a_blk->info;
	a_blk->info = PMM_PG_ALLOC_HEAD | 2; /* refcount 0 */
	assert_int_equal(pmm_free_pages(a_blk, 2), PMM_EDOUBLEFREE);
	a_blk->info = info;
	buddy_assert_clean();
}

/*
 * A damaged pair bit (pair 0/1 at order 0 claims pfn 0 free): the free of
 * pfn 1 notices that 0 is no free head, reports PMM_ECORRUPT, and lists 1
 * alone, which puts the bit right again.
 */
static void test_free_damaged_pair_bit(void **state)
{
	(void)state;
	setup_ab();
	struct pmm_zone *z = buddy_zone(PMM_ZONE_NORMAL);
	z->free_area[0].map[0] ^= 1;
	assert_non_null(pmm_check());
	unsigned int r = host_report_count();
	assert_int_equal(pmm_free_page(b_pg), 0);
	assert_int_equal(host_report_count(), r + 1);
	assert_int_equal(host_last_report_err(), PMM_ECORRUPT);
	assert_true(pmm_page_is_free_head(b_pg));
	buddy_assert_clean();
}

/* pmm_free_pages on per-CPU pages: double free. */
static void test_free_pcp_page(void **state)
{
	(void)state;
	buddy_fix_pcp(1024, 8, 4);
	struct pmm_page *p = pmm_alloc_page(0);
	assert_int_equal(pmm_free_page(p), 0);
	assert_int_equal(p->info, PMM_PG_PCP);
	unsigned int r = host_report_count();
	uint64_t free_before = pmm_nr_free_pages();
	assert_int_equal(pmm_free_page(p), PMM_EDOUBLEFREE);
	assert_int_equal(host_report_count(), r + 1);
	assert_int_equal(pmm_nr_free_pages(), free_before);
	buddy_assert_clean();
}

/*
 * pfn 0   1     64 (max_pfn)
 *     | - | free ... |  past the descriptors: in no block
 * Before the hand-off every page is reserved; after it, pfn 1 is the first
 * page in a block, and pages past max_pfn still count as reserved.
 */
static void test_first_unreserved(void **state)
{
	(void)state;
	assert_int_equal(buddy_setup(&(struct buddy_setup_opts){ .max_pfn = 64 }), 0);
	assert_int_equal(pmm_first_unreserved(1, 64), 64);
	assert_int_equal(pmm_buddy_handoff_range(1, 64, NULL), 0);
	assert_int_equal(pmm_first_unreserved(1, 64), 1);
	assert_int_equal(pmm_first_unreserved(60, 200), 60);
	assert_int_equal(pmm_first_unreserved(64, 200), 200);
	assert_int_equal(pmm_first_unreserved(0, 1), 1);
	assert_int_equal(pmm_first_unreserved(5, 5), 5);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		BUDDY_CASE(test_first_unreserved),
		BUDDY_CASE(test_free_not_descriptor),
		BUDDY_CASE(test_free_bad_order),
		BUDDY_CASE(test_free_wrong_order),
		BUDDY_CASE(test_double_free),
		BUDDY_CASE(test_free_inside_free_block),
		BUDDY_CASE(test_free_inside_alloc_block),
		BUDDY_CASE(test_free_reserved),
		BUDDY_CASE(test_handoff_maximal_blocks),
		BUDDY_CASE(test_handoff_errors),
		BUDDY_CASE(test_handoff_twice),
		BUDDY_CASE(test_handoff_across_zones),
		BUDDY_CASE(test_free_range),
		BUDDY_CASE(test_free_pcp_page),
		BUDDY_CASE(test_free_forged_heads),
		BUDDY_CASE(test_free_damaged_pair_bit),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
