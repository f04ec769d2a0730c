/* SPDX-License-Identifier: MIT */
/*
 * test_fmt.c - the libc-free formatter against the C library's printf.
 */
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include <pmm/fmt.h>

#define CHECK_SAME(...)                                                 \
	do {                                                            \
		char want[256], got[256];                               \
		snprintf(want, sizeof(want), __VA_ARGS__);              \
		size_t n = pmm_snprintf(got, sizeof(got), __VA_ARGS__); \
		assert_string_equal(got, want);                         \
		assert_int_equal(n, strlen(want));                      \
	} while (0)

/* A %lu value above 32 bits where long is 64-bit; bit 31 where it is 32-bit. */
#if ULONG_MAX > 0xffffffffUL
#define BIG_UL (1UL << 40)
#else
#define BIG_UL (1UL << 31)
#endif

static void fmt_integers_match_printf(void **state)
{
	(void)state;
	CHECK_SAME("%d %i %u", -42, 7, 4000000000u);
	CHECK_SAME("%ld %lu %lld %llu", -1L, BIG_UL, -9223372036854775807LL - 1,
		   18446744073709551615ULL);
	CHECK_SAME("%ld %lu %lx", LONG_MIN, ULONG_MAX, ULONG_MAX);
	CHECK_SAME("%x %X %llx %016llx", 0xbeefu, 0xbeefu, 0x123456789abcULL, 0x9fc00ULL);
	CHECK_SAME("%zu %zx", (size_t)12345, (size_t)0xfff);
	CHECK_SAME("%hhu %hu %hhd", (unsigned char)300, (unsigned short)70000, (signed char)-56);
	CHECK_SAME("[%6lu ] [%-6d] [%06d] [%-3s] [%8s]", 12UL, -5, -5, "DMA", "Normal");
	CHECK_SAME("%*d|%-*d|", 5, 3, 4, 9);
}

static void fmt_strings_and_chars(void **state)
{
	(void)state;
	CHECK_SAME("%s %.3s %c%c %%", "hello", "abcdef", 'o', 'k');
	CHECK_SAME("%.*s", 2, "xyz");
	CHECK_SAME("%s", "");
}

static void fmt_truncates_and_counts(void **state)
{
	char buf[8];
	(void)state;
	size_t n = pmm_snprintf(buf, sizeof(buf), "0123456789");
	assert_int_equal(n, 10);
	assert_string_equal(buf, "0123456");
	n = pmm_snprintf(buf, 1, "abc");
	assert_int_equal(n, 3);
	assert_string_equal(buf, "");
	n = pmm_snprintf(NULL, 0, "%d", 12345);
	assert_int_equal(n, 5);
}

static void fmt_pointer_has_prefix(void **state)
{
	char buf[32];
	(void)state;
	pmm_snprintf(buf, sizeof(buf), "%p", (void *)0x1000);
	assert_string_equal(buf, "0x1000");
}

static void strerror_names_every_code(void **state)
{
	(void)state;
	for (int e = 0; e >= PMM_EBUSY; e--)
		assert_string_not_equal(pmm_strerror(e), "unknown error");
	assert_string_equal(pmm_strerror(-999), "unknown error");
	assert_string_equal(pmm_strerror(PMM_EDOUBLEFREE), "double free");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(fmt_integers_match_printf),
		cmocka_unit_test(fmt_strings_and_chars),
		cmocka_unit_test(fmt_truncates_and_counts),
		cmocka_unit_test(fmt_pointer_has_prefix),
		cmocka_unit_test(strerror_names_every_code),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
