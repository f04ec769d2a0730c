/* SPDX-License-Identifier: MIT */
/*
 * slab_internal.h - the slab allocator's structures, shared by the
 * files of src/slab/ and nothing else.
 *
 * A slab (2^order pages, naturally aligned in physical memory):
 *
 *   +--------+------------+-----------+------------+-----+--------+--------+
 *   | struct | state map  | mark map  | free stack | pad | slot 0 | slot 1 | ...
 *   | slab   | 1 byte/obj | 1 bit/obj | u16/obj    |     |        |        |
 *   +--------+------------+-----------+------------+-----+--------+--------+
 *   0                                               objs_off  (+ slot each)
 *
 * state map: SLAB_OBJ_ALLOCATED <=> the object is held by a caller, else
 *            SLAB_OBJ_FREE. A byte each, so that no CPU ever rewrites a
 *            neighbour's state: allocation checks FREE and stores
 *            ALLOCATED, a free checks ALLOCATED and stores FREE, both with
 *            plain (relaxed atomic) loads and stores, no locked
 *            instruction (what that promises: slab_fast.h).
 * mark map:  scratch for pmm_slab_check() only.
 * free stack: indices of the objects free on this slab; the top is
 *            stack[nr_free - 1]. Guarded by the cache lock.
 *
 * Each slab belongs to one CPU (owner): it is on that CPU's partial, full
 * or empty list, and only that CPU's array refills from it, so a slab's
 * header and state map stay in one CPU's cache. Another CPU takes a slab
 * over when it is empty, or when the buddy allocator has no page left.
 *
 * A cache descriptor (2^desc_order pages, tagged "SLBC" + id):
 *
 *   +-----------------------+-------------+-------------+-----
 *   | struct pmm_kmem_cache | CPU 0 array | CPU 1 array | ...   (cpu_stride each)
 *   +-----------------------+-------------+-------------+-----
 *
 * Object states and where they are:
 *   allocated  state ALLOCATED, on no stack and in no array
 *   cpu        state FREE, in exactly one per-CPU array
 *   free       state FREE, on its slab's free stack
 * inuse (slab) = objs_per_slab - nr_free = allocated + cpu.
 */
#ifndef PMM_SLAB_INTERNAL_H
#define PMM_SLAB_INTERNAL_H

#include <stdatomic.h>

#include <pmm/slab.h>

#include "../base/platform_internal.h"

#define SLAB_MAGIC 0x51ab51abu
#define CACHE_MAGIC 0xcac4e0u

/* An object's byte in its slab's state map. */
#define SLAB_OBJ_FREE 0u
#define SLAB_OBJ_ALLOCATED 1u

/* Which list a slab is on. */
enum slab_list { SLAB_PARTIAL, SLAB_FULL, SLAB_EMPTY, SLAB_NR_LISTS };

/* Header at the start of every slab; fields under the cache lock unless
 * said otherwise. */
struct slab {
	union {
		struct {
			uint32_t magic; /* SLAB_MAGIC; set once */
			uint32_t pfn;   /* head page (pfns stay below 2^32,
					 * pmm_page.next); set once */
		};
		uint64_t stamp; /* both, for one compare (slab_stamp()) */
	};
	struct pmm_kmem_cache *cache; /* set once */
	struct slab *next, *prev;     /* on cache->lists[list] */
	uint16_t nr_free;             /* objects on the free stack */
	uint8_t list;                 /* enum slab_list */
	uint8_t owner;                /* the CPU whose lists it is on */
};
/* Small, so that the state bytes of the first objects share the header's
 * cache line, which every free reads (slab_where()): 28 on x86_64. */
_Static_assert(sizeof(struct slab) <= 40, "the slab header stays small");
_Static_assert(PMM_NR_CPUS <= 256, "a slab's owner fits a byte");
_Static_assert(__builtin_offsetof(struct slab, pfn) == 4 &&
		       __builtin_offsetof(struct slab, stamp) == 0,
	       "magic and pfn are the two halves of the stamp");

/* Return: the stamp of the slab whose head page is @pfn. */
static inline uint64_t slab_stamp(pmm_pfn_t pfn)
{
	union {
		struct {
			uint32_t magic, pfn;
		} f;
		uint64_t word;
	} u = { .f = { SLAB_MAGIC, (uint32_t)pfn } };
	return u.word;
}

