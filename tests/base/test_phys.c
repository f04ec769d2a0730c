/* SPDX-License-Identifier: MIT */
/*
 * test_phys.c - the platform seam: pmm_phys_fill() against a platform whose
 * map() records every call, and memmap's sanitizer taking the platform's
 * lock rather than one of its own.
 *
 * The recording platform backs [0, MEM) with a host buffer; a few chunks
 * of 256 pages can be made unmappable or "known zero":
 *
 *   chunk:    0        1        2        3     ...
 *            |mapped  |NULL    |zeroed  |mapped|
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <pmm/memmap.h>
#include <pmm/platform.h>

#define CHUNK ((uint64_t)256 << PMM_PAGE_SHIFT) /* pmm_phys_fill's chunk */
#define NCHUNKS 4u
#define MEM (NCHUNKS * CHUNK)
#define MAX_CALLS 16u

static struct {
	unsigned char *mem;
	bool unmapped[NCHUNKS];  /* map() answers NULL inside this chunk */
	bool zeroed[NCHUNKS];    /* map() says the chunk reads as zero */
	unsigned int calls;
	pmm_phys_t pa[MAX_CALLS];
	size_t size[MAX_CALLS];
	unsigned int locks, unlocks, lock_inits;
	bool held;
} rec;

static void *rec_map(void *ctx, pmm_phys_t pa, size_t size, bool *zeroed)
{
	(void)ctx;
	if (rec.calls < MAX_CALLS) {
		rec.pa[rec.calls] = pa;
		rec.size[rec.calls] = size;
	}
	rec.calls++;
	*zeroed = false;
	if (pa >= MEM || size > MEM - pa || rec.unmapped[pa / CHUNK])
		return NULL;
	*zeroed = rec.zeroed[pa / CHUNK];
	return rec.mem + pa;
}

static void rec_lock_init(void *ctx, struct pmm_lock *lock)
{
	(void)ctx;
	(void)lock;
	rec.lock_inits++;
}

static void rec_lock(void *ctx, struct pmm_lock *lock)
{
	(void)ctx;
	(void)lock;
	assert_false(rec.held); /* pmm never takes a lock it holds */
	rec.held = true;
	rec.locks++;
}

static void rec_unlock(void *ctx, struct pmm_lock *lock)
{
	(void)ctx;
	(void)lock;
	assert_true(rec.held);
	rec.held = false;
	rec.unlocks++;
}

static int setup(void **state)
{
	struct pmm_platform p = {
		.map = rec_map,
		.lock_init = rec_lock_init,
		.lock = rec_lock,
		.unlock = rec_unlock,
	};

	(void)state;
	memset(&rec, 0, sizeof(rec));
	rec.mem = malloc(MEM);
	if (rec.mem == NULL)
		return -1;
	memset(rec.mem, 0xee, MEM);
	pmm_platform_set(&p);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	pmm_platform_set(NULL);
	free(rec.mem);
	rec.mem = NULL;
	return 0;
}

/* Return: true when [@from, @to) of the buffer holds only @c. */
static bool all(uint64_t from, uint64_t to, unsigned char c)
{
	for (uint64_t i = from; i < to; i++)
		if (rec.mem[i] != c)
			return false;
	return true;
}

/*
 * A range inside one chunk is one map() call of exactly its size; the
 * bytes around it are untouched.
 *   |..[xxxx]....|
 */
static void test_fill_one_chunk(void **state)
{
	(void)state;
	assert_int_equal(pmm_phys_fill(0x1000, 0x3000, 0x5a), 0x3000);
	assert_int_equal(rec.calls, 1);
	assert_int_equal(rec.pa[0], 0x1000);
	assert_int_equal(rec.size[0], 0x3000);
	assert_true(all(0, 0x1000, 0xee));
	assert_true(all(0x1000, 0x4000, 0x5a));
	assert_true(all(0x4000, 0x5000, 0xee));
}

/*
 * A range across chunk boundaries is cut at each boundary.
 *   chunk 0      chunk 1      chunk 2
 *   |     [xxxx|xxxxxxxxxxx|xxx]      |
 */
static void test_fill_chunk_boundaries(void **state)
{
	uint64_t start = CHUNK - 0x2000, end = 2 * CHUNK + 0x1000;

	(void)state;
	assert_int_equal(pmm_phys_fill(start, end - start, 0x11), end - start);
	assert_int_equal(rec.calls, 3);
	assert_int_equal(rec.pa[0], start);
	assert_int_equal(rec.size[0], 0x2000);
	assert_int_equal(rec.pa[1], CHUNK);
	assert_int_equal(rec.size[1], CHUNK);
	assert_int_equal(rec.pa[2], 2 * CHUNK);
	assert_int_equal(rec.size[2], 0x1000);
	assert_true(all(start - 1, start, 0xee));
	assert_true(all(start, end, 0x11));
	assert_true(all(end, end + 1, 0xee));
}

