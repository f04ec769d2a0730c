/* SPDX-License-Identifier: MIT */
/*
 * test_elastic.c - free page reporting and known-zero free blocks
 * (pmm/elastic.h): what a pass reports, what allocation reclaims, how the
 * zero mark survives splits and merges, and that __GFP_ZERO takes a
 * known-zero block without writing it. The host platform's reporting hook
 * discards the reported blocks' host pages and counts them, so its count
 * is checked against pmm's own.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include <pmm/buddy.h>
#include <pmm/contig.h>
#include <pmm/debug.h>
#include <pmm/elastic.h>

#include "buddy_setup.h"
#include "host_platform.h"

#include "../../src/buddy/buddy_internal.h"

/* ------------------------------------------------------------------ */
/* One Normal zone [0, 16384) (64 MiB), all free but pfn 0: blocks of    */
/* order 10 from pfn 1024 up, smaller ones below.                        */
/*   pfn 0 1 2 4 ... 512     1024      2048   ...            16384       */
/*       |#|.|..|...|  9  |   10    |   10    |  ...  |   10   |         */
/* Reporting: order 9 and up, batches of 1 (small enough to trigger).    */
/* ------------------------------------------------------------------ */

#define MAX_PFN 16384
#define FREE_PAGES (MAX_PFN - 1)
/* Pages in blocks of order >= 9: [512, 16384). */
#define HIGH_PAGES (MAX_PFN - 512)

static struct pmm_zone *zone(void)
{
	return &pmm_nodes[0].zones[PMM_ZONE_NORMAL];
}

static struct pmm_report_stats stats(void)
{
	struct pmm_report_stats st;
	pmm_report_stats(&st);
	return st;
}

static int setup_reporting(void **state)
{
	(void)state;
	assert_int_equal(buddy_setup(&(struct buddy_setup_opts){
		.max_pfn = MAX_PFN, .handoff = true, .reporting = true }), 0);
	assert_int_equal(pmm_report_set(9, 1), 0);
	return 0;
}

static int setup_plain(void **state)
{
	(void)state;
	assert_int_equal(buddy_setup_simple(MAX_PFN), 0);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	pmm_debug_set_poison(false);
	buddy_teardown();
	return 0;
}

/* Write @c over the block of 2^@order pages at @page. */
static void fill(const struct pmm_page *page, pmm_order_t order, int c)
{
	memset(host_phys_ptr(PMM_PFN_PHYS(pmm_page_to_pfn(page))), c,
	       (size_t)PMM_PFN_PHYS((pmm_pfn_t)1 << order));
}

/* Return: true if the block of 2^@order pages at @page reads zero. */
static bool reads_zero(const struct pmm_page *page, pmm_order_t order)
{
	const unsigned char *p =
		host_phys_ptr(PMM_PFN_PHYS(pmm_page_to_pfn(page)));
	for (size_t i = 0; i < (size_t)PMM_PFN_PHYS((pmm_pfn_t)1 << order); i++)
		if (p[i] != 0)
			return false;
	return true;
}

/* Dirty every free page: allocate all of it, write 0xa5, free it again. */
static void dirty_all(void)
{
	static struct pmm_page *pages[MAX_PFN];
	size_t n = 0;
	struct pmm_page *p;
	while ((p = pmm_alloc_pages(PMM_GFP_KERNEL | PMM_GFP_HIGH, 0)) != NULL) {
		fill(p, 0, 0xa5);
		pages[n++] = p;
	}
	while (n > 0)
		assert_int_equal(pmm_free_pages(pages[--n], 0), 0);
	assert_int_equal(stats().zero_pages, 0);
}

/* A pass reports every block of order >= 9 once; the host saw the same. */
static void report_pass_marks_blocks_once(void **state)
{
	(void)state;
	int n = pmm_report_free_pages(1000);
	struct pmm_report_stats st = stats();
	assert_int_equal(n, 1 + (MAX_PFN - 1024) / 1024);
	assert_int_equal(st.reported_blocks, (uint64_t)n);
	assert_int_equal(st.reported_pages, HIGH_PAGES);
	assert_int_equal(host_reported_pages(), HIGH_PAGES);
	assert_int_equal(pmm_nr_free_pages(), FREE_PAGES); /* still free */
	assert_null(pmm_check());
	/* Nothing new accumulated: the next pass reports nothing. */
	assert_int_equal(pmm_report_free_pages(1000), 0);
	assert_int_equal(host_reported_pages(), HIGH_PAGES);
}

