/* SPDX-License-Identifier: MIT */
/*
 * fuzz_contig.c - libFuzzer target: sequences of contiguous, placed and
 * isolation calls (pmm/contig.h), decoded from the input, against a model
 * of one page state per pfn (free, allocated, reserved) and one isolation
 * bit per pageblock.
 *
 * Machine: DMA [0, 1024) and Normal [1024, 4096) on node 0, pfns
 * [2000, 2016) never handed over, per-CPU lists off, no watermarks.
 * After every call: pmm_check() passes; a failed call left the state byte
 * for byte as it was (tests/support/reliability_snap.c). The model
 * predicts placed allocations, range queries and the release of an
 * isolation exactly, proves every contiguous run it is given (window,
 * alignment, boundary, free and not isolated before) and that PMM_ENOMEM
 * comes only when no such run exists. Half the inputs declare a CMA region
 * [3072, 4096) (the model keeps its pages out of contiguous searches) and
 * add CMA allocations and releases, checked for place and alignment, and
 * movable pages that may borrow it: one lands in the region only while
 * the free pages outside cover what the region has off its lists plus one.
 * Any disagreement aborts.
 */
#include <stdbool.h>
#include <string.h>

#include <pmm/contig.h>
#include <pmm/zone.h>

#include "buddy_setup.h"
#include "fuzz_input.h"
#include "reliability_snap.h"

#define NPAGES 4096u
#define DMA_END 1024u
#define NPB (NPAGES / PMM_PAGEBLOCK_PAGES)
#define MAX_RUNS 256

enum { PG_FREE, PG_USED, PG_RESERVED };

struct run {
	pmm_pfn_t pfn;
	uint64_t nr;
};

#define CMA_BASE 3072u
#define CMA_END NPAGES

static uint8_t pg[NPAGES];
static bool iso[NPB];
static int cma_id = -1;
static struct run runs[MAX_RUNS];
static unsigned int nruns, op_no;
static struct rel_snap snap;

static __attribute__((noreturn, format(printf, 1, 2))) void fail(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fuzz_vfail("fuzz_contig", op_no, fmt, ap);
}

/* Return: the zone index (0 DMA, 1 Normal) of @pfn. */
static int zone_of(pmm_pfn_t pfn)
{
	return pfn < DMA_END ? 0 : 1;
}

/* Return: true if [@pfn, +@nr) lies in one zone, off pfn 0. */
static bool one_zone(pmm_pfn_t pfn, uint64_t nr)
{
	return nr != 0 && pfn != 0 && pfn < NPAGES && nr <= NPAGES - pfn &&
	       zone_of(pfn) == zone_of(pfn + nr - 1);
}

/* Return: the first pfn of [@pfn, +@nr) that is not free, or pfn + nr. */
static pmm_pfn_t model_first_busy(pmm_pfn_t pfn, uint64_t nr)
{
	for (pmm_pfn_t p = pfn; p < pfn + nr; p++)
		if (pg[p] != PG_FREE)
			return p;
	return pfn + nr;
}

static void model_set(pmm_pfn_t pfn, uint64_t nr, uint8_t v)
{
	memset(&pg[pfn], v, (size_t)nr);
}

static void add_run(pmm_pfn_t pfn, uint64_t nr)
{
	model_set(pfn, nr, PG_USED);
	if (nruns < MAX_RUNS) {
		runs[nruns++] = (struct run){ pfn, nr };
		return;
	}
	if (pmm_free_contig(pmm_pfn_to_page(pfn), nr) != 0) /* no room: back */
		fail("free of untracked run 0x%llx+%llu", (unsigned long long)pfn,
		     (unsigned long long)nr);
	model_set(pfn, nr, PG_FREE);
}

/* State equal to the snapshot taken before a call that failed. */
static void unchanged(const char *call, int err)
{
	const char *why = rel_snap_same(&snap);
	if (why != NULL)
		fail("%s failed with %d but changed the state: %s", call, err, why);
}

/* Free pages not isolated from each pfn on (runlen_fill()). */
static uint32_t runlen[NPAGES + 1];

static void runlen_fill(void)
{
	runlen[NPAGES] = 0;
	for (pmm_pfn_t p = NPAGES; p-- > 0;)
		runlen[p] = pg[p] == PG_FREE && !iso[p / PMM_PAGEBLOCK_PAGES] &&
				    !(cma_id >= 0 && p >= CMA_BASE) ?
				    runlen[p + 1] + 1 : 0;
}

/* Return: true if a run of @nr may start at @s under the constraints
 * (runlen[] filled). */
