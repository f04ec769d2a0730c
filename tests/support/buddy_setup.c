/* SPDX-License-Identifier: MIT */
/*
 * buddy_setup.c - test and benchmark set-up of nodes, zones and the
 * hand-off over the host platform (see buddy_setup.h).
 */
#include <stdlib.h>
#include <string.h>

#include "buddy_setup.h"
#include "host_platform.h"

#include <pmm/elastic.h>

static struct {
	struct pmm_page *map;
	void *bitmaps[PMM_MAX_NUMNODES * PMM_NR_ZONES];
	unsigned int nr_bitmaps;
	uint64_t handed;
} st;

static void free_all(void)
{
	for (unsigned int i = 0; i < st.nr_bitmaps; i++)
		free(st.bitmaps[i]);
	free(st.map);
	memset(&st, 0, sizeof(st));
}

void buddy_teardown(void)
{
	pmm_zones_reset();
	pmm_buddy_reset_settings();
	free_all();
	host_platform_remove();
}

static int init_nodes(const struct buddy_zone_spec *z, unsigned int n)
{
	for (int nid = 0; nid < PMM_MAX_NUMNODES; nid++) {
		pmm_pfn_t lo = UINT64_MAX, hi = 0;
		for (unsigned int i = 0; i < n; i++) {
			if (z[i].nid != nid)
				continue;
			lo = z[i].start < lo ? z[i].start : lo;
			hi = z[i].end > hi ? z[i].end : hi;
		}
		if (hi == 0)
			continue;
		int err = pmm_node_init(nid, lo, hi);
		if (err)
			return err;
	}
	return 0;
}

static int init_zone(const struct buddy_zone_spec *z)
{
	size_t bytes = pmm_zone_bitmap_bytes(z->start, z->end);
	void *bm = calloc(1, bytes ? bytes : 8);
	if (bm == NULL)
		return -1;
	st.bitmaps[st.nr_bitmaps++] = bm;
	return pmm_zone_init(z->nid, z->type, z->start, z->end,
			     z->end - z->start, bm);
}

/* The descriptor array: the host's memmap_alloc mapping for a virtual
 * memmap (slices can be remapped), else a calloc'd one. */
static struct pmm_page *descriptors(const struct buddy_setup_opts *opts)
{
	size_t bytes = (size_t)opts->max_pfn * sizeof(struct pmm_page);
	bool zeroed = false;
	if (opts->virtual_memmap)
		return pmm_platform_get()->memmap_alloc(pmm_platform_get()->ctx,
							bytes, &zeroed);
	st.map = calloc((size_t)opts->max_pfn, sizeof(struct pmm_page));
	return st.map;
}

int buddy_setup(const struct buddy_setup_opts *opts)
{
	struct buddy_zone_spec whole = { 0, PMM_ZONE_NORMAL, 0, opts->max_pfn };
	const struct buddy_zone_spec *z = opts->zones ? opts->zones : &whole;
	unsigned int n = opts->zones ? opts->nr_zones : 1;
	int err;

	buddy_teardown();
	pmm_report_reset();
	struct host_platform_options ho = {
		.phys_size = PMM_PFN_PHYS(opts->max_pfn),
		.untouchable = opts->untouchable,
		.reporting = opts->reporting,
		.report_declines = opts->report_declines,
		.quiet = true,
		.quiet_reports = !opts->verbose,
		.virtual_memmap = opts->virtual_memmap,
	};
	if (host_platform_install(&ho) != 0)
		return -1;
	host_set_cpu(0);
	struct pmm_page *map = descriptors(opts);
	if (map == NULL)
		return -1;
	pmm_page_map_init(map, opts->max_pfn);
	if ((err = init_nodes(z, n)) != 0)
		return err;
	for (unsigned int i = 0; i < n; i++)
		if ((err = init_zone(&z[i])) != 0)
			return err;
	if (!opts->keep_pcp)
		pmm_pcp_set_high_batch(0, 0);
	if (!opts->handoff)
		return 0;
	if (opts->deferred)
		pmm_buddy_set_deferred(true);
	for (unsigned int i = 0; i < n; i++)
		if ((err = pmm_buddy_handoff_range(z[i].start, z[i].end,
						   &st.handed)) != 0)
			return err;
	return 0;
}

int buddy_setup_simple(pmm_pfn_t max_pfn)
{
	return buddy_setup(&(struct buddy_setup_opts){ .max_pfn = max_pfn,
						       .handoff = true });
}

int buddy_setup_dma_normal(pmm_pfn_t dma_end, pmm_pfn_t max_pfn)
{
	const struct buddy_zone_spec zones[] = {
		{ 0, PMM_ZONE_DMA, 0, dma_end },
		{ 0, PMM_ZONE_NORMAL, dma_end, max_pfn },
	};
	return buddy_setup(&(struct buddy_setup_opts){
		.max_pfn = max_pfn, .zones = zones, .nr_zones = 2, .handoff = true });
}

int buddy_setup_normal(pmm_pfn_t start, pmm_pfn_t end, pmm_pfn_t max_pfn)
{
	const struct buddy_zone_spec zones[] = { { 0, PMM_ZONE_NORMAL, start, end } };
	return buddy_setup(&(struct buddy_setup_opts){
		.max_pfn = max_pfn, .zones = zones, .nr_zones = 1, .handoff = true });
}

int buddy_setup_resize_pair(void)
{
	static const struct buddy_zone_spec zones[] = {
		{ 0, PMM_ZONE_NORMAL, 1024, 4096 },
		{ 1, PMM_ZONE_NORMAL, 5120, 6144 },
	};
	return buddy_setup(&(struct buddy_setup_opts){
		.max_pfn = 8192, .zones = zones, .nr_zones = 2 });
}

uint64_t buddy_setup_handed(void)
{
	return st.handed;
}

void buddy_counts_get(const struct pmm_zone *zone, struct buddy_counts *c)
{
	memset(c, 0, sizeof(*c));
	for (int k = 0; k <= PMM_MAX_ORDER; k++)
		c->nr_free[k] = zone->free_area[k].nr_free;
	c->free_pages = zone->free_pages;
}

bool buddy_counts_equal(const struct buddy_counts *a,
			const struct buddy_counts *b)
{
	return memcmp(a, b, sizeof(*a)) == 0;
}

struct pmm_zone *buddy_zone(enum pmm_zone_type type)
{
	struct pmm_zone *z = &pmm_nodes[0].zones[type];
	return z->initialized ? z : NULL;
}
