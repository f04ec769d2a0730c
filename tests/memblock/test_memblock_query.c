/* SPDX-License-Identifier: MIT */
/*
 * test_memblock_query.c - what memblock answers: trim, overlap and
 * membership queries, start/end of DRAM, sizes, free-range iteration
 * (both directions, node and flag filters), pfn ranges, the dump text and
 * the memblock=debug lines.
 */
#include <stdlib.h>
#include <string.h>

#include <pmm/fmt.h>

#include "host_platform.h"
#include "memblock_test.h"

#define NONE PMM_MAX_NUMNODES
#define MEM (&pmm_memblock.memory)
#define RSV (&pmm_memblock.reserved)

/*
 *   before  |[ aligned ]  [ tiny ]  [ unaligned both ends ]|
 *   after   |[ aligned ]            [   inner pages    ]  |
 */
static void test_trim(void **state)
{
	(void)state;
	assert_int_equal(pmm_memblock_add(0, SZ_1M), 0);
	assert_int_equal(pmm_memblock_add(2 * SZ_1M + 10, 100), 0);
	assert_int_equal(pmm_memblock_add(4 * SZ_1M + 1, SZ_1M), 0);
	assert_int_equal(pmm_memblock_trim_memory(SZ_4K), 0);
	MBT_EXPECT(MEM, { 0, SZ_1M, 0, NONE },
		   { 4 * SZ_1M + SZ_4K, SZ_1M - SZ_4K, 0, NONE });
	/* everything too small: the type ends empty */
	assert_int_equal(pmm_memblock_trim_memory(4 * SZ_1M), 0);
	mbt_expect_empty(MEM);
}

/*
 *   reserved |   [r1 1M..2M]      [r2 4M..5M]   |
 */
static void test_overlap_queries(void **state)
{
	(void)state;
	assert_int_equal(pmm_memblock_reserve(SZ_1M, SZ_1M), 0);
	assert_int_equal(pmm_memblock_reserve(4 * SZ_1M, SZ_1M), 0);
	assert_true(pmm_memblock_is_region_reserved(SZ_1M, 1));
	assert_true(pmm_memblock_is_region_reserved(0, SZ_1M + 1));
	assert_false(pmm_memblock_is_region_reserved(0, SZ_1M));
	assert_false(pmm_memblock_is_region_reserved(2 * SZ_1M, 2 * SZ_1M));
	assert_true(pmm_memblock_is_region_reserved(2 * SZ_1M, 2 * SZ_1M + 1));
	assert_true(pmm_memblock_is_region_reserved(0, PMM_PHYS_ADDR_MAX));
	assert_true(pmm_memblock_overlaps_region(RSV, 4 * SZ_1M + 5, 1));
	assert_false(pmm_memblock_overlaps_region(MEM, 0, PMM_PHYS_ADDR_MAX));
	assert_true(pmm_memblock_addrs_overlap(0, 10, 9, 10));
	assert_false(pmm_memblock_addrs_overlap(0, 10, 10, 10));
	assert_true(pmm_memblock_is_reserved(2 * SZ_1M - 1));
	assert_false(pmm_memblock_is_reserved(2 * SZ_1M));
}

static void test_memory_queries(void **state)
{
	pmm_pfn_t s = 0, e = 0;

	(void)state;
	mbt_expect_empty(MEM);
	assert_int_equal(pmm_memblock_start_of_dram(), 0);
	assert_int_equal(pmm_memblock_end_of_dram(), 0);
	assert_int_equal(pmm_memblock_add_node(SZ_1M, SZ_1M, 3, 0), 0);
	assert_int_equal(pmm_memblock_add(8 * SZ_1M, 8 * SZ_1M), 0);
	assert_int_equal(pmm_memblock_start_of_dram(), SZ_1M);
	assert_int_equal(pmm_memblock_end_of_dram(), 16 * SZ_1M);
	assert_int_equal(pmm_memblock_phys_mem_size(), 9 * SZ_1M);
	assert_true(pmm_memblock_is_memory(SZ_1M));
	assert_false(pmm_memblock_is_memory(2 * SZ_1M));
	assert_true(pmm_memblock_is_region_memory(8 * SZ_1M, 8 * SZ_1M));
	assert_false(pmm_memblock_is_region_memory(8 * SZ_1M, 8 * SZ_1M + 1));
	assert_false(pmm_memblock_is_region_memory(SZ_1M, 2 * SZ_1M));
	assert_int_equal(pmm_memblock_search_pfn_nid(PMM_PFN_DOWN(SZ_1M), &s, &e),
			 3);
	assert_int_equal(s, PMM_PFN_DOWN(SZ_1M));
	assert_int_equal(e, PMM_PFN_DOWN(2 * SZ_1M));
	assert_int_equal(pmm_memblock_search_pfn_nid(0, &s, &e), -1);
}

