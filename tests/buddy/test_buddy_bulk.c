/* SPDX-License-Identifier: MIT */
/*
 * test_buddy_bulk.c - pmm_alloc_pages_bulk() and pmm_free_pages_bulk():
 * Linux's alloc_pages_bulk_array() semantics (NULL slots filled, the
 * others skipped, the count of leading populated slots returned), the
 * bulk free's checks, and the rows P01..P05 of docs/errors.md, each with
 * the byte-for-byte snapshot of the state (tests/support/reliability_snap.c)
 * - run with the per-CPU lists off (every page through the single calls)
 * and on (the runs on this CPU's list).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <pmm/buddy.h>
#include <pmm/check.h>

#include "buddy_fixture.h"
#include "buddy_setup.h"
#include "host_platform.h"
#include "reliability_snap.h"

/* ------------------------------------------------------------------ */
/* DMA [0, 1024) and Normal [1024, 4096), all handed off; per-CPU lists */
/* off (bk_setup_nopcp) or at their defaults (bk_setup_pcp).            */
/*   pfn 0   1024                                        4096          */
/*       |DMA |                 Normal                    |          */
/* ------------------------------------------------------------------ */

static struct rel_snap snap;
static unsigned int reports_before;

static int bk_setup(bool pcp)
{
	static const struct buddy_zone_spec z[] = {
		{ 0, PMM_ZONE_DMA, 0, 1024 },
		{ 0, PMM_ZONE_NORMAL, 1024, 4096 },
	};
	assert_int_equal(buddy_setup(&(struct buddy_setup_opts){
		.max_pfn = 4096, .zones = z, .nr_zones = 2, .handoff = true,
		.keep_pcp = pcp }), 0);
	reports_before = host_report_count();
	return 0;
}

static int bk_setup_nopcp(void **state)
{
	(void)state;
	return bk_setup(false);
}

static int bk_setup_pcp(void **state)
{
	(void)state;
	return bk_setup(true);
}

static int bk_teardown(void **state)
{
	(void)state;
	rel_snap_release(&snap);
	buddy_teardown();
	return 0;
}

/* The state equals @s, pmm_check() passes, @reports reports arrived since
 * the set-up, the last with @err. */
static void bk_same(const struct rel_snap *s, unsigned int reports, int err)
{
	buddy_expect_snap(s, reports_before, reports, err);
}

/* Fill 64 slots, every other one held already; free them all in bulk. */
static void bulk_fills_null_slots_and_frees_back(void **state)
{
	(void)state;
	struct pmm_page *pages[64] = { 0 }, *held[32];
	uint64_t free0 = pmm_nr_free_pages();
	for (int i = 0; i < 32; i++) {
		held[i] = pmm_alloc_page(PMM_GFP_KERNEL);
		assert_non_null(held[i]);
		pages[2 * i + 1] = held[i];
	}
	assert_int_equal(pmm_alloc_pages_bulk(PMM_GFP_KERNEL, 64, pages), 64);
	for (int i = 0; i < 64; i++) {
		assert_non_null(pages[i]);
		if (i % 2)
			assert_ptr_equal(pages[i], held[i / 2]);
		assert_int_equal(pages[i]->info, PMM_PG_ALLOC_HEAD | PMM_PG_REF_ONE);
		for (int j = 0; j < i; j++)
			assert_ptr_not_equal(pages[i], pages[j]);
	}
	assert_int_equal(pmm_nr_free_pages(), free0 - 64);
	assert_null(pmm_check());
	assert_int_equal(pmm_free_pages_bulk(64, pages), 0);
	for (int i = 0; i < 64; i++)
		assert_null(pages[i]);
	assert_int_equal(pmm_nr_free_pages(), free0);
	assert_null(pmm_check());
	assert_int_equal(host_report_count(), reports_before);
}

/* A full array is reported full; nr 0 does nothing. */
static void bulk_alloc_counts_populated(void **state)
{
	(void)state;
	struct pmm_page *pages[4] = { 0 };
	assert_int_equal(pmm_alloc_pages_bulk(PMM_GFP_KERNEL, 4, pages), 4);
	rel_snap_take(&snap);
	assert_int_equal(pmm_alloc_pages_bulk(PMM_GFP_KERNEL, 4, pages), 4);
	assert_int_equal(pmm_alloc_pages_bulk(PMM_GFP_KERNEL, 0, pages), 0);
	assert_int_equal(pmm_free_pages_bulk(0, pages), 0);
	bk_same(&snap, 0, 0);
	assert_int_equal(pmm_free_pages_bulk(4, pages), 0);
}

