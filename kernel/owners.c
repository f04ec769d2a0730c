/* SPDX-License-Identifier: MIT */
/*
 * owners.c - what the CMA and hotplug self-tests share: an owner of
 * movable pages with real contents, and a fill that takes memory away.
 *
 * The owner keeps a record of where each of its order-0 pages lives; each
 * page holds a pattern of its own record number. Installed as the
 * platform's migrate hook, it moves a page as a kernel would: a new
 * movable page, the contents copied through the identity map, the record
 * repointed, the old page freed. It can be told to refuse one pfn.
 *
 * The fill holds blocks of a gfp, largest first, and gives them back
 * smallest first.
 */
#include <pmm/buddy.h>
#include "kernel.h"

#define OWNERS_MAX 8192
#define HELD_MAX 8192

static uint32_t owned[OWNERS_MAX];
static unsigned int nowned, moved;
static uint32_t refuse_pfn; /* 0: move everything */

static uint32_t held[HELD_MAX];
static uint8_t held_order[HELD_MAX];
static unsigned int nheld;

/* The word page @pfn of owner record @i holds at word @w. */
static uint32_t pattern(unsigned int i, unsigned int w)
{
	return (i * 0x9e3779b9u) ^ (w * 0x85ebca6bu) ^ 0xc3a5c3a5u;
}

static uint32_t *page_words(uint32_t pfn)
{
	return pmm_phys_map(PMM_PFN_PHYS(pfn), PMM_PAGE_SIZE, NULL);
}

uint32_t *owner_take(unsigned int gfp)
{
	if (nowned == OWNERS_MAX)
		return NULL;
	struct pmm_page *p = pmm_alloc_pages(gfp, 0);
	if (p == NULL)
		return NULL;
	owned[nowned] = (uint32_t)pmm_page_to_pfn(p);
	uint32_t *w = page_words(owned[nowned]);
	for (unsigned int k = 0; w != NULL && k < PMM_PAGE_SIZE / 4; k++)
		w[k] = pattern(nowned, k);
	return &owned[nowned++];
}

unsigned int owners_count(void)
{
	return nowned;
}

uint32_t owner_pfn(unsigned int i)
{
	return owned[i];
}

bool owner_holds(unsigned int i)
{
	const uint32_t *w = page_words(owned[i]);
	for (unsigned int k = 0; w != NULL && k < PMM_PAGE_SIZE / 4; k++)
		if (w[k] != pattern(i, k))
			return false;
	return w != NULL;
}

unsigned int owners_moved(void)
{
	unsigned int n = moved;
	moved = 0;
	return n;
}

void owners_refuse(uint32_t pfn)
{
	refuse_pfn = pfn;
}

void owners_free_all(void)
{
	for (unsigned int i = 0; i < nowned; i++)
		(void)pmm_free_pages(pmm_pfn_to_page(owned[i]), 0);
	nowned = 0;
}

/* The migrate hook: copy the page to a new movable one, repoint the
 * record, free the old page. Return: 0, or -1 (not ours, refused, no
 * page). */
static int owner_migrate(void *ctx, pmm_pfn_t pfn, pmm_order_t order)
{
	(void)ctx;
	for (unsigned int i = 0; i < nowned; i++) {
		if (owned[i] != pfn)
			continue;
		if (order != 0 || pfn == refuse_pfn)
			return -1;
		struct pmm_page *n = pmm_alloc_pages(PMM_GFP_HIGHUSER_MOVABLE, 0);
		if (n == NULL)
			return -1;
		uint32_t to = (uint32_t)pmm_page_to_pfn(n);
		const uint32_t *src = page_words((uint32_t)pfn);
		uint32_t *dst = page_words(to);
		if (src == NULL || dst == NULL) {
			(void)pmm_free_pages(n, 0);
			return -1;
		}
		pmm_memcpy(dst, src, PMM_PAGE_SIZE);
		owned[i] = to;
		moved++;
		return pmm_free_pages(pmm_pfn_to_page(pfn), 0);
	}
	return -1;
}

void owners_hook(bool on)
{
	struct pmm_platform p = *pmm_platform_get();
	p.migrate = on ? owner_migrate : NULL;
	pmm_platform_set(&p);
}

void fill_take(unsigned int gfp)
{
	for (int k = PMM_MAX_ORDER; k >= 0; k--) {
		struct pmm_page *p;
		while (nheld < HELD_MAX &&
		       (p = pmm_alloc_pages(gfp, (pmm_order_t)k)) != NULL) {
			held[nheld] = (uint32_t)pmm_page_to_pfn(p);
			held_order[nheld++] = (uint8_t)k;
		}
	}
}

void fill_give_back(const struct pmm_zone *zone, uint64_t pages)
{
	while (nheld != 0 &&
	       (zone == NULL || zone->free_pages - zone->cma_free < pages)) {
		nheld--;
		(void)pmm_free_pages(pmm_pfn_to_page(held[nheld]), held_order[nheld]);
	}
}

bool fill_holds_in(pmm_pfn_t start, pmm_pfn_t end)
{
	for (unsigned int i = 0; i < nheld; i++)
		if (held[i] < end && held[i] + ((pmm_pfn_t)1 << held_order[i]) > start)
			return true;
	return false;
}
