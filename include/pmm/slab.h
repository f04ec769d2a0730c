/* SPDX-License-Identifier: MIT */
/*
 * pmm/slab.h - the slab allocator: object caches and kmalloc on top of the
 * buddy allocator (Bonwick's slab, 1994; seed 004's "slab allocator on
 * top"). See docs/slab.md for the design and the measured figures.
 *
 * Glossary (units in brackets):
 *   cache     objects of one size and alignment, with an optional
 *             constructor; made by pmm_kmem_cache_create().
 *   slab      one naturally aligned block of 2^order pages from
 *             pmm_alloc_pages_tagged(), tagged PMM_SLAB_TAG(cache id): a
 *             header, then objs_per_slab slots of `slot` bytes.
 *   slot      [red zone | object | red zone, padding]; without red zones
 *             the object rounded up to the alignment.
 *   per-CPU array  up to `limit` free objects of one cache kept by one
 *             CPU; refilled from and flushed to the slabs `batch` at a time.
 *
 * Invariants (pmm_slab_check() proves them):
 *   every object of a slab is either allocated or free exactly once (on its
 *   slab's free stack or in one per-CPU array);
 *   cache inuse == sum over slabs (objs_per_slab - free on the slab)
 *               == allocated + objects in per-CPU arrays;
 *   every slab block is an allocated block of the cache's order whose
 *   owner tag is PMM_SLAB_TAG(cache id).
 *
 * Memory: slabs must be mapped by pmm_phys_map(), linearly (virtual =
 * physical + one constant, as a kernel's direct map and the host
 * simulator's map are); a slab whose mapping is not goes back at once and
 * the allocation fails. Objects are found from their address in O(1) by
 * that arithmetic and the page descriptors, never by trusting the caller.
 *
 * Locking: each cache's lock guards its slab lists; the global slab lock
 * guards the cache list and the creation of kmalloc caches; per-CPU arrays
 * take no lock and rely on the platform's cpu_id() guarantee. Functions
 * marked "quiet" need the other CPUs to stay out of that cache meanwhile
 * (as pmm_pcp_drain_all() does for the page lists).
 */
#ifndef PMM_SLAB_H
#define PMM_SLAB_H

#include <pmm/buddy.h>

/* Cache flags (pmm_kmem_cache_create() @flags, pmm_slab_init() @flags). */
#define PMM_SLAB_RED_ZONE 0x1u      /* guard bytes around each object */
#define PMM_SLAB_POISON 0x2u        /* pattern over free objects */
#define PMM_SLAB_HWCACHE_ALIGN 0x4u /* align objects to PMM_CACHELINE */
#define PMM_SLAB_CACHE_DMA 0x8u     /* slabs from ZONE_DMA */
#define PMM_SLAB_CACHE_DMA32 0x10u  /* slabs from ZONE_DMA32 */
#define PMM_SLAB_DEBUG (PMM_SLAB_RED_ZONE | PMM_SLAB_POISON)
#define PMM_SLAB_FLAGS_ALL 0x1fu

/* Debug patterns (Linux's values): free object body, its last byte, red
 * zones of a free and of an allocated object. */
#define PMM_SLAB_POISON_FREE 0x6b
#define PMM_SLAB_POISON_END 0xa5
#define PMM_SLAB_RED_INACTIVE 0xbb
#define PMM_SLAB_RED_ACTIVE 0xcc

/* Owner tags of slab memory, as pmm_report_page_owner() prints them:
 * "SLAB" + cache id for slabs, "SLBC" + id for a cache's descriptor,
 * "KMAL" for kmalloc blocks too large for a cache. */
#define PMM_SLAB_TAG_SLAB 0x534c4142u
#define PMM_SLAB_TAG_DESC 0x534c4243u
#define PMM_SLAB_TAG_LARGE 0x4b4d414cu
#define PMM_SLAB_TAG(id) ((uint64_t)PMM_SLAB_TAG_SLAB << 32 | (uint32_t)(id))

/* Longest cache name, NUL included. */
#define PMM_SLAB_NAME_MAX 32
/* Largest slab: 2^PMM_SLAB_MAX_ORDER pages. */
#define PMM_SLAB_MAX_ORDER 4
_Static_assert(PMM_SLAB_MAX_ORDER <= PMM_MAX_ORDER, "slab orders exist");
/* Largest object a cache takes [bytes] (the slab must hold one). */
#define PMM_SLAB_MAX_SIZE ((size_t)(PMM_PAGE_SIZE << PMM_SLAB_MAX_ORDER) / 2)

