/* SPDX-License-Identifier: MIT */
/*
 * test_buddy_contig_errors.c - the contiguous-allocation rows of
 * docs/errors.md (K01..K30): every bad input to pmm/contig.h gets its
 * documented error (and a report, with that code, exactly for the broken
 * invariants), the descriptors, zones and pair bitmaps are byte for byte
 * what they were (tests/support/reliability_snap.c), and pmm_check()
 * passes. The row id is in each case's name.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pmm/contig.h>

#include "buddy_fixture.h"
#include "buddy_setup.h"
#include "host_platform.h"
#include "reliability_snap.h"

/* ------------------------------------------------------------------ */
/* DMA [0, 1024) and Normal [1024, 4096) on node 0, all handed off but  */
/* the reserved pfns [2000, 2016); per-CPU lists off.                   */
/*   pfn 0   1024            2000 2016                    4096          */
/*       |DMA |    Normal      |####|        Normal         |          */
/* A run of 6 pages is allocated at [3000, 3006).                       */
/* ------------------------------------------------------------------ */

#define MIB(x) ((pmm_phys_t)(x) << 20)
#define P PMM_PAGE_SIZE

static struct rel_snap snap;
static unsigned int reports_before;

/* Snapshot the state and the report count: what a failed call must keep. */
static void mark(void)
{
	rel_snap_take(&snap);
	reports_before = host_report_count();
}

static int ce_setup(void **state)
{
	(void)state;
	static const struct buddy_zone_spec z[] = {
		{ 0, PMM_ZONE_DMA, 0, 1024 },
		{ 0, PMM_ZONE_NORMAL, 1024, 4096 },
	};
	assert_int_equal(buddy_setup(&(struct buddy_setup_opts){
		.max_pfn = 4096, .zones = z, .nr_zones = 2 }), 0);
	assert_int_equal(pmm_buddy_handoff_range(0, 2000, NULL), 0);
	assert_int_equal(pmm_buddy_handoff_range(2016, 4096, NULL), 0);
	assert_int_equal(pmm_alloc_range(3000, 6, NULL), 0);
	mark();
	return 0;
}

static int ce_teardown(void **state)
{
	(void)state;
	rel_snap_release(&snap);
	buddy_teardown();
	return 0;
}

/* Unchanged since the snapshot, pmm_check() passes, @reports reports came,
 * the last with @err. */
static void unchanged(unsigned int reports, int err)
{
	buddy_expect_snap(&snap, reports_before, reports, err);
}

/* pmm_alloc_contig_err() fails with @want. */
static void contig_fails(uint64_t nr, unsigned int gfp, pmm_phys_t low,
			 pmm_phys_t high, pmm_phys_t align, pmm_phys_t boundary,
			 int want)
{
	int err = 0;
	assert_null(pmm_alloc_contig_err(nr, gfp, low, high, align, boundary,
					 &err));
	assert_int_equal(err, want);
}

static void K01_contig_zero_pages(void **state)
{
	(void)state;
	contig_fails(0, PMM_GFP_KERNEL, 0, MIB(16), P, 0, PMM_EINVAL);
	unchanged(0, 0);
}

static void K02_contig_bad_align(void **state)
{
	(void)state;
	contig_fails(4, PMM_GFP_KERNEL, 0, MIB(16), 0, 0, PMM_EALIGN);
	contig_fails(4, PMM_GFP_KERNEL, 0, MIB(16), 3 * P, 0, PMM_EALIGN);
	contig_fails(4, PMM_GFP_KERNEL, 0, MIB(16), P / 2, 0, PMM_EALIGN);
	unchanged(0, 0);
}

static void K03_contig_boundary_not_pow2(void **state)
{
	(void)state;
	contig_fails(4, PMM_GFP_KERNEL, 0, MIB(16), P, 24 * P, PMM_EALIGN);
	unchanged(0, 0);
}

static void K04_contig_boundary_below_run(void **state)
{
	(void)state;
	contig_fails(5, PMM_GFP_KERNEL, 0, MIB(16), P, 4 * P, PMM_EINVAL);
	unchanged(0, 0);
}

static void K05_contig_empty_window(void **state)
{
	(void)state;
	contig_fails(1, PMM_GFP_KERNEL, MIB(2), MIB(2), P, 0, PMM_EINVAL);
	contig_fails(1, PMM_GFP_KERNEL, MIB(3), MIB(2), P, 0, PMM_EINVAL);
	contig_fails(1, PMM_GFP_KERNEL, 0x1001, 0x1fff, P, 0, PMM_EINVAL);
	unchanged(0, 0);
}

static void K06_contig_window_below_run(void **state)
{
	(void)state;
	contig_fails(9, PMM_GFP_KERNEL, MIB(1), MIB(1) + 8 * P, P, 0,
		     PMM_EINVAL);
	unchanged(0, 0);
}

