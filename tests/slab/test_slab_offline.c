/* SPDX-License-Identifier: MIT */
/*
 * test_slab_offline.c - pmm_slab_cpu_offline(): a CPU's arrays go back to
 * the slabs and its slabs to the calling CPU, for every cache; and its bad
 * inputs (rows S12..S13 of docs/errors.md), compared byte for byte.
 *
 * The machine: 32 MiB of one Normal zone (slab_fixture_setup()).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pmm/slab.h>

#include "slab_snap.h"

static struct pmm_slab_stats stats(struct pmm_kmem_cache *c)
{
	struct pmm_slab_stats st;
	assert_int_equal(pmm_kmem_cache_stats(c, &st), 0);
	return st;
}

/* CPU 1 allocates and frees (its array fills, its slabs are partial);
 * offline from CPU 0: CPU 1 holds nothing, CPU 0 owns every slab, and
 * CPU 0 allocates from CPU 1's former partial slab before growing. */
static void test_offline_drains_and_adopts(void **state)
{
	(void)state;
	struct pmm_kmem_cache *c = pmm_kmem_cache_create("off", 128, 0, 0, NULL);
	void *objs[20];
	host_set_cpu(1);
	for (int i = 0; i < 20; i++)
		objs[i] = pmm_kmem_cache_alloc(c, 0);
	for (int i = 0; i < 10; i++)
		assert_int_equal(pmm_kmem_cache_free(c, objs[i]), 0);
	void *k = pmm_kmalloc(50, 0);
	host_set_cpu(0);
	struct pmm_slab_stats before = stats(c);
	assert_true(before.cpu_cached >= 10);
	assert_int_equal(pmm_slab_cpu_offline(1), 0);
	struct pmm_slab_stats after = stats(c);
	assert_int_equal(after.cpu_cached, 0);
	assert_int_equal(after.allocated, 10);
	assert_int_equal(after.slabs, before.slabs);
	for (unsigned int cpu = 1; cpu < PMM_NR_CPUS; cpu++)
		for (int l = 0; l < SLAB_NR_LISTS; l++)
			assert_null(c->lists[cpu][l]);
	assert_null(pmm_slab_check());
	/* The partial slab now serves CPU 0 without a new slab. */
	void *again = pmm_kmem_cache_alloc(c, 0);
	assert_non_null(again);
	assert_int_equal(stats(c).slabs, before.slabs);
	assert_int_equal(pmm_kmem_cache_free(c, again), 0);
	for (int i = 10; i < 20; i++)
		assert_int_equal(pmm_kmem_cache_free(c, objs[i]), 0);
	assert_int_equal(pmm_kfree(k), 0);
	assert_int_equal(slab_reports_since(), 0);
	assert_int_equal(pmm_kmem_cache_destroy(c), 0);
}

/* S12-S13: a CPU past PMM_NR_CPUS, the calling CPU itself. */
static void test_S12_S13_offline_bad_cpu(void **state)
{
	(void)state;
	struct pmm_kmem_cache *c = pmm_kmem_cache_create("offerr", 64, 0, 0, NULL);
	host_set_cpu(1);
	void *p = pmm_kmem_cache_alloc(c, 0);
	host_set_cpu(0);
	struct snap s = snap_take(c, NULL);
	assert_int_equal(pmm_slab_cpu_offline(PMM_NR_CPUS), PMM_EINVAL);
	assert_int_equal(pmm_slab_cpu_offline(0), PMM_EINVAL);
	assert_int_equal(slab_reports_since(), 0);
	snap_same(&s, c, NULL);
	assert_int_equal(pmm_kmem_cache_free(c, p), 0);
	assert_int_equal(pmm_kmem_cache_destroy(c), 0);
}

/* Before pmm_slab_init(): PMM_ESTATE. */
static void test_offline_before_init(void **state)
{
	(void)state;
	memset(&pmm_slab_state, 0, sizeof(pmm_slab_state));
	assert_int_equal(pmm_slab_cpu_offline(1), PMM_ESTATE);
	assert_int_equal(pmm_slab_init(0), 0);
}

int main(void)
{
#define CASE(t) cmocka_unit_test_setup_teardown(t, slab_fixture_setup, slab_fixture_teardown)
	const struct CMUnitTest tests[] = {
		CASE(test_offline_drains_and_adopts),
		CASE(test_S12_S13_offline_bad_cpu),
		CASE(test_offline_before_init),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
