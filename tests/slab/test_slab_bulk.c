/* SPDX-License-Identifier: MIT */
/*
 * test_slab_bulk.c - pmm_kmem_cache_alloc_bulk() and
 * pmm_kmem_cache_free_bulk(): all or none, Linux's semantics, and every bad
 * input of both (rows S01..S11 and S14 of docs/errors.md), each compared byte for
 * byte before and after: the page descriptors, the caches' descriptors
 * with their per-CPU arrays, and every slab of the caches whole.
 *
 * The machine: 32 MiB of one Normal zone (slab_fixture_setup()).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include <pmm/check.h>
#include <pmm/linux/slab.h>

#include "../../src/slab/slab_fast.h"
#include "host_platform.h"
#include "slab_setup.h"
#include "slab_snap.h"

static uint64_t allocated(struct pmm_kmem_cache *c)
{
	struct pmm_slab_stats st;
	assert_int_equal(pmm_kmem_cache_stats(c, &st), 0);
	return st.allocated;
}

/* 16, 64 and 1000 objects (the last more than a CPU array holds) in and
 * out; every object distinct, aligned, writable, and counted. */
static void test_bulk_round_trip(void **state)
{
	(void)state;
	struct pmm_kmem_cache *c = pmm_kmem_cache_create("bulk64", 64, 0, 0, NULL);
	static void *objs[1000];
	static const size_t sizes[] = { 16, 64, 1000 };
	assert_non_null(c);
	for (size_t k = 0; k < 3; k++) {
		size_t n = sizes[k];
		assert_int_equal(pmm_kmem_cache_alloc_bulk(c, 0, n, objs), n);
		assert_int_equal(allocated(c), n);
		for (size_t i = 0; i < n; i++) {
			assert_int_equal((uintptr_t)objs[i] % 8, 0);
			memset(objs[i], (int)i, 64);
			for (size_t j = 0; j < i; j++)
				assert_ptr_not_equal(objs[i], objs[j]);
		}
		assert_null(pmm_slab_check());
		for (size_t i = 0; i < n; i++)
			assert_int_equal(((unsigned char *)objs[i])[63], i & 0xff);
		assert_int_equal(pmm_kmem_cache_free_bulk(c, n, objs), 0);
		assert_int_equal(allocated(c), 0);
		assert_null(pmm_slab_check());
	}
	assert_int_equal(slab_reports_since(), 0);
	assert_int_equal(pmm_kmem_cache_destroy(c), 0);
}

/* PMM_GFP_ZERO zeroes each object; a debug cache goes the slow way and
 * keeps its red zones and poison right. */
static void test_bulk_zero_and_debug(void **state)
{
	(void)state;
	struct pmm_kmem_cache *c = pmm_kmem_cache_create("bulkdbg", 40, 0,
							 PMM_SLAB_DEBUG, NULL);
	void *objs[20];
	assert_non_null(c);
	assert_int_equal(pmm_kmem_cache_alloc_bulk(c, PMM_GFP_ZERO, 20, objs), 20);
	for (int i = 0; i < 20; i++)
		for (int b = 0; b < 40; b++)
			assert_int_equal(((unsigned char *)objs[i])[b], 0);
	assert_null(pmm_slab_check());
	assert_int_equal(pmm_kmem_cache_free_bulk(c, 20, objs), 0);
	assert_null(pmm_slab_check());
	assert_int_equal(allocated(c), 0);
	assert_int_equal(slab_reports_since(), 0);
	assert_int_equal(pmm_kmem_cache_destroy(c), 0);
}

/* Cache NULL frees objects of several caches and kmalloc's; NULL entries
 * are skipped. */
static void test_bulk_free_any_cache(void **state)
{
	(void)state;
	struct pmm_kmem_cache *a = pmm_kmem_cache_create("bulka", 24, 0, 0, NULL);
	struct pmm_kmem_cache *b = pmm_kmem_cache_create("bulkb", 200, 0, 0, NULL);
	void *objs[6] = {
		pmm_kmem_cache_alloc(a, 0), NULL, pmm_kmem_cache_alloc(b, 0),
		pmm_kmalloc(100, 0), pmm_kmem_cache_alloc(a, 0), NULL,
	};
	assert_int_equal(pmm_kmem_cache_free_bulk(NULL, 6, objs), 0);
	assert_int_equal(allocated(a), 0);
	assert_int_equal(allocated(b), 0);
	assert_int_equal(pmm_kmem_cache_free_bulk(NULL, 0, NULL), 0);
	assert_int_equal(slab_reports_since(), 0);
	assert_int_equal(pmm_kmem_cache_destroy(a), 0);
	assert_int_equal(pmm_kmem_cache_destroy(b), 0);
}