static void K07_contig_window_outside_memory(void **state)
{
	(void)state;
	contig_fails(1, PMM_GFP_KERNEL, MIB(1024), MIB(2048), P, 0, PMM_ERANGE);
	contig_fails(1, PMM_GFP_HIGHMEM, MIB(1024), MIB(2048), P, 0, PMM_ERANGE);
	unchanged(0, 0);
}

static void K08_contig_contradictory_gfp(void **state)
{
	(void)state;
	contig_fails(1, PMM_GFP_DMA | PMM_GFP_HIGHMEM, 0, MIB(16), P, 0,
		     PMM_EINVAL);
	contig_fails(1, PMM_GFP_MOBILITY, 0, MIB(16), P, 0, PMM_EINVAL);
	unchanged(0, 0);
}

/* The longest free run is [3006, 4096): 1090 pages; DMA holds 1023. */
static void K09_contig_exhausted(void **state)
{
	(void)state;
	contig_fails(1100, PMM_GFP_KERNEL, 0, MIB(16), P, 0, PMM_ENOMEM);
	contig_fails(1024, PMM_GFP_DMA, 0, MIB(16), P, 0, PMM_ENOMEM);
	unchanged(0, 0);
}

static void K10_range_zero_pages(void **state)
{
	(void)state;
	assert_int_equal(pmm_alloc_range(100, 0, NULL), PMM_EINVAL);
	assert_false(pmm_range_is_free(100, 0));
	unchanged(0, 0);
}

static void K11_range_outside_zones(void **state)
{
	(void)state;
	assert_int_equal(pmm_alloc_range(0, 4, NULL), PMM_ERANGE);
	assert_int_equal(pmm_alloc_range(4090, 10, NULL), PMM_ERANGE);
	assert_int_equal(pmm_alloc_range(1020, 10, NULL), PMM_ERANGE);
	assert_int_equal(pmm_alloc_range(5000, 1, NULL), PMM_ERANGE);
	assert_false(pmm_range_is_free(1020, 10));
	unchanged(0, 0);
}

static void K12_range_partly_reserved(void **state)
{
	(void)state;
	pmm_pfn_t busy = 0;
	assert_int_equal(pmm_alloc_range(1990, 20, &busy), PMM_EBUSY);
	assert_int_equal(busy, 2000);
	unchanged(0, 0);
}

static void K13_range_partly_allocated(void **state)
{
	(void)state;
	pmm_pfn_t busy = 0;
	assert_int_equal(pmm_alloc_range(2990, 20, &busy), PMM_EBUSY);
	assert_int_equal(busy, 3000);
	assert_int_equal(pmm_alloc_range(3005, 4, &busy), PMM_EBUSY);
	assert_int_equal(busy, 3005);
	unchanged(0, 0);
}

static void K14_free_contig_bad_args(void **state)
{
	(void)state;
	static struct pmm_page outside;
	assert_int_equal(pmm_free_contig(pmm_pfn_to_page(3000), 0), PMM_EINVAL);
	assert_int_equal(pmm_free_contig(&outside, 1), PMM_EINVAL);
	assert_int_equal(pmm_free_contig(NULL, 1), PMM_EINVAL);
	assert_int_equal(pmm_free_contig(pmm_pfn_to_page(1020), 10), PMM_ERANGE);
	assert_int_equal(pmm_free_contig(pmm_pfn_to_page(4090), 10), PMM_ERANGE);
	unchanged(0, 0);
}

/* A run given back twice: the second release is a double free. */
static void K15_free_contig_double_release(void **state)
{
	(void)state;
	assert_int_equal(pmm_free_contig(pmm_pfn_to_page(3000), 6), 0);
	mark();
	assert_int_equal(pmm_free_contig(pmm_pfn_to_page(3000), 6),
			 PMM_EDOUBLEFREE);
	unchanged(1, PMM_EDOUBLEFREE);
	/* partly: [2998, 3002) starts in free pages too */
	assert_int_equal(pmm_alloc_range(3000, 2, NULL), 0);
	mark();
	assert_int_equal(pmm_free_contig(pmm_pfn_to_page(2999), 3),
			 PMM_EDOUBLEFREE);
	unchanged(1, PMM_EDOUBLEFREE);
}

static void K16_free_contig_reserved(void **state)
{
	(void)state;
	assert_int_equal(pmm_free_contig(pmm_pfn_to_page(1998), 4),
			 PMM_EDOUBLEFREE);
	unchanged(1, PMM_EDOUBLEFREE);
	mark();
	assert_int_equal(pmm_free_contig(pmm_pfn_to_page(2004), 4),
			 PMM_ERESERVED);
	unchanged(1, PMM_ERESERVED);
}

