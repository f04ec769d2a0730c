/* SPDX-License-Identifier: MIT */
/*
 * reliability_marks.c - see reliability_marks.h: every marked free head
 * against a page model, the host platform's count of reported pages
 * against pmm's, and pmm_zero_verify().
 */
#include <stdio.h>

#include <pmm/elastic.h>
#include <pmm/page.h>

#include "host_platform.h"
#include "reliability_marks.h"

const char *rel_marks_check(bool (*is_used)(pmm_pfn_t pfn), pmm_pfn_t npages,
			    bool read_memory)
{
	static char msg[160];
	struct pmm_report_stats st;
	for (pmm_pfn_t pfn = 0; pfn < npages; pfn++) {
		const struct pmm_page *p = pmm_pfn_to_page(pfn);
		if ((p->info & PMM_PG_MARKS) == 0)
			continue;
		pmm_pfn_t end = pfn + ((pmm_pfn_t)1 << pmm_page_order(p));
		for (pmm_pfn_t q = pfn; q < end; q++) {
			if (!is_used(q))
				continue;
			snprintf(msg, sizeof(msg), "marked head %llu info %#x over allocated page %llu",
				 (unsigned long long)pfn, p->info, (unsigned long long)q);
			return msg;
		}
	}
	pmm_report_stats(&st);
	if (host_reported_pages() - host_reclaimed_pages() != st.reported_pages) {
		snprintf(msg, sizeof(msg), "host holds %llu reported pages, pmm counts %llu",
			 (unsigned long long)(host_reported_pages() - host_reclaimed_pages()),
			 (unsigned long long)st.reported_pages);
		return msg;
	}
	return read_memory ? pmm_zero_verify() : NULL;
}
