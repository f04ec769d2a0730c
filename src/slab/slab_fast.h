/* SPDX-License-Identifier: MIT */
/*
 * slab_fast.h - the slab layer's fast paths, inline for the files that
 * allocate and free (slab_alloc.c, slab_bulk.c, slab_kmalloc.c): a
 * pointer to its slab and object index through the page descriptors, and
 * the pop and push of the calling CPU's array.
 *
 * Allocation pops the array, checks that the object's state byte says
 * FREE and sets it to ALLOCATED. A free finds the slab from the pointer
 * (descriptors first, then the slab header, never the object), proves the
 * pointer is an object's first byte, checks that its state byte says
 * ALLOCATED and sets it to FREE; then it pushes the array. No locked
 * instruction: the state byte is read and written with plain (relaxed
 * atomic) loads and stores, one byte per object so that no CPU rewrites
 * another object's state. Anything else - an empty or full array, a
 * debug cache, PMM_GFP_ZERO, a pointer that fails a check - goes to the
 * slow paths of slab_alloc.c, which redo the work with the reports. The
 * fast paths change nothing until every check has passed.
 *
 * What the level-1 double-free check promises (docs/slab.md): a free of
 * an object that is not allocated when the call is made - never handed
 * out, or freed by a call ordered before this one (the same CPU, or
 * another CPU the caller synchronised with, or earlier in one bulk call)
 * - is refused with PMM_EDOUBLEFREE and changes nothing. Two frees of one
 * object on two CPUs at the same instant, with nothing ordering them, are
 * a data race in the caller: both may pass. The object then sits in two
 * arrays; the allocation's own check refuses the copy whose state byte
 * already says ALLOCATED (PMM_ECORRUPT, reported, the copy dropped), and
 * pmm_slab_check() reports both copies while they are cached.
 */
#ifndef PMM_SLAB_FAST_H
#define PMM_SLAB_FAST_H

#include "slab_internal.h"

/* The linear map's constant (virtual - physical) plus 1, 0 before the
 * first slab is mapped (slab_map.c). Page aligned, so the low bit is
 * free for the flag. */
extern _Atomic uintptr_t slab_map_delta_plus1;

/* The fast paths inline whole into their callers, whatever the
 * compiler's estimate of their size. */
#define SLAB_INLINE static inline __attribute__((always_inline))

/* Cache flags that send every allocation and free to the slow paths. */
#define SLAB_SLOW_FLAGS PMM_SLAB_DEBUG

/* Return: the mapping constant (valid once a slab has been mapped). */
static inline uintptr_t slab_map_delta(void)
{
	return atomic_load_explicit(&slab_map_delta_plus1,
				    memory_order_relaxed) - 1u;
}

/* Return: the owner tag of the allocated head @pg (0 if none). */
static inline uint64_t slab_head_tag(const struct pmm_page *pg)
{
	if ((pg->info & (PMM_PG_ALLOC_HEAD | PMM_PG_OWNER)) !=
	    (PMM_PG_ALLOC_HEAD | PMM_PG_OWNER))
		return 0;
	return (uint64_t)pg->prev << 32 | pg->next;
}

/*
 * The head of the block holding @pfn: the first head descriptor at @pfn
 * rounded down to 2^k, k = 0, 1, ... (pages inside a block have blank
 * descriptors, so the first one found heads the block, if any). Every
 * head carries a flag in info (free, per-CPU or allocated) and every other
 * descriptor is all zero (pmm/page.h), so info alone tells a head: one
 * load per step.
 * Return: the head's descriptor and *@head its pfn when @pfn is in an
 * allocated block, else NULL.
 */
SLAB_INLINE const struct pmm_page *slab_find_head(pmm_pfn_t pfn,
						   pmm_pfn_t *head)
{
	pmm_pfn_t mask = ~(pmm_pfn_t)0;
	for (pmm_order_t k = 0; k <= PMM_MAX_ORDER; k++, mask <<= 1) {
		pmm_pfn_t h = pfn & mask;
		const struct pmm_page *pg = pmm_pfn_to_page(h);
		if (pg->info == 0)
			continue;
		if (!pmm_page_is_alloc_head(pg) ||
		    ((pfn - h) >> pmm_page_order(pg)) != 0)
			return NULL;
		*head = h;
		return pg;
	}
	return NULL;
}