struct seen {
	pmm_phys_t start, end;
	int nid;
};

static unsigned int walk(int nid, unsigned int flags, bool reverse,
			 struct seen *out, unsigned int max)
{
	struct pmm_memblock_iter it;
	unsigned int n = 0;

	pmm_memblock_iter_init(&it, nid, flags, reverse);
	while (pmm_memblock_iter_next(&it)) {
		assert_true(n < max);
		out[n].start = it.range.start;
		out[n].end = it.range.end;
		out[n].nid = it.nid;
		n++;
	}
	assert_false(pmm_memblock_iter_next(&it));
	return n;
}

/*
 *   memory   |[ n0: 1M ........ 4M ][ n1: 4M ......... 8M ]|
 *   nomap    |                          [6M..7M]           |
 *   reserved |      [2M..3M]   [3.5M......5M]              |
 *   free     |[1M..2M] [3M..3.5M]        [5M..6M]  [7M..8M]|
 */
static void build_free_map(void)
{
	assert_int_equal(pmm_memblock_add_node(SZ_1M, 3 * SZ_1M, 0, 0), 0);
	assert_int_equal(pmm_memblock_add_node(4 * SZ_1M, 4 * SZ_1M, 1, 0), 0);
	assert_int_equal(pmm_memblock_mark_nomap(6 * SZ_1M, SZ_1M), 0);
	assert_int_equal(pmm_memblock_reserve(2 * SZ_1M, SZ_1M), 0);
	assert_int_equal(pmm_memblock_reserve(3 * SZ_1M + SZ_1M / 2,
					      SZ_1M + SZ_1M / 2), 0);
}

static void test_free_ranges(void **state)
{
	struct seen s[8];
	const struct seen want[] = {
		{ SZ_1M, 2 * SZ_1M, 0 },
		{ 3 * SZ_1M, 3 * SZ_1M + SZ_1M / 2, 0 },
		{ 5 * SZ_1M, 6 * SZ_1M, 1 },
		{ 7 * SZ_1M, 8 * SZ_1M, 1 },
	};
	unsigned int n;

	(void)state;
	build_free_map();
	n = walk(PMM_NUMA_NO_NODE, PMM_MEMBLOCK_NONE, false, s, 8);
	assert_int_equal(n, 4);
	for (unsigned int i = 0; i < n; i++) {
		assert_int_equal(s[i].start, want[i].start);
		assert_int_equal(s[i].end, want[i].end);
		assert_int_equal(s[i].nid, want[i].nid);
	}
	n = walk(PMM_NUMA_NO_NODE, PMM_MEMBLOCK_NONE, true, s, 8);
	assert_int_equal(n, 4);
	for (unsigned int i = 0; i < n; i++) {
		assert_int_equal(s[i].start, want[3 - i].start);
		assert_int_equal(s[i].end, want[3 - i].end);
	}
	/* node filter, and NOMAP only when asked for */
	n = walk(1, PMM_MEMBLOCK_NONE, false, s, 8);
	assert_int_equal(n, 2);
	assert_int_equal(s[0].start, 5 * SZ_1M);
	n = walk(1, PMM_MEMBLOCK_NOMAP, false, s, 8);
	assert_int_equal(n, 3); /* one range per memory region */
	assert_int_equal(s[1].start, 6 * SZ_1M);
	assert_int_equal(s[1].end, 7 * SZ_1M);
	n = walk(NONE, PMM_MEMBLOCK_NONE, true, s, 8);
	assert_int_equal(n, 4);
}

