/* SPDX-License-Identifier: MIT */
/*
 * buddy_free.c - the free API of the buddy allocator: references, the
 * per-CPU fast path, and the classification of bad frees.
 *
 * A block comes back as its allocated head (buddy_alloc.c wrote it:
 * PMM_PG_ALLOC_HEAD, order, refcount). Dropping the last reference frees
 * it: poisoned if poisoning is on (poison.c), pushed on this CPU's list
 * for orders 0..PMM_PCP_MAX_ORDER (pcp.c), else its head is cleared and
 * the buddy core coalesces it under the zone lock (buddy_put_locked(),
 * inline; the lazy buddy may delay that). A free that is not of an
 * allocated head of that order, aligned and inside a zone changes nothing
 * and is classified (double free, wrong order, reserved page, not a head)
 * by the level-1 checks and reported through pmm_bug().
 *
 * Locking: the zone lock for blocks that go to the buddy lists and for a
 * per-CPU batch drain; none for a push on this CPU's list.
 */
#include <pmm/debug.h>

#include "buddy_internal.h"

/**
 * pmm_buddy_block_head_locked - the head of the block (free, per-CPU or
 * allocated) that holds the blank page @pfn of @zone: pfn rounded down to
 * 2^k for every order k, the first head whose block reaches @pfn.
 * Return: that head, or @pfn itself when no block holds it (reserved).
 * Locking: zone lock held.
 */
pmm_pfn_t pmm_buddy_block_head_locked(const struct pmm_zone *zone,
				      pmm_pfn_t pfn)
{
	PMM_ASSERT_LOCKED(&zone->lock);
	for (pmm_order_t k = 1; k <= PMM_MAX_ORDER; k++) {
		pmm_pfn_t h = pfn & ~(pmm_order_pages(k) - 1);
		if (h == pfn)
			continue;
		if (h < zone->start_pfn)
			break;
		const struct pmm_page *d = &pmm_mem_map[h];
		if ((d->info & PMM_PG_STATE_MASK) != 0 &&
		    pfn - h < pmm_order_pages(pmm_page_order(d)))
			return h;
	}
	return pfn;
}

/*
 * Say why freeing @pfn at @order is wrong (nothing changes): the level-1
 * checks (PMM_CHECKS) classify and report it; without them it is only
 * PMM_EINVAL. Takes the zone lock.
 */
static __attribute__((noinline)) int free_error(pmm_pfn_t pfn, pmm_order_t order)
{
	if (!PMM_CHECKS)
		return PMM_EINVAL;
	struct pmm_zone *zone = pmm_pfn_zone_fast(pfn);
	const struct pmm_page *d = &pmm_mem_map[pfn];
	uint32_t info;
	int err;
	if (zone == NULL)
		return pmm_bug(PMM_ERESERVED, "pmm_free_pages",
				  "pfn 0x%llx order %u: in no zone, info 0x%x",
				  ULL(pfn), order, d->info);
	zone_lock(zone);
	pmm_deferred_settle_meeting_locked(zone, pfn, pfn + 1); /* classified as if written */
	info = d->info;
	pmm_pfn_t head = pfn;
	if (info & (PMM_PG_BUDDY | PMM_PG_PCP)) {
		err = PMM_EDOUBLEFREE;
	} else if (info & PMM_PG_ALLOC_HEAD) {
		if (pmm_page_order(d) != order)
			err = PMM_EWRONGORDER;
		else if (pmm_page_refcount(d) == 0)
			err = PMM_EDOUBLEFREE;
		else
			err = PMM_ECORRUPT;
	} else {
		head = pmm_buddy_block_head_locked(zone, pfn);
		const struct pmm_page *h = &pmm_mem_map[head];
		if (head == pfn)
			err = PMM_ERESERVED;
		else if (h->info & PMM_PG_ALLOC_HEAD)
			err = PMM_ENOTHEAD;
		else
			err = PMM_EDOUBLEFREE;
		info = h->info;
	}
	zone_unlock(zone);
	return pmm_bug(err, "pmm_free_pages",
			  "%s: pfn 0x%llx order %u: block head 0x%llx info 0x%x",
			  pmm_zone_name(zone->type), ULL(pfn), order,
			  ULL(head), info);
}

