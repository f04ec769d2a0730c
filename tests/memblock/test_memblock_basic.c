/* SPDX-License-Identifier: MIT */
/*
 * test_memblock_basic.c - memblock's region arrays: add, add with node,
 * remove, reserve, free, merging, splitting, flags, nodes, bad input.
 */
#include "memblock_test.h"

#define NONE PMM_MAX_NUMNODES /* node of memory added without a node */
#define MEM (&pmm_memblock.memory)
#define RSV (&pmm_memblock.reserved)

static void test_initial_state(void **state)
{
	(void)state;
	mbt_expect_empty(MEM);
	mbt_expect_empty(RSV);
	assert_int_equal(MEM->max, PMM_INIT_MEMBLOCK_REGIONS);
	assert_int_equal(RSV->max, PMM_INIT_MEMBLOCK_REGIONS);
	assert_string_equal(MEM->name, "memory");
	assert_string_equal(RSV->name, "reserved");
	assert_false(pmm_memblock.bottom_up);
	assert_true(pmm_memblock.current_limit == PMM_MEMBLOCK_ALLOC_ANYWHERE);
}

/*
 *   |   [r1]    [r2]   |   two regions far apart stay two
 */
static void test_add_disjoint(void **state)
{
	(void)state;
	assert_int_equal(pmm_memblock_add(SZ_1M, SZ_64K), 0);
	assert_int_equal(pmm_memblock_add(4 * SZ_1M, SZ_1M), 0);
	MBT_EXPECT(MEM, { SZ_1M, SZ_64K, 0, NONE }, { 4 * SZ_1M, SZ_1M, 0, NONE });
}

/*
 *   |  [r2  [r1 overlap] ]      ->  |  [     one      ]
 */
static void test_add_overlap_merges(void **state)
{
	(void)state;
	assert_int_equal(pmm_memblock_add(2 * SZ_1M, 2 * SZ_1M), 0);
	assert_int_equal(pmm_memblock_add(SZ_1M, 2 * SZ_1M), 0);
	MBT_EXPECT(MEM, { SZ_1M, 3 * SZ_1M, 0, NONE });
	assert_int_equal(pmm_memblock_add(3 * SZ_1M, 3 * SZ_1M), 0);
	MBT_EXPECT(MEM, { SZ_1M, 5 * SZ_1M, 0, NONE });
}

/*
 *   |[r1][gap][r3]|  + [r2] filling the gap exactly  ->  |[  r1 r2 r3  ]|
 */
static void test_add_between_merges_three(void **state)
{
	(void)state;
	assert_int_equal(pmm_memblock_add(SZ_1M, SZ_1M), 0);
	assert_int_equal(pmm_memblock_add(3 * SZ_1M, SZ_1M), 0);
	assert_int_equal(pmm_memblock_add(2 * SZ_1M, SZ_1M), 0);
	MBT_EXPECT(MEM, { SZ_1M, 3 * SZ_1M, 0, NONE });
}

static void test_add_within_and_twice(void **state)
{
	(void)state;
	assert_int_equal(pmm_memblock_add(SZ_1M, 4 * SZ_1M), 0);
	assert_int_equal(pmm_memblock_add(2 * SZ_1M, SZ_1M), 0);
	assert_int_equal(pmm_memblock_add(SZ_1M, 4 * SZ_1M), 0);
	MBT_EXPECT(MEM, { SZ_1M, 4 * SZ_1M, 0, NONE });
}

/*
 * Overlapping parts keep their node and flags; only the gaps get the new
 * ones:  | [n0 hotplug] |  + [n1 ........]  ->  | [n0 hp][n1] |
 */
static void test_add_node_keeps_existing(void **state)
{
	(void)state;
	assert_int_equal(pmm_memblock_add_node(SZ_1M, SZ_1M, 0,
					       PMM_MEMBLOCK_HOTPLUG), 0);
	assert_int_equal(pmm_memblock_add_node(SZ_1M, 3 * SZ_1M, 1,
					       PMM_MEMBLOCK_NONE), 0);
	MBT_EXPECT(MEM, { SZ_1M, SZ_1M, PMM_MEMBLOCK_HOTPLUG, 0 },
		   { 2 * SZ_1M, 2 * SZ_1M, 0, 1 });
}