/* One CPU's array of free objects; touched by its CPU only. */
struct slab_cpu {
	uint32_t avail;          /* entries in entry[0 .. avail) */
	uint32_t pad;
	uint64_t allocs, frees;  /* successful calls on this CPU */
	void *entry[];           /* cache->limit slots */
};

struct pmm_kmem_cache {
	/* The fast paths read only this first cache line. */
	uint32_t magic;          /* CACHE_MAGIC while the cache lives */
	unsigned int flags;      /* PMM_SLAB_* */
	uint32_t slot;           /* bytes per object in the slab */
	uint32_t recip;          /* ceil(2^32 / slot): index by multiplication */
	uint32_t first_off;      /* object 0 from the slab's start [bytes] */
	uint32_t objs_per_slab;
	uint32_t state_off;      /* the state map from the slab's start */
	uint32_t limit, batch;   /* per-CPU array size, refill/flush step */
	uint32_t cpu_off, cpu_stride; /* per-CPU arrays in the descriptor */
	pmm_order_t order;       /* slab size: 2^order pages */
	uint64_t tag;            /* PMM_SLAB_TAG(id) */
	size_t object_size;      /* as created [bytes] */

	void (*ctor)(void *);
	uint32_t id;             /* low half of the slab tag */
	char name[PMM_SLAB_NAME_MAX];
	bool is_kmalloc;         /* made by the kmalloc layer: never destroyed */
	size_t align;            /* of each object [bytes] */
	size_t red_left;         /* red zone before the object [bytes] */
	size_t objs_off;         /* slot 0 from the slab's start [bytes] */
	size_t mark_map_off, stack_off; /* [bytes] */
	uint32_t map_words;      /* 32-bit words of the mark map */
	unsigned int gfp_zone;   /* PMM_GFP_DMA, PMM_GFP_DMA32 or 0 */
	pmm_pfn_t desc_pfn;      /* the descriptor's own pages */
	pmm_order_t desc_order;
	struct pmm_kmem_cache *next_cache; /* global list; slab lock */

	_Alignas(PMM_CACHELINE)
	struct pmm_lock lock;    /* guards everything below */
	struct slab *lists[PMM_NR_CPUS][SLAB_NR_LISTS]; /* by owner CPU */
	uint64_t nr_slabs;
	uint64_t nr_list[SLAB_NR_LISTS]; /* over all CPUs */
	uint64_t inuse;          /* objects out of the slabs */
	uint64_t grown, reaped;  /* slabs made and given back */
	unsigned int validate_ops; /* refills and flushes (PMM_VALIDATE_DUE) */
};
_Static_assert(__builtin_offsetof(struct pmm_kmem_cache, object_size) +
		       sizeof(size_t) <= PMM_CACHELINE,
	       "the fast paths' fields share one cache line");

/* Empty slabs a cache keeps after a flush; more go back to the buddy. */
#define SLAB_KEEP_EMPTY 1u

/* kmalloc caches: one set per zone type (Normal, DMA, DMA32). */
#define KMALLOC_NR_CLASSES 13
#define KMALLOC_NR_TYPES 3

/* State of the slab layer (slab_cache.c). */
struct slab_state {
	bool ready;                      /* pmm_slab_init() done */
	unsigned int kmalloc_flags;
	uint32_t next_id;                /* slab lock */
	struct pmm_kmem_cache *caches;   /* newest first; slab lock */
	struct pmm_lock lock;            /* the slab lock */
	_Atomic(struct pmm_kmem_cache *) kmalloc[KMALLOC_NR_TYPES][KMALLOC_NR_CLASSES];
};
extern struct slab_state pmm_slab_state;

/* Return: true if @c looks like a live cache: descriptors start a page
 * (checked before anything is read) and carry CACHE_MAGIC. O(1). */
static inline bool slab_cache_ok(const struct pmm_kmem_cache *c)
{
	return c != NULL && ((uintptr_t)c & (uintptr_t)(PMM_PAGE_SIZE - 1)) == 0 &&
	       c->magic == CACHE_MAGIC;
}