/* Give the block (head blank) back to the buddy lists; takes the zone lock. */
static __attribute__((noinline)) void free_to_zone(struct pmm_zone *zone,
						   pmm_pfn_t pfn,
						   pmm_order_t order)
{
	zone_lock(zone);
	buddy_put_locked(zone, pfn, order);
	zone_unlock(zone);
}

/* A misplaced head: out of the zone or not aligned to its order. */
static __attribute__((noinline)) int free_misplaced(pmm_pfn_t pfn,
						    pmm_order_t order,
						    uint32_t info)
{
	return pmm_bug(PMM_ECORRUPT, "pmm_free_pages",
			  "pfn 0x%llx order %u: misplaced head, info 0x%x",
			  ULL(pfn), order, info);
}

/* The block's refcount reached zero: give it back. */
static inline void free_block(struct pmm_zone *zone, pmm_pfn_t pfn,
			      pmm_order_t order)
{
	if (pmm_debug_poison_on())
		pmm_poison_block(pfn, order);
	if (order <= PMM_PCP_MAX_ORDER && pmm_pcp_free(zone, pfn, order))
		return; /* the push rewrote the whole descriptor */
	pmm_page_clear(&pmm_mem_map[pfn]);
	free_to_zone(zone, pfn, order);
}

/* pmm_free_pages() after the fast path missed: every case, in order. */
__attribute__((noinline)) int pmm_free_pages_slow(struct pmm_page *page,
						  pmm_pfn_t pfn,
						  pmm_order_t order)
{
	if (order > PMM_MAX_ORDER)
		return PMM_EORDER;
	uint32_t info = page->info;
	if (!info_is_alloc_head(info, order))
		return free_error(pfn, order);
	struct pmm_zone *zone = pmm_pfn_zone_fast(pfn);
	if (zone == NULL || (pfn & (pmm_order_pages(order) - 1)) != 0 ||
	    pfn + pmm_order_pages(order) > zone->end_pfn)
		return free_misplaced(pfn, order, info);
	if (info >= 2 * PMM_PG_REF_ONE) {
		uint32_t old = __atomic_fetch_sub(&page->info, PMM_PG_REF_ONE,
						  __ATOMIC_ACQ_REL);
		if (old >= 2 * PMM_PG_REF_ONE)
			return 0;
	}
	free_block(zone, pfn, order);
	return 0;
}

/* Drain a batch of @pcp after a free pushed it past its high mark. */
static __attribute__((noinline)) int free_drain(struct pmm_zone *zone,
						struct pmm_pcp *pcp)
{
	pmm_pcp_drain_batch(zone, pcp);
	return 0;
}

/*
 * pmm_free_pages(), inlined into each entry point. The fast path is the
 * common case - an allocated head of a per-CPU @order with one reference,
 * aligned, inside the largest zone, no poisoning, per-CPU lists on - found
 * with the same checks as the slow path makes (flags, order and refcount
 * in one comparison), and pushed on this CPU's list without a call;
 * everything else is a tail call to pmm_free_pages_slow(), which classifies
 * and serves every case, so the fast path needs no stack frame.
 */
static inline __attribute__((always_inline)) int
free_pages(struct pmm_page *page, pmm_order_t order)
{
	pmm_pfn_t pfn;
	if (!pmm_page_pfn_checked(page, &pfn))
		return PMM_EINVAL;
	struct pmm_zone *zone = pmm_zone_hint;
	if (__builtin_expect(order > PMM_PCP_MAX_ORDER || zone == NULL ||
				     !pmm_free_is_fast(page, pfn, order,
						       zone->start_pfn,
						       zone->spanned) ||
				     pmm_debug_poison_on(),
			     0))
		return pmm_free_pages_slow(page, pfn, order);
	struct pmm_pcp *pcp = &zone->pcp[pmm_platform_cpu()];
	unsigned int mt = pmm_pageblock_type(zone, pfn);
	if (__builtin_expect(pcp->batch == 0 || mt >= PMM_MT_TYPES, 0))
		return pmm_free_pages_slow(page, pfn, order);
	pmm_pcp_push(pcp, mt, order, pfn);
	if (__builtin_expect(pcp->count > pcp->high, 0))
		return free_drain(zone, pcp);
	return 0;
}

