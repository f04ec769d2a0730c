/* SPDX-License-Identifier: MIT */
/*
 * slab_check.c - pmm_slab_check(): the slab layer's consistency checker.
 *
 * For every cache, under the slab lock and the cache's lock:
 *   1. each slab on each CPU's lists: header (magic, cache, owner, list),
 *      its pages an
 *      allocated block of the cache's order with the cache's tag, the list
 *      that its free count asks for; its free stack marks each free object
 *      once (mark map), none of them allocated;
 *   2. each CPU's array: every entry an object of this cache, marked once,
 *      not allocated;
 *   3. each slab again: every object allocated or marked (exactly one),
 *      red zones and poison as its state wants; then the counters: slabs
 *      per list, inuse == sum of (objs - free) == allocated + per-CPU.
 * O(objects); quiet (the per-CPU arrays are read without their CPUs).
 */
#include <pmm/debug.h>
#include <pmm/fmt.h>

#include "slab_fast.h"

static char check_msg[320];

#define CHECK_FAIL(...) \
	(pmm_snprintf(check_msg, sizeof(check_msg), __VA_ARGS__), check_msg)

/* Totals one cache's walk gathers. */
struct check_sum {
	uint64_t slabs, per_list[SLAB_NR_LISTS], inuse, allocated, cpu;
};

static bool bit(const uint32_t *map, uint32_t i)
{
	return (map[i / 32] >> (i & 31)) & 1u;
}

/* Return: true if object @i of @s is marked allocated in its state map. */
static bool allocated(const struct pmm_kmem_cache *c, struct slab *s,
		      uint32_t i)
{
	return atomic_load_explicit(&slab_state_map(c, s)[i],
				    memory_order_relaxed) == SLAB_OBJ_ALLOCATED;
}

/* Mark object @i of @s free; @what says where it was found. */
static const char *mark(struct pmm_kmem_cache *c, struct slab *s, uint32_t i,
			const char *what)
{
	uint32_t *m = slab_mark_map(c, s);
	if (i >= c->objs_per_slab)
		return CHECK_FAIL("cache %s: slab pfn 0x%llx: %s holds index %u of %u",
				  c->name, (unsigned long long)s->pfn, what, i,
				  c->objs_per_slab);
	if (bit(m, i))
		return CHECK_FAIL("cache %s: object %u of slab pfn 0x%llx is free twice (again in %s)",
				  c->name, i, (unsigned long long)s->pfn, what);
	if (allocated(c, s, i))
		return CHECK_FAIL("cache %s: object %u of slab pfn 0x%llx is allocated and in %s",
				  c->name, i, (unsigned long long)s->pfn, what);
	m[i / 32] |= 1u << (i & 31);
	return NULL;
}

static const char *check_header(struct pmm_kmem_cache *c, struct slab *s,
				unsigned int cpu, uint32_t l)
{
	const struct pmm_page *pg = pmm_pfn_to_page(s->pfn);
	if (s->magic != SLAB_MAGIC || s->cache != c || s->list != l ||
	    s->owner != cpu)
		return CHECK_FAIL("cache %s: slab %p on CPU %u's list %u: magic 0x%x cache %p CPU %u list %u",
				  c->name, (void *)s, cpu, l, s->magic,
				  (void *)s->cache, s->owner, s->list);
	if (slab_pfn_to_virt(s->pfn) != (void *)s)
		return CHECK_FAIL("cache %s: slab %p says pfn 0x%llx, mapped elsewhere",
				  c->name, (void *)s, (unsigned long long)s->pfn);
	if (!pmm_page_is_alloc_head(pg) || pmm_page_order(pg) != c->order ||
	    pmm_page_owner_tag(pg) != c->tag)
		return CHECK_FAIL("cache %s: slab pfn 0x%llx is not an allocated order-%u block tagged 0x%llx (info 0x%x, tag 0x%llx)",
				  c->name, (unsigned long long)s->pfn, c->order,
				  (unsigned long long)c->tag, pg->info,
				  (unsigned long long)pmm_page_owner_tag(pg));
	if (s->nr_free > c->objs_per_slab)
		return CHECK_FAIL("cache %s: slab pfn 0x%llx: %u free of %u",
				  c->name, (unsigned long long)s->pfn,
				  s->nr_free, c->objs_per_slab);
	uint32_t want = s->nr_free == c->objs_per_slab ? SLAB_EMPTY
			: s->nr_free == 0 ? SLAB_FULL : SLAB_PARTIAL;
	if (want != l)
		return CHECK_FAIL("cache %s: slab pfn 0x%llx with %u of %u free is on list %u, not %u",
				  c->name, (unsigned long long)s->pfn, s->nr_free,
				  c->objs_per_slab, l, want);
	return NULL;
}

