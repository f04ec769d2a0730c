/* SPDX-License-Identifier: MIT */
/*
 * pmm/debug.h - run-time debug features of the buddy allocator: page
 * poisoning and allocation owner tags (Linux's page_poison and page_owner).
 *
 * Poisoning: while on, every block the buddy allocator takes back is
 * filled with PMM_POISON_BYTE where the platform can touch it
 * (pmm_phys_map() returns non-NULL), and every block it hands out is
 * checked first: a byte that is not the pattern was written after the
 * free (a use after free), and is reported through pmm_bug(PMM_ECORRUPT)
 * with the page and the offset. Off (the default), the allocator's hooks
 * cost one predictable branch on pmm_poison_enabled.
 *
 * Owner tags: pmm_alloc_pages_tagged() stores a 64-bit tag in the head of
 * each allocated block (page.h: next/prev, PMM_PG_OWNER). Callers pass a
 * tag of their own, or the call site through pmm_alloc_pages_owner() /
 * PMM_RET_IP; pmm_report_page_owner() lists every allocated block.
 */
#ifndef PMM_DEBUG_H
#define PMM_DEBUG_H

#include <pmm/zone.h>

/* Byte written over free pages; Linux's PAGE_POISON. */
#define PMM_POISON_BYTE 0xaa

/* Set by pmm_debug_set_poison(); read by the allocator's hooks. */
extern bool pmm_poison_enabled;

/*
 * Switch poisoning on or off. Switching on poisons every block that is
 * free at that moment (free lists and per-CPU lists), so that later checks
 * never see memory that was freed before; O(free memory).
 * Locking: takes each zone's lock in turn; per-CPU lists must be quiet.
 */
void pmm_debug_set_poison(bool on);

/* Return: true while poisoning is on. */
static inline bool pmm_debug_poison_on(void)
{
	return __builtin_expect(pmm_poison_enabled, 0);
}

/*
 * Fill the 2^@order pages at @pfn with PMM_POISON_BYTE, page by page,
 * skipping pages the platform cannot map. Return: pages poisoned.
 */
uint64_t pmm_poison_block(pmm_pfn_t pfn, pmm_order_t order);

/*
 * Check that the 2^@order pages at @pfn still hold the pattern. The first
 * wrong byte of each page is reported:
 *   "pfn 0x.. offset 0x..: byte 0x.., want 0xaa (written after free)"
 * Return: 0, or PMM_ECORRUPT when some page was written (pages after the
 * first bad one are still checked and reported).
 */
int pmm_poison_check(pmm_pfn_t pfn, pmm_order_t order);

/* The call site of the function that expands it, as an owner tag. */
#define PMM_RET_IP ((uint64_t)(uintptr_t)__builtin_return_address(0))

/*
 * pmm_alloc_pages() that records its caller's return address as the owner
 * tag (Linux's page_owner records the stack; pmm records one address).
 * Return: the head descriptor, or NULL.
 */
struct pmm_page *pmm_alloc_pages_owner(unsigned int gfp, pmm_order_t order);

/* Return: the owner tag of the allocated block headed by @page, or 0. */
uint64_t pmm_page_owner_tag(const struct pmm_page *page);

/*
 * List every allocated block, zone by zone, in page_owner's spirit:
 *   "Page allocated via order K, tag 0x...\n"
 *   "PFN 0x... Node N Zone Z refcount R\n\n"
 * then "page_owner: B blocks, P pages allocated, T tagged".
 * Locking: takes each zone's lock while walking it; O(spanned pages /
 * block size).
 */
void pmm_report_page_owner(const struct pmm_out *out);

#endif /* PMM_DEBUG_H */
