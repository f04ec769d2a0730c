/* SPDX-License-Identifier: MIT */
/*
 * slab_cache.c - caches: the slab layer's state, creating, shrinking and
 * destroying caches, a CPU going offline, and their counters.
 *
 * A cache's descriptor and its per-CPU arrays live in pages of their own
 * (tagged "SLBC" + id), so the layer needs no bootstrap cache and a cache
 * costs nothing in static memory. Caches are on one list, newest first,
 * under the slab lock; each cache's slabs are under its own lock.
 */
#include <pmm/fmt.h>

#include "slab_internal.h"

struct slab_state pmm_slab_state;

/**
 * pmm_slab_init - start (or restart) the slab layer.
 * @flags: PMM_SLAB_RED_ZONE and/or PMM_SLAB_POISON for the kmalloc caches
 *
 * Forgets every cache without freeing anything: call it once the buddy
 * allocator runs, and again only after pmm_zones_reset().
 * Return: 0 or PMM_EINVAL (other flags). Locking: none; nothing else may
 * run in the slab layer meanwhile.
 */
int pmm_slab_init(unsigned int flags)
{
	if (flags & ~PMM_SLAB_DEBUG)
		return PMM_EINVAL;
	pmm_memset(&pmm_slab_state, 0, sizeof(pmm_slab_state));
	pmm_lock_init(&pmm_slab_state.lock);
	slab_map_reset();
	pmm_slab_state.kmalloc_flags = flags;
	pmm_slab_state.next_id = 1;
	pmm_slab_state.ready = true;
	return 0;
}

/* Check the arguments of a cache creation. Return: 0 or the error. */
static int check_args(const char *name, size_t size, size_t align,
		      unsigned int flags)
{
	if (!pmm_slab_state.ready)
		return PMM_ESTATE;
	if (name == NULL || pmm_strlen(name) >= PMM_SLAB_NAME_MAX || size == 0)
		return PMM_EINVAL;
	if ((flags & ~PMM_SLAB_FLAGS_ALL) ||
	    (flags & PMM_SLAB_CACHE_DMA && flags & PMM_SLAB_CACHE_DMA32))
		return PMM_EINVAL;
	if (align & (align - 1) || align > PMM_PAGE_SIZE)
		return PMM_EALIGN;
	return 0;
}

/* Fill a cache's identity and geometry in @c (not yet in memory of its
 * own). Return: 0 or the geometry's error. */
static int cache_shape(struct pmm_kmem_cache *c, const char *name,
		       size_t size, size_t align, unsigned int flags)
{
	pmm_memset(c, 0, sizeof(*c));
	pmm_memcpy(c->name, name, pmm_strlen(name) + 1);
	c->flags = flags;
	c->object_size = size;
	c->align = align ? align : 8;
	if (flags & PMM_SLAB_HWCACHE_ALIGN && c->align < PMM_CACHELINE)
		c->align = PMM_CACHELINE;
	if (flags & PMM_SLAB_CACHE_DMA)
		c->gfp_zone = PMM_GFP_DMA;
	if (flags & PMM_SLAB_CACHE_DMA32)
		c->gfp_zone = PMM_GFP_DMA32;
	return slab_layout(c);
}