/* DMA only (1023 pages): the bulk stops at the first slot it cannot fill
 * and says how many lead; no page lost. */
static void bulk_alloc_stops_when_exhausted(void **state)
{
	(void)state;
	enum { N = 1100 };
	struct pmm_page **pages = calloc(N, sizeof(*pages));
	assert_non_null(pages);
	unsigned long got = pmm_alloc_pages_bulk(PMM_GFP_DMA, N, pages);
	assert_int_equal(got, 1023);
	for (unsigned long i = 0; i < N; i++) {
		if (i < got)
			assert_true(pmm_page_to_pfn(pages[i]) < 1024);
		else
			assert_null(pages[i]);
	}
	assert_null(pmm_check());
	assert_int_equal(pmm_free_pages_bulk(N, pages), 0);
	assert_int_equal(pmm_nr_free_pages(), 4095);
	free(pages);
}

/* A page with two references loses one in a bulk free, the slot empties. */
static void bulk_free_drops_one_reference(void **state)
{
	(void)state;
	struct pmm_page *pages[2] = { pmm_alloc_page(PMM_GFP_KERNEL), NULL };
	assert_non_null(pages[0]);
	struct pmm_page *pg = pages[0];
	assert_int_equal(pmm_get_page(pg), 0);
	assert_int_equal(pmm_free_pages_bulk(2, pages), 0);
	assert_null(pages[0]);
	assert_int_equal(pmm_page_refcount(pg), 1);
	assert_int_equal(pmm_free_page(pg), 0);
	assert_null(pmm_check());
}

/* The pageblock type of @page (Normal zone). */
static unsigned int bk_type(const struct pmm_page *page)
{
	const struct pmm_zone *z = &pmm_nodes[0].zones[PMM_ZONE_NORMAL];
	return pmm_pageblock_type(z, pmm_page_to_pfn(page));
}

enum { BK_MIXED = 24, BK_HOLE = 5 };

/*
 * Fill @p[0..BK_MIXED) with pages of the three migratetypes in turn (the
 * fixture's Normal zone gives each its own pageblock), slot BK_HOLE NULL.
 * Return: true when at least two pageblock types are among them.
 */
static bool bk_alloc_mixed(struct pmm_page **p, bool backwards)
{
	static const unsigned int gfp[3] = { PMM_GFP_KERNEL, PMM_GFP_MOVABLE,
					     PMM_GFP_RECLAIMABLE };
	unsigned int types = 0;
	for (int n = 0; n < BK_MIXED; n++) {
		int i = backwards ? BK_MIXED - 1 - n : n;
		p[i] = i == BK_HOLE ? NULL : pmm_alloc_page(gfp[i % 3]);
		if (i != BK_HOLE) {
			assert_non_null(p[i]);
			types |= 1u << bk_type(p[i]);
		}
	}
	return (types & (types - 1)) != 0;
}

/*
 * A bulk free leaves the state byte for byte as the single frees of the
 * same slots in the same order, with pages of three pageblock types
 * interleaved (so a run moves between the type lists page by page) and a
 * NULL slot among them: freed singly, snapshot; allocated again in the
 * reverse order (the same pages come off the tops of the lists, undoing
 * the frees), freed in bulk, compared. High mark raised so that no free
 * drains.
 */
static void bulk_free_equals_single_frees(void **state)
{
	(void)state;
	struct pmm_page *p[BK_MIXED], *again[BK_MIXED], *bulk[BK_MIXED];
	assert_int_equal(pmm_pcp_set_high_batch(256, 32), 0);
	assert_true(bk_alloc_mixed(p, false));
	for (int i = 0; i < BK_MIXED; i++)
		if (p[i] != NULL)
			assert_int_equal(pmm_free_page(p[i]), 0);
	rel_snap_take(&snap);
	assert_true(bk_alloc_mixed(again, true));
	assert_memory_equal(again, p, sizeof(p));
	memcpy(bulk, p, sizeof(bulk));
	assert_int_equal(pmm_free_pages_bulk(BK_MIXED, bulk), 0);
	for (int i = 0; i < BK_MIXED; i++)
		assert_null(bulk[i]);
	bk_same(&snap, 0, 0);
}

enum { BK_LIST = 40 };

/* Free @p[0..BK_LIST) in an order whose pfn steps change: a rising run, a
 * falling run, strides of 7 and 3, and single jumps. */
