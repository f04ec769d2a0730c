/* SPDX-License-Identifier: MIT */
/*
 * test_memmap_sanitize.c - pmm_memmap_sanitize(): sorting, overlap
 * resolution (the higher type number wins), merging, page trimming and the
 * address limit. Pictures: U usable, R reserved, A ACPI data, 9 type 9;
 * each column is 0x1000 bytes unless said otherwise.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <pthread.h>

#include <pmm/memmap.h>
#include "host_platform.h"
#include "memmap_data.h"

#define U PMM_MEM_USABLE
#define R PMM_MEM_RESERVED
#define A PMM_MEM_ACPI
#define N PMM_MEM_NVS
#define K 0x1000ull
#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

static struct pmm_memmap m;
static struct pmm_memmap before;

static int setup(void **state)
{
	(void)state;
	pmm_memmap_init(&m);
	memset(&before, 0, sizeof(before));
	return 0;
}

#define FILL(...)                                                      \
	do {                                                           \
		static const uint64_t in_[][3] = { __VA_ARGS__ };      \
		memmap_data_fill(&m, in_, ARRAY_LEN(in_));             \
	} while (0)

#define EXPECT(...)                                                    \
	do {                                                           \
		static const uint64_t out_[][3] = { __VA_ARGS__ };     \
		expect_map(out_, ARRAY_LEN(out_));                     \
	} while (0)

static void expect_map(const uint64_t (*e)[3], unsigned int n)
{
	unsigned int i;

	assert_int_equal(m.nr, n);
	for (i = 0; i < n; i++) {
		assert_int_equal(m.entry[i].start, e[i][0]);
		assert_int_equal(m.entry[i].end, e[i][1]);
		assert_int_equal(m.entry[i].type, e[i][2]);
	}
	/* Slots past nr stay zero (the invariant failed calls rely on). */
	for (i = n; i < PMM_MEMMAP_MAX; i++)
		assert_int_equal(m.entry[i].end, 0);
}

/*
 *   in:  [2]R  [0]U  [1]A      (listed backwards)
 *   out: U A R in address order
 */
static void test_memmap_sanitize_unsorted(void **state)
{
	(void)state;
	FILL({ 8 * K, 9 * K, R }, { 0, 4 * K, U }, { 4 * K, 6 * K, A });
	assert_int_equal(pmm_memmap_sanitize(&m, 0), 0);
	EXPECT({ 0, 4 * K, U }, { 4 * K, 6 * K, A }, { 8 * K, 9 * K, R });
}

/*
 *   U U U U U U . .
 *           R R R R
 *   -> U U U U R R R R     (reserved wins over usable)
 */
static void test_memmap_sanitize_usable_then_reserved(void **state)
{
	(void)state;
	FILL({ 0, 6 * K, U }, { 4 * K, 8 * K, R });
	assert_int_equal(pmm_memmap_sanitize(&m, 0), 0);
	EXPECT({ 0, 4 * K, U }, { 4 * K, 8 * K, R });
}

/*
 *   R R R R . . . .
 *       U U U U U U
 *   -> R R R R U U U U     (usable loses the overlap even when listed later)
 */
static void test_memmap_sanitize_reserved_then_usable(void **state)
{
	(void)state;
	FILL({ 0, 4 * K, R }, { 2 * K, 8 * K, U });
	assert_int_equal(pmm_memmap_sanitize(&m, 0), 0);
	EXPECT({ 0, 4 * K, R }, { 4 * K, 8 * K, U });
}

/*
 *   U U U U U U U U
 *       R R   A
 *   -> U U R R U A U U
 */
static void test_memmap_sanitize_nested_in_usable(void **state)
{
	(void)state;
	FILL({ 0, 8 * K, U }, { 2 * K, 4 * K, R }, { 5 * K, 6 * K, A });
	assert_int_equal(pmm_memmap_sanitize(&m, 0), 0);
	EXPECT({ 0, 2 * K, U }, { 2 * K, 4 * K, R }, { 4 * K, 5 * K, U },
	       { 5 * K, 6 * K, A }, { 6 * K, 8 * K, U });
}

