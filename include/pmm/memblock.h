/* SPDX-License-Identifier: MIT */
/*
 * pmm/memblock.h - the range-based early allocator (seed 003's
 * "reserve_early", which Linux grew into memblock).
 *
 * Two sorted arrays of regions describe physical memory: "memory" (what
 * exists, with a node id and flags) and "reserved" (what is in use). Free
 * memory is memory minus reserved. Allocations search the free ranges
 * top-down (or bottom-up) and reserve what they return; at retirement every
 * free range goes to the buddy allocator in one call, and the region arrays
 * may live on: nothing has to be destroyed (seed 003).
 *
 * Glossary (units in brackets):
 *   region       [base, base + size) [bytes], flags, nid; regions of one
 *                type are sorted, never overlap, and two neighbours that
 *                touch have a different nid or flags (else they merge).
 *   cnt, max     regions in use / room in the array [entries]; an empty type
 *                holds one zero-size entry, so cnt >= 1 always (Linux's
 *                convention, kept so that code reading the arrays directly
 *                sees what it sees on Linux).
 *   total_size   sum of the sizes of a type's regions [bytes].
 *   nid_none     the node id of memory added without a node
 *                (PMM_MAX_NUMNODES; Linux's MAX_NUMNODES under the compat
 *                header).
 *
 * Invariants:
 *   total_size == sum(regions[i].size), i < cnt
 *   regions[i].base + regions[i].size <= regions[i + 1].base
 *   1 <= cnt <= max
 *
 * The field names of struct pmm_memblock, pmm_memblock_type and
 * pmm_memblock_region are Linux 6.1's, so that <pmm/linux/memblock.h> can
 * present this very data as Linux's `struct memblock memblock`.
 *
 * Locking: none. memblock runs on the boot CPU before anything else, like
 * Linux's; callers serialise. Memory is touched only through the platform
 * (pmm_phys_map() for doubled arrays, pmm_phys_fill() to zero
 * allocations); memory it cannot map is simply not zeroed.
 *
 * Debug levels: 2 checks each update keeps its array in order and within
 * max; 3 runs pmm_memblock_check() every PMM_VALIDATE_EVERY-th update.
 */
#ifndef PMM_MEMBLOCK_H
#define PMM_MEMBLOCK_H

#include <pmm/platform.h>

/* Region attributes, with Linux 6.1's values. */
enum pmm_memblock_flags {
	PMM_MEMBLOCK_NONE = 0x0,    /* no special request */
	PMM_MEMBLOCK_HOTPLUG = 0x1, /* hot(un)pluggable: skipped by allocations
				     * while the movable-node policy is on */
	PMM_MEMBLOCK_MIRROR = 0x2,  /* mirrored: preferred once any exists */
	PMM_MEMBLOCK_NOMAP = 0x4,   /* not mapped: never allocated, never
				     * given to the buddy allocator */
	PMM_MEMBLOCK_DRIVER_MANAGED = 0x8, /* added by a driver: never allocated */
};

/* Entries of each static region array; arrays double beyond it. */
#define PMM_INIT_MEMBLOCK_REGIONS 128

/* Upper bounds for allocations, as Linux spells them. */
#define PMM_MEMBLOCK_ALLOC_ANYWHERE (~(pmm_phys_t)0)  /* no limit */
#define PMM_MEMBLOCK_ALLOC_ACCESSIBLE ((pmm_phys_t)0) /* current_limit */
#define PMM_MEMBLOCK_ALLOC_NOLEAKTRACE ((pmm_phys_t)1) /* same, untracked */
#define PMM_PHYS_ADDR_MAX (~(pmm_phys_t)0)

/* Options of pmm_memblock_alloc(). */
#define PMM_MEMBLOCK_ALLOC_RAW 0x1u       /* do not zero the memory */
#define PMM_MEMBLOCK_ALLOC_EXACT_NID 0x2u /* never fall back to other nodes */

/* One region: [base, base + size), with its attributes and node. */
struct pmm_memblock_region {
	pmm_phys_t base;                /* first byte */
	pmm_phys_t size;                /* bytes; 0 only in an empty type */
	enum pmm_memblock_flags flags;
	int nid;                        /* node, or nid_none */
};

/* One sorted array of regions. */
struct pmm_memblock_type {
	unsigned long cnt;       /* entries in use, >= 1 */
	unsigned long max;       /* entries the array holds */
	pmm_phys_t total_size;   /* bytes in all regions */
	struct pmm_memblock_region *regions;
	char *name;              /* "memory" or "reserved" */
};

/*
 * The allocator. The first four fields are Linux's struct memblock; the
 * rest is pmm's policy, set through the functions below. The environment
 * is the platform's (pmm/platform.h): doubled region arrays and zeroed
 * allocations are written through pmm_phys_map() / pmm_phys_fill().
 */
