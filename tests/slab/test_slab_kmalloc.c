/* SPDX-License-Identifier: MIT */
/*
 * test_slab_kmalloc.c - kmalloc, kzalloc, kmalloc_array, kfree, ksize and
 * krealloc: the size classes, the large sizes that go straight to pages,
 * the zone flags, and every bad pointer kfree() can be given.
 *
 *   size:   1..8 | 9..16 | ... | 65..96 | 97..128 | 129..192 | ... | 4097..8192 | 8193.. 4 MiB
 *   class:  8    | 16    | ... | 96     | 128     | 192      | ... | 8192       | 2^k pages
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pmm/check.h>

#include "buddy_setup.h"
#include "host_platform.h"
#include "slab_setup.h"

#define NPAGES 8192u

/* The class table and the index of every size up to the last class. */
static void test_kmalloc_classes(void **state)
{
	(void)state;
	static const size_t want[] = { 8, 16, 32, 64, 96, 128, 192, 256, 512,
				       1024, 2048, 4096, 8192 };
	for (int i = 0; i < 13; i++)
		assert_int_equal(pmm_kmalloc_class_size(i), want[i]);
	assert_int_equal(pmm_kmalloc_class_size(13), 0);
	assert_int_equal(pmm_kmalloc_class_size(-1), 0);
	assert_int_equal(pmm_kmalloc_index(0), -1);
	assert_int_equal(pmm_kmalloc_index(8193), -1);
	for (size_t s = 1; s <= 8192; s++) {
		int i = pmm_kmalloc_index(s);
		assert_true(i >= 0);
		assert_true(pmm_kmalloc_class_size(i) >= s);
		assert_true(i == 0 || pmm_kmalloc_class_size(i - 1) < s);
	}
}

/* Every class: ksize is the class size, the alignment as promised, the
 * whole class usable, a cache named as Linux names it. */
static void test_kmalloc_each_class(void **state)
{
	(void)state;
	for (int i = 0; i < 13; i++) {
		size_t cs = pmm_kmalloc_class_size(i);
		size_t req = cs > 8 ? cs - 3 : cs;
		unsigned char *p = pmm_kmalloc(req, 0);
		assert_non_null(p);
		assert_int_equal(pmm_ksize(p), cs);
		size_t al = cs & (~cs + 1);
		if (al > PMM_PAGE_SIZE)
			al = PMM_PAGE_SIZE;
		assert_int_equal((uintptr_t)p % al, 0);
		memset(p, 0xee, cs);
		assert_int_equal(pmm_kfree(p), 0);
	}
	char *info = slab_info_text();
	assert_non_null(strstr(info, "\nkmalloc-96 "));
	assert_non_null(strstr(info, "\nkmalloc-192 "));
	assert_non_null(strstr(info, "\nkmalloc-8192 "));
	/* Slabs: one page up to 512 bytes; from 32 bytes on, objects fill at
	 * least 7/8 of every slab (smaller ones pay 3 bytes: free stack entry
	 * and state byte, so 8-byte objects fill 8/11 of it). */
	for (int i = 0; i < 13; i++) {
		char name[32];
		struct slab_info_line l;
		size_t cs = pmm_kmalloc_class_size(i);
		snprintf(name, sizeof(name), "kmalloc-%zu", cs);
		assert_true(slab_info_find(info, name, &l));
		assert_int_equal(l.objsize, cs);
		if (cs <= 512)
			assert_int_equal(l.pages, 1);
		if (cs >= 32)
			assert_true(l.perslab * cs * 8 >= l.pages * PMM_PAGE_SIZE * 7);
		else
			assert_true(l.perslab * cs * 3 >= l.pages * PMM_PAGE_SIZE * 2);
	}
	free(info);
}

/* Size 0 gives ZERO_SIZE_PTR, which kfree() and ksize() accept. */
static void test_kmalloc_zero_size(void **state)
{
	(void)state;
	uint64_t free0 = pmm_nr_free_pages();
	void *z = pmm_kmalloc(0, 0);
	assert_ptr_equal(z, PMM_ZERO_SIZE_PTR);
	assert_int_equal(pmm_ksize(z), 0);
	assert_int_equal(pmm_kfree(z), 0);
	assert_int_equal(pmm_kfree(NULL), 0);
	assert_int_equal(pmm_ksize(NULL), 0);
	assert_int_equal(pmm_nr_free_pages(), free0);
	assert_int_equal(slab_reports_since(), 0);
}

/*
 * Above 8192 bytes kmalloc hands out whole blocks:
 *   20000 bytes -> order 3 (32 KiB), page aligned, tagged "KMAL"
 */
