/* SPDX-License-Identifier: MIT */
/*
 * test_bootmem_alloc.c - allocation from the boot memory allocator: goal,
 * limit, alignment, node fallback, packing of small allocations into the
 * last partly used page, zeroing.
 *
 * Pictures show one character per page: '#' reserved, '.' free. Unless a
 * case says otherwise, node 0 covers pfns [16, 48), all free, and its
 * bitmap lives at pfn 1, outside the node.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "bootmem_fixture.h"
#include "host_platform.h"

#define NO_NODE PMM_NUMA_NO_NODE

static void free_node(void)
{
	bm_fix_node(0, 16, 48, 1);
	bm_fix_free_pfns(16, 48);
}

/* Two nodes: node 0 [16, 32) with its bitmap at pfn 1, node 1 [32, 48) at pfn 2. */
static void two_free_nodes(void)
{
	bm_fix_node(0, 16, 32, 1);
	bm_fix_node(1, 32, 48, 2);
	bm_fix_free_pfns(16, 48);
}

/* Allocate; assert success and return the address. */
static pmm_phys_t alloc(int nid, uint64_t size, uint64_t align, pmm_phys_t goal,
			pmm_phys_t limit)
{
	pmm_phys_t pa = 0;
	assert_int_equal(pmm_bootmem_alloc(&bm_fix, nid, size, align, goal, limit, &pa), 0);
	return pa;
}

/*
 * No goal: the lowest free pages of the node.
 *   16                              48
 *   ###.............................
 */
static void test_alloc_first_fit_from_node_start(void **state)
{
	(void)state;
	free_node();
	assert_int_equal(alloc(0, 3 * PG, PG, 0, 0), 16 * PG);
	assert_string_equal(bm_fix_picture(16, 48), "###.............................");
	assert_int_equal(pmm_bootmem_free_pages(&bm_fix, 0), 29);
}

/*
 * Goal pfn 30: the search starts there.
 *   16            30                48
 *   ..............##................
 */
static void test_alloc_at_goal(void **state)
{
	(void)state;
	free_node();
	assert_int_equal(alloc(0, 2 * PG, PG, 30 * PG, 0), 30 * PG);
	assert_string_equal(bm_fix_picture(16, 48), "..............##................");
}

/* A goal inside a page starts the search at the next page boundary. */
static void test_alloc_goal_inside_page_rounds_up(void **state)
{
	(void)state;
	free_node();
	assert_int_equal(alloc(0, PG, PG, 30 * PG + 1, 0), 31 * PG);
}

/*
 * Nothing above the goal fits 5 pages, so the node is searched again from
 * its start.
 *   16      24              40  44  48
 *   ........################....####   before
 *   #####...################....####   after: 5 pages at 16
 */
static void test_alloc_goal_retry_from_node_start(void **state)
{
	(void)state;
	bm_fix_node(0, 16, 48, 1);
	bm_fix_free_pfns(16, 24);
	bm_fix_free_pfns(40, 44);
	assert_int_equal(alloc(0, 5 * PG, PG, 36 * PG, 0), 16 * PG);
	assert_string_equal(bm_fix_picture(16, 48), "#####...################....####");
}

/*
 * The pages used must end at or below the limit.
 *   16      24                      48
 *   ........########################   free below the limit (pfn 24)
 *   9 pages -> ENOMEM; 8 pages -> 16; goal 30 above limit -> retry -> ok
 */
static void test_alloc_limit(void **state)
{
	(void)state;
	free_node();
	pmm_phys_t pa = 0;
	assert_int_equal(pmm_bootmem_alloc(&bm_fix, 0, 9 * PG, PG, 0, 24 * PG, &pa),
			 PMM_ENOMEM);
	assert_int_equal(pmm_bootmem_free_pages(&bm_fix, 0), 32);
	assert_int_equal(alloc(0, 4 * PG, PG, 30 * PG, 24 * PG), 16 * PG);
	assert_int_equal(alloc(0, 4 * PG, PG, 18 * PG, 24 * PG), 20 * PG);
	assert_int_equal(pmm_bootmem_alloc(&bm_fix, 0, PG, PG, 0, 24 * PG, &pa),
			 PMM_ENOMEM);
	assert_string_equal(bm_fix_picture(16, 48), "########........................");
}