static bool run_ok(pmm_pfn_t s, uint64_t nr, pmm_pfn_t lo, pmm_pfn_t hi,
		   pmm_pfn_t align, pmm_pfn_t boundary, int top)
{
	if (s < lo || s + nr > hi || s + nr > NPAGES ||
	    (s & (align - 1)) != 0 || s == 0 ||
	    zone_of(s) > top || zone_of(s) != zone_of(s + nr - 1))
		return false;
	if (boundary != 0 && (s ^ (s + nr - 1)) >= boundary)
		return false;
	return runlen[s] >= nr;
}

/* pmm_alloc_contig_err() with fuzzed arguments. */
static void op_alloc_contig(struct fuzz_in *in)
{
	uint64_t nr = fuzz_u16(in) % 1100;
	pmm_pfn_t lo = fuzz_u16(in) % (NPAGES + 64);
	pmm_pfn_t hi = lo + fuzz_u16(in) % (NPAGES + 64);
	pmm_pfn_t align = (pmm_pfn_t)1 << (fuzz_u8(in) % 12);
	unsigned int b = fuzz_u8(in);
	pmm_pfn_t boundary = b < 128 ? 0 : (pmm_pfn_t)1 << (b % 13);
	static const unsigned int gfps[] = { PMM_GFP_KERNEL, PMM_GFP_DMA,
		PMM_GFP_USER_MOVABLE, PMM_GFP_HIGHUSER, PMM_GFP_DMA | PMM_GFP_HIGHMEM };
	unsigned int gfp = gfps[fuzz_u8(in) % 5];
	int err = 0;
	runlen_fill();
	struct pmm_page *p = pmm_alloc_contig_err(nr, gfp, PMM_PFN_PHYS(lo),
						  PMM_PFN_PHYS(hi),
						  PMM_PFN_PHYS(align),
						  PMM_PFN_PHYS(boundary), &err);
	int top = (gfp & PMM_GFP_DMA) ? 0 : 1;
	if (p != NULL) {
		pmm_pfn_t s = pmm_page_to_pfn(p);
		if (!run_ok(s, nr, lo, hi, align, boundary, top))
			fail("contig %llu pages at 0x%llx breaks the request",
			     (unsigned long long)nr, (unsigned long long)s);
		add_run(s, nr);
		return;
	}
	unchanged("alloc_contig", err);
	if (err != PMM_ENOMEM)
		return;
	for (pmm_pfn_t s = lo; s + nr <= NPAGES && s + nr <= hi; s++)
		if (run_ok(s, nr, lo, hi, align, boundary, top))
			fail("PMM_ENOMEM but %llu pages fit at 0x%llx",
			     (unsigned long long)nr, (unsigned long long)s);
}

/* pmm_free_contig() of all of a live run, or its head or tail part. */
static void op_free_contig(struct fuzz_in *in)
{
	if (nruns == 0)
		return;
	unsigned int i = fuzz_u8(in) % nruns;
	struct run r = runs[i];
	uint64_t part = 1 + fuzz_u16(in) % r.nr;
	bool tail = fuzz_u8(in) & 1;
	pmm_pfn_t s = tail ? r.pfn + r.nr - part : r.pfn;
	int err = pmm_free_contig(pmm_pfn_to_page(s), part);
	if (err != 0)
		fail("free_contig 0x%llx+%llu: %d", (unsigned long long)s,
		     (unsigned long long)part, err);
	model_set(s, part, PG_FREE);
	if (part == r.nr)
		runs[i] = runs[--nruns];
	else
		runs[i] = (struct run){ tail ? r.pfn : r.pfn + part, r.nr - part };
}

/* A bad release: a range that is partly free or reserved. */
static void op_bad_free(struct fuzz_in *in)
{
	pmm_pfn_t s = 1 + fuzz_u16(in) % (NPAGES - 1);
	uint64_t nr = 1 + fuzz_u8(in);
	if (!one_zone(s, nr))
		return;
	bool all_used = true;
	for (pmm_pfn_t p = s; p < s + nr; p++)
		all_used &= pg[p] == PG_USED;
	if (all_used)
		return;
	int err = pmm_free_contig(pmm_pfn_to_page(s), nr);
	if (err != PMM_EDOUBLEFREE && err != PMM_ERESERVED)
		fail("bad free 0x%llx+%llu: %d", (unsigned long long)s,
		     (unsigned long long)nr, err);
	unchanged("free_contig", err);
}