/*
 *   R R R R R R
 *     U U 9 9          (9 beats R beats U)
 *   -> R R R 9 9 R
 */
static void test_memmap_sanitize_nested_in_reserved(void **state)
{
	(void)state;
	FILL({ 0, 6 * K, R }, { K, 3 * K, U }, { 3 * K, 5 * K, 9 });
	assert_int_equal(pmm_memmap_sanitize(&m, 0), 0);
	EXPECT({ 0, 3 * K, R }, { 3 * K, 5 * K, 9 }, { 5 * K, 6 * K, R });
}

/* The same range three times (U, N, U): one entry, NVS. */
static void test_memmap_sanitize_identical(void **state)
{
	(void)state;
	FILL({ 0, 4 * K, U }, { 0, 4 * K, N }, { 0, 4 * K, U });
	assert_int_equal(pmm_memmap_sanitize(&m, 0), 0);
	EXPECT({ 0, 4 * K, N });
}

/*
 * Linux's rule is the type number, not a named priority: pmem 7 beats
 * unusable 5, legacy 12 beats 7, type 20 beats them all.
 *
 *   5 5 5 5 5 5 5 5
 *     7 7 7 7 7 7
 *       12  . 20
 *   -> 5 7 12 7 20 7 7 5
 */
static void test_memmap_sanitize_type_number_wins(void **state)
{
	(void)state;
	FILL({ 0, 8 * K, 5 }, { K, 7 * K, 7 }, { 2 * K, 3 * K, 12 },
	     { 4 * K, 5 * K, 20 });
	assert_int_equal(pmm_memmap_sanitize(&m, 0), 0);
	EXPECT({ 0, K, 5 }, { K, 2 * K, 7 }, { 2 * K, 3 * K, 12 },
	       { 3 * K, 4 * K, 7 }, { 4 * K, 5 * K, 20 }, { 5 * K, 7 * K, 7 },
	       { 7 * K, 8 * K, 5 });
}

/*
 *   U U|U U U|R R|R
 *   -> U U U U U R R R  (touching entries of one type merge, others don't)
 */
static void test_memmap_sanitize_adjacent_merge(void **state)
{
	(void)state;
	FILL({ 0, 2 * K, U }, { 2 * K, 5 * K, U }, { 5 * K, 7 * K, R },
	     { 7 * K, 8 * K, R }, { 8 * K, 9 * K, A });
	assert_int_equal(pmm_memmap_sanitize(&m, 0), 0);
	EXPECT({ 0, 5 * K, U }, { 5 * K, 8 * K, R }, { 8 * K, 9 * K, A });
}

/*
 * Usable [0x1800, 0x5400) covers pages 2..4 only:
 *
 *   0x1000   0x2000          0x5000   0x6000
 *   |   .UUUU|UUUUUUUUUUUUUUU|UU.     |
 *   -> [0x2000, 0x5000); 0x800 + 0x400 bytes trimmed
 */
static void test_memmap_sanitize_partial_pages_trimmed(void **state)
{
	(void)state;
	FILL({ 0x1800, 0x5400, U }, { 0x5400, 0x6000, R });
	assert_int_equal(pmm_memmap_sanitize(&m, 0), 0);
	EXPECT({ 0x2000, 0x5000, U }, { 0x5400, 0x6000, R });
	assert_int_equal(m.trimmed_bytes, 0xc00);
	assert_int_equal(pmm_memmap_usable_bytes(&m), 0x3000);
}

