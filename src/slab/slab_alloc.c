/* SPDX-License-Identifier: MIT */
/*
 * slab_alloc.c - allocating and freeing objects: the slow paths behind
 * the per-CPU arrays (slab_fast.h holds the fast paths, a pop and a push
 * without a lock) and the slabs behind them (the cache lock).
 *
 * Allocation pops the caller's CPU array; an empty array is refilled with
 * up to `batch` objects from the CPU's own partial and empty slabs, then
 * another CPU's empty slab, then a new slab, and only when the buddy
 * allocator has none another CPU's partial slab - so that each slab's
 * header and state map stay in one CPU's cache.
 *
 * Freeing validates the pointer from the page descriptors and the slab
 * header (slab_where()), sets the object's state byte from ALLOCATED to
 * FREE - finding it FREE already is a double free - and pushes the object
 * on the CPU array; a full array flushes its oldest `batch` objects back to their
 * slabs, and empty slabs beyond SLAB_KEEP_EMPTY go back to the buddy
 * allocator.
 */
#include <pmm/fmt.h>

#include "slab_fast.h"

/* Return: the index of @obj, an object of @c in slab @s. */
static uint32_t obj_index(const struct pmm_kmem_cache *c, const struct slab *s,
			  const void *obj)
{
	return slab_div_slot(c, (uint32_t)((uintptr_t)obj - (uintptr_t)s -
					   c->first_off));
}

/* The first slab of list @l of any CPU (a slab to take over), or NULL. */
static struct slab *any_cpu_first(struct pmm_kmem_cache *c, uint32_t l)
{
	for (unsigned int cpu = 0; cpu < PMM_NR_CPUS; cpu++)
		if (c->lists[cpu][l])
			return c->lists[cpu][l];
	return NULL;
}

/*
 * The slab CPU @cpu refills from: the first of its own partial, then its
 * own empty slabs; else another CPU's empty slab, taken over; else, when
 * @steal (the buddy allocator has no new slab), another CPU's partial
 * slab, taken over - only then do two CPUs share a slab's objects.
 * Return: the slab, or NULL. Cache lock held.
 */
static struct slab *pick_slab_locked(struct pmm_kmem_cache *c,
				     unsigned int cpu, bool steal)
{
	PMM_ASSERT_LOCKED(&c->lock);
	struct slab *s = c->lists[cpu][SLAB_PARTIAL];
	if (s == NULL)
		s = c->lists[cpu][SLAB_EMPTY];
	if (s != NULL)
		return s;
	s = any_cpu_first(c, SLAB_EMPTY);
	if (s == NULL && steal)
		s = any_cpu_first(c, SLAB_PARTIAL);
	if (s != NULL)
		slab_set_owner_locked(c, s, cpu);
	return s;
}

/* Pop up to @want objects of the slabs of @c into @ac, the array of CPU
 * @cpu. Cache lock held. */
static void take_from_slabs_locked(struct pmm_kmem_cache *c,
				   struct slab_cpu *ac, uint32_t want,
				   unsigned int cpu, bool steal)
{
	PMM_ASSERT_LOCKED(&c->lock);
	uint32_t first = ac->avail;
	while (ac->avail < want) {
		struct slab *s = pick_slab_locked(c, cpu, steal);
		if (s == NULL)
			break;
		uint16_t *stack = slab_stack(c, s);
		while (s->nr_free != 0 && ac->avail < want) {
			uint16_t idx = stack[--s->nr_free];
			ac->entry[ac->avail++] = slab_obj(c, s, idx);
			c->inuse++;
		}
		slab_relist_locked(c, s);
	}
	/* Lowest address on top: a fresh slab hands out in address order. */
	for (uint32_t i = first, j = ac->avail; i + 1 < j; i++, j--) {
		void *t = ac->entry[i];
		ac->entry[i] = ac->entry[j - 1];
		ac->entry[j - 1] = t;
	}
}