/**
 * pmm_free_pages - drop a reference to the block of 2^@order pages at @page
 * and free it at zero (see buddy.h).
 *
 * Always on: the head must carry PMM_PG_ALLOC_HEAD and @order, be aligned to its
 * order and lie in a zone; anything else is classified on a slow path.
 * Return: 0 or an error; nothing changes on error.
 * Locking: the zone lock for blocks of order > 0 (and per-CPU batches).
 */
PMM_HOT_ENTRY
int pmm_free_pages(struct pmm_page *page, pmm_order_t order)
{
	return free_pages(page, order);
}

/* pmm_free_pages(@page, 0) (buddy.h). */
PMM_HOT_ENTRY
int pmm_free_page(struct pmm_page *page)
{
	return free_pages(page, 0);
}

/**
 * pmm_free_pages_addr - pmm_free_pages() by physical address.
 *
 * Address 0 (the failure value of the allocators) is accepted and ignored,
 * as Linux's free_pages(0, order) is.
 * Return: 0, PMM_EINVAL (not page aligned or beyond the descriptors), or
 * pmm_free_pages()'s error.
 */
int pmm_free_pages_addr(pmm_phys_t addr, pmm_order_t order)
{
	if (addr == 0)
		return 0;
	if ((addr & ~PMM_PAGE_MASK) != 0 || PMM_PFN_DOWN(addr) >= pmm_max_pfn)
		return PMM_EINVAL;
	return pmm_free_pages(pmm_pfn_to_page(PMM_PFN_DOWN(addr)), order);
}

/* pmm_free_pages_addr(@addr, 0) (buddy.h). */
int pmm_free_page_addr(pmm_phys_t addr)
{
	return pmm_free_pages_addr(addr, 0);
}

/**
 * pmm_get_page - take a reference on the allocated block headed by @page.
 * Return: 0, PMM_EINVAL (not the head of an allocated block), PMM_EBUSY
 * (the count would overflow). Locking: none (atomic on the head).
 */
int pmm_get_page(struct pmm_page *page)
{
	if (!pmm_page_in_map(page))
		return PMM_EINVAL;
	uint32_t info = __atomic_load_n(&page->info, __ATOMIC_RELAXED);
	for (;;) {
		if ((info & PMM_PG_STATE_MASK) != PMM_PG_ALLOC_HEAD ||
		    info < PMM_PG_REF_ONE)
			return PMM_EINVAL;
		if ((info >> PMM_PG_REF_SHIFT) == PMM_PG_REF_MAX)
			return PMM_EBUSY;
		if (__atomic_compare_exchange_n(&page->info, &info,
						info + PMM_PG_REF_ONE, false,
						__ATOMIC_ACQ_REL,
						__ATOMIC_RELAXED))
			return 0;
	}
}

/**
 * pmm_put_page - drop a reference to the allocated block headed by @page;
 * free it with its own order at zero.
 * Return: 0, PMM_EINVAL (not a descriptor), or pmm_free_pages()'s error.
 * Locking: as pmm_free_pages().
 */
int pmm_put_page(struct pmm_page *page)
{
	if (!pmm_page_in_map(page))
		return PMM_EINVAL;
	if (__builtin_expect(page->info == 0, 0)) { /* the order read as written */
		pmm_pfn_t pfn = pmm_page_to_pfn(page);
		pmm_deferred_settle_range(pfn, pfn + 1);
	}
	return pmm_free_pages(page, pmm_page_order(page));
}
