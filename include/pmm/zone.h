/* SPDX-License-Identifier: MIT */
/*
 * pmm/zone.h - nodes, zones, free areas, watermarks and zonelists.
 *
 * Every page the buddy allocator manages belongs to one zone of one node.
 * A zone spans [start_pfn, end_pfn); within it, present pages are usable
 * RAM, managed pages are those handed to the buddy allocator.
 *
 * Counters (all in pages, guarded by the zone lock):
 *   managed == free_pages + pcp pages + allocated pages
 *   free_pages == sum over k of nr_free[k] << k
 *
 * The pair bitmap of order k (k < PMM_MAX_ORDER) has one bit per pair of
 * buddies of order k, indexed by (pfn - map_base) >> (k + 1); the bit is the
 * XOR of "block A is a free head of order k" and "block B is a free head of
 * order k". map_base is start_pfn rounded down to 2^PMM_MAX_ORDER so that
 * both buddies of any pair index the same bit.
 *
 * Anti-fragmentation (grouping pages by mobility, as Linux 2.6.24+): the
 * zone is cut into pageblocks of 2^PMM_PAGEBLOCK_ORDER pages, aligned to
 * their size, each with a migratetype (one byte a pageblock - 2 KiB per
 * 4 GiB of 2 MiB pageblocks - after the pair bitmap in the same
 * allocation; a byte, not 2 bits, so that a free reads it with one load).
 * Each order has one free list per migratetype. Invariants (zone lock):
 *   a free head lies on the list of its own pageblock's type;
 *   a free block of order > PMM_PAGEBLOCK_ORDER has one type over all its
 *   pageblocks;
 *   nr_free[k] == sum over types of the lengths of the lists of order k.
 * Per-CPU lists are per migratetype too; the type of a block there is only
 * a hint (it goes back to the list of its pageblock's type).
 */
#ifndef PMM_ZONE_H
#define PMM_ZONE_H

#include <pmm/page.h>
#include <pmm/platform.h>

enum pmm_zone_type {
	PMM_ZONE_DMA,     /* below 16 MiB (ISA DMA) */
	PMM_ZONE_DMA32,   /* below 4 GiB (x86_64 profile) */
	PMM_ZONE_NORMAL,  /* directly mapped memory */
	PMM_ZONE_HIGHMEM, /* above the profile's highmem boundary (i386) */
	PMM_ZONE_MOVABLE, /* movable pages only: memory onlined movable (pmm/elastic.h) */
	PMM_NR_ZONES
};

/*
 * The zones placed by address (DMA .. HighMem): a profile's bounds cut
 * the address space into these. The Movable zone has no bounds of its
 * own; memory hotplug puts ranges there by policy, and only requests
 * that allow both highmem and movable pages (PMM_GFP_HIGHUSER_MOVABLE)
 * reach it, so every page it hands out can be moved away.
 */
#define PMM_NR_ADDR_ZONES PMM_ZONE_MOVABLE

enum pmm_wmark { PMM_WMARK_MIN, PMM_WMARK_LOW, PMM_WMARK_HIGH, PMM_NR_WMARK };

/*
 * Migratetypes, with Linux's numbering: what a pageblock's pages are
 * expected to be (unmovable kernel data, movable user pages, reclaimable
 * caches). A request's type comes from PMM_GFP_MOVABLE / PMM_GFP_RECLAIMABLE
 * (pmm/buddy.h): (gfp >> 3) & 3.
 */
enum pmm_migratetype {
	PMM_MT_UNMOVABLE,
	PMM_MT_MOVABLE,
	PMM_MT_RECLAIMABLE,
	PMM_MT_TYPES
};
/*
 * Free-list index of the free blocks in isolated pageblocks (pmm/contig.h's
 * pmm_isolate_range(), Linux's MIGRATE_ISOLATE): after the three types,
 * never allocated from; such a pageblock's byte keeps its type with
 * PMM_PB_ISOLATE set, and no free block joins pageblocks on both sides.
 */
