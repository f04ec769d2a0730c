/* SPDX-License-Identifier: MIT */
/*
 * slab_snap.h - byte-exact snapshots of the slab layer for the error
 * tests of tests/slab/: the page descriptors, and for up to two caches
 * their descriptor block (per-CPU arrays included) and every slab whole.
 *
 *   struct snap s = snap_take(c, NULL);
 *   ... a call that must change nothing ...
 *   snap_same(&s, c, NULL);      fails the case on any difference
 *
 * Also: reported(err) - exactly one report since the last look, with err.
 */
#ifndef PMM_TESTS_SLAB_SNAP_H
#define PMM_TESTS_SLAB_SNAP_H

#include <stdlib.h>
#include <string.h>

#include <pmm/check.h>

#include "../../src/slab/slab_internal.h"
#include "host_platform.h"
#include "slab_setup.h"

/* The bytes of the slab layer's state for some caches, and the page
 * descriptors. */
struct snap {
	unsigned char *bytes;
	size_t len, cap;
};

static inline void snap_add(struct snap *s, const void *p, size_t n)
{
	if (s->len + n > s->cap) {
		s->cap = (s->len + n) * 2;
		s->bytes = realloc(s->bytes, s->cap);
		assert_non_null(s->bytes);
	}
	memcpy(s->bytes + s->len, p, n);
	s->len += n;
}

/* Append @c's descriptor block and each of its slabs, whole. */
static inline void snap_cache(struct snap *s, struct pmm_kmem_cache *c)
{
	snap_add(s, c, (size_t)PMM_PAGE_SIZE << c->desc_order);
	for (unsigned int cpu = 0; cpu < PMM_NR_CPUS; cpu++)
		for (int l = 0; l < SLAB_NR_LISTS; l++)
			for (struct slab *b = c->lists[cpu][l]; b; b = b->next)
				snap_add(s, b, (size_t)PMM_PAGE_SIZE << c->order);
}

/* Snapshot of @a and @b (either NULL) and the descriptors. */
static inline struct snap snap_take(struct pmm_kmem_cache *a,
				    struct pmm_kmem_cache *b)
{
	struct snap s = { NULL, 0, 0 };
	snap_add(&s, pmm_mem_map, (size_t)pmm_max_pfn * sizeof(struct pmm_page));
	if (a)
		snap_cache(&s, a);
	if (b)
		snap_cache(&s, b);
	return s;
}

/* The state now must equal @before; frees it. Both checkers must pass,
 * but for a red zone overwritten on purpose (pmm_slab_check() sees it). */
static inline void snap_same(struct snap *before, struct pmm_kmem_cache *a,
			     struct pmm_kmem_cache *b)
{
	struct snap now = snap_take(a, b);
	assert_int_equal(now.len, before->len);
	assert_memory_equal(now.bytes, before->bytes, now.len);
	free(now.bytes);
	free(before->bytes);
	const char *e = pmm_slab_check();
	if (e && !(a && (a->flags & PMM_SLAB_RED_ZONE) && strstr(e, "red zone")))
		fail_msg("%s", e);
	assert_null(pmm_check());
}

/* One report since the last look, with @err. */
static inline void reported(int err)
{
	assert_int_equal(slab_reports_since(), 1);
	assert_int_equal(host_last_report_err(), err);
}

#endif /* PMM_TESTS_SLAB_SNAP_H */
