/* SPDX-License-Identifier: MIT */
/*
 * test_slab_cache.c - object caches: create, alloc, free, shrink, destroy,
 * constructors, alignment, zone flags, and every bad input of those calls
 * (each reported where the contract says so, and changing nothing).
 *
 * The machine: 32 MiB of one Normal zone (pfn 0 never managed), per-CPU
 * page lists off, so the buddy's free count is exact.
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
#include <pmm/debug.h>

#include "buddy_setup.h"
#include "host_platform.h"
#include "slab_setup.h"

#define NPAGES 4096u

static struct pmm_slab_stats stats(struct pmm_kmem_cache *c)
{
	struct pmm_slab_stats st;
	assert_int_equal(pmm_kmem_cache_stats(c, &st), 0);
	return st;
}

/*
 * A fresh cache of 64-byte objects hands out the first slab in address
 * order:
 *
 *   slab (one page)  [ header | obj0 | obj1 | obj2 | ... ]
 *                              ^a     ^b     ^c
 */
static void test_cache_alloc_address_order(void **state)
{
	(void)state;
	struct pmm_kmem_cache *c = pmm_kmem_cache_create("obj64", 64, 0, 0, NULL);
	assert_non_null(c);
	assert_string_equal(pmm_kmem_cache_name(c), "obj64");
	assert_int_equal(pmm_kmem_cache_size(c), 64);
	char *a = pmm_kmem_cache_alloc(c, 0);
	char *b = pmm_kmem_cache_alloc(c, 0);
	char *d = pmm_kmem_cache_alloc(c, 0);
	assert_non_null(a);
	assert_ptr_equal(b, a + 64);
	assert_ptr_equal(d, b + 64);
	assert_int_equal((uintptr_t)a % 8, 0);
	struct pmm_slab_stats st = stats(c);
	assert_int_equal(st.slabs, 1);
	assert_int_equal(st.order, 0);
	assert_int_equal(st.allocated, 3);
	assert_int_equal(st.inuse, st.allocated + st.cpu_cached);
	assert_true(st.objs_per_slab >= 50);
	assert_int_equal(pmm_kmem_cache_free(c, b), 0);
	assert_ptr_equal(pmm_kmem_cache_alloc(c, 0), b); /* LIFO per CPU */
	assert_int_equal(pmm_kmem_cache_free(c, a), 0);
	assert_int_equal(pmm_kmem_cache_free(c, b), 0);
	assert_int_equal(pmm_kmem_cache_free(c, d), 0);
	assert_int_equal(stats(c).allocated, 0);
	assert_null(pmm_slab_check());
	assert_int_equal(slab_reports_since(), 0);
}

/* More objects than one slab holds: a second slab, both on the lists. */
static void test_cache_grows_and_shrinks(void **state)
{
	(void)state;
	uint64_t free0 = pmm_nr_free_pages();
	struct pmm_kmem_cache *c = pmm_kmem_cache_create("grow", 200, 0, 0, NULL);
	assert_non_null(c);
	uint64_t free_desc = pmm_nr_free_pages();
	uint32_t per = stats(c).objs_per_slab;
	unsigned int n = per * 3 + 1;
	void **p = calloc(n, sizeof(*p));
	for (unsigned int i = 0; i < n; i++) {
		p[i] = pmm_kmem_cache_alloc(c, 0);
		assert_non_null(p[i]);
		memset(p[i], (int)i, 200);
	}
	struct pmm_slab_stats st = stats(c);
	assert_int_equal(st.slabs, 4);
	assert_int_equal(st.allocated, n);
	assert_null(pmm_slab_check());
	for (unsigned int i = 0; i < n; i++) {
		unsigned char *b = p[i];
		assert_int_equal(b[0], (unsigned char)i);
		assert_int_equal(b[199], (unsigned char)i);
		assert_int_equal(pmm_kmem_cache_free(c, p[i]), 0);
	}
	free(p);
	assert_null(pmm_slab_check());
	uint64_t back = pmm_kmem_cache_shrink(c);
	assert_true(back >= 1);
	st = stats(c);
	assert_int_equal(st.slabs, 0);
	assert_int_equal(st.cpu_cached, 0);
	assert_int_equal(st.reaped, st.grown);
	assert_int_equal(pmm_nr_free_pages(), free_desc);
	assert_int_equal(pmm_kmem_cache_destroy(c), 0);
	assert_int_equal(pmm_nr_free_pages(), free0);
}