#define PMM_MT_ISOLATE PMM_MT_TYPES
/*
 * Free-list index of CMA pageblocks' free blocks (pmm_cma_declare()):
 * only movable requests borrow them (after their own type's lists, before
 * stealing another type's), so the memory is not idle; the byte keeps
 * PMM_PB_CMA for good. Isolation wins over CMA while both are set.
 */
#define PMM_MT_CMA (PMM_MT_TYPES + 1)
#define PMM_MT_LISTS (PMM_MT_TYPES + 2)
#define PMM_PB_ISOLATE 0x40u
#define PMM_PB_CMA 0x80u
#define PMM_PB_FLAGS (PMM_PB_ISOLATE | PMM_PB_CMA)

/* Pageblock: 2^PMM_PAGEBLOCK_ORDER pages (9: 2 MiB of 4 KiB pages). */
#ifndef PMM_PAGEBLOCK_ORDER
#define PMM_PAGEBLOCK_ORDER 9
#endif
_Static_assert(PMM_PAGEBLOCK_ORDER >= 1 && PMM_PAGEBLOCK_ORDER <= PMM_MAX_ORDER,
	       "a pageblock is 2^1 .. 2^PMM_MAX_ORDER pages");
#define PMM_PAGEBLOCK_PAGES ((pmm_pfn_t)1 << PMM_PAGEBLOCK_ORDER)

struct pmm_free_area {
	uint32_t head[PMM_MT_LISTS]; /* per type (and isolated): pfn + 1 of the first free head, 0 = empty */
	uint32_t tail[PMM_MT_LISTS]; /* pfn + 1 of the last free head, 0 = empty (known-zero blocks go there) */
	uint64_t nr_free; /* blocks on the lists of all types */
	uint64_t *map;    /* pair bitmap; NULL for PMM_MAX_ORDER */
};

/*
 * The marks on free heads of one zone (pmm/elastic.h, buddy_marks.c):
 * PMM_PG_REPORTED heads (handed to the hypervisor) and PMM_PG_ZERO heads
 * (known to read zero); a head carries at most one. Invariant (zone lock):
 *   reported_pages == sum over k of reported_nr[k] << k
 *   zero_pages == pages in PMM_PG_ZERO heads on the zone's free lists
 */
struct pmm_zone_marks {
	uint32_t reported_nr[PMM_NR_ORDERS]; /* PMM_PG_REPORTED heads of order k */
	uint64_t reported_pages; /* [pages] handed to the hypervisor, now */
	uint64_t zero_pages;     /* [pages] in known-zero free blocks */
	uint64_t reclaimed_pages; /* [pages] given back by reclaim_reported, ever */
	bool took_zero; /* the last take of a marked head got known-zero memory
			   (a zeroed request clears it, takes, reads it: one lock hold) */
};

/*
 * The lazy buddy's bookkeeping of one zone (seed 7.3, buddy_lazy.c): how
 * many free heads on each order's lists are marked PMM_PG_LAZY (freed, pair
 * bit flipped, not yet coalesced). Invariant (zone lock):
 *   total == sum over k of nr[k];  total == 0 whenever the lazy buddy is off
 *   and the allocator is quiet.
 */
struct pmm_zone_lazy {
	uint32_t nr[PMM_NR_ORDERS]; /* PMM_PG_LAZY heads on the lists of order k */
	uint64_t total;             /* PMM_PG_LAZY heads in the zone */
};

/*
 * Top-order free blocks a hand-off counted but has not written yet
 * (buddy_deferred.c, Linux's deferred struct page init): span i holds the
 * blocks [start[i], listed[i]] of 2^PMM_MAX_ORDER pages, of type mt[i].
 * The block at listed[i] is an ordinary free head on list (PMM_MAX_ORDER,
 * mt[i]); the ones below it wait, blank, for it to leave that list, and
 * then take its place one at a time - where the hand-off would have
 * listed them all. Invariant (zone lock): waiting == sum over the spans
 * of (listed - start) >> PMM_MAX_ORDER; free_pages and nr_free count the
 * waiting blocks.
 */