/* A block with a second reference is not given back. */
static void K17_free_contig_referenced(void **state)
{
	(void)state;
	pmm_pfn_t head = 3004; /* the run tiles as 3000 (order 2) + 3004 (1) */
	assert_int_equal(pmm_get_page(pmm_pfn_to_page(head)), 0);
	mark();
	assert_int_equal(pmm_free_contig(pmm_pfn_to_page(3000), 6), PMM_EBUSY);
	unchanged(0, 0);
	assert_int_equal(pmm_put_page(pmm_pfn_to_page(head)), 0);
}

/* Queries of bad or busy ranges say "not free". */
static void K18_range_query_bad(void **state)
{
	(void)state;
	assert_false(pmm_range_is_free(0, 1));
	assert_false(pmm_range_is_free(4095, 2));
	assert_false(pmm_range_is_free(3000, 1));
	assert_true(pmm_range_is_free(3006, 10));
	unchanged(0, 0);
}

static void K19_isolate_zero_pages(void **state)
{
	(void)state;
	assert_int_equal(pmm_isolate_range(1024, 0), PMM_EINVAL);
	assert_int_equal(pmm_undo_isolate_range(1024, 0), PMM_EINVAL);
	unchanged(0, 0);
}

static void K20_isolate_outside_zones(void **state)
{
	(void)state;
	assert_int_equal(pmm_isolate_range(0, 4), PMM_ERANGE);
	assert_int_equal(pmm_isolate_range(1020, 10), PMM_ERANGE);
	assert_int_equal(pmm_isolate_range(4096, 1), PMM_ERANGE);
	assert_int_equal(pmm_undo_isolate_range(4090, 10), PMM_ERANGE);
	assert_false(pmm_range_is_isolated(4090, 10));
	unchanged(0, 0);
}

/* [1536, 2048) isolated; isolating [2000, 2600) meets it again. */
static void K21_isolate_already_isolated(void **state)
{
	(void)state;
	assert_int_equal(pmm_isolate_range(1536, 512), 0);
	mark();
	assert_int_equal(pmm_isolate_range(2000, 600), PMM_EBUSY);
	assert_int_equal(pmm_isolate_range(1600, 1), PMM_EBUSY);
	unchanged(0, 0);
	assert_int_equal(pmm_undo_isolate_range(1536, 512), 0);
}

/* An order-10 block allocated at [2048, 3072) crosses pfn 2560. */
static void K22_isolate_cuts_allocated_block(void **state)
{
	(void)state;
	assert_int_equal(pmm_free_contig(pmm_pfn_to_page(3000), 6), 0);
	struct pmm_page *big = pmm_alloc_pages(PMM_GFP_KERNEL, 10);
	assert_non_null(big);
	assert_int_equal(pmm_page_to_pfn(big), 2048);
	mark();
	assert_int_equal(pmm_isolate_range(2560, 512), PMM_EBUSY);
	unchanged(0, 0);
	assert_int_equal(pmm_free_pages(big, 10), 0);
}

/* Releasing what is not isolated (never, or a second time). */
static void K23_undo_isolate_not_isolated(void **state)
{
	(void)state;
	assert_int_equal(pmm_undo_isolate_range(1536, 512), PMM_ESTATE);
	unchanged(0, 0);
	assert_int_equal(pmm_isolate_range(1536, 512), 0);
	assert_int_equal(pmm_undo_isolate_range(1536, 512), 0);
	mark();
	assert_int_equal(pmm_undo_isolate_range(1536, 512), PMM_ESTATE);
	unchanged(0, 0);
	/* partly isolated: [1536, 2048) again, undo over [1536, 2560) */
	assert_int_equal(pmm_isolate_range(1536, 512), 0);
	mark();
	assert_int_equal(pmm_undo_isolate_range(1536, 1024), PMM_ESTATE);
	unchanged(0, 0);
	assert_int_equal(pmm_undo_isolate_range(1536, 512), 0);
}

static void K24_cma_declare_bad_size(void **state)
{
	(void)state;
	int id = 7;
	assert_int_equal(pmm_cma_declare(3584, 0, "x", &id), PMM_EINVAL);
	assert_int_equal(pmm_cma_declare(3584, 100, "x", &id), PMM_EALIGN);
	assert_int_equal(pmm_cma_declare(3600, 512, "x", &id), PMM_EALIGN);
	assert_int_equal(id, 7);
	unchanged(0, 0);
}

static void K25_cma_declare_outside(void **state)
{
	(void)state;
	assert_int_equal(pmm_cma_declare(512, 1024, "x", NULL), PMM_ERANGE);
	assert_int_equal(pmm_cma_declare(4096, 512, "x", NULL), PMM_ERANGE);
	assert_int_equal(pmm_cma_count(), 0);
	unchanged(0, 0);
}

