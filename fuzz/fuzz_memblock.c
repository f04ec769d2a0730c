/* SPDX-License-Identifier: MIT */
/*
 * fuzz_memblock.c - libFuzzer target: memblock operation sequences against
 * a per-page model of a 1 MiB address space, ending with the hand-off to
 * the buddy allocator.
 *
 * Every 6 bytes are one operation: add (with a node), remove, reserve,
 * free, mark/clear hotplug, an allocation (top-down or bottom-up, under a
 * current limit), or a malformed call (size 0, a wrapping range, a bad
 * alignment or flag). The model holds, per page, memory (node, flags) and
 * reserved; after each operation memblock's arrays must be exactly the
 * maximal runs of equal pages and pmm_memblock_check() must pass. An
 * allocation must land exactly where Linux's rule puts it (the highest -
 * or with bottom-up the lowest - aligned free fit inside one memory region
 * below the limit, never in the first page) and fail only when there is
 * none. A failed call must
 * change nothing (PMM_EFULL included). At the end free_all must hand the
 * buddy allocator exactly the model's free pages, and later calls must
 * get PMM_ERETIRED.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pmm/buddy.h>
#include <pmm/check.h>
#include <pmm/memblock.h>

#include "fuzz_input.h"
#include "buddy_setup.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define NP 256u
#define PG PMM_PAGE_SIZE
#define NONE PMM_MAX_NUMNODES

static struct {
	bool mem[NP], rsv[NP];
	int nid[NP];
	unsigned int flags[NP];
	pmm_phys_t limit;
	bool bottom_up;
	unsigned int op;
	struct pmm_memblock before;
	struct pmm_memblock_region mem_r[PMM_INIT_MEMBLOCK_REGIONS];
	struct pmm_memblock_region rsv_r[PMM_INIT_MEMBLOCK_REGIONS];
} md;

static void md_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void md_fail(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fuzz_vfail("memblock model", md.op, fmt, ap);
}

static void snap(void)
{
	md.before = pmm_memblock;
	memcpy(md.mem_r, pmm_memblock.memory.regions, sizeof(md.mem_r));
	memcpy(md.rsv_r, pmm_memblock.reserved.regions, sizeof(md.rsv_r));
}

static void expect_unchanged(int got, int want)
{
	if (got != want)
		md_fail("got %d, expected %d", got, want);
	if (memcmp(&pmm_memblock, &md.before, sizeof(md.before)) ||
	    memcmp(md.mem_r, pmm_memblock.memory.regions, sizeof(md.mem_r)) ||
	    memcmp(md.rsv_r, pmm_memblock.reserved.regions, sizeof(md.rsv_r)))
		md_fail("failed call (%d) changed memblock", got);
}

/* memblock's arrays equal the maximal runs of the model's pages. */
static void compare(void)
{
	const char *why = pmm_memblock_check();
	if (why)
		md_fail("pmm_memblock_check: %s", why);
	static bool mem[NP], rsv[NP];
	static int nid[NP];
	static unsigned int flags[NP];
	memset(mem, 0, sizeof(mem));
	memset(rsv, 0, sizeof(rsv));
	const struct pmm_memblock_type *t = &pmm_memblock.memory;
	for (unsigned long i = 0; i < t->cnt; i++) {
		const struct pmm_memblock_region *r = &t->regions[i];
		if (r->size == 0)
			continue;
		if (r->base % PG || r->size % PG || r->base + r->size > NP * PG)
			md_fail("memory region %lu [0x%llx +0x%llx) off the page grid",
				i, (unsigned long long)r->base,
				(unsigned long long)r->size);
		for (pmm_phys_t a = r->base; a < r->base + r->size; a += PG) {
			mem[a / PG] = true;
			nid[a / PG] = r->nid;
			flags[a / PG] = r->flags;
		}
	}
	t = &pmm_memblock.reserved;
	for (unsigned long i = 0; i < t->cnt; i++) {
		const struct pmm_memblock_region *r = &t->regions[i];
		for (pmm_phys_t a = r->base; a < r->base + r->size; a += PG)
			rsv[a / PG] = true;
	}
	for (unsigned int p = 0; p < NP; p++) {
		if (mem[p] != md.mem[p] || rsv[p] != md.rsv[p] ||
		    (mem[p] && (nid[p] != md.nid[p] || flags[p] != md.flags[p])))
			md_fail("page %u: memblock mem %d nid %d flags %u rsv %d, model mem %d nid %d flags %u rsv %d",
				p, mem[p], nid[p], flags[p], rsv[p], md.mem[p],
				md.nid[p], md.flags[p], md.rsv[p]);
	}
}

