/* SPDX-License-Identifier: MIT */
/*
 * pmm/buddy.h - the zoned buddy page allocator (seed chapter 7).
 *
 * Pages arrive from an early allocator through pmm_buddy_handoff_range()
 * (the hand-off) or pmm_buddy_free_range() (late frees, init sections), and
 * leave and return through the allocation API below. Addresses here are
 * physical; pfn 0 is never managed, so 0 is the failure value.
 *
 * Locking: each zone's lock guards its free lists and counters; the per-CPU
 * lists (orders 0..PMM_PCP_MAX_ORDER) take no lock and rely on the
 * platform's cpu_id() guarantee.
 */
#ifndef PMM_BUDDY_H
#define PMM_BUDDY_H

#include <pmm/zone.h>

/* GFP flags, with Linux 6.1's bit values. */
#define PMM_GFP_DMA 0x01u
#define PMM_GFP_HIGHMEM 0x02u
#define PMM_GFP_DMA32 0x04u
#define PMM_GFP_MOVABLE 0x08u     /* migratetype MOVABLE (user pages) */
#define PMM_GFP_RECLAIMABLE 0x10u /* migratetype RECLAIMABLE (caches) */
#define PMM_GFP_HIGH 0x20u     /* high priority: may dip below min */
#define PMM_GFP_IO 0x40u
#define PMM_GFP_FS 0x80u
#define PMM_GFP_ZERO 0x100u    /* zero the block (where it can be touched) */
#define PMM_GFP_ATOMIC_CONTEXT 0x200u
#define PMM_GFP_DIRECT_RECLAIM 0x400u
#define PMM_GFP_KSWAPD_RECLAIM 0x800u
#define PMM_GFP_NOWARN 0x2000u
#define PMM_GFP_THISNODE 0x200000u
#define PMM_GFP_ZONEMASK (PMM_GFP_DMA | PMM_GFP_HIGHMEM | PMM_GFP_DMA32)
#define PMM_GFP_MOBILITY (PMM_GFP_MOVABLE | PMM_GFP_RECLAIMABLE)
#define PMM_GFP_MT_SHIFT 3 /* type = (gfp & PMM_GFP_MOBILITY) >> this */
#define PMM_GFP_RECLAIM (PMM_GFP_DIRECT_RECLAIM | PMM_GFP_KSWAPD_RECLAIM)
#define PMM_GFP_KERNEL (PMM_GFP_RECLAIM | PMM_GFP_IO | PMM_GFP_FS)
#define PMM_GFP_ATOMIC (PMM_GFP_HIGH | PMM_GFP_ATOMIC_CONTEXT | PMM_GFP_KSWAPD_RECLAIM)
#define PMM_GFP_HIGHUSER (PMM_GFP_KERNEL | PMM_GFP_HIGHMEM)
#define PMM_GFP_HIGHUSER_MOVABLE (PMM_GFP_HIGHUSER | PMM_GFP_MOVABLE)
#define PMM_GFP_USER_MOVABLE (PMM_GFP_KERNEL | PMM_GFP_MOVABLE)
_Static_assert(PMM_GFP_MOVABLE >> PMM_GFP_MT_SHIFT == PMM_MT_MOVABLE &&
		       PMM_GFP_RECLAIMABLE >> PMM_GFP_MT_SHIFT == PMM_MT_RECLAIMABLE,
	       "the mobility flags spell the migratetype, as in Linux");

/* Return: the migratetype @gfp asks for (PMM_MT_TYPES: both flags, invalid). */
static inline unsigned int pmm_gfp_migratetype(unsigned int gfp)
{
	return (gfp & PMM_GFP_MOBILITY) >> PMM_GFP_MT_SHIFT;
}

/*
 * Allocate 2^@order pages, preferring node @nid (PMM_NUMA_NO_NODE: the
 * lowest online node), from the highest zone @gfp allows down to DMA, then other
 * nodes unless PMM_GFP_THISNODE. The block comes from a pageblock of the
 * migratetype @gfp asks for when one has a free block, else from another
 * type's (Linux's fallback order), whose pageblock may change type. The
 * block's head gets refcount 1 and owner tag @tag. On failure *@err (if
 * not NULL) says why: PMM_EORDER, PMM_EINVAL (contradictory zone flags,
 * both mobility flags while grouping is on, or bad node), PMM_ENOMEM.
 * Return: the head descriptor, or NULL.
 */
struct pmm_page *pmm_alloc_pages_tagged(int nid, unsigned int gfp,
					pmm_order_t order, uint64_t tag,
					int *err);