/* Usable [0x1100, 0x1f00): no whole page, gone, all 0xe00 bytes trimmed. */
static void test_memmap_sanitize_sub_page_usable_gone(void **state)
{
	(void)state;
	FILL({ 0x1100, 0x1f00, U }, { 0x3000, 0x4000, R });
	assert_int_equal(pmm_memmap_sanitize(&m, 0), 0);
	EXPECT({ 0x3000, 0x4000, R });
	assert_int_equal(m.trimmed_bytes, 0xe00);
}

/* Non-usable types are never trimmed: firmware areas keep their bytes. */
static void test_memmap_sanitize_reserved_not_trimmed(void **state)
{
	(void)state;
	FILL({ 0x1100, 0x1f00, R }, { 0x1f00, 0x2400, A });
	assert_int_equal(pmm_memmap_sanitize(&m, 0), 0);
	EXPECT({ 0x1100, 0x1f00, R }, { 0x1f00, 0x2400, A });
	assert_int_equal(m.trimmed_bytes, 0);
}

/* Empty and reversed entries (written directly) are dropped. */
static void test_memmap_sanitize_zero_length(void **state)
{
	(void)state;
	FILL({ 4 * K, 4 * K, R }, { 0, 2 * K, U }, { 9 * K, 7 * K, R },
	     { K, K, A });
	assert_int_equal(pmm_memmap_sanitize(&m, 0), 0);
	EXPECT({ 0, 2 * K, U });
}

/*
 * A limit of 0x3000 (columns of 0x1000):
 *
 *   U U U|U U . . U U
 *       R|R R R
 *        ^ limit
 *   -> U U R. Usable dropped: [7K, 9K) only, since [3K, 5K) became R.
 */
static void test_memmap_sanitize_limit_crossing(void **state)
{
	(void)state;
	FILL({ 0, 5 * K, U }, { 2 * K, 6 * K, R }, { 7 * K, 9 * K, U });
	assert_int_equal(pmm_memmap_sanitize(&m, 3 * K), 0);
	EXPECT({ 0, 2 * K, U }, { 2 * K, 3 * K, R });
	/* Usable above the limit: [7K, 9K) only; [3K, 5K) was reserved. */
	assert_int_equal(m.dropped_bytes, 2 * K);
}

/* A usable range that crosses the limit is cut there; the rest counts. */
static void test_memmap_sanitize_limit_cuts_usable(void **state)
{
	(void)state;
	FILL({ 0x100000, 0x140000000ull, U });
	assert_int_equal(pmm_memmap_sanitize(&m, 0x100000000ull), 0);
	EXPECT({ 0x100000, 0x100000000ull, U });
	assert_int_equal(m.dropped_bytes, 0x40000000ull);
}

/* Limit 0 means none: entries at the top of the address space stay. */
static void test_memmap_sanitize_limit_zero(void **state)
{
	(void)state;
	FILL({ 0, 4 * K, U }, { 0xfffffffffff00000ull, UINT64_MAX, R });
	assert_int_equal(pmm_memmap_sanitize(&m, 0), 0);
	EXPECT({ 0, 4 * K, U }, { 0xfffffffffff00000ull, UINT64_MAX, R });
	assert_int_equal(m.dropped_bytes, 0);
}

/* Usable up to the last byte of the address space: the last page is partial. */
static void test_memmap_sanitize_top_of_address_space(void **state)
{
	(void)state;
	FILL({ 0xffffffffffffe800ull, UINT64_MAX, U });
	assert_int_equal(pmm_memmap_sanitize(&m, 0), 0);
	assert_int_equal(m.nr, 0);
	assert_int_equal(m.trimmed_bytes, 0x17ff);
}

/* Sanitizing a sanitized map changes nothing and counts nothing again. */
static void test_memmap_sanitize_idempotent(void **state)
{
	(void)state;
	FILL({ 0x800, 9 * K, U }, { 3 * K, 4 * K, R }, { 8 * K, 20 * K, U });
	assert_int_equal(pmm_memmap_sanitize(&m, 12 * K), 0);
	before = m;
	assert_int_equal(pmm_memmap_sanitize(&m, 12 * K), 0);
	assert_memory_equal(&m, &before, sizeof(m));
	EXPECT({ K, 3 * K, U }, { 3 * K, 4 * K, R }, { 4 * K, 12 * K, U });
	assert_int_equal(m.trimmed_bytes, 0x800);
	assert_int_equal(m.dropped_bytes, 8 * K);
}