struct pmm_memblock {
	bool bottom_up;            /* allocate from low addresses up */
	pmm_phys_t current_limit;  /* end of what allocations may use */
	struct pmm_memblock_type memory;
	struct pmm_memblock_type reserved;

	bool can_resize;   /* region arrays may double (allow_resize) */
	bool debug;        /* log each call and allow dump_all */
	bool movable_node; /* skip HOTPLUG memory when allocating */
	bool has_mirror;   /* some memory is MIRROR: allocations prefer it */
	bool handed_off;   /* free_all ran: allocations are over */
	bool single_node;  /* node ids read as 0 (Linux without CONFIG_NUMA) */
	int nid_none;      /* node id of memory without a node */
};

/* The one memblock instance (Linux: `memblock`). */
extern struct pmm_memblock pmm_memblock;

/*
 * Settings. None fails; all take effect on the next call. Context: boot
 * CPU, like every function here (no locking, callers serialise).
 */
/* Forget everything: empty static arrays, top-down, no limit, no resize. */
void pmm_memblock_reset(void);
/* Let the region arrays double when full (once reservations are known). */
void pmm_memblock_allow_resize(void);
/* Log every add/remove/reserve/free/alloc as memblock=debug does. */
void pmm_memblock_set_debug(bool on);
/* Skip HOTPLUG memory in allocations (Linux's movable_node policy). */
void pmm_memblock_set_movable_node(bool on);
/* Allocate from low addresses up (@on) or from the top down. */
void pmm_memblock_set_bottom_up(bool on);
/* Return: true while allocations go bottom-up. */
bool pmm_memblock_bottom_up(void);
/* Allocations end below @limit (PMM_MEMBLOCK_ALLOC_ANYWHERE: no limit). */
void pmm_memblock_set_current_limit(pmm_phys_t limit);
/* Return: the end allocations are kept below. */
pmm_phys_t pmm_memblock_get_current_limit(void);

/*
 * Add [@base, @base + @size) to "memory" on node @nid with @flags. Parts
 * already present keep their node and flags; the rest is inserted and
 * neighbours of equal node and flags merge.
 * Return: 0, PMM_EINVAL (size 0, bad flags or node), PMM_EOVERFLOW
 * (wraps), PMM_EFULL (array full and resizing not allowed), PMM_ENOMEM
 * (no free, mappable memory to double the array into).
 */
int pmm_memblock_add_node(pmm_phys_t base, uint64_t size, int nid,
			  enum pmm_memblock_flags flags);
/* pmm_memblock_add_node(@base, @size, nid_none, PMM_MEMBLOCK_NONE). */
int pmm_memblock_add(pmm_phys_t base, uint64_t size);
/*
 * Remove [@base, @base + @size) from "memory", splitting regions it cuts.
 * Return: 0, PMM_EINVAL (size 0), PMM_EOVERFLOW, PMM_EFULL or PMM_ENOMEM
 * (no room for the splits).
 */
int pmm_memblock_remove(pmm_phys_t base, uint64_t size);
/*
 * Mark [@base, @base + @size) in use. Reserving reserved memory is not an
 * error (the range set just grows), as in Linux.
 * Return: as pmm_memblock_add_node().
 */
int pmm_memblock_reserve(pmm_phys_t base, uint64_t size);
/* Un-reserve [@base, @base + @size) (Linux: memblock_phys_free).
 * Return: as pmm_memblock_remove(). */
int pmm_memblock_free(pmm_phys_t base, uint64_t size);

/*
 * The same on any type (e.g. a physmem type of the caller's; only
 * memblock's own two arrays can double). Return: as pmm_memblock_add_node()
 * and pmm_memblock_remove(), PMM_EINVAL also for a NULL @type.
 */
int pmm_memblock_add_range(struct pmm_memblock_type *type, pmm_phys_t base,
			   uint64_t size, int nid,
			   enum pmm_memblock_flags flags);
int pmm_memblock_remove_range(struct pmm_memblock_type *type,
			      pmm_phys_t base, uint64_t size);

/*
 * Set (@set true) or clear @flag on the "memory" parts of
 * [@base, @base + @size), splitting regions at the range's ends and merging
 * what becomes equal. Return: 0, PMM_EINVAL, PMM_EOVERFLOW, PMM_EFULL,
 * PMM_ENOMEM.
 */
int pmm_memblock_setclr_flag(pmm_phys_t base, uint64_t size,
			     enum pmm_memblock_flags flag, bool set);