/*
 * The allocated block holding @p, through the page descriptors only (no
 * read of memory @p points at); @dp1 is slab_map_delta_plus1.
 * Return: its head's descriptor and *@head its pfn, or NULL when @p is
 * outside the mapped memory or in no allocated block.
 */
SLAB_INLINE const struct pmm_page *slab_block_of(const void *p, uintptr_t dp1,
						  pmm_pfn_t *head)
{
	if (dp1 == 0 || pmm_mem_map == NULL)
		return NULL;
	pmm_pfn_t pfn = PMM_PFN_DOWN((pmm_phys_t)((uintptr_t)p - (dp1 - 1u)));
	if (pfn == 0 || pfn >= pmm_max_pfn)
		return NULL;
	return slab_find_head(pfn, head);
}

/*
 * The slab the allocated block at @head (descriptor @pg) is, if it is
 * one: owner tag, header magic, pfn, live cache, the cache's tag and
 * order all agree. Return: the slab or NULL.
 */
SLAB_INLINE struct slab *slab_at(pmm_pfn_t head, const struct pmm_page *pg,
				 uintptr_t dp1)
{
	/* An allocated head (slab_find_head()): only the tag flag is left. */
	if (!(pg->info & PMM_PG_OWNER) || pg->prev != PMM_SLAB_TAG_SLAB)
		return NULL;
	uint64_t tag = (uint64_t)pg->prev << 32 | pg->next;
	struct slab *s = (struct slab *)(void *)((uintptr_t)PMM_PFN_PHYS(head) +
						 (dp1 - 1u));
	if (s->stamp == slab_stamp(head) && slab_cache_ok(s->cache) && s->cache->tag == tag &&
	    s->cache->order == pmm_page_order(pg))
		return s;
	return NULL;
}

/* Return: the slab holding @p (every check of slab_where()), or NULL. */
SLAB_INLINE struct slab *slab_lookup(const void *p)
{
	uintptr_t dp1 = atomic_load_explicit(&slab_map_delta_plus1,
					     memory_order_relaxed);
	pmm_pfn_t head;
	const struct pmm_page *pg = slab_block_of(p, dp1, &head);
	return pg ? slab_at(head, pg, dp1) : NULL;
}

/*
 * Find the allocated block holding @p through the page descriptors only,
 * and the slab it heads if it is one (slab_at()).
 * Return: 0, or PMM_EINVAL when @p is outside the mapped memory or in no
 * allocated block.
 */
SLAB_INLINE int slab_where(const void *p, struct slab_where *w)
{
	uintptr_t dp1 = atomic_load_explicit(&slab_map_delta_plus1,
					     memory_order_relaxed);
	pmm_pfn_t head;
	const struct pmm_page *pg = slab_block_of(p, dp1, &head);
	if (pg == NULL)
		return PMM_EINVAL;
	w->head = head;
	w->order = pmm_page_order(pg);
	w->tag = slab_head_tag(pg);
	w->slab = slab_at(head, pg, dp1);
	return 0;
}

/*
 * The fields of a cache that place an object, copied into locals: a loop
 * that stores state bytes (a character type, which may alias anything)
 * would otherwise reload them from the cache for every object.
 */
struct slab_geom {
	uintptr_t span;          /* the slab's bytes */
	uint32_t first_off, slot, recip, objs, state_off;
};

SLAB_INLINE void slab_geom_of(const struct pmm_kmem_cache *c,
			      struct slab_geom *g)
{
	g->span = (uintptr_t)PMM_PAGE_SIZE << c->order;
	g->first_off = c->first_off;
	g->slot = c->slot;
	g->recip = c->recip;
	g->objs = c->objs_per_slab;
	g->state_off = c->state_off;
}

