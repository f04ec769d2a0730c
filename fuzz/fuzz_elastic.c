/* SPDX-License-Identifier: MIT */
/*
 * fuzz_elastic.c - libFuzzer target: sequences of free page reporting,
 * idle zeroing, zeroed and plain allocations, frees, placed runs and
 * setting changes (pmm/elastic.h), decoded from the input, against a
 * model of one page state per pfn (free or allocated).
 *
 * Machine: one Normal zone [0, 4096) on node 0 (16 MiB of touchable host
 * memory), all free but pfn 0, per-CPU lists off, the host's reporting
 * hooks on (they discard the reported blocks' host pages). Every
 * allocated block is written (a byte at the start of each page), so a
 * zeroed allocation served from a stale zero mark reads non-zero.
 * After every call: pmm_check() passes; every reported or known-zero head
 * lies on pages the model has free; the host's reported less reclaimed
 * pages equal pmm's count; known-zero blocks read zero (every 64th call
 * and at the end: reading them all is the slow part); a call that
 * failed left the state byte for byte as it was. Any disagreement aborts.
 */
#include <stdbool.h>
#include <string.h>

#include <pmm/contig.h>
#include <pmm/elastic.h>

#include "buddy_setup.h"
#include "fuzz_input.h"
#include "host_platform.h"
#include "reliability_marks.h"
#include "reliability_snap.h"

#define NPAGES 4096u
#define MAX_LIVE 512

struct live {
	pmm_pfn_t pfn;
	pmm_order_t order;
	bool run; /* a placed run of 2^order pages (pmm_free_contig) */
};

static bool used[NPAGES];
static struct live live[MAX_LIVE];
static unsigned int nlive, op_no;
static struct rel_snap snap;

static __attribute__((noreturn, format(printf, 1, 2))) void fail(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fuzz_vfail("fuzz_elastic", op_no, fmt, ap);
}

/* @deferred: the hand-off defers its top-order blocks (buddy_deferred.c). */
static void setup(bool deferred)
{
	memset(used, 0, sizeof(used));
	used[0] = true;
	nlive = 0;
	op_no = 0;
	if (buddy_setup(&(struct buddy_setup_opts){ .max_pfn = NPAGES,
			.handoff = true, .deferred = deferred, .reporting = true }) != 0)
		fail("setup");
	pmm_zone_set_watermarks(&pmm_nodes[0].zones[PMM_ZONE_NORMAL], 0, 0, 0);
}

/* Mark [@pfn, +2^@k) @to in the model, each page @from before. */
static void model_move(pmm_pfn_t pfn, pmm_order_t k, bool from, bool to)
{
	for (pmm_pfn_t p = pfn; p < pfn + ((pmm_pfn_t)1 << k); p++) {
		if (p >= NPAGES || used[p] != from)
			fail("pfn %llu order %u: page %llu is %s in the model",
			     (unsigned long long)pfn, k, (unsigned long long)p,
			     used[p] ? "allocated" : "free");
		used[p] = to;
	}
}

/* Check a new block (zero when @zero), write it, count it live. */
static void take_block(pmm_pfn_t pfn, pmm_order_t k, bool zero, bool run)
{
	unsigned char *mem = host_phys_ptr(PMM_PFN_PHYS(pfn));
	model_move(pfn, k, false, true);
	for (pmm_pfn_t i = 0; i < ((pmm_pfn_t)1 << k); i++) {
		unsigned char *page = mem + PMM_PFN_PHYS(i);
		if (zero && (page[0] != 0 || page[PMM_PAGE_SIZE - 1] != 0))
			fail("zeroed pfn %llu order %u: page %llu not zero",
			     (unsigned long long)pfn, k, (unsigned long long)i);
		page[0] = 0xa5;
	}
	live[nlive++] = (struct live){ pfn, k, run };
}

static void op_alloc(struct fuzz_in *in)
{
	uint8_t b = fuzz_u8(in);
	pmm_order_t k = b % 8u;
	bool zero = (b & 0x80) != 0;
	if (nlive == MAX_LIVE)
		return;
	struct pmm_page *p = pmm_alloc_pages(PMM_GFP_KERNEL | (zero ? PMM_GFP_ZERO : 0), k);
	if (p == NULL) {
		const char *why = rel_snap_same(&snap);
		if (why)
			fail("failed allocation changed the state: %s", why);
		return;
	}
	take_block(pmm_page_to_pfn(p), k, zero, false);
}

