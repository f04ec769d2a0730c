/* SPDX-License-Identifier: MIT */
/*
 * test_buddy_diff.c - randomized differential test of the buddy allocator
 * against a reference model (one state byte per page plus a free bitmap).
 *
 * Memory (pages):
 *   0 |x|  DMA  |res|   DMA32   |res|        Normal          | 16384
 *      0  1..2900  ..3000 ..8000  ..8100                ..16384
 *   DMA [0, 3000), DMA32 [3000, 9000), Normal [9000, 16384); handed off:
 *   [1, 2900), [3000, 8000), [8100, 16384); 2900-2999 is freed late with
 *   pmm_buddy_free_range() half-way through.
 *
 * Four phases: immediate coalescing, with and without per-CPU lists, then
 * the lazy buddy, with and without. Every allocation must return pages the
 * model has free, in the first zone of the zonelist that the model says
 * can serve it (per-CPU phases: any allowed zone); without per-CPU lists a
 * failure must mean the model has no free aligned block either. Frees give
 * back exactly 2^order pages; the error cases (wrong order, double free,
 * inside a block, reserved) change nothing. pmm_check() runs every
 * CHECK_EVERY operations, after each phase and at the end, where
 * everything is freed and the free lists must equal the canonical
 * decomposition of the free runs.
 *
 * Memory hotplug (pmm/elastic.h) runs beside it: four blocks of 1024
 * pages above the boot memory, [16384, 20480), are added (growing Normal),
 * offlined, onlined and removed at random; an offline succeeds exactly
 * when the model has every page of the block free (no migrate hook), and
 * the model follows the zone metadata hotplug takes from boot memory
 * (M_META) and gives back. The host's virtual memmap backs each added
 * block's descriptors: with an even seed in the block's own first pages
 * (reserved in the model), with an odd one in a late allocation of boot
 * memory (followed as metadata). A block is added (or brought back) to Normal
 * or to the Movable zone, as the call asks or the default policy picks;
 * the model reads which and keeps a fourth zone, Movable, that only
 * requests with both PMM_GFP_HIGHMEM and PMM_GFP_MOVABLE reach, first.
 *
 * Bulk calls (pmm_alloc_pages_bulk(), pmm_free_pages_bulk()) run among
 * the single ones: every page a bulk allocation hands out is checked as a
 * single one is, pre-filled slots stay untouched, and a bulk free with a
 * free page in the middle frees exactly the slots before it.
 *
 * Requests carry a random migratetype (unmovable, movable, reclaimable):
 * grouping by mobility may place a block anywhere in the zone, never fail
 * while the zone has a block (fallbacks reach every type), and pmm_check()
 * proves the per-type lists and pageblock types at every check.
 *
 * A CMA region [CMA_BASE, CMA_END) of Normal is declared after the
 * hand-off: only movable requests of order <= PMM_CMA_LEND_MAX_ORDER may
 * get its pages, and "the zone has a block" counts blocks outside it.
 * pmm_cma_alloc() runs (any count, alignment order 0-3) move the model's
 * blocks through a migrate hook that allocates a new block with the same
 * tag and frees the old one (blocks with a second reference refuse); a run
 * must lie in the region, aligned, on pages the model has free after the
 * moves; a failure changes no count. Runs go back with pmm_cma_release().
 *
 * Elastic memory (pmm/elastic.h) runs along: reporting passes (the
 * host's hooks discard the reported blocks' pages) and idle zeroing
 * between the operations, and an eighth of the requests are __GFP_ZERO.
 * Neither pass may change the free count; every allocated block is
 * written (a byte at the start of each page), so a zeroed allocation
 * that trusted a stale zero mark reads a non-zero byte; at every check
 * each reported or known-zero head lies on pages the model has free, the
 * host's count of reported pages less reclaimed ones equals pmm's, and
 * known-zero blocks read zero.
 *
 * PMM_DIFF_OPS (default 1000000) and PMM_DIFF_SEED override the run.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pmm/contig.h>
#include <pmm/elastic.h>

#include "buddy_setup.h"
#include "host_platform.h"
#include "reliability_marks.h"

#define NPAGES 16384u
#define CHECK_EVERY 4096u
#define LATE_START 2900u
#define LATE_END 3000u
#define CMA_BASE 12288u
#define CMA_END 14336u
#define MAX_RUNS 64
#define HOT_BLOCK 1024u                 /* pages per memory block */
#define HOT_BLOCKS 4u
#define TOTAL (NPAGES + HOT_BLOCKS * HOT_BLOCK) /* descriptors */

enum {
	M_FREE = 0,
	M_ALLOC = 1,
	M_RESERVED = 2,
	M_RUN = 3,  /* a CMA run's */
	M_META = 4, /* hotplug's zone metadata */
};
enum { H_ABSENT, H_ONLINE, H_OFFLINE };

struct live {
	pmm_pfn_t pfn;
	pmm_order_t order;
	uint32_t refs;
	uint64_t tag;
};

