/* SPDX-License-Identifier: MIT */
/*
 * buddy_setup.h - build a buddy allocator over simulated memory for tests
 * and benchmarks: host platform, a calloc'd descriptor array, nodes, zones
 * with calloc'd pair bitmaps, and (optionally) the hand-off of the zones'
 * pages.
 *
 *   buddy_setup_simple(4096);               one Normal zone [0, 4096)
 *   struct buddy_zone_spec z[] = {
 *       { 0, PMM_ZONE_DMA, 0, 4096 },
 *       { 0, PMM_ZONE_NORMAL, 4096, 16384 },
 *   };
 *   buddy_setup(&(struct buddy_setup_opts){ .max_pfn = 16384,
 *               .zones = z, .nr_zones = 2, .handoff = true });
 *   ...
 *   buddy_teardown();
 */
#ifndef PMM_TESTS_BUDDY_SETUP_H
#define PMM_TESTS_BUDDY_SETUP_H

#include <pmm/buddy.h>
#include <pmm/check.h>

struct buddy_zone_spec {
	int nid;
	enum pmm_zone_type type;
	pmm_pfn_t start; /* inclusive */
	pmm_pfn_t end;   /* exclusive */
};

struct buddy_setup_opts {
	pmm_pfn_t max_pfn;                   /* descriptors for [0, max_pfn) */
	const struct buddy_zone_spec *zones; /* NULL: Normal [0, max_pfn), node 0 */
	unsigned int nr_zones;
	bool handoff;      /* hand every zone's span (minus pfn 0) to the buddy */
	bool deferred;     /* with handoff: deferred (pmm_buddy_set_deferred()) */
	bool keep_pcp;     /* keep per-CPU lists (default: disabled, for exact counts) */
	bool untouchable;  /* host memory answers map() with NULL */
	bool verbose;      /* print reports (default: counted quietly) */
	bool reporting;    /* install the host's free page reporting hooks */
	bool report_declines; /* with reporting: the hook takes nothing */
	bool virtual_memmap; /* the host's virtual memmap (memmap_populate hooks) */
};

/* Build it; nodes span their zones. Return: 0 or a pmm error / -1. */
int buddy_setup(const struct buddy_setup_opts *opts);
/* One Normal zone over [0, max_pfn), handed off, per-CPU lists off. */
int buddy_setup_simple(pmm_pfn_t max_pfn);
/* Free everything buddy_setup() made and reset pmm and the platform. */
void buddy_teardown(void);

/* One Normal zone [@start, @end) on node 0, handed off; descriptors to @max_pfn. */
int buddy_setup_normal(pmm_pfn_t start, pmm_pfn_t end, pmm_pfn_t max_pfn);
/* The zone-resize tests' machine: Normal [1024, 4096) on node 0 and
 * [5120, 6144) on node 1, nothing handed off; descriptors to 8192. */
int buddy_setup_resize_pair(void);
/* DMA [0, @dma_end) and Normal [@dma_end, @max_pfn) on node 0, handed off. */
int buddy_setup_dma_normal(pmm_pfn_t dma_end, pmm_pfn_t max_pfn);

/* Pages handed off by buddy_setup() (0 without .handoff). */
uint64_t buddy_setup_handed(void);

/* Snapshot of one zone's free-list lengths, for "gives back exactly". */
struct buddy_counts {
	uint64_t nr_free[PMM_NR_ORDERS];
	uint64_t free_pages;
};
void buddy_counts_get(const struct pmm_zone *zone, struct buddy_counts *c);
bool buddy_counts_equal(const struct buddy_counts *a,
			const struct buddy_counts *b);

/* Zone of @type on node 0 (or NULL). */
struct pmm_zone *buddy_zone(enum pmm_zone_type type);

#endif /* PMM_TESTS_BUDDY_SETUP_H */
