/* SPDX-License-Identifier: MIT */
/*
 * alloc_pmm.c - W1-W4 on pmm's buddy allocator, and pmm's bench arena.
 *
 * The arena is one node with one Normal zone over pfns [BENCH_ARENA_BASE,
 * + pages), metadata in host memory (descriptor array, pair bitmap), the
 * arena itself never touched (the host platform is installed untouchable).
 * Watermarks are 0, so W3/W4 measure the buddy allocator, not the reserve.
 */
#include <stdio.h>
#include <stdlib.h>

#include <pmm/buddy.h>
#include <pmm/check.h>

#include "bench.h"
#include "host_platform.h"

static void *pmm_bitmap;
static uint64_t pmmw_free_errors;

static struct pmm_zone *bench_zone(void)
{
	return &pmm_nodes[0].zones[PMM_ZONE_NORMAL];
}

int bench_pmm_arena(uint64_t pages, bool handoff)
{
	pmm_pfn_t start = BENCH_ARENA_BASE, end = BENCH_ARENA_BASE + pages;
	size_t bytes = (size_t)end * sizeof(struct pmm_page);
	struct pmm_page *map = bench_buf_get(BENCH_BUF_PMM_MAP, bytes);
	if (!map)
		return -1;
	bench_zero(map + start, (size_t)pages * sizeof(struct pmm_page));
	free(pmm_bitmap);
	pmm_bitmap = calloc(1, pmm_zone_bitmap_bytes(start, end) + 64);
	if (!pmm_bitmap)
		return -1;
	pmm_zones_reset();
	pmm_buddy_reset_settings();
	pmm_page_map_init(map, end);
	int err = pmm_node_init(0, start, end);
	if (!err)
		err = pmm_zone_init(0, PMM_ZONE_NORMAL, start, end, pages,
				    pmm_bitmap);
	uint64_t freed = 0;
	if (!err && handoff)
		err = pmm_buddy_handoff_range(start, end, &freed);
	if (err) {
		fprintf(stderr, "pmm-bench: pmm arena of %llu pages: %s\n",
			(unsigned long long)pages, pmm_strerror(err));
		return -1;
	}
	pmm_zone_set_watermarks(bench_zone(), 0, 0, 0);
	pmmw_free_errors = 0;
	return 0;
}

static inline uint64_t pmmw_alloc(unsigned int order)
{
	struct pmm_page *pg = pmm_alloc_pages(PMM_GFP_KERNEL, order);
	return pg ? pmm_page_to_pfn(pg) : 0;
}

static inline void pmmw_free(uint64_t pfn, unsigned int order)
{
	if (__builtin_expect(pmm_free_pages(pmm_pfn_to_page(pfn), order) != 0, 0))
		pmmw_free_errors++;
}

/* True when pmm holds a free block of @order or above (per-CPU ones too). */
static bool pmmw_has_free(unsigned int order)
{
	const struct pmm_zone *z = bench_zone();
	for (unsigned int k = order; k <= PMM_MAX_ORDER; k++)
		if (z->free_area[k].nr_free)
			return true;
	for (unsigned int c = 0; c < PMM_NR_CPUS; c++)
		for (unsigned int mt = 0; mt < PMM_MT_TYPES; mt++)
			for (unsigned int k = order; k <= PMM_PCP_MAX_ORDER; k++)
				if (z->pcp[c].head[mt][k])
					return true;
	return false;
}

static uint64_t pmmw_free_2m(void)
{
	const struct pmm_zone *z = bench_zone();
	return z->free_area[9].nr_free + 2 * z->free_area[10].nr_free;
}

#define BW_NAME pmmw
#define BW_ALLOC(o) pmmw_alloc(o)
#define BW_FREE(h, o) pmmw_free(h, o)
#define BW_ADDR(h) ((h) << PMM_PAGE_SHIFT)
#define BW_HAS_FREE(o) pmmw_has_free(o)
#define BW_FREE_2M() pmmw_free_2m()
#include "workload.h"