#define PMM_DEFER_SPANS 8
struct pmm_zone_deferred {
	pmm_pfn_t start[PMM_DEFER_SPANS];  /* lowest block of span i */
	pmm_pfn_t listed[PMM_DEFER_SPANS]; /* its listed block; waiting blocks lie below */
	uint8_t mt[PMM_DEFER_SPANS];       /* their type */
	uint32_t nr;                       /* spans in use */
	uint64_t waiting;                  /* blocks written by no one yet */
};

/*
 * Orders with per-CPU lists: 0..PMM_PCP_MAX_ORDER (Linux's "costly" order
 * is 3: requests above it are rare and go to the zone under its lock).
 */
#ifndef PMM_PCP_MAX_ORDER
#define PMM_PCP_MAX_ORDER 3
#endif
#define PMM_PCP_NR_ORDERS (PMM_PCP_MAX_ORDER + 1)
#define PMM_PCP_NR_LISTS (PMM_MT_TYPES * PMM_PCP_NR_ORDERS)
_Static_assert(PMM_PCP_MAX_ORDER >= 0 && PMM_PCP_MAX_ORDER <= PMM_MAX_ORDER &&
		       PMM_PCP_NR_LISTS <= 12,
	       "per-CPU lists: 0..PMM_PCP_MAX_ORDER per type, at most 12");

/*
 * One CPU's lists of free blocks of orders 0..PMM_PCP_MAX_ORDER, one list
 * per migratetype and order, touched only by its own CPU; one cache line
 * each, so that CPUs never share a line on their fast path. count, high
 * and batch are in pages.
 */
struct pmm_pcp {
	_Alignas(PMM_CACHELINE)
	/* pfn + 1 of the first block, 0 = empty */
	uint32_t head[PMM_MT_TYPES][PMM_PCP_NR_ORDERS];
	uint32_t count; /* pages on all the lists */
	uint32_t high;  /* drain a batch when count exceeds this */
	uint32_t batch; /* pages moved per refill (shifted by order) or drain */
	uint32_t drain_list; /* type * PMM_PCP_NR_ORDERS + order the next drain starts from */
};
_Static_assert(sizeof(struct pmm_pcp) == PMM_CACHELINE,
	       "a per-CPU list set fills exactly one cache line");

/*
 * Layout: the first cache line holds what the fast paths read and only
 * boot or the hand-off writes (span, watermarks, managed); the lock, the
 * free-page count and the free areas, written under the lock, follow on
 * their own lines; then one line per CPU's lists. So per-CPU traffic on
 * different CPUs shares no line that either writes.
 */
/* Zones of a Linux node that lowmem_reserve spans (x86_64 6.1 has 5). */
#define PMM_WMARK_MAX_ZONES 8

struct pmm_zone {
	/* read-mostly; the fast paths read only this first line */
	pmm_pfn_t start_pfn;               /* span, inclusive */
	uint64_t spanned;                  /* end_pfn - start_pfn [pages] */
	pmm_pfn_t map_base;                /* start_pfn & ~(2^PMM_MAX_ORDER - 1) */
	uint8_t *pageblock_mt;             /* type per pageblock from map_base; lock for writes */
	uint64_t watermark[PMM_NR_WMARK];  /* [pages] */
	uint16_t gfp_mt_mask;              /* gfp bits that choose the type */
	uint16_t gfp_mt_force;             /* gfp bits forced on (grouping off) */
	/* read-mostly, off the fast paths */
	int node;
	pmm_pfn_t end_pfn;                 /* span, exclusive */
	uint64_t managed;                  /* handed to the buddy allocator */
	enum pmm_zone_type type;
	uint64_t present;                  /* usable RAM in the span [pages] */
	bool initialized;
	/* lowmem_reserve (zoneinfo's "protection:") by Linux zone index [pages] */
	uint64_t protection[PMM_WMARK_MAX_ZONES];
	unsigned int nr_protection;        /* entries Linux prints: its zones per node */
	/* written under the lock */
	_Alignas(PMM_CACHELINE)
	struct pmm_lock lock; /* guards everything below except pcp */
	uint64_t free_pages;               /* pages in free blocks [pages] */
	uint64_t cma_free;                 /* of which on the PMM_MT_CMA lists [pages] */
	struct pmm_free_area free_area[PMM_NR_ORDERS];
	struct pmm_zone_lazy lazy;         /* lazy buddy's counts (buddy_lazy.c) */
	struct pmm_zone_marks marks;       /* reported and known-zero heads (buddy_marks.c) */
	struct pmm_zone_deferred deferred; /* top-order blocks not written yet (buddy_deferred.c) */
	unsigned int validate_ops;         /* PMM_DEBUG=3: locked operations, for PMM_VALIDATE_DUE */
	struct pmm_pcp pcp[PMM_NR_CPUS];   /* each guarded by its CPU */
};