/* Touching regions of different nodes or flags never merge. */
static void test_add_no_merge_across_node_or_flags(void **state)
{
	(void)state;
	assert_int_equal(pmm_memblock_add_node(0, SZ_1M, 0, 0), 0);
	assert_int_equal(pmm_memblock_add_node(SZ_1M, SZ_1M, 1, 0), 0);
	assert_int_equal(pmm_memblock_add_node(2 * SZ_1M, SZ_1M, 1,
					       PMM_MEMBLOCK_MIRROR), 0);
	assert_int_equal(pmm_memblock_add_node(3 * SZ_1M, SZ_1M, 1,
					       PMM_MEMBLOCK_MIRROR), 0);
	MBT_EXPECT(MEM, { 0, SZ_1M, 0, 0 }, { SZ_1M, SZ_1M, 0, 1 },
		   { 2 * SZ_1M, 2 * SZ_1M, PMM_MEMBLOCK_MIRROR, 1 });
}

/* Without CONFIG_NUMA semantics (single_node) nodes do not keep regions apart. */
static void test_single_node_merges_nodes(void **state)
{
	(void)state;
	pmm_memblock.single_node = true;
	assert_int_equal(pmm_memblock_add_node(0, SZ_1M, 0, 0), 0);
	assert_int_equal(pmm_memblock_add_node(SZ_1M, SZ_1M, 3, 0), 0);
	assert_int_equal(MEM->cnt, 1);
	assert_int_equal(MEM->regions[0].size, 2 * SZ_1M);
}

static void test_add_near_top(void **state)
{
	pmm_phys_t top = PMM_PHYS_ADDR_MAX - SZ_1M;

	(void)state;
	assert_int_equal(pmm_memblock_add(top, SZ_1M), 0);
	MBT_EXPECT(MEM, { top, SZ_1M, 0, NONE });
	assert_int_equal(pmm_memblock_add(top, SZ_1M + 1), PMM_EOVERFLOW);
	MBT_EXPECT(MEM, { top, SZ_1M, 0, NONE });
}

static void test_bad_input_changes_nothing(void **state)
{
	(void)state;
	assert_int_equal(pmm_memblock_add(SZ_1M, SZ_1M), 0);
	assert_int_equal(pmm_memblock_add(SZ_4K, 0), PMM_EINVAL);
	assert_int_equal(pmm_memblock_reserve(SZ_4K, 0), PMM_EINVAL);
	assert_int_equal(pmm_memblock_remove(SZ_1M, 0), PMM_EINVAL);
	assert_int_equal(pmm_memblock_free(SZ_1M, 0), PMM_EINVAL);
	assert_int_equal(pmm_memblock_add_node(0, SZ_4K, 0, 0x10), PMM_EINVAL);
	assert_int_equal(pmm_memblock_add_node(0, SZ_4K, NONE + 1, 0),
			 PMM_EINVAL);
	assert_int_equal(pmm_memblock_add_node(0, SZ_4K, -5, 0), PMM_EINVAL);
	assert_int_equal(pmm_memblock_reserve(PMM_PHYS_ADDR_MAX, 2),
			 PMM_EOVERFLOW);
	assert_int_equal(pmm_memblock_setclr_flag(0, SZ_4K, 0x20, true),
			 PMM_EINVAL);
	assert_int_equal(pmm_memblock_trim_memory(3), PMM_EALIGN);
	MBT_EXPECT(MEM, { SZ_1M, SZ_1M, 0, NONE });
	mbt_expect_empty(RSV);
}

/* NUMA_NO_NODE as a node means "no node". */
static void test_add_node_no_node(void **state)
{
	(void)state;
	assert_int_equal(pmm_memblock_add_node(0, SZ_1M, PMM_NUMA_NO_NODE, 0), 0);
	MBT_EXPECT(MEM, { 0, SZ_1M, 0, NONE });
}

/*
 *   |[r1][r2]|  remove r1          -> |    [r2]|
 *   |[  r   ]|  remove the middle  -> |[a]  [b]|
 */
