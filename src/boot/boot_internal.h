/* SPDX-License-Identifier: MIT */
/*
 * boot_internal.h - what the boot sequence's files share: the machine's
 * layout as the boot sees it, and the adapter each early allocator offers.
 */
#ifndef PMM_BOOT_INTERNAL_H
#define PMM_BOOT_INTERNAL_H

#include <pmm/boot.h>
#include <pmm/zone.h>

#define BOOT_MAX_RESV (PMM_BOOT_MAX_RESERVED + 8 + PMM_MAX_NUMNODES)

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
	struct pmm_phys_range resv[BOOT_MAX_RESV]; /* sorted, page-rounded, merged */
	unsigned int nr_resv;
};

/* Iterates the usable RAM of the map cut at NUMA range edges. */
struct boot_seg_iter {
	const struct boot_state *bs;
	unsigned int entry;
	pmm_phys_t pos;
};

void boot_seg_iter_init(struct boot_seg_iter *it, const struct boot_state *bs);
/* Return: false at the end; else the next usable segment and its node. */
bool boot_seg_next(struct boot_seg_iter *it, struct pmm_phys_range *seg, int *nid);

/* Return: false at the end; else the next part of @r that is usable RAM. */
bool boot_resv_piece_next(struct boot_seg_iter *it, const struct pmm_phys_range *r,
			  struct pmm_phys_range *piece, int *nid);

/* Work out nodes and max_pfn from the map. Return: 0 or an error. */
int boot_layout_nodes(struct boot_state *bs);
/* Collect the reservations of the config, sorted and merged. */
int boot_layout_reservations(struct boot_state *bs);
/* Add [start, end) to the reservation list (page-rounded, merged). */
int boot_resv_add(struct boot_state *bs, pmm_phys_t start, pmm_phys_t end);
/*
 * Find @size bytes, page aligned, of usable RAM on node @nid below @limit
 * that no reservation touches, preferring addresses at or above @goal.
 * Return: 0 with *@out set, or PMM_ENOMEM.
 */
int boot_find_free(const struct boot_state *bs, int nid, uint64_t size,
		   pmm_phys_t goal, pmm_phys_t limit, pmm_phys_t *out);
/* Usable pages of node @nid in pfns [@start, @end). */
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

extern const struct boot_early_ops boot_bootmem_ops;
extern const struct boot_early_ops boot_memblock_ops;

#endif /* PMM_BOOT_INTERNAL_H */