static unsigned int ctor_calls;

static void ctor_fill(void *obj)
{
	ctor_calls++;
	memset(obj, 0x5a, 48);
}

/* The constructor runs once per object when its slab is made, and the
 * constructed state survives free and allocation (object caching). */
static void test_cache_ctor_once_per_object(void **state)
{
	(void)state;
	ctor_calls = 0;
	struct pmm_kmem_cache *c = pmm_kmem_cache_create("ctor", 48, 16, 0,
							 ctor_fill);
	assert_non_null(c);
	unsigned char *a = pmm_kmem_cache_alloc(c, 0);
	assert_non_null(a);
	uint32_t per = stats(c).objs_per_slab;
	assert_int_equal(ctor_calls, per);
	assert_int_equal(a[0], 0x5a);
	assert_int_equal(a[47], 0x5a);
	assert_int_equal((uintptr_t)a % 16, 0);
	assert_int_equal(pmm_kmem_cache_free(c, a), 0);
	unsigned char *b = pmm_kmem_cache_alloc(c, 0);
	assert_ptr_equal(a, b);
	assert_int_equal(ctor_calls, per);
	assert_int_equal(pmm_kmem_cache_free(c, b), 0);
	assert_int_equal(pmm_kmem_cache_destroy(c), 0);
}

/* Alignment: @align, HWCACHE_ALIGN, and page-aligned objects. */
static void test_cache_alignment(void **state)
{
	(void)state;
	static const size_t aligns[] = { 1, 2, 8, 64, 256, 1024, 4096 };
	for (unsigned int i = 0; i < sizeof(aligns) / sizeof(aligns[0]); i++) {
		struct pmm_kmem_cache *c = pmm_kmem_cache_create("al", 24, aligns[i], 0, NULL);
		assert_non_null(c);
		void *p[5];
		for (int k = 0; k < 5; k++) {
			p[k] = pmm_kmem_cache_alloc(c, 0);
			assert_non_null(p[k]);
			assert_int_equal((uintptr_t)p[k] % aligns[i], 0);
		}
		for (int k = 0; k < 5; k++)
			assert_int_equal(pmm_kmem_cache_free(c, p[k]), 0);
		assert_int_equal(pmm_kmem_cache_destroy(c), 0);
	}
	struct pmm_kmem_cache *c = pmm_kmem_cache_create("hw", 40, 0, PMM_SLAB_HWCACHE_ALIGN, NULL);
	void *a = pmm_kmem_cache_alloc(c, 0), *b = pmm_kmem_cache_alloc(c, 0);
	assert_int_equal((uintptr_t)a % PMM_CACHELINE, 0);
	assert_int_equal((char *)b - (char *)a, PMM_CACHELINE);
	pmm_kmem_cache_free(c, a);
	pmm_kmem_cache_free(c, b);
	assert_int_equal(pmm_kmem_cache_destroy(c), 0);
}

/* Big objects get higher-order slabs; the largest size still works. */
static void test_cache_big_objects(void **state)
{
	(void)state;
	struct pmm_kmem_cache *c = pmm_kmem_cache_create("big", 3000, 0, 0, NULL);
	struct pmm_slab_stats st = stats(c);
	assert_true(st.order >= 1);
	assert_true((uint64_t)st.objs_per_slab * 3000 * 8 >=
		    (PMM_PAGE_SIZE << st.order) * 7);
	void *p = pmm_kmem_cache_alloc(c, 0);
	assert_non_null(p);
	pmm_kmem_cache_free(c, p);
	assert_int_equal(pmm_kmem_cache_destroy(c), 0);
	c = pmm_kmem_cache_create("max", PMM_SLAB_MAX_SIZE, 0, 0, NULL);
	assert_non_null(c);
	assert_int_equal(stats(c).order, PMM_SLAB_MAX_ORDER);
	p = pmm_kmem_cache_alloc(c, PMM_GFP_ZERO);
	assert_non_null(p);
	assert_int_equal(((unsigned char *)p)[PMM_SLAB_MAX_SIZE - 1], 0);
	pmm_kmem_cache_free(c, p);
	assert_int_equal(pmm_kmem_cache_destroy(c), 0);
}