/* The Linux-shaped cursor over one type without a second (type_b NULL). */
static void test_next_range_single_type(void **state)
{
	uint64_t i = 0;
	pmm_phys_t s, e;
	int nid;
	unsigned int n = 0;

	(void)state;
	build_free_map();
	for (pmm_memblock_next_range(&i, PMM_NUMA_NO_NODE, 0, RSV, NULL, &s,
				     &e, &nid);
	     i != UINT64_MAX;
	     pmm_memblock_next_range(&i, PMM_NUMA_NO_NODE, 0, RSV, NULL, &s,
				     &e, &nid))
		n++;
	assert_int_equal(n, 2);
	n = 0;
	for (i = UINT64_MAX, pmm_memblock_next_range_rev(&i, PMM_NUMA_NO_NODE,
							 PMM_MEMBLOCK_NOMAP, MEM,
							 NULL, &s, &e, NULL);
	     i != UINT64_MAX;
	     pmm_memblock_next_range_rev(&i, PMM_NUMA_NO_NODE,
					 PMM_MEMBLOCK_NOMAP, MEM, NULL, &s, &e,
					 NULL)) {
		if (n == 0) {
			assert_int_equal(s, 7 * SZ_1M);
			assert_int_equal(e, 8 * SZ_1M);
		}
		n++;
	}
	assert_int_equal(n, 4);
}

/* Hotplug memory leaves the free walk only under movable_node, unless asked. */
static void test_free_ranges_hotplug_mirror(void **state)
{
	struct seen s[8];

	(void)state;
	assert_int_equal(pmm_memblock_add(SZ_1M, 3 * SZ_1M), 0);
	assert_int_equal(pmm_memblock_mark_hotplug(SZ_1M, SZ_1M), 0);
	assert_int_equal(pmm_memblock_mark_mirror(3 * SZ_1M, SZ_1M), 0);
	assert_int_equal(walk(PMM_NUMA_NO_NODE, 0, false, s, 8), 3);
	pmm_memblock_set_movable_node(true);
	assert_int_equal(walk(PMM_NUMA_NO_NODE, 0, false, s, 8), 2);
	assert_int_equal(walk(PMM_NUMA_NO_NODE, PMM_MEMBLOCK_HOTPLUG, false, s,
			      8), 3);
	assert_int_equal(walk(PMM_NUMA_NO_NODE, PMM_MEMBLOCK_MIRROR, false, s,
			      8), 1);
	assert_int_equal(s[0].start, 3 * SZ_1M);
}

/*
 *   memory  |[p0 partial..][ whole pages ][..]|   pfn walk: whole pages only
 */
static void test_pfn_ranges(void **state)
{
	int i = -1, nid = -1;
	pmm_pfn_t s = 0, e = 0;

	(void)state;
	assert_int_equal(pmm_memblock_add_node(100, 200, 0, 0), 0);
	assert_int_equal(pmm_memblock_add_node(SZ_1M + 1, SZ_1M, 2, 0), 0);
	assert_int_equal(pmm_memblock_add(4 * SZ_1M, SZ_1M), 0);
	pmm_memblock_next_pfn_range(&i, NONE, &s, &e, &nid);
	assert_int_equal(i, 1);
	assert_int_equal(s, PMM_PFN_UP(SZ_1M + 1));
	assert_int_equal(e, PMM_PFN_DOWN(2 * SZ_1M + 1));
	assert_int_equal(nid, 2);
	pmm_memblock_next_pfn_range(&i, NONE, &s, &e, &nid);
	assert_int_equal(i, 2);
	assert_int_equal(nid, NONE);
	pmm_memblock_next_pfn_range(&i, NONE, &s, &e, &nid);
	assert_int_equal(i, -1);
	i = -1;
	pmm_memblock_next_pfn_range(&i, 2, NULL, NULL, NULL);
	assert_int_equal(i, 1);
	pmm_memblock_next_pfn_range(&i, 2, NULL, NULL, NULL);
	assert_int_equal(i, -1);
}

static char *dump_text(void)
{
	static char buf[4096];
	struct pmm_buf_out b;

	pmm_buf_out_init(&b, buf, sizeof(buf));
	pmm_memblock_dump(&b.out);
	return buf;
}