static struct {
	uint8_t state[TOTAL];
	uint64_t freebits[TOTAL / 64];
	uint8_t hot[HOT_BLOCKS]; /* H_* of each hotplug block */
	bool hot_movable[HOT_BLOCKS]; /* an online or offline block of the Movable zone */
	pmm_pfn_t hot_own;       /* pages of a hot block holding its descriptors (memmap_on_memory) */
	struct live meta[64];    /* blocks of hotplug's zone metadata */
	size_t nmeta;
	unsigned long long hotplugs;
	struct live *live;
	size_t nlive;
	int cma_id;
	pmm_pfn_t run_pfn[MAX_RUNS];
	uint64_t run_nr[MAX_RUNS];
	unsigned int nruns;
	unsigned long long cma_ok, cma_failed, moved, lent;
	uint64_t nfree;
	uint64_t rng;
	bool pcp;
	unsigned long long allocs, fails, frees, errors, checks;
	unsigned long long reported, zeroed, zero_allocs, movable_allocs;
} m;

static const struct buddy_zone_spec boot_zones[] = {
	{ 0, PMM_ZONE_DMA, 0, 3000 },
	{ 0, PMM_ZONE_DMA32, 3000, 9000 },
	{ 0, PMM_ZONE_NORMAL, 9000, NPAGES },
};
/* The model's zones: Normal reaches over the hotplug blocks (reserved
 * while absent or offline). */
static const struct buddy_zone_spec zones[] = {
	{ 0, PMM_ZONE_DMA, 0, 3000 },
	{ 0, PMM_ZONE_DMA32, 3000, 9000 },
	{ 0, PMM_ZONE_NORMAL, 9000, TOTAL },
};

static uint64_t rnd(void)
{
	/* xorshift64* */
	m.rng ^= m.rng >> 12;
	m.rng ^= m.rng << 25;
	m.rng ^= m.rng >> 27;
	return m.rng * 0x2545f4914f6cdd1dull;
}

static unsigned int rnd_below(unsigned int n)
{
	return (unsigned int)((rnd() >> 32) % n);
}

static void model_set(pmm_pfn_t pfn, pmm_pfn_t n, uint8_t st)
{
	for (pmm_pfn_t p = pfn; p < pfn + n; p++) {
		m.state[p] = st;
		if (st == M_FREE)
			m.freebits[p >> 6] |= 1ull << (p & 63);
		else
			m.freebits[p >> 6] &= ~(1ull << (p & 63));
	}
}

/* Are pages [pfn, pfn + 2^k) all free in the model? (pfn aligned) */
static bool model_block_free(pmm_pfn_t pfn, pmm_order_t k)
{
	if (k < 6) {
		uint64_t mask = ((1ull << (1u << k)) - 1) << (pfn & 63);
		return (m.freebits[pfn >> 6] & mask) == mask;
	}
	for (pmm_pfn_t w = pfn >> 6; w < (pfn + (1u << k)) >> 6; w++)
		if (m.freebits[w] != ~0ull)
			return false;
	return true;
}

static bool in_cma(pmm_pfn_t pfn)
{
	return pfn >= CMA_BASE && pfn < CMA_END;
}

/* A free aligned block of order @k in @z outside the CMA region? */
#define Z_MOVABLE 3 /* the model's Movable zone: the hot blocks onlined there */

/* Is @pfn in a hotplug block of the Movable zone? */
static bool in_movable(pmm_pfn_t pfn)
{
	if (pfn < NPAGES || pfn >= TOTAL)
		return false;
	unsigned int b = (unsigned int)((pfn - NPAGES) / HOT_BLOCK);
	return m.hot[b] != H_ABSENT && m.hot_movable[b];
}

/* Can the model's zone @zi serve order @k? (A hot block is a whole
 * order-10 block: no buddy block crosses between Normal and Movable.) */
static bool model_zone_can(int zi, pmm_order_t k)
{
	pmm_pfn_t size = (pmm_pfn_t)1 << k;
	pmm_pfn_t lo = zi == Z_MOVABLE ? NPAGES : zones[zi].start;
	pmm_pfn_t hi = zi == Z_MOVABLE ? TOTAL : zones[zi].end;
	pmm_pfn_t pfn = (lo + size - 1) & ~(size - 1);
	for (; pfn + size <= hi; pfn += size)
		if (in_movable(pfn) == (zi == Z_MOVABLE) && !in_cma(pfn) &&
		    model_block_free(pfn, k))
			return true;
	return false;
}

static void assert_marks(void);

static void assert_clean(void)
{
	const char *e = pmm_check();
	m.checks++;
	if (e)
		fail_msg("pmm_check: %s (allocs %llu frees %llu)", e, m.allocs,
			 m.frees);
	assert_marks();
}

/* Zonelist for @gfp: indexes into zones[] (or Z_MOVABLE), highest first. */
static int zonelist(unsigned int gfp, int out[4])
{
	if ((gfp & PMM_GFP_HIGHMEM) && (gfp & PMM_GFP_MOVABLE)) {
		for (int i = 0; i < 4; i++)
			out[i] = Z_MOVABLE - i;
		return 4;
	}
	if (gfp & PMM_GFP_DMA) {
		out[0] = 0;
		return 1;
	}
	if (gfp & PMM_GFP_DMA32) {
		out[0] = 1;
		out[1] = 0;
		return 2;
	}
	out[0] = 2;
	out[1] = 1;
	out[2] = 0;
	return 3;
}

static int zone_index(pmm_pfn_t pfn)
{
	if (in_movable(pfn))
		return Z_MOVABLE;
	for (int i = 0; i < 3; i++)
		if (pfn >= zones[i].start && pfn < zones[i].end)
			return i;
	return -1;
}