/* Pass 1 for slab @s on list @l of CPU @cpu. */
static const char *check_slab_stack(struct pmm_kmem_cache *c, struct slab *s,
				    unsigned int cpu, uint32_t l,
				    struct check_sum *sum)
{
	const char *e = check_header(c, s, cpu, l);
	if (e)
		return e;
	sum->inuse += c->objs_per_slab - s->nr_free;
	pmm_memset(slab_mark_map(c, s), 0, (size_t)c->map_words * 4);
	const uint16_t *stack = slab_stack(c, s);
	for (uint32_t i = 0; i < s->nr_free; i++)
		if ((e = mark(c, s, stack[i], "its free stack")))
			return e;
	return NULL;
}

/* Pass 2: the array of @cpu. */
static const char *check_cpu(struct pmm_kmem_cache *c, unsigned int cpu,
			     struct check_sum *sum)
{
	const struct slab_cpu *ac = slab_cpu(c, cpu);
	if (ac->avail > c->limit)
		return CHECK_FAIL("cache %s: CPU %u array holds %u of %u",
				  c->name, cpu, ac->avail, c->limit);
	for (uint32_t i = 0; i < ac->avail; i++) {
		struct slab_where w;
		uint32_t idx;
		const void *p = ac->entry[i];
		if (slab_where(p, &w) != 0 || w.slab == NULL ||
		    w.slab->cache != c || slab_obj_index(c, w.slab, p, &idx))
			return CHECK_FAIL("cache %s: CPU %u array entry %u (%p) is no object of the cache",
					  c->name, cpu, i, p);
		const char *e = mark(c, w.slab, idx, "a CPU array");
		if (e)
			return e;
	}
	sum->cpu += ac->avail;
	return NULL;
}

/* Pass 3 for slab @s: completeness, debug bytes, counts. */
static const char *check_slab_objects(struct pmm_kmem_cache *c,
				      struct slab *s, struct check_sum *sum)
{
	const uint32_t *m = slab_mark_map(c, s);
	bool debug = (c->flags & PMM_SLAB_DEBUG) != 0;
	for (uint32_t i = 0; i < c->objs_per_slab; i++) {
		uint8_t state = atomic_load_explicit(&slab_state_map(c, s)[i],
						     memory_order_relaxed);
		if (state > SLAB_OBJ_ALLOCATED)
			return CHECK_FAIL("cache %s: object %u of slab pfn 0x%llx has state byte 0x%x",
					  c->name, i, (unsigned long long)s->pfn,
					  state);
		bool is_allocated = state == SLAB_OBJ_ALLOCATED;
		if (!is_allocated && !bit(m, i))
			return CHECK_FAIL("cache %s: object %u of slab pfn 0x%llx is neither allocated nor free (lost)",
					  c->name, i, (unsigned long long)s->pfn);
		sum->allocated += is_allocated;
		const char *e = debug ? slab_debug_verify(c, s, i, is_allocated,
							  check_msg,
							  sizeof(check_msg))
				      : NULL;
		if (e)
			return e;
	}
	return NULL;
}

static const char *check_desc(const struct pmm_kmem_cache *c)
{
	const struct pmm_page *pg = pmm_pfn_to_page(c->desc_pfn);
	uint64_t tag = (uint64_t)PMM_SLAB_TAG_DESC << 32 | c->id;
	if (c->magic != CACHE_MAGIC || !pmm_page_is_alloc_head(pg) ||
	    pmm_page_order(pg) != c->desc_order || pmm_page_owner_tag(pg) != tag)
		return CHECK_FAIL("cache %s: descriptor (magic 0x%x) at pfn 0x%llx is not an allocated block tagged 0x%llx",
				  c->name, c->magic,
				  (unsigned long long)c->desc_pfn,
				  (unsigned long long)tag);
	return NULL;
}

