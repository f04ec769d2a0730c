/* SPDX-License-Identifier: MIT */
/*
 * test_buddy_threads.c - several threads, each its own CPU, allocate and
 * free concurrently through the per-CPU lists and the zone locks. Every
 * page handed out is claimed in a shared owner array with compare-and-swap,
 * so a page given to two threads at once is caught; at the end everything
 * is freed and the allocator must be consistent and whole again.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "buddy_fixture.h"
#include "host_platform.h"
#include "test_rand.h"

#define NPAGES 32768u
#define NTHREADS 4u
#define OPS 100000u
#define SLOTS 256u

static _Atomic unsigned int owner[NPAGES];
static _Atomic unsigned int failures;

struct slot {
	struct pmm_page *page;
	pmm_order_t order;
};

static bool claim(pmm_pfn_t pfn, pmm_order_t k, unsigned int id)
{
	for (pmm_pfn_t p = pfn; p < pfn + ((pmm_pfn_t)1 << k); p++) {
		unsigned int zero = 0;
		if (!atomic_compare_exchange_strong(&owner[p], &zero, id))
			return false;
	}
	return true;
}

static void release(pmm_pfn_t pfn, pmm_order_t k)
{
	for (pmm_pfn_t p = pfn; p < pfn + ((pmm_pfn_t)1 << k); p++)
		atomic_store(&owner[p], 0);
}

static void *worker(void *arg)
{
	unsigned int id = (unsigned int)(uintptr_t)arg;
	struct slot slots[SLOTS] = { { 0 } };
	uint64_t x = 0x9e3779b97f4a7c15ull * id;
	host_set_cpu(id - 1);
	for (unsigned int i = 0; i < OPS; i++) {
		test_rand_next(&x);
		struct slot *s = &slots[x % SLOTS];
		if (s->page != NULL) {
			release(pmm_page_to_pfn(s->page), s->order);
			if (pmm_free_pages(s->page, s->order) != 0)
				atomic_fetch_add(&failures, 1);
			s->page = NULL;
			continue;
		}
		pmm_order_t k = (x >> 20) % 8 < 6 ? 0 : (pmm_order_t)((x >> 24) % 4);
		s->page = pmm_alloc_pages(0, k);
		s->order = k;
		if (s->page && !claim(pmm_page_to_pfn(s->page), k, id))
			atomic_fetch_add(&failures, 1);
	}
	for (unsigned int i = 0; i < SLOTS; i++)
		if (slots[i].page) {
			release(pmm_page_to_pfn(slots[i].page), slots[i].order);
			if (pmm_free_pages(slots[i].page, slots[i].order) != 0)
				atomic_fetch_add(&failures, 1);
		}
	return NULL;
}

static void run(bool lazy)
{
	buddy_fix_pcp(NPAGES, 32, 8);
	pmm_buddy_set_lazy(lazy);
	pthread_t t[NTHREADS];
	for (unsigned int i = 0; i < NTHREADS; i++)
		assert_int_equal(pthread_create(&t[i], NULL, worker,
						(void *)(uintptr_t)(i + 1)), 0);
	for (unsigned int i = 0; i < NTHREADS; i++)
		pthread_join(t[i], NULL);
	assert_int_equal(atomic_load(&failures), 0);
	assert_int_equal(pmm_nr_free_pages(), NPAGES - 1);
	assert_null(pmm_check());
	pmm_pcp_drain_all();
	pmm_buddy_set_lazy(false);
	struct pmm_zone *z = buddy_zone(PMM_ZONE_NORMAL);
	assert_int_equal(z->free_pages, NPAGES - 1);
	assert_int_equal(z->free_area[PMM_MAX_ORDER].nr_free, NPAGES / 1024 - 1);
	assert_null(pmm_check());
	buddy_teardown();
}

static void test_threads_immediate(void **state)
{
	(void)state;
	run(false);
}

static void test_threads_lazy(void **state)
{
	(void)state;
	run(true);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_threads_immediate),
		cmocka_unit_test(test_threads_lazy),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