static pmm_order_t pick_order(void)
{
	unsigned int r = rnd_below(100);
	if (r < 50) return 0;
	if (r < 65) return 1;
	if (r < 75) return 2;
	if (r < 83) return 3;
	return 4 + rnd_below(PMM_MAX_ORDER - 3);
}

/* A zone choice and a random migratetype (none = unmovable). */
static unsigned int pick_gfp(void)
{
	static const unsigned int mobility[] = { 0, PMM_GFP_MOVABLE,
						 PMM_GFP_RECLAIMABLE };
	unsigned int r = rnd_below(10);
	unsigned int zone = r < 5 ? 0 : r < 7 ? PMM_GFP_HIGHMEM : r < 9 ? PMM_GFP_DMA32 : PMM_GFP_DMA;
	unsigned int zero = rnd_below(8) == 0 ? PMM_GFP_ZERO : 0;
	return zone | mobility[rnd_below(3)] | zero;
}

/* No zone of @gfp's zonelist before position @upto can serve order @k. */
static void expect_no_earlier_zone(const int *zl, int upto, pmm_order_t k,
				   unsigned int gfp, const char *what)
{
	for (int i = 0; i < upto; i++)
		if (model_zone_can(zl[i], k))
			fail_msg("order %u gfp %#x %s, zone %d had a block", k,
				 gfp, what, zl[i]);
}

/* The block @p of order @k (tag @tag) that pmm just handed out for @gfp:
 * check it against the model and record it. */
static void take_block(struct pmm_page *p, pmm_order_t k, unsigned int gfp,
		       uint64_t tag)
{
	int zl[4];
	int nz = zonelist(gfp, zl);
	m.allocs++;
	pmm_pfn_t pfn = pmm_page_to_pfn(p);
	pmm_pfn_t n = (pmm_pfn_t)1 << k;
	assert_int_equal(pfn & (n - 1), 0);
	assert_true(pfn + n <= TOTAL);
	int zi = zone_index(pfn);
	int pos = -1;
	for (int i = 0; i < nz; i++)
		if (zl[i] == zi)
			pos = i;
	if (pos < 0)
		fail_msg("pfn %llu (zone %d) not allowed for gfp %#x",
			 (unsigned long long)pfn, zi, gfp);
	assert_true(zi == Z_MOVABLE || pfn + n <= zones[zi].end);
	if (!m.pcp)
		expect_no_earlier_zone(zl, pos, k, gfp, "served late");
	if (!model_block_free(pfn, k))
		fail_msg("pfn %llu order %u handed out but not free in model",
			 (unsigned long long)pfn, k);
	if (in_cma(pfn) && (!(gfp & PMM_GFP_MOVABLE) || k > PMM_CMA_LEND_MAX_ORDER))
		fail_msg("CMA pfn %llu order %u handed to gfp %#x",
			 (unsigned long long)pfn, k, gfp);
	assert_int_equal(p->info, PMM_PG_ALLOC_HEAD | PMM_PG_REF_ONE | k |
				  (tag ? PMM_PG_OWNER : 0));
	assert_int_equal(p->next, (uint32_t)tag);
	assert_int_equal(p->prev, (uint32_t)(tag >> 32));
	unsigned char *mem = host_phys_ptr(PMM_PFN_PHYS(pfn));
	for (pmm_pfn_t i = 0; i < n; i++) {
		unsigned char *page = mem + PMM_PFN_PHYS(i);
		if ((gfp & PMM_GFP_ZERO) && (page[0] != 0 || page[PMM_PAGE_SIZE - 1] != 0))
			fail_msg("zeroed pfn %llu order %u: page %llu not zero",
				 (unsigned long long)pfn, k, (unsigned long long)i);
		page[0] = 0xa5; /* dirty: a stale zero mark would show */
	}
	m.zero_allocs += (gfp & PMM_GFP_ZERO) != 0;
	m.movable_allocs += zi == Z_MOVABLE;
	model_set(pfn, n, M_ALLOC);
	m.nfree -= n;
	m.lent += in_cma(pfn);
	m.live[m.nlive++] = (struct live){ pfn, k, 1, tag };
}

/* An allocation of order @k for @gfp failed: without per-CPU lists the
 * model must have no block for it either. */
static void expect_failure_fair(pmm_order_t k, unsigned int gfp)
{
	int zl[4];
	int nz = zonelist(gfp, zl);
	m.fails++;
	if (!m.pcp)
		expect_no_earlier_zone(zl, nz, k, gfp, "failed");
}

static void op_alloc(void)
{
	pmm_order_t k = pick_order();
	unsigned int gfp = pick_gfp();
	uint64_t tag = rnd_below(4) ? rnd() : 0;
	int err = 0;
	struct pmm_page *p = pmm_alloc_pages_tagged(PMM_NUMA_NO_NODE, gfp, k,
						    tag, &err);
	if (p == NULL) {
		assert_int_equal(err, PMM_ENOMEM);
		expect_failure_fair(k, gfp);
		return;
	}
	take_block(p, k, gfp, tag);
}

#define BULK_MAX 16u

/*
 * pmm_alloc_pages_bulk() on an array of up to BULK_MAX slots, some of
 * them already holding a live page (skipped, untouched): the leading
 * slots it reports hold pages, each new one a model-free page of an
 * allowed zone; the slots after stay as they were.
 */
