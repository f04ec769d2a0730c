/* SPDX-License-Identifier: MIT */
/*
 * slab_grow.c - the life of a slab: made from a buddy block when a cache
 * runs dry, moved between the partial, full and empty lists as objects
 * leave and return, given back to the buddy allocator when empty and not
 * wanted (a flush beyond SLAB_KEEP_EMPTY, shrink, destroy).
 *
 * A fresh slab has every object on its free stack, index 0 on top, and
 * every object constructed (the constructor runs here, once per object,
 * as Bonwick's object caching has it) - or, with poisoning, filled with
 * the poison pattern; those caches construct on each allocation instead.
 */
#include "slab_internal.h"

/* The page flags a slab of @c asks the buddy for, from a caller's @gfp. */
static unsigned int slab_gfp(const struct pmm_kmem_cache *c, unsigned int gfp)
{
	return (gfp & ~(PMM_GFP_ZONEMASK | PMM_GFP_ZERO)) | c->gfp_zone;
}

/* Set up the objects of the fresh slab @s: debug bytes or constructor. */
static void slab_init_objects(struct pmm_kmem_cache *c, struct slab *s)
{
	bool debug = (c->flags & PMM_SLAB_DEBUG) != 0;
	for (uint32_t i = 0; i < c->objs_per_slab; i++) {
		unsigned char *obj = slab_obj(c, s, i);
		if (debug)
			slab_debug_init_obj(c, obj);
		if (c->ctor && !(c->flags & PMM_SLAB_POISON))
			c->ctor(obj);
	}
}

/**
 * slab_grow - make a new, empty slab for @c.
 * @c: the cache
 * @gfp: the caller's flags (zone flags are the cache's)
 *
 * Return: the slab, on no list yet, or NULL when the buddy allocator has
 * no block of the cache's order. Locking: none held (calls the buddy
 * allocator and the constructor).
 */
struct slab *slab_grow(struct pmm_kmem_cache *c, unsigned int gfp)
{
	pmm_pfn_t pfn;
	struct slab *s = slab_block_alloc(slab_gfp(c, gfp), c->order, c->tag,
					  &pfn);
	if (s == NULL)
		return NULL;
	s->magic = SLAB_MAGIC;
	s->cache = c;
	s->pfn = (uint32_t)pfn; /* below 2^32: pmm_page.next holds pfn + 1 */
	s->next = s->prev = NULL;
	s->list = SLAB_EMPTY;
	s->owner = 0;
	s->nr_free = (uint16_t)c->objs_per_slab;
	pmm_memset((void *)slab_state_map(c, s), 0, c->stack_off - c->state_off);
	uint16_t *stack = slab_stack(c, s);
	for (uint32_t i = 0; i < c->objs_per_slab; i++)
		stack[i] = (uint16_t)(c->objs_per_slab - 1 - i);
	slab_init_objects(c, s);
	return s;
}

/* Take @s off its list. Cache lock held. */
static void list_del(struct pmm_kmem_cache *c, struct slab *s)
{
	PMM_ASSERT(s->list < SLAB_NR_LISTS && c->nr_list[s->list] != 0,
		   "cache %s: slab pfn 0x%llx on list %u, which counts %llu",
		   c->name, (unsigned long long)s->pfn, s->list,
		   (unsigned long long)(s->list < SLAB_NR_LISTS ? c->nr_list[s->list] : 0));
	PMM_ASSERT(s->prev != NULL || c->lists[s->owner][s->list] == s,
		   "cache %s: slab pfn 0x%llx without prev is not CPU %u's list %u head",
		   c->name, (unsigned long long)s->pfn, s->owner, s->list);
	if (s->prev)
		s->prev->next = s->next;
	else
		c->lists[s->owner][s->list] = s->next;
	if (s->next)
		s->next->prev = s->prev;
	c->nr_list[s->list]--;
	s->next = s->prev = NULL;
}

/* Put @s at the head of list @l of its owner. Cache lock held. */
static void list_add(struct pmm_kmem_cache *c, struct slab *s, uint32_t l)
{
	s->list = (uint8_t)l;
	s->prev = NULL;
	s->next = c->lists[s->owner][l];
	if (s->next)
		s->next->prev = s;
	c->lists[s->owner][l] = s;
	c->nr_list[l]++;
}

/* Return: the list @s belongs on, by its free count. */
static uint32_t list_for(const struct pmm_kmem_cache *c, const struct slab *s)
{
	if (s->nr_free == c->objs_per_slab)
		return SLAB_EMPTY;
	return s->nr_free == 0 ? SLAB_FULL : SLAB_PARTIAL;
}

void slab_add_locked(struct pmm_kmem_cache *c, struct slab *s,
		     unsigned int cpu)
{
	PMM_ASSERT_LOCKED(&c->lock);
	PMM_ASSERT(s->nr_free == c->objs_per_slab && cpu < PMM_NR_CPUS,
		   "cache %s: new slab with %u of %u free for CPU %u", c->name,
		   s->nr_free, c->objs_per_slab, cpu);
	s->owner = (uint8_t)cpu;
	list_add(c, s, SLAB_EMPTY);
	c->nr_slabs++;
	c->grown++;
	slab_assert_counts_locked(c);
}

void slab_set_owner_locked(struct pmm_kmem_cache *c, struct slab *s,
			   unsigned int cpu)
{
	PMM_ASSERT_LOCKED(&c->lock);
	uint32_t l = s->list;
	list_del(c, s);
	s->owner = (uint8_t)cpu;
	list_add(c, s, l);
}

void slab_relist_locked(struct pmm_kmem_cache *c, struct slab *s)
{
	PMM_ASSERT_LOCKED(&c->lock);
	PMM_ASSERT(s->nr_free <= c->objs_per_slab,
		   "cache %s: slab pfn 0x%llx has %u of %u free", c->name,
		   (unsigned long long)s->pfn, s->nr_free, c->objs_per_slab);
	uint32_t l = list_for(c, s);
	if (l == s->list)
		return;
	list_del(c, s);
	list_add(c, s, l);
}

void slab_unlink_locked(struct pmm_kmem_cache *c, struct slab *s)
{
	PMM_ASSERT_LOCKED(&c->lock);
	list_del(c, s);
	c->nr_slabs--;
	c->reaped++;
	slab_assert_counts_locked(c);
}

void slab_release(struct pmm_kmem_cache *c, struct slab *s)
{
	pmm_pfn_t pfn = s->pfn;
	s->magic = 0;
	(void)slab_block_free(pfn, c->order);
}

struct slab *slab_take_empty_locked(struct pmm_kmem_cache *c, uint64_t keep)
{
	struct slab *chain = NULL;
	PMM_ASSERT_LOCKED(&c->lock);
	for (unsigned int cpu = 0; cpu < PMM_NR_CPUS; cpu++) {
		struct slab *s;
		while (c->nr_list[SLAB_EMPTY] > keep &&
		       (s = c->lists[cpu][SLAB_EMPTY]) != NULL) {
			slab_unlink_locked(c, s);
			s->next = chain;
			chain = s;
		}
	}
	return chain;
}

uint64_t slab_release_chain(struct pmm_kmem_cache *c, struct slab *chain)
{
	uint64_t pages = 0;
	while (chain) {
		struct slab *next = chain->next;
		slab_release(c, chain);
		pages += (uint64_t)1 << c->order;
		chain = next;
	}
	return pages;
}