/* pmm_alloc_range() and pmm_range_is_free(), predicted exactly. */
static void op_alloc_range(struct fuzz_in *in)
{
	pmm_pfn_t s = fuzz_u16(in) % (NPAGES + 16);
	uint64_t nr = fuzz_u16(in) % 600;
	pmm_pfn_t busy = 0;
	bool ok = one_zone(s, nr);
	pmm_pfn_t first = ok ? model_first_busy(s, nr) : 0;
	if (pmm_range_is_free(s, nr) != (ok && first == s + nr))
		fail("range_is_free 0x%llx+%llu", (unsigned long long)s,
		     (unsigned long long)nr);
	int err = pmm_alloc_range(s, nr, &busy);
	int want = nr == 0 ? PMM_EINVAL : !ok ? PMM_ERANGE :
		   first != s + nr ? PMM_EBUSY : 0;
	if (err != want || (err == PMM_EBUSY && busy != first))
		fail("alloc_range 0x%llx+%llu: %d (busy 0x%llx), want %d (0x%llx)",
		     (unsigned long long)s, (unsigned long long)nr, err,
		     (unsigned long long)busy, want, (unsigned long long)first);
	if (err == 0)
		add_run(s, nr);
	else
		unchanged("alloc_range", err);
}

/* The pageblocks meeting [@s, +@nr), clipped to its zone: [*a, *b). */
static void pb_range(pmm_pfn_t s, uint64_t nr, unsigned int *a, unsigned int *b)
{
	pmm_pfn_t zlo = zone_of(s) ? DMA_END : 0;
	pmm_pfn_t zhi = zone_of(s) ? NPAGES : DMA_END;
	pmm_pfn_t lo = s & ~(PMM_PAGEBLOCK_PAGES - 1);
	pmm_pfn_t hi = s + nr;
	*a = (unsigned int)((lo > zlo ? lo : zlo) / PMM_PAGEBLOCK_PAGES);
	*b = (unsigned int)(((hi < zhi ? hi : zhi) + PMM_PAGEBLOCK_PAGES - 1) /
			    PMM_PAGEBLOCK_PAGES);
}

/* pmm_isolate_range() / pmm_undo_isolate_range(). */
static void op_isolate(struct fuzz_in *in, bool undo)
{
	pmm_pfn_t s = fuzz_u16(in) % (NPAGES + 16);
	uint64_t nr = fuzz_u16(in) % 1500;
	unsigned int a = 0, b = 0, n_iso = 0;
	bool ok = one_zone(s, nr);
	if (ok) {
		pb_range(s, nr, &a, &b);
		for (unsigned int i = a; i < b; i++)
			n_iso += iso[i];
	}
	int err = undo ? pmm_undo_isolate_range(s, nr) : pmm_isolate_range(s, nr);
	int want = nr == 0 ? PMM_EINVAL : !ok ? PMM_ERANGE : 0;
	if (want == 0 && undo && n_iso != b - a)
		want = PMM_ESTATE;
	if (want == 0 && !undo && n_iso != 0)
		want = PMM_EBUSY;
	/* an allocated block may cross an edge: EBUSY allowed then */
	if (err != want && !(want == 0 && err == PMM_EBUSY))
		fail("%s 0x%llx+%llu: %d, want %d", undo ? "undo" : "isolate",
		     (unsigned long long)s, (unsigned long long)nr, err, want);
	if (err != 0) {
		unchanged(undo ? "undo_isolate" : "isolate", err);
		return;
	}
	for (unsigned int i = a; i < b; i++)
		iso[i] = !undo;
	if (pmm_range_is_isolated(s, nr) == undo)
		fail("range_is_isolated after %s", undo ? "undo" : "isolate");
}

/* pmm_cma_alloc() / pmm_cma_release() of a live run inside the region. */
static void op_cma(struct fuzz_in *in)
{
	if (cma_id < 0)
		return;
	if (fuzz_u8(in) & 1) {
		for (unsigned int i = 0; i < nruns; i++) {
			if (runs[i].pfn < CMA_BASE)
				continue;
			if (pmm_cma_release(cma_id, pmm_pfn_to_page(runs[i].pfn),
					    runs[i].nr) != 0)
				fail("cma release 0x%llx", (unsigned long long)runs[i].pfn);
			model_set(runs[i].pfn, runs[i].nr, PG_FREE);
			runs[i] = runs[--nruns];
			return;
		}
		return;
	}
	uint64_t nr = 1 + fuzz_u16(in) % 700;
	pmm_order_t a = fuzz_u8(in) % 8;
	int err = 0;
	uint64_t free_before = pmm_nr_free_pages();
	struct pmm_page *p = pmm_cma_alloc_err(cma_id, nr, a, &err);
	if (p == NULL) {
		/* tried candidates were isolated and released: the lists may
		 * be in another order, every page is where it was */
		if (pmm_nr_free_pages() != free_before)
			fail("cma_alloc failed with %d and moved pages", err);
		for (unsigned int i = CMA_BASE / PMM_PAGEBLOCK_PAGES; i < NPB; i++)
			if (pmm_range_is_isolated(i * PMM_PAGEBLOCK_PAGES, 1) != iso[i])
				fail("cma_alloc left pageblock %u isolated %d", i, !iso[i]);
		return;
	}
	pmm_pfn_t s = pmm_page_to_pfn(p);
	if (s < CMA_BASE || s + nr > CMA_END || (s & (((pmm_pfn_t)1 << a) - 1)) ||
	    model_first_busy(s, nr) != s + nr)
		fail("cma run 0x%llx+%llu misplaced", (unsigned long long)s,
		     (unsigned long long)nr);
	add_run(s, nr);
}

