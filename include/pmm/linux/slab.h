/* SPDX-License-Identifier: MIT */
/*
 * pmm/linux/slab.h - Linux's slab and kmalloc names on top of pmm.
 *
 * Code written against Linux's <linux/slab.h> (kmem_cache_create(),
 * kmalloc(), kfree(), ...) compiles against pmm with this header; it
 * includes <pmm/linux/gfp.h> for the GFP_* names. Linux's functions return
 * nothing where pmm's return an error: the wrappers drop it (the report
 * hook has already said what went wrong). "struct kmem_cache" is pmm's
 * struct pmm_kmem_cache through a macro; define PMM_NO_KMEM_CACHE_ALIAS to
 * keep the name free.
 */
#ifndef PMM_LINUX_SLAB_H
#define PMM_LINUX_SLAB_H

#include <limits.h>

#include <pmm/linux/gfp.h>
#include <pmm/slab.h>

#ifndef PMM_NO_KMEM_CACHE_ALIAS
#define kmem_cache pmm_kmem_cache
#endif

typedef unsigned int slab_flags_t;

#define SLAB_RED_ZONE PMM_SLAB_RED_ZONE
#define SLAB_POISON PMM_SLAB_POISON
#define SLAB_HWCACHE_ALIGN PMM_SLAB_HWCACHE_ALIGN
#define SLAB_CACHE_DMA PMM_SLAB_CACHE_DMA
#define SLAB_CACHE_DMA32 PMM_SLAB_CACHE_DMA32
#define ZERO_SIZE_PTR PMM_ZERO_SIZE_PTR
#define ZERO_OR_NULL_PTR(x) ((unsigned long)(x) <= (unsigned long)ZERO_SIZE_PTR)
#define KMALLOC_MAX_SIZE PMM_KMALLOC_MAX_SIZE
#define KMALLOC_MAX_CACHE_SIZE PMM_KMALLOC_MAX_CACHE_SIZE
#define KMALLOC_MIN_SIZE PMM_KMALLOC_MIN_SIZE

static inline struct pmm_kmem_cache *
kmem_cache_create(const char *name, unsigned int size, unsigned int align,
		  slab_flags_t flags, void (*ctor)(void *))
{
	return pmm_kmem_cache_create(name, size, align, flags, ctor);
}

static inline void kmem_cache_destroy(struct pmm_kmem_cache *s)
{
	if (s)
		(void)pmm_kmem_cache_destroy(s);
}

static inline int kmem_cache_shrink(struct pmm_kmem_cache *s)
{
	(void)pmm_kmem_cache_shrink(s);
	return 0;
}

static inline void *kmem_cache_alloc(struct pmm_kmem_cache *s, gfp_t flags)
{
	return pmm_kmem_cache_alloc(s, flags);
}

static inline void *kmem_cache_zalloc(struct pmm_kmem_cache *s, gfp_t flags)
{
	return pmm_kmem_cache_alloc(s, flags | __GFP_ZERO);
}

static inline void kmem_cache_free(struct pmm_kmem_cache *s, void *objp)
{
	(void)pmm_kmem_cache_free(s, objp);
}

/* Linux's return: @size or 0 (pmm's errors, already reported, read 0). */
static inline int kmem_cache_alloc_bulk(struct pmm_kmem_cache *s, gfp_t flags,
					size_t size, void **p)
{
	if (size > INT_MAX)
		return 0;
	long n = pmm_kmem_cache_alloc_bulk(s, flags, size, p);
	return n > 0 ? (int)n : 0;
}

static inline void kmem_cache_free_bulk(struct pmm_kmem_cache *s, size_t size,
					void **p)
{
	(void)pmm_kmem_cache_free_bulk(s, size, p);
}

static inline unsigned int kmem_cache_size(struct pmm_kmem_cache *s)
{
	return (unsigned int)pmm_kmem_cache_size(s);
}

static inline void *kmalloc(size_t size, gfp_t flags)
{
	return pmm_kmalloc(size, flags);
}

static inline void *kzalloc(size_t size, gfp_t flags)
{
	return pmm_kzalloc(size, flags);
}

static inline void *kmalloc_array(size_t n, size_t size, gfp_t flags)
{
	return pmm_kmalloc_array(n, size, flags);
}

static inline void *kcalloc(size_t n, size_t size, gfp_t flags)
{
	return pmm_kmalloc_array(n, size, flags | __GFP_ZERO);
}

static inline void *krealloc(const void *p, size_t new_size, gfp_t flags)
{
	return pmm_krealloc((void *)(uintptr_t)p, new_size, flags);
}

static inline void kfree(const void *objp)
{
	(void)pmm_kfree(objp);
}

static inline size_t ksize(const void *objp)
{
	return pmm_ksize(objp);
}

/* KMEM_CACHE(struct foo, flags): a cache named and sized for the struct. */
#define KMEM_CACHE(__struct, __flags)                                        \
	kmem_cache_create(#__struct, sizeof(struct __struct),                \
			  _Alignof(struct __struct), (__flags), NULL)

#endif /* PMM_LINUX_SLAB_H */
