/* SPDX-License-Identifier: MIT */
/*
 * fuzz_bootmem.c - libFuzzer target: boot memory allocator operation
 * sequences against a page-state model, ending with retirement into the
 * buddy allocator.
 *
 * Bytes 0..3 pick one or two nodes (sizes, a gap between them); each node's
 * bitmap lives in its last page. Then every 8 bytes are one operation:
 * free, reserve or allocate with arbitrary (often malformed) arguments, or
 * free a live allocation. The model keeps each page FREE, RESERVED (by the
 * caller or the set-up), ALLOC (holds bytes of live allocations) or MAP
 * (a bitmap page), and each live allocation's byte range. It predicts every
 * error code and report exactly, proves each allocation aligned, below its
 * limit, on free pages or packed beside live bytes without overlap, and
 * that ENOMEM only comes when no run of free pages could serve. Failed
 * calls must leave the allocator and its bitmaps unchanged. At the end the
 * allocator retires: the pages handed to the buddy allocator must be the
 * model's free pages plus the bitmap pages, pmm_check() must pass, and
 * every later call must get PMM_ERETIRED.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pmm/bootmem.h>
#include <pmm/buddy.h>
#include <pmm/check.h>

#include "fuzz_input.h"
#include "buddy_setup.h"
#include "host_platform.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_PFN 4400
#define MAX_LIVE 512
#define PG PMM_PAGE_SIZE

enum { P_NONE, P_FREE, P_RES, P_ALLOC, P_MAP };

static struct {
	unsigned char st[MAX_PFN];
	struct { pmm_phys_t a, e; } live[MAX_LIVE];
	unsigned int nr_live;
	int nr_nodes;
	pmm_pfn_t ns[2], ne[2];
	pmm_pfn_t max_pfn;
	struct pmm_bootmem bm, bm_before;
	unsigned char bits_before[2][512];
	unsigned int op;
} fz;

static void fz_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void fz_fail(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fuzz_vfail("bootmem model", fz.op, fmt, ap);
}

static int node_of(pmm_pfn_t pfn)
{
	for (int i = 0; i < fz.nr_nodes; i++)
		if (pfn >= fz.ns[i] && pfn < fz.ne[i])
			return i;
	return -1;
}

static bool covered(pmm_pfn_t s, pmm_pfn_t e)
{
	for (pmm_pfn_t p = s; p < e; p++)
		if (p >= MAX_PFN || node_of(p) < 0)
			return false;
	return true;
}

static void snap(void)
{
	fz.bm_before = fz.bm;
	for (int i = 0; i < fz.nr_nodes; i++)
		memcpy(fz.bits_before[i], fz.bm.node[i].map, fz.bm.node[i].map_bytes);
}

/* A failed call: the code, the report and an unchanged allocator. */
static void expect_fail(int got, int want, bool reported, unsigned int before)
{
	if (got != want)
		fz_fail("got %d, model expects %d", got, want);
	if (reported != (host_report_count() == before + 1) ||
	    (reported && host_last_report_err() != want))
		fz_fail("report mismatch for %d", want);
	for (int i = 0; i < fz.nr_nodes; i++) {
		/* The search hint is a cache that may move over reserved pages. */
		fz.bm.node[i].hint = fz.bm_before.node[i].hint;
		if (memcmp(fz.bits_before[i], fz.bm.node[i].map, fz.bm.node[i].map_bytes))
			fz_fail("bitmap of node %d changed on error %d", i, want);
	}
	if (memcmp(&fz.bm, &fz.bm_before, sizeof(fz.bm)) != 0)
		fz_fail("allocator changed on error %d", want);
}

static void check_bits(void)
{
	for (pmm_pfn_t p = 0; p < fz.max_pfn; p++) {
		if (node_of(p) < 0)
			continue;
		bool res = pmm_bootmem_is_reserved(&fz.bm, p);
		if (res != (fz.st[p] != P_FREE))
			fz_fail("pfn 0x%llx: bitmap says %s, model state %u",
				(unsigned long long)p, res ? "reserved" : "free",
				fz.st[p]);
	}
}

static pmm_phys_t pick_addr(struct fuzz_in *in)
{
	uint8_t m = fuzz_u8(in);
	pmm_phys_t pfn = fuzz_u16(in) % (fz.max_pfn + 16);
	switch (m & 3) {
	case 0: return PMM_PFN_PHYS(pfn);
	case 1: return PMM_PFN_PHYS(pfn) + (m >> 2) * 64;
	case 2: return UINT64_MAX - (pmm_phys_t)(m >> 2) * PG;
	default: return PMM_PFN_PHYS(pfn) + PG - 1;
	}
}

