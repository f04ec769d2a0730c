/* SPDX-License-Identifier: MIT */
/*
 * test_memblock_resize.c - the region arrays: full at 128 entries until
 * resizing is allowed, then doubled into memory that memblock allocates
 * from itself, reserves, and writes through the platform's map.
 */
#include <stdlib.h>
#include <string.h>

#include "host_platform.h"
#include "memblock_test.h"

#define NONE PMM_MAX_NUMNODES
#define MEM (&pmm_memblock.memory)
#define RSV (&pmm_memblock.reserved)
#define N PMM_INIT_MEMBLOCK_REGIONS
#define ARRAY_BYTES(max) \
	(((max) * sizeof(struct pmm_memblock_region) + SZ_4K - 1) & ~(SZ_4K - 1))

/*
 * Memory made of @n 64K regions 64K apart from 16M up:
 *   16M [r0]  [r1]  [r2] ... [r(n-1)]
 */
static int add_many(unsigned long n)
{
	int err = 0;

	for (unsigned long i = 0; i < n && !err; i++)
		err = pmm_memblock_add(16 * SZ_1M + i * 2 * SZ_64K, SZ_64K);
	return err;
}

static void test_full_without_resize(void **state)
{
	char *log;

	(void)state;
	assert_int_equal(add_many(N), 0);
	assert_int_equal(MEM->cnt, N);
	host_log_capture_start();
	assert_int_equal(pmm_memblock_add(SZ_1M, SZ_4K), PMM_EFULL);
	log = host_log_capture_stop();
	assert_non_null(strstr(log, "pmm_memblock_allow_resize()"));
	free(log);
	assert_int_equal(MEM->cnt, N);
	assert_int_equal(MEM->max, N);
	assert_int_equal(MEM->total_size, N * SZ_64K);
	/* what adds no piece still works; filling a gap needs a free entry
	 * for a moment (inserted, then merged), as in Linux */
	assert_int_equal(pmm_memblock_add(16 * SZ_1M, SZ_64K), 0);
	assert_int_equal(pmm_memblock_add(16 * SZ_1M + SZ_64K, SZ_64K),
			 PMM_EFULL);
	assert_int_equal(pmm_memblock_remove(16 * SZ_1M, SZ_64K), PMM_EFULL);
	assert_int_equal(MEM->cnt, N);
}

/*
 * The 129th region doubles "memory": the new array of 256 entries (6 KiB,
 * 8 KiB reserved) comes from the highest free memory, top-down.
 */
static void test_memory_doubles(void **state)
{
	pmm_phys_t last = 16 * SZ_1M + (N - 1) * 2 * SZ_64K;
	pmm_phys_t arr = last + SZ_64K - ARRAY_BYTES(2 * N);

	(void)state;
	pmm_memblock_allow_resize();
	assert_int_equal(add_many(N), 0);
	assert_int_equal(pmm_memblock_add(SZ_1M, SZ_4K), 0);
	assert_int_equal(MEM->max, 2 * N);
	assert_int_equal(MEM->cnt, N + 1);
	assert_ptr_equal(MEM->regions, mbt_ptr(arr));
	assert_int_equal(pmm_memblock_array_phys(MEM), arr);
	MBT_EXPECT(RSV, { arr, ARRAY_BYTES(2 * N), 0, NONE });
	/* contents survived the move, in order */
	assert_int_equal(MEM->regions[0].base, SZ_1M);
	for (unsigned long i = 0; i < N; i++)
		assert_int_equal(MEM->regions[i + 1].base,
				 16 * SZ_1M + i * 2 * SZ_64K);
	assert_int_equal(MEM->total_size, N * SZ_64K + SZ_4K);
}

/* Doubling again frees the first allocated array from "reserved". */
static void test_memory_doubles_twice(void **state)
{
	pmm_phys_t first;

	(void)state;
	pmm_memblock_allow_resize();
	assert_int_equal(add_many(N + 1), 0);
	first = pmm_memblock_array_phys(MEM);
	assert_int_not_equal(first, 0);
	assert_int_equal(add_many(2 * N + 1), 0);
	assert_int_equal(MEM->max, 4 * N);
	assert_int_equal(MEM->cnt, 2 * N + 1);
	assert_false(pmm_memblock_is_reserved(first));
	assert_true(pmm_memblock_is_reserved(pmm_memblock_array_phys(MEM)));
	assert_int_equal(RSV->cnt, 1);
	assert_int_equal(RSV->total_size, ARRAY_BYTES(4 * N));
}