/* PMM_GFP_ZERO zeroes an object that held data. */
static void test_cache_alloc_zero(void **state)
{
	(void)state;
	struct pmm_kmem_cache *c = pmm_kmem_cache_create("z", 100, 0, 0, NULL);
	unsigned char *p = pmm_kmem_cache_alloc(c, 0);
	memset(p, 0xff, 100);
	pmm_kmem_cache_free(c, p);
	unsigned char *q = pmm_kmem_cache_alloc(c, PMM_GFP_ZERO);
	assert_ptr_equal(p, q);
	for (int i = 0; i < 100; i++)
		assert_int_equal(q[i], 0);
	pmm_kmem_cache_free(c, q);
	assert_int_equal(pmm_kmem_cache_destroy(c), 0);
}

/* Creation with bad arguments fails with the documented code and makes
 * nothing: no page taken, no cache listed. */
static void test_cache_create_bad_args(void **state)
{
	(void)state;
	uint64_t free0 = pmm_nr_free_pages();
	struct { const char *name; size_t size, align; unsigned int flags; int err; } bad[] = {
		{ NULL, 32, 0, 0, PMM_EINVAL },
		{ "0123456789012345678901234567890123", 32, 0, 0, PMM_EINVAL },
		{ "zero", 0, 0, 0, PMM_EINVAL },
		{ "flags", 32, 0, 0x100, PMM_EINVAL },
		{ "dmas", 32, 0, PMM_SLAB_CACHE_DMA | PMM_SLAB_CACHE_DMA32, PMM_EINVAL },
		{ "align3", 32, 3, 0, PMM_EALIGN },
		{ "align2p", 32, 2 * PMM_PAGE_SIZE, 0, PMM_EALIGN },
		{ "wrap", SIZE_MAX, 0, 0, PMM_EOVERFLOW },
		{ "wrapred", SIZE_MAX - 8, 0, PMM_SLAB_RED_ZONE, PMM_EOVERFLOW },
		{ "huge", PMM_SLAB_MAX_SIZE + 1, 0, 0, PMM_ERANGE },
	};
	for (unsigned int i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int err = 0;
		assert_null(pmm_kmem_cache_create_err(bad[i].name, bad[i].size,
						      bad[i].align, bad[i].flags,
						      NULL, &err));
		assert_int_equal(err, bad[i].err);
	}
	assert_null(pmm_kmem_cache_create(NULL, 8, 0, 0, NULL));
	assert_int_equal(pmm_nr_free_pages(), free0);
	char *info = slab_info_text();
	assert_null(strstr(info, "zero"));
	assert_null(strstr(info, "huge"));
	free(info);
	assert_int_equal(slab_reports_since(), 0);
}

/* Before pmm_slab_init() nothing works, and nothing breaks (runs first,
 * in a fresh process); bad init flags are refused. */
static void test_cache_before_init(void **state)
{
	(void)state;
	int err = 0;
	assert_int_equal(buddy_setup_simple(NPAGES), 0);
	uint64_t free0 = pmm_nr_free_pages();
	assert_null(pmm_kmem_cache_create_err("early", 8, 0, 0, NULL, &err));
	assert_int_equal(err, PMM_ESTATE);
	assert_null(pmm_kmalloc(8, 0));
	assert_null(pmm_kmalloc(1 << 20, 0));
	assert_null(pmm_slab_check());
	assert_int_equal(pmm_slab_shrink_all(), 0);
	char *t = slab_info_text();
	assert_non_null(strstr(t, "slabinfo - version: 2.1\n# name"));
	assert_null(strstr(t, "kmalloc"));
	free(t);
	assert_int_equal(pmm_nr_free_pages(), free0);
	assert_int_equal(pmm_slab_init(0x80), PMM_EINVAL);
	assert_int_equal(pmm_slab_init(0), 0);
	assert_non_null(pmm_kmem_cache_create_err("ok", 8, 0, 0, NULL, &err));
	assert_int_equal(err, 0);
	buddy_teardown();
}

/* Freeing what is no allocated object of the cache: reported, nothing
 * changes (counts, the object's state, the check).
 *
 *   slab A of "fa"   [ hdr | a0 | a1 | ... ]      a1 freed twice; a0 + 3
 *   slab B of "fb"   [ hdr | b0 | ... ]          b0 freed to "fa"
 *   a plain page     [ tagged 0x1234 ]           freed to "fa"
 */