/*
 * Alignment is of the physical address, not of the offset in the node:
 * node [17, 49), 4-page alignment puts the block at pfn 20.
 *   17                               49
 *   ...####.........................
 */
static void test_alloc_align_absolute(void **state)
{
	(void)state;
	bm_fix_node(0, 17, 49, 1);
	bm_fix_free_pfns(17, 49);
	assert_int_equal(alloc(0, 4 * PG, 4 * PG, 0, 0), 20 * PG);
	assert_string_equal(bm_fix_picture(17, 49), "...####.........................");
}

/*
 * The run at 17..18 has no 4-aligned start; the run 21..25 has 24.
 *   16  20  24  28
 *   #..##.....######   before
 *   #..##...########   after (2 pages at 24)
 */
static void test_alloc_align_skips_misaligned_runs(void **state)
{
	(void)state;
	bm_fix_node(0, 16, 48, 1);
	bm_fix_free_pfns(17, 19);
	bm_fix_free_pfns(21, 26);
	bm_fix_free_pfns(32, 48);
	assert_int_equal(alloc(0, 2 * PG, 4 * PG, 0, 0), 24 * PG);
	assert_string_equal(bm_fix_picture(16, 32), "#..##...########");
}

/*
 * Node 0 has only 2 free pages: a 4-page request for node 0 goes to node 1.
 *   16     node 0     32     node 1     48
 *   ##############..|................
 *   ##############..|####............
 */
static void test_alloc_fallback_to_other_node(void **state)
{
	(void)state;
	bm_fix_node(0, 16, 32, 1);
	bm_fix_node(1, 32, 48, 2);
	bm_fix_free_pfns(30, 48);
	assert_int_equal(alloc(0, 4 * PG, PG, 0, 0), 32 * PG);
	assert_string_equal(bm_fix_picture(16, 48), "##############..####............");
}

static void test_alloc_node_choice(void **state)
{
	(void)state;
	two_free_nodes();
	/* An explicit node comes first. */
	assert_int_equal(alloc(1, PG, PG, 0, 0), 32 * PG);
	/* No node: the node of the goal. */
	assert_int_equal(alloc(NO_NODE, PG, PG, 40 * PG, 0), 40 * PG);
	/* No node, goal in no node: node 0. */
	assert_int_equal(alloc(NO_NODE, PG, PG, 0, 0), 16 * PG);
	/* A node without memory: the others. */
	assert_int_equal(alloc(5, PG, PG, 0, 0), 17 * PG);
}

/*
 * Small allocations share the last partly used page (Linux 2.4's
 * last_pos/last_offset):
 *   page 16: [0,100) a  [104,304) b  [320,370) c   (b 8-aligned, c 64-aligned)
 *   16                              48
 *   #...............................
 */
static void test_alloc_packs_small_allocations(void **state)
{
	(void)state;
	free_node();
	pmm_phys_t a = alloc(0, 100, 8, 0, 0);
	assert_int_equal(a, 16 * PG);
	assert_int_equal(alloc(0, 200, 8, 0, 0), a + 104);
	assert_int_equal(alloc(0, 50, 64, 0, 0), a + 320);
	assert_string_equal(bm_fix_picture(16, 48), "#...............................");
	assert_int_equal(pmm_bootmem_free_pages(&bm_fix, 0), 31);
	assert_int_equal(bm_fix.node[0].last_pos, 16);
	assert_int_equal(bm_fix.node[0].last_offset, 370);
}

/*
 * A page-aligned request cannot start inside page 16 (100 bytes used), and
 * a 2048-aligned one cannot start in page 19 after 3000 used bytes: both
 * take new pages.
 *   16  20                          48
 *   #####...........................
 *   16: 100 B   17: 16 B, page-aligned   18: a whole page   19: 3000 B
 *   20: 100 B, 2048-aligned
 */
