/* SPDX-License-Identifier: MIT */
/*
 * test_memblock_random.c - randomized differential test: memblock against
 * a per-page model of a small address space.
 *
 * The model keeps, for each of NP pages, whether it is memory (with node
 * and flags) and whether it is reserved. Regions are then maximal runs of
 * pages with equal attributes, which is exactly what memblock's merged
 * arrays must hold after every operation. Allocations are predicted from
 * the model with Linux's rules (direction, window, first page, alignment,
 * node fallback, mirror preference, hotplug under movable_node, NOMAP) and
 * must land exactly there.
 *
 *   MEMBLOCK_RANDOM_OPS=N    operations per seed (default 20000)
 *   MEMBLOCK_RANDOM_SEED=S   first seed (default 1); three seeds run
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "memblock_test.h"
#include "test_rand.h"

#define NP 512u            /* pages in the model */
#define PG SZ_4K
#define NONE PMM_MAX_NUMNODES
#define MEM (&pmm_memblock.memory)
#define RSV (&pmm_memblock.reserved)

struct model {
	bool mem[NP];
	int nid[NP];
	unsigned int flags[NP];
	bool rsv[NP];
	bool has_mirror;
};

static struct model m;
static uint64_t rng;

static uint64_t rnd(void)
{
	return test_rand_next(&rng);
}

static unsigned int rnd_below(unsigned int n)
{
	return (unsigned int)(rnd() % n);
}

/* A random page range [*a, *b), mostly short. */
static void rnd_range(unsigned int *a, unsigned int *b)
{
	unsigned int len = rnd_below(4) ? 1 + rnd_below(16) : 1 + rnd_below(NP / 2);

	*a = rnd_below(NP);
	*b = *a + len > NP ? NP : *a + len;
}

/* Page @p and @q are in one region of memory (equal attributes). */
static bool mem_same(unsigned int p, unsigned int q)
{
	return m.mem[p] && m.mem[q] && m.nid[p] == m.nid[q] &&
	       m.flags[p] == m.flags[q];
}

struct run {
	unsigned int start, end;
};

/* Expected regions of one type from the model, into @out. */
static unsigned int model_regions(bool reserved, struct mbt_rgn *out)
{
	unsigned int n = 0;

	for (unsigned int p = 0; p < NP;) {
		unsigned int q = p + 1;

		if (reserved ? !m.rsv[p] : !m.mem[p]) {
			p++;
			continue;
		}
		while (q < NP && (reserved ? m.rsv[q] : mem_same(p, q)))
			q++;
		out[n].base = (pmm_phys_t)p * PG;
		out[n].size = (uint64_t)(q - p) * PG;
		out[n].flags = reserved ? 0 : m.flags[p];
		out[n].nid = reserved ? NONE : m.nid[p];
		n++;
		p = q;
	}
	return n;
}

static void compare_type(const struct pmm_memblock_type *type, bool reserved,
			 uint64_t op)
{
	static struct mbt_rgn want[NP];
	unsigned int n = model_regions(reserved, want);

	if (n == 0) {
		if (type->cnt != 1 || type->regions[0].size != 0 ||
		    type->total_size != 0)
			fail_msg("op %llu: %s should be empty",
				 (unsigned long long)op, type->name);
		return;
	}
	if (type->cnt != n)
		fprintf(stderr, "op %llu: %s has %lu regions, model %u\n",
			(unsigned long long)op, type->name, type->cnt, n);
	mbt_expect(type, want, n, __FILE__, __LINE__);
}

static void compare(uint64_t op)
{
	compare_type(MEM, false, op);
	compare_type(RSV, true, op);
}

/* ---- the operations, each applied to memblock and the model ---- */

static void op_add(void)
{
	static const unsigned int fl[] = { 0, 0, 0, PMM_MEMBLOCK_HOTPLUG,
					   PMM_MEMBLOCK_NOMAP };
	static const int nids[] = { 0, 1, 2, NONE };
	unsigned int a, b, f = fl[rnd_below(5)];
	int nid = nids[rnd_below(4)];
	int err;

	rnd_range(&a, &b);
	err = pmm_memblock_add_node((pmm_phys_t)a * PG, (b - a) * PG, nid,
				    (enum pmm_memblock_flags)f);
	if (err == PMM_EFULL)
		return;
	assert_int_equal(err, 0);
	for (unsigned int p = a; p < b; p++) {
		if (m.mem[p])
			continue;
		m.mem[p] = true;
		m.nid[p] = nid;
		m.flags[p] = f;
	}
}

static void op_remove_or_free(bool reserved)
{
	unsigned int a, b;
	int err;

	rnd_range(&a, &b);
	err = reserved ? pmm_memblock_free((pmm_phys_t)a * PG, (b - a) * PG)
		       : pmm_memblock_remove((pmm_phys_t)a * PG, (b - a) * PG);
	if (err == PMM_EFULL)
		return;
	assert_int_equal(err, 0);
	for (unsigned int p = a; p < b; p++) {
		if (reserved)
			m.rsv[p] = false;
		else
			m.mem[p] = false;
	}
}