/* More objects than memory: 0, and every object taken went back. */
static void test_bulk_alloc_out_of_memory(void **state)
{
	(void)state;
	struct pmm_kmem_cache *c = pmm_kmem_cache_create("bulkbig", 4096, 0, 0, NULL);
	size_t n = 9000; /* 36 MiB of 4 KiB objects; the machine has 32 */
	void **objs = calloc(n, sizeof(*objs));
	assert_non_null(objs);
	assert_int_equal(pmm_kmem_cache_alloc_bulk(c, 0, n, objs), 0);
	assert_int_equal(allocated(c), 0);
	assert_null(pmm_slab_check());
	assert_null(pmm_check());
	/* The memory is usable again: half of it in one call. */
	assert_int_equal(pmm_kmem_cache_alloc_bulk(c, 0, n / 2, objs), n / 2);
	assert_int_equal(pmm_kmem_cache_free_bulk(c, n / 2, objs), 0);
	free(objs);
	assert_int_equal(slab_reports_since(), 0);
	assert_int_equal(pmm_kmem_cache_destroy(c), 0);
}

/* Linux's names: size or 0. */
static void test_bulk_linux_names(void **state)
{
	(void)state;
	struct kmem_cache *s = kmem_cache_create("bulklx", 48, 0, 0, NULL);
	void *objs[16];
	assert_int_equal(kmem_cache_alloc_bulk(s, GFP_KERNEL, 16, objs), 16);
	kmem_cache_free_bulk(s, 16, objs);
	assert_int_equal(kmem_cache_alloc_bulk(NULL, GFP_KERNEL, 16, objs), 0);
	assert_int_equal(allocated(s), 0);
	kmem_cache_destroy(s);
}

/* A cache of 64-byte objects with 8 allocated (objs[0..8)), and a second
 * cache with one object out. */
struct fixture {
	struct pmm_kmem_cache *c, *other;
	void *objs[8];
	void *foreign;
};

static void fixture_make(struct fixture *f, unsigned int flags)
{
	f->c = pmm_kmem_cache_create("bulkerr", 64, 0, flags, NULL);
	f->other = pmm_kmem_cache_create("bulkother", 64, 0, 0, NULL);
	assert_int_equal(pmm_kmem_cache_alloc_bulk(f->c, 0, 8, f->objs), 8);
	f->foreign = pmm_kmem_cache_alloc(f->other, 0);
	assert_non_null(f->foreign);
	assert_int_equal(slab_reports_since(), 0);
}

static void fixture_end(struct fixture *f)
{
	assert_int_equal(pmm_kmem_cache_free_bulk(f->c, 8, f->objs), 0);
	assert_int_equal(pmm_kmem_cache_free(f->other, f->foreign), 0);
	assert_int_equal(slab_reports_since(), 0);
}

/* S01-S03: alloc_bulk of no cache, into no array, or 0 objects. */
static void test_S01_S03_alloc_bad_args(void **state)
{
	(void)state;
	struct fixture f;
	void *objs[4] = { NULL, NULL, NULL, NULL };
	long local;
	fixture_make(&f, 0);
	struct snap s = snap_take(f.c, f.other);
	assert_int_equal(pmm_kmem_cache_alloc_bulk(NULL, 0, 4, objs), PMM_EINVAL);
	assert_int_equal(pmm_kmem_cache_alloc_bulk((void *)&local, 0, 4, objs),
			 PMM_EINVAL);
	assert_int_equal(pmm_kmem_cache_alloc_bulk(f.c, 0, 4, NULL), PMM_EINVAL);
	assert_int_equal(pmm_kmem_cache_alloc_bulk(f.c, 0, (size_t)LONG_MAX + 1,
						   objs), PMM_EINVAL);
	assert_int_equal(pmm_kmem_cache_alloc_bulk(f.c, 0, 0, objs), 0);
	assert_null(objs[0]);
	assert_int_equal(slab_reports_since(), 0);
	snap_same(&s, f.c, f.other);
	fixture_end(&f);
}