/* --- slab_map.c: slab memory and finding a pointer's block --- */

/* Allocate and map 2^@order pages tagged @tag from the zone in @gfp.
 * Return: the mapping (linear, checked) or NULL; *@pfn the head. */
void *slab_block_alloc(unsigned int gfp, pmm_order_t order, uint64_t tag,
		       pmm_pfn_t *pfn);
/* Forget the learned mapping constant (pmm_slab_init()). */
void slab_map_reset(void);
/* Give the block at @pfn of 2^@order pages back. Return: 0 or error. */
int slab_block_free(pmm_pfn_t pfn, pmm_order_t order);
/* Return: the mapping of @pfn (a page of a block slab_block_alloc() made). */
void *slab_pfn_to_virt(pmm_pfn_t pfn);

/* What a pointer points into (slab_where(), slab_fast.h). */
struct slab_where {
	pmm_pfn_t head;        /* the allocated block's head */
	pmm_order_t order;     /* its order */
	uint64_t tag;          /* its owner tag */
	struct slab *slab;     /* the slab, when the block is one */
};

/* --- slab_layout.c --- */

/* Fill the geometry fields of @c from its size, align and flags.
 * Return: 0, PMM_EOVERFLOW or PMM_ERANGE. */
int slab_layout(struct pmm_kmem_cache *c);

static inline _Atomic uint8_t *slab_state_map(const struct pmm_kmem_cache *c,
					      struct slab *s)
{
	return (_Atomic uint8_t *)(void *)((unsigned char *)s + c->state_off);
}

static inline uint32_t *slab_mark_map(const struct pmm_kmem_cache *c,
				      struct slab *s)
{
	return (uint32_t *)(void *)((unsigned char *)s + c->mark_map_off);
}

static inline uint16_t *slab_stack(const struct pmm_kmem_cache *c,
				   struct slab *s)
{
	return (uint16_t *)(void *)((unsigned char *)s + c->stack_off);
}

/* Return: the object (not the slot) of index @i. */
static inline unsigned char *slab_obj(const struct pmm_kmem_cache *c,
				      struct slab *s, uint32_t i)
{
	return (unsigned char *)s + c->first_off + (size_t)i * c->slot;
}

/*
 * Return: @off / slot for an offset @off from object 0, by one
 * multiplication. Exact: off < 2^16 and slot <= 2^15 (slab_layout.c
 * proves the bound), so off * (recip - 2^32 / slot) < 2^32 / slot, less
 * than the gap from off / slot to the next integer.
 */
static inline uint32_t slab_div_slot(const struct pmm_kmem_cache *c,
				     uint32_t off)
{
	return (uint32_t)(((uint64_t)off * c->recip) >> 32);
}

static inline struct slab_cpu *slab_cpu(const struct pmm_kmem_cache *c,
					unsigned int cpu)
{
	return (struct slab_cpu *)(void *)((unsigned char *)c + c->cpu_off +
					   (size_t)cpu * c->cpu_stride);
}

/* --- slab_grow.c: making and releasing slabs, the lists --- */

/* A new slab for @c (no lock held). Return: the slab or NULL. */
struct slab *slab_grow(struct pmm_kmem_cache *c, unsigned int gfp);
/* Add @s (fresh, empty) to the lists of CPU @cpu. Cache lock held. */
void slab_add_locked(struct pmm_kmem_cache *c, struct slab *s,
		     unsigned int cpu);
/* Move @s to the lists of CPU @cpu. Cache lock held. */
void slab_set_owner_locked(struct pmm_kmem_cache *c, struct slab *s,
			   unsigned int cpu);
/* Put @s on the list its nr_free says. Cache lock held. */
void slab_relist_locked(struct pmm_kmem_cache *c, struct slab *s);
/* Take @s off its list and out of the counters. Cache lock held. */
void slab_unlink_locked(struct pmm_kmem_cache *c, struct slab *s);
/* Give the unlinked slab @s back to the buddy allocator. No lock held. */
void slab_release(struct pmm_kmem_cache *c, struct slab *s);
/*
 * Unlink the empty slabs of @c beyond @keep onto a private chain.
 * Cache lock held. Return: the chain (linked through next).
 */