static uint64_t pick_size(struct fuzz_in *in)
{
	uint8_t m = fuzz_u8(in);
	uint64_t n = fuzz_u8(in);
	switch (m & 3) {
	case 0: return n * PG;
	case 1: return n * 97 + (m >> 2);
	case 2: return m & 4 ? 0 : UINT64_MAX - n;
	default: return (n + 1) * PG + (m >> 2);
	}
}

static bool touches_map(pmm_pfn_t s, pmm_pfn_t e)
{
	for (pmm_pfn_t p = s; p < e && p < MAX_PFN; p++)
		if (fz.st[p] == P_MAP)
			return true;
	return false;
}

static void op_free(struct fuzz_in *in)
{
	pmm_phys_t addr = pick_addr(in);
	uint64_t size = pick_size(in);
	int want = 0;
	bool rep = false, change = false;
	pmm_pfn_t s = 0, e = 0;
	if (size == 0) {
		want = PMM_EINVAL;
	} else if (size > UINT64_MAX - addr) {
		want = PMM_EOVERFLOW;
	} else {
		s = PMM_PFN_UP(addr);
		e = PMM_PFN_DOWN(addr + size);
		if (addr > UINT64_MAX - PG + 1)
			s = UINT64_MAX >> PMM_PAGE_SHIFT; /* no whole page */
		if (s >= e) {
			pmm_pfn_t t = PMM_PFN_DOWN(addr);
			pmm_pfn_t te = (addr + size) / PG + ((addr + size) % PG != 0);
			want = covered(t, te) ? 0 : PMM_ERANGE;
		} else if (!covered(s, e)) {
			want = PMM_ERANGE;
		} else {
			if (touches_map(s, e))
				return; /* freeing the bitmap itself: caller error */
			for (pmm_pfn_t p = s; p < e && want == 0; p++)
				if (fz.st[p] == P_FREE)
					want = PMM_EDOUBLEFREE, rep = true;
			for (pmm_pfn_t p = s; p < e && want == 0; p++)
				if (fz.st[p] == P_ALLOC)
					return; /* would free live bytes: caller error */
			change = want == 0;
		}
	}
	snap();
	unsigned int before = host_report_count();
	int err = pmm_bootmem_free(&fz.bm, addr, size);
	if (!change) {
		expect_fail(err, want, rep, before);
		return;
	}
	if (err != 0)
		fz_fail("free [0x%llx +0x%llx): %d", (unsigned long long)addr,
			(unsigned long long)size, err);
	for (pmm_pfn_t p = s; p < e; p++)
		fz.st[p] = P_FREE;
}

static void op_reserve(struct fuzz_in *in)
{
	pmm_phys_t addr = pick_addr(in);
	uint64_t size = pick_size(in);
	int want = 0;
	bool rep = false;
	pmm_pfn_t s = 0, e = 0;
	if (size == 0) {
		want = PMM_EINVAL;
	} else if (size > UINT64_MAX - addr) {
		want = PMM_EOVERFLOW;
	} else {
		s = PMM_PFN_DOWN(addr);
		e = (addr + size) / PG + ((addr + size) % PG != 0);
		if (!covered(s, e))
			want = PMM_ERANGE;
		for (pmm_pfn_t p = s; p < e && want == 0; p++)
			if (fz.st[p] != P_FREE)
				want = PMM_EDOUBLERESERVE, rep = true;
	}
	snap();
	unsigned int before = host_report_count();
	int err = pmm_bootmem_reserve(&fz.bm, addr, size);
	if (want != 0) {
		expect_fail(err, want, rep, before);
		return;
	}
	if (err != 0)
		fz_fail("reserve: %d", err);
	for (pmm_pfn_t p = s; p < e; p++)
		fz.st[p] = P_RES;
}

/* Could fresh free pages serve @npages aligned to @apages below @limit? */
static bool fresh_fit(pmm_pfn_t npages, pmm_pfn_t apages, pmm_phys_t limit)
{
	for (int i = 0; i < fz.nr_nodes; i++) {
		pmm_pfn_t p = (fz.ns[i] + apages - 1) / apages * apages;
		for (; p + npages <= fz.ne[i]; p += apages) {
			if (limit && PMM_PFN_PHYS(p + npages) > limit)
				break;
			pmm_pfn_t q = p;
			while (q < p + npages && fz.st[q] == P_FREE)
				q++;
			if (q == p + npages)
				return true;
		}
	}
	return false;
}

