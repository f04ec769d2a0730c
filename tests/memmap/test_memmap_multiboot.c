/* SPDX-License-Identifier: MIT */
/*
 * test_memmap_multiboot.c - pmm_memmap_from_multiboot(): the packed
 * {u32 size; u64 base; u64 length; u32 type} records a Multiboot v1 loader
 * passes, walked by size + 4.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <pmm/memmap.h>

static struct pmm_memmap m;
static struct pmm_memmap before;
static unsigned char buf[1024];
static size_t len;

static int setup(void **state)
{
	(void)state;
	pmm_memmap_init(&m);
	memset(buf, 0xa5, sizeof(buf));
	len = 0;
	return 0;
}

static void put32(size_t at, uint32_t v)
{
	unsigned int i;

	for (i = 0; i < 4; i++)
		buf[at + i] = (unsigned char)(v >> (8 * i));
}

static void put64(size_t at, uint64_t v)
{
	put32(at, (uint32_t)v);
	put32(at + 4, (uint32_t)(v >> 32));
}

/* Append one record whose size field says @size (>= 20 fills the rest). */
static void rec(uint32_t size, uint64_t base, uint64_t length, uint32_t type)
{
	put32(len, size);
	put64(len + 4, base);
	put64(len + 12, length);
	put32(len + 20, type);
	len += (size_t)size + 4;
}

static void expect_entry(unsigned int i, pmm_phys_t start, pmm_phys_t end,
			 uint32_t type)
{
	assert_true(i < m.nr);
	assert_int_equal(m.entry[i].start, start);
	assert_int_equal(m.entry[i].end, end);
	assert_int_equal(m.entry[i].type, type);
}

static void expect_fail(int ret)
{
	before = m;
	assert_int_equal(pmm_memmap_from_multiboot(&m, buf, len), ret);
	assert_memory_equal(&m, &before, sizeof(m));
}

/*
 * What QEMU's multiboot loader passes for 128 MiB:
 *
 *   0        9fc00  f0000   100000          7fe0000   fffc0000
 *   |usable  |res   |res    |usable ...      |res      |res
 */
static void test_memmap_multiboot_normal(void **state)
{
	(void)state;
	rec(20, 0, 0x9fc00, 1);
	rec(20, 0x9fc00, 0x400, 2);
	rec(20, 0xf0000, 0x10000, 2);
	rec(20, 0x100000, 0x7ee0000, 1);
	rec(20, 0x7fe0000, 0x20000, 2);
	rec(20, 0xfffc0000, 0x40000, 2);
	assert_int_equal(pmm_memmap_from_multiboot(&m, buf, len), 0);
	assert_int_equal(m.nr, 6);
	expect_entry(0, 0, 0x9fc00, PMM_MEM_USABLE);
	expect_entry(3, 0x100000, 0x7fe0000, PMM_MEM_USABLE);
	expect_entry(5, 0xfffc0000, 0x100000000ull, PMM_MEM_RESERVED);
	assert_int_equal(pmm_memmap_sanitize(&m, 0), 0);
	assert_int_equal(pmm_memmap_usable_bytes(&m), 0x9f000 + 0x7ee0000);
}

/* Types 3, 4, 5 keep their e820 meaning; 0 becomes reserved; 7, 20 stay. */
static void test_memmap_multiboot_types(void **state)
{
	(void)state;
	rec(20, 0x1000, 0x1000, 3);
	rec(20, 0x2000, 0x1000, 4);
	rec(20, 0x3000, 0x1000, 5);
	rec(20, 0x4000, 0x1000, 0);
	rec(20, 0x5000, 0x1000, 7);
	rec(20, 0x6000, 0x1000, 20);
	assert_int_equal(pmm_memmap_from_multiboot(&m, buf, len), 0);
	assert_int_equal(m.nr, 6);
	expect_entry(0, 0x1000, 0x2000, PMM_MEM_ACPI);
	expect_entry(1, 0x2000, 0x3000, PMM_MEM_NVS);
	expect_entry(2, 0x3000, 0x4000, PMM_MEM_UNUSABLE);
	expect_entry(3, 0x4000, 0x5000, PMM_MEM_RESERVED);
	expect_entry(4, 0x5000, 0x6000, PMM_MEM_PMEM);
	expect_entry(5, 0x6000, 0x7000, 20);
}

/* Records with size 24 and 21 (padding): walked by size + 4, unaligned. */
static void test_memmap_multiboot_odd_sizes(void **state)
{
	(void)state;
	rec(24, 0, 0x9fc00, 1);
	rec(21, 0x100000, 0x100000, 1);
	rec(20, 0x200000, 0x1000, 2);
	assert_int_equal(len, 28 + 25 + 24);
	assert_int_equal(pmm_memmap_from_multiboot(&m, buf, len), 0);
	assert_int_equal(m.nr, 3);
	expect_entry(1, 0x100000, 0x200000, PMM_MEM_USABLE);
	expect_entry(2, 0x200000, 0x201000, PMM_MEM_RESERVED);
}