static void test_remove_whole_and_middle(void **state)
{
	(void)state;
	assert_int_equal(pmm_memblock_add(SZ_1M, SZ_1M), 0);
	assert_int_equal(pmm_memblock_add(4 * SZ_1M, 4 * SZ_1M), 0);
	assert_int_equal(pmm_memblock_remove(SZ_1M, SZ_1M), 0);
	MBT_EXPECT(MEM, { 4 * SZ_1M, 4 * SZ_1M, 0, NONE });
	assert_int_equal(pmm_memblock_remove(5 * SZ_1M, SZ_1M), 0);
	MBT_EXPECT(MEM, { 4 * SZ_1M, SZ_1M, 0, NONE },
		   { 6 * SZ_1M, 2 * SZ_1M, 0, NONE });
}

/*
 *   | [r1]   [r2] |   remove [....] across r1's top and r2's bottom
 *   | [r ]     [r]|
 */
static void test_remove_across_two(void **state)
{
	(void)state;
	assert_int_equal(pmm_memblock_add(SZ_1M, 2 * SZ_1M), 0);
	assert_int_equal(pmm_memblock_add(4 * SZ_1M, 2 * SZ_1M), 0);
	assert_int_equal(pmm_memblock_remove(2 * SZ_1M, 3 * SZ_1M), 0);
	MBT_EXPECT(MEM, { SZ_1M, SZ_1M, 0, NONE }, { 5 * SZ_1M, SZ_1M, 0, NONE });
}

static void test_remove_absent_and_last(void **state)
{
	(void)state;
	assert_int_equal(pmm_memblock_add(SZ_1M, SZ_1M), 0);
	assert_int_equal(pmm_memblock_remove(8 * SZ_1M, SZ_1M), 0);
	MBT_EXPECT(MEM, { SZ_1M, SZ_1M, 0, NONE });
	assert_int_equal(pmm_memblock_remove(0, 16 * SZ_1M), 0);
	mbt_expect_empty(MEM);
	assert_int_equal(MEM->regions[0].nid, NONE);
	/* adding to an emptied type fills the dummy entry */
	assert_int_equal(pmm_memblock_add(SZ_4K, SZ_4K), 0);
	MBT_EXPECT(MEM, { SZ_4K, SZ_4K, 0, NONE });
}

/* Reserving reserved memory is fine: the set grows; overlaps merge. */
static void test_reserve_merge_and_twice(void **state)
{
	(void)state;
	assert_int_equal(pmm_memblock_reserve(SZ_1M, SZ_64K), 0);
	assert_int_equal(pmm_memblock_reserve(SZ_1M, SZ_64K), 0);
	assert_int_equal(pmm_memblock_reserve(SZ_1M + SZ_64K, SZ_64K), 0);
	assert_int_equal(pmm_memblock_reserve(SZ_1M - SZ_4K, 2 * SZ_4K), 0);
	MBT_EXPECT(RSV, { SZ_1M - SZ_4K, 2 * SZ_64K + SZ_4K, 0, NONE });
	assert_int_equal(pmm_memblock_reserved_size(), 2 * SZ_64K + SZ_4K);
	mbt_expect_empty(MEM);
}

/*
 *   reserved  |[     r      ]|   free the middle  -> |[a]  [b]|
 */
static void test_free_splits(void **state)
{
	(void)state;
	assert_int_equal(pmm_memblock_reserve(SZ_1M, SZ_1M), 0);
	assert_int_equal(pmm_memblock_free(SZ_1M + SZ_4K, SZ_4K), 0);
	MBT_EXPECT(RSV, { SZ_1M, SZ_4K, 0, NONE },
		   { SZ_1M + 2 * SZ_4K, SZ_1M - 2 * SZ_4K, 0, NONE });
	assert_int_equal(pmm_memblock_free(0, 4 * SZ_1M), 0);
	mbt_expect_empty(RSV);
}

/*
 *   memory |[        r         ]|  mark nomap on the middle
 *          |[ r ][ nomap ][ r  ]|  clear it again  -> |[     r      ]|
 */
