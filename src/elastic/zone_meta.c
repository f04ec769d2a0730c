/* SPDX-License-Identifier: MIT */
/*
 * zone_meta.c - zones that grow over added blocks and shrink when blocks
 * leave them, each time onto new metadata (pair bitmaps and pageblock
 * types for the new span, pmm_zone_bitmap_bytes()).
 *
 * The metadata is a late allocation: a contiguous run of unmovable pages
 * from memory that was online at boot ([0, boot_end)), so that a
 * hot-added block never holds pmm's own metadata and stays removable. A
 * zone's previous buffer goes back once the zone moved off it, unless it
 * was the boot's (from the early allocator, which is gone).
 */
#include <pmm/contig.h>

#include "elastic_internal.h"

/* Allocate zeroed metadata for a zone spanning [@lo, @hi): *@m, *@bitmap
 * (both empty for an empty span). Return: 0 or PMM_ENOMEM. */
static int meta_alloc(pmm_pfn_t lo, pmm_pfn_t hi, struct hp_meta *m,
		      void **bitmap)
{
	size_t bytes = pmm_zone_bitmap_bytes(lo, hi);
	m->pfn = 0;
	m->pages = 0;
	*bitmap = NULL;
	if (bytes == 0)
		return 0;
	uint64_t pages = PMM_PFN_UP((uint64_t)bytes);
	struct pmm_page *pg = pmm_alloc_contig(pages, PMM_GFP_KERNEL, 0,
					       PMM_PFN_PHYS(pmm_hp.boot_end),
					       PMM_PAGE_SIZE, 0);
	if (pg == NULL)
		return PMM_ENOMEM;
	pmm_pfn_t pfn = pmm_page_to_pfn(pg);
	bool zeroed = false;
	void *p = pmm_phys_map(PMM_PFN_PHYS(pfn), bytes, &zeroed);
	if (p == NULL) {
		pmm_free_contig(pg, pages);
		return PMM_ENOMEM;
	}
	if (!zeroed)
		pmm_memset(p, 0, bytes);
	m->pfn = pfn;
	m->pages = pages;
	*bitmap = p;
	return 0;
}

void hp_meta_free(const struct hp_meta *m)
{
	if (m->pages == 0)
		return;
	int err = pmm_free_contig(pmm_pfn_to_page(m->pfn), m->pages);
	PMM_ASSERT(err == 0, "zone metadata at pfn 0x%llx, %llu pages: free %d",
		   (unsigned long long)m->pfn, (unsigned long long)m->pages, err);
	(void)err;
}

/* Make node @nid cover [@lo, @hi): online it with its first memory, or widen it. */
static int node_cover(int nid, pmm_pfn_t lo, pmm_pfn_t hi)
{
	if (!pmm_nodes[nid].online)
		return pmm_node_init(nid, lo, hi);
	return pmm_node_grow(nid, lo, hi);
}

/*
 * The span zone @type of node @nid has once it covers [@s, @e) too, in
 * *@lo, *@hi. Return: true when that span meets no other zone and the
 * node can cover it without meeting another node.
 */
static bool grown_span(int nid, unsigned int type, pmm_pfn_t s, pmm_pfn_t e,
		       pmm_pfn_t *lo, pmm_pfn_t *hi)
{
	const struct pmm_zone *zone = &pmm_nodes[nid].zones[type];
	bool had_span = zone->initialized && zone->spanned != 0;
	*lo = had_span && zone->start_pfn < s ? zone->start_pfn : s;
	*hi = had_span && zone->end_pfn > e ? zone->end_pfn : e;
	return !pmm_zone_span_overlaps(*lo, *hi, zone->initialized ? zone : NULL) &&
	       pmm_node_can_cover(nid, *lo, *hi);
}

bool hp_zone_can_grow(int nid, unsigned int type, pmm_pfn_t s, pmm_pfn_t e)
{
	pmm_pfn_t lo, hi;
	return grown_span(nid, type, s, e, &lo, &hi);
}

