/* SPDX-License-Identifier: MIT */
/*
 * test_memmap_lowmem_bounds.c - the Linux lowmem lines and the map diff
 * (src/memmap/memmap_lowmem.c, memmap_diff.c) at their limits (issue 17,
 * docs/mutation.md): a lowmem boundary of exactly 4 GiB, the error's line
 * reset for a failure of the lines together, and the diff of maps whose
 * arrays hold stale entries past nr (as a reused map does).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <pmm/cmdline.h>
#include <pmm/memmap.h>

#define GiB ((uint64_t)1 << 30)

/* "low ram: 0 - 100000000": exactly 4 GiB, the last boundary allowed. */
static void lowmem_boundary_exactly_4g(void **state)
{
	(void)state;
	static const char log[] = "low ram: 0 - 100000000\n";
	struct pmm_parse_error err = { 0, "" };
	uint64_t end = 0;
	assert_int_equal(pmm_linux_log_lowmem(log, sizeof(log) - 1, &end, &err), 0);
	assert_int_equal(end, 4 * GiB);
	static const char past[] = "low ram: 0 - 100001000\n";
	assert_int_equal(pmm_linux_log_lowmem(past, sizeof(past) - 1, &end, &err),
			 PMM_EPARSE);
	assert_int_equal(end, 4 * GiB);
}

/* A failure of the lines together names no line: err.line becomes 0. */
static void lowmem_lines_failure_has_no_line(void **state)
{
	(void)state;
	static const char log[] = "x\n0MB LOWMEM available.\n";
	struct pmm_parse_error err = { 99, "" };
	uint64_t end = 0;
	assert_int_equal(pmm_linux_log_lowmem(log, sizeof(log) - 1, &end, &err),
			 PMM_EPARSE);
	assert_int_equal(err.line, 0);
	assert_non_null(strstr(err.msg, "1 to 4096MB"));
}

/* Two maps: [0, 640K) usable, then [1M, 64M) usable in the longer one. */
static void two_maps(struct pmm_memmap *a, struct pmm_memmap *b)
{
	memset(a, 0, sizeof(*a));
	a->entry[0] = (struct pmm_memmap_entry){ 0, 0xa0000, PMM_MEM_USABLE };
	a->entry[1] = (struct pmm_memmap_entry){ 0x100000, 0x4000000, PMM_MEM_USABLE };
	a->nr = 2;
	memcpy(b, a, sizeof(*b));
	b->nr = 1; /* entry[1] stays in the array, stale */
}

/* The shorter map's stale slot equals the other's entry: still missing. */
static void diff_stale_slot_past_nr_is_missing(void **state)
{
	(void)state;
	static struct pmm_memmap a, b;
	unsigned int index = 99;
	char msg[192];
	two_maps(&a, &b);
	assert_int_equal(pmm_memmap_diff(&a, &b, &index, msg, sizeof(msg)), 1);
	assert_int_equal(index, 1);
	assert_non_null(strstr(msg, ", pmm none"));
	index = 99;
	assert_int_equal(pmm_memmap_diff(&b, &a, &index, msg, sizeof(msg)), 1);
	assert_int_equal(index, 1);
	assert_non_null(strstr(msg, "entry 1: Linux none, pmm [mem"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(lowmem_boundary_exactly_4g),
		cmocka_unit_test(lowmem_lines_failure_has_no_line),
		cmocka_unit_test(diff_stale_slot_past_nr_is_missing),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
