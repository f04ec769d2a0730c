/* SPDX-License-Identifier: MIT */
/*
 * pmm/elastic.h - memory that grows and shrinks under a hypervisor.
 *
 * Free page reporting and known-zero pages (issue 12, points 2 and 3):
 * free blocks of at least a minimum order are offered to the hypervisor
 * in batches (the platform's report_free hook) and marked reported until
 * they are allocated again, when reclaim_reported gives them back first;
 * free blocks whose memory is known to read zero are marked so, and
 * __GFP_ZERO / pmm_get_zeroed_page() take them without a memset. The
 * marks live on free heads (pmm/page.h: PMM_PG_REPORTED, PMM_PG_ZERO) and
 * are kept by the buddy layer (src/buddy/buddy_marks.c); this layer owns
 * the passes that set them (src/elastic/).
 *
 * Every call returns 0 or a count, or a negative PMM_E* code and changes
 * nothing. Locking: each call takes one zone lock at a time; the platform
 * hooks run under it.
 */
#ifndef PMM_ELASTIC_H
#define PMM_ELASTIC_H

#include <pmm/types.h>

/* ---- free page reporting (src/elastic/reporting.c) ---- */

/* Linux's defaults: pageblock order (2 MiB of 4 KiB pages), 32 per batch. */
#define PMM_REPORT_ORDER_DEFAULT 9
#define PMM_REPORT_BATCH_MAX 32
/* The smallest reportable order: above the per-CPU orders (0..3). */
#define PMM_REPORT_ORDER_MIN 4

/*
 * Set the smallest order reported and the batch size (1..32 blocks; a
 * pass runs only when a zone holds at least a batch of unreported free
 * memory of that order). Return: 0, PMM_EORDER for @order outside
 * [PMM_REPORT_ORDER_MIN, PMM_MAX_ORDER], PMM_EINVAL for @batch.
 */
int pmm_report_set(pmm_order_t order, unsigned int batch);

/* Back to the defaults (pageblock order, 32); the boot setting. */
void pmm_report_reset(void);

/*
 * One reporting pass, for the platform's idle time or timer (the delay
 * after frees is its cadence): in every zone with a batch of unreported
 * free memory of the minimum order or more, offer up to @budget free
 * blocks of that order or above, in batches, to report_free; those it
 * takes are marked reported and go to the tail of their lists.
 * Return: the blocks reported (0..@budget), or PMM_EINVAL for a zero
 * @budget or one above INT_MAX, PMM_ESTATE without a report_free hook or
 * while free pages are poisoned (the hypervisor's zeros would read as
 * use after free).
 */
int pmm_report_free_pages(unsigned int budget);

/* Reporting's figures, summed over every zone. */
struct pmm_report_stats {
	uint64_t reported_pages;  /* [pages] handed to the hypervisor now */
	uint64_t reclaimed_pages; /* [pages] given back by reclaim_reported */
	uint64_t reported_blocks; /* blocks handed over now */
	uint64_t zero_pages;      /* [pages] in known-zero free blocks */
};

/* Fill @st (never NULL). Takes each zone's lock in turn. */
void pmm_report_stats(struct pmm_report_stats *st);

/* ---- known-zero free blocks (src/elastic/zero.c) ---- */

/*
 * Zero free blocks, for the platform's idle time: up to @budget pages in
 * all, plain free blocks from the lowest order up, each taken off the
 * lists while it is written (no lock held) and put back known zero.
 * Blocks that cannot be mapped (pmm/platform.h map) are put back as they
 * were. Return: the pages zeroed (0..@budget), PMM_EINVAL for a zero
 * @budget or one above INT_MAX, PMM_ESTATE while free pages are poisoned.
 */
int pmm_zero_idle(unsigned int budget);

/*
 * Read every known-zero free block (where it can be mapped).
 * Return: NULL, or a message naming the first block with a byte that
 * is not zero. Takes each zone's lock in turn.
 */
const char *pmm_zero_verify(void);

#endif /* PMM_ELASTIC_H */
