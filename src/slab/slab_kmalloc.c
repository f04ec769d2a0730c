/* SPDX-License-Identifier: MIT */
/*
 * slab_kmalloc.c - kmalloc and friends: general-purpose memory from size
 * classes, each a cache of its own, and whole blocks of pages for the
 * sizes above the largest class.
 *
 *   classes  8 16 32 64 96 128 192 256 512 1024 2048 4096 8192 [bytes]
 *   above    2^k pages from the buddy allocator, tagged "KMAL" + size
 *
 * A class's cache is made on first use, one set per zone type (Normal,
 * DMA, DMA32 - the gfp zone flags pick the set), named as Linux names
 * them ("kmalloc-96", "dma-kmalloc-96"). pmm_kfree() and pmm_ksize() find
 * the cache or block from the pointer alone (slab_lookup(), slab_where()).
 */
#include <pmm/fmt.h>

#include "slab_fast.h"

static const uint16_t kmalloc_sizes[KMALLOC_NR_CLASSES] = {
	8, 16, 32, 64, 96, 128, 192, 256, 512, 1024, 2048, 4096, 8192,
};
_Static_assert(PMM_KMALLOC_MAX_CACHE_SIZE == 8192, "the last class");

/* 2^k entries of class @c, for the table below. */
#define CLASS_X2(c) c, c
#define CLASS_X4(c) CLASS_X2(c), CLASS_X2(c)
#define CLASS_X8(c) CLASS_X4(c), CLASS_X4(c)
#define CLASS_X16(c) CLASS_X8(c), CLASS_X8(c)
#define CLASS_X32(c) CLASS_X16(c), CLASS_X16(c)
#define CLASS_X64(c) CLASS_X32(c), CLASS_X32(c)

/* Class of sizes 1..1024 by (size + 7) / 8 (entry 0 unused), of
 * 1025..8192 by 128 + (size - 1) / 1024: one load either way. */
static const uint8_t size_class[136] = {
	0, 0, 1, CLASS_X2(2), CLASS_X4(3), CLASS_X4(4), CLASS_X4(5),
	CLASS_X8(6), CLASS_X8(7), CLASS_X32(8), CLASS_X64(9),
	10, CLASS_X2(11), CLASS_X4(12),
};
_Static_assert(KMALLOC_NR_CLASSES == 13 && 1024 / 8 + 1 == 129 &&
		       129 + 8192 / 1024 - 1 == 136,
	       "size_class covers every class");

/* Return: the class of @size, 1..PMM_KMALLOC_MAX_CACHE_SIZE. The index
 * is picked without a branch: the sizes above and below 1 KiB mix in a
 * stream, which no branch predictor guesses. */
static inline int kmalloc_class(size_t size)
{
	size_t small = (size + 7) >> 3, large = 128 + ((size - 1) >> 10);
	size_t pick_small = (size_t)0 - (size_t)(size <= 1024);
	return size_class[large ^ ((small ^ large) & pick_small)];
}

static const char *const type_prefix[KMALLOC_NR_TYPES] = {
	"kmalloc-", "dma-kmalloc-", "dma32-kmalloc-",
};

int pmm_kmalloc_index(size_t size)
{
	if (size == 0 || size > PMM_KMALLOC_MAX_CACHE_SIZE)
		return -1;
	return kmalloc_class(size);
}

size_t pmm_kmalloc_class_size(int index)
{
	if (index < 0 || index >= KMALLOC_NR_CLASSES)
		return 0;
	return kmalloc_sizes[index];
}

/* Alignment of class @i: its size if a power of two (at most a page),
 * else the largest power of two dividing it. */
static size_t class_align(int i)
{
	size_t s = kmalloc_sizes[i];
	size_t a = s & (~s + 1);
	return a > PMM_PAGE_SIZE ? (size_t)PMM_PAGE_SIZE : a;
}

/* Return: the type (Normal 0, DMA 1, DMA32 2) the zone flags of @gfp pick. */
static inline unsigned int kmalloc_type(unsigned int gfp)
{
	if ((gfp & (PMM_GFP_DMA | PMM_GFP_DMA32)) == 0)
		return 0;
	return (gfp & PMM_GFP_DMA) ? 1 : 2;
}