static void op_bulk_alloc(void)
{
	struct pmm_page *arr[BULK_MAX], *was[BULK_MAX];
	unsigned int nr = 1 + rnd_below(BULK_MAX);
	unsigned int gfp = pick_gfp();
	for (unsigned int j = 0; j < nr; j++) {
		bool held = m.nlive != 0 && rnd_below(6) == 0;
		arr[j] = held ? pmm_pfn_to_page(m.live[rnd_below((unsigned int)m.nlive)].pfn)
			      : NULL;
		was[j] = arr[j];
	}
	unsigned long r = pmm_alloc_pages_bulk(gfp, nr, arr);
	assert_true(r <= nr);
	for (unsigned int j = 0; j < nr; j++) {
		if (was[j] != NULL || j >= r) {
			assert_ptr_equal(arr[j], was[j]);
			continue;
		}
		assert_non_null(arr[j]);
		take_block(arr[j], 0, gfp, 0);
	}
	if (r < nr) {
		assert_null(arr[r]);
		expect_failure_fair(0, gfp);
	}
}

static void op_free(void)
{
	if (m.nlive == 0)
		return;
	size_t i = rnd_below((unsigned int)m.nlive);
	struct live *l = &m.live[i];
	struct pmm_page *p = pmm_pfn_to_page(l->pfn);
	assert_int_equal(p->next, (uint32_t)l->tag);
	assert_int_equal(p->prev, (uint32_t)(l->tag >> 32));
	assert_int_equal(pmm_page_refcount(p), l->refs);
	if (rnd_below(8) == 0 && l->refs < 3) {
		assert_int_equal(pmm_get_page(p), 0);
		l->refs++;
		return;
	}
	uint64_t before = pmm_nr_free_pages();
	int r = rnd_below(2) ? pmm_free_pages(p, l->order) : pmm_put_page(p);
	assert_int_equal(r, 0);
	m.frees++;
	if (--l->refs != 0) {
		assert_int_equal(pmm_nr_free_pages(), before);
		return;
	}
	pmm_pfn_t n = (pmm_pfn_t)1 << l->order;
	assert_int_equal(pmm_nr_free_pages(), before + n);
	model_set(l->pfn, n, M_FREE);
	m.nfree += n;
	*l = m.live[--m.nlive];
}

/* A pfn the model has free, or NPAGES when 64 tries found none. */
static pmm_pfn_t random_free_pfn(void)
{
	for (int t = 0; t < 64; t++) {
		pmm_pfn_t pfn = rnd_below(NPAGES);
		if (m.state[pfn] == M_FREE)
			return pfn;
	}
	return NPAGES;
}

/* The model's side of a page freed in a bulk free: one reference less. */
static uint64_t bulk_dropped(pmm_pfn_t pfn)
{
	for (size_t i = 0; i < m.nlive; i++) {
		struct live *l = &m.live[i];
		if (l->pfn != pfn)
			continue;
		m.frees++;
		if (--l->refs != 0)
			return 0;
		model_set(pfn, 1, M_FREE);
		m.nfree++;
		*l = m.live[--m.nlive];
		return 1;
	}
	fail_msg("pfn %llu freed in bulk but not live", (unsigned long long)pfn);
	return 0;
}

/*
 * pmm_free_pages_bulk() of up to BULK_MAX distinct live order-0 pages,
 * with NULL holes, and now and then a free page in the middle (a double
 * free): the slots before it are freed and NULL, it and the slots after
 * it untouched, one report.
 */
static void op_bulk_free(void)
{
	struct pmm_page *arr[BULK_MAX], *was[BULK_MAX];
	unsigned int n = 0, want = 1 + rnd_below(BULK_MAX);
	for (unsigned int t = 0; t < 4 * BULK_MAX && n < want && m.nlive; t++) {
		const struct live *l = &m.live[rnd_below((unsigned int)m.nlive)];
		bool dup = false;
		for (unsigned int j = 0; j < n; j++)
			dup |= arr[j] == pmm_pfn_to_page(l->pfn);
		if (l->order == 0 && !dup)
			arr[n++] = pmm_pfn_to_page(l->pfn);
	}
	if (n == 0)
		return;
	if (rnd_below(4) == 0)
		arr[rnd_below(n)] = NULL;
	unsigned int bad = n;
	pmm_pfn_t free_pfn = rnd_below(8) == 0 ? random_free_pfn() : NPAGES;
	if (free_pfn != NPAGES) {
		bad = rnd_below(n);
		arr[bad] = pmm_pfn_to_page(free_pfn);
	}
	memcpy(was, arr, sizeof(arr));
	uint64_t before = pmm_nr_free_pages(), freed = 0;
	unsigned int reports = host_report_count();
	int r = pmm_free_pages_bulk(n, arr);
	assert_int_equal(r, bad < n ? PMM_EDOUBLEFREE : 0);
	assert_int_equal(host_report_count(), reports + (bad < n));
	for (unsigned int j = 0; j < n; j++) {
		if (j >= bad) {
			assert_ptr_equal(arr[j], was[j]);
			continue;
		}
		assert_null(arr[j]);
		if (was[j] != NULL)
			freed += bulk_dropped(pmm_page_to_pfn(was[j]));
	}
	m.errors += bad < n;
	assert_int_equal(pmm_nr_free_pages(), before + freed);
}

