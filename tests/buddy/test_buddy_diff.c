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
 * Requests carry a random migratetype (unmovable, movable, reclaimable):
 * grouping by mobility may place a block anywhere in the zone, never fail
 * while the zone has a block (fallbacks reach every type), and pmm_check()
 * proves the per-type lists and pageblock types at every check.
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

#include <pmm/elastic.h>

#include "buddy_setup.h"
#include "host_platform.h"
#include "reliability_marks.h"

#define NPAGES 16384u
#define CHECK_EVERY 4096u
#define LATE_START 2900u
#define LATE_END 3000u

enum { M_FREE = 0, M_ALLOC = 1, M_RESERVED = 2 };

struct live {
	pmm_pfn_t pfn;
	pmm_order_t order;
	uint32_t refs;
	uint64_t tag;
};

static struct {
	uint8_t state[NPAGES];
	uint64_t freebits[NPAGES / 64];
	struct live *live;
	size_t nlive;
	uint64_t nfree;
	uint64_t rng;
	bool pcp;
	unsigned long long allocs, fails, frees, errors, checks;
	unsigned long long reported, zeroed, zero_allocs;
} m;

static const struct buddy_zone_spec zones[] = {
	{ 0, PMM_ZONE_DMA, 0, 3000 },
	{ 0, PMM_ZONE_DMA32, 3000, 9000 },
	{ 0, PMM_ZONE_NORMAL, 9000, NPAGES },
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

static bool model_zone_can(const struct buddy_zone_spec *z, pmm_order_t k)
{
	pmm_pfn_t size = (pmm_pfn_t)1 << k;
	pmm_pfn_t pfn = (z->start + size - 1) & ~(size - 1);
	for (; pfn + size <= z->end; pfn += size)
		if (model_block_free(pfn, k))
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

/* Zonelist for @gfp: indexes into zones[], highest first. */
static int zonelist(unsigned int gfp, int out[3])
{
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
	unsigned int zone = r < 7 ? 0 : r < 9 ? PMM_GFP_DMA32 : PMM_GFP_DMA;
	unsigned int zero = rnd_below(8) == 0 ? PMM_GFP_ZERO : 0;
	return zone | mobility[rnd_below(3)] | zero;
}

static void op_alloc(void)
{
	pmm_order_t k = pick_order();
	unsigned int gfp = pick_gfp();
	uint64_t tag = rnd_below(4) ? rnd() : 0;
	int err = 0;
	struct pmm_page *p = pmm_alloc_pages_tagged(PMM_NUMA_NO_NODE, gfp, k,
						    tag, &err);
	int zl[3];
	int nz = zonelist(gfp, zl);
	if (p == NULL) {
		m.fails++;
		assert_int_equal(err, PMM_ENOMEM);
		if (!m.pcp)
			for (int i = 0; i < nz; i++)
				if (model_zone_can(&zones[zl[i]], k))
					fail_msg("order %u gfp %#x failed, zone %d has a block",
						 k, gfp, zl[i]);
		return;
	}
	m.allocs++;
	pmm_pfn_t pfn = pmm_page_to_pfn(p);
	pmm_pfn_t n = (pmm_pfn_t)1 << k;
	assert_int_equal(pfn & (n - 1), 0);
	assert_true(pfn + n <= NPAGES);
	int zi = zone_index(pfn);
	int pos = -1;
	for (int i = 0; i < nz; i++)
		if (zl[i] == zi)
			pos = i;
	if (pos < 0)
		fail_msg("pfn %llu (zone %d) not allowed for gfp %#x",
			 (unsigned long long)pfn, zi, gfp);
	assert_true(pfn + n <= zones[zi].end);
	if (!m.pcp)
		for (int i = 0; i < pos; i++)
			if (model_zone_can(&zones[zl[i]], k))
				fail_msg("order %u served by zone %d, zone %d had a block",
					 k, zi, zl[i]);
	if (!model_block_free(pfn, k))
		fail_msg("pfn %llu order %u handed out but not free in model",
			 (unsigned long long)pfn, k);
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
	model_set(pfn, n, M_ALLOC);
	m.nfree -= n;
	m.live[m.nlive++] = (struct live){ pfn, k, 1, tag };
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
	const char *bad = rel_marks_check(page_used, NPAGES, true);
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
	/* Keep the memory between about a quarter and nine tenths full. */
	unsigned int alloc_share = m.nfree * 10 < NPAGES ? 350 : 560;
	if (r < alloc_share)
		op_alloc();
	else if (r < 960)
		op_free();
	else if (r < 980)
		op_error();
	else if (r < 985)
		op_report();
	else if (r < 988)
		op_zero_idle();
	else if (m.pcp && r < 998)
		host_set_cpu(rnd_below(PMM_NR_CPUS));
	else if (m.pcp)
		pmm_pcp_drain_all();
}

/* Free lists of a fully free zone: the canonical decomposition of runs. */
static void expect_canonical(const struct buddy_zone_spec *z)
{
	uint64_t want[PMM_NR_ORDERS] = { 0 };
	pmm_pfn_t pfn = z->start;
	while (pfn < z->end) {
		if (m.state[pfn] != M_FREE) {
			pfn++;
			continue;
		}
		pmm_pfn_t end = pfn;
		while (end < z->end && m.state[end] == M_FREE)
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
	struct pmm_zone *zone = buddy_zone(z->type);
	for (int k = 0; k <= PMM_MAX_ORDER; k++)
		if (zone->free_area[k].nr_free != want[k])
			fail_msg("zone %s order %d: %llu free blocks, canonical %llu",
				 pmm_zone_name(z->type), k,
				 (unsigned long long)zone->free_area[k].nr_free,
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

	assert_int_equal(buddy_setup(&(struct buddy_setup_opts){
			 .max_pfn = NPAGES, .zones = zones, .nr_zones = 3,
			 .reporting = true }), 0);
	assert_int_equal(pmm_report_set(PMM_REPORT_ORDER_MIN, 4), 0);
	model_set(0, NPAGES, M_RESERVED);
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
	m.live = calloc(NPAGES, sizeof(*m.live));
	assert_non_null(m.live);
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
	assert_int_equal(m.nfree, NPAGES - 1 - 100);
	assert_clean();
	for (int i = 0; i < 3; i++)
		expect_canonical(&zones[i]);
	printf("diff: %llu allocs, %llu failed, %llu frees, %llu refused, %llu checks\n",
	       m.allocs, m.fails, m.frees, m.errors, m.checks);
	printf("diff: %llu blocks reported, %llu pages zeroed, %llu zeroed allocations\n",
	       m.reported, m.zeroed, m.zero_allocs);
	free(m.live);
	buddy_teardown();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_diff),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
