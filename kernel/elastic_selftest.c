/* SPDX-License-Identifier: MIT */
/*
 * elastic_selftest.c - free page reporting and known-zero pages
 * (pmm/elastic.h) on bare metal, after the other self-tests.
 *
 * Zeroed pages: pmm_zero_idle() zeroes free low memory in "idle time";
 * every known-zero block is read back (pmm_zero_verify()); zeroed 4 KiB
 * pages and a zeroed 2 MiB block are taken, read as zero, written and
 * freed.
 * Reporting: plain QEMU has no balloon, so this kernel plays the
 * hypervisor with two hooks that only count (nothing is discarded, so
 * reclaimed memory is not promised zero); passes until one reports
 * nothing, then pageblock allocations until one reclaims a reported block
 * first (at most RECLAIM_TRIES), and afterwards
 * reported less reclaimed pages equal pmm's count. At the end the free
 * page count and pmm_check() are as before.
 */
#include <pmm/check.h>
#include <pmm/buddy.h>
#include <pmm/elastic.h>
#include "kernel.h"

#define ZERO_PAGES 8 /* zeroed 4 KiB pages taken */

static uint64_t reported, reclaimed; /* pages, as the "hypervisor" saw them */

static int count_report(void *ctx, const pmm_pfn_t *pfns,
			const pmm_order_t *orders, unsigned int n)
{
	(void)ctx;
	(void)pfns;
	for (unsigned int i = 0; i < n; i++)
		reported += (uint64_t)1 << orders[i];
	return 0;
}

static void count_reclaim(void *ctx, pmm_pfn_t pfn, pmm_order_t order)
{
	(void)ctx;
	(void)pfn;
	reclaimed += (uint64_t)1 << order;
}

/* Return: true if the 2^@order pages at @p read as zero (where mapped). */
static bool reads_zero(struct pmm_page *p, pmm_order_t order)
{
	uint64_t bytes = (uint64_t)PMM_PAGE_SIZE << order;
	return pmm_phys_find_nonzero(PMM_PFN_PHYS(pmm_page_to_pfn(p)), bytes) == bytes;
}

/* Zeroed allocations after idle zeroing. Return: true if all held. */
static bool zero_test(void)
{
	struct pmm_page *pages[ZERO_PAGES];
	int zeroed = pmm_zero_idle(4096);
	const char *bad = pmm_zero_verify();
	bool ok = zeroed > 0 && bad == NULL;
	for (int i = 0; i < ZERO_PAGES; i++) {
		pages[i] = pmm_alloc_pages(PMM_GFP_KERNEL | PMM_GFP_ZERO, 0);
		ok = ok && pages[i] != NULL && reads_zero(pages[i], 0);
	}
	struct pmm_page *big = pmm_alloc_pages(PMM_GFP_KERNEL | PMM_GFP_ZERO, 9);
	ok = ok && big != NULL && reads_zero(big, 9);
	pmm_printk("pmm elastic-test: %d pages zeroed in idle time, known-zero blocks %s, "
		   "%d zeroed pages and a zeroed 2 MiB block read zero: %s\n",
		   zeroed, bad == NULL ? "read zero" : bad, ZERO_PAGES,
		   ok ? "ok" : "WRONG");
	for (int i = 0; i < ZERO_PAGES; i++)
		if (pages[i] != NULL)
			(void)pmm_free_pages(pages[i], 0);
	if (big != NULL)
		(void)pmm_free_pages(big, 9);
	return ok;
}

#define RECLAIM_TRIES 64 /* pageblock allocations until one reclaims */

/* Reporting passes, then allocations until one reclaims. Return: true if held. */
static bool report_test(void)
{
	struct pmm_platform saved = *pmm_platform_get(), p = saved;
	struct pmm_report_stats st;
	struct pmm_page *blocks[RECLAIM_TRIES];
	int n = 0, got, taken = 0;
	p.report_free = count_report;
	p.reclaim_reported = count_reclaim;
	pmm_platform_set(&p);
	bool ok = pmm_report_set(PMM_REPORT_ORDER_DEFAULT, 1) == 0;
	while ((got = pmm_report_free_pages(16)) > 0)
		n += got;
	while (reclaimed == 0 && taken < RECLAIM_TRIES &&
	       (blocks[taken] = pmm_alloc_pages(PMM_GFP_KERNEL,
						PMM_REPORT_ORDER_DEFAULT)) != NULL)
		taken++;
	pmm_report_stats(&st);
	ok = ok && n > 0 && reclaimed > 0 && reported - reclaimed == st.reported_pages;
	pmm_printk("pmm elastic-test: %d blocks reported (%llu pages), %llu pages "
		   "reclaimed at pageblock allocation %d, %llu still reported: %s\n",
		   n, (unsigned long long)reported, (unsigned long long)reclaimed,
		   taken, (unsigned long long)st.reported_pages, ok ? "ok" : "WRONG");
	while (taken > 0)
		(void)pmm_free_pages(blocks[--taken], PMM_REPORT_ORDER_DEFAULT);
	pmm_report_reset();
	pmm_platform_set(&saved);
	return ok;
}

bool kernel_elastic_selftest(void)
{
	uint64_t free0 = pmm_nr_free_pages();
	bool ok = zero_test();
	ok = report_test() && ok;
	pmm_pcp_drain_all();
	const char *bad = pmm_check();
	if (bad != NULL || pmm_nr_free_pages() != free0) {
		pmm_printk("pmm elastic-test: after: %llu pages free, %llu before; %s\n",
			   (unsigned long long)pmm_nr_free_pages(),
			   (unsigned long long)free0, bad != NULL ? bad : "check ok");
		ok = false;
	}
	pmm_printk("pmm elastic-test: %s\n", ok ? "PASS" : "FAIL");
	return ok;
}
