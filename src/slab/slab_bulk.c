/* SPDX-License-Identifier: MIT */
/*
 * slab_bulk.c - many objects of one cache per call: pmm_kmem_cache_alloc_bulk()
 * and pmm_kmem_cache_free_bulk(), Linux's kmem_cache_alloc_bulk() and
 * kmem_cache_free_bulk().
 *
 * Allocation takes runs from the calling CPU's array (refilled from the
 * slabs as a single allocation does) and is all or none: when memory runs
 * out part way, the objects taken go back and the call returns 0.
 *
 * Freeing is all or none too. Pass 1 proves each pointer an allocated
 * object (of the cache, when one is named) and claims it: its state byte
 * goes from ALLOCATED to FREE, so an object named twice in the array is
 * found at its second claim. Consecutive objects of one slab are
 * placed by a range compare against the previous object's slab (which
 * cannot go away meanwhile: the claimed object is on no free stack, so
 * the slab is not empty). A pointer that fails puts the claims made so
 * far back to ALLOCATED and the call returns its error: nothing freed.
 * For a named cache without debug bytes pass 1 starts without reports
 * (claim_run()); the first pointer that fails there is redone by claim(),
 * which reports it. Pass 2 pushes the claimed objects on the CPU array, flushing it to the
 * slabs when full.
 */
#include <limits.h>

#include "slab_fast.h"

/* Take up to @want objects off @ac into @objs, marking them allocated;
 * stops at an object whose state byte is not FREE (slab_alloc_slow()
 * reports it). Return: objects taken. */
static size_t take_run(struct pmm_kmem_cache *c, struct slab_cpu *ac,
		       void **objs, size_t want)
{
	uintptr_t d = slab_map_delta();
	struct slab_geom g;
	slab_geom_of(c, &g);
	uint32_t avail = ac->avail;
	size_t n = 0;
	want = want < avail ? want : avail;
	while (n < want) {
		unsigned char *obj = ac->entry[avail - 1];
		_Atomic uint8_t *state = slab_trusted_state(&g, obj, d);
		if (atomic_load_explicit(state, memory_order_relaxed) !=
		    SLAB_OBJ_FREE)
			break;
		atomic_store_explicit(state, SLAB_OBJ_ALLOCATED,
				      memory_order_relaxed);
		avail--;
		objs[n++] = obj;
	}
	ac->avail = avail;
	ac->allocs += n;
	return n;
}

/* Give back @objs[0 .. @n), allocated by this call and never seen by the
 * caller: FREE again (poisoned in a debug cache), on the CPU array. */
static void untake(struct pmm_kmem_cache *c, void **objs, size_t n)
{
	struct slab_geom g;
	slab_geom_of(c, &g);
	for (size_t i = 0; i < n; i++) {
		unsigned char *obj = objs[i];
		atomic_store_explicit(slab_trusted_state(&g, obj, slab_map_delta()),
				      SLAB_OBJ_FREE, memory_order_relaxed);
		if (c->flags & PMM_SLAB_DEBUG)
			slab_debug_on_free(c, obj);
		slab_cpu_push(c, obj);
	}
	struct slab_cpu *ac = slab_cpu(c, pmm_platform_cpu());
	ac->allocs -= n;
	ac->frees -= n;
}

/* One object of @c for a bulk call whose CPU array @ac is empty: the
 * array refilled first with up to @left objects (at most the array's
 * size) in one lock round trip. Return: the object or NULL. */
static void *take_refilled(struct pmm_kmem_cache *c, struct slab_cpu *ac,
			   size_t left, unsigned int gfp)
{
	if (!(c->flags & SLAB_SLOW_FLAGS) && left > c->batch) {
		uint32_t want = left < c->limit ? (uint32_t)left : c->limit;
		(void)slab_cpu_refill(c, ac, want, gfp);
	}
	return slab_alloc_slow(c, gfp);
}

/**
 * pmm_kmem_cache_alloc_bulk - @nr objects of @c into @objs, all or none.
 * @c: the cache
 * @gfp: as pmm_kmem_cache_alloc()
 * @nr: how many
 * @objs: out: the objects
 *
 * Return: @nr; 0 when out of memory (nothing allocated) or @nr is 0;
 * PMM_EINVAL, nothing done, when @c is no cache, @objs is NULL or @nr
 * exceeds LONG_MAX. Locking: as pmm_kmem_cache_alloc().
 */