struct pmm_node {
	int id;
	bool online;
	pmm_pfn_t start_pfn; /* inclusive */
	pmm_pfn_t end_pfn;   /* exclusive */
	struct pmm_zone zones[PMM_NR_ZONES];
};

_Static_assert(offsetof(struct pmm_zone, gfp_mt_force) + sizeof(uint16_t) <=
		       PMM_CACHELINE,
	       "what the fast paths read fits the zone's first cache line");

extern struct pmm_node pmm_nodes[PMM_MAX_NUMNODES];

/* Return: "DMA", "DMA32", "Normal", "HighMem" or "Movable", as Linux prints them. */
const char *pmm_zone_name(enum pmm_zone_type type);

/*
 * Forget every node, zone (with all their state) and the descriptor array
 * (tests, a second boot). The buddy layer's global settings are not zone
 * state: pmm_buddy_reset_settings() resets them.
 */
void pmm_zones_reset(void);

/* Bring node @nid online spanning pfns [@start, @end). */
int pmm_node_init(int nid, pmm_pfn_t start, pmm_pfn_t end);

/*
 * Return: bytes of zone metadata (pair bitmap, then the pageblock types) a
 * zone spanning [@start, @end) needs, a multiple of 8.
 */
size_t pmm_zone_bitmap_bytes(pmm_pfn_t start, pmm_pfn_t end);

/*
 * Return: the migratetype of the pageblock holding @pfn (in @zone's span).
 * Locking: none; a relaxed atomic byte load (a free reads it without the
 * lock while a claim may retype the pageblock: then either type is fine,
 * the block is put by its type again when it reaches the buddy lists).
 */
static inline unsigned int pmm_pageblock_type(const struct pmm_zone *zone,
					      pmm_pfn_t pfn)
{
	pmm_pfn_t idx = (pfn - zone->map_base) >> PMM_PAGEBLOCK_ORDER;
	return __atomic_load_n(&zone->pageblock_mt[idx], __ATOMIC_RELAXED);
}

/*
 * Set up zone @type of online node @nid over [@start, @end) with @present
 * usable pages; @bitmap is zeroed memory of pmm_zone_bitmap_bytes() bytes.
 * The span must lie within pmm_page_map_init()'s descriptors. The zone
 * starts empty, every pageblock PMM_MT_MOVABLE (as Linux's memmap_init):
 * pages join it through pmm_buddy_handoff_range().
 * Return: 0, PMM_EINVAL for a bad node, type or range, PMM_EOVERLAP when the
 * span overlaps another zone.
 */
int pmm_zone_init(int nid, enum pmm_zone_type type, pmm_pfn_t start,
		  pmm_pfn_t end, uint64_t present, void *bitmap);

/* Return: true when @zone's span [start_pfn, end_pfn) holds @pfn (one compare). */
static inline bool pmm_zone_spans(const struct pmm_zone *zone, pmm_pfn_t pfn)
{
	return pfn - zone->start_pfn < zone->spanned;
}

/* Return: true for a zone set up with usable pages (the zones reports list). */
static inline bool pmm_zone_is_populated(const struct pmm_zone *zone)
{
	return zone->initialized && zone->present > 0;
}

/* Return: the zone whose span holds @pfn, or NULL. Locking: none. */
struct pmm_zone *pmm_pfn_zone(pmm_pfn_t pfn);