static void op_free(struct fuzz_in *in)
{
	if (nlive == 0)
		return;
	unsigned int i = fuzz_u8(in) % nlive;
	struct live l = live[i];
	int err = l.run ? pmm_free_contig(pmm_pfn_to_page(l.pfn), (uint64_t)1 << l.order)
			: pmm_free_pages(pmm_pfn_to_page(l.pfn), l.order);
	if (err != 0)
		fail("free of pfn %llu order %u: %d", (unsigned long long)l.pfn, l.order, err);
	model_move(l.pfn, l.order, true, false);
	live[i] = live[--nlive];
}

/* A placed run over whatever is there: reported blocks are reclaimed. */
static void op_alloc_range(struct fuzz_in *in)
{
	pmm_order_t k = fuzz_u8(in) % 6u;
	pmm_pfn_t pfn = (fuzz_u16(in) % NPAGES) & ~(((pmm_pfn_t)1 << k) - 1);
	if (nlive == MAX_LIVE || pfn == 0)
		return;
	bool all_free = true;
	for (pmm_pfn_t p = pfn; p < pfn + ((pmm_pfn_t)1 << k); p++)
		all_free = all_free && !used[p];
	int err = pmm_alloc_range(pfn, (uint64_t)1 << k, NULL);
	if (all_free != (err == 0))
		fail("alloc_range pfn %llu order %u: %d, model says %s",
		     (unsigned long long)pfn, k, err, all_free ? "free" : "busy");
	if (err == 0)
		take_block(pfn, k, false, true);
}

/* A budget of 0 and an out-of-range setting must fail and change nothing. */
static void expect_unchanged(int err, int want, const char *what)
{
	if (err != want)
		fail("%s: %d, expected %d", what, err, want);
	const char *why = rel_snap_same(&snap);
	if (why)
		fail("%s changed the state: %s", what, why);
}

/* A pass with @budget: 0 must fail; else at most @budget done. */
static void op_pass(int (*pass)(unsigned int), unsigned int budget,
		    const char *what)
{
	int n = pass(budget);
	if (budget == 0)
		expect_unchanged(n, PMM_EINVAL, what);
	else if (n < 0 || (unsigned int)n > budget)
		fail("%s budget %u: %d", what, budget, n);
}

static void op_set(struct fuzz_in *in)
{
	pmm_order_t k = fuzz_u8(in) % 16u;
	unsigned int batch = fuzz_u8(in) % 40u;
	int want = k < PMM_REPORT_ORDER_MIN || k > PMM_MAX_ORDER ? PMM_EORDER
		   : batch == 0 || batch > PMM_REPORT_BATCH_MAX ? PMM_EINVAL : 0;
	int err = pmm_report_set(k, batch);
	if (want != 0)
		expect_unchanged(err, want, "report_set");
	else if (err != 0)
		fail("report_set(%u, %u): %d", k, batch, err);
}

static bool page_used(pmm_pfn_t pfn)
{
	return used[pfn];
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };
	uint8_t first = fuzz_u8(&in);
	setup(first & 0x80); /* the top bit: a deferred hand-off */
	if (pmm_report_set((pmm_order_t)(PMM_REPORT_ORDER_MIN + first % 7u),
			   1u + (first >> 3) % 4u) != 0)
		fail("report_set at start");
	while (in.n != 0 && op_no < 300) {
		op_no++;
		rel_snap_take(&snap);
		switch (fuzz_u8(&in) % 7) {
		case 0: op_alloc(&in); break;
		case 1: op_free(&in); break;
		case 2: op_pass(pmm_report_free_pages, fuzz_u8(&in) % 40u, "report"); break;
		case 3: op_pass(pmm_zero_idle, fuzz_u16(&in) % 1200u, "zero_idle"); break;
		case 4: op_alloc_range(&in); break;
		case 5: op_set(&in); break;
		default: pmm_buddy_set_lazy(!pmm_buddy_is_lazy()); break;
		}
		const char *why = pmm_check();
		if (why != NULL)
			fail("pmm_check: %s", why);
		const char *bad = rel_marks_check(page_used, NPAGES, op_no % 64 == 0);
		if (bad != NULL)
			fail("%s", bad);
	}
	const char *bad = rel_marks_check(page_used, NPAGES, true);
	if (bad != NULL)
		fail("at the end: %s", bad);
	pmm_buddy_set_lazy(false);
	buddy_teardown();
	rel_snap_release(&snap);
	return 0;
}