/* S04-S05: free_bulk of no array, or with a cache that is none. */
static void test_S04_S05_free_bad_args(void **state)
{
	(void)state;
	struct fixture f;
	long local;
	fixture_make(&f, 0);
	struct snap s = snap_take(f.c, f.other);
	assert_int_equal(pmm_kmem_cache_free_bulk(f.c, 3, NULL), PMM_EINVAL);
	assert_int_equal(slab_reports_since(), 0);
	assert_int_equal(pmm_kmem_cache_free_bulk((void *)&local, 8, f.objs),
			 PMM_EINVAL);
	reported(PMM_EINVAL);
	snap_same(&s, f.c, f.other);
	fixture_end(&f);
}

/* Free @bad in the middle of the 8 good objects of @f: @want, one report,
 * nothing changed. */
static void free_with_bad(struct fixture *f, struct pmm_kmem_cache *cache,
			  void *bad, int want)
{
	void *objs[9];
	memcpy(objs, f->objs, 4 * sizeof(void *));
	objs[4] = bad;
	memcpy(objs + 5, f->objs + 4, 4 * sizeof(void *));
	struct snap s = snap_take(f->c, f->other);
	assert_int_equal(pmm_kmem_cache_free_bulk(cache, 9, objs), want);
	reported(want);
	snap_same(&s, f->c, f->other);
}

/* S06: a pointer that is no slab object (host memory, a page block). */
static void test_S06_free_not_an_object(void **state)
{
	(void)state;
	struct fixture f;
	long local;
	fixture_make(&f, 0);
	void *big = pmm_kmalloc(20000, 0);
	free_with_bad(&f, f.c, &local, PMM_EINVAL);
	free_with_bad(&f, NULL, big, PMM_EINVAL);
	assert_int_equal(pmm_kfree(big), 0);
	fixture_end(&f);
}

/* Free @bad, a pointer into a slab of @c (the fixture's cache or another),
 * by every free call: @want, one report each, nothing changed. */
static void refuse_everywhere(struct fixture *f, struct pmm_kmem_cache *c,
			      void *bad, int want)
{
	if (c == f->c)
		free_with_bad(f, f->c, bad, want);
	free_with_bad(f, NULL, bad, want);
	struct snap s = snap_take(c, c == f->c ? f->other : f->c);
	assert_int_equal(pmm_kmem_cache_free(c, bad), want);
	reported(want);
	assert_int_equal(pmm_kfree(bad), want);
	reported(want);
	snap_same(&s, c, c == f->c ? f->other : f->c);
}

/*
 * S14: pointers into a slab but into no object, for a one-page and a
 * multi-page slab (the index takes one bound check for both ends):
 *
 *   [ header | books | pad | obj 0 | ... | obj n-1 | tail? ]
 *     ^start           ^object 0 - 1              ^last byte
 *
 * The start and the byte before object 0 are in no object (PMM_EINVAL);
 * the last byte is in the tail (PMM_EINVAL) or inside the last object
 * (PMM_ENOTHEAD).
 */
static void test_S14_free_outside_the_objects(void **state)
{
	(void)state;
	struct fixture f;
	fixture_make(&f, 0);
	struct pmm_kmem_cache *big = pmm_kmem_cache_create("bulkbig", 3000, 0, 0,
							   NULL);
	void *one = pmm_kmem_cache_alloc(big, 0);
	assert_non_null(one);
	assert_true(big->order > 0);
	struct pmm_kmem_cache *caches[2] = { f.c, big };
	void *inside[2] = { f.objs[0], one };
	for (int k = 0; k < 2; k++) {
		struct pmm_kmem_cache *c = caches[k];
		unsigned char *start = (unsigned char *)slab_lookup(inside[k]);
		assert_non_null(start);
		size_t span = (size_t)PMM_PAGE_SIZE << c->order;
		size_t end = c->objs_off + (size_t)c->objs_per_slab * c->slot;
		refuse_everywhere(&f, c, start, PMM_EINVAL);
		refuse_everywhere(&f, c, start + c->first_off - 1, PMM_EINVAL);
		refuse_everywhere(&f, c, start + span - 1,
				  end < span ? PMM_EINVAL : PMM_ENOTHEAD);
	}
	assert_int_equal(pmm_kmem_cache_free(big, one), 0);
	assert_int_equal(pmm_kmem_cache_destroy(big), 0);
	fixture_end(&f);
}

/* S07: an object of another cache. */
static void test_S07_free_other_cache(void **state)
{
	(void)state;
	struct fixture f;
	fixture_make(&f, 0);
	free_with_bad(&f, f.c, f.foreign, PMM_EINVAL);
	fixture_end(&f);
}