/* Refill @ac, the array of CPU @cpu, from the slabs up to @want objects,
 * growing the cache if they are all full. Return: objects in @ac.
 * Locking: takes the cache lock. */
static uint32_t cache_refill(struct pmm_kmem_cache *c, struct slab_cpu *ac,
			     unsigned int cpu, uint32_t want, unsigned int gfp)
{
	pmm_lock(&c->lock);
	for (;;) {
		take_from_slabs_locked(c, ac, want, cpu, false);
		if (ac->avail != 0)
			break;
		pmm_unlock(&c->lock);
		struct slab *s = slab_grow(c, gfp);
		pmm_lock(&c->lock);
		if (s == NULL) {
			take_from_slabs_locked(c, ac, want, cpu, true);
			break;
		}
		slab_add_locked(c, s, cpu);
	}
	slab_validate_due_locked(c);
	pmm_unlock(&c->lock);
	return ac->avail;
}

/* Put @obj back on its slab's free stack. Cache lock held. */
static void give_to_slab_locked(struct pmm_kmem_cache *c, void *obj)
{
	PMM_ASSERT_LOCKED(&c->lock);
	struct slab *s = slab_of_trusted(c, obj);
	PMM_ASSERT(s->nr_free < c->objs_per_slab && c->inuse != 0,
		   "cache %s: object %p back to slab pfn 0x%llx with %u of %u free, %llu in use",
		   c->name, obj, (unsigned long long)s->pfn, s->nr_free,
		   c->objs_per_slab, (unsigned long long)c->inuse);
	slab_stack(c, s)[s->nr_free++] = (uint16_t)obj_index(c, s, obj);
	c->inuse--;
	slab_relist_locked(c, s);
}

/* Move the oldest @n objects of @ac to their slabs, then give back the
 * empty slabs beyond @keep. Locking: takes the cache lock. */
static void cache_flush(struct pmm_kmem_cache *c, struct slab_cpu *ac,
			uint32_t n, uint64_t keep)
{
	pmm_lock(&c->lock);
	for (uint32_t i = 0; i < n; i++)
		give_to_slab_locked(c, ac->entry[i]);
	ac->avail -= n;
	for (uint32_t i = 0; i < ac->avail; i++)
		ac->entry[i] = ac->entry[i + n];
	struct slab *chain = slab_take_empty_locked(c, keep);
	slab_validate_due_locked(c);
	pmm_unlock(&c->lock);
	slab_release_chain(c, chain);
}

void slab_cpu_flush(struct pmm_kmem_cache *c, struct slab_cpu *ac)
{
	cache_flush(c, ac, c->batch, SLAB_KEEP_EMPTY);
}

void slab_cpu_flush_n(struct pmm_kmem_cache *c, struct slab_cpu *ac,
		      uint32_t n)
{
	cache_flush(c, ac, n, SLAB_KEEP_EMPTY);
}

uint32_t slab_cpu_refill(struct pmm_kmem_cache *c, struct slab_cpu *ac,
			 uint32_t want, unsigned int gfp)
{
	return cache_refill(c, ac, pmm_platform_cpu(), want, gfp);
}

int slab_flush_push(struct pmm_kmem_cache *c, struct slab_cpu *ac, void *p)
{
	slab_cpu_flush(c, ac);
	ac->entry[ac->avail++] = p;
	ac->frees++;
	return 0;
}

void slab_drain_cpu(struct pmm_kmem_cache *c, unsigned int cpu)
{
	struct slab_cpu *ac = slab_cpu(c, cpu);
	if (ac->avail != 0)
		cache_flush(c, ac, ac->avail, UINT64_MAX);
}

/* Mark @obj allocated and run the debug checks and late constructor.
 * Return: 0, or an error when the object must not be handed out. */