static void test_kmalloc_large(void **state)
{
	(void)state;
	uint64_t free0 = pmm_nr_free_pages();
	unsigned char *p = pmm_kmalloc(20000, 0);
	assert_non_null(p);
	assert_int_equal((uintptr_t)(p - (unsigned char *)host_phys_ptr(0)) % PMM_PAGE_SIZE, 0);
	assert_int_equal(pmm_ksize(p), 32768);
	assert_int_equal(pmm_nr_free_pages(), free0 - 8);
	memset(p, 1, 32768);
	char *owner = slab_owner_text();
	assert_non_null(strstr(owner, "tag 0x4b4d414c00004e20"));
	free(owner);
	slab_reports_since();
	assert_int_equal(pmm_kfree(p + 4096), PMM_ENOTHEAD);
	assert_non_null(strstr(host_last_report_msg(), "4096 bytes into the kmalloc block"));
	assert_int_equal(pmm_ksize(p + 1), 0);
	assert_int_equal(slab_reports_since(), 2);
	assert_int_equal(pmm_kfree(p), 0);
	assert_int_equal(pmm_nr_free_pages(), free0);
	/* The block is free now: a second kfree finds no allocation. */
	assert_int_equal(pmm_kfree(p), PMM_EINVAL);
	assert_int_equal(pmm_nr_free_pages(), free0);
	/* Too large for any block; an array whose size wraps. */
	assert_null(pmm_kmalloc(PMM_KMALLOC_MAX_SIZE + 1, 0));
	assert_null(pmm_kmalloc(SIZE_MAX, 0));
	assert_null(pmm_kmalloc_array(SIZE_MAX / 2, 4, 0));
	assert_null(pmm_kmalloc_array(3, SIZE_MAX / 2, 0));
	void *a = pmm_kmalloc_array(10, 12, 0);
	assert_int_equal(pmm_ksize(a), 128);
	pmm_kfree(a);
	free0 = pmm_nr_free_pages(); /* kmalloc-128 has its descriptor and a slab now */
	void *big = pmm_kmalloc(PMM_KMALLOC_MAX_SIZE, 0);
	assert_non_null(big);
	assert_int_equal(pmm_ksize(big), PMM_KMALLOC_MAX_SIZE);
	pmm_kfree(big);
	assert_int_equal(pmm_nr_free_pages(), free0);
}

/* kzalloc zeroes memory that held data, small and large. */
static void test_kmalloc_kzalloc(void **state)
{
	(void)state;
	static const size_t sizes[] = { 24, 700, 8000, 50000 };
	for (unsigned int k = 0; k < 4; k++) {
		unsigned char *p = pmm_kmalloc(sizes[k], 0);
		memset(p, 0xff, sizes[k]);
		pmm_kfree(p);
		unsigned char *q = pmm_kzalloc(sizes[k], 0);
		assert_non_null(q);
		for (size_t i = 0; i < sizes[k]; i++)
			assert_int_equal(q[i], 0);
		pmm_kfree(q);
	}
}

/* krealloc: in place while it fits, moved with its contents when not. */
static void test_kmalloc_krealloc(void **state)
{
	(void)state;
	unsigned char *p = pmm_krealloc(NULL, 40, 0);
	assert_non_null(p);
	assert_int_equal(pmm_ksize(p), 64);
	for (int i = 0; i < 40; i++)
		p[i] = (unsigned char)i;
	assert_ptr_equal(pmm_krealloc(p, 64, 0), p);
	assert_ptr_equal(pmm_krealloc(p, 10, 0), p);
	unsigned char *q = pmm_krealloc(p, 3000, 0);
	assert_non_null(q);
	assert_ptr_not_equal(q, p);
	assert_int_equal(pmm_ksize(q), 4096);
	for (int i = 0; i < 40; i++)
		assert_int_equal(q[i], i);
	unsigned char *r = pmm_krealloc(q, 100000, 0);
	assert_int_equal(pmm_ksize(r), 131072);
	for (int i = 0; i < 40; i++)
		assert_int_equal(r[i], i);
	/* Size 0 frees and answers ZERO_SIZE_PTR. */
	assert_ptr_equal(pmm_krealloc(r, 0, 0), PMM_ZERO_SIZE_PTR);
	assert_int_equal(pmm_kfree(r), PMM_EINVAL);
	void *z = pmm_krealloc(PMM_ZERO_SIZE_PTR, 8, 0);
	assert_int_equal(pmm_ksize(z), 8);
	/* A pointer that is no allocation: NULL, reported, untouched. */
	slab_reports_since();
	int local = 7;
	assert_null(pmm_krealloc(&local, 100, 0));
	assert_int_equal(local, 7);
	assert_int_equal(slab_reports_since(), 1);
	/* Out of memory: NULL, the old allocation intact. */
	assert_null(pmm_krealloc(z, PMM_KMALLOC_MAX_SIZE + 1, 0));
	assert_int_equal(pmm_ksize(z), 8);
	pmm_kfree(z);
}

