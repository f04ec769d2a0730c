/* SPDX-License-Identifier: MIT */
/*
 * test_bootmem_model.c - randomized differential test of the boot memory
 * allocator against a page-at-a-time model.
 *
 * The model keeps one byte per page (outside / reserved / free) and the
 * packing state of each node, and implements free, reserve and alloc the
 * slow, obvious way: per-page loops, every candidate tried in order. Random
 * calls - partial pages, ranges across nodes and holes, double frees and
 * reserves, goals, limits, alignments, node choices - must give the same
 * return code, the same address and the same bitmap as the model.
 *
 *   0         node 0        node 1   hole   node 2             MODEL_PAGES
 *   |###..##..#####|..####.....|          |#####....##....###|
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "bootmem_fixture.h"
#include "host_platform.h"
#include "test_rand.h"

#define MODEL_PAGES 3072u
#define MODEL_NODES 3
#define MAP_PFN 4096u /* bitmaps live above the nodes, one page each */

enum { OUTSIDE = 2, RESERVED = 1, FREE = 0 };

struct model_node {
	bool present;
	pmm_pfn_t start, end;
	pmm_pfn_t last_pos;
	uint64_t last_offset;
};

static unsigned char page_state[MODEL_PAGES + 64];
static struct model_node mnode[MODEL_NODES];
static uint64_t rng;

static uint64_t rnd(void)
{
	return test_rand_next(&rng);
}

static uint64_t below(uint64_t n)
{
	return rnd() % n;
}

static int model_node_of(pmm_pfn_t pfn)
{
	for (int n = 0; n < MODEL_NODES; n++)
		if (mnode[n].present && pfn >= mnode[n].start && pfn < mnode[n].end)
			return n;
	return -1;
}

static pmm_pfn_t pfn_up(pmm_phys_t a)
{
	return (a + PG - 1) / PG;
}

static bool covered(pmm_pfn_t s, pmm_pfn_t e)
{
	for (pmm_pfn_t p = s; p < e; p++)
		if (model_node_of(p) < 0)
			return false;
	return true;
}

static bool any_in_state(pmm_pfn_t s, pmm_pfn_t e, unsigned char st)
{
	for (pmm_pfn_t p = s; p < e; p++)
		if (page_state[p] == st)
			return true;
	return false;
}

static int model_free(pmm_phys_t addr, uint64_t size)
{
	if (size == 0)
		return PMM_EINVAL;
	pmm_pfn_t s = pfn_up(addr), e = (addr + size) / PG;
	if (s >= e)
		return covered(addr / PG, pfn_up(addr + size)) ? 0 : PMM_ERANGE;
	if (!covered(s, e))
		return PMM_ERANGE;
	if (any_in_state(s, e, FREE))
		return PMM_EDOUBLEFREE;
	for (pmm_pfn_t p = s; p < e; p++)
		page_state[p] = FREE;
	for (int n = 0; n < MODEL_NODES; n++)
		if (mnode[n].last_offset && mnode[n].last_pos >= s && mnode[n].last_pos < e)
			mnode[n].last_offset = 0;
	return 0;
}

static int model_reserve(pmm_phys_t addr, uint64_t size)
{
	if (size == 0)
		return PMM_EINVAL;
	pmm_pfn_t s = addr / PG, e = pfn_up(addr + size);
	if (!covered(s, e))
		return PMM_ERANGE;
	if (any_in_state(s, e, RESERVED))
		return PMM_EDOUBLERESERVE;
	for (pmm_pfn_t p = s; p < e; p++)
		page_state[p] = RESERVED;
	return 0;
}

struct model_req {
	uint64_t size, align;
	pmm_phys_t goal, limit;
};

static bool model_pack(struct model_node *nd, const struct model_req *rq,
		       pmm_phys_t lo, pmm_phys_t *out)
{
	if (!nd->last_offset || rq->size >= PG)
		return false;
	uint64_t off = (nd->last_offset + rq->align - 1) / rq->align * rq->align;
	if (off + rq->size > PG)
		return false;
	pmm_phys_t addr = nd->last_pos * PG + off;
	if (addr < lo || addr + rq->size > rq->limit)
		return false;
	nd->last_offset = off + rq->size == PG ? 0 : off + rq->size;
	*out = addr;
	return true;
}

static bool model_pages(struct model_node *nd, const struct model_req *rq,
			pmm_phys_t lo, pmm_phys_t *out)
{
	uint64_t npages = pfn_up(rq->size);
	uint64_t ap = rq->align > PG ? rq->align / PG : 1;
	pmm_pfn_t hi = nd->end < rq->limit / PG ? nd->end : rq->limit / PG;
	pmm_pfn_t first = pfn_up(lo) > nd->start ? pfn_up(lo) : nd->start;
	first = (first + ap - 1) / ap * ap;
	for (pmm_pfn_t p = first; p + npages <= hi; p += ap) {
		if (any_in_state(p, p + npages, RESERVED))
			continue;
		for (pmm_pfn_t q = p; q < p + npages; q++)
			page_state[q] = RESERVED;
		nd->last_pos = p + npages - 1;
		nd->last_offset = rq->size % PG;
		*out = p * PG;
		return true;
	}
	return false;
}