/* Run pass @pass over the slabs on list @l of CPU @cpu; *@n counts them. */
static const char *each_slab_on(struct pmm_kmem_cache *c, int pass,
				unsigned int cpu, uint32_t l, uint64_t *n,
				struct check_sum *sum)
{
	for (struct slab *s = c->lists[cpu][l]; s; s = s->next) {
		if (++*n > c->nr_slabs)
			return CHECK_FAIL("cache %s: list %u is longer than the %llu slabs (a cycle?)",
					  c->name, l,
					  (unsigned long long)c->nr_slabs);
		const char *e = pass == 1 ? check_slab_stack(c, s, cpu, l, sum)
				: check_slab_objects(c, s, sum);
		if (e)
			return e;
	}
	return NULL;
}

/* Run pass @pass over every slab of @c. */
static const char *each_slab(struct pmm_kmem_cache *c, int pass,
			     struct check_sum *sum)
{
	for (uint32_t l = 0; l < SLAB_NR_LISTS; l++) {
		uint64_t n = 0;
		for (unsigned int cpu = 0; cpu < PMM_NR_CPUS; cpu++) {
			const char *e = each_slab_on(c, pass, cpu, l, &n, sum);
			if (e)
				return e;
		}
		if (pass == 1)
			sum->per_list[l] = n;
		sum->slabs += pass == 1 ? n : 0;
	}
	return NULL;
}

/* The counters against the lists; with @cpu_arrays also allocated + cpu. */
static const char *check_counts(const struct pmm_kmem_cache *c,
				const struct check_sum *sum, bool cpu_arrays)
{
	for (uint32_t l = 0; l < SLAB_NR_LISTS; l++)
		if (sum->per_list[l] != c->nr_list[l])
			return CHECK_FAIL("cache %s: list %u holds %llu slabs, counted %llu",
					  c->name, l,
					  (unsigned long long)sum->per_list[l],
					  (unsigned long long)c->nr_list[l]);
	if (sum->slabs != c->nr_slabs || sum->inuse != c->inuse ||
	    (cpu_arrays && sum->allocated + sum->cpu != c->inuse))
		return CHECK_FAIL("cache %s: %llu slabs (counted %llu), %llu objects out of the slabs (counted %llu) = %llu allocated + %llu in CPU arrays?",
				  c->name, (unsigned long long)sum->slabs,
				  (unsigned long long)c->nr_slabs,
				  (unsigned long long)sum->inuse,
				  (unsigned long long)c->inuse,
				  (unsigned long long)sum->allocated,
				  (unsigned long long)sum->cpu);
	return NULL;
}

/* Passes common to both checks: the descriptor, then pass 1 over every
 * slab into a fresh *@sum. Cache lock held. */
static const char *check_desc_and_lists(struct pmm_kmem_cache *c,
					struct check_sum *sum)
{
	PMM_ASSERT_LOCKED(&c->lock);
	pmm_memset(sum, 0, sizeof(*sum));
	const char *e = check_desc(c);
	return e ? e : each_slab(c, 1, sum);
}

/* The whole check of @c, its CPU arrays included. Cache lock held. */
static const char *check_cache_locked(struct pmm_kmem_cache *c)
{
	struct check_sum sum;
	const char *e = check_desc_and_lists(c, &sum);
	for (unsigned int cpu = 0; !e && cpu < PMM_NR_CPUS; cpu++)
		e = check_cpu(c, cpu, &sum);
	if (!e)
		e = each_slab(c, 3, &sum);
	return e ? e : check_counts(c, &sum, true);
}

const char *slab_check_lists_locked(struct pmm_kmem_cache *c)
{
	struct check_sum sum;
	const char *e = check_desc_and_lists(c, &sum);
	return e ? e : check_counts(c, &sum, false);
}

/**
 * pmm_slab_check - prove the slab layer consistent (see pmm/slab.h).
 *
 * Return: NULL or the first violation. Locking: quiet; takes the slab lock
 * and each cache's lock in turn.
 */
const char *pmm_slab_check(void)
{
	const char *e = NULL;
	if (!pmm_slab_state.ready)
		return NULL;
	pmm_lock(&pmm_slab_state.lock);
	for (struct pmm_kmem_cache *c = pmm_slab_state.caches; c && !e;
	     c = c->next_cache) {
		pmm_lock(&c->lock);
		e = check_cache_locked(c);
		pmm_unlock(&c->lock);
	}
	pmm_unlock(&pmm_slab_state.lock);
	return e;
}