static void accept_alloc(pmm_phys_t a, uint64_t size, uint64_t align,
			 pmm_phys_t limit)
{
	pmm_phys_t e = a + size;
	if (a % align != 0)
		fz_fail("0x%llx not aligned to 0x%llx", (unsigned long long)a,
			(unsigned long long)align);
	pmm_pfn_t ps = PMM_PFN_DOWN(a), pe = PMM_PFN_UP(e);
	if (limit && PMM_PFN_PHYS(pe) > limit)
		fz_fail("0x%llx+0x%llx ends past limit 0x%llx",
			(unsigned long long)a, (unsigned long long)size,
			(unsigned long long)limit);
	if (!covered(ps, pe) || node_of(ps) != node_of(pe - 1))
		fz_fail("allocation 0x%llx outside a node", (unsigned long long)a);
	for (pmm_pfn_t p = ps; p < pe; p++)
		if (fz.st[p] != P_FREE && fz.st[p] != P_ALLOC)
			fz_fail("allocation 0x%llx uses pfn 0x%llx in state %u",
				(unsigned long long)a, (unsigned long long)p,
				fz.st[p]);
	for (unsigned int i = 0; i < fz.nr_live; i++)
		if (a < fz.live[i].e && fz.live[i].a < e)
			fz_fail("allocation [0x%llx, 0x%llx) overlaps live [0x%llx, 0x%llx)",
				(unsigned long long)a, (unsigned long long)e,
				(unsigned long long)fz.live[i].a,
				(unsigned long long)fz.live[i].e);
	unsigned char *m = host_phys_ptr(a);
	for (uint64_t i = 0; m && i < size; i += 61)
		if (m[i] != 0)
			fz_fail("allocation 0x%llx not zeroed at +0x%llx",
				(unsigned long long)a, (unsigned long long)i);
	if (m)
		memset(m, 0x5a, size); /* use it */
	for (pmm_pfn_t p = ps; p < pe; p++)
		fz.st[p] = P_ALLOC;
	if (fz.nr_live < MAX_LIVE) {
		fz.live[fz.nr_live].a = a;
		fz.live[fz.nr_live].e = e;
		fz.nr_live++;
	}
}

static void op_alloc(struct fuzz_in *in)
{
	uint8_t m = fuzz_u8(in);
	static const int nids[] = { PMM_NUMA_NO_NODE, 0, 1, 5, -3, PMM_MAX_NUMNODES };
	int nid = nids[m % 6];
	uint64_t size = (m & 0x80) ? (uint64_t)fuzz_u8(in) * 37 + 1 : ((uint64_t)fuzz_u8(in) % 24) * PG + fuzz_u8(in);
	static const uint64_t aligns[] = { 1, 8, 64, PG, 2 * PG, 16 * PG, 0, 24 };
	uint64_t align = aligns[(m >> 3) & 7];
	pmm_phys_t goal = PMM_PFN_PHYS(fuzz_u8(in) * 16);
	pmm_phys_t limit = (m & 0x40) ? PMM_PFN_PHYS((pmm_pfn_t)fuzz_u8(in) * 16) : 0;
	if ((m & 0xc0) == 0xc0)
		size = UINT64_MAX - fuzz_u8(in);
	int want = 0;
	if (size == 0 || (nid != PMM_NUMA_NO_NODE && (nid < 0 || nid >= PMM_MAX_NUMNODES)))
		want = PMM_EINVAL;
	else if (align == 0 || (align & (align - 1)))
		want = PMM_EALIGN;
	else if (size > UINT64_MAX - (PG - 1) - (align - 1))
		want = PMM_EOVERFLOW;
	snap();
	unsigned int before = host_report_count();
	pmm_phys_t out = 0;
	int err = pmm_bootmem_alloc(&fz.bm, nid, size, align, goal, limit, &out);
	if (want != 0) {
		expect_fail(err, want, false, before);
		return;
	}
	if (err == PMM_ENOMEM) {
		pmm_pfn_t ap = align > PG ? align / PG : 1;
		if (fresh_fit(PMM_PFN_UP(size), ap, limit))
			fz_fail("ENOMEM for 0x%llx bytes align 0x%llx limit 0x%llx, but free pages fit",
				(unsigned long long)size, (unsigned long long)align,
				(unsigned long long)limit);
		expect_fail(err, PMM_ENOMEM, false, before);
		return;
	}
	if (err != 0)
		fz_fail("alloc: unexpected %d", err);
	accept_alloc(out, size, align, limit);
}

/* Free the whole pages of a live allocation (the packed page stays). */
static void op_free_live(struct fuzz_in *in)
{
	uint8_t m = fuzz_u8(in);
	if (fz.nr_live == 0)
		return;
	unsigned int i = m % fz.nr_live;
	pmm_phys_t a = fz.live[i].a, e = fz.live[i].e;
	fz.live[i] = fz.live[--fz.nr_live];
	pmm_pfn_t s = PMM_PFN_UP(a), pe = PMM_PFN_DOWN(e);
	int err = pmm_bootmem_free(&fz.bm, a, e - a);
	if (err != 0)
		fz_fail("free of live allocation [0x%llx, 0x%llx): %d",
			(unsigned long long)a, (unsigned long long)e, err);
	for (pmm_pfn_t p = s; p < pe; p++)
		fz.st[p] = P_FREE;
}