/*
 * kfree() of what kmalloc did not hand out:
 *
 *   kmalloc-32 slab  [ hdr | p | x | ... ]   x: freed twice; p + 5: interior
 *   a page tagged 0x77                        freed as kmalloc memory
 *   host stack and heap                       outside simulated memory
 */
static void test_kmalloc_kfree_bad(void **state)
{
	(void)state;
	char *p = pmm_kmalloc(32, 0), *x = pmm_kmalloc(32, 0);
	struct pmm_page *pg = pmm_alloc_pages_tagged(PMM_NUMA_NO_NODE, 0, 1, 0x77, NULL);
	char *plain = host_phys_ptr(PMM_PFN_PHYS(pmm_page_to_pfn(pg)));
	char *heap = malloc(16);
	int local;
	assert_int_equal(pmm_kfree(x), 0);
	slab_reports_since();
	assert_int_equal(pmm_kfree(x), PMM_EDOUBLEFREE);
	assert_non_null(strstr(host_last_report_msg(), "cache kmalloc-32"));
	assert_int_equal(pmm_kfree(p + 5), PMM_ENOTHEAD);
	assert_int_equal(pmm_kfree(plain), PMM_EINVAL);
	assert_non_null(strstr(host_last_report_msg(), "owner tag 0x77"));
	assert_int_equal(pmm_kfree(heap), PMM_EINVAL);
	assert_int_equal(pmm_kfree(&local), PMM_EINVAL);
	assert_int_equal(pmm_kfree(host_phys_ptr(0)), PMM_EINVAL);
	/* Past the end of the simulated memory. */
	assert_int_equal(pmm_kfree((char *)host_phys_ptr(0) + PMM_PFN_PHYS(NPAGES) + 64), PMM_EINVAL);
	assert_int_equal(slab_reports_since(), 7);
	assert_null(pmm_slab_check());
	free(heap);
	pmm_free_pages(pg, 1);
	assert_int_equal(pmm_kfree(p), 0);
}

/* kfree() also frees objects of a caller's own cache. */
static void test_kmalloc_kfree_cache_object(void **state)
{
	(void)state;
	struct pmm_kmem_cache *c = pmm_kmem_cache_create("mine", 72, 0, 0, NULL);
	void *o = pmm_kmem_cache_alloc(c, 0);
	assert_int_equal(pmm_ksize(o), 72);
	assert_int_equal(pmm_kfree(o), 0);
	assert_int_equal(pmm_kmem_cache_destroy(c), 0);
}

/* GFP_DMA and GFP_DMA32 pick their own caches; DMA memory is below the
 * DMA zone's end. */
static void test_kmalloc_dma(void **state)
{
	(void)state;
	slab_teardown();
	assert_int_equal(slab_setup_dma(1024, NPAGES, 0), 0);
	unsigned char *base = host_phys_ptr(0);
	unsigned char *d = pmm_kmalloc(100, PMM_GFP_DMA | PMM_GFP_KERNEL);
	unsigned char *n = pmm_kmalloc(100, PMM_GFP_KERNEL);
	unsigned char *dl = pmm_kmalloc(40000, PMM_GFP_DMA);
	assert_true(d - base < (ptrdiff_t)PMM_PFN_PHYS(1024));
	assert_true(n - base >= (ptrdiff_t)PMM_PFN_PHYS(1024));
	assert_true(dl - base < (ptrdiff_t)PMM_PFN_PHYS(1024));
	void *h = pmm_kmalloc(100, PMM_GFP_HIGHMEM);
	assert_non_null(h);
	char *info = slab_info_text();
	assert_non_null(strstr(info, "\ndma-kmalloc-128 "));
	free(info);
	pmm_kfree(d);
	pmm_kfree(n);
	pmm_kfree(dl);
	pmm_kfree(h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_kmalloc_classes, slab_fixture_setup, slab_fixture_teardown),
		cmocka_unit_test_setup_teardown(test_kmalloc_each_class, slab_fixture_setup, slab_fixture_teardown),
		cmocka_unit_test_setup_teardown(test_kmalloc_zero_size, slab_fixture_setup, slab_fixture_teardown),
		cmocka_unit_test_setup_teardown(test_kmalloc_large, slab_fixture_setup, slab_fixture_teardown),
		cmocka_unit_test_setup_teardown(test_kmalloc_kzalloc, slab_fixture_setup, slab_fixture_teardown),
		cmocka_unit_test_setup_teardown(test_kmalloc_krealloc, slab_fixture_setup, slab_fixture_teardown),
		cmocka_unit_test_setup_teardown(test_kmalloc_kfree_bad, slab_fixture_setup, slab_fixture_teardown),
		cmocka_unit_test_setup_teardown(test_kmalloc_kfree_cache_object, slab_fixture_setup, slab_fixture_teardown),
		cmocka_unit_test_setup_teardown(test_kmalloc_dma, slab_fixture_setup, slab_fixture_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