long pmm_kmem_cache_alloc_bulk(struct pmm_kmem_cache *c, unsigned int gfp,
			       size_t nr, void **objs)
{
	if (!slab_cache_ok(c) || (objs == NULL && nr != 0) ||
	    nr > (size_t)LONG_MAX)
		return PMM_EINVAL;
	size_t done = 0;
	bool fast = !(c->flags & SLAB_SLOW_FLAGS);
	while (done < nr) {
		struct slab_cpu *ac = slab_cpu(c, pmm_platform_cpu());
		size_t n = fast ? take_run(c, ac, objs + done, nr - done) : 0;
		if (n != 0) {
			done += n;
			continue;
		}
		void *obj = take_refilled(c, ac, nr - done, gfp & ~PMM_GFP_ZERO);
		if (obj == NULL) {
			untake(c, objs, done);
			return 0;
		}
		objs[done++] = obj;
	}
	if (gfp & PMM_GFP_ZERO)
		for (size_t i = 0; i < nr; i++)
			pmm_memset(objs[i], 0, c->object_size);
	return (long)nr;
}

/* The slab of the object claimed last: the next one in its range is
 * placed without the page descriptors, by its cache's geometry. */
struct claim_hint {
	struct slab *s;
	const struct pmm_kmem_cache *c; /* s->cache */
	struct slab_geom g;             /* of c */
};

/* Return: the slab of @p, from @h or slab_lookup(); NULL (reported) when
 * @p is in no slab. */
static struct slab *claim_slab(const void *p, struct claim_hint *h,
			       const char *func)
{
	if (h->s && (uintptr_t)p - (uintptr_t)h->s < h->g.span)
		return h->s;
	struct slab *s = slab_lookup(p);
	if (s == NULL) {
		(void)pmm_bug(PMM_EINVAL, func, "%p is not a slab object", p);
		return NULL;
	}
	h->s = s;
	if (h->c != s->cache) {
		h->c = s->cache;
		slab_geom_of(h->c, &h->g);
	}
	return s;
}

/* Prove @p an allocated object (of @want unless NULL) and mark it FREE.
 * Return: 0 or the error, reported; the state is then unchanged. */
static int claim(const struct pmm_kmem_cache *want, const void *p,
		 struct claim_hint *h, const char *func)
{
	struct slab *s = claim_slab(p, h, func);
	if (s == NULL)
		return PMM_EINVAL;
	const struct pmm_kmem_cache *c = h->c;
	uint32_t idx;
	if ((want && want != c) || (c->flags & SLAB_SLOW_FLAGS) ||
	    slab_geom_index(&h->g, s, p, &idx) != 0) {
		struct slab_where w = { .slab = s };
		int err = slab_validate(want, p, &w, func, &idx);
		if (err)
			return err;
	}
	if (!slab_state_release(slab_geom_state(&h->g, s, idx)))
		return slab_double_free(s, idx, p, func);
	return 0;
}

/*
 * Claim @objs[0 .. @nr) of @c, a cache without debug bytes, for as long
 * as each proves an allocated object of @c without a report: its slab
 * the previous object's (a range compare) or slab_lookup()'s of @c, its
 * index exact (slab_geom_index()), its state byte ALLOCATED. The
 * geometry stays in locals: the state bytes' stores could alias anything
 * reached through a pointer. Nothing of the pointer it stops at is
 * changed; claim() then redoes it with the reports.
 * Return: the index of that pointer, or @nr when all are claimed.
 */
static size_t claim_run(const struct pmm_kmem_cache *c, size_t nr,
			void *const *objs)
{
	struct slab_geom g;
	slab_geom_of(c, &g);
	struct slab *s = NULL;
	for (size_t i = 0; i < nr; i++) {
		const void *p = objs[i];
		uint32_t idx;
		if (p == NULL)
			continue;
		if (s == NULL || (uintptr_t)p - (uintptr_t)s >= g.span) {
			s = slab_lookup(p);
			if (s == NULL || s->cache != c)
				return i;
		}
		if (slab_geom_index(&g, s, p, &idx) != 0 ||
		    !slab_state_release(slab_geom_state(&g, s, idx)))
			return i;
	}
	return nr;
}

/* Return: the cache and *@state the state byte of @p, a claimed object. */
static struct pmm_kmem_cache *claimed_cache(const void *p,
					    _Atomic uint8_t **state)
{
	struct slab_where w = { .slab = NULL };
	uint32_t idx = 0;
	int err = slab_where(p, &w);
	PMM_ASSERT(err == 0 && w.slab != NULL, "claimed object %p is in no slab",
		   p);
	struct pmm_kmem_cache *c = w.slab->cache;
	(void)slab_obj_index(c, w.slab, p, &idx);
	*state = &slab_state_map(c, w.slab)[idx];
	return c;
}

