/* SPDX-License-Identifier: MIT */
/*
 * test_slab_threads.c - several threads, each its own CPU, allocate and
 * free objects of shared caches and kmalloc at once, and pass objects to
 * each other through mailboxes so that objects are freed on other CPUs
 * than the one that allocated them (into their per-CPU arrays, flushed
 * back to slabs under the cache lock).
 *
 * Every object handed out is claimed in a shared table with
 * compare-and-swap (one byte per 8 bytes of simulated memory), so an
 * object given to two threads at once is caught; each thread also writes
 * its id over the object and checks it before freeing. One cache has red
 * zones, one red zones and poison; the buddy allocator's per-CPU page
 * lists are on. At the end
 * everything is freed and the slab layer and the buddy allocator must be
 * consistent, with no object left allocated.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include <pmm/check.h>

#include "host_platform.h"
#include "slab_setup.h"
#include "test_rand.h"

#define NPAGES 16384u
#define NTHREADS 4u
#define OPS 150000u
#define SLOTS 256u
#define MAILBOXES 64u

struct obj {
	unsigned char *p;
	int cache; /* 0, 1, or -1 for kmalloc */
	size_t size;
};

static struct pmm_kmem_cache *caches[3];
static const size_t cache_size[3] = { 64, 500, 200 };
static _Atomic unsigned char *claims;
static _Atomic unsigned int failures;
static struct {
	_Atomic(unsigned char *) p;
	_Atomic int cache;
	_Atomic size_t size;
	_Atomic int busy;
} mail[MAILBOXES];

static size_t claim_index(const unsigned char *p)
{
	return (size_t)(p - (unsigned char *)host_phys_ptr(0)) >> 3;
}

static void claim(const struct obj *o, unsigned int id)
{
	unsigned char zero = 0;
	if (!atomic_compare_exchange_strong(&claims[claim_index(o->p)], &zero,
					    (unsigned char)id))
		atomic_fetch_add(&failures, 1);
	memset(o->p, (int)id, o->size < 32 ? o->size : 32);
}

static void release_free(const struct obj *o)
{
	unsigned char id = atomic_load(&claims[claim_index(o->p)]);
	size_t n = o->size < 32 ? o->size : 32;
	for (size_t i = 0; i < n; i++)
		if (o->p[i] != id)
			atomic_fetch_add(&failures, 1);
	atomic_store(&claims[claim_index(o->p)], 0);
	int err = o->cache >= 0 ? pmm_kmem_cache_free(caches[o->cache], o->p)
				: pmm_kfree(o->p);
	if (err)
		atomic_fetch_add(&failures, 1);
}


static bool alloc_one(struct obj *o, uint64_t x, unsigned int id)
{
	o->cache = (int)(x % 5) - 2;
	if (o->cache < -1)
		o->cache = -1;
	if (o->cache >= 0) {
		o->size = cache_size[o->cache];
		o->p = pmm_kmem_cache_alloc(caches[o->cache], 0);
	} else {
		o->size = 1 + (size_t)((x >> 8) % 3000);
		o->p = pmm_kmalloc(o->size, 0);
	}
	if (o->p == NULL)
		return false;
	claim(o, id);
	return true;
}

/* Swap @o with mailbox @i's object (either may be empty). */
static void swap_mail(struct obj *o, unsigned int i)
{
	int zero = 0;
	if (!atomic_compare_exchange_strong(&mail[i].busy, &zero, 1))
		return;
	struct obj in = { atomic_load(&mail[i].p), atomic_load(&mail[i].cache),
			  atomic_load(&mail[i].size) };
	atomic_store(&mail[i].p, o->p);
	atomic_store(&mail[i].cache, o->cache);
	atomic_store(&mail[i].size, o->size);
	atomic_store(&mail[i].busy, 0);
	*o = in;
}

static void *worker(void *arg)
{
	unsigned int id = (unsigned int)(uintptr_t)arg;
	struct obj slots[SLOTS];
	uint64_t x = 0x9e3779b97f4a7c15ull * id;
	memset(slots, 0, sizeof(slots));
	host_set_cpu(id - 1);
	for (unsigned int i = 0; i < OPS; i++) {
		test_rand_next(&x);
		struct obj *s = &slots[x % SLOTS];
		if (s->p == NULL) {
			alloc_one(s, test_rand_next(&x), id);
			continue;
		}
		if ((x >> 40) % 4 == 0) {
			swap_mail(s, (unsigned int)((x >> 20) % MAILBOXES));
			continue;
		}
		release_free(s);
		s->p = NULL;
	}
	for (unsigned int i = 0; i < SLOTS; i++)
		if (slots[i].p)
			release_free(&slots[i]);
	return NULL;
}

static void test_slab_threads_stress(void **state)
{
	(void)state;
	assert_int_equal(slab_setup(NPAGES, 0), 0);
	claims = calloc(PMM_PFN_PHYS(NPAGES) >> 3, 1);
	assert_non_null(claims);
	caches[0] = pmm_kmem_cache_create("t64", 64, 0, 0, NULL);
	caches[1] = pmm_kmem_cache_create("t500", 500, 0, PMM_SLAB_RED_ZONE, NULL);
	caches[2] = pmm_kmem_cache_create("t200", 200, 0, PMM_SLAB_DEBUG, NULL);
	/* The buddy's per-CPU page lists on too: slabs come and go through them. */
	assert_int_equal(pmm_pcp_set_high_batch(32, 8), 0);
	pthread_t t[NTHREADS];
	for (unsigned int i = 0; i < NTHREADS; i++)
		assert_int_equal(pthread_create(&t[i], NULL, worker,
						(void *)(uintptr_t)(i + 1)), 0);
	for (unsigned int i = 0; i < NTHREADS; i++)
		pthread_join(t[i], NULL);
	host_set_cpu(0);
	for (unsigned int i = 0; i < MAILBOXES; i++) {
		struct obj o = { atomic_load(&mail[i].p), atomic_load(&mail[i].cache),
				 atomic_load(&mail[i].size) };
		if (o.p)
			release_free(&o);
	}
	assert_int_equal(atomic_load(&failures), 0);
	assert_int_equal(host_report_count(), 0);
	assert_null(pmm_slab_check());
	for (int k = 0; k < 3; k++) {
		struct pmm_slab_stats st;
		pmm_kmem_cache_stats(caches[k], &st);
		assert_int_equal(st.allocated, 0);
		assert_true(st.allocs > 10000);
	}
	pmm_slab_shrink_all();
	assert_null(pmm_slab_check());
	assert_int_equal(pmm_kmem_cache_destroy(caches[0]), 0);
	assert_int_equal(pmm_kmem_cache_destroy(caches[1]), 0);
	assert_int_equal(pmm_kmem_cache_destroy(caches[2]), 0);
	pmm_pcp_drain_all();
	assert_null(pmm_check());
	free((void *)claims);
	slab_teardown();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_slab_threads_stress),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