/*
 * "reserved" doubles while reserving; the new array avoids the range being
 * reserved:  memory [1M, 16M); 128 small reservations; the 129th at the top
 * of memory pushes the array below it.
 */
static void test_reserved_doubles(void **state)
{
	pmm_phys_t top = 16 * SZ_1M - SZ_64K;
	pmm_phys_t arr;

	(void)state;
	pmm_memblock_allow_resize();
	assert_int_equal(pmm_memblock_add(SZ_1M, 15 * SZ_1M), 0);
	for (unsigned long i = 0; i < N; i++)
		assert_int_equal(pmm_memblock_reserve(SZ_1M + i * 2 * SZ_4K,
						      SZ_4K), 0);
	assert_int_equal(pmm_memblock_reserve(top, SZ_64K), 0);
	assert_int_equal(RSV->max, 2 * N);
	arr = pmm_memblock_array_phys(RSV);
	assert_int_equal(arr, top - ARRAY_BYTES(2 * N));
	assert_ptr_equal(RSV->regions, mbt_ptr(arr));
	/* the array's reservation merged with the one that triggered it */
	assert_int_equal(RSV->cnt, N + 1);
	assert_int_equal(RSV->regions[N].base, arr);
	assert_int_equal(RSV->regions[N].size, SZ_64K + ARRAY_BYTES(2 * N));
}

/* A split by remove or a flag change also doubles when full. */
static void test_split_doubles(void **state)
{
	(void)state;
	pmm_memblock_allow_resize();
	assert_int_equal(add_many(N - 1), 0);
	assert_int_equal(pmm_memblock_mark_nomap(16 * SZ_1M + SZ_4K, SZ_4K), 0);
	assert_int_equal(MEM->max, 2 * N);
	assert_int_equal(MEM->cnt, N + 1);
	assert_int_equal(MEM->regions[1].flags, PMM_MEMBLOCK_NOMAP);
}

/* No free memory for a new array: ENOMEM, and nothing changed. */
static void test_no_room_for_array(void **state)
{
	char *log;

	(void)state;
	pmm_memblock_allow_resize();
	assert_int_equal(add_many(N), 0);
	assert_int_equal(pmm_memblock_reserve(0, 64 * SZ_1M), 0);
	host_log_capture_start();
	assert_int_equal(pmm_memblock_add(SZ_1M, SZ_4K), PMM_ENOMEM);
	log = host_log_capture_stop();
	assert_non_null(strstr(log, "memblock: Failed to double memory array from 128 to 256 entries !"));
	free(log);
	assert_int_equal(MEM->max, N);
	assert_int_equal(MEM->cnt, N);
}

/* Memory that cannot be mapped cannot hold an array either. */
static void test_unmappable(void **state)
{
	(void)state;
	struct host_platform_options opt = { .untouchable = true, .quiet = true };

	assert_int_equal(host_platform_install(&opt), 0);
	pmm_memblock_allow_resize();
	assert_int_equal(add_many(N), 0);
	assert_int_equal(pmm_memblock_add(SZ_1M, SZ_4K), PMM_ENOMEM);
	assert_int_equal(MEM->max, N);
	assert_int_equal(RSV->cnt, 1);
	assert_int_equal(RSV->total_size, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_full_without_resize, mbt_setup, mbt_teardown),
		cmocka_unit_test_setup_teardown(test_memory_doubles, mbt_setup, mbt_teardown),
		cmocka_unit_test_setup_teardown(test_memory_doubles_twice, mbt_setup, mbt_teardown),
		cmocka_unit_test_setup_teardown(test_reserved_doubles, mbt_setup, mbt_teardown),
		cmocka_unit_test_setup_teardown(test_split_doubles, mbt_setup, mbt_teardown),
		cmocka_unit_test_setup_teardown(test_no_room_for_array, mbt_setup, mbt_teardown),
		cmocka_unit_test_setup_teardown(test_unmappable, mbt_setup, mbt_teardown),
	};
	return cmocka_run_group_tests_name("memblock_resize", tests, NULL, NULL);
}
