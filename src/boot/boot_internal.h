/* SPDX-License-Identifier: MIT */
/*
 * boot_internal.h - what the boot sequence's files share: the machine's
 * layout as the boot sees it, and the adapter each early allocator offers.
 */
#ifndef PMM_BOOT_INTERNAL_H
#define PMM_BOOT_INTERNAL_H

#include <pmm/boot.h>
#include <pmm/zone.h>

/* Page 0, kernel code, data and init, and one bootmem bitmap a node. */
_Static_assert(PMM_BOOT_MAX_RESERVED >= 4 + PMM_MAX_NUMNODES,
	       "PMM_BOOT_MAX_RESERVED holds the boot's own reservations");

struct boot_node {
	bool online;
	pmm_pfn_t start_pfn; /* first usable page, inclusive */
	pmm_pfn_t end_pfn;   /* last usable page + 1 */
};

struct boot_state {
	struct pmm_memmap *map;
	const struct pmm_boot_config *cfg;
	struct pmm_boot_info *info;
	struct boot_node node[PMM_MAX_NUMNODES];
	unsigned int nr_nodes;
	pmm_pfn_t max_pfn;
	pmm_pfn_t lowmem_end_pfn;  /* early metadata lives below this */
	pmm_pfn_t highmem_pfn;     /* i386: HighMem starts here; else no limit */
	/* [start, end) page-rounded, sorted, neither overlapping nor touching */
	struct pmm_phys_range resv[PMM_BOOT_MAX_RESERVED];
	unsigned int nr_resv;
};

/* What boot_each_seg() and boot_each_resv_piece() call, range by range. */
typedef int boot_range_fn(const struct boot_state *bs,
			  const struct pmm_phys_range *r, int nid, void *arg);

/*
 * Call @fn for each usable segment of the map - page aligned, on one node,
 * cut at NUMA edges - with its node, in address order. Return: 0, or the
 * first nonzero value @fn returns (the walk stops there).
 */
int boot_each_seg(const struct boot_state *bs, boot_range_fn *fn, void *arg);
/*
 * Call @fn for each part of each reservation that is usable RAM, with its
 * node. Return: 0, or the first nonzero value @fn returns (the walk stops
 * there).
 */
int boot_each_resv_piece(const struct boot_state *bs, boot_range_fn *fn,
			 void *arg);

/*
 * Check the caller's config before anything changes. Return: 0, or
 * PMM_EINVAL with a log line naming the field (a reversed range, a NULL
 * reservation array with a count).
 */
int boot_check_config(const struct pmm_boot_config *cfg);
/* Zone bounds of @profile in pfns: zone t spans [bound[t], bound[t + 1]). */
void boot_zone_bounds(enum pmm_profile profile, pmm_pfn_t highmem,
		      pmm_pfn_t bound[PMM_NR_ADDR_ZONES + 1]);
/* ---- boot_hotplug.c ---- */
/* Check cfg->memory_block_bytes. Return: 0 or PMM_EINVAL (logged). */
int boot_hotplug_check(const struct pmm_boot_config *cfg);
/* Return: pfns the descriptor array covers: RAM and cfg->hotplug_max. */
pmm_pfn_t boot_memmap_pfns(const struct boot_state *bs);
/* Boot step: the memory block table (pmm_hotplug_init()). Return: 0 or its error. */
int boot_hotplug_setup(struct boot_state *bs);
/*
 * Check cfg->lowmem_end and cfg->vmalloc_reserve (boot_lowmem.c).
 * Return: 0, or PMM_EINVAL with a log line saying what to change.
 */
int boot_lowmem_check(const struct pmm_boot_config *cfg);
/* Set bs->highmem_pfn and bs->lowmem_end_pfn; log Linux's lines on i386. */
void boot_lowmem_layout(struct boot_state *bs);
/*
 * Work out nodes and max_pfn from the map. Return: 0, PMM_ERANGE (a node id
 * past PMM_MAX_NUMNODES), PMM_ENOMEM (no usable RAM), PMM_EOVERLAP (nodes
 * interleave); each logged.
 */
int boot_layout_nodes(struct boot_state *bs);
/*
 * Collect page 0, the kernel image and the config's reservations, sorted
 * and merged. Return: 0 or PMM_EFULL (logged).
 */
int boot_layout_reservations(struct boot_state *bs);
/*
 * Add [start, end) to the reservation list (page-rounded, merged).
 * Return: 0 or PMM_EFULL (logged, the list unchanged).
 */
int boot_resv_add(struct boot_state *bs, pmm_phys_t start, pmm_phys_t end);
/*
 * Find @size bytes, page aligned, of usable RAM on node @nid below @limit
 * that no reservation touches, preferring addresses at or above @goal.
 * Return: 0 with *@out set, or PMM_ENOMEM.
 */
int boot_find_free(const struct boot_state *bs, int nid, uint64_t size,
		   pmm_phys_t goal, pmm_phys_t limit, pmm_phys_t *out);
/* Return: the usable pages of node @nid in pfns [@start, @end). */
uint64_t boot_present_pages(const struct boot_state *bs, int nid,
			    pmm_pfn_t start, pmm_pfn_t end);

/* The adapter an early allocator offers the boot sequence. */
struct boot_early_ops {
	/* Take the usable RAM, then the reservations; log what it did. */
	int (*setup)(struct boot_state *bs);
	/* Early memory on node @nid below @limit (0: none), zeroed if @zero. */
	int (*alloc)(struct boot_state *bs, int nid, uint64_t size,
		     uint64_t align, pmm_phys_t limit, bool zero, pmm_phys_t *out);
	/* Retire: hand every free page to the buddy allocator. */
	int (*retire)(struct boot_state *bs);
	/* After retirement: give a reserved range to the buddy allocator. */
	int (*free_late)(pmm_phys_t addr, uint64_t size);
};

/* Early memory anywhere on node @nid, @align aligned (boot.c). */
int boot_early_alloc(struct boot_state *bs, int nid, uint64_t size,
		     uint64_t align, pmm_phys_t *pa);
/* boot_cma.c: check cfg->cma; the boot steps before and after hand-off. */
int boot_cma_check(const struct pmm_boot_config *cfg);
int boot_cma_reserve(struct boot_state *bs);
int boot_cma_activate(struct boot_state *bs);

extern const struct boot_early_ops boot_bootmem_ops;
extern const struct boot_early_ops boot_memblock_ops;

#endif /* PMM_BOOT_INTERNAL_H */