/* The block of the model that holds allocated page @pfn. */
static const struct live *live_of(pmm_pfn_t pfn)
{
	for (size_t i = 0; i < m.nlive; i++)
		if (pfn >= m.live[i].pfn &&
		    pfn < m.live[i].pfn + ((pmm_pfn_t)1 << m.live[i].order))
			return &m.live[i];
	return NULL;
}

static void op_error(void)
{
	pmm_pfn_t pfn = rnd_below(NPAGES);
	pmm_order_t k = rnd_below(PMM_MAX_ORDER + 1);
	int want;
	if (m.state[pfn] == M_RUN)
		return; /* tiled by several blocks: fuzz_contig's to prove */
	if (m.state[pfn] == M_META)
		return; /* hotplug's zone metadata: not the model's to free */
	if (m.state[pfn] == M_FREE) {
		want = PMM_EDOUBLEFREE;
	} else if (m.state[pfn] == M_RESERVED) {
		want = PMM_ERESERVED;
	} else {
		const struct live *l = live_of(pfn);
		assert_non_null(l);
		if (l->pfn != pfn) {
			want = PMM_ENOTHEAD;
		} else {
			if (k == l->order)
				k = (k + 1) % (PMM_MAX_ORDER + 1);
			want = PMM_EWRONGORDER;
		}
	}
	uint64_t before = pmm_nr_free_pages();
	unsigned int reports = host_report_count();
	assert_int_equal(pmm_free_pages(pmm_pfn_to_page(pfn), k), want);
	assert_int_equal(host_report_count(), reports + 1);
	assert_int_equal(pmm_nr_free_pages(), before);
	m.errors++;
}

/* The model's block headed at @pfn, or NULL. */
static struct live *live_at(pmm_pfn_t pfn)
{
	for (size_t i = 0; i < m.nlive; i++)
		if (m.live[i].pfn == pfn)
			return &m.live[i];
	return NULL;
}

/* The migrate hook: a new movable block with the same tag, the old one
 * freed; a block with a second reference refuses. */
static int model_migrate(void *ctx, pmm_pfn_t pfn, pmm_order_t order)
{
	(void)ctx;
	struct live *l = live_at(pfn);
	if (l == NULL || l->order != order || l->refs != 1)
		return -1;
	struct pmm_page *n = pmm_alloc_pages_tagged(PMM_NUMA_NO_NODE,
						    PMM_GFP_MOVABLE, order,
						    l->tag, NULL);
	if (n == NULL)
		return -1;
	pmm_pfn_t to = pmm_page_to_pfn(n);
	pmm_pfn_t pages = (pmm_pfn_t)1 << order;
	if (in_cma(to))
		fail_msg("migration target pfn %llu inside the region",
			 (unsigned long long)to);
	if (!model_block_free(to, order))
		fail_msg("migration target pfn %llu not free in model",
			 (unsigned long long)to);
	model_set(to, pages, M_ALLOC);
	l->pfn = to;
	assert_int_equal(pmm_free_pages(pmm_pfn_to_page(pfn), order), 0);
	model_set(pfn, pages, M_FREE);
	m.moved++;
	return 0;
}

static void op_cma_alloc(void)
{
	uint64_t nr = 1 + rnd_below(300);
	pmm_order_t a = rnd_below(4);
	int err = 0;
	if (m.nruns == MAX_RUNS)
		return;
	struct pmm_page *p = pmm_cma_alloc_err(m.cma_id, nr, a, &err);
	if (p == NULL) {
		assert_int_equal(err, PMM_ENOMEM);
		m.cma_failed++;
		return;
	}
	pmm_pfn_t s = pmm_page_to_pfn(p);
	if (s < CMA_BASE || s + nr > CMA_END || (s & ((1u << a) - 1)) != 0)
		fail_msg("CMA run %llu+%llu misplaced", (unsigned long long)s,
			 (unsigned long long)nr);
	for (pmm_pfn_t q = s; q < s + nr; q++)
		if (m.state[q] != M_FREE)
			fail_msg("CMA run %llu+%llu: pfn %llu not free in model",
				 (unsigned long long)s, (unsigned long long)nr,
				 (unsigned long long)q);
	model_set(s, nr, M_RUN);
	m.nfree -= nr;
	m.run_pfn[m.nruns] = s;
	m.run_nr[m.nruns++] = nr;
	m.cma_ok++;
}

static void op_cma_release(void)
{
	if (m.nruns == 0)
		return;
	unsigned int i = rnd_below(m.nruns);
	assert_int_equal(pmm_cma_release(m.cma_id, pmm_pfn_to_page(m.run_pfn[i]),
					 m.run_nr[i]), 0);
	model_set(m.run_pfn[i], m.run_nr[i], M_FREE);
	m.nfree += m.run_nr[i];
	m.nruns--;
	m.run_pfn[i] = m.run_pfn[m.nruns];
	m.run_nr[i] = m.run_nr[m.nruns];
}

/* A reporting pass: the free count stays. */
static void op_report(void)
{
	int n = pmm_report_free_pages(1 + rnd_below(8));
	assert_true(n >= 0);
	m.reported += (unsigned int)n;
}

/* Idle zeroing: the free count stays. */
static void op_zero_idle(void)
{
	int n = pmm_zero_idle(1 + rnd_below(256));
	assert_true(n >= 0);
	m.zeroed += (unsigned int)n;
}