/* A movable page: where it may come from the region, the lending bound. */
static void op_movable(void)
{
	struct pmm_zone *z = pmm_pfn_zone(CMA_BASE);
	struct pmm_cma_info info;
	if (cma_id < 0 || pmm_cma_info(cma_id, &info) != 0)
		return;
	uint64_t outside = z->free_pages - z->cma_free;
	struct pmm_page *p = pmm_alloc_pages(PMM_GFP_USER_MOVABLE, 0);
	if (p == NULL)
		return;
	pmm_pfn_t pfn = pmm_page_to_pfn(p);
	if (pfn >= CMA_BASE && outside < info.zone_used + 1 + z->watermark[PMM_WMARK_MIN])
		fail("movable page 0x%llx lent with %llu free outside, %llu used",
		     (unsigned long long)pfn, (unsigned long long)outside,
		     (unsigned long long)info.zone_used);
	if (pmm_page_order(p) != 0 || model_first_busy(pfn, 1) != pfn + 1)
		fail("movable page 0x%llx was not free", (unsigned long long)pfn);
	add_run(pfn, 1);
}

static void setup(void)
{
	static const struct buddy_zone_spec z[] = {
		{ 0, PMM_ZONE_DMA, 0, DMA_END },
		{ 0, PMM_ZONE_NORMAL, DMA_END, NPAGES },
	};
	if (buddy_setup(&(struct buddy_setup_opts){ .max_pfn = NPAGES,
			.zones = z, .nr_zones = 2 }) != 0 ||
	    pmm_buddy_handoff_range(0, 2000, NULL) != 0 ||
	    pmm_buddy_handoff_range(2016, NPAGES, NULL) != 0)
		fail("setup");
	memset(pg, PG_FREE, sizeof(pg));
	memset(iso, 0, sizeof(iso));
	pg[0] = PG_RESERVED;
	model_set(2000, 16, PG_RESERVED);
	nruns = 0;
	op_no = 0;
	cma_id = -1;
}

/* Give everything back: the free page count is the hand-off's again. */
static void teardown(void)
{
	while (nruns != 0) {
		struct run r = runs[--nruns];
		if (pmm_free_contig(pmm_pfn_to_page(r.pfn), r.nr) != 0)
			fail("final free 0x%llx", (unsigned long long)r.pfn);
	}
	for (unsigned int i = 0; i < NPB; i++)
		if (iso[i] && pmm_undo_isolate_range(i * PMM_PAGEBLOCK_PAGES + (i == 0),
						     1) != 0)
			fail("final undo of pageblock %u", i);
	if (pmm_nr_free_pages() != NPAGES - 17)
		fail("%llu pages free at the end", (unsigned long long)pmm_nr_free_pages());
	const char *why = pmm_check();
	if (why != NULL)
		fail("pmm_check at the end: %s", why);
	buddy_teardown();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };
	setup();
	uint8_t first = fuzz_u8(&in);
	if ((first & 2) && pmm_cma_declare(CMA_BASE, CMA_END - CMA_BASE, "fz",
					   &cma_id) != 0)
		fail("cma declare");
	pmm_buddy_set_lazy(first & 1);
	while (in.n != 0 && op_no < 400) {
		op_no++;
		rel_snap_take(&snap);
		switch (fuzz_u8(&in) % 8) {
		case 0: op_alloc_contig(&in); break;
		case 1: op_free_contig(&in); break;
		case 2: op_alloc_range(&in); break;
		case 3: op_isolate(&in, fuzz_u8(&in) & 1); break;
		case 4: op_bad_free(&in); break;
		case 5: op_cma(&in); break;
		case 6: op_movable(); break;
		default: pmm_buddy_set_lazy(!pmm_buddy_is_lazy()); break;
		}
		const char *why = pmm_check();
		if (why != NULL)
			fail("pmm_check: %s", why);
	}
	pmm_buddy_set_lazy(false);
	teardown();
	rel_snap_release(&snap);
	return 0;
}
