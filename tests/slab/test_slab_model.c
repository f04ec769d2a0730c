/* SPDX-License-Identifier: MIT */
/*
 * test_slab_model.c - a randomized differential test of the slab layer
 * against a simple model: the set of live allocations, each with its size,
 * its cache and a byte pattern written over it.
 *
 * Every step is one of: allocate (one of four caches with different
 * flags, or kmalloc of a size up to 20000), free, krealloc, shrink a cache,
 * a bulk allocation (up to 16 objects of one cache) or a bulk free (up to
 * 8 live objects of one cache, named or not), or a bad free (an interior pointer of a live allocation, or a pointer
 * freed earlier and not handed out again) that must fail and change
 * nothing. After each step the model's counts must equal the cache's;
 * every allocation must be new (no live pointer twice) and keep its
 * pattern until freed; pmm_slab_check() runs every CHECK_EVERY steps,
 * pmm_check() at the end, after everything is freed and shrunk.
 *
 * PMM_SLAB_MODEL_OPS and PMM_SLAB_MODEL_SEED (environment) override the
 * defaults.
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

#include "host_platform.h"
#include "slab_setup.h"
#include "test_rand.h"

#define NPAGES 16384u
#define LIVE_MAX 1500u
#define CHECK_EVERY 20000u
#define RECENT 64u
#define NCACHES 4
#define HASH_BITS 13
#define HASH_SIZE (1u << HASH_BITS)

struct live {
	unsigned char *p;
	size_t size;
	int cache; /* 0..NCACHES-1, or -1: kmalloc */
	unsigned char pat;
};

static struct {
	uint64_t rng;
	struct pmm_kmem_cache *c[NCACHES];
	uint64_t count[NCACHES];
	struct live live[LIVE_MAX];
	unsigned int nlive;
	void *recent[RECENT];
	unsigned int nrecent;
	void *hash[HASH_SIZE]; /* live pointers; NULL empty, (void *)1 deleted */
	uint64_t allocs, frees, bad, reallocs, shrinks, fails, bulks;
} m;

static const struct {
	const char *name;
	size_t size, align;
	unsigned int flags;
} specs[NCACHES] = {
	{ "m24", 24, 0, 0 },
	{ "m200", 200, 64, PMM_SLAB_HWCACHE_ALIGN },
	{ "m1000", 1000, 0, PMM_SLAB_DEBUG },
	{ "m3000", 3000, 0, PMM_SLAB_RED_ZONE },
};

static uint64_t rnd(void)
{
	return test_rand_next(&m.rng);
}

static unsigned int slot_of(const void *p)
{
	return (unsigned int)(((uintptr_t)p * 0x9e3779b97f4a7c15ull) >> (64 - HASH_BITS));
}

static bool hash_has(const void *p)
{
	for (unsigned int i = slot_of(p);; i = (i + 1) & (HASH_SIZE - 1)) {
		if (m.hash[i] == NULL)
			return false;
		if (m.hash[i] == p)
			return true;
	}
}

static void hash_add(void *p)
{
	unsigned int i = slot_of(p);
	while (m.hash[i] != NULL && m.hash[i] != (void *)1)
		i = (i + 1) & (HASH_SIZE - 1);
	m.hash[i] = p;
}

static void hash_del(const void *p)
{
	for (unsigned int i = slot_of(p);; i = (i + 1) & (HASH_SIZE - 1))
		if (m.hash[i] == p) {
			m.hash[i] = (void *)1;
			return;
		}
}

/* Rebuild the table now and then: deleted slots would fill it. */
static void hash_rebuild(void)
{
	memset(m.hash, 0, sizeof(m.hash));
	for (unsigned int i = 0; i < m.nlive; i++)
		hash_add(m.live[i].p);
}

static void fill(struct live *l)
{
	size_t n = l->size < 64 ? l->size : 64;
	memset(l->p, l->pat, n);
	l->p[l->size - 1] = l->pat;
}

static void verify(const struct live *l)
{
	size_t n = l->size < 64 ? l->size : 64;
	for (size_t i = 0; i < n; i++)
		if (l->p[i] != l->pat)
			fail_msg("allocation %p (%zu bytes) byte %zu is 0x%02x, want 0x%02x",
				 (void *)l->p, l->size, i, l->p[i], l->pat);
	assert_int_equal(l->p[l->size - 1], l->pat);
}

static size_t kmalloc_size(void)
{
	uint64_t x = rnd();
	switch (x % 16) {
	case 0:
		return 8193 + (size_t)((x >> 8) % 12000);
	case 1: case 2: case 3:
		return 1 + (size_t)((x >> 8) % 8192);
	default:
		return 1 + (size_t)((x >> 8) % 256);
	}
}