/* Return: 2^@order pages from the caller's node, or NULL. */
struct pmm_page *pmm_alloc_pages(unsigned int gfp, pmm_order_t order);
/* Return: 2^@order pages preferring node @nid, or NULL. */
struct pmm_page *pmm_alloc_pages_node(int nid, unsigned int gfp,
				      pmm_order_t order);
/* Return: one page, or NULL. */
struct pmm_page *pmm_alloc_page(unsigned int gfp);
/* Return: the physical address of 2^@order pages, or 0. */
pmm_phys_t pmm_get_free_pages(unsigned int gfp, pmm_order_t order);
/* Return: the physical address of one page, or 0. */
pmm_phys_t pmm_get_free_page(unsigned int gfp);
/* Return: the physical address of one zeroed page, or 0. */
pmm_phys_t pmm_get_zeroed_page(unsigned int gfp);

/*
 * Drop a reference to the block of 2^@order pages at @page and free it when
 * the count reaches zero, coalescing with free buddies (seed 7.3).
 * Return: 0, or PMM_EINVAL (not a descriptor), PMM_EORDER (above
 * PMM_MAX_ORDER), PMM_EDOUBLEFREE, PMM_EWRONGORDER, PMM_ERESERVED,
 * PMM_ENOTHEAD, PMM_ECORRUPT (an allocated head out of place) - the last
 * five also through the bug hook; on error nothing changes. Without the
 * level-1 checks (PMM_DEBUG=0) the four classified ones are PMM_EINVAL,
 * unreported. Locking: the zone lock unless the block goes on this CPU's
 * list.
 */
int pmm_free_pages(struct pmm_page *page, pmm_order_t order);
/* pmm_free_pages(@page, 0). */
int pmm_free_page(struct pmm_page *page);
/*
 * Free by physical address: pmm_free_pages(pfn_to_page(@addr), @order).
 * @addr 0 (the allocators' failure value) is ignored and returns 0.
 * Return: 0, PMM_EINVAL (not page aligned or beyond the descriptors), or
 * pmm_free_pages()'s error.
 */
int pmm_free_pages_addr(pmm_phys_t addr, pmm_order_t order);
/* pmm_free_pages_addr(@addr, 0). */
int pmm_free_page_addr(pmm_phys_t addr);

/*
 * Fill the NULL slots of @pages[0..@nr) with order-0 pages (Linux's
 * alloc_pages_bulk_array()): slots holding a page are skipped; the call
 * stops at the first slot it cannot fill. Pages come as from
 * pmm_alloc_pages(@gfp, 0), most of them from this CPU's list in one run.
 * Return: the number of leading slots that hold a page (@nr when all
 * do); 0 for a NULL @pages. Locking: as pmm_alloc_pages().
 */
unsigned long pmm_alloc_pages_bulk(unsigned int gfp, unsigned long nr,
				   struct pmm_page **pages);
/*
 * Drop a reference to the order-0 page of each non-NULL slot of
 * @pages[0..@nr) in slot order, each checked as pmm_free_page() checks
 * it, and NULL its slot. At the first page that fails, stop: the slots
 * before it are freed (NULL), it and those after it untouched.
 * Return: 0, PMM_EINVAL (@pages NULL with @nr > 0), or the failing page's
 * pmm_free_page() error (reported as that call reports it).
 * Locking: as pmm_free_pages().
 */
int pmm_free_pages_bulk(unsigned long nr, struct pmm_page **pages);

/*
 * Take a reference on the allocated block headed by @page.
 * Return: 0, PMM_EINVAL (not the head of an allocated block), PMM_EBUSY
 * (the count is at its maximum). Locking: none (atomic on the head).
 */
int pmm_get_page(struct pmm_page *page);
/*
 * Drop a reference; free the block (with its own order) at zero.
 * Return: 0, PMM_EINVAL (not a descriptor), or pmm_free_pages()'s error.
 */
int pmm_put_page(struct pmm_page *page);

/*
 * Hand pages [@start, @end) that the buddy allocator has never seen to it,
 * in maximal naturally aligned blocks, each exactly as seed 001 says:
 * refcount 1, then freed. Trusted caller (an early allocator's retirement):
 * cost grows with the number of blocks, not pages. Ranges may cross zones.
 * pfn 0 is skipped. Return: 0, PMM_ERANGE (a page in no zone or beyond the
 * descriptors), PMM_EINVAL (reversed range) or PMM_EDOUBLEFREE (a block
 * head already in use, reported; a level-1 check); *@freed (if not NULL)
 * += pages handed; nothing is handed on error. Locking: each zone's lock.
 */