/* kmalloc: size classes 8..8192 (and 96, 192); larger sizes are pages. */
#define PMM_KMALLOC_MIN_SIZE 8u
#define PMM_KMALLOC_MAX_CACHE_SIZE ((size_t)(2 * PMM_PAGE_SIZE))
#define PMM_KMALLOC_MAX_SIZE ((size_t)(PMM_PAGE_SIZE << PMM_MAX_ORDER))
/* What pmm_kmalloc(0) returns: not NULL, not memory; pmm_kfree() takes it. */
#define PMM_ZERO_SIZE_PTR ((void *)16)

struct pmm_kmem_cache;

/*
 * Set up the slab layer on the running buddy allocator; @flags
 * (PMM_SLAB_RED_ZONE, PMM_SLAB_POISON) apply to the kmalloc caches. Calling
 * it again forgets every cache without freeing its pages (after
 * pmm_zones_reset(): tests, a second boot). Return: 0 or PMM_EINVAL.
 */
int pmm_slab_init(unsigned int flags);

/*
 * Create a cache of objects of @size bytes aligned to @align (0: 8; a power
 * of two up to PMM_PAGE_SIZE), @flags PMM_SLAB_*, @ctor run on each object
 * before its first allocation (NULL: none). @name is copied. On failure
 * *@err says why: PMM_ESTATE (pmm_slab_init() not called), PMM_EINVAL (NULL
 * or long name, size 0, unknown flags, DMA and DMA32), PMM_EALIGN,
 * PMM_EOVERFLOW (size + red zones + alignment wraps), PMM_ERANGE (above
 * PMM_SLAB_MAX_SIZE), PMM_ENOMEM (no page for the descriptor).
 * Return: the cache, or NULL.
 */
struct pmm_kmem_cache *pmm_kmem_cache_create_err(const char *name, size_t size,
						 size_t align,
						 unsigned int flags,
						 void (*ctor)(void *),
						 int *err);
/* pmm_kmem_cache_create_err() without the reason. */
struct pmm_kmem_cache *pmm_kmem_cache_create(const char *name, size_t size,
					     size_t align, unsigned int flags,
					     void (*ctor)(void *));

/*
 * Allocate one object of @cache; @gfp may add PMM_GFP_ZERO (zero it) and
 * page-allocator flags for a new slab (zone flags come from the cache).
 * Return: the object, or NULL (no memory, or @cache is not a cache).
 */
void *pmm_kmem_cache_alloc(struct pmm_kmem_cache *cache, unsigned int gfp);

/*
 * Free @obj, an allocated object of @cache (NULL: nothing to do).
 * Return: 0, or - through the bug hook, with nothing changed -
 * PMM_EINVAL (not an object of any cache or block of pmm's, or of another
 * cache), PMM_ENOTHEAD (inside an object), PMM_EDOUBLEFREE,
 * PMM_ECORRUPT (its red zone was overwritten: it stays allocated).
 */
int pmm_kmem_cache_free(struct pmm_kmem_cache *cache, void *obj);

/*
 * Allocate @nr objects of @cache into @objs[0 .. @nr) (Linux's
 * kmem_cache_alloc_bulk(): all or none); @gfp as pmm_kmem_cache_alloc().
 * Return: @nr; 0 when memory runs out (the objects taken go back) or @nr
 * is 0; PMM_EINVAL, nothing done, for a @cache that is no cache, @objs
 * NULL or @nr above LONG_MAX.
 */
long pmm_kmem_cache_alloc_bulk(struct pmm_kmem_cache *cache, unsigned int gfp,
			       size_t nr, void **objs);

/*
 * Free @objs[0 .. @nr) (Linux's kmem_cache_free_bulk()), allocated objects
 * of @cache, or of any cache when @cache is NULL; NULL entries are skipped.
 * All or none. Return: 0, every object freed; or nothing freed and
 * PMM_EINVAL (@objs NULL with @nr > 0), or - through the bug hook - the
 * first error pmm_kmem_cache_free() would give (PMM_EDOUBLEFREE also for
 * an object named twice in @objs).
 */
int pmm_kmem_cache_free_bulk(struct pmm_kmem_cache *cache, size_t nr,
			     void **objs);

/*
 * Give @cache's empty slabs back to the buddy allocator, after moving
 * every CPU's array back to the slabs. Quiet. Return: pages freed.
 */
uint64_t pmm_kmem_cache_shrink(struct pmm_kmem_cache *cache);

/* pmm_kmem_cache_shrink() on every cache, kmalloc's included. Quiet.
 * Return: pages freed. */
uint64_t pmm_slab_shrink_all(void);