static int obj_take(struct pmm_kmem_cache *c, unsigned char *obj)
{
	struct slab *s = slab_of_trusted(c, obj);
	uint32_t idx = obj_index(c, s, obj);
	_Atomic uint8_t *state = &slab_state_map(c, s)[idx];
	if (atomic_load_explicit(state, memory_order_relaxed) != SLAB_OBJ_FREE)
		return pmm_bug(PMM_ECORRUPT, __func__,
				  "cache %s: free object %p (index %u, slab pfn 0x%llx) is marked allocated",
				  c->name, (void *)obj, idx,
				  (unsigned long long)s->pfn);
	atomic_store_explicit(state, SLAB_OBJ_ALLOCATED, memory_order_relaxed);
	if (c->flags & PMM_SLAB_DEBUG)
		(void)slab_debug_on_alloc(c, s, idx, obj);
	if (c->ctor && (c->flags & PMM_SLAB_POISON))
		c->ctor(obj);
	return 0;
}

/**
 * slab_alloc_slow - one object from @c, the array empty or the cache or
 * @gfp asking for more than a pop (debug bytes, constructor, zeroing).
 *
 * Return: the object or NULL. Locking: the cache lock to refill the
 * caller's CPU array.
 */
void *slab_alloc_slow(struct pmm_kmem_cache *c, unsigned int gfp)
{
	unsigned int cpu = pmm_platform_cpu();
	struct slab_cpu *ac = slab_cpu(c, cpu);
	unsigned char *obj;
	do {
		if (ac->avail == 0 &&
		    cache_refill(c, ac, cpu, c->batch, gfp) == 0)
			return NULL;
		obj = ac->entry[--ac->avail];
	} while (obj_take(c, obj) != 0);
	ac->allocs++;
	if (gfp & PMM_GFP_ZERO)
		pmm_memset(obj, 0, c->object_size);
	return obj;
}

/**
 * pmm_kmem_cache_alloc - one object from @c.
 * @c: the cache
 * @gfp: PMM_GFP_ZERO and page flags for a new slab
 *
 * Return: the object or NULL. Locking: none on the fast path; the cache
 * lock to refill the caller's CPU array.
 */
void *pmm_kmem_cache_alloc(struct pmm_kmem_cache *c, unsigned int gfp)
{
	if (!slab_cache_ok(c))
		return NULL;
	return slab_alloc_fast(c, gfp);
}

/**
 * slab_validate - prove that @p is an allocated object, of @want if not
 * NULL, and find its slab and index.
 * @want: the cache the caller names, or NULL (kfree)
 * @p: the pointer
 * @w: slab_where()'s answer for @p, with w->slab set
 * @func: the public function, for the report
 * @idx: out: the object's index
 *
 * Return: 0, or the error already reported: PMM_EINVAL (another cache's
 * object, or not within the objects), PMM_ENOTHEAD, PMM_EDOUBLEFREE,
 * PMM_ECORRUPT (red zone overwritten).
 */
int slab_validate(const struct pmm_kmem_cache *want, const void *p,
		  const struct slab_where *w, const char *func, uint32_t *idx)
{
	struct slab *s = w->slab;
	const struct pmm_kmem_cache *c = s->cache;
	if (want && c != want)
		return pmm_bug(PMM_EINVAL, func,
				  "%p is an object of cache %s, not of cache %s",
				  p, c->name, want->name);
	int err = slab_obj_index(c, s, p, idx);
	if (err == PMM_EINVAL)
		return pmm_bug(err, func,
				  "cache %s: %p is in slab pfn 0x%llx but not in an object",
				  c->name, p, (unsigned long long)s->pfn);
	if (err)
		return pmm_bug(err, func,
				  "cache %s: %p is %zu bytes into object %u (%p)",
				  c->name, p,
				  (size_t)((const unsigned char *)p -
					   slab_obj(c, s, *idx)),
				  *idx, (void *)slab_obj(c, s, *idx));
	if (atomic_load_explicit(&slab_state_map(c, s)[*idx],
				 memory_order_acquire) != SLAB_OBJ_ALLOCATED)
		return pmm_bug(PMM_EDOUBLEFREE, func,
				  "cache %s: object %p (index %u, slab pfn 0x%llx) is not allocated (double free?)",
				  c->name, p, *idx, (unsigned long long)s->pfn);
	if (c->flags & PMM_SLAB_RED_ZONE)
		return slab_debug_check_free(c, s, *idx, p);
	return 0;
}

