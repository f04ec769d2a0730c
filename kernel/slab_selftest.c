/* SPDX-License-Identifier: MIT */
/*
 * slab_selftest.c - the slab layer on bare metal, after the page
 * self-test: a cache with a constructor and every kmalloc class (and three
 * page-sized kmallocs), each object filled with a pattern of its own
 * through the identity map and verified after all of them were written (so
 * two overlapping objects would show), everything freed, the cache
 * destroyed, pmm_slab_check() and pmm_check() after each phase. A second
 * kmalloc round must end with exactly the free pages the first one left:
 * nothing leaks.
 */
#include <pmm/check.h>
#include <pmm/slab.h>

#include "kernel.h"

#define CACHE_OBJS 512
#define CACHE_OBJ_SIZE 200
#define KMALLOC_PER_CLASS 32
#define KMALLOC_MAX_LIVE 512

static const size_t large_sizes[] = { 16384, 65536, 1u << 20 };

struct slab_run {
	unsigned int failures;
	unsigned int ctor_calls;
	void *live[KMALLOC_MAX_LIVE];
	size_t size[KMALLOC_MAX_LIVE];
	unsigned int nr_live;
};

static struct slab_run run;

static void slab_fail(const char *what, const char *detail)
{
	if (++run.failures <= 10)
		pmm_printk("pmm slab self-test: %s%s%s\n", what,
			   detail ? ": " : "", detail ? detail : "");
}

static void check_all(const char *when)
{
	const char *bad = pmm_slab_check();
	if (bad != NULL)
		slab_fail(when, bad);
	if ((bad = pmm_check()) != NULL)
		slab_fail(when, bad);
}

static void fill(void *p, size_t size, unsigned int seq)
{
	unsigned char *b = p;
	for (size_t i = 0; i < size; i++)
		b[i] = (unsigned char)(seq * 31u + i);
}

static bool intact(const void *p, size_t size, unsigned int seq)
{
	const unsigned char *b = p;
	for (size_t i = 0; i < size; i++)
		if (b[i] != (unsigned char)(seq * 31u + i))
			return false;
	return true;
}

static void count_ctor(void *obj)
{
	(void)obj;
	run.ctor_calls++;
}

/* A cache of CACHE_OBJS objects: constructed, written, verified, freed. */
static void cache_round(void)
{
	static void *obj[CACHE_OBJS];
	struct pmm_kmem_cache *c =
		pmm_kmem_cache_create("kst-object", CACHE_OBJ_SIZE, 8, 0, count_ctor);
	if (c == NULL) {
		slab_fail("cache creation failed", NULL);
		return;
	}
	for (unsigned int i = 0; i < CACHE_OBJS; i++)
		if ((obj[i] = pmm_kmem_cache_alloc(c, PMM_GFP_KERNEL)) != NULL)
			fill(obj[i], CACHE_OBJ_SIZE, i);
	for (unsigned int i = 0; i < CACHE_OBJS; i++)
		if (obj[i] == NULL || !intact(obj[i], CACHE_OBJ_SIZE, i))
			slab_fail("cache object lost or overwritten", NULL);
	struct pmm_slab_stats st;
	if (pmm_kmem_cache_stats(c, &st) != 0 || st.allocated != CACHE_OBJS)
		slab_fail("cache counters disagree", NULL);
	check_all("with the cache's objects out");
	pmm_printk("pmm slab self-test: cache kst-object: %u objects of %u bytes in %llu slabs of order %u, constructor ran %u times\n",
		   CACHE_OBJS, CACHE_OBJ_SIZE, (unsigned long long)st.slabs,
		   st.order, run.ctor_calls);
	if (run.ctor_calls < CACHE_OBJS)
		slab_fail("constructor skipped objects", NULL);
	for (unsigned int i = 0; i < CACHE_OBJS; i++)
		if (obj[i] != NULL && pmm_kmem_cache_free(c, obj[i]) != 0)
			slab_fail("cache free refused", NULL);
	if (pmm_kmem_cache_destroy(c) != 0)
		slab_fail("cache destroy refused", NULL);
	check_all("after the cache was destroyed");
}

static void kmalloc_one(size_t size)
{
	if (run.nr_live == KMALLOC_MAX_LIVE)
		return;
	void *p = pmm_kmalloc(size, PMM_GFP_KERNEL);
	if (p == NULL || pmm_ksize(p) < size) {
		slab_fail("kmalloc failed or too small", NULL);
		return;
	}
	fill(p, size, run.nr_live);
	run.live[run.nr_live] = p;
	run.size[run.nr_live] = size;
	run.nr_live++;
}

/* Every kmalloc class KMALLOC_PER_CLASS times, three page-sized blocks. */
static void kmalloc_round(void)
{
	run.nr_live = 0;
	for (int c = 0; pmm_kmalloc_class_size(c) != 0; c++)
		for (unsigned int i = 0; i < KMALLOC_PER_CLASS; i++)
			kmalloc_one(pmm_kmalloc_class_size(c) - (i & 7));
	for (unsigned int i = 0; i < sizeof(large_sizes) / sizeof(large_sizes[0]); i++)
		kmalloc_one(large_sizes[i]);
	for (unsigned int i = 0; i < run.nr_live; i++)
		if (!intact(run.live[i], run.size[i], i))
			slab_fail("kmalloc block overwritten", NULL);
	check_all("with the kmalloc blocks out");
	for (unsigned int i = 0; i < run.nr_live; i++)
		if (pmm_kfree(run.live[i]) != 0)
			slab_fail("kfree refused", NULL);
	pmm_slab_shrink_all();
	pmm_pcp_drain_all();
	check_all("after kfree and shrink");
}

bool kernel_slab_selftest(void)
{
	pmm_pcp_drain_all();
	uint64_t free0 = pmm_nr_free_pages();
	if (pmm_slab_init(0) != 0) {
		pmm_printk("pmm slab self-test: pmm_slab_init failed\n");
		return false;
	}
	cache_round();
	kmalloc_round();
	uint64_t free1 = pmm_nr_free_pages();
	unsigned int blocks = run.nr_live;
	kmalloc_round();
	uint64_t free2 = pmm_nr_free_pages();
	pmm_printk("pmm slab self-test: kmalloc: %u blocks of %d classes and %u page sizes, twice; free pages %llu before, %llu and %llu after the rounds (kmalloc caches' descriptors stay)\n",
		   blocks, pmm_kmalloc_index(PMM_KMALLOC_MAX_CACHE_SIZE) + 1,
		   (unsigned int)(sizeof(large_sizes) / sizeof(large_sizes[0])),
		   (unsigned long long)free0, (unsigned long long)free1,
		   (unsigned long long)free2);
	if (free2 != free1)
		slab_fail("the second kmalloc round leaked pages", NULL);
	pmm_printk("pmm slab self-test: %s\n", run.failures ? "FAIL" : "PASS");
	return run.failures == 0;
}