/*
 * The cache of class @i of type @t, made now if it is the first use. Two
 * CPUs making the same one at once both build it; the loser destroys its
 * own. Return: the cache or NULL (no memory for its descriptor).
 */
static struct pmm_kmem_cache *kmalloc_cache(unsigned int t, int i)
{
	_Atomic(struct pmm_kmem_cache *) *slot = &pmm_slab_state.kmalloc[t][i];
	struct pmm_kmem_cache *c = atomic_load_explicit(slot, memory_order_acquire);
	if (c != NULL || !pmm_slab_state.ready)
		return c;
	static const unsigned int zone_flags[KMALLOC_NR_TYPES] = {
		0, PMM_SLAB_CACHE_DMA, PMM_SLAB_CACHE_DMA32,
	};
	char name[PMM_SLAB_NAME_MAX];
	int err;
	pmm_snprintf(name, sizeof(name), "%s%u", type_prefix[t],
		     (unsigned int)kmalloc_sizes[i]);
	struct pmm_kmem_cache *made = slab_cache_new(
		name, kmalloc_sizes[i], class_align(i),
		pmm_slab_state.kmalloc_flags | zone_flags[t], NULL, false, &err);
	if (made == NULL)
		return NULL;
	if (!atomic_compare_exchange_strong(slot, &c, made)) {
		(void)pmm_kmem_cache_destroy(made);
		return c;
	}
	made->is_kmalloc = true;
	return made;
}

/* 2^k pages for a kmalloc above the classes. Return: memory or NULL. */
static void *kmalloc_large(size_t size, unsigned int gfp)
{
	pmm_order_t order = 0;
	pmm_pfn_t pfn;
	if (size > PMM_KMALLOC_MAX_SIZE)
		return NULL;
	while (((size_t)PMM_PAGE_SIZE << order) < size)
		order++;
	uint64_t tag = (uint64_t)PMM_SLAB_TAG_LARGE << 32 | (uint32_t)size;
	return slab_block_alloc(gfp & ~PMM_GFP_HIGHMEM, order, tag, &pfn);
}

/* The kmalloc that is not a plain pop: size 0, above the classes, a DMA
 * or DMA32 class, zeroed memory, or the first of its class (the cache
 * made now). Kept out of line so that pmm_kmalloc() stays a leaf without
 * a stack frame. */
__attribute__((noinline, cold)) static void *kmalloc_slow(size_t size,
							 unsigned int gfp)
{
	if (size == 0)
		return PMM_ZERO_SIZE_PTR;
	if (size > PMM_KMALLOC_MAX_CACHE_SIZE)
		return pmm_slab_state.ready ? kmalloc_large(size, gfp) : NULL;
	struct pmm_kmem_cache *c = kmalloc_cache(kmalloc_type(gfp),
						 kmalloc_class(size));
	return c ? slab_alloc_fast(c, gfp) : NULL;
}

void *pmm_kmalloc(size_t size, unsigned int gfp)
{
	if (__builtin_expect(size - 1 >= PMM_KMALLOC_MAX_CACHE_SIZE ||
				     (gfp & (PMM_GFP_DMA | PMM_GFP_DMA32 |
					     PMM_GFP_ZERO)), 0))
		return kmalloc_slow(size, gfp);
	struct pmm_kmem_cache *c = atomic_load_explicit(
		&pmm_slab_state.kmalloc[0][kmalloc_class(size)],
		memory_order_acquire);
	if (__builtin_expect(c == NULL, 0))
		return kmalloc_slow(size, gfp);
	return slab_alloc_unzeroed(c, gfp);
}

void *pmm_kzalloc(size_t size, unsigned int gfp)
{
	return pmm_kmalloc(size, gfp | PMM_GFP_ZERO);
}

void *pmm_kmalloc_array(size_t n, size_t size, unsigned int gfp)
{
	if (size != 0 && n > SIZE_MAX / size)
		return NULL;
	return pmm_kmalloc(n * size, gfp);
}

/* Return: true when owner tag @tag marks a large kmalloc's pages. */
static inline bool tag_is_large(uint64_t tag)
{
	return (uint32_t)(tag >> 32) == PMM_SLAB_TAG_LARGE;
}

