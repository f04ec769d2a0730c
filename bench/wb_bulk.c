/* SPDX-License-Identifier: MIT */
/*
 * wb_bulk.c - WB: order-0 pages by the batch on pmm, ns per page.
 *
 * Not one of the standard workloads (issue 18, item 4): with one page held
 * (as W2), take WB_PAGES pages in batches of 16 and of 64, and give each
 * batch back before the next, either by the single calls (a loop of
 * pmm_alloc_page(), then a loop of pmm_free_page()) or by the bulk calls
 * (pmm_alloc_pages_bulk(), pmm_free_pages_bulk()). The baseline, run
 * interleaved with them, is W2's pair on pmm: one pmm_alloc_page() and its
 * pmm_free_page() per page. Every figure is ns per page (its allocation and
 * its free); the target is bulk <= 0.5x the pair. The validation pass runs
 * each loop once untimed and then asks pmm_check() and the page count.
 */
#include <stdio.h>
#include <string.h>

#include <pmm/buddy.h>
#include <pmm/check.h>

#include "bench.h"
#include "host_platform.h"

#define WB_MAX_BATCH 64u

enum wb_kind { WB_PAIR, WB_SINGLE, WB_BULK };

struct wb_series {
	const char *name;
	enum wb_kind kind;
	unsigned int batch;
	double v[BENCH_MAX_RUNS];
	bool ok;
};

/* One batch by the single calls. Return: false if an allocation failed. */
static bool wb_single(struct pmm_page **pages, unsigned int batch)
{
	for (unsigned int i = 0; i < batch; i++)
		if ((pages[i] = pmm_alloc_page(PMM_GFP_KERNEL)) == NULL)
			return false;
	for (unsigned int i = 0; i < batch; i++)
		if (pmm_free_page(pages[i]) != 0)
			return false;
	return true;
}

/* One batch by the bulk calls (the array comes back all NULL). */
static bool wb_bulk(struct pmm_page **pages, unsigned int batch)
{
	return pmm_alloc_pages_bulk(PMM_GFP_KERNEL, batch, pages) == batch &&
	       pmm_free_pages_bulk(batch, pages) == 0;
}

/* W2's pair, one page at a time. */
static bool wb_pair(uint64_t pages)
{
	for (uint64_t i = 0; i < pages; i++) {
		struct pmm_page *pg = pmm_alloc_page(PMM_GFP_KERNEL);
		if (pg == NULL || pmm_free_page(pg) != 0)
			return false;
	}
	return true;
}

/* Return: ns per page of one pass of @s over @pages pages, 0 on failure. */
static double wb_pass(const struct bench_opts *o, const struct wb_series *s,
		      uint64_t pages, bool validate)
{
	struct pmm_page *arr[WB_MAX_BATCH] = { 0 };
	if (bench_pmm_arena(o->arena_pages, true) != 0)
		return 0;
	struct pmm_page *held = pmm_alloc_page(PMM_GFP_KERNEL);
	if (held == NULL)
		return 0;
	bool ok = true;
	unsigned int reports = host_report_count();
	uint64_t t0 = bench_now_ns();
	if (s->kind == WB_PAIR)
		ok = wb_pair(pages);
	for (uint64_t n = 0; ok && s->kind != WB_PAIR && n < pages; n += s->batch)
		ok = s->kind == WB_BULK ? wb_bulk(arr, s->batch)
					: wb_single(arr, s->batch);
	uint64_t ns = bench_now_ns() - t0;
	ok = ok && pmm_free_page(held) == 0;
	if (ok && validate) {
		pmm_pcp_drain_all();
		ok = pmm_check() == NULL && host_report_count() == reports &&
		     pmm_nr_free_pages() == o->arena_pages;
	}
	return ok ? (double)ns / (double)pages : 0;
}

void bench_wb(struct bench_opts *o)
{
	struct wb_series s[] = {
		{ "pmm-pair", WB_PAIR, 1, { 0 }, true },
		{ "pmm-single-16", WB_SINGLE, 16, { 0 }, true },
		{ "pmm-bulk-16", WB_BULK, 16, { 0 }, true },
		{ "pmm-single-64", WB_SINGLE, 64, { 0 }, true },
		{ "pmm-bulk-64", WB_BULK, 64, { 0 }, true },
	};
	const size_t n = sizeof(s) / sizeof(s[0]);
	uint64_t pages = o->w12_ops - o->w12_ops % WB_MAX_BATCH;
	for (size_t i = 0; i < n; i++) {
		bench_progress("WB %s: validation pass", s[i].name);
		if (wb_pass(o, &s[i], pages < 65536 ? pages : 65536, true) == 0) {
			printf("  WB %s: VALIDATION FAILED\n", s[i].name);
			o->failures++;
			s[i].ok = false;
		}
	}
	for (unsigned int r = 0; r < o->runs; r++)
		for (size_t i = 0; i < n; i++) {
			if (!s[i].ok)
				continue;
			bench_progress("WB %s: run %u/%u", s[i].name, r + 1, o->runs);
			s[i].v[r] = wb_pass(o, &s[i], pages, false);
		}
	char unit[96];
	snprintf(unit, sizeof(unit), "ns per page (its alloc and its free), %llu pages",
		 (unsigned long long)pages);
	bench_section("WB bulk calls: order-0 pages in batches of 16 and 64 on pmm",
		      unit, "pmm-pair, W2's pair (target: bulk <= 0.5)");
	double base = s[0].ok ? bench_median_d(s[0].v, o->runs) : 0;
	for (size_t i = 0; i < n; i++) {
		char notes[64];
		snprintf(notes, sizeof(notes), "baseline=pmm-pair batch=%u",
			 s[i].batch);
		if (s[i].ok)
			bench_figure("WB", s[i].name, s[i].v, o->runs, base, notes);
	}
}
