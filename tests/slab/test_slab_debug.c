/* SPDX-License-Identifier: MIT */
/*
 * test_slab_debug.c - red zones and poisoning: overruns, underruns and
 * writes after free are reported with the cache's name, the object and
 * the offset, and pmm_slab_check() finds them too.
 *
 * A slot of the 64-byte cache "rz" (red zones, poison, align 8):
 *
 *   | cc x8 | object: 64 bytes  | cc x8 |     allocated
 *   | bb x8 | 6b x63, a5        | bb x8 |     free
 *     -8..-1  0..63               64..71      offsets from the object
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include <pmm/check.h>

#include "host_platform.h"
#include "slab_setup.h"

static struct pmm_kmem_cache *rz_cache(void)
{
	struct pmm_kmem_cache *c = pmm_kmem_cache_create("rz", 64, 8,
							 PMM_SLAB_DEBUG, NULL);
	assert_non_null(c);
	return c;
}

static uint64_t allocated(struct pmm_kmem_cache *c)
{
	struct pmm_slab_stats st;
	assert_int_equal(pmm_kmem_cache_stats(c, &st), 0);
	return st.allocated;
}

/* Patterns as the picture says, on a fresh object and after a free. */
static void test_debug_patterns(void **state)
{
	(void)state;
	struct pmm_kmem_cache *c = rz_cache();
	unsigned char *p = pmm_kmem_cache_alloc(c, 0);
	assert_int_equal(p[-8], PMM_SLAB_RED_ACTIVE);
	assert_int_equal(p[-1], PMM_SLAB_RED_ACTIVE);
	assert_int_equal(p[0], PMM_SLAB_POISON_FREE);
	assert_int_equal(p[63], PMM_SLAB_POISON_END);
	assert_int_equal(p[64], PMM_SLAB_RED_ACTIVE);
	assert_int_equal(p[71], PMM_SLAB_RED_ACTIVE);
	memset(p, 0, 64);
	assert_null(pmm_slab_check());
	assert_int_equal(pmm_kmem_cache_free(c, p), 0);
	assert_int_equal(p[-1], PMM_SLAB_RED_INACTIVE);
	assert_int_equal(p[10], PMM_SLAB_POISON_FREE);
	assert_int_equal(p[63], PMM_SLAB_POISON_END);
	assert_int_equal(p[64], PMM_SLAB_RED_INACTIVE);
	assert_null(pmm_slab_check());
	assert_int_equal(slab_reports_since(), 0);
}

/* One byte past the end: the free is refused with the offset, the object
 * stays allocated; repaired, it frees. */
static void test_debug_overrun(void **state)
{
	(void)state;
	struct pmm_kmem_cache *c = rz_cache();
	unsigned char *p = pmm_kmem_cache_alloc(c, 0);
	p[64] = 0;
	const char *e = pmm_slab_check();
	assert_non_null(e);
	assert_non_null(strstr(e, "cache rz: allocated object 0"));
	assert_non_null(strstr(e, "right red zone byte at offset 64 is 0x00, want 0xcc"));
	slab_reports_since();
	assert_int_equal(pmm_kmem_cache_free(c, p), PMM_ECORRUPT);
	assert_int_equal(slab_reports_since(), 1);
	assert_int_equal(host_last_report_err(), PMM_ECORRUPT);
	assert_non_null(strstr(host_last_report_msg(), "cache rz: object 0"));
	assert_non_null(strstr(host_last_report_msg(), "right red zone byte at offset 64"));
	assert_non_null(strstr(host_last_report_msg(), "written outside the object"));
	assert_int_equal(allocated(c), 1);
	p[64] = PMM_SLAB_RED_ACTIVE;
	assert_null(pmm_slab_check());
	assert_int_equal(pmm_kmem_cache_free(c, p), 0);
	assert_int_equal(allocated(c), 0);
}

/* A write before the start lands in the left red zone: offset -3. */
static void test_debug_underrun(void **state)
{
	(void)state;
	struct pmm_kmem_cache *c = rz_cache();
	unsigned char *a = pmm_kmem_cache_alloc(c, 0);
	unsigned char *b = pmm_kmem_cache_alloc(c, 0);
	b[-3] = 1;
	assert_int_equal(pmm_kmem_cache_free(c, b), PMM_ECORRUPT);
	assert_non_null(strstr(host_last_report_msg(), "object 1"));
	assert_non_null(strstr(host_last_report_msg(), "left red zone byte at offset -3 is 0x01"));
	b[-3] = PMM_SLAB_RED_ACTIVE;
	assert_int_equal(pmm_kmem_cache_free(c, b), 0);
	assert_int_equal(pmm_kmem_cache_free(c, a), 0);
	assert_null(pmm_slab_check());
}

/* A write after free: pmm_slab_check() sees it in the free object, and
 * the next allocation of the object reports it with the offset. */