/* pmm_memblock_setclr_flag() with one flag; same returns. */
int pmm_memblock_mark_hotplug(pmm_phys_t base, uint64_t size);
/* pmm_memblock_setclr_flag(HOTPLUG, false). */
int pmm_memblock_clear_hotplug(pmm_phys_t base, uint64_t size);
/* Also turns on the mirror preference of allocations (on success). */
int pmm_memblock_mark_mirror(pmm_phys_t base, uint64_t size);
/* pmm_memblock_setclr_flag(NOMAP, true). */
int pmm_memblock_mark_nomap(pmm_phys_t base, uint64_t size);
/* pmm_memblock_setclr_flag(NOMAP, false). */
int pmm_memblock_clear_nomap(pmm_phys_t base, uint64_t size);

/* Put [@base, @base + @size) of @type on node @nid (split and merge).
 * Return: 0, PMM_EINVAL (NULL @type, bad @nid, size 0), PMM_EOVERFLOW,
 * PMM_EFULL, PMM_ENOMEM. */
int pmm_memblock_set_node(pmm_phys_t base, uint64_t size,
			  struct pmm_memblock_type *type, int nid);

/* Shrink every memory region inward to multiples of @align (power of 2);
 * regions left empty go. Return: 0 or PMM_EALIGN. */
int pmm_memblock_trim_memory(pmm_phys_t align);

/* Return: true if [@base1, +@size1) and [@base2, +@size2) intersect. */
bool pmm_memblock_addrs_overlap(pmm_phys_t base1, uint64_t size1,
				pmm_phys_t base2, uint64_t size2);
/* Return: true if [@base, @base + @size) meets a region of @type. */
bool pmm_memblock_overlaps_region(const struct pmm_memblock_type *type,
				  pmm_phys_t base, uint64_t size);
/* Return: true if [@base, @base + @size) meets reserved memory. */
bool pmm_memblock_is_region_reserved(pmm_phys_t base, uint64_t size);
/* Return: true if [@base, @base + @size) lies inside one memory region. */
bool pmm_memblock_is_region_memory(pmm_phys_t base, uint64_t size);
/* Return: true if @addr lies in a reserved region. */
bool pmm_memblock_is_reserved(pmm_phys_t addr);
/* Return: true if @addr lies in a memory region. */
bool pmm_memblock_is_memory(pmm_phys_t addr);
/* Return: true if @addr is memory without NOMAP. */
bool pmm_memblock_is_map_memory(pmm_phys_t addr);
/* Node of the memory region holding pfn @pfn, and its pfn span; -1 if none. */
int pmm_memblock_search_pfn_nid(pmm_pfn_t pfn, pmm_pfn_t *start,
				pmm_pfn_t *end);

/* Return: bytes of memory. */
pmm_phys_t pmm_memblock_phys_mem_size(void);
/* Return: bytes of reserved memory. */
pmm_phys_t pmm_memblock_reserved_size(void);
/* Return: the first byte of memory (0 when there is none). */
pmm_phys_t pmm_memblock_start_of_dram(void);
/* Return: the end (exclusive) of the last memory region (0: none). */
pmm_phys_t pmm_memblock_end_of_dram(void);

/*
 * Range iteration in Linux's encoding, over @type_a minus @type_b (NULL:
 * all of @type_a), memory regions filtered by @nid (PMM_NUMA_NO_NODE: any)
 * and @flags as Linux does (HOTPLUG skipped under movable_node unless asked,
 * only MIRROR if MIRROR asked, NOMAP and DRIVER_MANAGED only if asked).
 * Start with *@idx = 0 (forward) or UINT64_MAX (reverse); each call sets
 * the next range [*@out_start, *@out_end) and its node, or *@idx =
 * UINT64_MAX at the end. Out pointers may be NULL.
 */
void pmm_memblock_next_range(uint64_t *idx, int nid, unsigned int flags,
			     const struct pmm_memblock_type *type_a,
			     const struct pmm_memblock_type *type_b,
			     pmm_phys_t *out_start, pmm_phys_t *out_end,
			     int *out_nid);
/* pmm_memblock_next_range() from the top down. */
void pmm_memblock_next_range_rev(uint64_t *idx, int nid, unsigned int flags,
				 const struct pmm_memblock_type *type_a,
				 const struct pmm_memblock_type *type_b,
				 pmm_phys_t *out_start, pmm_phys_t *out_end,
				 int *out_nid);

/*
 * Free-range iterator in pmm's words:
 *   struct pmm_memblock_iter it;
 *   pmm_memblock_iter_init(&it, PMM_NUMA_NO_NODE, PMM_MEMBLOCK_NONE, false);
 *   while (pmm_memblock_iter_next(&it)) use it.range, it.nid;
 */