_Static_assert(PMM_MAX_ORDER == 10, "pmmw_free_2m counts orders 9 and 10");

static int pmmw_setup(uint64_t pages)
{
	return bench_pmm_arena(pages, true);
}

static void pmmw_teardown(void)
{
}

/* After a validation pass: pmm's own errors and its consistency check. */
static const char *pmmw_verify(uint64_t pages)
{
	static char msg[200];
	if (pmmw_free_errors) {
		snprintf(msg, sizeof(msg), "%llu frees returned an error",
			 (unsigned long long)pmmw_free_errors);
		return msg;
	}
	if (host_report_count()) {
		snprintf(msg, sizeof(msg), "pmm reported: %s",
			 host_last_report_msg());
		return msg;
	}
	if (pages > ((uint64_t)1 << 22))
		return NULL;
	const char *bad = pmm_check();
	if (bad) {
		snprintf(msg, sizeof(msg), "pmm_check: %s", bad);
		return msg;
	}
	return NULL;
}

static void pmmw_pair_checked(const struct bench_params *p,
			      struct bench_checker *chk,
			      struct bench_result *r)
{
	pmmw_pair(p, chk, r);
	if (chk && !r->error)
		r->error = pmmw_verify(p->arena_pages);
}

static void pmmw_mixed_checked(const struct bench_params *p,
			       struct bench_checker *chk,
			       struct bench_result *r)
{
	pmmw_mixed(p, chk, r);
	if (chk && !r->error)
		r->error = pmmw_verify(p->arena_pages);
}

const struct bench_alloc bench_alloc_pmm = {
	.name = "pmm",
	.arena = true,
	.size_aligned = true,
	.setup = pmmw_setup,
	.teardown = pmmw_teardown,
	.pair = pmmw_pair_checked,
	.mixed = pmmw_mixed_checked,
};

/*
 * The lazy-buddy comparison (workload LZ): pmm with coalescing forced
 * immediate or lazy, with the default per-CPU lists (W3, W4) or without
 * any (the seed's worst case, where every order-0 free would otherwise be
 * absorbed by the per-CPU list).
 */
static int pmmw_setup_mode(uint64_t pages, bool lazy, bool pcp)
{
	if (bench_pmm_arena(pages, true) != 0)
		return -1;
	if (!pcp && pmm_pcp_set_high_batch(0, 0) != 0)
		return -1;
	pmm_buddy_set_lazy(lazy);
	return 0;
}

static int pmmw_setup_imm(uint64_t pages)
{
	return pmmw_setup_mode(pages, false, true);
}

static int pmmw_setup_lazy(uint64_t pages)
{
	return pmmw_setup_mode(pages, true, true);
}

static int pmmw_setup_nopcp_imm(uint64_t pages)
{
	return pmmw_setup_mode(pages, false, false);
}

static int pmmw_setup_nopcp_lazy(uint64_t pages)
{
	return pmmw_setup_mode(pages, true, false);
}

/* Back to pmm's defaults for the workloads that follow. */
static void pmmw_teardown_mode(void)
{
	pmm_buddy_set_lazy(false);
}

#define PMMW_MODE(var, label, setup_fn)                                       \
	const struct bench_alloc var = {                                      \
		.name = label,                                                \
		.arena = true,                                                \
		.size_aligned = true,                                         \
		.setup = setup_fn,                                            \
		.teardown = pmmw_teardown_mode,                               \
		.pair = pmmw_pair_checked,                                    \
		.mixed = pmmw_mixed_checked,                                  \
	}

PMMW_MODE(bench_alloc_pmm_immediate, "pmm-immediate", pmmw_setup_imm);
PMMW_MODE(bench_alloc_pmm_lazy, "pmm-lazy", pmmw_setup_lazy);
PMMW_MODE(bench_alloc_pmm_nopcp_immediate, "pmm-nopcp-immediate",
	  pmmw_setup_nopcp_imm);
PMMW_MODE(bench_alloc_pmm_nopcp_lazy, "pmm-nopcp-lazy", pmmw_setup_nopcp_lazy);