/* Return: the slab of an object that pmm itself handed out, of a cache
 * with geometry @g; @d is slab_map_delta(). */
SLAB_INLINE struct slab *slab_of_trusted_at(const struct slab_geom *g,
					      const void *obj, uintptr_t d)
{
	return (struct slab *)(void *)((((uintptr_t)obj - d) & ~(g->span - 1u)) +
				       d);
}

/* Return: the slab of an object of @c that pmm itself handed out. */
SLAB_INLINE struct slab *slab_of_trusted(const struct pmm_kmem_cache *c,
					   const void *obj)
{
	struct slab_geom g;
	slab_geom_of(c, &g);
	return slab_of_trusted_at(&g, obj, slab_map_delta());
}

/* Return: the state byte of object @idx of slab @s (geometry @g). */
SLAB_INLINE _Atomic uint8_t *slab_geom_state(const struct slab_geom *g,
					     const void *s, uint32_t idx)
{
	return (_Atomic uint8_t *)(void *)((const unsigned char *)s +
					   g->state_off + idx);
}

/* Return: the state byte of @obj, an object pmm handed out of a cache
 * with geometry @g; @d is slab_map_delta(). */
SLAB_INLINE _Atomic uint8_t *slab_trusted_state(const struct slab_geom *g,
						const void *obj, uintptr_t d)
{
	unsigned char *s = (unsigned char *)slab_of_trusted_at(g, obj, d);
	uint32_t off = (uint32_t)((uintptr_t)obj - (uintptr_t)s - g->first_off);
	return slab_geom_state(g, s, (uint32_t)(((uint64_t)off * g->recip) >> 32));
}

/*
 * Index of the pointer @p in slab @s of a cache with geometry @g; @p lies
 * in the slab's block (slab_where() or a range compare put it there).
 * One bound check does for both ends: below object 0 the offset wraps
 * to at least 2^32 - 2^16, which the multiplication turns into an index
 * of at least 2^17 - 2, above any objs (at most 65535).
 * Return: 0, or PMM_EINVAL (outside the objects), PMM_ENOTHEAD (inside
 * one); *@idx the index.
 */
SLAB_INLINE int slab_geom_index(const struct slab_geom *g, struct slab *s,
				const void *p, uint32_t *idx)
{
	uint32_t off = (uint32_t)((uintptr_t)p - (uintptr_t)s) - g->first_off;
	uint32_t i = (uint32_t)(((uint64_t)off * g->recip) >> 32);
	if (i >= g->objs)
		return PMM_EINVAL;
	*idx = i;
	return off == i * g->slot ? 0 : PMM_ENOTHEAD;
}

/* slab_geom_index() for a slab @s of @c. */
SLAB_INLINE int slab_obj_index(const struct pmm_kmem_cache *c,
				 struct slab *s, const void *p, uint32_t *idx)
{
	struct slab_geom g;
	slab_geom_of(c, &g);
	return slab_geom_index(&g, s, p, idx);
}

/*
 * Mark the object whose state byte is @state free, if it is allocated.
 * Return: true, or false (not allocated: a double free) with nothing
 * written.
 */
SLAB_INLINE bool slab_state_release(_Atomic uint8_t *state)
{
	if (atomic_load_explicit(state, memory_order_relaxed) !=
	    SLAB_OBJ_ALLOCATED)
		return false;
	atomic_store_explicit(state, SLAB_OBJ_FREE, memory_order_relaxed);
	return true;
}

/* Slow paths (slab_alloc.c): everything the fast paths leave out. */
void *slab_alloc_slow(struct pmm_kmem_cache *c, unsigned int gfp);
int slab_free_slow(const struct pmm_kmem_cache *want, const void *p,
		   const char *func);
int slab_double_free(struct slab *s, uint32_t idx, const void *p,
		     const char *func);
void slab_cpu_flush(struct pmm_kmem_cache *c, struct slab_cpu *ac);
/* Move the oldest @n objects of @ac to their slabs in one lock round
 * trip; empty slabs beyond SLAB_KEEP_EMPTY go back. */
