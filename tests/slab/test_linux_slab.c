/* SPDX-License-Identifier: MIT */
/*
 * test_linux_slab.c - code written with Linux's <linux/slab.h> names
 * compiles against pmm/linux/slab.h and behaves as pmm's own calls do.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include <pmm/linux/slab.h>

#include "slab_setup.h"

struct inode_like {
	unsigned long ino;
	char name[40];
	_Alignas(32) int lock;
};

/* A cache made with KMEM_CACHE(), used and destroyed with Linux's names. */
static void test_linux_kmem_cache(void **state)
{
	(void)state;
	struct kmem_cache *s = KMEM_CACHE(inode_like, SLAB_HWCACHE_ALIGN);
	assert_non_null(s);
	assert_int_equal(kmem_cache_size(s), sizeof(struct inode_like));
	struct inode_like *a = kmem_cache_alloc(s, GFP_KERNEL);
	struct inode_like *b = kmem_cache_zalloc(s, GFP_KERNEL);
	assert_non_null(a);
	assert_int_equal((uintptr_t)a % 64, 0);
	assert_int_equal(b->ino, 0);
	a->ino = 42;
	kmem_cache_free(s, a);
	kmem_cache_free(s, b);
	assert_int_equal(kmem_cache_shrink(s), 0);
	kmem_cache_destroy(s);
	kmem_cache_destroy(NULL);
}

/* kmalloc family with Linux's names and constants. */
static void test_linux_kmalloc(void **state)
{
	(void)state;
	char *p = kmalloc(100, GFP_KERNEL);
	assert_int_equal(ksize(p), 128);
	strcpy(p, "pmm");
	p = krealloc(p, 1000, GFP_KERNEL);
	assert_string_equal(p, "pmm");
	int *v = kcalloc(16, sizeof(int), GFP_ATOMIC);
	for (int i = 0; i < 16; i++)
		assert_int_equal(v[i], 0);
	void *z = kzalloc(0, GFP_KERNEL);
	assert_true(ZERO_OR_NULL_PTR(z));
	assert_true(ZERO_OR_NULL_PTR(NULL));
	assert_false(ZERO_OR_NULL_PTR(p));
	assert_null(kmalloc_array(SIZE_MAX, 2, GFP_KERNEL));
	assert_non_null(kmalloc_array(4, 8, GFP_KERNEL | __GFP_ZERO));
	assert_true(KMALLOC_MAX_CACHE_SIZE == 8192 && KMALLOC_MIN_SIZE == 8);
	void *big = kmalloc(KMALLOC_MAX_SIZE, GFP_KERNEL);
	assert_non_null(big);
	kfree(big);
	kfree(z);
	kfree(v);
	kfree(p);
	kfree(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_linux_kmem_cache, slab_fixture_setup, slab_fixture_teardown),
		cmocka_unit_test_setup_teardown(test_linux_kmalloc, slab_fixture_setup, slab_fixture_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