/*
 * Return: true if every pfn of [@start, @end) has a descriptor and lies in
 * a zone (an empty range: true). @hint (may be NULL) caches the last zone
 * found across calls, so runs inside one zone cost one lookup.
 * Locking: none (zones never move after boot).
 */
bool pmm_zones_cover(pmm_pfn_t start, pmm_pfn_t end, struct pmm_zone **hint);

/*
 * Set every zone's min/low/high and protection from the managed pages as
 * Linux 6.1 does (pmm/watermark.h; min_free_kbytes without khugepaged's
 * raise). Locking: takes each zone's lock in turn; call after the hand-off.
 */
void pmm_zones_setup_watermarks(void);

/* Set one zone's watermarks explicitly [pages]. */
void pmm_zone_set_watermarks(struct pmm_zone *zone, uint64_t min,
			     uint64_t low, uint64_t high);

/*
 * Zones set up with pmm_zone_init(), by node id, then type.
 * Return: the first such zone, or NULL. Locking: none (boot builds them).
 */
struct pmm_zone *pmm_zone_first(void);
/* Return: the set-up zone after @zone in that order, or NULL (also for NULL). */
struct pmm_zone *pmm_zone_next(const struct pmm_zone *zone);

/* for (each set-up zone @z): @z is a struct pmm_zone * or const one. */
#define pmm_for_each_zone(z) \
	for ((z) = pmm_zone_first(); (z) != NULL; (z) = pmm_zone_next(z))

/* pmm_for_each_zone() over the populated zones only (present pages). */
#define pmm_for_each_populated_zone(z) \
	pmm_for_each_zone(z) if (!pmm_zone_is_populated(z)) {} else

/*
 * Memory hotplug's helpers (src/buddy/zone_resize.c; pmm/elastic.h uses
 * them). Each changes nothing on error; one hotplug call at a time.
 */
/* Return: true when [@start, @end) meets the span of a set-up zone other than @except. */
bool pmm_zone_span_overlaps(pmm_pfn_t start, pmm_pfn_t end,
			    const struct pmm_zone *except);
/* Widen online node @nid to cover [@start, @end). Return: 0, PMM_EINVAL, PMM_EOVERLAP. */
int pmm_node_grow(int nid, pmm_pfn_t start, pmm_pfn_t end);
/* Return: true when node @nid could span [@start, @end) too (its span
 * widened, or set, without meeting another online node). */
bool pmm_node_can_cover(int nid, pmm_pfn_t start, pmm_pfn_t end);
/* Take node @nid, whose zones manage nothing, offline. Return: 0, PMM_EINVAL, PMM_EBUSY. */
int pmm_node_offline(int nid);
/*
 * Move @zone onto span [@start, @end) with @present pages and the zeroed
 * metadata @bitmap (pmm_zone_bitmap_bytes(@start, @end) bytes; NULL for an
 * empty span); pages leaving the span must be blank.
 * Return: 0, PMM_EINVAL, PMM_EOVERLAP, PMM_EBUSY.
 */
int pmm_zone_resize(struct pmm_zone *zone, pmm_pfn_t start, pmm_pfn_t end,
		    uint64_t present, void *bitmap);
/*
 * Take the isolated, wholly free pages [@start, @end) (pageblock-aligned;
 * blank pages between count as present, never managed) out of @zone:
 * blank descriptors, free/managed counts down by the free pages, present
 * by the range.
 * Return: 0, PMM_EINVAL, PMM_EBUSY with the first other page in *@busy.
 */
int pmm_zone_withdraw(struct pmm_zone *zone, pmm_pfn_t start, pmm_pfn_t end,
		      pmm_pfn_t *busy);
/*
 * Return: PMM_PG_BUDDY, PMM_PG_PCP, PMM_PG_ALLOC_HEAD or 0 (reserved) for
 * the block holding @pfn, its head and order in *@head, *@order.
 */
uint32_t pmm_zone_block_at(pmm_pfn_t pfn, pmm_pfn_t *head, pmm_order_t *order);

#endif /* PMM_ZONE_H */