static bool page_used(pmm_pfn_t pfn)
{
	return m.state[pfn] != M_FREE;
}

/* Reported and known-zero heads lie on free pages; the host agrees on
 * the reported count; known-zero blocks read zero. */
static void assert_marks(void)
{
	const char *bad = rel_marks_check(page_used, TOTAL, true);
	if (bad)
		fail_msg("%s", bad);
}

static void late_free(void)
{
	uint64_t freed = 0;
	assert_int_equal(pmm_buddy_free_range(LATE_START, LATE_END, &freed), 0);
	assert_int_equal(freed, LATE_END - LATE_START);
	model_set(LATE_START, LATE_END - LATE_START, M_FREE);
	m.nfree += LATE_END - LATE_START;
	assert_int_equal(pmm_buddy_free_range(LATE_START, LATE_END, &freed),
			 PMM_EDOUBLEFREE);
}

/*
 * Follow the zone metadata hotplug allocated from (or gave back to) boot
 * memory, reading the descriptors: an allocated head on pages free in the
 * model is new metadata (M_META); a metadata block whose head is no
 * longer allocated went back.
 */
static void meta_sync(void)
{
	for (size_t i = 0; i < m.nmeta;) {
		pmm_pfn_t h = m.meta[i].pfn, n = (pmm_pfn_t)1 << m.meta[i].order;
		if (pmm_page_is_alloc_head(&pmm_mem_map[h]) &&
		    pmm_page_order(&pmm_mem_map[h]) == m.meta[i].order) {
			i++;
			continue;
		}
		model_set(h, n, M_FREE);
		m.nfree += n;
		m.meta[i] = m.meta[--m.nmeta];
	}
	for (pmm_pfn_t p = 1; p < NPAGES; p++) {
		const struct pmm_page *d = &pmm_mem_map[p];
		if (m.state[p] != M_FREE || !pmm_page_is_alloc_head(d))
			continue;
		pmm_order_t k = pmm_page_order(d);
		assert_true(m.nmeta < sizeof(m.meta) / sizeof(m.meta[0]));
		m.meta[m.nmeta++] = (struct live){ p, k, 1, 0 };
		model_set(p, (pmm_pfn_t)1 << k, M_META);
		m.nfree -= (pmm_pfn_t)1 << k;
	}
}

/* Hot block @b came online: its pages free but those holding its descriptors. */
static void hot_block_online(unsigned int b)
{
	pmm_pfn_t pfn = NPAGES + b * HOT_BLOCK;
	m.hot[b] = H_ONLINE;
	model_set(pfn + m.hot_own, HOT_BLOCK - m.hot_own, M_FREE);
	m.nfree += HOT_BLOCK - m.hot_own;
}

/* Is every page of hotplug block @b free in the model? */
static bool hot_block_free(unsigned int b)
{
	pmm_pfn_t s = NPAGES + b * HOT_BLOCK;
	for (pmm_pfn_t p = s + m.hot_own; p < s + HOT_BLOCK; p++)
		if (m.state[p] != M_FREE)
			return false;
	return true;
}

/*
 * pmm_memory_offline() with the platform's migrate hook (the CMA model's)
 * taken away for the call, so an offline succeeds exactly over free pages.
 */
static int offline_unhooked(pmm_phys_t start, pmm_phys_t size)
{
	struct pmm_platform saved = *pmm_platform_get(), p = saved;
	p.migrate = NULL;
	pmm_platform_set(&p);
	int err = pmm_memory_offline(start, size);
	pmm_platform_set(&saved);
	return err;
}

/* A random online type: the default policy's choice, kernel or movable. */
static enum pmm_online_type pick_online_type(void)
{
	return (enum pmm_online_type)rnd_below(3);
}

/*
 * Hot block @b just came online as @type (@keep: back in the zone it
 * had): read the zone pmm put it in, which must be the one asked for.
 */
static void hot_zone_sync(unsigned int b, enum pmm_online_type type, bool keep)
{
	struct pmm_memory_block_info info;
	assert_int_equal(pmm_memory_block_get(NPAGES / HOT_BLOCK + b, &info), 0);
	bool movable = strcmp(info.valid_zones, "Movable") == 0;
	if (!movable)
		assert_string_equal(info.valid_zones, "Normal");
	if (keep)
		assert_int_equal(movable, m.hot_movable[b]);
	else if (type != PMM_ONLINE_DEFAULT)
		assert_int_equal(movable, type == PMM_ONLINE_MOVABLE);
	m.hot_movable[b] = movable;
}

/* One hotplug call on a random block, its result as the model says
 * (zones never overlap: an add or online that would make them fails with
 * PMM_EOVERLAP and changes nothing). */