static void test_debug_use_after_free(void **state)
{
	(void)state;
	struct pmm_kmem_cache *c = rz_cache();
	unsigned char *p = pmm_kmem_cache_alloc(c, 0);
	assert_int_equal(pmm_kmem_cache_free(c, p), 0);
	p[5] = 0x42;
	const char *e = pmm_slab_check();
	assert_non_null(e);
	assert_non_null(strstr(e, "free object 0"));
	assert_non_null(strstr(e, "object byte at offset 5 is 0x42, want 0x6b"));
	slab_reports_since();
	unsigned char *q = pmm_kmem_cache_alloc(c, 0);
	assert_ptr_equal(p, q);
	assert_int_equal(slab_reports_since(), 1);
	assert_non_null(strstr(host_last_report_msg(), "cache rz: object 0"));
	assert_non_null(strstr(host_last_report_msg(), "offset 5 is 0x42, want 0x6b (written after free)"));
	/* Handed out all the same, with active red zones: consistent again. */
	assert_null(pmm_slab_check());
	assert_int_equal(pmm_kmem_cache_free(c, q), 0);
	/* A write into a free object's red zone is a use after free too. */
	q[66] = 0;
	assert_non_null(pmm_slab_check());
	q = pmm_kmem_cache_alloc(c, 0);
	assert_non_null(strstr(host_last_report_msg(), "right red zone byte at offset 66 is 0x00, want 0xbb"));
	assert_int_equal(pmm_kmem_cache_free(c, q), 0);
	assert_null(pmm_slab_check());
}

/* A double free of a debug cache is a double free, not a red zone
 * finding (the alloc bit is checked first). */
static void test_debug_double_free(void **state)
{
	(void)state;
	struct pmm_kmem_cache *c = rz_cache();
	void *p = pmm_kmem_cache_alloc(c, 0);
	assert_int_equal(pmm_kmem_cache_free(c, p), 0);
	assert_int_equal(pmm_kmem_cache_free(c, p), PMM_EDOUBLEFREE);
	assert_null(pmm_slab_check());
}

static unsigned int ctor_calls;

static void ctor_mark(void *obj)
{
	ctor_calls++;
	memset(obj, 0x11, 32);
}

/* With poisoning the constructor runs at each allocation, after the
 * poison check, so callers still get constructed objects. */
static void test_debug_poison_with_ctor(void **state)
{
	(void)state;
	ctor_calls = 0;
	struct pmm_kmem_cache *c = pmm_kmem_cache_create("pc", 32, 0,
							 PMM_SLAB_POISON, ctor_mark);
	unsigned char *p = pmm_kmem_cache_alloc(c, 0);
	assert_int_equal(ctor_calls, 1);
	assert_int_equal(p[31], 0x11);
	assert_int_equal(pmm_kmem_cache_free(c, p), 0);
	assert_int_equal(p[0], PMM_SLAB_POISON_FREE);
	p = pmm_kmem_cache_alloc(c, 0);
	assert_int_equal(ctor_calls, 2);
	assert_int_equal(p[0], 0x11);
	assert_int_equal(pmm_kmem_cache_free(c, p), 0);
	assert_null(pmm_slab_check());
}

/* pmm_slab_init(PMM_SLAB_DEBUG) puts red zones on the kmalloc caches; the
 * caller may use all of ksize() but not a byte more. */
static void test_debug_kmalloc_flags(void **state)
{
	(void)state;
	assert_int_equal(pmm_slab_init(PMM_SLAB_DEBUG), 0);
	unsigned char *p = pmm_kmalloc(20, 0);
	assert_int_equal(pmm_ksize(p), 32);
	memset(p, 0, 32);
	assert_null(pmm_slab_check());
	p[32] = 9;
	assert_int_equal(pmm_kfree(p), PMM_ECORRUPT);
	assert_non_null(strstr(host_last_report_msg(), "cache kmalloc-32"));
	assert_non_null(strstr(host_last_report_msg(), "offset 32 is 0x09"));
	p[32] = PMM_SLAB_RED_ACTIVE;
	assert_int_equal(pmm_kfree(p), 0);
	assert_null(pmm_slab_check());
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_debug_patterns, slab_fixture_setup, slab_fixture_teardown),
		cmocka_unit_test_setup_teardown(test_debug_overrun, slab_fixture_setup, slab_fixture_teardown),
		cmocka_unit_test_setup_teardown(test_debug_underrun, slab_fixture_setup, slab_fixture_teardown),
		cmocka_unit_test_setup_teardown(test_debug_use_after_free, slab_fixture_setup, slab_fixture_teardown),
		cmocka_unit_test_setup_teardown(test_debug_double_free, slab_fixture_setup, slab_fixture_teardown),
		cmocka_unit_test_setup_teardown(test_debug_poison_with_ctor, slab_fixture_setup, slab_fixture_teardown),
		cmocka_unit_test_setup_teardown(test_debug_kmalloc_flags, slab_fixture_setup, slab_fixture_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