static void test_cache_free_bad_pointers(void **state)
{
	(void)state;
	struct pmm_kmem_cache *fa = pmm_kmem_cache_create("fa", 32, 0, 0, NULL);
	struct pmm_kmem_cache *fb = pmm_kmem_cache_create("fb", 32, 0, 0, NULL);
	char *a0 = pmm_kmem_cache_alloc(fa, 0);
	char *a1 = pmm_kmem_cache_alloc(fa, 0);
	char *b0 = pmm_kmem_cache_alloc(fb, 0);
	struct pmm_page *pg = pmm_alloc_pages_tagged(PMM_NUMA_NO_NODE, 0, 0, 0x1234, NULL);
	char *plain = host_phys_ptr(PMM_PFN_PHYS(pmm_page_to_pfn(pg)));
	int local;
	char *heap = calloc(1, 64); /* defined bytes: valgrind may hand out a page-aligned block */
	assert_int_equal(pmm_kmem_cache_free(fa, a1), 0);
	struct pmm_slab_stats before = stats(fa);
	slab_reports_since();

	assert_int_equal(pmm_kmem_cache_free(fa, a1), PMM_EDOUBLEFREE);
	assert_int_equal(host_last_report_err(), PMM_EDOUBLEFREE);
	assert_non_null(strstr(host_last_report_msg(), "cache fa"));
	assert_int_equal(pmm_kmem_cache_free(fa, a0 + 3), PMM_ENOTHEAD);
	assert_non_null(strstr(host_last_report_msg(), "3 bytes into object 0"));
	assert_int_equal(pmm_kmem_cache_free(fa, b0), PMM_EINVAL);
	assert_non_null(strstr(host_last_report_msg(), "of cache fb, not of cache fa"));
	assert_int_equal(pmm_kmem_cache_free(fa, plain), PMM_EINVAL);
	assert_int_equal(pmm_kmem_cache_free(fa, &local), PMM_EINVAL);
	assert_int_equal(pmm_kmem_cache_free(fa, heap), PMM_EINVAL);
	assert_int_equal(pmm_kmem_cache_free(fa, (char *)a0 - 64 * 1024), PMM_EINVAL);
	assert_int_equal(pmm_kmem_cache_free(NULL, a0), PMM_EINVAL);
	assert_int_equal(pmm_kmem_cache_free((struct pmm_kmem_cache *)(void *)heap, a0), PMM_EINVAL);
	assert_int_equal(slab_reports_since(), 9);
	assert_int_equal(pmm_kmem_cache_free(fa, NULL), 0);
	assert_int_equal(slab_reports_since(), 0);

	struct pmm_slab_stats after = stats(fa);
	assert_int_equal(after.allocated, before.allocated);
	assert_int_equal(after.inuse, before.inuse);
	assert_int_equal(after.frees, before.frees);
	assert_null(pmm_slab_check());
	free(heap);
	pmm_free_page(pg);
	assert_int_equal(pmm_kmem_cache_free(fa, a0), 0);
	assert_int_equal(pmm_kmem_cache_free(fb, b0), 0);
	assert_null(pmm_kmem_cache_alloc(NULL, 0));
}

/* Destroying a cache with objects out: PMM_EBUSY, reported, and the cache
 * goes on working; once empty it goes, with all its pages. */
static void test_cache_destroy_busy(void **state)
{
	(void)state;
	uint64_t free0 = pmm_nr_free_pages();
	struct pmm_kmem_cache *c = pmm_kmem_cache_create("busy", 512, 0, 0, NULL);
	void *p = pmm_kmem_cache_alloc(c, 0);
	slab_reports_since();
	assert_int_equal(pmm_kmem_cache_destroy(c), PMM_EBUSY);
	assert_int_equal(slab_reports_since(), 1);
	assert_non_null(strstr(host_last_report_msg(), "busy: 1 objects still allocated"));
	void *q = pmm_kmem_cache_alloc(c, 0);
	assert_non_null(q);
	assert_int_equal(pmm_kmem_cache_free(c, q), 0);
	assert_int_equal(pmm_kmem_cache_free(c, p), 0);
	assert_null(pmm_slab_check());
	assert_int_equal(pmm_kmem_cache_destroy(c), 0);
	assert_int_equal(pmm_nr_free_pages(), free0);
	/* Gone: a second destroy and any pointer that is no cache. */
	assert_int_equal(pmm_kmem_cache_destroy(c), PMM_EINVAL);
	assert_int_equal(pmm_kmem_cache_destroy(NULL), PMM_EINVAL);
	assert_int_equal(pmm_kmem_cache_shrink(NULL), 0);
	assert_int_equal(pmm_kmem_cache_stats(NULL, NULL), PMM_EINVAL);
	assert_string_equal(pmm_kmem_cache_name(NULL), "");
	assert_int_equal(pmm_kmem_cache_size(NULL), 0);
	/* kmalloc's caches are not the caller's to destroy. */
	void *k = pmm_kmalloc(64, 0);
	char *info = slab_info_text();
	assert_non_null(strstr(info, "kmalloc-64"));
	free(info);
	pmm_kfree(k);
}