/* A page range from the input: [s, s + n) pages, n >= 1. */
static void pick_range(struct fuzz_in *in, unsigned int *s, unsigned int *n)
{
	*s = fuzz_u8(in) % NP;
	*n = 1 + fuzz_u8(in) % 48;
	if (*s + *n > NP)
		*n = NP - *s;
}

static void op_malformed(struct fuzz_in *in)
{
	uint8_t m = fuzz_u8(in);
	pmm_phys_t base = (pmm_phys_t)fuzz_u8(in) * PG;
	pmm_phys_t out;
	int err, want;
	snap();
	switch (m % 8) {
	case 0: err = pmm_memblock_add(base, 0); want = PMM_EINVAL; break;
	case 1: err = pmm_memblock_reserve(UINT64_MAX - PG + 1, 2 * PG); want = PMM_EOVERFLOW; break;
	case 2: err = pmm_memblock_remove(UINT64_MAX - PG + 1, 2 * PG); want = PMM_EOVERFLOW; break;
	case 3: err = pmm_memblock_add_node(base, PG, 0, (enum pmm_memblock_flags)0x30); want = PMM_EINVAL; break;
	case 4: err = pmm_memblock_phys_alloc(PG, 3 * PG, &out); want = PMM_EALIGN; break;
	case 5: err = pmm_memblock_phys_alloc(0, PG, &out); want = PMM_EINVAL; break;
	case 6: err = pmm_memblock_free(base, 0); want = PMM_EINVAL; break;
	default: err = pmm_memblock_free_late(base, PG); want = PMM_ESTATE; break;
	}
	expect_unchanged(err, want);
}

/* Apply a range op that may fail with EFULL; on success update the model. */
static bool applied(int err)
{
	if (err == PMM_EFULL) {
		expect_unchanged(err, PMM_EFULL);
		return false;
	}
	if (err != 0)
		md_fail("range operation failed: %d", err);
	return true;
}

static void op_range(struct fuzz_in *in, unsigned int kind)
{
	unsigned int s, n;
	pick_range(in, &s, &n);
	pmm_phys_t base = (pmm_phys_t)s * PG, size = (pmm_phys_t)n * PG;
	int nid = (int)(s % 3);
	snap();
	switch (kind) {
	case 0:
		if (applied(pmm_memblock_add_node(base, size, nid, PMM_MEMBLOCK_NONE)))
			for (unsigned int p = s; p < s + n; p++)
				if (!md.mem[p]) {
					md.mem[p] = true;
					md.nid[p] = nid;
					md.flags[p] = 0;
				}
		break;
	case 1:
		if (applied(pmm_memblock_remove(base, size)))
			for (unsigned int p = s; p < s + n; p++)
				md.mem[p] = false;
		break;
	case 2:
		if (applied(pmm_memblock_reserve(base, size)))
			for (unsigned int p = s; p < s + n; p++)
				md.rsv[p] = true;
		break;
	case 3:
		if (applied(pmm_memblock_free(base, size)))
			for (unsigned int p = s; p < s + n; p++)
				md.rsv[p] = false;
		break;
	default: {
		bool set = s & 1;
		if (applied(pmm_memblock_setclr_flag(base, size, PMM_MEMBLOCK_HOTPLUG, set)))
			for (unsigned int p = s; p < s + n; p++)
				if (md.mem[p])
					md.flags[p] = set ? PMM_MEMBLOCK_HOTPLUG : 0;
		break;
	}
	}
}