static void note_recent(void *p)
{
	m.recent[m.nrecent++ % RECENT] = p;
}

static void step_alloc(void)
{
	if (m.nlive == LIVE_MAX)
		return;
	struct live l;
	l.cache = (int)(rnd() % (NCACHES + 2)) - 2;
	if (l.cache < -1)
		l.cache = -1;
	if (l.cache >= 0) {
		l.size = specs[l.cache].size;
		l.p = pmm_kmem_cache_alloc(m.c[l.cache], 0);
	} else {
		l.size = kmalloc_size();
		l.p = pmm_kmalloc(l.size, 0);
	}
	if (l.p == NULL) {
		m.fails++;
		return;
	}
	if (hash_has(l.p))
		fail_msg("%p handed out while live", (void *)l.p);
	if (l.cache >= 0) {
		assert_int_equal((uintptr_t)l.p % (specs[l.cache].align ? specs[l.cache].align : 8), 0);
		m.count[l.cache]++;
	} else {
		assert_true(pmm_ksize(l.p) >= l.size);
	}
	l.pat = (unsigned char)(rnd() | 1);
	fill(&l);
	hash_add(l.p);
	m.live[m.nlive++] = l;
	m.allocs++;
}

static void step_free(void)
{
	if (m.nlive == 0)
		return;
	unsigned int i = (unsigned int)(rnd() % m.nlive);
	struct live l = m.live[i];
	verify(&l);
	int err = l.cache >= 0 ? pmm_kmem_cache_free(m.c[l.cache], l.p)
			       : pmm_kfree(l.p);
	assert_int_equal(err, 0);
	if (l.cache >= 0)
		m.count[l.cache]--;
	hash_del(l.p);
	note_recent(l.p);
	m.live[i] = m.live[--m.nlive];
	m.frees++;
}

static void step_realloc(void)
{
	if (m.nlive == 0)
		return;
	unsigned int i = (unsigned int)(rnd() % m.nlive);
	struct live *l = &m.live[i];
	if (l->cache >= 0)
		return;
	verify(l);
	size_t n = kmalloc_size();
	unsigned char *p = pmm_krealloc(l->p, n, 0);
	if (p == NULL) {
		m.fails++;
		verify(l);
		return;
	}
	size_t keep = n < l->size ? n : l->size;
	keep = keep < 64 ? keep : 64;
	for (size_t k = 0; k < keep; k++)
		assert_int_equal(p[k], l->pat);
	hash_del(l->p);
	if (p != l->p)
		note_recent(l->p);
	if (hash_has(p))
		fail_msg("krealloc gave live %p", (void *)p);
	l->p = p;
	l->size = n;
	fill(l);
	hash_add(p);
	m.reallocs++;
}

/* Record @p, an object of cache @k just allocated, as live. */
static void add_object(int k, unsigned char *p)
{
	struct live l = { p, specs[k].size, k, (unsigned char)(rnd() | 1) };
	if (hash_has(p))
		fail_msg("%p handed out while live", (void *)p);
	fill(&l);
	hash_add(p);
	m.count[k]++;
	m.live[m.nlive++] = l;
	m.allocs++;
}

/* Up to 16 objects of one cache in one call: all, or none. */
static void step_alloc_bulk(void)
{
	int k = (int)(rnd() % NCACHES);
	size_t n = 1 + rnd() % 16;
	void *objs[16];
	if (m.nlive + n > LIVE_MAX)
		return;
	long got = pmm_kmem_cache_alloc_bulk(m.c[k], 0, n, objs);
	if (got == 0) {
		m.fails++;
		return;
	}
	assert_int_equal(got, n);
	for (size_t i = 0; i < n; i++)
		add_object(k, objs[i]);
	m.bulks++;
}

/* Up to 8 live objects of one cache freed in one call, the cache named or
 * NULL. */
static void step_free_bulk(void)
{
	int k = (int)(rnd() % NCACHES);
	void *objs[8];
	size_t n = 0, want = 1 + rnd() % 8;
	for (unsigned int i = 0; i < m.nlive && n < want;) {
		if (m.live[i].cache != k) {
			i++;
			continue;
		}
		verify(&m.live[i]);
		objs[n++] = m.live[i].p;
		hash_del(m.live[i].p);
		note_recent(m.live[i].p);
		m.live[i] = m.live[--m.nlive];
		m.count[k]--;
		m.frees++;
	}
	assert_int_equal(pmm_kmem_cache_free_bulk(rnd() % 2 ? m.c[k] : NULL, n,
						  objs), 0);
	m.bulks++;
}