static void op_hotplug(void)
{
	unsigned int b = rnd_below(HOT_BLOCKS);
	pmm_pfn_t pfn = NPAGES + b * HOT_BLOCK;
	pmm_phys_t start = PMM_PFN_PHYS(pfn), size = PMM_PFN_PHYS(HOT_BLOCK);
	bool flip = rnd_below(2) != 0, keep;
	enum pmm_online_type type;
	int err;
	m.hotplugs++;
	switch (m.hot[b]) {
	case H_ABSENT:
		assert_int_equal(pmm_memory_remove(start, size), PMM_ESTATE);
		type = pick_online_type();
		err = pmm_memory_add_as(0, start, size, type);
		if (err == PMM_ENOMEM || err == PMM_EOVERLAP)
			break; /* no metadata, or zones would meet: nothing changed */
		assert_int_equal(err, 0);
		hot_zone_sync(b, type, false);
		hot_block_online(b);
		break;
	case H_ONLINE:
		assert_int_equal(pmm_memory_online(start, size), PMM_ESTATE);
		pmm_pcp_drain_all(); /* blocks on other CPUs' lists stay */
		err = offline_unhooked(start, size);
		if (!hot_block_free(b)) {
			assert_int_equal(err, PMM_EBUSY);
			break;
		}
		if (err == PMM_ENOMEM)
			break;
		assert_int_equal(err, 0);
		m.hot[b] = H_OFFLINE;
		model_set(pfn, HOT_BLOCK, M_RESERVED);
		m.nfree -= HOT_BLOCK - m.hot_own;
		break;
	default:
		assert_int_equal(pmm_memory_offline(start, size), PMM_ESTATE);
		if (flip) {
			assert_int_equal(pmm_memory_remove(start, size), 0);
			m.hot[b] = H_ABSENT;
			break;
		}
		keep = rnd_below(2) != 0;
		type = pick_online_type();
		err = keep ? pmm_memory_online(start, size)
			   : pmm_memory_online_as(start, size, type);
		if (err == PMM_ENOMEM || err == PMM_EOVERLAP)
			break;
		assert_int_equal(err, 0);
		hot_zone_sync(b, type, keep);
		hot_block_online(b);
		break;
	}
	meta_sync();
}

static void set_phase(int phase)
{
	m.pcp = phase == 1 || phase == 3;
	if (m.pcp) {
		if (phase == 1)
			assert_int_equal(pmm_pcp_set_high_batch(24, 8), 0);
		else
			assert_int_equal(pmm_pcp_set_high_batch(6, 1), 0);
	} else {
		assert_int_equal(pmm_pcp_set_high_batch(0, 0), 0);
		host_set_cpu(0);
	}
	pmm_buddy_set_lazy(phase >= 2);
}

static void step(void)
{
	unsigned int r = rnd_below(1000);
	/* Keep the memory between about a quarter and nine tenths full (the
	 * region counted as full: few requests may use it). */
	uint64_t usable = m.nfree > CMA_END - CMA_BASE ? m.nfree - (CMA_END - CMA_BASE) : 0;
	unsigned int alloc_share = usable * 10 < NPAGES ? 350 : 560;
	if (r < alloc_share)
		op_alloc();
	else if (r < alloc_share + 15)
		op_bulk_alloc();
	else if (r < 945)
		op_free();
	else if (r < 960)
		op_bulk_free();
	else if (r < 975)
		op_error();
	else if (r < 976)
		op_cma_alloc();
	else if (r < 978)
		op_cma_release();
	else if (r < 982)
		op_hotplug();
	else if (r < 986)
		op_report();
	else if (r < 988)
		op_zero_idle();
	else if (m.pcp && r < 998)
		host_set_cpu(rnd_below(PMM_NR_CPUS));
	else if (m.pcp)
		pmm_pcp_drain_all();
}

/* Free lists of fully free zone @zi (Z_MOVABLE: the Movable zone): the
 * canonical decomposition of its runs of free pages. */
static void expect_canonical(int zi)
{
	uint64_t want[PMM_NR_ORDERS] = { 0 };
	pmm_pfn_t lo = zi == Z_MOVABLE ? NPAGES : zones[zi].start;
	pmm_pfn_t hi = zi == Z_MOVABLE ? TOTAL : zones[zi].end;
	pmm_pfn_t pfn = lo;
	while (pfn < hi) {
		if (m.state[pfn] != M_FREE || in_movable(pfn) != (zi == Z_MOVABLE)) {
			pfn++;
			continue;
		}
		pmm_pfn_t end = pfn;
		while (end < hi && m.state[end] == M_FREE &&
		       in_movable(end) == (zi == Z_MOVABLE))
			end++;
		while (pfn < end) {
			pmm_order_t k = 0;
			while (k < PMM_MAX_ORDER &&
			       (pfn & (((pmm_pfn_t)2 << k) - 1)) == 0 &&
			       pfn + ((pmm_pfn_t)2 << k) <= end)
				k++;
			want[k]++;
			pfn += (pmm_pfn_t)1 << k;
		}
	}
	enum pmm_zone_type t = zi == Z_MOVABLE ? PMM_ZONE_MOVABLE : zones[zi].type;
	struct pmm_zone *zone = buddy_zone(t);
	for (int k = 0; k <= PMM_MAX_ORDER; k++)
		if ((zone ? zone->free_area[k].nr_free : 0) != want[k])
			fail_msg("zone %s order %d: %llu free blocks, canonical %llu",
				 pmm_zone_name(t), k,
				 (unsigned long long)(zone ? zone->free_area[k].nr_free : 0),
				 (unsigned long long)want[k]);
}