/*
 * The single free's own refusals (S05, S06, S07 for pmm_kmem_cache_free):
 * a live object freed through no cache or another cache, and
 * PMM_ZERO_SIZE_PTR; NULL is no error. Its fast path frees only an
 * object whose slab names the cache given, so each of these goes the slow
 * way: one report, nothing changed, and the object is still freed after.
 */
static void test_single_free_refusals(void **state)
{
	(void)state;
	struct fixture f;
	long local;
	fixture_make(&f, 0);
	struct snap s = snap_take(f.c, f.other);
	assert_int_equal(pmm_kmem_cache_free((void *)&local, f.objs[3]), PMM_EINVAL);
	reported(PMM_EINVAL);
	assert_int_equal(pmm_kmem_cache_free(NULL, f.objs[3]), PMM_EINVAL);
	reported(PMM_EINVAL);
	assert_int_equal(pmm_kmem_cache_free(f.other, f.objs[3]), PMM_EINVAL);
	reported(PMM_EINVAL);
	assert_int_equal(pmm_kmem_cache_free(f.c, f.foreign), PMM_EINVAL);
	reported(PMM_EINVAL);
	assert_int_equal(pmm_kmem_cache_free(f.c, PMM_ZERO_SIZE_PTR), PMM_EINVAL);
	reported(PMM_EINVAL);
	assert_int_equal(pmm_kmem_cache_free(f.c, NULL), 0);
	assert_int_equal(pmm_kmem_cache_free((void *)&local, NULL), 0);
	assert_int_equal(slab_reports_since(), 0);
	snap_same(&s, f.c, f.other);
	fixture_end(&f);
}

/* S08: a pointer inside an object. */
static void test_S08_free_inside(void **state)
{
	(void)state;
	struct fixture f;
	fixture_make(&f, 0);
	free_with_bad(&f, f.c, (char *)f.objs[2] + 8, PMM_ENOTHEAD);
	free_with_bad(&f, NULL, (char *)f.objs[7] + 63, PMM_ENOTHEAD);
	fixture_end(&f);
}

/* S09: an object named twice (its first claim is put back). */
static void test_S09_free_twice_in_array(void **state)
{
	(void)state;
	struct fixture f;
	fixture_make(&f, 0);
	free_with_bad(&f, f.c, f.objs[1], PMM_EDOUBLEFREE);
	free_with_bad(&f, NULL, f.objs[7], PMM_EDOUBLEFREE);
	fixture_end(&f);
}

/* S10: an object already free (in the CPU array, or on its slab). */
static void test_S10_free_already_free(void **state)
{
	(void)state;
	struct fixture f;
	fixture_make(&f, 0);
	void *gone = pmm_kmem_cache_alloc(f.c, 0);
	assert_int_equal(pmm_kmem_cache_free(f.c, gone), 0);
	free_with_bad(&f, f.c, gone, PMM_EDOUBLEFREE);
	assert_int_equal(pmm_kmem_cache_shrink(f.c), 0);
	free_with_bad(&f, f.c, gone, PMM_EDOUBLEFREE);
	fixture_end(&f);
}

/* S11: an object whose red zone was overwritten: it stays allocated. */
static void test_S11_free_red_zone(void **state)
{
	(void)state;
	struct fixture f;
	fixture_make(&f, PMM_SLAB_RED_ZONE);
	void *hurt = pmm_kmem_cache_alloc(f.c, 0);
	((unsigned char *)hurt)[64] = 0x11; /* the right red zone */
	free_with_bad(&f, f.c, hurt, PMM_ECORRUPT);
	((unsigned char *)hurt)[64] = PMM_SLAB_RED_ACTIVE;
	assert_int_equal(pmm_kmem_cache_free(f.c, hurt), 0);
	fixture_end(&f);
}

int main(void)
{
#define CASE(t) cmocka_unit_test_setup_teardown(t, slab_fixture_setup, slab_fixture_teardown)
	const struct CMUnitTest tests[] = {
		CASE(test_bulk_round_trip),
		CASE(test_bulk_zero_and_debug),
		CASE(test_bulk_free_any_cache),
		CASE(test_bulk_alloc_out_of_memory),
		CASE(test_bulk_linux_names),
		CASE(test_S01_S03_alloc_bad_args),
		CASE(test_S04_S05_free_bad_args),
		CASE(test_S06_free_not_an_object),
		CASE(test_S14_free_outside_the_objects),
		CASE(test_S07_free_other_cache),
		CASE(test_single_free_refusals),
		CASE(test_S08_free_inside),
		CASE(test_S09_free_twice_in_array),
		CASE(test_S10_free_already_free),
		CASE(test_S11_free_red_zone),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