static void op_reserve(void)
{
	unsigned int a, b;
	int err;

	rnd_range(&a, &b);
	err = pmm_memblock_reserve((pmm_phys_t)a * PG, (b - a) * PG);
	if (err == PMM_EFULL)
		return;
	assert_int_equal(err, 0);
	for (unsigned int p = a; p < b; p++)
		m.rsv[p] = true;
}

static void op_flag(void)
{
	static const unsigned int fl[] = { PMM_MEMBLOCK_HOTPLUG,
					   PMM_MEMBLOCK_NOMAP,
					   PMM_MEMBLOCK_MIRROR };
	unsigned int a, b, f = fl[rnd_below(3)];
	bool set = rnd_below(2) != 0;
	int err;

	rnd_range(&a, &b);
	if (f == PMM_MEMBLOCK_MIRROR && !set)
		set = true;
	if (f == PMM_MEMBLOCK_MIRROR && rnd_below(8))
		return; /* mirror is rare: it changes every allocation after */
	if (f == PMM_MEMBLOCK_MIRROR)
		err = pmm_memblock_mark_mirror((pmm_phys_t)a * PG, (b - a) * PG);
	else
		err = pmm_memblock_setclr_flag((pmm_phys_t)a * PG, (b - a) * PG,
					       (enum pmm_memblock_flags)f, set);
	if (err == PMM_EFULL)
		return;
	assert_int_equal(err, 0);
	if (f == PMM_MEMBLOCK_MIRROR)
		m.has_mirror = true;
	for (unsigned int p = a; p < b; p++)
		if (m.mem[p])
			m.flags[p] = set ? m.flags[p] | f : m.flags[p] & ~f;
}

static void op_set_node(void)
{
	unsigned int a, b;
	int nid = (int)rnd_below(3);
	int err;

	rnd_range(&a, &b);
	err = pmm_memblock_set_node((pmm_phys_t)a * PG, (b - a) * PG, MEM, nid);
	if (err == PMM_EFULL)
		return;
	assert_int_equal(err, 0);
	for (unsigned int p = a; p < b; p++)
		if (m.mem[p])
			m.nid[p] = nid;
}

static void op_trim(void)
{
	unsigned int align = 1u << rnd_below(4);

	assert_int_equal(pmm_memblock_trim_memory((pmm_phys_t)align * PG), 0);
	for (unsigned int p = 0; p < NP;) {
		unsigned int q = p + 1, s, e;

		if (!m.mem[p]) {
			p++;
			continue;
		}
		while (q < NP && mem_same(p, q))
			q++;
		s = (p + align - 1) / align * align;
		e = q / align * align;
		for (unsigned int i = p; i < q; i++)
			if (i < s || i >= e)
				m.mem[i] = false;
		p = q;
	}
}

/* May page @p be allocated for @nid with @flags (Linux's skip rules)? */
static bool usable(unsigned int p, int nid, unsigned int flags)
{
	if (!m.mem[p] || m.rsv[p])
		return false;
	if (nid != PMM_NUMA_NO_NODE && m.nid[p] != nid)
		return false;
	if ((m.flags[p] & PMM_MEMBLOCK_HOTPLUG) && pmm_memblock.movable_node)
		return false;
	if ((flags & PMM_MEMBLOCK_MIRROR) && !(m.flags[p] & PMM_MEMBLOCK_MIRROR))
		return false;
	return !(m.flags[p] & PMM_MEMBLOCK_NOMAP);
}

/* The model's answer: first fitting page or -1, in pages. */
static long model_find(unsigned int size, unsigned int align,
		       unsigned int lo, unsigned int hi, int nid,
		       unsigned int flags)
{
	long best = -1;

	lo = lo < 1 ? 1 : lo; /* never the first page */
	hi = hi < lo ? lo : hi;
	for (unsigned int p = 0; p < NP;) {
		unsigned int q = p + 1, s, e, c;

		if (!usable(p, nid, flags)) {
			p++;
			continue;
		}
		while (q < NP && usable(q, nid, flags) && mem_same(p, q))
			q++;
		s = p < lo ? lo : (p > hi ? hi : p);
		e = q < lo ? lo : (q > hi ? hi : q);
		p = q;
		if (pmm_memblock.bottom_up) {
			c = (s + align - 1) / align * align;
			if (c < e && e - c >= size)
				return c;
		} else if (e >= size) {
			c = (e - size) / align * align;
			if (c >= s)
				best = c;
		}
	}
	return best;
}

static long model_alloc_range(unsigned int size, unsigned int align,
			      unsigned int lo, unsigned int hi, int nid,
			      bool exact)
{
	unsigned int flags = m.has_mirror ? PMM_MEMBLOCK_MIRROR : 0;
	long r;

	for (;;) {
		r = model_find(size, align, lo, hi, nid, flags);
		if (r < 0 && nid != PMM_NUMA_NO_NODE && !exact)
			r = model_find(size, align, lo, hi, PMM_NUMA_NO_NODE,
				       flags);
		if (r >= 0 || !flags)
			return r;
		flags = 0;
	}
}