static void test_alloc_no_pack_when_alignment_forbids(void **state)
{
	(void)state;
	free_node();
	assert_int_equal(alloc(0, 100, 8, 0, 0), 16 * PG);
	assert_int_equal(alloc(0, 16, PG, 0, 0), 17 * PG);
	assert_int_equal(alloc(0, PG, PG, 0, 0), 18 * PG);
	assert_int_equal(alloc(0, 3000, 8, 0, 0), 19 * PG);
	assert_int_equal(alloc(0, 100, 2048, 0, 0), 20 * PG);
	assert_string_equal(bm_fix_picture(16, 48), "#####...........................");
}

/* 4000 bytes used: 200 more do not fit, so they take a new page. */
static void test_alloc_no_pack_when_too_big(void **state)
{
	(void)state;
	free_node();
	assert_int_equal(alloc(0, 4000, 8, 0, 0), 16 * PG);
	assert_int_equal(alloc(0, 200, 8, 0, 0), 17 * PG);
	assert_int_equal(alloc(0, 90, 8, 0, 0), 17 * PG + 200);
	assert_string_equal(bm_fix_picture(16, 20), "##..");
}

/* Two halves fill page 16 exactly; the next request takes page 17. */
static void test_alloc_pack_fills_page_exactly(void **state)
{
	(void)state;
	free_node();
	assert_int_equal(alloc(0, PG / 2, 8, 0, 0), 16 * PG);
	assert_int_equal(alloc(0, PG / 2, 8, 0, 0), 16 * PG + PG / 2);
	assert_int_equal(bm_fix.node[0].last_offset, 0);
	assert_int_equal(alloc(0, 8, 8, 0, 0), 17 * PG);
}

/* A whole-page allocation leaves no partial page to pack into. */
static void test_alloc_no_pack_after_whole_pages(void **state)
{
	(void)state;
	free_node();
	assert_int_equal(alloc(0, 100, 8, 0, 0), 16 * PG);
	assert_int_equal(alloc(0, 2 * PG, PG, 0, 0), 17 * PG);
	assert_int_equal(alloc(0, 8, 8, 0, 0), 19 * PG);
}

/*
 * A multi-page allocation that ends in a partial page packs the next small
 * one after its end:  [16, 18) + 100 bytes of 18, then 8 bytes at 18+104.
 */
static void test_alloc_pack_after_multi_page_tail(void **state)
{
	(void)state;
	free_node();
	assert_int_equal(alloc(0, 2 * PG + 100, 8, 0, 0), 16 * PG);
	assert_int_equal(alloc(0, 8, 8, 0, 0), 18 * PG + 104);
	assert_string_equal(bm_fix_picture(16, 20), "###.");
}

/*
 * Packing honours the goal and the limit of the search:
 *   page 40 holds 100 bytes (allocated with goal 40);
 *   limit pfn 24 -> page 40 is out of reach: new page 16;
 *   goal pfn 30 -> page 16 is below it: new page 30.
 */
static void test_alloc_pack_respects_goal_and_limit(void **state)
{
	(void)state;
	free_node();
	assert_int_equal(alloc(0, 100, 8, 40 * PG, 0), 40 * PG);
	assert_int_equal(alloc(0, 100, 8, 0, 24 * PG), 16 * PG);
	assert_int_equal(alloc(0, 100, 8, 30 * PG, 0), 30 * PG);
	assert_int_equal(alloc(0, 100, 8, 30 * PG, 0), 30 * PG + 104);
}

/*
 * Freeing the page packed into forgets it: the next small request takes a
 * fresh (reserved) page, not the middle of a free one.
 */
static void test_alloc_no_pack_into_freed_page(void **state)
{
	(void)state;
	free_node();
	assert_int_equal(alloc(0, 100, 8, 0, 0), 16 * PG);
	bm_fix_free_pfns(16, 17);
	assert_int_equal(alloc(0, 100, 8, 0, 0), 16 * PG);
	assert_true(pmm_bootmem_is_reserved(&bm_fix, 16));
	assert_int_equal(pmm_bootmem_free_pages(&bm_fix, 0), 31);
}