/**
 * slab_double_free - report the free of @p (object @idx of @s), which was
 * not allocated: its state byte says FREE.
 *
 * Return: PMM_EDOUBLEFREE.
 */
int slab_double_free(struct slab *s, uint32_t idx, const void *p,
		     const char *func)
{
	return pmm_bug(PMM_EDOUBLEFREE, func,
			  "cache %s: object %p (index %u, slab pfn 0x%llx) is not allocated (double free?)",
			  s->cache->name, p, idx, (unsigned long long)s->pfn);
}

/**
 * slab_free_slow - free @p for @func with every check and its report: a
 * pointer the fast path could not place, or an object of a debug cache.
 * @want: the cache the caller names, or NULL (kfree: any cache)
 *
 * Return: 0, or the error reported (see pmm_kmem_cache_free()).
 * Locking: as slab_free_in(); the cache lock to flush the array.
 */
int slab_free_slow(const struct pmm_kmem_cache *want, const void *p,
		   const char *func)
{
	struct slab_where w;
	uint32_t idx;
	if (slab_where(p, &w) != 0 || w.slab == NULL)
		return pmm_bug(PMM_EINVAL, func, "%p is not a slab object", p);
	int err = slab_validate(want, p, &w, func, &idx);
	if (err)
		return err;
	struct pmm_kmem_cache *c = w.slab->cache;
	if (!slab_state_release(&slab_state_map(c, w.slab)[idx]))
		return slab_double_free(w.slab, idx, p, func);
	if (c->flags & PMM_SLAB_DEBUG)
		slab_debug_on_free(c, (unsigned char *)(uintptr_t)p);
	slab_cpu_push(c, (void *)(uintptr_t)p);
	return 0;
}

/* pmm_kmem_cache_free() for what its fast path did not free: NULL, a
 * bad cache, a pointer in no slab or in another cache's (reported here).
 * Out of line: pmm_kmem_cache_free() stays without a stack frame. */
__attribute__((noinline, cold)) static int
kmem_cache_free_slow(struct pmm_kmem_cache *c, const void *obj,
		     const char *func)
{
	struct slab *s;
	if (obj == NULL)
		return 0;
	if (!slab_cache_ok(c))
		return pmm_bug(PMM_EINVAL, func, "%p is not a cache", (void *)c);
	if ((s = slab_lookup(obj)) == NULL)
		return pmm_bug(PMM_EINVAL, func,
				  "cache %s: %p is not a slab object",
				  c->name, obj);
	return slab_free_in(c, s, obj, func);
}

/**
 * pmm_kmem_cache_free - free @obj, an allocated object of @c.
 *
 * Return: 0, or an error reported through the bug hook (see slab.h).
 * Locking: none on the fast path; the cache lock to flush the array.
 */
int pmm_kmem_cache_free(struct pmm_kmem_cache *c, void *obj)
{
	struct slab *s;
	/* A slab whose cache is @c proves @c a live cache (slab_at()), so
	 * the fast path skips slab_cache_ok(); one compare sends NULL and
	 * PMM_ZERO_SIZE_PTR (no slab object) to the slow path. */
	if (__builtin_expect((uintptr_t)obj > (uintptr_t)PMM_ZERO_SIZE_PTR &&
				     (s = slab_lookup(obj)) != NULL && s->cache == c, 1))
		return slab_free_in(c, s, obj, __func__);
	return kmem_cache_free_slow(c, obj, __func__);
}