struct slab *slab_take_empty_locked(struct pmm_kmem_cache *c, uint64_t keep);
/* Release a chain slab_take_empty_locked() made. Return: pages freed.
 * No lock held (calls the buddy allocator). */
uint64_t slab_release_chain(struct pmm_kmem_cache *c, struct slab *chain);

/* --- slab_alloc.c (and the fast paths in slab_fast.h) --- */

/* Prove @p is an allocated object (of @want unless NULL); reported.
 * Return: 0 and *@idx, or the error. */
int slab_validate(const struct pmm_kmem_cache *want, const void *p,
		  const struct slab_where *w, const char *func, uint32_t *idx);
/* Move every object of @cpu's array of @c back to the slabs. Quiet. */
void slab_drain_cpu(struct pmm_kmem_cache *c, unsigned int cpu);

/* --- slab_debug.c: red zones and poison --- */

/* Set up a fresh object's debug bytes (free state). */
void slab_debug_init_obj(const struct pmm_kmem_cache *c, unsigned char *obj);
/* Check a free object about to be handed out; then mark it allocated.
 * Return: 0 or PMM_ECORRUPT (reported). */
int slab_debug_on_alloc(const struct pmm_kmem_cache *c, struct slab *s,
			uint32_t idx, unsigned char *obj);
/* Check an allocated object's red zones before it is freed (reported).
 * Return: 0 or PMM_ECORRUPT. */
int slab_debug_check_free(const struct pmm_kmem_cache *c, struct slab *s,
			  uint32_t idx, const void *obj);
/* Poison a freed object and mark its red zones inactive. */
void slab_debug_on_free(const struct pmm_kmem_cache *c, unsigned char *obj);
/*
 * Check object @idx's debug bytes in state @allocated, silently.
 * Return: NULL or what is wrong (in @buf).
 */
const char *slab_debug_verify(const struct pmm_kmem_cache *c, struct slab *s,
			      uint32_t idx, bool allocated, char *buf,
			      size_t size);

/* --- slab_cache.c --- */

/* Return: true if @c is a live cache (walks the list; slab lock). */
bool slab_cache_is_live(const struct pmm_kmem_cache *c);
/* Create a cache (also for kmalloc). Return: the cache or NULL, *@err. */
struct pmm_kmem_cache *slab_cache_new(const char *name, size_t size,
				      size_t align, unsigned int flags,
				      void (*ctor)(void *), bool kmalloc,
				      int *err);

/* --- slab_check.c --- */

/*
 * The part of pmm_slab_check() that the cache lock alone makes stable:
 * the descriptor, every slab on the lists (header, list, free stack) and
 * the counters (slabs per list, inuse == sum of objs - nr_free). The
 * per-CPU arrays are left out: their CPUs change them without the lock.
 * Return: NULL or the first violation (static buffer). Cache lock held.
 */
const char *slab_check_lists_locked(struct pmm_kmem_cache *c);

/*
 * PMM_DEBUG=3: run slab_check_lists_locked() on every PMM_VALIDATE_EVERY-th
 * call for @c and stop on a violation. Cache lock held.
 */
static inline void slab_validate_due_locked(struct pmm_kmem_cache *c)
{
	if (PMM_VALIDATE_DUE(c->validate_ops)) {
		const char *why = slab_check_lists_locked(c);
		if (why)
			pmm_assert_fail(__func__, "slab_check_lists_locked(c) == NULL",
					"%s", why);
	}
}

/* Level 2: the list counters of @c add up to its slab count. Lock held. */
static inline void slab_assert_counts_locked(const struct pmm_kmem_cache *c)
{
	PMM_ASSERT(c->nr_list[SLAB_PARTIAL] + c->nr_list[SLAB_FULL] +
			   c->nr_list[SLAB_EMPTY] == c->nr_slabs,
		   "cache %s: partial %llu + full %llu + empty %llu != %llu slabs",
		   c->name, (unsigned long long)c->nr_list[SLAB_PARTIAL],
		   (unsigned long long)c->nr_list[SLAB_FULL],
		   (unsigned long long)c->nr_list[SLAB_EMPTY],
		   (unsigned long long)c->nr_slabs);
}

#endif /* PMM_SLAB_INTERNAL_H */