static void test_diff(void **state)
{
	(void)state;
	const char *ops_env = getenv("PMM_DIFF_OPS");
	const char *seed_env = getenv("PMM_DIFF_SEED");
	unsigned long long ops = ops_env ? strtoull(ops_env, NULL, 0) : 1000000;
	unsigned long long seed = seed_env ? strtoull(seed_env, NULL, 0) : 20261122;
	m.rng = seed ? seed : 1;
	printf("diff: %llu ops, seed %llu\n", ops, seed);

	static const pmm_pfn_t bound[PMM_NR_ADDR_ZONES + 1] = {
		0, 3000, 9000, (pmm_pfn_t)UINT64_MAX, (pmm_pfn_t)UINT64_MAX
	};
	assert_int_equal(buddy_setup(&(struct buddy_setup_opts){
			 .max_pfn = TOTAL, .zones = boot_zones, .nr_zones = 3,
			 .reporting = true, .virtual_memmap = true }), 0);
	assert_int_equal(pmm_report_set(PMM_REPORT_ORDER_MIN, 4), 0);
	model_set(0, TOTAL, M_RESERVED);
	static const pmm_pfn_t hand[][2] = {
		{ 0, LATE_START }, { 3000, 8000 }, { 8100, NPAGES },
	};
	for (int i = 0; i < 3; i++) {
		assert_int_equal(pmm_buddy_handoff_range(hand[i][0], hand[i][1],
							 NULL), 0);
		pmm_pfn_t s = hand[i][0] ? hand[i][0] : 1;
		model_set(s, hand[i][1] - s, M_FREE);
		m.nfree += hand[i][1] - s;
	}
	m.live = calloc(TOTAL, sizeof(*m.live));
	assert_non_null(m.live);
	assert_int_equal(pmm_cma_declare(CMA_BASE, CMA_END - CMA_BASE, "diff",
					 &m.cma_id), 0);
	struct pmm_platform plat = *pmm_platform_get();
	plat.migrate = model_migrate;
	pmm_platform_set(&plat);
	/* even seeds: hot blocks hold their own descriptors; odd: late allocations */
	bool on_memory = (seed & 1) == 0;
	m.hot_own = on_memory ? HOT_BLOCK * sizeof(struct pmm_page) / PMM_PAGE_SIZE : 0;
	assert_int_equal(pmm_hotplug_init(&(struct pmm_hotplug_config){
		.block_bytes = PMM_PFN_PHYS(HOT_BLOCK), .zone_bound = bound,
		.memmap_on_memory = on_memory }), 0);
	assert_int_equal(pmm_nr_free_pages(), m.nfree);
	assert_clean();

	for (int phase = 0; phase < 4; phase++) {
		set_phase(phase);
		unsigned long long n = ops / 4 + (phase == 3 ? ops % 4 : 0);
		for (unsigned long long i = 0; i < n; i++) {
			step();
			if (m.nfree != pmm_nr_free_pages())
				fail_msg("free pages %llu, model %llu",
					 (unsigned long long)pmm_nr_free_pages(),
					 (unsigned long long)m.nfree);
			if ((i + 1) % CHECK_EVERY == 0)
				assert_clean();
		}
		if (phase == 1)
			late_free();
		assert_clean();
	}

	host_set_cpu(0);
	while (m.nruns != 0)
		op_cma_release();
	plat.migrate = NULL;
	pmm_platform_set(&plat);
	while (m.nlive != 0) {
		struct live *l = &m.live[m.nlive - 1];
		while (l->refs-- > 1)
			assert_int_equal(pmm_put_page(pmm_pfn_to_page(l->pfn)), 0);
		assert_int_equal(pmm_free_pages(pmm_pfn_to_page(l->pfn), l->order), 0);
		model_set(l->pfn, (pmm_pfn_t)1 << l->order, M_FREE);
		m.nfree += (pmm_pfn_t)1 << l->order;
		m.nlive--;
	}
	pmm_pcp_drain_all();
	pmm_buddy_set_lazy(false);
	assert_int_equal(pmm_nr_free_pages(), m.nfree);
	uint64_t hot_online = 0, meta = 0;
	for (unsigned int b = 0; b < HOT_BLOCKS; b++)
		hot_online += m.hot[b] == H_ONLINE ? HOT_BLOCK - m.hot_own : 0;
	for (pmm_pfn_t p = 0; p < NPAGES; p++)
		meta += m.state[p] == M_META;
	assert_int_equal(m.nfree, NPAGES - 1 - 100 + hot_online - meta);
	assert_clean();
	for (int i = 0; i <= Z_MOVABLE; i++)
		expect_canonical(i);
	unsigned int movable_blocks = 0;
	for (unsigned int b = 0; b < HOT_BLOCKS; b++)
		movable_blocks += m.hot[b] == H_ONLINE && m.hot_movable[b];
	printf("diff: %llu allocs, %llu failed, %llu frees, %llu refused, %llu checks, "
	       "%llu hotplug calls\n", m.allocs, m.fails, m.frees, m.errors,
	       m.checks, m.hotplugs);
	printf("diff: %u Movable blocks online at the end, %llu Movable allocations\n",
	       movable_blocks, m.movable_allocs);
	printf("diff: CMA runs %llu served, %llu failed; %llu pages lent, %llu blocks moved\n",
	       m.cma_ok, m.cma_failed, m.lent, m.moved);
	printf("diff: %llu blocks reported, %llu pages zeroed, %llu zeroed allocations\n",
	       m.reported, m.zeroed, m.zero_allocs);
	free(m.live);
	pmm_hotplug_reset();
	buddy_teardown();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_diff),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