static void test_memmap_sanitize_empty(void **state)
{
	(void)state;
	assert_int_equal(pmm_memmap_sanitize(&m, 0), 0);
	assert_int_equal(m.nr, 0);
	assert_int_equal(pmm_memmap_sanitize(NULL, 0), PMM_EINVAL);
}

/*
 * One huge usable range with PMM_MEMMAP_MAX - 1 reserved holes punched in
 * it resolves to 2 * MAX - 1 entries: too many. The map stays as it was.
 *
 *   U U U U U U U U U U ...
 *     R   R   R   R     ...
 */
static void test_memmap_sanitize_full_unchanged(void **state)
{
	unsigned int i;

	(void)state;
	assert_int_equal(pmm_memmap_add(&m, 0, (uint64_t)4 * PMM_MEMMAP_MAX * K, U), 0);
	for (i = 1; i < PMM_MEMMAP_MAX; i++)
		assert_int_equal(pmm_memmap_add(&m, (2 * i + 1) * K,
						(2 * i + 2) * K, R), 0);
	before = m;
	assert_int_equal(pmm_memmap_sanitize(&m, 0), PMM_EFULL);
	assert_memory_equal(&m, &before, sizeof(m));
	/* With a limit low enough the same map fits. */
	assert_int_equal(pmm_memmap_sanitize(&m, 64 * K), 0);
	assert_true(m.nr < PMM_MEMMAP_MAX);
}

/*
 * Random maps against a model: addresses in half pages (0x800), each unit
 * typed by the highest type covering it; usable runs trimmed to pages.
 */
#define UNITS 96
#define HALF 0x800ull

static void model(const struct pmm_memmap *in, uint32_t *unit)
{
	unsigned int i, u;

	memset(unit, 0, UNITS * sizeof(*unit));
	for (i = 0; i < in->nr; i++) {
		for (u = 0; u < UNITS; u++) {
			uint64_t a = u * HALF;

			if (a >= in->entry[i].start && a < in->entry[i].end &&
			    in->entry[i].type > unit[u])
				unit[u] = in->entry[i].type;
		}
	}
}

static void check_against_model(const uint32_t *unit)
{
	unsigned int u, k = 0;

	for (u = 0; u < UNITS;) {
		unsigned int v = u;
		uint64_t s, e;

		while (v < UNITS && unit[v] == unit[u])
			v++;
		s = u * HALF;
		e = v * HALF;
		if (unit[u] == U) {
			s = (s + K - 1) & ~(K - 1);
			e &= ~(K - 1);
		}
		if (unit[u] != 0 && s < e) {
			assert_true(k < m.nr);
			assert_int_equal(m.entry[k].start, s);
			assert_int_equal(m.entry[k].end, e);
			assert_int_equal(m.entry[k].type, unit[u]);
			k++;
		}
		u = v;
	}
	assert_int_equal(k, m.nr);
}

static void test_memmap_sanitize_random_vs_model(void **state)
{
	static const uint32_t types[] = { U, U, U, R, A, N, 5, 9 };
	uint32_t unit[UNITS];
	unsigned int round, i;

	(void)state;
	srand(12345);
	for (round = 0; round < 2000; round++) {
		unsigned int n = 1 + (unsigned int)rand() % 12;

		pmm_memmap_init(&m);
		for (i = 0; i < n; i++) {
			uint64_t a = (uint64_t)(rand() % UNITS);
			uint64_t b = (uint64_t)(rand() % (UNITS + 1));

			if (b <= a)
				continue;
			assert_int_equal(pmm_memmap_add(&m, a * HALF, b * HALF,
							types[rand() % 8]), 0);
		}
		model(&m, unit);
		assert_int_equal(pmm_memmap_sanitize(&m, 0), 0);
		check_against_model(unit);
	}
}