/**
 * hp_zone_grow - make zone @type of node @nid span [@s, @e) too, with
 * @e - @s more present pages (none handed to the buddy yet).
 * Return: 0, PMM_EOVERLAP (the zone or node would meet another), PMM_ENOMEM.
 * Nothing changes on error.
 */
int hp_zone_grow(int nid, unsigned int type, pmm_pfn_t s, pmm_pfn_t e)
{
	struct pmm_zone *zone = &pmm_nodes[nid].zones[type];
	pmm_pfn_t lo, hi;
	if (!grown_span(nid, type, s, e, &lo, &hi))
		return PMM_EOVERLAP;
	struct hp_meta m;
	void *bitmap;
	if (meta_alloc(lo, hi, &m, &bitmap) != 0)
		return PMM_ENOMEM;
	bool was_online = pmm_nodes[nid].online;
	int err = node_cover(nid, lo, hi);
	if (err != 0) {
		hp_meta_free(&m);
		return err;
	}
	uint64_t present = (zone->initialized ? zone->present : 0) + (e - s);
	err = zone->initialized
		      ? pmm_zone_resize(zone, lo, hi, present, bitmap)
		      : pmm_zone_init(nid, (enum pmm_zone_type)type, lo, hi,
				      present, bitmap);
	PMM_ASSERT(err == 0, "zone %u of node %d onto [0x%llx, 0x%llx): %d",
		   type, nid, (unsigned long long)lo, (unsigned long long)hi, err);
	if (err != 0) { /* only a broken invariant gets here */
		hp_meta_free(&m);
		if (!was_online)
			pmm_node_offline(nid);
		return err;
	}
	hp_meta_free(&pmm_hp.meta[nid][type]);
	pmm_hp.meta[nid][type] = m;
	return 0;
}

/* Return: true when block @id stays in @zone after [@first, +@n) leave. */
static bool block_stays(const struct pmm_zone *zone, pmm_pfn_t pfn,
			unsigned int first, unsigned int n)
{
	unsigned int id = (unsigned int)(pfn >> pmm_hp.shift);
	if (id >= first && id < first + n)
		return false;
	return hp_block_in(&pmm_hp.block[id], zone->node, zone->type);
}

int hp_zone_shrink_prepare(const struct pmm_zone *zone, unsigned int first,
			   unsigned int n, pmm_pfn_t *lo, pmm_pfn_t *hi,
			   struct hp_meta *m, void **bitmap)
{
	pmm_pfn_t mask = hp_block_pages() - 1;
	pmm_pfn_t l = zone->start_pfn, h = zone->end_pfn;
	while (l < h && !block_stays(zone, l, first, n))
		l = (l | mask) + 1;
	while (h > l && !block_stays(zone, h - 1, first, n))
		h = (h - 1) & ~mask;
	if (l >= h)
		l = h = zone->start_pfn;
	*lo = l;
	*hi = h;
	if (l == zone->start_pfn && h == zone->end_pfn) {
		*bitmap = NULL; /* the span stays: so does the metadata */
		m->pfn = 0;
		m->pages = 0;
		return 0;
	}
	return meta_alloc(l, h, m, bitmap);
}

void hp_zone_shrink_commit(struct pmm_zone *zone, pmm_pfn_t lo, pmm_pfn_t hi,
			   const struct hp_meta *m, void *bitmap)
{
	if (lo == zone->start_pfn && hi == zone->end_pfn)
		return;
	int err = pmm_zone_resize(zone, lo, hi, zone->present, bitmap);
	PMM_ASSERT(err == 0, "zone %s of node %d onto [0x%llx, 0x%llx): %d",
		   pmm_zone_name(zone->type), zone->node,
		   (unsigned long long)lo, (unsigned long long)hi, err);
	if (err != 0) {
		hp_meta_free(m);
		return;
	}
	hp_meta_free(&pmm_hp.meta[zone->node][zone->type]);
	pmm_hp.meta[zone->node][zone->type] = *m;
}
