/* SPDX-License-Identifier: MIT */
/*
 * pmm/watermark.h - zone watermarks, lowmem_reserve (zoneinfo's
 * "protection:") and min_free_kbytes exactly as Linux 6.1 computes them,
 * as pure functions over a table of zones: what Linux would set for zones
 * with these managed pages.
 */
#ifndef PMM_WATERMARK_H
#define PMM_WATERMARK_H

#include <pmm/zone.h>

/* One zone as the computation sees it; index = Linux's zone index. */
struct pmm_wmark_zone {
	int node;
	unsigned int idx;     /* zone index in its node (0 = DMA) */
	bool highmem;         /* Linux's is_highmem() */
	uint64_t managed;     /* [pages] */
	uint64_t min, low, high; /* out [pages] */
	uint64_t protection[PMM_WMARK_MAX_ZONES]; /* out: lowmem_reserve [pages] */
};

/* Linux 6.1's knobs; pmm_wmark_params_init() gives its defaults. */
struct pmm_wmark_params {
	unsigned int nr_zones;          /* zones per node (protection entries) */
	unsigned int normal_idx;        /* index of ZONE_NORMAL (gfp_zone(GFP_USER)) */
	unsigned int scale_factor;      /* watermark_scale_factor, 1/10000 */
	unsigned int reserve_ratio[PMM_WMARK_MAX_ZONES]; /* lowmem_reserve_ratio */
	bool thp;                       /* khugepaged raises min_free_kbytes */
};

/* Defaults of Linux 6.1 x86_64 (5 zones, ratios 256 256 32 0 0, scale 10). */
void pmm_wmark_params_init(struct pmm_wmark_params *p);

/* Defaults of Linux 6.1 i386 with highmem (DMA, Normal, HighMem, Movable: ratios 256 32 0 0). */
void pmm_wmark_params_init_i386(struct pmm_wmark_params *p);

/*
 * min_free_kbytes as Linux sets it at boot: sqrt(16 * lowmem KiB) clamped
 * to [128, 262144], then (with @p->thp) khugepaged's recommendation. The
 * managed pages of @z[0..@n) are those of that moment. Context: any.
 */
uint64_t pmm_wmark_min_free_kbytes(struct pmm_wmark_zone *z, unsigned int n,
				   const struct pmm_wmark_params *p);

/*
 * Fill min/low/high and protection of @z[0..@n) for @min_free_kbytes, as
 * setup_per_zone_wmarks() and setup_per_zone_lowmem_reserve() do. The
 * table holds every zone of every node, nodes in order, zones by index.
 */
void pmm_wmark_compute(struct pmm_wmark_zone *z, unsigned int n,
		       uint64_t min_free_kbytes, const struct pmm_wmark_params *p);

#endif /* PMM_WATERMARK_H */