/* The budget bounds a pass; the next one goes on. */
static void report_budget_bounds_a_pass(void **state)
{
	(void)state;
	assert_int_equal(pmm_report_free_pages(3), 3);
	assert_int_equal(stats().reported_blocks, 3);
	assert_int_equal(pmm_report_free_pages(1000), 13);
	assert_int_equal(stats().reported_pages, HIGH_PAGES);
	assert_null(pmm_check());
}

/* A pass needs a batch of unreported memory: 2 blocks of 2^13 pages
 * (more than the zone) never start one. */
static void report_waits_for_a_batch(void **state)
{
	(void)state;
	assert_int_equal(pmm_report_set(13, 2), PMM_EORDER); /* past MAX_ORDER */
	assert_int_equal(pmm_report_set(10, 32), 0);
	assert_int_equal(pmm_report_free_pages(1000), 0);
	assert_int_equal(host_reported_pages(), 0);
	assert_int_equal(pmm_report_set(10, 15), 0);
	assert_int_equal(pmm_report_free_pages(1000), 15);
}

/* Allocate the blocks of orders 0..9 below pfn 1024 (one each), so that
 * what comes next splits an order-10 block. */
static void take_low_blocks(struct pmm_page *low[10])
{
	for (pmm_order_t k = 0; k < 10; k++) {
		low[k] = pmm_alloc_pages(PMM_GFP_KERNEL, k);
		assert_int_equal(pmm_page_to_pfn(low[k]), (pmm_pfn_t)1 << k);
	}
}

static void free_low_blocks(struct pmm_page *low[10])
{
	for (pmm_order_t k = 0; k < 10; k++)
		assert_int_equal(pmm_free_pages(low[k], k), 0);
}

/*
 * Allocating from a reported block reclaims all of it first; it reads
 * zero, so the halves the split lists again are known zero.
 */
static void alloc_reclaims_reported_block(void **state)
{
	(void)state;
	struct pmm_page *low[10];
	dirty_all();
	assert_int_equal(pmm_report_free_pages(1000), 16);
	take_low_blocks(low); /* order 9 at 512 was reported: reclaimed */
	assert_int_equal(host_reclaimed_pages(), 512);
	struct pmm_page *q = pmm_alloc_pages(PMM_GFP_KERNEL, 0);
	assert_int_equal(pmm_page_to_pfn(q) & 1023, 0);
	assert_int_equal(host_reclaimed_pages(), 512 + 1024);
	assert_int_equal(stats().reclaimed_pages, 512 + 1024);
	assert_int_equal(stats().reported_pages, HIGH_PAGES - 512 - 1024);
	assert_int_equal(stats().zero_pages, 1023); /* orders 0..9 halves */
	assert_true(reads_zero(q, 0));
	assert_null(pmm_zero_verify());
	assert_null(pmm_check());
	assert_int_equal(pmm_free_pages(q, 0), 0);
	/* q merged with its zero halves: the result is not known zero. */
	assert_int_equal(stats().zero_pages, 0);
	free_low_blocks(low);
	assert_null(pmm_check());
}

/* Freed blocks are reported again; reported ones are not. */
static void report_again_after_free(void **state)
{
	(void)state;
	assert_int_equal(pmm_report_free_pages(1000), 16);
	struct pmm_page *p = pmm_alloc_pages(PMM_GFP_KERNEL, 10);
	assert_int_equal(pmm_free_pages(p, 10), 0);
	assert_int_equal(pmm_report_free_pages(1000), 1);
	assert_int_equal(host_reported_pages(), HIGH_PAGES + 1024);
	assert_int_equal(stats().reported_pages, HIGH_PAGES);
	assert_null(pmm_check());
}

/* A contiguous allocation over reported blocks reclaims them. */
static void contig_reclaims_reported(void **state)
{
	(void)state;
	assert_int_equal(pmm_report_free_pages(1000), 16);
	assert_int_equal(pmm_alloc_range(3000, 2000, NULL), 0);
	assert_int_equal(host_reclaimed_pages(), 3072); /* [2048, 5120) */
	assert_null(pmm_check());
	assert_int_equal(pmm_free_contig(pmm_pfn_to_page(3000), 2000), 0);
	assert_null(pmm_check());
}