static void K26_cma_declare_overlap(void **state)
{
	(void)state;
	int id = -1;
	assert_int_equal(pmm_cma_declare(3584, 512, "a", &id), 0);
	assert_int_equal(id, 0);
	mark();
	assert_int_equal(pmm_cma_declare(3584, 512, "b", NULL), PMM_EOVERLAP);
	assert_int_equal(pmm_cma_count(), 1);
	unchanged(0, 0);
}

static void K27_cma_declare_isolated(void **state)
{
	(void)state;
	assert_int_equal(pmm_isolate_range(3584, 512), 0);
	mark();
	assert_int_equal(pmm_cma_declare(3584, 512, "a", NULL), PMM_EBUSY);
	unchanged(0, 0);
	assert_int_equal(pmm_undo_isolate_range(3584, 512), 0);
}

static void K28_cma_alloc_bad_args(void **state)
{
	(void)state;
	int id = -1, err = 0;
	assert_int_equal(pmm_cma_declare(3584, 512, "a", &id), 0);
	mark();
	assert_null(pmm_cma_alloc_err(id + 1, 4, 0, &err));
	assert_int_equal(err, PMM_ERANGE);
	assert_null(pmm_cma_alloc_err(-1, 4, 0, &err));
	assert_int_equal(err, PMM_ERANGE);
	assert_null(pmm_cma_alloc_err(id, 0, 0, &err));
	assert_int_equal(err, PMM_EINVAL);
	assert_null(pmm_cma_alloc_err(id, 513, 0, &err));
	assert_int_equal(err, PMM_EINVAL);
	assert_null(pmm_cma_alloc_err(id, 4, 40, &err));
	assert_int_equal(err, PMM_EALIGN);
	unchanged(0, 0);
}

static void K29_cma_release_outside(void **state)
{
	(void)state;
	int id = -1;
	assert_int_equal(pmm_cma_declare(3584, 512, "a", &id), 0);
	struct pmm_page *p = pmm_cma_alloc(id, 8, 0);
	assert_non_null(p);
	mark();
	assert_int_equal(pmm_cma_release(id + 1, p, 8), PMM_ERANGE);
	assert_int_equal(pmm_cma_release(id, pmm_pfn_to_page(3000), 6), PMM_ERANGE);
	assert_int_equal(pmm_cma_release(id, p, 0), PMM_EINVAL);
	assert_int_equal(pmm_cma_release(id, pmm_pfn_to_page(4090), 10), PMM_ERANGE);
	unchanged(0, 0);
	assert_int_equal(pmm_cma_release(id, p, 8), 0);
}

static void K30_cma_double_release(void **state)
{
	(void)state;
	int id = -1;
	assert_int_equal(pmm_cma_declare(3584, 512, "a", &id), 0);
	struct pmm_page *p = pmm_cma_alloc(id, 8, 0);
	assert_non_null(p);
	assert_int_equal(pmm_cma_release(id, p, 8), 0);
	mark();
	assert_int_equal(pmm_cma_release(id, p, 8), PMM_EDOUBLEFREE);
	unchanged(1, PMM_EDOUBLEFREE);
}

#define CE(f) cmocka_unit_test_setup_teardown(f, ce_setup, ce_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		CE(K01_contig_zero_pages),
		CE(K02_contig_bad_align),
		CE(K03_contig_boundary_not_pow2),
		CE(K04_contig_boundary_below_run),
		CE(K05_contig_empty_window),
		CE(K06_contig_window_below_run),
		CE(K07_contig_window_outside_memory),
		CE(K08_contig_contradictory_gfp),
		CE(K09_contig_exhausted),
		CE(K10_range_zero_pages),
		CE(K11_range_outside_zones),
		CE(K12_range_partly_reserved),
		CE(K13_range_partly_allocated),
		CE(K14_free_contig_bad_args),
		CE(K15_free_contig_double_release),
		CE(K16_free_contig_reserved),
		CE(K17_free_contig_referenced),
		CE(K18_range_query_bad),
		CE(K19_isolate_zero_pages),
		CE(K20_isolate_outside_zones),
		CE(K21_isolate_already_isolated),
		CE(K22_isolate_cuts_allocated_block),
		CE(K23_undo_isolate_not_isolated),
		CE(K24_cma_declare_bad_size),
		CE(K25_cma_declare_outside),
		CE(K26_cma_declare_overlap),
		CE(K27_cma_declare_isolated),
		CE(K28_cma_alloc_bad_args),
		CE(K29_cma_release_outside),
		CE(K30_cma_double_release),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