/* Linux's placement: highest (lowest bottom-up) aligned free fit. */
static bool predict(unsigned int n, unsigned int apages, unsigned int *at)
{
	uint64_t lim = md.limit / PG;
	unsigned int top = lim < NP ? (unsigned int)lim : NP;
	bool found = false;
	for (unsigned int a = apages; a + n <= top; a += apages) {
		unsigned int q = a;
		/* Free, and inside one memory region (same node and flags):
		 * Linux walks free ranges region by region. */
		while (q < a + n && md.mem[q] && !md.rsv[q] &&
		       md.nid[q] == md.nid[a] && md.flags[q] == md.flags[a])
			q++;
		if (q != a + n)
			continue;
		*at = a;
		found = true;
		if (md.bottom_up)
			return true;
	}
	return found;
}

static void op_alloc(struct fuzz_in *in)
{
	uint8_t m = fuzz_u8(in), k = fuzz_u8(in);
	unsigned int n = 1 + k % 8;
	unsigned int apages = 1u << (m % 4);
	unsigned int at = 0;
	bool fit = predict(n, apages, &at);
	pmm_phys_t out = 0;
	snap();
	int err = pmm_memblock_phys_alloc((pmm_phys_t)n * PG,
					  (pmm_phys_t)apages * PG, &out);
	if (err == PMM_ENOMEM || err == PMM_EFULL) {
		if (err == PMM_ENOMEM && fit)
			md_fail("ENOMEM for %u pages align %u, model fits at page %u",
				n, apages, at);
		expect_unchanged(err, err);
		return;
	}
	if (err != 0)
		md_fail("alloc: %d", err);
	if (!fit || out != (pmm_phys_t)at * PG)
		md_fail("%u pages align %u (%s) at 0x%llx, model says %s page %u",
			n, apages, md.bottom_up ? "bottom-up" : "top-down",
			(unsigned long long)out, fit ? "at" : "no fit, not even", at);
	for (unsigned int p = at; p < at + n; p++)
		md.rsv[p] = true;
}

static void op_policy(struct fuzz_in *in)
{
	uint8_t m = fuzz_u8(in), v = fuzz_u8(in);
	if (m & 1) {
		md.bottom_up = !md.bottom_up;
		pmm_memblock_set_bottom_up(md.bottom_up);
	} else {
		md.limit = v == 0 ? PMM_MEMBLOCK_ALLOC_ANYWHERE : (pmm_phys_t)v * PG;
		pmm_memblock_set_current_limit(md.limit);
	}
}

static void retire(void)
{
	static const struct buddy_zone_spec z = { 0, PMM_ZONE_NORMAL, 0, NP };
	if (buddy_setup(&(struct buddy_setup_opts){ .max_pfn = NP, .zones = &z,
						    .nr_zones = 1 }) != 0)
		md_fail("buddy_setup");
	uint64_t want = 0, pages = 0;
	for (unsigned int p = 1; p < NP; p++)
		want += md.mem[p] && !md.rsv[p];
	int err = pmm_memblock_free_all(&pages);
	if (err != 0)
		md_fail("free_all: %d", err);
	if (pmm_nr_free_pages() != want)
		md_fail("buddy got %llu pages (free_all said %llu), model %llu",
			(unsigned long long)pmm_nr_free_pages(),
			(unsigned long long)pages, (unsigned long long)want);
	const char *why = pmm_check();
	if (why)
		md_fail("pmm_check: %s", why);
	pmm_phys_t out;
	if (pmm_memblock_phys_alloc(PG, PG, &out) != PMM_ERETIRED ||
	    pmm_memblock_free_all(&pages) != PMM_ERETIRED)
		md_fail("retired memblock accepted a call");
	buddy_teardown();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };
	memset(&md, 0, sizeof(md));
	md.limit = PMM_MEMBLOCK_ALLOC_ANYWHERE;
	pmm_memblock_reset();
	compare();
	while (in.n != 0) {
		md.op++;
		uint8_t op = fuzz_u8(&in);
		switch (op % 16) {
		case 0: case 1: case 2: op_range(&in, 0); break;
		case 3: op_range(&in, 1); break;
		case 4: case 5: op_range(&in, 2); break;
		case 6: case 7: op_range(&in, 3); break;
		case 8: op_range(&in, 4); break;
		case 9: case 10: case 11: op_alloc(&in); break;
		case 12: op_policy(&in); break;
		default: op_malformed(&in); break;
		}
		compare();
	}
	retire();
	return 0;
}