/* A bad free: nothing may change, the error must come back. */
static void step_bad_free(void)
{
	void *p = NULL;
	int cache = -1;
	if (m.nlive != 0 && rnd() % 2) {
		struct live *l = &m.live[rnd() % m.nlive];
		if (l->size < 2)
			return;
		p = l->p + 1 + rnd() % (l->size - 1);
		cache = l->cache;
	} else if (m.nrecent != 0) {
		p = m.recent[rnd() % (m.nrecent < RECENT ? m.nrecent : RECENT)];
		if (hash_has(p))
			return; /* handed out again since */
		cache = (int)(rnd() % NCACHES);
	}
	if (p == NULL)
		return;
	int err = cache >= 0 && rnd() % 2 ? pmm_kmem_cache_free(m.c[cache], p)
					  : pmm_kfree(p);
	assert_int_not_equal(err, 0);
	m.bad++;
}

static void compare_counts(void)
{
	for (int k = 0; k < NCACHES; k++) {
		struct pmm_slab_stats st;
		assert_int_equal(pmm_kmem_cache_stats(m.c[k], &st), 0);
		assert_int_equal(st.allocated, m.count[k]);
		assert_int_equal(st.inuse, st.allocated + st.cpu_cached);
	}
}

static void run(uint64_t ops)
{
	for (uint64_t i = 0; i < ops; i++) {
		uint64_t x = rnd() % 100;
		if (x < 47)
			step_alloc();
		else if (x < 88)
			step_free();
		else if (x < 93)
			step_realloc();
		else if (x < 97)
			step_bad_free();
		else if (x == 97)
			step_alloc_bulk();
		else if (x == 98)
			step_free_bulk();
		else if (rnd() % 8 == 0) {
			(void)pmm_kmem_cache_shrink(m.c[rnd() % NCACHES]);
			m.shrinks++;
		}
		compare_counts();
		if ((i + 1) % CHECK_EVERY == 0) {
			const char *e = pmm_slab_check();
			if (e)
				fail_msg("after %llu steps: %s", (unsigned long long)i + 1, e);
			hash_rebuild();
		}
	}
}

static uint64_t env_u64(const char *name, uint64_t def)
{
	const char *s = getenv(name);
	return s ? strtoull(s, NULL, 0) : def;
}

static void test_slab_model_random(void **state)
{
	(void)state;
	uint64_t ops = env_u64("PMM_SLAB_MODEL_OPS", 300000);
	memset(&m, 0, sizeof(m));
	m.rng = env_u64("PMM_SLAB_MODEL_SEED", 0x51ab5eedull) * 2 + 1;
	assert_int_equal(slab_setup(NPAGES, 0), 0);
	uint64_t free0 = pmm_nr_free_pages();
	for (int k = 0; k < NCACHES; k++) {
		m.c[k] = pmm_kmem_cache_create(specs[k].name, specs[k].size,
					       specs[k].align, specs[k].flags, NULL);
		assert_non_null(m.c[k]);
	}
	run(ops);
	assert_null(pmm_slab_check());
	while (m.nlive)
		step_free();
	compare_counts();
	assert_null(pmm_slab_check());
	pmm_slab_shrink_all();
	char *t = slab_info_text();
	for (const char *p = strchr(t, '\n'); p && p[1]; p = strchr(p + 1, '\n')) {
		if (p[1] == '#')
			continue;
		struct slab_info_line l;
		char name[64];
		assert_int_equal(sscanf(p + 1, "%63s", name), 1);
		assert_true(slab_info_find(t, name, &l));
		assert_int_equal(l.active, 0);
		assert_int_equal(l.slabs, 0);
	}
	free(t);
	for (int k = 0; k < NCACHES; k++)
		assert_int_equal(pmm_kmem_cache_destroy(m.c[k]), 0);
	assert_null(pmm_slab_check());
	assert_null(pmm_check());
	assert_true(pmm_nr_free_pages() <= free0);
	print_message("slab model: %llu steps: %llu allocs, %llu frees, %llu kreallocs, %llu bad frees refused, %llu shrinks, %llu bulk calls, %llu failed allocs\n",
		      (unsigned long long)ops, (unsigned long long)m.allocs,
		      (unsigned long long)m.frees, (unsigned long long)m.reallocs,
		      (unsigned long long)m.bad, (unsigned long long)m.shrinks,
		      (unsigned long long)m.bulks, (unsigned long long)m.fails);
	assert_true(m.bad > ops / 100);
	assert_true(m.bulks > ops / 100);
	slab_teardown();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_slab_model_random),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