static void test_dump_text(void **state)
{
	(void)state;
	assert_int_equal(pmm_memblock_add_node(SZ_1M, SZ_1M, 0, 0), 0);
	assert_int_equal(pmm_memblock_add(4 * SZ_1M, SZ_4K), 0);
	assert_int_equal(pmm_memblock_mark_nomap(4 * SZ_1M, SZ_4K), 0);
	assert_int_equal(pmm_memblock_reserve(SZ_1M, 0x123), 0);
	assert_string_equal(dump_text(),
		"MEMBLOCK configuration:\n"
		" memory size = 0x0000000000101000 reserved size = 0x0000000000000123\n"
		" memory.cnt  = 0x2\n"
		" memory[0x0]\t[0x0000000000100000-0x00000000001fffff], 0x0000000000100000 bytes on node 0 flags: 0x0\n"
		" memory[0x1]\t[0x0000000000400000-0x0000000000400fff], 0x0000000000001000 bytes flags: 0x4\n"
		" reserved.cnt  = 0x1\n"
		" reserved[0x0]\t[0x0000000000100000-0x0000000000100122], 0x0000000000000123 bytes flags: 0x0\n");
}

/* Empty types print their dummy entry (node 0 before any use), as Linux
 * does. */
static void test_dump_empty_and_single_node(void **state)
{
	(void)state;
	assert_non_null(strstr(dump_text(),
			       " reserved[0x0]\t[0x0000000000000000-0xffffffffffffffff], 0x0000000000000000 bytes on node 0 flags: 0x0\n"));
	pmm_memblock.single_node = true;
	assert_int_equal(pmm_memblock_add_node(SZ_1M, SZ_1M, 0, 0), 0);
	assert_null(strstr(dump_text(), "on node"));
}

/* dump_all logs only with debug on; then every call logs a line. */
static void test_debug_log(void **state)
{
	char *log;

	(void)state;
	host_log_capture_start();
	pmm_memblock_dump_all();
	assert_int_equal(pmm_memblock_add(SZ_1M, SZ_1M), 0);
	log = host_log_capture_stop();
	assert_string_equal(log ? log : "", "");
	free(log);

	pmm_memblock_set_debug(true);
	host_log_capture_start();
	assert_int_equal(pmm_memblock_add(2 * SZ_1M, SZ_1M), 0);
	assert_int_equal(pmm_memblock_add_node(3 * SZ_1M, SZ_1M, 1, 1), 0);
	assert_int_equal(pmm_memblock_reserve(SZ_1M, SZ_4K), 0);
	assert_int_equal(pmm_memblock_free(SZ_1M, SZ_4K), 0);
	assert_int_equal(pmm_memblock_remove(3 * SZ_1M, SZ_1M), 0);
	pmm_memblock_dump_all();
	log = host_log_capture_stop();
	assert_non_null(strstr(log,
		"memblock_add: [0x0000000000200000-0x00000000002fffff] pmm_memblock_add\n"
		"memblock_add_node: [0x0000000000300000-0x00000000003fffff] nid=1 flags=1 pmm_memblock_add_node\n"
		"memblock_reserve: [0x0000000000100000-0x0000000000100fff] pmm_memblock_reserve\n"
		"memblock_phys_free: [0x0000000000100000-0x0000000000100fff] pmm_memblock_free\n"
		"memblock_remove: [0x0000000000300000-0x00000000003fffff] pmm_memblock_remove\n"
		"MEMBLOCK configuration:\n"
		" memory size = 0x0000000000200000 reserved size = 0x0000000000000000\n"));
	free(log);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_trim, mbt_setup, mbt_teardown),
		cmocka_unit_test_setup_teardown(test_overlap_queries, mbt_setup, mbt_teardown),
		cmocka_unit_test_setup_teardown(test_memory_queries, mbt_setup, mbt_teardown),
		cmocka_unit_test_setup_teardown(test_free_ranges, mbt_setup, mbt_teardown),
		cmocka_unit_test_setup_teardown(test_next_range_single_type, mbt_setup, mbt_teardown),
		cmocka_unit_test_setup_teardown(test_free_ranges_hotplug_mirror, mbt_setup, mbt_teardown),
		cmocka_unit_test_setup_teardown(test_pfn_ranges, mbt_setup, mbt_teardown),
		cmocka_unit_test_setup_teardown(test_dump_text, mbt_setup, mbt_teardown),
		cmocka_unit_test_setup_teardown(test_dump_empty_and_single_node, mbt_setup, mbt_teardown),
		cmocka_unit_test_setup_teardown(test_debug_log, mbt_setup, mbt_teardown),
	};
	return cmocka_run_group_tests_name("memblock_query", tests, NULL, NULL);
}