/* Pages freed below the search hint are found again. */
static void test_alloc_finds_pages_freed_below_hint(void **state)
{
	(void)state;
	free_node();
	assert_int_equal(alloc(0, PG, PG, 0, 0), 16 * PG);
	assert_int_equal(alloc(0, PG, PG, 0, 0), 17 * PG);
	assert_int_equal(alloc(0, PG, PG, 0, 0), 18 * PG);
	bm_fix_free_pfns(16, 17);
	assert_int_equal(alloc(0, PG, PG, 0, 0), 16 * PG);
	assert_int_equal(alloc(0, PG, PG, 0, 0), 19 * PG);
}

/*
 * The memory comes back zeroed - only the bytes asked for: the rest of a
 * partial page keeps its contents until a packed allocation takes it.
 */
static void test_alloc_zeroes_memory(void **state)
{
	(void)state;
	free_node();
	unsigned char *mem = host_phys_ptr(16 * PG);
	memset(mem, 0xaa, 32 * PG);
	pmm_phys_t a = alloc(0, 2 * PG + 100, 8, 0, 0);
	unsigned char *p = host_phys_ptr(a);
	for (size_t i = 0; i < 2 * PG + 100; i++)
		assert_int_equal(p[i], 0);
	assert_int_equal(p[2 * PG + 100], 0xaa);
	pmm_phys_t b = alloc(0, 50, 8, 0, 0);
	assert_int_equal(b, a + 2 * PG + 104);
	unsigned char *q = host_phys_ptr(b);
	for (size_t i = 0; i < 50; i++)
		assert_int_equal(q[i], 0);
	assert_int_equal(q[-1], 0xaa);
	assert_int_equal(q[50], 0xaa);
}

/*
 * Byte alignment packs tightly, and zeroing copes with odd addresses:
 *   page 16: [0,3) a  [3,53) b  [53,60) c
 */
static void test_alloc_byte_aligned_packing_zeroes_exactly(void **state)
{
	(void)state;
	free_node();
	unsigned char *mem = host_phys_ptr(16 * PG);
	memset(mem, 0x55, PG);
	assert_int_equal(alloc(0, 3, 1, 0, 0), 16 * PG);
	assert_int_equal(alloc(0, 50, 1, 0, 0), 16 * PG + 3);
	assert_int_equal(alloc(0, 7, 1, 0, 0), 16 * PG + 53);
	for (size_t i = 0; i < 60; i++)
		assert_int_equal(mem[i], 0);
	assert_int_equal(mem[60], 0x55);
	assert_int_equal(bm_fix.node[0].last_offset, 60);
}

/* Memory the platform cannot touch is allocated all the same, unzeroed. */
static void test_alloc_untouchable_memory(void **state)
{
	(void)state;
	static uint64_t map[1];
	assert_int_equal(pmm_bootmem_init_node(&bm_fix, 0, 16, 48, map, PG), 0);
	bm_fix_free_pfns(16, 48);
	assert_int_equal(alloc(0, 3 * PG, PG, 0, 0), 16 * PG);
	assert_int_equal(map[0], UINT64_MAX << 32 | 0x7);
}

static void test_alloc_bad_args(void **state)
{
	(void)state;
	free_node();
	pmm_phys_t pa = 0x1234;
	assert_int_equal(pmm_bootmem_alloc(&bm_fix, 0, 0, 8, 0, 0, &pa), PMM_EINVAL);
	assert_int_equal(pmm_bootmem_alloc(&bm_fix, 0, 8, 0, 0, 0, &pa), PMM_EALIGN);
	assert_int_equal(pmm_bootmem_alloc(&bm_fix, 0, 8, 3, 0, 0, &pa), PMM_EALIGN);
	assert_int_equal(pmm_bootmem_alloc(&bm_fix, 0, 8, 48, 0, 0, &pa), PMM_EALIGN);
	assert_int_equal(pmm_bootmem_alloc(&bm_fix, 0, UINT64_MAX - 10, 8, 0, 0, &pa),
			 PMM_EOVERFLOW);
	assert_int_equal(pmm_bootmem_alloc(&bm_fix, -2, 8, 8, 0, 0, &pa), PMM_EINVAL);
	assert_int_equal(pmm_bootmem_alloc(&bm_fix, PMM_MAX_NUMNODES, 8, 8, 0, 0, &pa),
			 PMM_EINVAL);
	assert_int_equal(pmm_bootmem_alloc(&bm_fix, 0, 8, 8, 0, 0, NULL), PMM_EINVAL);
	assert_int_equal(pmm_bootmem_alloc(NULL, 0, 8, 8, 0, 0, &pa), PMM_EINVAL);
	assert_int_equal(pa, 0x1234);
	assert_int_equal(pmm_bootmem_free_pages(&bm_fix, 0), 32);
	assert_int_equal(bm_fix.node[0].last_offset, 0);
}

