/* SPDX-License-Identifier: MIT */
/*
 * slab_setup.h - the slab tests' machine: one Normal zone (or DMA +
 * Normal) handed to the buddy allocator, then pmm_slab_init(), with
 * reports counted quietly; and small helpers to read the slab layer's
 * text reports.
 *
 *   slab_setup(4096, 0);          16 MiB Normal, plain kmalloc caches
 *   cmocka_unit_test_setup_teardown(t, slab_fixture_setup, slab_fixture_teardown)
 *   ...
 *   slab_teardown();
 */
#ifndef PMM_TESTS_SLAB_SETUP_H
#define PMM_TESTS_SLAB_SETUP_H

#include <pmm/slab.h>

/* Buddy over [0, @pages) and the slab layer with kmalloc @flags.
 * Return: 0 or an error. */
int slab_setup(pmm_pfn_t pages, unsigned int flags);
/* DMA [0, @dma_end) + Normal [@dma_end, @pages), then the slab layer. */
int slab_setup_dma(pmm_pfn_t dma_end, pmm_pfn_t pages, unsigned int flags);
void slab_teardown(void);

/* cmocka fixtures: slab_setup(8192, 0); and, after the case, both
 * checkers must pass before slab_teardown(). */
int slab_fixture_setup(void **state);
int slab_fixture_teardown(void **state);

/* pmm_report_slabinfo() into a malloc'd string (caller frees). */
char *slab_info_text(void);
/* pmm_report_page_owner() into a malloc'd string (caller frees). */
char *slab_owner_text(void);

/* The slabinfo line of cache @name, parsed; Return: true if found. */
struct slab_info_line {
	unsigned long long active, objs, objsize, perslab, pages;
	unsigned long long limit, batch, shared, active_slabs, slabs, avail;
};
bool slab_info_find(const char *text, const char *name,
		    struct slab_info_line *l);

/* Reports seen since the last call (the host platform's count). */
unsigned int slab_reports_since(void);

#endif /* PMM_TESTS_SLAB_SETUP_H */