static void test_memmap_multiboot_length_zero_skipped(void **state)
{
	(void)state;
	rec(20, 0x1000, 0, 1);
	rec(20, 0x2000, 0x1000, 1);
	assert_int_equal(pmm_memmap_from_multiboot(&m, buf, len), 0);
	assert_int_equal(m.nr, 1);
	expect_entry(0, 0x2000, 0x3000, PMM_MEM_USABLE);
}

/* Cut the buffer at every length inside the last record: EPARSE. */
static void test_memmap_multiboot_truncated(void **state)
{
	size_t full, cut;

	(void)state;
	rec(20, 0, 0x9fc00, 1);
	rec(20, 0x100000, 0x100000, 1);
	full = len;
	for (cut = 25; cut < full; cut++) {
		unsigned char *copy = malloc(cut);

		memcpy(copy, buf, cut);
		before = m;
		assert_int_equal(pmm_memmap_from_multiboot(&m, copy, cut),
				 PMM_EPARSE);
		assert_memory_equal(&m, &before, sizeof(m));
		free(copy);
	}
	/* A size field that claims more than the buffer holds. */
	put32(24, 200);
	expect_fail(PMM_EPARSE);
}

static void test_memmap_multiboot_size_too_small(void **state)
{
	(void)state;
	rec(20, 0, 0x9fc00, 1);
	rec(20, 0x100000, 0x100000, 1);
	put32(24, 19);
	expect_fail(PMM_EPARSE);
	put32(24, 0);
	expect_fail(PMM_EPARSE);
}

/*
 * base + length passing 2^64 is rejected, map and all; ending exactly at
 * 2^64 is fine and clipped by one byte.
 */
static void test_memmap_multiboot_overflow(void **state)
{
	(void)state;
	rec(20, 0, 0x9fc00, 1);
	rec(20, 0xffffffff00000000ull, 0x100000000ull, 2);
	assert_int_equal(pmm_memmap_from_multiboot(&m, buf, len), 0);
	expect_entry(1, 0xffffffff00000000ull, UINT64_MAX, PMM_MEM_RESERVED);
	pmm_memmap_init(&m);
	len = 0;
	rec(20, 0, 0x9fc00, 1);
	rec(20, 0xffffffff00000000ull, 0x100001000ull, 1);
	expect_fail(PMM_EOVERFLOW);
}

static void test_memmap_multiboot_full(void **state)
{
	unsigned int i;

	(void)state;
	for (i = 0; i < PMM_MEMMAP_MAX - 1; i++)
		assert_int_equal(pmm_memmap_add(&m, i * 0x2000ull,
						i * 0x2000ull + 0x1000, 2), 0);
	rec(20, 0x10000000, 0x1000, 1);
	rec(20, 0x20000000, 0x1000, 1);
	expect_fail(PMM_EFULL);
}

static void test_memmap_multiboot_empty_and_null(void **state)
{
	(void)state;
	assert_int_equal(pmm_memmap_from_multiboot(&m, NULL, 0), 0);
	assert_int_equal(m.nr, 0);
	assert_int_equal(pmm_memmap_from_multiboot(&m, NULL, 24), PMM_EINVAL);
	assert_int_equal(pmm_memmap_from_multiboot(NULL, buf, 24), PMM_EINVAL);
	/* Fewer than 4 bytes cannot even hold a size field. */
	assert_int_equal(pmm_memmap_from_multiboot(&m, buf, 3), PMM_EPARSE);
}

/* Random bytes: no crash, no read past @len, failures change nothing. */
static void test_memmap_multiboot_random_bytes(void **state)
{
	unsigned int round;

	(void)state;
	srand(777);
	for (round = 0; round < 5000; round++) {
		size_t n = (size_t)rand() % 200, i;
		unsigned char *copy = malloc(n ? n : 1);
		int ret;

		for (i = 0; i < n; i++)
			copy[i] = (unsigned char)rand();
		/* Mostly plausible size fields, so that walks go deep. */
		for (i = 0; i + 4 <= n; i += 24)
			if (rand() % 4)
				copy[i] = 20, copy[i + 1] = copy[i + 2] = copy[i + 3] = 0;
		pmm_memmap_init(&m);
		before = m;
		ret = pmm_memmap_from_multiboot(&m, copy, n);
		if (ret)
			assert_memory_equal(&m, &before, sizeof(m));
		assert_true(ret == 0 || ret == PMM_EPARSE || ret == PMM_EOVERFLOW);
		free(copy);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_memmap_multiboot_normal, setup),
		cmocka_unit_test_setup(test_memmap_multiboot_types, setup),
		cmocka_unit_test_setup(test_memmap_multiboot_odd_sizes, setup),
		cmocka_unit_test_setup(test_memmap_multiboot_length_zero_skipped, setup),
		cmocka_unit_test_setup(test_memmap_multiboot_truncated, setup),
		cmocka_unit_test_setup(test_memmap_multiboot_size_too_small, setup),
		cmocka_unit_test_setup(test_memmap_multiboot_overflow, setup),
		cmocka_unit_test_setup(test_memmap_multiboot_full, setup),
		cmocka_unit_test_setup(test_memmap_multiboot_empty_and_null, setup),
		cmocka_unit_test_setup(test_memmap_multiboot_random_bytes, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