/* Too big for any node, or every page reserved: ENOMEM, nothing changes. */
static void test_alloc_enomem(void **state)
{
	(void)state;
	two_free_nodes();
	pmm_phys_t pa = 0;
	/* 17 pages: 32 are free, but no node holds 17 in a row. */
	assert_int_equal(pmm_bootmem_alloc(&bm_fix, 0, 17 * PG, PG, 0, 0, &pa), PMM_ENOMEM);
	assert_int_equal(pmm_bootmem_free_pages(&bm_fix, NO_NODE), 32);
	assert_int_equal(pmm_bootmem_reserve(&bm_fix, 16 * PG, 32 * PG), 0);
	assert_int_equal(pmm_bootmem_alloc(&bm_fix, 0, 8, 8, 0, 0, &pa), PMM_ENOMEM);
	assert_int_equal(pa, 0);
}

/*
 * A 1 TiB node with only its last pages free: the search skips 2^22
 * all-ones words and finds them in milliseconds.
 */
static void test_alloc_search_1tib_word_wise(void **state)
{
	(void)state;
	const pmm_pfn_t pages = (pmm_pfn_t)1 << 28;
	bm_fix_node(0, 1, pages + 1, 16);
	bm_fix_free_pfns(pages - 3, pages + 1);
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(alloc(0, 2 * PG, 2 * PG, 0, 0), PMM_PFN_PHYS(pages - 2));
	assert_int_equal(alloc(0, PG, PG, 0, 0), PMM_PFN_PHYS(pages - 3));
	clock_gettime(CLOCK_MONOTONIC, &t1);
	double ms = (double)(t1.tv_sec - t0.tv_sec) * 1e3 +
		    (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
	/* printed, not judged: speed targets live in pmm-bench */
	print_message("two searches over 2^28 pages: %.1f ms\n", ms);
}

#define T(f) cmocka_unit_test_setup_teardown(f, bm_fix_setup, bm_fix_teardown)
#define TU(f) cmocka_unit_test_setup_teardown(f, bm_fix_setup_untouchable, bm_fix_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_alloc_first_fit_from_node_start),
		T(test_alloc_at_goal),
		T(test_alloc_goal_inside_page_rounds_up),
		T(test_alloc_goal_retry_from_node_start),
		T(test_alloc_limit),
		T(test_alloc_align_absolute),
		T(test_alloc_align_skips_misaligned_runs),
		T(test_alloc_fallback_to_other_node),
		T(test_alloc_node_choice),
		T(test_alloc_packs_small_allocations),
		T(test_alloc_no_pack_when_alignment_forbids),
		T(test_alloc_no_pack_when_too_big),
		T(test_alloc_pack_fills_page_exactly),
		T(test_alloc_no_pack_after_whole_pages),
		T(test_alloc_pack_after_multi_page_tail),
		T(test_alloc_pack_respects_goal_and_limit),
		T(test_alloc_no_pack_into_freed_page),
		T(test_alloc_finds_pages_freed_below_hint),
		T(test_alloc_zeroes_memory),
		T(test_alloc_byte_aligned_packing_zeroes_exactly),
		TU(test_alloc_untouchable_memory),
		T(test_alloc_bad_args),
		T(test_alloc_enomem),
		T(test_alloc_search_1tib_word_wise),
	};
	return cmocka_run_group_tests_name("bootmem_alloc", tests, NULL, NULL);
}