/*
 * CPU @cpu went offline: its per-CPU array of every cache goes back to
 * the slabs, and its slabs to the calling CPU's lists. @cpu must not run
 * in the slab layer (quiet for it). Return: 0; PMM_ESTATE before
 * pmm_slab_init(); PMM_EINVAL (nothing changed) for @cpu at or past
 * PMM_NR_CPUS or the calling CPU.
 */
int pmm_slab_cpu_offline(unsigned int cpu);

/*
 * Destroy @cache: shrink it, then free its descriptor. Quiet. A cache that
 * still has allocated objects stays as it is (usable) and the call returns
 * PMM_EBUSY through the bug hook; PMM_EINVAL for NULL, a pointer that is
 * no live cache, or a kmalloc cache. Return: 0 or the error.
 */
int pmm_kmem_cache_destroy(struct pmm_kmem_cache *cache);

/* Return: @cache's name ("" for NULL). */
const char *pmm_kmem_cache_name(const struct pmm_kmem_cache *cache);
/* Return: @cache's object size as created [bytes] (0 for NULL). */
size_t pmm_kmem_cache_size(const struct pmm_kmem_cache *cache);

/* Counters of one cache (a snapshot; exact when quiet). */
struct pmm_slab_stats {
	uint64_t slabs;        /* slabs held */
	uint64_t active_slabs; /* slabs with an object out */
	uint64_t objs;         /* slabs * objs_per_slab */
	uint64_t inuse;        /* objects out of the slabs */
	uint64_t cpu_cached;   /* of those, in per-CPU arrays */
	uint64_t allocated;    /* inuse - cpu_cached: held by callers */
	uint64_t allocs, frees; /* successful calls since creation */
	uint64_t grown, reaped;  /* slabs made and given back */
	size_t object_size, slot; /* [bytes] */
	uint32_t objs_per_slab, limit, batch;
	pmm_order_t order;
	uint32_t id;
};
/* Fill *@st for @cache. Return: 0 or PMM_EINVAL. */
int pmm_kmem_cache_stats(struct pmm_kmem_cache *cache,
			 struct pmm_slab_stats *st);

/*
 * kmalloc: @size bytes from the smallest size class that holds them, or
 * 2^k pages above PMM_KMALLOC_MAX_CACHE_SIZE; @gfp zone flags pick the DMA
 * or DMA32 caches, PMM_GFP_ZERO zeroes. Power-of-two classes are aligned to
 * their size (up to a page), 96 to 32 and 192 to 64.
 * Return: the memory, PMM_ZERO_SIZE_PTR for @size 0, NULL when out of
 * memory or @size > PMM_KMALLOC_MAX_SIZE.
 */
void *pmm_kmalloc(size_t size, unsigned int gfp);
/* pmm_kmalloc(@size, @gfp | PMM_GFP_ZERO). */
void *pmm_kzalloc(size_t size, unsigned int gfp);
/* pmm_kmalloc(@n * @size) or NULL when the product wraps. */
void *pmm_kmalloc_array(size_t n, size_t size, unsigned int gfp);

/*
 * Free kmalloc'd (or any cache's) memory; NULL and PMM_ZERO_SIZE_PTR are
 * ignored. Return: 0 or an error as pmm_kmem_cache_free() says.
 */
int pmm_kfree(const void *p);

/* Return: bytes usable at @p (its class or block size), 0 for NULL,
 * PMM_ZERO_SIZE_PTR or (reported) a pointer that is no allocation. */
size_t pmm_ksize(const void *p);

/*
 * Resize @p to @size bytes: @p itself when it already holds them, else a
 * new allocation with the old contents and @p freed. @p NULL: kmalloc;
 * @size 0: free @p, return PMM_ZERO_SIZE_PTR.
 * Return: the memory, or NULL (out of memory, or @p no allocation -
 * reported): @p is then untouched.
 */
void *pmm_krealloc(void *p, size_t size, unsigned int gfp);

/* Return: the index of the kmalloc class for @size (0..), or -1 when the
 * size goes to pages (or is 0). */
int pmm_kmalloc_index(size_t size);
/* Return: the size of kmalloc class @index, 0 past the last. */
size_t pmm_kmalloc_class_size(int index);

/*
 * Write /proc/slabinfo (version 2.1) for every cache to @out, newest
 * cache first. Locking: the slab lock, then each cache's lock in turn.
 */
void pmm_report_slabinfo(const struct pmm_out *out);

/*
 * Prove the invariants above for every cache (objects, counts, red zones
 * and poison of every object, the slabs' pages and tags). Quiet; O(objects).
 * Return: NULL, or the first violation (static buffer, valid until the
 * next call).
 */
const char *pmm_slab_check(void);

#endif /* PMM_SLAB_H */