/*
 * A chunk map() cannot reach is skipped and not counted; the others are
 * filled.
 *   |xxxxxxxx|  NULL  |xxxxxxxx|
 */
static void test_fill_skips_unmappable(void **state)
{
	(void)state;
	rec.unmapped[1] = true;
	assert_int_equal(pmm_phys_fill(0, 3 * CHUNK, 0x22), 2 * CHUNK);
	assert_int_equal(rec.calls, 3);
	assert_true(all(0, CHUNK, 0x22));
	assert_true(all(CHUNK, 2 * CHUNK, 0xee));
	assert_true(all(2 * CHUNK, 3 * CHUNK, 0x22));
}

/*
 * Zeroing skips a chunk that map() says reads as zero (here it does not,
 * so the skip shows); any other byte is written regardless.
 */
static void test_fill_honours_zeroed(void **state)
{
	(void)state;
	rec.zeroed[2] = true;
	assert_int_equal(pmm_phys_fill(CHUNK, 2 * CHUNK, 0), 2 * CHUNK);
	assert_true(all(CHUNK, 2 * CHUNK, 0));
	assert_true(all(2 * CHUNK, 3 * CHUNK, 0xee)); /* trusted as zero */
	assert_int_equal(pmm_phys_fill(2 * CHUNK, CHUNK, 0x33), CHUNK);
	assert_true(all(2 * CHUNK, 3 * CHUNK, 0x33));
}

/* Nothing to fill: no map() call. */
static void test_fill_empty(void **state)
{
	(void)state;
	assert_int_equal(pmm_phys_fill(0x1000, 0, 0x44), 0);
	assert_int_equal(rec.calls, 0);
}

/*
 * A range ending at (or asked past) the top of the address space stops at
 * 2^64 - 1 without wrapping to 0: every call lies in the top chunk.
 *                                    2^64 - 2 pages   2^64
 *   ...|                       top chunk [xxxxxxxxxxxx]|
 */
static void test_fill_top_of_address_space(void **state)
{
	pmm_phys_t start = UINT64_MAX - 2 * PMM_PAGE_SIZE + 1;

	(void)state;
	assert_int_equal(pmm_phys_fill(start, UINT64_MAX, 0x55), 0);
	assert_in_range(rec.calls, 1, 2);
	for (unsigned int i = 0; i < rec.calls; i++) {
		assert_true(rec.pa[i] >= start);
		assert_true(rec.size[i] <= UINT64_MAX - rec.pa[i]);
	}
	assert_int_equal(rec.pa[0], start);
	assert_int_equal(rec.size[0], 2 * PMM_PAGE_SIZE - 1);
	assert_true(all(0, MEM, 0xee));
}

/* pmm_phys_map() passes through, and reports zeroed only with a mapping. */
static void test_phys_map(void **state)
{
	bool zeroed = true;

	(void)state;
	rec.zeroed[0] = true;
	assert_ptr_equal(pmm_phys_map(0x2000, 16, &zeroed), rec.mem + 0x2000);
	assert_true(zeroed);
	rec.unmapped[1] = true;
	rec.zeroed[1] = true;
	assert_null(pmm_phys_map(CHUNK, 16, &zeroed));
	assert_false(zeroed);
	assert_non_null(pmm_phys_map(0, 16, NULL));
}

/*
 * memmap's sanitizer takes its scratch table's lock through the platform:
 * one lock and one unlock per call, and a static lock (PMM_LOCK_INIT) that
 * never went through lock_init().
 */
static void test_memmap_takes_platform_lock(void **state)
{
	static struct pmm_memmap m;

	(void)state;
	pmm_memmap_init(&m);
	assert_int_equal(pmm_memmap_add(&m, 0, 0x8000, PMM_MEM_USABLE), 0);
	assert_int_equal(pmm_memmap_add(&m, 0x2000, 0x3000, PMM_MEM_RESERVED), 0);
	assert_int_equal(pmm_memmap_sanitize(&m, 0), 0);
	assert_int_equal(m.nr, 3);
	assert_int_equal(rec.locks, 1);
	assert_int_equal(rec.unlocks, 1);
	assert_int_equal(rec.lock_inits, 0);
	assert_false(rec.held);
	assert_int_equal(pmm_memmap_sanitize(NULL, 0), PMM_EINVAL);
	assert_int_equal(rec.locks, 1); /* bad input: no lock taken */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_fill_one_chunk, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fill_chunk_boundaries, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fill_skips_unmappable, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fill_honours_zeroed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fill_empty, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fill_top_of_address_space, setup, teardown),
		cmocka_unit_test_setup_teardown(test_phys_map, setup, teardown),
		cmocka_unit_test_setup_teardown(test_memmap_takes_platform_lock, setup, teardown),
	};
	return cmocka_run_group_tests_name("phys", tests, NULL, NULL);
}