static void setup(struct fuzz_in *in)
{
	memset(&fz, 0, sizeof(fz));
	uint8_t a = fuzz_u8(in), b = fuzz_u8(in), c = fuzz_u8(in);
	fz.nr_nodes = 1 + (a & 1);
	fz.ns[0] = 0;
	fz.ne[0] = 64 + (pmm_pfn_t)b * 8;
	if (fz.nr_nodes == 2) {
		fz.ns[1] = fz.ne[0] + ((a >> 1) & 1 ? (pmm_pfn_t)(a >> 2) : 0);
		fz.ne[1] = fz.ns[1] + 64 + (pmm_pfn_t)c * 8;
	}
	fz.max_pfn = fz.ne[fz.nr_nodes - 1];
	static struct buddy_zone_spec z[2];
	for (int i = 0; i < fz.nr_nodes; i++)
		z[i] = (struct buddy_zone_spec){ i, PMM_ZONE_NORMAL, fz.ns[i], fz.ne[i] };
	if (buddy_setup(&(struct buddy_setup_opts){ .max_pfn = fz.max_pfn,
			.zones = z, .nr_zones = (unsigned int)fz.nr_nodes }) != 0)
		fz_fail("buddy_setup");
	pmm_bootmem_init(&fz.bm);
	for (int i = 0; i < fz.nr_nodes; i++) {
		pmm_pfn_t mp = fz.ne[i] - 1;
		uint64_t *map = host_phys_ptr(PMM_PFN_PHYS(mp));
		if (pmm_bootmem_init_node(&fz.bm, i, fz.ns[i], fz.ne[i], map,
					  PMM_PFN_PHYS(mp)) != 0)
			fz_fail("init_node %d", i);
		for (pmm_pfn_t p = fz.ns[i]; p < fz.ne[i]; p++)
			fz.st[p] = P_RES;
		fz.st[mp] = P_MAP;
		/* Usable RAM: the node minus its first page and the bitmap. */
		if (pmm_bootmem_free(&fz.bm, PMM_PFN_PHYS(fz.ns[i] + 1),
				     PMM_PFN_PHYS(fz.ne[i] - fz.ns[i] - 2)) != 0)
			fz_fail("initial free of node %d", i);
		for (pmm_pfn_t p = fz.ns[i] + 1; p < mp; p++)
			fz.st[p] = P_FREE;
	}
}

static void retire(void)
{
	uint64_t want = 0, freed = 0;
	for (pmm_pfn_t p = 0; p < fz.max_pfn; p++)
		want += fz.st[p] == P_FREE || fz.st[p] == P_MAP;
	if (pmm_bootmem_free_all(&fz.bm, &freed) != 0)
		fz_fail("free_all failed");
	/* pfn 0 is never given to the buddy allocator. */
	uint64_t buddy = pmm_nr_free_pages();
	if (freed != want - (fz.st[0] == P_FREE) && freed != want)
		fz_fail("retirement handed %llu pages, model %llu",
			(unsigned long long)freed, (unsigned long long)want);
	if (buddy != freed - (fz.st[0] == P_FREE && freed == want))
		fz_fail("buddy holds %llu free pages, retirement said %llu",
			(unsigned long long)buddy, (unsigned long long)freed);
	const char *why = pmm_check();
	if (why)
		fz_fail("pmm_check after retirement: %s", why);
	pmm_phys_t out;
	if (pmm_bootmem_alloc(&fz.bm, 0, 64, 8, 0, 0, &out) != PMM_ERETIRED ||
	    pmm_bootmem_free(&fz.bm, PG, PG) != PMM_ERETIRED ||
	    pmm_bootmem_reserve(&fz.bm, PG, PG) != PMM_ERETIRED ||
	    pmm_bootmem_free_all(&fz.bm, &freed) != PMM_ERETIRED)
		fz_fail("retired allocator accepted a call");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };
	if (size < 3)
		return 0;
	setup(&in);
	while (in.n != 0) {
		fz.op++;
		switch (fuzz_u8(&in) % 8) {
		case 0: case 1: op_free(&in); break;
		case 2: op_reserve(&in); break;
		case 3: case 4: case 5: op_alloc(&in); break;
		default: op_free_live(&in); break;
		}
		if ((fz.op & 15) == 0)
			check_bits();
	}
	check_bits();
	retire();
	buddy_teardown();
	return 0;
}