struct pmm_kmem_cache *slab_cache_new(const char *name, size_t size,
				      size_t align, unsigned int flags,
				      void (*ctor)(void *), bool kmalloc,
				      int *err)
{
	struct pmm_kmem_cache shape;
	int e = check_args(name, size, align, flags);
	if (e == 0)
		e = cache_shape(&shape, name, size, align, flags);
	if (e) {
		*err = e;
		return NULL;
	}
	pmm_lock(&pmm_slab_state.lock);
	uint32_t id = pmm_slab_state.next_id++;
	pmm_unlock(&pmm_slab_state.lock);
	pmm_pfn_t pfn;
	struct pmm_kmem_cache *c = slab_block_alloc(
		0, shape.desc_order,
		(uint64_t)PMM_SLAB_TAG_DESC << 32 | id, &pfn);
	if (c == NULL) {
		*err = PMM_ENOMEM;
		return NULL;
	}
	pmm_memset(c, 0, (size_t)PMM_PAGE_SIZE << shape.desc_order);
	pmm_memcpy(c, &shape, sizeof(shape));
	c->id = id;
	c->tag = PMM_SLAB_TAG(id);
	c->ctor = ctor;
	c->is_kmalloc = kmalloc;
	c->desc_pfn = pfn;
	pmm_lock_init(&c->lock);
	c->magic = CACHE_MAGIC;
	pmm_lock(&pmm_slab_state.lock);
	c->next_cache = pmm_slab_state.caches;
	pmm_slab_state.caches = c;
	pmm_unlock(&pmm_slab_state.lock);
	*err = 0;
	return c;
}

struct pmm_kmem_cache *pmm_kmem_cache_create_err(const char *name, size_t size,
						 size_t align,
						 unsigned int flags,
						 void (*ctor)(void *),
						 int *err)
{
	int e;
	struct pmm_kmem_cache *c = slab_cache_new(name, size, align, flags,
						  ctor, false, &e);
	if (err)
		*err = e;
	return c;
}

struct pmm_kmem_cache *pmm_kmem_cache_create(const char *name, size_t size,
					     size_t align, unsigned int flags,
					     void (*ctor)(void *))
{
	return pmm_kmem_cache_create_err(name, size, align, flags, ctor, NULL);
}

bool slab_cache_is_live(const struct pmm_kmem_cache *c)
{
	bool found = false;
	pmm_lock(&pmm_slab_state.lock);
	for (const struct pmm_kmem_cache *i = pmm_slab_state.caches; i;
	     i = i->next_cache)
		found = found || i == c;
	pmm_unlock(&pmm_slab_state.lock);
	return found;
}

/**
 * pmm_kmem_cache_shrink - every CPU's array back to the slabs, then every
 * empty slab back to the buddy allocator.
 *
 * Return: pages given back (0 for a pointer that is no cache).
 * Locking: quiet (other CPUs' arrays are emptied); takes the cache lock.
 */
uint64_t pmm_kmem_cache_shrink(struct pmm_kmem_cache *c)
{
	if (!slab_cache_ok(c))
		return 0;
	for (unsigned int cpu = 0; cpu < PMM_NR_CPUS; cpu++)
		slab_drain_cpu(c, cpu);
	pmm_lock(&c->lock);
	struct slab *chain = slab_take_empty_locked(c, 0);
	pmm_unlock(&c->lock);
	return slab_release_chain(c, chain);
}

/**
 * pmm_slab_shrink_all - shrink every cache.
 *
 * Return: pages freed. Locking: quiet; the slab lock across the walk, each
 * cache's lock in turn (the buddy allocator is called under the slab lock).
 */
uint64_t pmm_slab_shrink_all(void)
{
	uint64_t pages = 0;
	if (!pmm_slab_state.ready)
		return 0;
	pmm_lock(&pmm_slab_state.lock);
	for (struct pmm_kmem_cache *c = pmm_slab_state.caches; c;
	     c = c->next_cache)
		pages += pmm_kmem_cache_shrink(c);
	pmm_unlock(&pmm_slab_state.lock);
	return pages;
}

/* Give every slab on CPU @from's lists of @c to CPU @to. Cache lock held. */
static void adopt_slabs_locked(struct pmm_kmem_cache *c, unsigned int from,
			       unsigned int to)
{
	PMM_ASSERT_LOCKED(&c->lock);
	for (uint32_t l = 0; l < SLAB_NR_LISTS; l++) {
		struct slab *s;
		while ((s = c->lists[from][l]) != NULL)
			slab_set_owner_locked(c, s, to);
	}
}

