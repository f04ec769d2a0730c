/* SPDX-License-Identifier: MIT */
/*
 * slab_layout.c - the geometry of a cache: slot size, red zones, slab
 * order, objects per slab, where the bitmaps and the free stack go, and
 * the size of the per-CPU arrays. Pure arithmetic on the cache's size,
 * alignment and flags; no memory is touched.
 *
 * The order is the smallest (up to PMM_SLAB_MAX_ORDER) whose slab wastes
 * at most 1/8 of itself; when none does, the one that wastes the smallest
 * share. Waste is the fixed header, the alignment padding and the tail:
 * the per-object bookkeeping (3 bytes and 1 bit) is the same at every
 * order, so it does not count against small orders.
 */
#include "slab_internal.h"

/* Bytes of red zone at least on each side of an object. */
#define SLAB_RED_MIN 8u
/* Slab waste accepted without looking at higher orders: 1/8. */
#define SLAB_WASTE_SHIFT 3
/* Smallest slot [bytes], as Linux's smallest object; it also keeps
 * ceil(2^32 / slot) in 32 bits. */
#define SLAB_MIN_SLOT 8u
/* Objects per slab at most (free stack entries are 16 bits). */
#define SLAB_MAX_OBJS 65535u

_Static_assert(sizeof(struct slab) % 4 == 0, "bitmaps follow the header");
_Static_assert((PMM_PAGE_SIZE << PMM_SLAB_MAX_ORDER) <= 65536 &&
		       PMM_SLAB_MAX_SIZE <= 32768,
	       "slab_div_slot() is exact: offsets below 2^16, slots up to 2^15");

static size_t round_up(size_t x, size_t a)
{
	return (x + a - 1) & ~(a - 1);
}

static uint32_t map_words(uint32_t n)
{
	return (n + 31) / 32;
}

/* Bytes of bookkeeping for @n objects: state map (to 4 bytes), mark map,
 * free stack. */
static size_t books_for(uint32_t n)
{
	return round_up(n, 4) + (size_t)map_words(n) * 4 +
	       (size_t)n * sizeof(uint16_t);
}

/* Offset of slot 0 in a slab of @n objects. */
static size_t objs_off_for(const struct pmm_kmem_cache *c, uint32_t n)
{
	return round_up(sizeof(struct slab) + books_for(n), c->align);
}

/* Return: how many objects a slab of 2^@k pages holds. */
static uint32_t objs_fit(const struct pmm_kmem_cache *c, pmm_order_t k)
{
	size_t bytes = (size_t)PMM_PAGE_SIZE << k;
	size_t n = bytes / (c->slot + sizeof(uint16_t) + 1);
	if (n > SLAB_MAX_OBJS)
		n = SLAB_MAX_OBJS;
	while (n > 0 && objs_off_for(c, (uint32_t)n) + n * c->slot > bytes)
		n--;
	return (uint32_t)n;
}

/* Pick the order and fill objs_per_slab and the offsets. */
static int choose_order(struct pmm_kmem_cache *c)
{
	size_t best_waste = 0, best_bytes = 0;
	pmm_order_t best = 0;
	uint32_t best_n = 0;
	for (pmm_order_t k = 0; k <= PMM_SLAB_MAX_ORDER; k++) {
		uint32_t n = objs_fit(c, k);
		size_t bytes = (size_t)PMM_PAGE_SIZE << k;
		if (n == 0)
			continue;
		size_t waste = bytes - (size_t)n * c->slot - books_for(n);
		if (best_n == 0 || waste * best_bytes < best_waste * bytes) {
			best = k;
			best_n = n;
			best_waste = waste;
			best_bytes = bytes;
		}
		if (waste << SLAB_WASTE_SHIFT <= bytes)
			break;
	}
	if (best_n == 0)
		return PMM_ERANGE;
	c->order = best;
	c->objs_per_slab = best_n;
	c->map_words = map_words(best_n);
	c->state_off = sizeof(struct slab);
	c->mark_map_off = c->state_off + round_up(best_n, 4);
	c->stack_off = c->mark_map_off + (size_t)c->map_words * 4;
	c->objs_off = objs_off_for(c, best_n);
	c->first_off = (uint32_t)(c->objs_off + c->red_left);
	c->recip = (uint32_t)((((uint64_t)1 << 32) + c->slot - 1) / c->slot);
	return 0;
}

/* Per-CPU array size by slot size, as Linux's SLAB sized its arrays. */
static void choose_limit(struct pmm_kmem_cache *c)
{
	uint32_t limit = 8;
	if (c->slot <= 256)
		limit = 64;
	else if (c->slot <= 1024)
		limit = 32;
	else if (c->slot <= 4096)
		limit = 16;
	c->limit = limit;
	c->batch = limit / 2;
	c->cpu_off = (uint32_t)round_up(sizeof(struct pmm_kmem_cache),
					PMM_CACHELINE);
	c->cpu_stride = (uint32_t)round_up(sizeof(struct slab_cpu) +
					   limit * sizeof(void *), PMM_CACHELINE);
	size_t total = c->cpu_off + (size_t)PMM_NR_CPUS * c->cpu_stride;
	pmm_order_t k = 0;
	while (((size_t)PMM_PAGE_SIZE << k) < total)
		k++;
	c->desc_order = k;
}

/**
 * slab_layout - compute @c's geometry from object_size, align and flags.
 * @c: a cache being created (align already a power of two)
 *
 * Return: 0, PMM_EOVERFLOW when size plus red zones and alignment wraps,
 * PMM_ERANGE when the slot is larger than PMM_SLAB_MAX_SIZE.
 */
int slab_layout(struct pmm_kmem_cache *c)
{
	size_t red = 0, extra = 0;
	if (c->flags & PMM_SLAB_RED_ZONE) {
		red = round_up(SLAB_RED_MIN, c->align);
		extra = red + SLAB_RED_MIN;
	}
	if (c->object_size > SIZE_MAX - extra - c->align)
		return PMM_EOVERFLOW;
	c->red_left = red;
	size_t slot = round_up(c->object_size + extra, c->align);
	if (slot < SLAB_MIN_SLOT)
		slot = SLAB_MIN_SLOT;
	if (slot > PMM_SLAB_MAX_SIZE)
		return PMM_ERANGE;
	c->slot = (uint32_t)slot;
	int err = choose_order(c);
	if (err)
		return err;
	choose_limit(c);
	return 0;
}