static void test_flag_split_and_merge(void **state)
{
	(void)state;
	assert_int_equal(pmm_memblock_add_node(0, 8 * SZ_1M, 0, 0), 0);
	assert_int_equal(pmm_memblock_mark_nomap(2 * SZ_1M, SZ_1M), 0);
	MBT_EXPECT(MEM, { 0, 2 * SZ_1M, 0, 0 },
		   { 2 * SZ_1M, SZ_1M, PMM_MEMBLOCK_NOMAP, 0 },
		   { 3 * SZ_1M, 5 * SZ_1M, 0, 0 });
	assert_true(pmm_memblock_is_memory(2 * SZ_1M));
	assert_false(pmm_memblock_is_map_memory(2 * SZ_1M));
	assert_true(pmm_memblock_is_map_memory(3 * SZ_1M));
	assert_int_equal(pmm_memblock_clear_nomap(2 * SZ_1M, SZ_1M), 0);
	MBT_EXPECT(MEM, { 0, 8 * SZ_1M, 0, 0 });
}

static void test_flags_each(void **state)
{
	(void)state;
	assert_int_equal(pmm_memblock_add_node(0, 8 * SZ_1M, 0, 0), 0);
	assert_int_equal(pmm_memblock_mark_hotplug(0, SZ_1M), 0);
	assert_int_equal(pmm_memblock_mark_mirror(SZ_1M, SZ_1M), 0);
	assert_true(pmm_memblock.has_mirror);
	assert_int_equal(pmm_memblock_setclr_flag(2 * SZ_1M, SZ_1M,
						  PMM_MEMBLOCK_DRIVER_MANAGED,
						  true), 0);
	MBT_EXPECT(MEM, { 0, SZ_1M, PMM_MEMBLOCK_HOTPLUG, 0 },
		   { SZ_1M, SZ_1M, PMM_MEMBLOCK_MIRROR, 0 },
		   { 2 * SZ_1M, SZ_1M, PMM_MEMBLOCK_DRIVER_MANAGED, 0 },
		   { 3 * SZ_1M, 5 * SZ_1M, 0, 0 });
	/* flags on a range larger than memory touch only memory */
	assert_int_equal(pmm_memblock_clear_hotplug(0, PMM_PHYS_ADDR_MAX), 0);
	assert_int_equal(MEM->regions[0].flags, 0);
	assert_int_equal(MEM->cnt, 4);
}

/*
 *   memory |[ none ............ ]|  set node 2 on the middle
 *          |[none][ n2 ][ none ]|
 */
static void test_set_node(void **state)
{
	(void)state;
	assert_int_equal(pmm_memblock_add(0, 8 * SZ_1M), 0);
	assert_int_equal(pmm_memblock_set_node(2 * SZ_1M, 2 * SZ_1M, MEM, 2), 0);
	MBT_EXPECT(MEM, { 0, 2 * SZ_1M, 0, NONE }, { 2 * SZ_1M, 2 * SZ_1M, 0, 2 },
		   { 4 * SZ_1M, 4 * SZ_1M, 0, NONE });
	assert_int_equal(pmm_memblock_search_pfn_nid(PMM_PFN_DOWN(3 * SZ_1M),
						     NULL, NULL), 2);
	assert_int_equal(pmm_memblock_set_node(0, 8 * SZ_1M, MEM, 2), 0);
	MBT_EXPECT(MEM, { 0, 8 * SZ_1M, 0, 2 });
	assert_int_equal(pmm_memblock_set_node(0, SZ_1M, NULL, 2), PMM_EINVAL);
}

/* Any type can be used, e.g. a caller's own physmem array; it never grows. */
static void test_own_type(void **state)
{
	struct pmm_memblock_region rgn[8] = { { 0 } };
	struct pmm_memblock_type t = { .cnt = 1, .max = 4, .regions = rgn,
				       .name = "physmem" };

	(void)state;
	for (unsigned int i = 0; i < 4; i++)
		assert_int_equal(pmm_memblock_add_range(&t, i * 2 * SZ_1M, SZ_1M,
							0, 0), 0);
	assert_int_equal(pmm_memblock_add_range(&t, 9 * SZ_1M, SZ_1M, 0, 0),
			 PMM_EFULL);
	assert_int_equal(t.cnt, 4);
	/* isolation needs room for two splits, even where none is needed */
	assert_int_equal(pmm_memblock_remove_range(&t, 0, 3 * SZ_1M), PMM_EFULL);
	assert_int_equal(t.cnt, 4);
	t.max = 8; /* the owner gave its array more room */
	assert_int_equal(pmm_memblock_remove_range(&t, 0, 3 * SZ_1M), 0);
	assert_int_equal(t.cnt, 2);
	assert_int_equal(t.total_size, 2 * SZ_1M);
}