void slab_cpu_flush_n(struct pmm_kmem_cache *c, struct slab_cpu *ac,
		      uint32_t n);
/* Refill @ac of @c (the calling CPU's) up to @want objects in one lock
 * round trip, growing the cache if need be. Return: objects in @ac. */
uint32_t slab_cpu_refill(struct pmm_kmem_cache *c, struct slab_cpu *ac,
			 uint32_t want, unsigned int gfp);
/* Flush the full array @ac of @c, then push @p. Return: 0. */
int slab_flush_push(struct pmm_kmem_cache *c, struct slab_cpu *ac, void *p);

/*
 * Allocate from @c: pop the calling CPU's array and mark the object
 * allocated; @gfp without PMM_GFP_ZERO (the caller tested it).
 * Return: the object, or what slab_alloc_slow() returns.
 */
SLAB_INLINE void *slab_alloc_unzeroed(struct pmm_kmem_cache *c,
				      unsigned int gfp)
{
	struct slab_cpu *ac = slab_cpu(c, pmm_platform_cpu());
	if (__builtin_expect(ac->avail == 0 || (c->flags & SLAB_SLOW_FLAGS), 0))
		return slab_alloc_slow(c, gfp);
	unsigned char *obj = ac->entry[ac->avail - 1];
	struct slab_geom g;
	slab_geom_of(c, &g);
	_Atomic uint8_t *state = slab_trusted_state(&g, obj, slab_map_delta());
	if (__builtin_expect(atomic_load_explicit(state, memory_order_relaxed) !=
				     SLAB_OBJ_FREE, 0))
		return slab_alloc_slow(c, gfp);
	atomic_store_explicit(state, SLAB_OBJ_ALLOCATED, memory_order_relaxed);
	ac->avail--;
	ac->allocs++;
	return obj;
}

/* Allocate from @c: slab_alloc_unzeroed(), or slab_alloc_slow() to zero.
 * Return: the object or NULL. */
SLAB_INLINE void *slab_alloc_fast(struct pmm_kmem_cache *c, unsigned int gfp)
{
	if (__builtin_expect(gfp & PMM_GFP_ZERO, 0))
		return slab_alloc_slow(c, gfp);
	return slab_alloc_unzeroed(c, gfp);
}

/* Push the freed object @p on the calling CPU's array of @c. */
SLAB_INLINE void slab_cpu_push(struct pmm_kmem_cache *c, void *p)
{
	struct slab_cpu *ac = slab_cpu(c, pmm_platform_cpu());
	if (__builtin_expect(ac->avail == c->limit, 0))
		slab_cpu_flush(c, ac);
	ac->entry[ac->avail++] = p;
	ac->frees++;
}

/*
 * Free @p, which slab_where() placed in slab @s: an object of @want
 * (NULL: of any cache). Return: 0, or the error slab_free_slow() or
 * slab_double_free() reported.
 */
SLAB_INLINE int slab_free_in(const struct pmm_kmem_cache *want,
			       struct slab *s, const void *p, const char *func)
{
	struct pmm_kmem_cache *c = s->cache;
	uint32_t idx;
	if (__builtin_expect((want && want != c) || (c->flags & SLAB_SLOW_FLAGS) ||
				     slab_obj_index(c, s, p, &idx) != 0, 0))
		return slab_free_slow(want, p, func);
	if (__builtin_expect(!slab_state_release(&slab_state_map(c, s)[idx]), 0))
		return slab_double_free(s, idx, p, func);
	struct slab_cpu *ac = slab_cpu(c, pmm_platform_cpu());
	if (__builtin_expect(ac->avail == c->limit, 0))
		return slab_flush_push(c, ac, (void *)(uintptr_t)p);
	ac->entry[ac->avail++] = (void *)(uintptr_t)p;
	ac->frees++;
	return 0;
}

#endif /* PMM_SLAB_FAST_H */