/* Put the claims of @objs[0 .. @n) back: ALLOCATED again. */
static void unclaim(void *const *objs, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		_Atomic uint8_t *state;
		if (objs[i] == NULL)
			continue;
		(void)claimed_cache(objs[i], &state);
		atomic_store_explicit(state, SLAB_OBJ_ALLOCATED,
				      memory_order_relaxed);
	}
}

/* Push @objs[@i .. @n) (NULL entries skipped) on @ac while it has room
 * below @limit for all that are left: a NULL is written to the slot above
 * the top and not counted. Return: the index of the first not pushed. */
static size_t push_some(struct slab_cpu *ac, uint32_t limit,
			void *const *objs, size_t i, size_t n)
{
	uint32_t avail = ac->avail, start = avail;
	size_t room = limit - avail;
	size_t end = n - i < room ? n : i + room;
	for (; i < end; i++) {
		void *o = objs[i];
		ac->entry[avail] = o;
		avail += (uint32_t)(o != NULL);
	}
	ac->avail = avail;
	ac->frees += avail - start;
	return i;
}

/* Push the claimed objects @objs[0 .. @n) of @c, a cache without debug
 * bytes, on the CPU array. When they do not fit, the array's oldest
 * objects go back to the slabs first, as many as the surplus (at least
 * `batch`, at most all), in one lock round trip: a batch the size of the
 * array then cycles through it without the lock. */
static void push_run(struct pmm_kmem_cache *c, void *const *objs, size_t n)
{
	struct slab_cpu *ac = slab_cpu(c, pmm_platform_cpu());
	size_t i = 0;
	while (i < n) {
		size_t left = n - i;
		if (ac->avail + left > c->limit) {
			size_t k = ac->avail + left - c->limit;
			k = k > c->batch ? k : c->batch;
			k = k < ac->avail ? k : ac->avail;
			if (k != 0)
				slab_cpu_flush_n(c, ac, (uint32_t)k);
		}
		i = push_some(ac, c->limit, objs, i, n);
	}
}

/* Push the claimed objects @objs[0 .. @n) of @c (NULL: each its own
 * cache) on the CPU array, poisoned in a debug cache. */
static void push_claimed(struct pmm_kmem_cache *c, void *const *objs,
			 size_t n)
{
	if (c != NULL && !(c->flags & PMM_SLAB_DEBUG)) {
		push_run(c, objs, n);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		_Atomic uint8_t *state;
		struct pmm_kmem_cache *oc = c;
		if (objs[i] == NULL)
			continue;
		if (oc == NULL || (oc->flags & PMM_SLAB_DEBUG))
			oc = claimed_cache(objs[i], &state);
		if (oc->flags & PMM_SLAB_DEBUG)
			slab_debug_on_free(oc, objs[i]);
		slab_cpu_push(oc, objs[i]);
	}
}

/**
 * pmm_kmem_cache_free_bulk - free @objs[0 .. @nr), all or none.
 * @c: their cache, or NULL (each object's own, as kfree() finds it)
 * @nr: how many (NULL entries are skipped)
 * @objs: the objects
 *
 * Return: 0, every object freed; or, nothing freed: PMM_EINVAL (@objs NULL
 * with @nr > 0); through the bug hook, the first error of
 * pmm_kmem_cache_free() (@c no cache, a pointer no object of @c, inside
 * one, not allocated - also when named twice in @objs -, a red zone
 * overwritten). Locking: as pmm_kmem_cache_free().
 */
int pmm_kmem_cache_free_bulk(struct pmm_kmem_cache *c, size_t nr, void **objs)
{
	struct claim_hint h = { .s = NULL, .c = NULL };
	if (objs == NULL && nr != 0)
		return PMM_EINVAL;
	if (c != NULL && !slab_cache_ok(c))
		return pmm_bug(PMM_EINVAL, __func__, "%p is not a cache",
				  (void *)c);
	size_t i = 0;
	if (c != NULL && !(c->flags & SLAB_SLOW_FLAGS))
		i = claim_run(c, nr, objs);
	for (; i < nr; i++) {
		if (objs[i] == NULL)
			continue;
		int err = claim(c, objs[i], &h, __func__);
		if (err) {
			unclaim(objs, i);
			return err;
		}
	}
	push_claimed(c, objs, nr);
	return 0;
}