int pmm_buddy_handoff_range(pmm_pfn_t start, pmm_pfn_t end, uint64_t *freed);

/*
 * As pmm_buddy_handoff_range(), for untrusted callers (late frees, init
 * sections): every page must be reserved (in no free or allocated block and
 * in a zone), else nothing changes and the error says which rule broke.
 * Return: 0, PMM_EINVAL (empty or reversed range), PMM_ERANGE (pfn 0, beyond
 * the descriptors, or in no zone), PMM_EDOUBLEFREE (a page in a free or
 * allocated block, reported). Locking: each zone's lock; the caller must
 * not race other frees of the same range.
 */
int pmm_buddy_free_range(pmm_pfn_t start, pmm_pfn_t end, uint64_t *freed);

/* Return: true if @pfn is in no free or allocated block (or beyond the
 * descriptors). Locking: takes @pfn's zone lock. */
bool pmm_pfn_is_reserved(pmm_pfn_t pfn);

/*
 * Return: the first pfn of [@start, @end) that is in a free or allocated
 * block, or @end when all are reserved (the proof pmm_buddy_free_range()
 * makes: O(pages) descriptor reads, no lock per page).
 */
pmm_pfn_t pmm_first_unreserved(pmm_pfn_t start, pmm_pfn_t end);

/* Return: free pages in all zones, per-CPU lists included (a snapshot). */
uint64_t pmm_nr_free_pages(void);

/*
 * Per-CPU lists: move every page of @cpu's lists (a bad @cpu: nothing) or
 * of every CPU's back to the zones. Locking: each zone's lock; the CPUs
 * drained must not allocate or free meanwhile.
 */
void pmm_pcp_drain_cpu(unsigned int cpu);
void pmm_pcp_drain_all(void);
/*
 * Set every per-CPU list set's high mark and batch, in pages (batch <=
 * high; 0 disables the lists), for existing zones and those set up later,
 * after draining every list. A refill of order k takes batch >> k blocks
 * (at least one); a drain gives back at least batch pages.
 * Return: 0 or PMM_EINVAL (@batch > @high). Locking: every CPU quiet.
 */
int pmm_pcp_set_high_batch(uint32_t high, uint32_t batch);

/*
 * Grouping by mobility (on by default): off, every request is served as
 * PMM_MT_MOVABLE, the type every pageblock gets at boot, whatever its
 * mobility flags say, so requests of all types share pageblocks (Linux's
 * page_group_by_mobility_disabled).
 * Locking: while the allocator is quiet.
 */
void pmm_buddy_set_grouping(bool on);
bool pmm_buddy_is_grouping(void);

/*
 * Lazy buddy (seed 7.3, off by default): delay coalescing until an
 * allocation needs it; switching off coalesces every delayed block.
 * Locking: each zone's lock in turn; while the allocator is quiet.
 */
void pmm_buddy_set_lazy(bool lazy);
bool pmm_buddy_is_lazy(void);

/*
 * Deferred hand-off (off by default; buddy_deferred.c): a hand-off counts
 * the top-order blocks in the middle of a range as free but writes only
 * the highest; the others are written one at a time as the block before
 * them leaves its free list, so that lists, counts and the order of
 * allocation are those of a hand-off that writes every head. pmm's own
 * walkers by pfn (contiguous ranges, isolation, hotplug, reporting, the
 * proofs of reserved pages) write them all first; so do switching off and
 * pmm_buddy_deferred_finish(), which a caller that reads descriptors by
 * pfn itself (pmm/page.h) calls first. pmm_buddy_deferred_pages(): pages
 * counted free whose heads are not written yet.
 * Locking: each zone's lock in turn; switch while no hand-off runs.
 */
void pmm_buddy_set_deferred(bool on);
bool pmm_buddy_is_deferred(void);
void pmm_buddy_deferred_finish(void);
uint64_t pmm_buddy_deferred_pages(void);
/* Return: blocks of @zone waiting behind list (PMM_MAX_ORDER, @mt), which
 * count as its entries. Locking: the zone lock, or a quiet allocator (as
 * for walking the list). */
uint64_t pmm_buddy_deferred_listed(const struct pmm_zone *zone, unsigned int mt);

/*
 * Back to the settings a boot starts with: grouping on, lazy buddy off,
 * deferred hand-off off, per-CPU lists at their defaults (no pmm_pcp_set_high_batch()). The
 * settings outlive pmm_zones_reset(), which forgets only zone state:
 * whoever resets the allocator calls both. Locking: no allocation running.
 */
void pmm_buddy_reset_settings(void);

#endif /* PMM_BUDDY_H */