static bool model_try(struct model_node *nd, const struct model_req *rq,
		      pmm_phys_t *out)
{
	pmm_phys_t start = nd->start * PG;
	pmm_phys_t lo = rq->goal > start ? rq->goal : start;
	if (model_pack(nd, rq, lo, out) || model_pages(nd, rq, lo, out))
		return true;
	if (lo == start)
		return false;
	return model_pack(nd, rq, start, out) || model_pages(nd, rq, start, out);
}

static int model_alloc(int nid, struct model_req rq, pmm_phys_t *out)
{
	if (rq.size == 0)
		return PMM_EINVAL;
	if (rq.limit == 0)
		rq.limit = UINT64_MAX;
	int first = nid;
	if (first == PMM_NUMA_NO_NODE) {
		first = model_node_of(rq.goal / PG);
		if (first < 0)
			first = 0;
	}
	if (first < MODEL_NODES && mnode[first].present && model_try(&mnode[first], &rq, out))
		return 0;
	for (int n = 0; n < MODEL_NODES; n++)
		if (n != first && mnode[n].present && model_try(&mnode[n], &rq, out))
			return 0;
	return PMM_ENOMEM;
}

/* Random nodes: adjacent or with a hole between them, in [0, MODEL_PAGES). */
static void make_nodes(void)
{
	memset(page_state, OUTSIDE, sizeof(page_state));
	memset(mnode, 0, sizeof(mnode));
	pmm_pfn_t pos = below(40);
	for (int n = 0; n < MODEL_NODES; n++) {
		pmm_pfn_t len = 200 + below(MODEL_PAGES / MODEL_NODES - 260);
		mnode[n] = (struct model_node){ true, pos, pos + len, pos, 0 };
		bm_fix_node(n, pos, pos + len, MAP_PFN + (pmm_pfn_t)n);
		for (pmm_pfn_t p = pos; p < pos + len; p++)
			page_state[p] = RESERVED;
		pos += len + (below(2) ? 0 : below(20));
	}
}

static pmm_phys_t rand_addr(void)
{
	pmm_phys_t a = below(MODEL_PAGES + 32) * PG;
	return below(3) ? a : a + below(PG);
}

static uint64_t rand_size(void)
{
	switch (below(4)) {
	case 0: return below(300);             /* small, maybe 0 */
	case 1: return 1 + below(3 * PG);
	case 2: return (1 + below(8)) * PG;
	default: return below(200) * PG + below(PG);
	}
}

static void compare_bitmap(void)
{
	for (pmm_pfn_t p = 0; p < MODEL_PAGES + 40; p++) {
		bool want = page_state[p] != FREE;
		if (pmm_bootmem_is_reserved(&bm_fix, p) != want)
			fail_msg("pfn %llu: bitmap %d, model %d", (unsigned long long)p,
				 !want, want);
	}
	uint64_t total = 0;
	for (pmm_pfn_t p = 0; p < MODEL_PAGES; p++)
		total += page_state[p] == FREE;
	assert_int_equal(pmm_bootmem_free_pages(&bm_fix, PMM_NUMA_NO_NODE), total);
}

static void step(void)
{
	uint64_t kind = below(10);
	if (kind < 3) {
		pmm_phys_t a = rand_addr();
		uint64_t sz = rand_size();
		assert_int_equal(pmm_bootmem_free(&bm_fix, a, sz), model_free(a, sz));
	} else if (kind < 5) {
		pmm_phys_t a = rand_addr();
		uint64_t sz = kind == 3 ? rand_size() : below(4 * PG);
		assert_int_equal(pmm_bootmem_reserve(&bm_fix, a, sz), model_reserve(a, sz));
	} else {
		struct model_req rq = {
			.size = rand_size(),
			.align = (uint64_t)1 << below(19),
			.goal = below(2) ? 0 : rand_addr(),
			.limit = below(3) ? 0 : rand_addr(),
		};
		int nid = (int)below(MODEL_NODES + 2) - 1;
		pmm_phys_t got = 0, want = 0;
		int err = pmm_bootmem_alloc(&bm_fix, nid, rq.size, rq.align,
					    rq.goal, rq.limit, &got);
		assert_int_equal(err, model_alloc(nid, rq, &want));
		if (err == 0)
			assert_int_equal(got, want);
	}
}

static void run_seed(uint64_t seed, unsigned int steps)
{
	rng = seed;
	make_nodes();
	/* Start from mostly free memory so that allocations succeed. */
	for (int n = 0; n < MODEL_NODES; n++)
		if (below(4)) {
			pmm_phys_t a = mnode[n].start * PG;
			uint64_t sz = (mnode[n].end - mnode[n].start) * PG;
			assert_int_equal(pmm_bootmem_free(&bm_fix, a, sz), model_free(a, sz));
		}
	for (unsigned int i = 0; i < steps; i++) {
		step();
		if (i % 64 == 63)
			compare_bitmap();
	}
	compare_bitmap();
}

static void test_model_random_calls(void **state)
{
	for (uint64_t seed = 1; seed <= 24; seed++) {
		bm_fix_teardown(state);
		assert_int_equal(bm_fix_setup(state), 0);
		run_seed(seed * 0x9e3779b97f4a7c15ull, 1500);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_model_random_calls,
						bm_fix_setup, bm_fix_teardown),
	};
	return cmocka_run_group_tests_name("bootmem_model", tests, NULL, NULL);
}