/* pmm_zero_idle() zeroes free blocks; they read zero and carry the mark. */
static void zero_idle_marks_blocks(void **state)
{
	(void)state;
	dirty_all();
	int n = pmm_zero_idle(4096);
	assert_true(n > 0 && n <= 4096);
	assert_int_equal(stats().zero_pages, (uint64_t)n);
	assert_null(pmm_zero_verify());
	assert_null(pmm_check());
	assert_int_equal(pmm_zero_idle(100000), FREE_PAGES - n);
	assert_int_equal(stats().zero_pages, FREE_PAGES);
	assert_null(pmm_zero_verify());
	assert_null(pmm_check());
}

/*
 * __GFP_ZERO takes a known-zero block and does not write it: a byte
 * planted in the only known-zero block (pfn 1, the one order-0 block)
 * comes back (and the verifier names it).
 */
static void zeroed_alloc_skips_memset(void **state)
{
	(void)state;
	dirty_all();
	assert_int_equal(pmm_zero_idle(1), 1);
	assert_int_equal(pmm_mem_map[1].info, PMM_PG_BUDDY | PMM_PG_ZERO | 0);
	unsigned char *planted = host_phys_ptr(PMM_PFN_PHYS(1));
	planted[7] = 0x5a;
	assert_non_null(pmm_zero_verify());
	assert_non_null(strstr(pmm_zero_verify(), "is not zero"));
	pmm_phys_t pa = pmm_get_zeroed_page(PMM_GFP_KERNEL);
	assert_int_equal(pa, PMM_PFN_PHYS(1));
	assert_int_equal(planted[7], 0x5a); /* no memset: the mark was trusted */
	planted[7] = 0;
	assert_null(pmm_zero_verify());
	assert_null(pmm_check());
	pmm_free_page_addr(pa);
}

/* Without known-zero blocks __GFP_ZERO still zeroes (memset). */
static void zeroed_alloc_without_marks_zeroes(void **state)
{
	(void)state;
	dirty_all();
	struct pmm_page *p = pmm_alloc_pages(PMM_GFP_KERNEL | PMM_GFP_ZERO, 9);
	assert_non_null(p);
	assert_true(reads_zero(p, 9));
	pmm_phys_t pa = pmm_get_zeroed_page(PMM_GFP_KERNEL);
	assert_true(reads_zero(pmm_pfn_to_page(PMM_PFN_DOWN(pa)), 0));
	pmm_free_page_addr(pa);
	assert_int_equal(pmm_free_pages(p, 9), 0);
	assert_null(pmm_check());
}

/* A 2 MiB zeroed allocation splits a known-zero order-10 block: the
 * other half keeps the mark. */
static void split_keeps_zero_mark(void **state)
{
	(void)state;
	dirty_all();
	assert_int_equal(pmm_zero_idle(100000), FREE_PAGES);
	struct pmm_page *first = pmm_alloc_pages(PMM_GFP_KERNEL | PMM_GFP_ZERO, 9);
	assert_int_equal(pmm_page_to_pfn(first), 512); /* the order-9 block */
	struct pmm_page *p = pmm_alloc_pages(PMM_GFP_KERNEL | PMM_GFP_ZERO, 9);
	assert_non_null(p);
	pmm_pfn_t half = pmm_page_to_pfn(p) ^ 512;
	assert_int_equal(pmm_mem_map[half].info, PMM_PG_BUDDY | PMM_PG_ZERO | 9);
	assert_int_equal(stats().zero_pages, FREE_PAGES - 1024);
	assert_null(pmm_check());
	assert_int_equal(pmm_free_pages(p, 9), 0);
	/* The freed half was written by nobody we know of: not zero. */
	assert_int_equal(stats().zero_pages, FREE_PAGES - 1024 - 512);
	assert_int_equal(pmm_free_pages(first, 9), 0);
	assert_null(pmm_check());
}

/* A block put back known zero merges with known-zero buddies and the
 * merged block keeps the mark; a dirty buddy merging in drops it. */
