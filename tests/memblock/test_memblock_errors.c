/* SPDX-License-Identifier: MIT */
/*
 * test_memblock_errors.c - the memblock rows of docs/errors.md (E55..E63):
 * every bad input gets its documented error, and pmm_memblock and both
 * region arrays are byte for byte what they were before the call (after
 * retirement, the buddy allocator's state too). The row id is in each
 * case's name.
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
#include <pmm/memblock.h>

#include "buddy_setup.h"
#include "memblock_test.h"
#include "reliability_snap.h"

/* ------------------------------------------------------------------ */
/* memblock: memory [0, 64 MiB), reserved [0, 1 MiB).                   */
/* ------------------------------------------------------------------ */

static struct mbt_snap mb_before;

static int mb_setup(void **state)
{
	(void)state;
	pmm_memblock_reset();
	assert_int_equal(pmm_memblock_add(0, 64 << 20), 0);
	assert_int_equal(pmm_memblock_reserve(0, 1 << 20), 0);
	mbt_snap_take(&mb_before);
	return 0;
}

static void mb_unchanged(void)
{
	mbt_snap_expect_same(&mb_before);
}

static void E55_memblock_add_size_zero(void **state)
{
	(void)state;
	assert_int_equal(pmm_memblock_add(128 << 20, 0), PMM_EINVAL);
	assert_int_equal(pmm_memblock_reserve(2 << 20, 0), PMM_EINVAL);
	mb_unchanged();
}

static void E56_memblock_range_wraps(void **state)
{
	(void)state;
	assert_int_equal(pmm_memblock_add(UINT64_MAX - 0xfff, 0x2000), PMM_EOVERFLOW);
	assert_int_equal(pmm_memblock_reserve(UINT64_MAX - 0xfff, 0x2000), PMM_EOVERFLOW);
	mb_unchanged();
}

static void E57_memblock_add_bad_flags(void **state)
{
	(void)state;
	assert_int_equal(pmm_memblock_add_node(128 << 20, 4096, 0, 0x40), PMM_EINVAL);
	mb_unchanged();
}

static void E58_memblock_alloc_bad_align(void **state)
{
	(void)state;
	pmm_phys_t out;
	assert_int_equal(pmm_memblock_phys_alloc(4096, 3 << 12, &out), PMM_EALIGN);
	assert_int_equal(pmm_memblock_phys_alloc(4096, 0, &out), PMM_EALIGN);
	mb_unchanged();
}

static void E59_memblock_alloc_size_zero(void **state)
{
	(void)state;
	pmm_phys_t out;
	assert_int_equal(pmm_memblock_phys_alloc(0, 4096, &out), PMM_EINVAL);
	mb_unchanged();
}

static void E60_memblock_alloc_too_big(void **state)
{
	(void)state;
	pmm_phys_t out;
	assert_int_equal(pmm_memblock_phys_alloc(128 << 20, 4096, &out), PMM_ENOMEM);
	mb_unchanged();
}

static void E61_memblock_trim_bad_align(void **state)
{
	(void)state;
	assert_int_equal(pmm_memblock_trim_memory(3000), PMM_EALIGN);
	mb_unchanged();
}

static void E62_memblock_free_late_before_free_all(void **state)
{
	(void)state;
	assert_int_equal(pmm_memblock_free_late(0, 4096), PMM_ESTATE);
	mb_unchanged();
}

/* After free_all: allocations and a second free_all are refused. */
static void E63_memblock_use_after_retire(void **state)
{
	(void)state;
	static const struct buddy_zone_spec z = { 0, PMM_ZONE_NORMAL, 0, 16384 };
	assert_int_equal(buddy_setup(&(struct buddy_setup_opts){
		.max_pfn = 16384, .zones = &z, .nr_zones = 1 }), 0);
	pmm_memblock_reset();
	assert_int_equal(pmm_memblock_add(0, 64 << 20), 0);
	assert_int_equal(pmm_memblock_reserve(0, 1 << 20), 0);
	uint64_t pages = 0;
	assert_int_equal(pmm_memblock_free_all(&pages), 0);
	assert_true(pages == 16384 - 256);
	mbt_snap_take(&mb_before);
	struct rel_snap snap = { 0 };
	rel_snap_take(&snap);
	pmm_phys_t out;
	assert_int_equal(pmm_memblock_phys_alloc(4096, 4096, &out), PMM_ERETIRED);
	assert_int_equal(pmm_memblock_free_all(&pages), PMM_ERETIRED);
	mb_unchanged();
	assert_null(rel_snap_same(&snap));
	assert_null(pmm_check());
	rel_snap_release(&snap);
	buddy_teardown();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(E55_memblock_add_size_zero, mb_setup),
		cmocka_unit_test_setup(E56_memblock_range_wraps, mb_setup),
		cmocka_unit_test_setup(E57_memblock_add_bad_flags, mb_setup),
		cmocka_unit_test_setup(E58_memblock_alloc_bad_align, mb_setup),
		cmocka_unit_test_setup(E59_memblock_alloc_size_zero, mb_setup),
		cmocka_unit_test_setup(E60_memblock_alloc_too_big, mb_setup),
		cmocka_unit_test_setup(E61_memblock_trim_bad_align, mb_setup),
		cmocka_unit_test_setup(E62_memblock_free_late_before_free_all, mb_setup),
		cmocka_unit_test(E63_memblock_use_after_retire),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