/* Running out of pages: allocations fail cleanly, everything frees. */
static void test_cache_out_of_memory(void **state)
{
	(void)state;
	slab_teardown();
	assert_int_equal(slab_setup(256, 0), 0);
	struct pmm_kmem_cache *c = pmm_kmem_cache_create("oom", 1024, 0, 0, NULL);
	void **p = calloc(2048, sizeof(*p));
	unsigned int n = 0;
	while (n < 2048 && (p[n] = pmm_kmem_cache_alloc(c, 0)) != NULL)
		n++;
	assert_true(n > 500 && n < 1024);
	assert_null(pmm_kmem_cache_alloc(c, 0));
	assert_null(pmm_slab_check());
	while (n)
		assert_int_equal(pmm_kmem_cache_free(c, p[--n]), 0);
	free(p);
	assert_int_equal(pmm_kmem_cache_destroy(c), 0);
	assert_int_equal(pmm_nr_free_pages(), 255);
}

/* Memory the platform cannot map: no cache can be made, no kmalloc
 * succeeds, and no page stays taken. */
static void test_cache_untouchable_memory(void **state)
{
	(void)state;
	slab_teardown();
	assert_int_equal(buddy_setup(&(struct buddy_setup_opts){
			 .max_pfn = 1024, .handoff = true, .untouchable = true }), 0);
	assert_int_equal(pmm_slab_init(0), 0);
	uint64_t free0 = pmm_nr_free_pages();
	int err = 0;
	assert_null(pmm_kmem_cache_create_err("nomap", 64, 0, 0, NULL, &err));
	assert_int_equal(err, PMM_ENOMEM);
	assert_null(pmm_kmalloc(64, 0));
	assert_null(pmm_kmalloc(100000, 0));
	int local;
	assert_int_equal(pmm_kfree(&local), PMM_EINVAL);
	assert_int_equal(pmm_nr_free_pages(), free0);
}

/*
 * Slabs belong to CPUs. CPU 1 takes CPU 0's empty slab before it asks for
 * a new one, and another CPU's partial slab only when the buddy allocator
 * has no page left:
 *
 *   CPU 0 lists: [ empty ]            -> CPU 1 takes it, grows nothing
 *   CPU 0 lists: [ partial ] x many   -> (memory full) CPU 1 takes one
 */
static void test_cache_cpus_take_over(void **state)
{
	(void)state;
	slab_teardown();
	assert_int_equal(slab_setup(256, 0), 0);
	struct pmm_kmem_cache *c = pmm_kmem_cache_create("cpus", 1024, 0, 0, NULL);
	void *p[70];
	for (int i = 0; i < 70; i++)
		p[i] = pmm_kmem_cache_alloc(c, 0);
	for (int i = 0; i < 70; i++) /* flushes leave one empty slab kept */
		pmm_kmem_cache_free(c, p[i]);
	struct pmm_slab_stats st;
	pmm_kmem_cache_stats(c, &st);
	assert_int_equal(st.slabs - st.active_slabs, 1);
	uint64_t grown = st.grown;
	host_set_cpu(1);
	void *q = pmm_kmem_cache_alloc(c, 0);
	assert_non_null(q);
	pmm_kmem_cache_stats(c, &st);
	assert_int_equal(st.grown, grown); /* CPU 0's empty slab, not a new one */
	pmm_kmem_cache_free(c, q);
	host_set_cpu(0);
	pmm_kmem_cache_shrink(c);

	/* Fill memory from CPU 0, free every other object there. */
	host_set_cpu(0);
	void **v = calloc(2048, sizeof(*v));
	unsigned int n = 0;
	while (n < 2048 && (v[n] = pmm_kmem_cache_alloc(c, 0)) != NULL)
		n++;
	for (unsigned int i = 0; i < n; i += 2)
		assert_int_equal(pmm_kmem_cache_free(c, v[i]), 0);
	assert_null(pmm_slab_check());
	/* CPU 1 has nothing of its own and no page to grow: it takes over. */
	host_set_cpu(1);
	void *r = pmm_kmem_cache_alloc(c, 0);
	assert_non_null(r);
	assert_null(pmm_slab_check());
	assert_int_equal(pmm_kmem_cache_free(c, r), 0);
	for (unsigned int i = 1; i < n; i += 2)
		assert_int_equal(pmm_kmem_cache_free(c, v[i]), 0); /* remote frees */
	host_set_cpu(0);
	free(v);
	assert_null(pmm_slab_check());
	assert_int_equal(pmm_kmem_cache_destroy(c), 0);
	assert_int_equal(pmm_nr_free_pages(), 255);
}