static void merge_keeps_zero_only_when_both_zero(void **state)
{
	(void)state;
	struct pmm_zone *z = zone();
	struct pmm_page *low[10];
	dirty_all();
	assert_int_equal(pmm_zero_idle(100000), FREE_PAGES);
	take_low_blocks(low);
	struct pmm_page *p = pmm_alloc_pages(PMM_GFP_KERNEL | PMM_GFP_ZERO, 0);
	pmm_pfn_t pfn = pmm_page_to_pfn(p);
	pmm_pfn_t head = pfn & ~(pmm_pfn_t)1023;
	zone_lock(z);
	pmm_page_clear(p);
	pmm_buddy_put_zero_locked(z, pfn, 0);
	zone_unlock(z);
	assert_int_equal(pmm_mem_map[head].info, PMM_PG_BUDDY | PMM_PG_ZERO | 10);
	assert_int_equal(stats().zero_pages, FREE_PAGES - 1023);
	assert_null(pmm_check());
	/* a comes back zero while its buddy b is allocated and written;
	 * then b's free merges a dirty block into the zero ones. */
	struct pmm_page *a = pmm_alloc_pages(PMM_GFP_KERNEL, 0);
	struct pmm_page *b = pmm_alloc_pages(PMM_GFP_KERNEL, 0);
	assert_int_equal(pmm_page_to_pfn(a) ^ 1, pmm_page_to_pfn(b));
	fill(b, 0, 0x11);
	zone_lock(z);
	pmm_page_clear(a);
	pmm_buddy_put_zero_locked(z, pmm_page_to_pfn(a), 0);
	zone_unlock(z);
	assert_true(a->info & PMM_PG_ZERO);
	uint64_t before = stats().zero_pages;
	assert_int_equal(pmm_free_pages(b, 0), 0);
	pmm_pfn_t ahead = pmm_page_to_pfn(a) & ~(pmm_pfn_t)1023;
	assert_int_equal(pmm_mem_map[ahead].info, PMM_PG_BUDDY | 10);
	assert_int_equal(stats().zero_pages, before - 1023);
	free_low_blocks(low);
	assert_null(pmm_check());
}

/* Memory the platform cannot touch is never marked zero. */
static void zero_idle_untouchable_marks_nothing(void **state)
{
	(void)state;
	assert_int_equal(buddy_setup(&(struct buddy_setup_opts){
		.max_pfn = MAX_PFN, .handoff = true, .untouchable = true }), 0);
	assert_int_equal(pmm_zero_idle(100), 0);
	assert_int_equal(stats().zero_pages, 0);
	assert_null(pmm_check());
}

/* pmm_check() finds a broken mark count and a mark on an allocated head. */
static void check_proves_marks(void **state)
{
	(void)state;
	assert_int_equal(pmm_report_free_pages(1000), 16);
	zone()->marks.reported_pages--;
	assert_non_null(strstr(pmm_check(), "reported pages"));
	zone()->marks.reported_pages++;
	struct pmm_page *p = pmm_alloc_pages(PMM_GFP_KERNEL, 0);
	p->info |= PMM_PG_REPORTED;
	assert_non_null(strstr(pmm_check(), "free-block mark"));
	p->info &= ~PMM_PG_REPORTED;
	pmm_pfn_t pfn = 1024;
	uint32_t info = pmm_mem_map[pfn].info;
	pmm_mem_map[pfn].info |= PMM_PG_ZERO;
	assert_non_null(strstr(pmm_check(), "more than one"));
	pmm_mem_map[pfn].info = info;
	zone()->free_area[10].tail[PMM_MT_MOVABLE]++;
	assert_non_null(strstr(pmm_check(), "tail"));
	zone()->free_area[10].tail[PMM_MT_MOVABLE]--;
	assert_null(pmm_check());
	assert_int_equal(pmm_free_pages(p, 0), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(report_pass_marks_blocks_once, setup_reporting, teardown),
		cmocka_unit_test_setup_teardown(report_budget_bounds_a_pass, setup_reporting, teardown),
		cmocka_unit_test_setup_teardown(report_waits_for_a_batch, setup_reporting, teardown),
		cmocka_unit_test_setup_teardown(alloc_reclaims_reported_block, setup_reporting, teardown),
		cmocka_unit_test_setup_teardown(report_again_after_free, setup_reporting, teardown),
		cmocka_unit_test_setup_teardown(contig_reclaims_reported, setup_reporting, teardown),
		cmocka_unit_test_setup_teardown(zero_idle_marks_blocks, setup_plain, teardown),
		cmocka_unit_test_setup_teardown(zeroed_alloc_skips_memset, setup_plain, teardown),
		cmocka_unit_test_setup_teardown(zeroed_alloc_without_marks_zeroes, setup_plain, teardown),
		cmocka_unit_test_setup_teardown(split_keeps_zero_mark, setup_plain, teardown),
		cmocka_unit_test_setup_teardown(merge_keeps_zero_only_when_both_zero, setup_plain, teardown),
		cmocka_unit_test_teardown(zero_idle_untouchable_marks_nothing, teardown),
		cmocka_unit_test_setup_teardown(check_proves_marks, setup_reporting, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