struct pmm_memblock_iter {
	uint64_t idx;
	int want_nid;
	unsigned int flags;
	bool reverse;
	struct pmm_phys_range range; /* the current free range */
	int nid;                     /* its node */
};
/* Start @it on the free ranges of node @nid (PMM_NUMA_NO_NODE: any). */
void pmm_memblock_iter_init(struct pmm_memblock_iter *it, int nid,
			    unsigned int flags, bool reverse);
/* Return: true with the next free range in it->range, false at the end. */
bool pmm_memblock_iter_next(struct pmm_memblock_iter *it);

/* for_each_free_mem_range() in pmm's words, low to high. */
#define pmm_memblock_for_each_free(it, nid, flags)                     \
	for (pmm_memblock_iter_init(&(it), (nid), (flags), false);      \
	     pmm_memblock_iter_next(&(it));)

/* Memory pfn ranges (whole pages of each region), Linux's int encoding:
 * start with *@idx = -1; *@idx is -1 again at the end. @nid: nid_none or
 * PMM_MAX_NUMNODES for all. */
void pmm_memblock_next_pfn_range(int *idx, int nid, pmm_pfn_t *out_start,
				 pmm_pfn_t *out_end, int *out_nid);

/*
 * Find and reserve @size bytes aligned to @align (a power of two) in
 * [@start, @end) (@end PMM_MEMBLOCK_ALLOC_ACCESSIBLE: current_limit), never
 * in the first page; on node @nid first, then (unless @exact_nid) any node;
 * mirrored memory first while any exists, then any memory with a warning.
 * Top-down unless bottom_up. *@out gets the physical address.
 * Return: 0, PMM_EINVAL (size 0), PMM_EALIGN, PMM_ENOMEM, PMM_EFULL,
 * PMM_ERETIRED (after free_all). Linux: memblock_alloc_range_nid().
 */
int pmm_memblock_alloc_range_nid(uint64_t size, uint64_t align,
				 pmm_phys_t start, pmm_phys_t end, int nid,
				 bool exact_nid, pmm_phys_t *out);

/*
 * As pmm_memblock_alloc_range_nid() below min(@max_addr, current_limit),
 * retried without @min_addr when that fails (Linux's
 * memblock_alloc_try_nid() family). The memory is zeroed through
 * pmm_phys_map() unless @opts has PMM_MEMBLOCK_ALLOC_RAW (and where it
 * cannot be mapped); PMM_MEMBLOCK_ALLOC_EXACT_NID forbids other nodes.
 */
int pmm_memblock_alloc(uint64_t size, uint64_t align, pmm_phys_t min_addr,
		       pmm_phys_t max_addr, int nid, unsigned int opts,
		       pmm_phys_t *out);

/* Allocate anywhere below current_limit: Linux's memblock_phys_alloc(). */
int pmm_memblock_phys_alloc(uint64_t size, uint64_t align, pmm_phys_t *out);

/*
 * Retire: hand every free range (memory minus reserved; NOMAP and
 * DRIVER_MANAGED memory excluded, HOTPLUG cleared first) to the buddy
 * allocator with one pmm_buddy_handoff_range() per range, whole pages only.
 * Allocations end here. *@pages (may be NULL) gets the pages handed over.
 * Return: 0, PMM_ERETIRED (second call), or the buddy allocator's first
 * error (e.g. PMM_ERANGE for memory in no zone; the other ranges are
 * still handed over).
 */
int pmm_memblock_free_all(uint64_t *pages);

/*
 * After free_all: un-reserve [@base, @base + @size) and give its whole pages
 * straight to the buddy allocator (pmm_buddy_free_range()).
 * Return: 0, PMM_ESTATE (before free_all), PMM_EINVAL, PMM_EOVERFLOW, or
 * the buddy allocator's error (then nothing changed).
 */
int pmm_memblock_free_late(pmm_phys_t base, uint64_t size);

/*
 * After free_all: give the doubled region arrays' pages to the buddy
 * allocator and reset to the static arrays. Return: 0, PMM_ESTATE
 * (before free_all), or the buddy allocator's error.
 */
int pmm_memblock_discard(void);

/*
 * Prove the invariants of both arrays (sorted, disjoint, merged, sizes,
 * total_size, 1 <= cnt <= max). O(regions): for tests and debugging.
 * Return: NULL, or the first violation (static buffer, valid until the
 * next call).
 */
const char *pmm_memblock_check(void);

/* Physical address of @type's array once doubled; 0 while static. */
pmm_phys_t pmm_memblock_array_phys(const struct pmm_memblock_type *type);

/* Write the memblock=debug dump ("MEMBLOCK configuration:" ...) to @out. */
void pmm_memblock_dump(const struct pmm_out *out);
/* The dump through pmm_printk(), only while debug is on (Linux's rule). */
void pmm_memblock_dump_all(void);

#endif /* PMM_MEMBLOCK_H */