/*
 * Threads sanitizing their own maps at once take turns on the shared
 * scratch table, through the platform's lock (each thread is a CPU of the
 * host platform): every result is right.
 *
 *   U U U U U U U U      (thread t: the hole sits at page t + 1)
 *       R
 */
#define THREADS 4

static void *sanitize_thread(void *arg)
{
	unsigned int t = (unsigned int)(uintptr_t)arg, i;
	static struct pmm_memmap maps[THREADS];
	struct pmm_memmap *mm = &maps[t];
	uintptr_t bad = 0;

	host_set_cpu(t);
	for (i = 0; i < 2000; i++) {
		pmm_memmap_init(mm);
		pmm_memmap_add(mm, 0, 8 * K, U);
		pmm_memmap_add(mm, (t + 1) * K, (t + 2) * K, R);
		if (pmm_memmap_sanitize(mm, 0) != 0 || mm->nr != 3 ||
		    mm->entry[1].start != (t + 1) * K ||
		    mm->entry[2].end != 8 * K)
			bad++;
	}
	return (void *)bad;
}

static void test_memmap_sanitize_threads(void **state)
{
	pthread_t th[THREADS];
	unsigned int t;

	struct host_platform_options opt = { .quiet = true };

	(void)state;
	assert_int_equal(host_platform_install(&opt), 0);
	for (t = 0; t < THREADS; t++)
		assert_int_equal(pthread_create(&th[t], NULL, sanitize_thread,
						(void *)(uintptr_t)t), 0);
	for (t = 0; t < THREADS; t++) {
		void *bad;

		assert_int_equal(pthread_join(th[t], &bad), 0);
		assert_int_equal((uintptr_t)bad, 0);
	}
	host_platform_remove();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_memmap_sanitize_unsorted, setup),
		cmocka_unit_test_setup(test_memmap_sanitize_usable_then_reserved, setup),
		cmocka_unit_test_setup(test_memmap_sanitize_reserved_then_usable, setup),
		cmocka_unit_test_setup(test_memmap_sanitize_nested_in_usable, setup),
		cmocka_unit_test_setup(test_memmap_sanitize_nested_in_reserved, setup),
		cmocka_unit_test_setup(test_memmap_sanitize_identical, setup),
		cmocka_unit_test_setup(test_memmap_sanitize_type_number_wins, setup),
		cmocka_unit_test_setup(test_memmap_sanitize_adjacent_merge, setup),
		cmocka_unit_test_setup(test_memmap_sanitize_partial_pages_trimmed, setup),
		cmocka_unit_test_setup(test_memmap_sanitize_sub_page_usable_gone, setup),
		cmocka_unit_test_setup(test_memmap_sanitize_reserved_not_trimmed, setup),
		cmocka_unit_test_setup(test_memmap_sanitize_zero_length, setup),
		cmocka_unit_test_setup(test_memmap_sanitize_limit_crossing, setup),
		cmocka_unit_test_setup(test_memmap_sanitize_limit_cuts_usable, setup),
		cmocka_unit_test_setup(test_memmap_sanitize_limit_zero, setup),
		cmocka_unit_test_setup(test_memmap_sanitize_top_of_address_space, setup),
		cmocka_unit_test_setup(test_memmap_sanitize_idempotent, setup),
		cmocka_unit_test_setup(test_memmap_sanitize_empty, setup),
		cmocka_unit_test_setup(test_memmap_sanitize_full_unchanged, setup),
		cmocka_unit_test_setup(test_memmap_sanitize_random_vs_model, setup),
		cmocka_unit_test_setup(test_memmap_sanitize_threads, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
