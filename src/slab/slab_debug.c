/* SPDX-License-Identifier: MIT */
/*
 * slab_debug.c - red zones and poisoning of slab objects (the cache flags
 * PMM_SLAB_RED_ZONE and PMM_SLAB_POISON), after Linux's slab debugging.
 *
 * A slot with both:
 *
 *   |<- red_left ->|<------- object_size ------->|<- right red zone ->|
 *   | bb bb .. bb  | 6b 6b 6b ... 6b 6b 6b 6b a5 | bb bb bb .. bb bb  |  free
 *   | cc cc .. cc  | (the caller's bytes)        | cc cc cc .. cc cc  |  allocated
 *
 * Checked on allocation (poison and inactive red zones intact: nothing
 * wrote to the object while free - a use after free), on free (active red
 * zones intact: no overrun or underrun while allocated) and by
 * pmm_slab_check() for every object. Each finding names the cache, the
 * object, its slab and the offset from the object's first byte (negative:
 * in the left red zone).
 */
#include <pmm/fmt.h>

#include "slab_internal.h"

/* What a check found: the first wrong byte. */
struct slab_bad {
	long long off;      /* from the object's first byte */
	unsigned int got, want;
	const char *where;  /* "left red zone", "object", "right red zone" */
};

static size_t right_len(const struct pmm_kmem_cache *c)
{
	return c->slot - c->red_left - c->object_size;
}

static void set_red(const struct pmm_kmem_cache *c, unsigned char *obj, int v)
{
	if (!(c->flags & PMM_SLAB_RED_ZONE))
		return;
	pmm_memset(obj - c->red_left, v, c->red_left);
	pmm_memset(obj + c->object_size, v, right_len(c));
}

static void poison(const struct pmm_kmem_cache *c, unsigned char *obj)
{
	if (!(c->flags & PMM_SLAB_POISON))
		return;
	pmm_memset(obj, PMM_SLAB_POISON_FREE, c->object_size - 1);
	obj[c->object_size - 1] = PMM_SLAB_POISON_END;
}

/* Return: true and *@b when [@p, @p + @n) is not all @v. */
static bool scan(const unsigned char *p, size_t n, unsigned int v,
		 long long base, const char *where, struct slab_bad *b)
{
	for (size_t i = 0; i < n; i++) {
		if (p[i] == v)
			continue;
		b->off = base + (long long)i;
		b->got = p[i];
		b->want = v;
		b->where = where;
		return true;
	}
	return false;
}

/* Return: true and *@b at the first byte of @obj's red zones not @v. */
static bool red_bad(const struct pmm_kmem_cache *c, const unsigned char *obj,
		    unsigned int v, struct slab_bad *b)
{
	if (!(c->flags & PMM_SLAB_RED_ZONE))
		return false;
	return scan(obj - c->red_left, c->red_left, v,
		    -(long long)c->red_left, "left red zone", b) ||
	       scan(obj + c->object_size, right_len(c), v,
		    (long long)c->object_size, "right red zone", b);
}

/* Return: true and *@b at the first byte of the free @obj not poison. */
static bool poison_bad(const struct pmm_kmem_cache *c,
		       const unsigned char *obj, struct slab_bad *b)
{
	if (!(c->flags & PMM_SLAB_POISON))
		return false;
	return scan(obj, c->object_size - 1, PMM_SLAB_POISON_FREE, 0,
		    "object", b) ||
	       scan(obj + c->object_size - 1, 1, PMM_SLAB_POISON_END,
		    (long long)c->object_size - 1, "object", b);
}

static int report_bad(const struct pmm_kmem_cache *c, const struct slab *s,
		      uint32_t idx, const void *obj, const struct slab_bad *b,
		      const char *func, const char *what)
{
	return pmm_bug(PMM_ECORRUPT, func,
			  "cache %s: object %u (%p, slab pfn 0x%llx): %s byte at offset %lld is 0x%02x, want 0x%02x (%s)",
			  c->name, idx, obj, (unsigned long long)s->pfn,
			  b->where, b->off, b->got, b->want, what);
}

void slab_debug_init_obj(const struct pmm_kmem_cache *c, unsigned char *obj)
{
	set_red(c, obj, PMM_SLAB_RED_INACTIVE);
	poison(c, obj);
}

/**
 * slab_debug_on_alloc - check the free object @obj before it is handed
 * out, then make its red zones active.
 *
 * Return: 0 or PMM_ECORRUPT (reported; the object is handed out anyway,
 * its red zones repaired).
 */
int slab_debug_on_alloc(const struct pmm_kmem_cache *c, struct slab *s,
			uint32_t idx, unsigned char *obj)
{
	struct slab_bad b;
	int err = 0;
	if (red_bad(c, obj, PMM_SLAB_RED_INACTIVE, &b) || poison_bad(c, obj, &b))
		err = report_bad(c, s, idx, obj, &b, "pmm_kmem_cache_alloc",
				 "written after free");
	set_red(c, obj, PMM_SLAB_RED_ACTIVE);
	return err;
}

/**
 * slab_debug_check_free - check the allocated object @obj's red zones
 * before it is freed.
 *
 * Return: 0 or PMM_ECORRUPT (reported; the caller keeps the object
 * allocated, so the damage stays visible to pmm_slab_check()).
 */
int slab_debug_check_free(const struct pmm_kmem_cache *c, struct slab *s,
			  uint32_t idx, const void *obj)
{
	struct slab_bad b;
	if (!red_bad(c, (const unsigned char *)obj, PMM_SLAB_RED_ACTIVE, &b))
		return 0;
	return report_bad(c, s, idx, obj, &b, "pmm_kmem_cache_free",
			  "written outside the object");
}

void slab_debug_on_free(const struct pmm_kmem_cache *c, unsigned char *obj)
{
	set_red(c, obj, PMM_SLAB_RED_INACTIVE);
	poison(c, obj);
}

const char *slab_debug_verify(const struct pmm_kmem_cache *c, struct slab *s,
			      uint32_t idx, bool allocated, char *buf,
			      size_t size)
{
	struct slab_bad b;
	const unsigned char *obj = slab_obj(c, s, idx);
	unsigned int red = allocated ? PMM_SLAB_RED_ACTIVE : PMM_SLAB_RED_INACTIVE;
	if (!red_bad(c, obj, red, &b) && (allocated || !poison_bad(c, obj, &b)))
		return NULL;
	pmm_snprintf(buf, size,
		     "cache %s: %s object %u (%p, slab pfn 0x%llx): %s byte at offset %lld is 0x%02x, want 0x%02x",
		     c->name, allocated ? "allocated" : "free", idx,
		     (const void *)obj, (unsigned long long)s->pfn, b.where,
		     b.off, b.got, b.want);
	return buf;
}