static void bk_free_scattered(struct pmm_page *const *p)
{
	static const unsigned char order[BK_LIST] = {
		0,  1,  2,  3,  4,  5,  6,  7,  /* +1 */
		15, 14, 13, 12, 11, 10, 9,  8,  /* -1 */
		16, 23, 30, 37,                 /* +7 */
		17, 20, 26, 29, 32, 35, 38,     /* +3, with one +6 */
		39, 18, 36, 19, 34, 21, 33, 22, /* jumps */
		31, 24, 28, 25, 27,
	};
	for (int i = 0; i < BK_LIST; i++)
		assert_int_equal(pmm_free_page(p[order[i]]), 0);
}

/*
 * The bulk allocation's list walk guesses each link from the last stride
 * (buddy_bulk.c walk_next()): from a list whose strides change at every
 * kind of place, it hands out exactly the pages and the order the single
 * allocations do, and leaves the same state once they are freed back the
 * same way.
 */
static void bulk_alloc_equals_single_allocs(void **state)
{
	(void)state;
	struct pmm_page *p[BK_LIST], *single[BK_LIST], *bulk[BK_LIST] = { 0 };
	assert_int_equal(pmm_pcp_set_high_batch(256, 32), 0);
	for (int i = 0; i < BK_LIST; i++)
		assert_non_null(p[i] = pmm_alloc_page(PMM_GFP_KERNEL));
	bk_free_scattered(p);
	for (int i = 0; i < BK_LIST; i++)
		assert_non_null(single[i] = pmm_alloc_page(PMM_GFP_KERNEL));
	bk_free_scattered(p);
	rel_snap_take(&snap);
	assert_int_equal(pmm_alloc_pages_bulk(PMM_GFP_KERNEL, BK_LIST, bulk),
			 BK_LIST);
	assert_memory_equal(bulk, single, sizeof(bulk));
	bk_free_scattered(p);
	bk_same(&snap, 0, 0);
}

/*
 * Mixed types with the fixture's small high mark (6): the run drains
 * again and again between type lists; every page comes back, the lists
 * and their count agree (pmm_check()).
 */
static void bulk_free_mixed_types_drains(void **state)
{
	(void)state;
	struct pmm_page *p[BK_MIXED];
	uint64_t free0 = pmm_nr_free_pages();
	assert_true(bk_alloc_mixed(p, false));
	assert_int_equal(pmm_nr_free_pages(), free0 - (BK_MIXED - 1));
	assert_int_equal(pmm_free_pages_bulk(BK_MIXED, p), 0);
	for (int i = 0; i < BK_MIXED; i++)
		assert_null(p[i]);
	assert_int_equal(pmm_nr_free_pages(), free0);
	assert_null(pmm_check());
	assert_int_equal(host_report_count(), reports_before);
}

static void P01_bulk_alloc_null_array(void **state)
{
	(void)state;
	rel_snap_take(&snap);
	assert_int_equal(pmm_alloc_pages_bulk(PMM_GFP_KERNEL, 8, NULL), 0);
	bk_same(&snap, 0, 0);
}

/* Contradictory zone flags: no slot filled; a held leading slot counts. */
static void P02_bulk_alloc_contradictory_flags(void **state)
{
	(void)state;
	struct pmm_page *pages[3] = { pmm_alloc_page(PMM_GFP_KERNEL), NULL, NULL };
	assert_non_null(pages[0]);
	struct pmm_page *first = pages[0];
	rel_snap_take(&snap);
	assert_int_equal(pmm_alloc_pages_bulk(PMM_GFP_DMA | PMM_GFP_HIGHMEM, 3,
					      pages), 1);
	assert_ptr_equal(pages[0], first);
	assert_null(pages[1]);
	assert_null(pages[2]);
	bk_same(&snap, 0, 0);
	assert_int_equal(pmm_free_page(first), 0);
}

static void P03_bulk_free_null_array(void **state)
{
	(void)state;
	rel_snap_take(&snap);
	assert_int_equal(pmm_free_pages_bulk(8, NULL), PMM_EINVAL);
	bk_same(&snap, 0, 0);
}

/*
 * Six order-0 pages in three buddy pairs [a b] [c d] [e f]; f freed, so
 * no other free of the test merges. The state S1 after freeing a and c
 * singly is recorded, then a and c come back by allocation (the LIFO
 * lists give c, then a) and the state must be S0 again; only then is the
 * bulk free run, whose result must equal S1 byte for byte.
 */
struct pairs {
	struct pmm_page *p[6];
	struct rel_snap s1;
};