/*
 * Find and validate the allocation at @p for @func: a slab object
 * (*@idx set) or the head of a large block.
 * Return: 0, or the error already reported.
 */
static int kmalloc_find(const void *p, struct slab_where *w, uint32_t *idx,
			const char *func)
{
	if (slab_where(p, w) != 0)
		return pmm_bug(PMM_EINVAL, func,
				  "%p is not memory from kmalloc or a cache", p);
	if (w->slab)
		return slab_validate(NULL, p, w, func, idx);
	if (!tag_is_large(w->tag))
		return pmm_bug(PMM_EINVAL, func,
				  "%p is in pages with owner tag 0x%llx, not kmalloc's",
				  p, (unsigned long long)w->tag);
	const unsigned char *head = slab_pfn_to_virt(w->head);
	if ((const unsigned char *)p != head)
		return pmm_bug(PMM_ENOTHEAD, func,
				  "%p is %zu bytes into the kmalloc block at %p",
				  p, (size_t)((const unsigned char *)p - head),
				  (const void *)head);
	return 0;
}

/* The kfree that is neither a push nor a large block's head: NULL, or a
 * pointer pmm_kfree() refused (reported here). Out of line: pmm_kfree()
 * stays without a stack frame. */
__attribute__((noinline, cold)) static int kfree_slow(const void *p,
						      const char *func)
{
	struct slab_where w;
	uint32_t idx;
	if (p == NULL || p == PMM_ZERO_SIZE_PTR)
		return 0;
	int err = kmalloc_find(p, &w, &idx, func);
	if (err)
		return err;
	if (w.slab)
		return slab_free_in(NULL, w.slab, p, func);
	return slab_block_free(w.head, w.order);
}

/* The kfree of the allocated block at @head (descriptor @pg) that is no
 * slab: a large kmalloc's pages when @p is their first byte (the checks
 * of kmalloc_find()), else kfree_slow() for @func. */
__attribute__((noinline)) static int kfree_block(const void *p, pmm_pfn_t head,
						 const struct pmm_page *pg,
						 const char *func)
{
	if (tag_is_large(slab_head_tag(pg)) && p == slab_pfn_to_virt(head))
		return slab_block_free(head, pmm_page_order(pg));
	return kfree_slow(p, func);
}

int pmm_kfree(const void *p)
{
	uintptr_t dp1 = atomic_load_explicit(&slab_map_delta_plus1,
					     memory_order_relaxed);
	const struct pmm_page *pg;
	pmm_pfn_t head;
	/* One compare sends NULL, PMM_ZERO_SIZE_PTR and the bytes between to
	 * kfree_slow(), which returns 0 for the first two. One search of the
	 * descriptors serves a slab object and a large block alike. */
	if (__builtin_expect((uintptr_t)p <= (uintptr_t)PMM_ZERO_SIZE_PTR ||
				     (pg = slab_block_of(p, dp1, &head)) == NULL, 0))
		return kfree_slow(p, __func__);
	struct slab *s = slab_at(head, pg, dp1);
	if (__builtin_expect(s == NULL, 0))
		return kfree_block(p, head, pg, __func__);
	return slab_free_in(NULL, s, p, __func__);
}

size_t pmm_ksize(const void *p)
{
	struct slab_where w;
	uint32_t idx;
	if (p == NULL || p == PMM_ZERO_SIZE_PTR)
		return 0;
	if (kmalloc_find(p, &w, &idx, __func__) != 0)
		return 0;
	if (w.slab)
		return w.slab->cache->object_size;
	return (size_t)PMM_PAGE_SIZE << w.order;
}

void *pmm_krealloc(void *p, size_t size, unsigned int gfp)
{
	if (p == NULL || p == PMM_ZERO_SIZE_PTR)
		return pmm_kmalloc(size, gfp);
	size_t old = pmm_ksize(p);
	if (old == 0)
		return NULL;
	if (size == 0) {
		(void)pmm_kfree(p);
		return PMM_ZERO_SIZE_PTR;
	}
	if (size <= old)
		return p;
	void *n = pmm_kmalloc(size, gfp);
	if (n == NULL)
		return NULL;
	pmm_memcpy(n, p, old);
	(void)pmm_kfree(p);
	return n;
}