/* The validator finds each kind of damage someone could do by hand. */
static void test_check_finds_damage(void **state)
{
	struct pmm_memblock_region save;

	(void)state;
	assert_null(pmm_memblock_check());
	assert_int_equal(pmm_memblock_add(SZ_1M, SZ_1M), 0);
	assert_int_equal(pmm_memblock_add_node(4 * SZ_1M, SZ_1M, 1, 0), 0);
	assert_null(pmm_memblock_check());
	save = MEM->regions[1];
	MEM->regions[1].base = SZ_1M + SZ_4K;
	assert_string_equal(pmm_memblock_check(),
			    "memory: regions out of order or overlapping");
	MEM->regions[1] = save;
	MEM->regions[1].nid = NONE;
	MEM->regions[1].base = 2 * SZ_1M;
	assert_string_equal(pmm_memblock_check(),
			    "memory: touching regions left unmerged");
	MEM->regions[1] = save;
	MEM->total_size++;
	assert_string_equal(pmm_memblock_check(),
			    "memory: total_size is not the sum");
	MEM->total_size--;
	RSV->total_size = 1;
	assert_string_equal(pmm_memblock_check(),
			    "reserved: empty type with a total size");
	RSV->total_size = 0;
	MEM->regions[0].size = 0;
	assert_string_equal(pmm_memblock_check(), "memory: a region of size 0");
	MEM->regions[0].size = SZ_1M;
	assert_null(pmm_memblock_check());
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_initial_state, mbt_setup, mbt_teardown),
		cmocka_unit_test_setup_teardown(test_add_disjoint, mbt_setup, mbt_teardown),
		cmocka_unit_test_setup_teardown(test_add_overlap_merges, mbt_setup, mbt_teardown),
		cmocka_unit_test_setup_teardown(test_add_between_merges_three, mbt_setup, mbt_teardown),
		cmocka_unit_test_setup_teardown(test_add_within_and_twice, mbt_setup, mbt_teardown),
		cmocka_unit_test_setup_teardown(test_add_node_keeps_existing, mbt_setup, mbt_teardown),
		cmocka_unit_test_setup_teardown(test_add_no_merge_across_node_or_flags, mbt_setup, mbt_teardown),
		cmocka_unit_test_setup_teardown(test_single_node_merges_nodes, mbt_setup, mbt_teardown),
		cmocka_unit_test_setup_teardown(test_add_near_top, mbt_setup, mbt_teardown),
		cmocka_unit_test_setup_teardown(test_bad_input_changes_nothing, mbt_setup, mbt_teardown),
		cmocka_unit_test_setup_teardown(test_add_node_no_node, mbt_setup, mbt_teardown),
		cmocka_unit_test_setup_teardown(test_remove_whole_and_middle, mbt_setup, mbt_teardown),
		cmocka_unit_test_setup_teardown(test_remove_across_two, mbt_setup, mbt_teardown),
		cmocka_unit_test_setup_teardown(test_remove_absent_and_last, mbt_setup, mbt_teardown),
		cmocka_unit_test_setup_teardown(test_reserve_merge_and_twice, mbt_setup, mbt_teardown),
		cmocka_unit_test_setup_teardown(test_free_splits, mbt_setup, mbt_teardown),
		cmocka_unit_test_setup_teardown(test_flag_split_and_merge, mbt_setup, mbt_teardown),
		cmocka_unit_test_setup_teardown(test_flags_each, mbt_setup, mbt_teardown),
		cmocka_unit_test_setup_teardown(test_set_node, mbt_setup, mbt_teardown),
		cmocka_unit_test_setup_teardown(test_own_type, mbt_setup, mbt_teardown),
		cmocka_unit_test_setup_teardown(test_check_finds_damage, mbt_setup, mbt_teardown),
	};
	return cmocka_run_group_tests_name("memblock_basic", tests, NULL, NULL);
}