static void pairs_setup(struct pairs *x)
{
	memset(x, 0, sizeof(*x));
	for (int i = 0; i < 6; i++) {
		x->p[i] = pmm_alloc_page(PMM_GFP_KERNEL);
		assert_non_null(x->p[i]);
	}
	for (int i = 0; i < 6; i += 2)
		assert_int_equal(pmm_page_to_pfn(x->p[i]) ^ 1,
				 pmm_page_to_pfn(x->p[i + 1]));
	assert_int_equal(pmm_free_page(x->p[5]), 0);
	struct pmm_zone *normal = buddy_zone(PMM_ZONE_NORMAL);
	unsigned int ops = normal->validate_ops;
	rel_snap_take(&snap);
	assert_int_equal(pmm_free_page(x->p[0]), 0);
	assert_int_equal(pmm_free_page(x->p[2]), 0);
	rel_snap_take(&x->s1);
	assert_ptr_equal(pmm_alloc_page(PMM_GFP_KERNEL), x->p[2]);
	assert_ptr_equal(pmm_alloc_page(PMM_GFP_KERNEL), x->p[0]);
	/* PMM_DEBUG=3 counts locked operations to pace its validator: the
	 * round trip's count is no allocator state, so it goes back. */
	normal->validate_ops = ops;
	bk_same(&snap, 0, 0);
}

/* A free page in the middle: a and c freed, f and e untouched. */
static void P04_bulk_free_bad_page_in_middle(void **state)
{
	(void)state;
	struct pairs x;
	pairs_setup(&x);
	struct pmm_page *pages[4] = { x.p[0], x.p[2], x.p[5], x.p[4] };
	assert_int_equal(pmm_free_pages_bulk(4, pages), PMM_EDOUBLEFREE);
	assert_null(pages[0]);
	assert_null(pages[1]);
	assert_ptr_equal(pages[2], x.p[5]);
	assert_ptr_equal(pages[3], x.p[4]);
	bk_same(&x.s1, 1, PMM_EDOUBLEFREE);
	rel_snap_release(&x.s1);
}

/* The same page twice: the first freed, the second a double free. */
static void P05_bulk_free_duplicate(void **state)
{
	(void)state;
	struct pairs x;
	pairs_setup(&x);
	struct pmm_page *pages[4] = { x.p[0], NULL, x.p[2], x.p[2] };
	assert_int_equal(pmm_free_pages_bulk(4, pages), PMM_EDOUBLEFREE);
	assert_null(pages[0]);
	assert_null(pages[2]);
	assert_ptr_equal(pages[3], x.p[2]);
	bk_same(&x.s1, 1, PMM_EDOUBLEFREE);
	rel_snap_release(&x.s1);
}

/* Not a descriptor in the middle: EINVAL, unreported, the rest kept. */
static void P06_bulk_free_not_a_descriptor(void **state)
{
	(void)state;
	struct pairs x;
	pairs_setup(&x);
	struct pmm_page local = { 0 };
	struct pmm_page *pages[4] = { x.p[0], x.p[2], &local, x.p[4] };
	assert_int_equal(pmm_free_pages_bulk(4, pages), PMM_EINVAL);
	assert_ptr_equal(pages[2], &local);
	assert_ptr_equal(pages[3], x.p[4]);
	bk_same(&x.s1, 0, 0);
	rel_snap_release(&x.s1);
}

#define BOTH(fn)                                                              \
	cmocka_unit_test_setup_teardown(fn, bk_setup_nopcp, bk_teardown),     \
	cmocka_unit_test_setup_teardown(fn, bk_setup_pcp, bk_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		BOTH(bulk_fills_null_slots_and_frees_back),
		BOTH(bulk_alloc_counts_populated),
		BOTH(bulk_alloc_stops_when_exhausted),
		BOTH(bulk_free_drops_one_reference),
		cmocka_unit_test_setup_teardown(bulk_free_equals_single_frees,
						bk_setup_pcp, bk_teardown),
		cmocka_unit_test_setup_teardown(bulk_alloc_equals_single_allocs,
						bk_setup_pcp, bk_teardown),
		BOTH(bulk_free_mixed_types_drains),
		BOTH(P01_bulk_alloc_null_array),
		BOTH(P02_bulk_alloc_contradictory_flags),
		BOTH(P03_bulk_free_null_array),
		BOTH(P04_bulk_free_bad_page_in_middle),
		BOTH(P05_bulk_free_duplicate),
		BOTH(P06_bulk_free_not_a_descriptor),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