/* A DMA cache's slabs come from ZONE_DMA. */
static void test_cache_dma_zone(void **state)
{
	(void)state;
	slab_teardown();
	assert_int_equal(slab_setup_dma(1024, NPAGES, 0), 0);
	struct pmm_kmem_cache *c = pmm_kmem_cache_create("dma", 128, 0, PMM_SLAB_CACHE_DMA, NULL);
	struct pmm_kmem_cache *n = pmm_kmem_cache_create("norm", 128, 0, 0, NULL);
	void *d = pmm_kmem_cache_alloc(c, PMM_GFP_HIGHMEM);
	void *m = pmm_kmem_cache_alloc(n, 0);
	unsigned char *base = host_phys_ptr(0);
	assert_true((unsigned char *)d - base < (ptrdiff_t)PMM_PFN_PHYS(1024));
	assert_true((unsigned char *)m - base >= (ptrdiff_t)PMM_PFN_PHYS(1024));
	pmm_kmem_cache_free(c, d);
	pmm_kmem_cache_free(n, m);
}

/* The owner report shows slab pages with the "SLAB" tag of their cache
 * and the descriptor with "SLBC". */
static void test_cache_owner_tags(void **state)
{
	(void)state;
	struct pmm_kmem_cache *c = pmm_kmem_cache_create("tagged", 64, 0, 0, NULL);
	void *p = pmm_kmem_cache_alloc(c, 0);
	uint32_t id = stats(c).id;
	char want[64], want_desc[64];
	snprintf(want, sizeof(want), "tag 0x%llx", (unsigned long long)PMM_SLAB_TAG(id));
	snprintf(want_desc, sizeof(want_desc), "tag 0x%llx",
		 (unsigned long long)((uint64_t)PMM_SLAB_TAG_DESC << 32 | id));
	char *text = slab_owner_text();
	assert_non_null(strstr(text, want));
	assert_non_null(strstr(text, want_desc));
	free(text);
	pmm_kmem_cache_free(c, p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cache_before_init),
		cmocka_unit_test_setup_teardown(test_cache_alloc_address_order, slab_fixture_setup, slab_fixture_teardown),
		cmocka_unit_test_setup_teardown(test_cache_grows_and_shrinks, slab_fixture_setup, slab_fixture_teardown),
		cmocka_unit_test_setup_teardown(test_cache_ctor_once_per_object, slab_fixture_setup, slab_fixture_teardown),
		cmocka_unit_test_setup_teardown(test_cache_alignment, slab_fixture_setup, slab_fixture_teardown),
		cmocka_unit_test_setup_teardown(test_cache_big_objects, slab_fixture_setup, slab_fixture_teardown),
		cmocka_unit_test_setup_teardown(test_cache_alloc_zero, slab_fixture_setup, slab_fixture_teardown),
		cmocka_unit_test_setup_teardown(test_cache_create_bad_args, slab_fixture_setup, slab_fixture_teardown),
		cmocka_unit_test_setup_teardown(test_cache_free_bad_pointers, slab_fixture_setup, slab_fixture_teardown),
		cmocka_unit_test_setup_teardown(test_cache_destroy_busy, slab_fixture_setup, slab_fixture_teardown),
		cmocka_unit_test_setup_teardown(test_cache_out_of_memory, slab_fixture_setup, slab_fixture_teardown),
		cmocka_unit_test_setup_teardown(test_cache_untouchable_memory, slab_fixture_setup, slab_fixture_teardown),
		cmocka_unit_test_setup_teardown(test_cache_cpus_take_over, slab_fixture_setup, slab_fixture_teardown),
		cmocka_unit_test_setup_teardown(test_cache_dma_zone, slab_fixture_setup, slab_fixture_teardown),
		cmocka_unit_test_setup_teardown(test_cache_owner_tags, slab_fixture_setup, slab_fixture_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