/**
 * pmm_slab_cpu_offline - CPU @cpu is gone: its array of every cache back
 * to the slabs, and its slabs to the calling CPU's lists (else its
 * partial slabs would wait for an out-of-memory to be used again).
 * @cpu: the CPU going offline; not the caller
 *
 * Return: 0; PMM_ESTATE before pmm_slab_init(); PMM_EINVAL for @cpu at or
 * past PMM_NR_CPUS or the calling CPU itself (nothing changed). Locking:
 * @cpu must not run in the slab layer; the slab lock, each cache's lock.
 */
int pmm_slab_cpu_offline(unsigned int cpu)
{
	if (!pmm_slab_state.ready)
		return PMM_ESTATE;
	unsigned int to = pmm_platform_cpu();
	if (cpu >= PMM_NR_CPUS || cpu == to)
		return PMM_EINVAL;
	pmm_lock(&pmm_slab_state.lock);
	for (struct pmm_kmem_cache *c = pmm_slab_state.caches; c;
	     c = c->next_cache) {
		slab_drain_cpu(c, cpu);
		pmm_lock(&c->lock);
		adopt_slabs_locked(c, cpu, to);
		pmm_unlock(&c->lock);
	}
	pmm_unlock(&pmm_slab_state.lock);
	return 0;
}

static void cache_unlist(struct pmm_kmem_cache *c)
{
	pmm_lock(&pmm_slab_state.lock);
	struct pmm_kmem_cache **pp = &pmm_slab_state.caches;
	while (*pp != c)
		pp = &(*pp)->next_cache;
	*pp = c->next_cache;
	pmm_unlock(&pmm_slab_state.lock);
}

/**
 * pmm_kmem_cache_destroy - shrink @c and free it, if it is empty.
 *
 * Return: 0; PMM_EINVAL (no live cache, or a kmalloc cache); PMM_EBUSY,
 * reported, when objects are still allocated: the cache stays usable.
 * Locking: quiet; the slab lock and the cache lock.
 */
int pmm_kmem_cache_destroy(struct pmm_kmem_cache *c)
{
	if (c == NULL || !slab_cache_is_live(c) || c->is_kmalloc)
		return PMM_EINVAL;
	(void)pmm_kmem_cache_shrink(c);
	pmm_lock(&c->lock);
	uint64_t inuse = c->inuse;
	pmm_unlock(&c->lock);
	if (inuse != 0)
		return pmm_bug(PMM_EBUSY, __func__,
				  "cache %s: %llu objects still allocated; not destroyed",
				  c->name, (unsigned long long)inuse);
	cache_unlist(c);
	c->magic = 0;
	return slab_block_free(c->desc_pfn, c->desc_order);
}

const char *pmm_kmem_cache_name(const struct pmm_kmem_cache *c)
{
	return c ? c->name : "";
}

size_t pmm_kmem_cache_size(const struct pmm_kmem_cache *c)
{
	return c ? c->object_size : 0;
}

int pmm_kmem_cache_stats(struct pmm_kmem_cache *c, struct pmm_slab_stats *st)
{
	if (!slab_cache_ok(c) || st == NULL)
		return PMM_EINVAL;
	pmm_memset(st, 0, sizeof(*st));
	for (unsigned int cpu = 0; cpu < PMM_NR_CPUS; cpu++) {
		const struct slab_cpu *ac = slab_cpu(c, cpu);
		st->cpu_cached += ac->avail;
		st->allocs += ac->allocs;
		st->frees += ac->frees;
	}
	pmm_lock(&c->lock);
	st->slabs = c->nr_slabs;
	st->active_slabs = c->nr_slabs - c->nr_list[SLAB_EMPTY];
	st->inuse = c->inuse;
	st->grown = c->grown;
	st->reaped = c->reaped;
	pmm_unlock(&c->lock);
	st->objs = st->slabs * c->objs_per_slab;
	st->allocated = st->inuse - st->cpu_cached;
	st->object_size = c->object_size;
	st->slot = c->slot;
	st->objs_per_slab = c->objs_per_slab;
	st->limit = c->limit;
	st->batch = c->batch;
	st->order = c->order;
	st->id = c->id;
	return 0;
}