static void op_alloc(uint64_t op)
{
	static const int nids[] = { PMM_NUMA_NO_NODE, PMM_NUMA_NO_NODE, 0, 1, 2 };
	unsigned int size = 1 + rnd_below(8), align = 1u << rnd_below(4);
	unsigned int lo = rnd_below(3) ? 0 : rnd_below(NP);
	unsigned int hi = rnd_below(3) ? NP + 64 : lo + rnd_below(NP);
	int nid = nids[rnd_below(5)];
	bool exact = rnd_below(4) == 0;
	unsigned int opts = PMM_MEMBLOCK_ALLOC_RAW |
			    (exact ? PMM_MEMBLOCK_ALLOC_EXACT_NID : 0);
	pmm_phys_t pa = 0;
	long want;
	int err;

	unsigned int mhi = hi ? hi : NP + 64; /* 0 is ACCESSIBLE: no limit */

	pmm_memblock_set_bottom_up(rnd_below(2) != 0);
	want = model_alloc_range(size, align, lo, mhi, nid, exact);
	if (want < 0 && lo)
		want = model_alloc_range(size, align, 0, mhi, nid, exact);
	err = pmm_memblock_alloc((uint64_t)size * PG, (uint64_t)align * PG,
				 (pmm_phys_t)lo * PG, (pmm_phys_t)hi * PG, nid,
				 opts, &pa);
	if (err == PMM_EFULL)
		return;
	if (want < 0) {
		if (err != PMM_ENOMEM)
			fail_msg("op %llu: alloc %u/%u [%u,%u) nid %d: model fails, memblock gave %d at %#llx",
				 (unsigned long long)op, size, align, lo, hi,
				 nid, err, (unsigned long long)pa);
		return;
	}
	if (err != 0 || pa != (pmm_phys_t)want * PG)
		fail_msg("op %llu: alloc %u/%u [%u,%u) nid %d exact %d %s: model page %ld, memblock err %d at page %llu",
			 (unsigned long long)op, size, align, lo, hi, nid, exact,
			 pmm_memblock.bottom_up ? "bottom-up" : "top-down",
			 want, err, (unsigned long long)(pa / PG));
	for (unsigned int p = (unsigned int)want; p < want + size; p++)
		m.rsv[p] = true;
}

/* The free-range walk equals the model's free runs. */
static void check_free_walk(uint64_t op)
{
	struct pmm_memblock_iter it;
	unsigned int p = 0;

	pmm_memblock_iter_init(&it, PMM_NUMA_NO_NODE, PMM_MEMBLOCK_NONE, false);
	while (pmm_memblock_iter_next(&it)) {
		unsigned int s = (unsigned int)(it.range.start / PG);
		unsigned int e = (unsigned int)(it.range.end / PG);

		while (p < s)
			if (usable(p++, PMM_NUMA_NO_NODE, 0))
				fail_msg("op %llu: page %u free but not walked",
					 (unsigned long long)op, p - 1);
		for (; p < e; p++)
			if (!usable(p, PMM_NUMA_NO_NODE, 0))
				fail_msg("op %llu: page %u walked but not free",
					 (unsigned long long)op, p);
	}
	for (; p < NP; p++)
		if (usable(p, PMM_NUMA_NO_NODE, 0))
			fail_msg("op %llu: page %u free past the walk",
				 (unsigned long long)op, p);
}

static uint64_t env_u64(const char *name, uint64_t def)
{
	const char *v = getenv(name);

	return v && *v ? strtoull(v, NULL, 0) : def;
}

static void run_seed(uint64_t seed, uint64_t ops)
{
	pmm_memblock_reset();
	memset(&m, 0, sizeof(m));
	rng = seed * 0x9e3779b97f4a7c15ull + 1;
	for (uint64_t op = 0; op < ops; op++) {
		unsigned int k = rnd_below(100);

		if (k < 22)
			op_add();
		else if (k < 30)
			op_remove_or_free(false);
		else if (k < 45)
			op_reserve();
		else if (k < 58)
			op_remove_or_free(true);
		else if (k < 66)
			op_flag();
		else if (k < 70)
			op_set_node();
		else if (k < 72)
			op_trim();
		else if (k < 74)
			pmm_memblock_set_movable_node(rnd_below(2) != 0);
		else
			op_alloc(op);
		compare(op);
		assert_null(pmm_memblock_check());
		if (op % 16 == 0)
			check_free_walk(op);
		/* now and then start over with nothing reserved */
		if (rnd_below(500) == 0) {
			int err = pmm_memblock_free(0, NP * PG);

			assert_true(err == 0 || err == PMM_EFULL);
			if (!err)
				memset(m.rsv, 0, sizeof(m.rsv));
		}
	}
}

static void test_random_differential(void **state)
{
	uint64_t ops = env_u64("MEMBLOCK_RANDOM_OPS", 20000);
	uint64_t seed = env_u64("MEMBLOCK_RANDOM_SEED", 1);

	(void)state;
	for (uint64_t s = seed; s < seed + 3; s++)
		run_seed(s, ops);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_random_differential, mbt_setup, mbt_teardown),
	};
	return cmocka_run_group_tests_name("memblock_random", tests, NULL, NULL);
}
