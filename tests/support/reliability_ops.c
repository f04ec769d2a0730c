/* SPDX-License-Identifier: MIT */
/*
 * reliability_ops.c - the buddy allocator against a reference model, one
 * operation per byte pair (see reliability_ops.h).
 *
 * The model knows, per pfn, whether the page was handed to the buddy
 * allocator (managed) and which live block holds it (owner), and per block
 * its head, order, reference count and tag. It does not predict where a
 * block lands - any aligned, free, allowed place is right - but it knows
 * exactly which calls must fail, with which code, and when an allocation
 * may fail at all.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pmm/buddy.h>
#include <pmm/check.h>
#include <pmm/contig.h>
#include <pmm/debug.h>

#include "buddy_setup.h"
#include "host_platform.h"
#include "reliability_ops.h"
#include "reliability_snap.h"

#define RM_MAX_PFN 4096
#define RM_MAX_BLOCKS RM_MAX_PFN /* at most one block per page */
#define RM_CPUS 4
#define RM_DIRTY 0xa5

struct rm_block {
	pmm_pfn_t pfn;
	pmm_order_t order;
	uint32_t ref;
	uint64_t tag;
};

struct rm_layout {
	pmm_pfn_t max_pfn;
	unsigned int nr;
	struct buddy_zone_spec z[4];
};

/* Zone layouts: aligned and odd spans, holes, two nodes, highmem. */
static const struct rm_layout layouts[] = {
	{ 2048, 1, { { 0, PMM_ZONE_NORMAL, 0, 2048 } } },
	{ 3000, 2, { { 0, PMM_ZONE_DMA, 0, 1024 },
		     { 0, PMM_ZONE_NORMAL, 1024, 3000 } } },
	{ 4096, 3, { { 0, PMM_ZONE_DMA, 0, 1024 },
		     { 0, PMM_ZONE_DMA32, 1024, 2500 },
		     { 1, PMM_ZONE_NORMAL, 2560, 4096 } } },
	{ 2048, 2, { { 0, PMM_ZONE_NORMAL, 3, 1500 },
		     { 0, PMM_ZONE_HIGHMEM, 1500, 2048 } } },
};
#define RM_NR_LAYOUTS (sizeof(layouts) / sizeof(layouts[0]))

static struct {
	const struct rm_layout *lay;
	bool pcp, lazy, touchable, poison;
	uint16_t owner[RM_MAX_PFN]; /* block index + 1, 0 = none */
	bool managed[RM_MAX_PFN];
	struct rm_block blk[RM_MAX_BLOCKS];
	unsigned int nr_blk;
	uint64_t managed_pages, alloc_pages;
	pmm_pfn_t freed_ring[8]; /* recently freed heads, for double frees */
	unsigned int ring_pos;
	struct rel_snap snap;
	uint64_t op;
	const char *opname;
} rm;

static void rm_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

static void rm_fail(const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "buddy model: op %llu (%s): ",
		(unsigned long long)rm.op, rm.opname ? rm.opname : "setup");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}

/* ---- the byte stream ---- */

static bool src_left(const struct rel_src *s)
{
	return s->random || s->n != 0;
}

static uint8_t u8(struct rel_src *s)
{
	if (s->random) {
		s->rng ^= s->rng >> 12;
		s->rng ^= s->rng << 25;
		s->rng ^= s->rng >> 27;
		return (uint8_t)((s->rng * 0x2545f4914f6cdd1dull) >> 56);
	}
	if (s->n == 0)
		return 0;
	s->n--;
	return *s->p++;
}

static uint32_t u16(struct rel_src *s)
{
	return (uint32_t)u8(s) << 8 | u8(s);
}

/* ---- model queries ---- */

static const struct buddy_zone_spec *spec_of(pmm_pfn_t pfn)
{
	for (unsigned int i = 0; i < rm.lay->nr; i++)
		if (pfn >= rm.lay->z[i].start && pfn < rm.lay->z[i].end)
			return &rm.lay->z[i];
	return NULL;
}

static int gfp_top(unsigned int gfp)
{
	switch (gfp & PMM_GFP_ZONEMASK) {
	case 0: return PMM_ZONE_NORMAL;
	case PMM_GFP_DMA: return PMM_ZONE_DMA;
	case PMM_GFP_DMA32: return PMM_ZONE_DMA32;
	case PMM_GFP_HIGHMEM: return PMM_ZONE_HIGHMEM;
	default: return -1;
	}
}

static bool node_online(int nid)
{
	for (unsigned int i = 0; i < rm.lay->nr; i++)
		if (rm.lay->z[i].nid == nid)
			return true;
	return false;
}

static bool zone_allowed(const struct buddy_zone_spec *z, int top, int nid,
			 bool thisnode)
{
	return (int)z->type <= top && (!thisnode || z->nid == nid);
}

/* Does a free aligned block of @order exist in an allowed zone? */
static bool model_has_block(int top, int nid, bool thisnode,
			    pmm_order_t order)
{
	pmm_pfn_t n = (pmm_pfn_t)1 << order;
	for (unsigned int i = 0; i < rm.lay->nr; i++) {
		const struct buddy_zone_spec *z = &rm.lay->z[i];
		if (!zone_allowed(z, top, nid, thisnode))
			continue;
		pmm_pfn_t p = (z->start + n - 1) & ~(n - 1);
		for (; p + n <= z->end; p += n) {
			pmm_pfn_t q = p;
			while (q < p + n && rm.managed[q] && rm.owner[q] == 0)
				q++;
			if (q == p + n)
				return true;
		}
	}
	return false;
}

static void *page_ptr(pmm_pfn_t pfn)
{
	return rm.touchable ? host_phys_ptr(PMM_PFN_PHYS(pfn)) : NULL;
}

/* ---- model updates ---- */

static void blk_add(pmm_pfn_t pfn, pmm_order_t order, uint64_t tag)
{
	if (rm.nr_blk >= RM_MAX_BLOCKS)
		rm_fail("model block table full");
	rm.blk[rm.nr_blk] = (struct rm_block){ pfn, order, 1, tag };
	rm.nr_blk++;
	for (pmm_pfn_t q = pfn; q < pfn + ((pmm_pfn_t)1 << order); q++)
		rm.owner[q] = (uint16_t)rm.nr_blk;
	rm.alloc_pages += (pmm_pfn_t)1 << order;
}

static void blk_remove(unsigned int i)
{
	struct rm_block *b = &rm.blk[i];
	pmm_pfn_t n = (pmm_pfn_t)1 << b->order;
	for (pmm_pfn_t q = b->pfn; q < b->pfn + n; q++)
		rm.owner[q] = 0;
	rm.alloc_pages -= n;
	rm.freed_ring[rm.ring_pos++ % 8] = b->pfn;
	rm.nr_blk--;
	if (i == rm.nr_blk)
		return;
	rm.blk[i] = rm.blk[rm.nr_blk];
	b = &rm.blk[i];
	for (pmm_pfn_t q = b->pfn; q < b->pfn + ((pmm_pfn_t)1 << b->order); q++)
		rm.owner[q] = (uint16_t)(i + 1);
}

/*
 * Write into the first and last page of the block as its user would, so
 * that zeroing is observable (touching every page would fault in the whole
 * simulated memory on each fuzz run).
 */
static void dirty_block(pmm_pfn_t pfn, pmm_order_t order)
{
	pmm_pfn_t last = pfn + ((pmm_pfn_t)1 << order) - 1;
	unsigned char *p = page_ptr(pfn), *q = page_ptr(last);
	if (p == NULL || q == NULL)
		return;
	memset(p, RM_DIRTY, 16);
	memset(q + PMM_PAGE_SIZE - 16, RM_DIRTY, 16);
}

static void check_zeroed(pmm_pfn_t pfn, pmm_order_t order)
{
	static const unsigned char zero[16];
	pmm_pfn_t last = pfn + ((pmm_pfn_t)1 << order) - 1;
	unsigned char *p = page_ptr(pfn), *q = page_ptr(last);
	if (p == NULL || q == NULL)
		return;
	if (memcmp(p, zero, 16) || memcmp(q + PMM_PAGE_SIZE - 16, zero, 16))
		rm_fail("GFP_ZERO block 0x%llx order %u not zeroed",
			(unsigned long long)pfn, order);
}

/* ---- checks ---- */

static void check_counts(void)
{
	uint64_t free = pmm_nr_free_pages();
	if (free != rm.managed_pages - rm.alloc_pages)
		rm_fail("free pages %llu, model %llu (managed %llu, allocated %llu)",
			(unsigned long long)free,
			(unsigned long long)(rm.managed_pages - rm.alloc_pages),
			(unsigned long long)rm.managed_pages,
			(unsigned long long)rm.alloc_pages);
}

static void check_full(void)
{
	const char *why = pmm_check();
	if (why != NULL)
		rm_fail("pmm_check: %s", why);
	check_counts();
	for (unsigned int i = 0; i < rm.nr_blk; i++) {
		const struct rm_block *b = &rm.blk[i];
		const struct pmm_page *pg = pmm_pfn_to_page(b->pfn);
		uint32_t want = PMM_PG_ALLOC_HEAD | b->order |
				(b->tag ? PMM_PG_OWNER : 0);
		if ((pg->info & (PMM_PG_FLAGS_MASK | PMM_PG_ORDER_MASK)) != want ||
		    pmm_page_refcount(pg) != b->ref ||
		    (((uint64_t)pg->prev << 32) | pg->next) != b->tag)
			rm_fail("block 0x%llx: info 0x%x, want 0x%x ref %u tag %llx",
				(unsigned long long)b->pfn, pg->info, want, b->ref,
				(unsigned long long)b->tag);
	}
}

/* With full coalescing, no free head's buddy is a free head of its order. */
static void check_coalesced(void)
{
	for (unsigned int i = 0; i < rm.lay->nr; i++) {
		const struct buddy_zone_spec *z = &rm.lay->z[i];
		for (pmm_pfn_t p = z->start; p < z->end; p++) {
			const struct pmm_page *pg = pmm_pfn_to_page(p);
			pmm_order_t k = pmm_page_order(pg);
			if (!pmm_page_is_free_head(pg) || k == PMM_MAX_ORDER)
				continue;
			pmm_pfn_t b = p ^ ((pmm_pfn_t)1 << k);
			if (b < z->start || b >= z->end)
				continue;
			const struct pmm_page *bp = pmm_pfn_to_page(b);
			if (pmm_page_is_free_head(bp) && pmm_page_order(bp) == k)
				rm_fail("free buddies 0x%llx and 0x%llx of order %u not merged",
					(unsigned long long)p,
					(unsigned long long)b, k);
		}
	}
}

static void expect_unchanged(int got, int want, bool reported,
			     unsigned int reports_before)
{
	if (got != want)
		rm_fail("returned %d (%s), model expects %d (%s)", got,
			pmm_strerror(got), want, pmm_strerror(want));
	const char *why = rel_snap_same(&rm.snap);
	if (why != NULL)
		rm_fail("failed call changed the state: %s", why);
	unsigned int n = host_report_count();
	if (reported && (n != reports_before + 1 || host_last_report_err() != want))
		rm_fail("expected one report of %d, got %u reports, last %d",
			want, n - reports_before, host_last_report_err());
	if (!reported && n != reports_before)
		rm_fail("unexpected report %d", host_last_report_err());
}

/* ---- operations ---- */

static void accept_alloc(pmm_pfn_t pfn, pmm_order_t order, int top, int nid,
			 bool thisnode, uint64_t tag, bool zero)
{
	pmm_pfn_t n = (pmm_pfn_t)1 << order;
	const struct buddy_zone_spec *z = spec_of(pfn);
	if ((pfn & (n - 1)) != 0 || z == NULL || pfn + n > z->end)
		rm_fail("block 0x%llx order %u misplaced", (unsigned long long)pfn,
			order);
	if (!zone_allowed(z, top, nid, thisnode))
		rm_fail("block 0x%llx from zone %s node %d, top %d nid %d%s",
			(unsigned long long)pfn, pmm_zone_name(z->type), z->nid,
			top, nid, thisnode ? " thisnode" : "");
	for (pmm_pfn_t q = pfn; q < pfn + n; q++)
		if (!rm.managed[q] || rm.owner[q] != 0)
			rm_fail("block 0x%llx order %u: pfn 0x%llx %s",
				(unsigned long long)pfn, order,
				(unsigned long long)q,
				rm.owner[q] ? "already allocated" : "never managed");
	const struct pmm_page *pg = pmm_pfn_to_page(pfn);
	uint32_t want = PMM_PG_ALLOC_HEAD | PMM_PG_REF_ONE | order |
			(tag ? PMM_PG_OWNER : 0);
	if (pg->info != want || pg->next != (uint32_t)tag ||
	    pg->prev != (uint32_t)(tag >> 32))
		rm_fail("new head 0x%llx info 0x%x want 0x%x",
			(unsigned long long)pfn, pg->info, want);
	if (zero)
		check_zeroed(pfn, order);
	blk_add(pfn, order, tag);
}

static pmm_order_t pick_order(uint8_t b)
{
	if (b < 128)
		return 0;
	if (b < 200)
		return (pmm_order_t)(b % 4);
	return (pmm_order_t)(b % (PMM_MAX_ORDER + 2)); /* MAX + 1: bad */
}

static const unsigned int gfps[] = {
	0, PMM_GFP_KERNEL, PMM_GFP_DMA, PMM_GFP_DMA32, PMM_GFP_HIGHUSER,
	PMM_GFP_ATOMIC, PMM_GFP_KERNEL, PMM_GFP_DMA | PMM_GFP_HIGHMEM,
};

static struct pmm_page *call_alloc(unsigned int how, int nid, unsigned int gfp,
				   pmm_order_t order, uint64_t tag, int *err)
{
	pmm_phys_t a;
	switch (how) {
	case 0: return pmm_alloc_pages_tagged(nid, gfp, order, tag, err);
	case 1: return pmm_alloc_pages(gfp, order);
	case 2: return pmm_alloc_pages_node(nid, gfp, order);
	case 3: return order == 0 ? pmm_alloc_page(gfp) : pmm_alloc_pages(gfp, order);
	case 4:
		a = pmm_get_free_pages(gfp, order);
		return a ? pmm_pfn_to_page(PMM_PFN_DOWN(a)) : NULL;
	default:
		a = order == 0 ? pmm_get_zeroed_page(gfp) :
				 pmm_get_free_pages(gfp | PMM_GFP_ZERO, order);
		return a ? pmm_pfn_to_page(PMM_PFN_DOWN(a)) : NULL;
	}
}

static void op_alloc(struct rel_src *s, struct rel_stats *st)
{
	uint8_t a = u8(s), b = u8(s);
	pmm_order_t order = pick_order(a);
	unsigned int how = b % 6;
	unsigned int gfp = gfps[(b >> 3) % 8];
	int nid = PMM_NUMA_NO_NODE;
	uint64_t tag = 0;
	rm.opname = "alloc";
	if (how == 0) {
		static const int nids[] = { PMM_NUMA_NO_NODE, 0, 1, 7, -5 };
		nid = nids[(a >> 2) % 5];
		if (b & 0x40)
			gfp |= PMM_GFP_THISNODE;
		tag = (b & 0x80) ? 0 : ((uint64_t)u16(s) << 40 | u16(s) | 1);
	}
	if (how == 5 && order > 3)
		how = 4; /* zeroing costs O(pages): keep it to small blocks */
	if (how == 5)
		gfp |= PMM_GFP_ZERO;
	int top = gfp_top(gfp);
	int enid = nid == PMM_NUMA_NO_NODE ? 0 : nid;
	bool thisnode = (gfp & PMM_GFP_THISNODE) != 0;
	int want = 0;
	if (order > PMM_MAX_ORDER)
		want = PMM_EORDER;
	else if (top < 0 || enid < 0 || enid >= PMM_MAX_NUMNODES || !node_online(enid))
		want = PMM_EINVAL;

	int err = 0;
	unsigned int reports = host_report_count();
	struct pmm_page *pg = call_alloc(how, nid, gfp, order, tag, &err);
	st->allocs++;
	if (host_report_count() != reports)
		rm_fail("allocation reported %d: %s", host_last_report_err(),
			host_last_report_msg());
	if (want != 0) {
		if (pg != NULL || (how == 0 && err != want))
			rm_fail("bad request (order %u gfp 0x%x nid %d) gave %p err %d, want %d",
				order, gfp, nid, (void *)pg, err, want);
		return;
	}
	if (pg == NULL && rm.pcp) {
		/* Pages may sit on other CPUs' lists: drain, then retry. */
		pmm_pcp_drain_all();
		pg = call_alloc(how, nid, gfp, order, tag, &err);
	}
	if (pg == NULL) {
		st->alloc_fail++;
		if (how == 0 && err != PMM_ENOMEM)
			rm_fail("allocation failed with %d, want ENOMEM", err);
		if (model_has_block(top, enid, thisnode, order))
			rm_fail("order %u gfp 0x%x nid %d failed, but the model has a free block",
				order, gfp, nid);
		return;
	}
	accept_alloc(pmm_page_to_pfn(pg), order, top, enid, thisnode, tag,
		     (gfp & PMM_GFP_ZERO) != 0);
}

static void op_free(struct rel_src *s, struct rel_stats *st)
{
	uint8_t a = u8(s), b = u8(s);
	rm.opname = "free";
	if (rm.nr_blk == 0)
		return;
	unsigned int i = (unsigned int)(a | (b & 0xc0) << 2) % rm.nr_blk;
	struct rm_block *blk = &rm.blk[i];
	struct pmm_page *pg = pmm_pfn_to_page(blk->pfn);
	int err;
	if (blk->ref == 1)
		dirty_block(blk->pfn, blk->order);
	switch (b % 4) {
	case 0: err = pmm_free_pages(pg, blk->order); break;
	case 1: err = pmm_free_pages_addr(PMM_PFN_PHYS(blk->pfn), blk->order); break;
	case 2: err = pmm_put_page(pg); break;
	default:
		err = blk->order == 0 ? pmm_free_page(pg) :
					pmm_free_pages(pg, blk->order);
		break;
	}
	if (err != 0)
		rm_fail("free of live block 0x%llx order %u ref %u: %d",
			(unsigned long long)blk->pfn, blk->order, blk->ref, err);
	st->frees++;
	if (--blk->ref == 0)
		blk_remove(i);
}

static void op_get(struct rel_src *s)
{
	uint8_t a = u8(s);
	u8(s);
	rm.opname = "get";
	if (rm.nr_blk == 0)
		return;
	struct rm_block *blk = &rm.blk[a % rm.nr_blk];
	if (blk->ref >= 3)
		return;
	int err = pmm_get_page(pmm_pfn_to_page(blk->pfn));
	if (err != 0)
		rm_fail("get_page of live block 0x%llx: %d",
			(unsigned long long)blk->pfn, err);
	blk->ref++;
}

/* Pick the pfn and order of a bad free, biased towards interesting ones. */
static void pick_bad(struct rel_src *s, pmm_pfn_t *pfn, pmm_order_t *order)
{
	uint8_t a = u8(s), b = u8(s);
	*order = (pmm_order_t)(b % (PMM_MAX_ORDER + 2));
	*pfn = ((pmm_pfn_t)u16(s)) % (rm.lay->max_pfn + 8);
	if ((a & 3) == 1 && rm.nr_blk != 0) {
		const struct rm_block *blk = &rm.blk[(a >> 2) % rm.nr_blk];
		*pfn = blk->pfn;
		*order = (b & 1) || blk->order == 0 ? blk->order + 1 : blk->order - 1;
	} else if ((a & 3) == 2 && rm.nr_blk != 0) {
		const struct rm_block *blk = &rm.blk[(a >> 2) % rm.nr_blk];
		*pfn = blk->pfn + (b % ((pmm_pfn_t)1 << blk->order));
	} else if ((a & 3) == 3) {
		*pfn = rm.freed_ring[(a >> 2) % 8];
	}
}

static void op_bad_free(struct rel_src *s, struct rel_stats *st)
{
	pmm_pfn_t pfn;
	pmm_order_t order;
	rm.opname = "bad free";
	pick_bad(s, &pfn, &order);
	int want;
	bool reported = true;
	if (pfn >= rm.lay->max_pfn) {
		want = PMM_EINVAL;
		reported = false;
	} else if (order > PMM_MAX_ORDER) {
		want = PMM_EORDER;
		reported = false;
	} else if (rm.owner[pfn] != 0) {
		const struct rm_block *blk = &rm.blk[rm.owner[pfn] - 1];
		if (blk->pfn != pfn)
			want = PMM_ENOTHEAD;
		else if (blk->order != order)
			want = PMM_EWRONGORDER;
		else
			return; /* a good free: op_free's business */
	} else if (rm.managed[pfn]) {
		want = PMM_EDOUBLEFREE;
	} else {
		want = PMM_ERESERVED;
	}
	st->bad_frees++;
	rel_snap_take(&rm.snap);
	unsigned int before = host_report_count();
	int err = pfn >= rm.lay->max_pfn ?
		pmm_free_pages_addr(PMM_PFN_PHYS(pfn), order) :
		pmm_free_pages(pmm_pfn_to_page(pfn), order);
	expect_unchanged(err, want, reported, before);
}

static void op_late_free(struct rel_src *s, struct rel_stats *st)
{
	rm.opname = "late free";
	pmm_pfn_t start = u16(s) % (rm.lay->max_pfn + 4);
	uint8_t l = u8(s);
	pmm_pfn_t end = l < 8 ? start - l : start + (l & 63);
	int want = 0;
	bool reported = false;
	if (start >= end) {
		want = PMM_EINVAL;
	} else if (start == 0 || end > rm.lay->max_pfn) {
		want = PMM_ERANGE;
	} else {
		for (pmm_pfn_t p = start; p < end && want == 0; p++)
			if (spec_of(p) == NULL)
				want = PMM_ERANGE;
		for (pmm_pfn_t p = start; p < end && want == 0; p++)
			if (rm.managed[p]) {
				want = PMM_EDOUBLEFREE;
				reported = true;
			}
	}
	rel_snap_take(&rm.snap);
	unsigned int before = host_report_count();
	uint64_t freed = 0;
	int err = pmm_buddy_free_range(start, end, &freed);
	if (want != 0) {
		expect_unchanged(err, want, reported, before);
		return;
	}
	if (err != 0 || freed != end - start)
		rm_fail("late free [0x%llx, 0x%llx): %d, freed %llu",
			(unsigned long long)start, (unsigned long long)end, err,
			(unsigned long long)freed);
	for (pmm_pfn_t p = start; p < end; p++)
		rm.managed[p] = true;
	rm.managed_pages += end - start;
	st->late_frees++;
}

/* Return: true if [@pfn, +@nr) is managed, unowned and in one zone. */
static bool model_run_free(pmm_pfn_t pfn, uint64_t nr, pmm_pfn_t *busy)
{
	for (pmm_pfn_t q = pfn; q < pfn + nr; q++) {
		if (!rm.managed[q] || rm.owner[q] != 0) {
			*busy = q;
			return false;
		}
	}
	return true;
}

/* Take the run [@pfn, +@nr) pmm handed out into the model, block by block
 * (it must be tiled by the maximal aligned blocks). */
static void accept_run(pmm_pfn_t pfn, uint64_t nr, int top)
{
	pmm_pfn_t busy = 0;
	const struct buddy_zone_spec *z = spec_of(pfn);
	if (z == NULL || spec_of(pfn + nr - 1) != z || (int)z->type > top ||
	    !model_run_free(pfn, nr, &busy))
		rm_fail("run 0x%llx+%llu misplaced", (unsigned long long)pfn,
			(unsigned long long)nr);
	for (pmm_pfn_t p = pfn; p < pfn + nr;) {
		pmm_order_t k = pmm_page_order(pmm_pfn_to_page(p));
		if ((p & (((pmm_pfn_t)1 << k) - 1)) != 0 ||
		    p + ((pmm_pfn_t)1 << k) > pfn + nr)
			rm_fail("run 0x%llx+%llu: block 0x%llx order %u",
				(unsigned long long)pfn, (unsigned long long)nr,
				(unsigned long long)p, k);
		accept_alloc(p, k, top, z->nid, false, 0, false);
		p += (pmm_pfn_t)1 << k;
	}
}

/* pmm_alloc_contig(): any count, a window, alignment, boundary. */
static void op_contig(uint8_t b, uint32_t w, struct rel_stats *st)
{
	rm.opname = "contig";
	uint64_t nr = 1 + (w & 63);
	pmm_pfn_t align = (pmm_pfn_t)1 << ((w >> 6) & 3);
	pmm_pfn_t lo = (w >> 8) % rm.lay->max_pfn, hi = rm.lay->max_pfn;
	unsigned int gfp = (b & 1) ? PMM_GFP_DMA : PMM_GFP_KERNEL;
	int top = gfp_top(gfp), err = 0;
	rel_snap_take(&rm.snap);
	struct pmm_page *pg = pmm_alloc_contig_err(nr, gfp, PMM_PFN_PHYS(lo),
						   PMM_PFN_PHYS(hi),
						   PMM_PFN_PHYS(align), 0, &err);
	st->allocs++;
	if (pg != NULL) {
		pmm_pfn_t pfn = pmm_page_to_pfn(pg);
		if (pfn < lo || (pfn & (align - 1)) != 0)
			rm_fail("run 0x%llx outside [0x%llx, ..) or unaligned",
				(unsigned long long)pfn, (unsigned long long)lo);
		accept_run(pfn, nr, top);
		return;
	}
	st->alloc_fail++;
	if (rm.pcp) /* other CPUs' lists hold pages the model calls free */
		return;
	expect_unchanged(err, err, false, host_report_count());
	if (err != PMM_ENOMEM)
		return;
	for (pmm_pfn_t p = (lo + align - 1) & ~(align - 1); p + nr <= hi; p += align) {
		const struct buddy_zone_spec *z = spec_of(p);
		pmm_pfn_t busy;
		if (p != 0 && z != NULL && spec_of(p + nr - 1) == z &&
		    (int)z->type <= top && model_run_free(p, nr, &busy))
			rm_fail("contig %llu pages failed, model has a run at 0x%llx",
				(unsigned long long)nr, (unsigned long long)p);
	}
}

/* pmm_alloc_range(): exactly those pages, or the first busy one. */
static void op_range(uint8_t b, uint32_t w, struct rel_stats *st)
{
	rm.opname = "range";
	pmm_pfn_t pfn = w % rm.lay->max_pfn, busy = 0, mbusy = 0;
	uint64_t nr = 1 + (b & 31);
	const struct buddy_zone_spec *z = spec_of(pfn);
	bool one = pfn != 0 && z != NULL && pfn + nr <= rm.lay->max_pfn &&
		   spec_of(pfn + nr - 1) == z;
	bool free = one && model_run_free(pfn, nr, &mbusy);
	rel_snap_take(&rm.snap);
	int err = pmm_alloc_range(pfn, nr, &busy);
	st->allocs++;
	if (err == 0) {
		if (!free)
			rm_fail("range 0x%llx+%llu taken, model says busy",
				(unsigned long long)pfn, (unsigned long long)nr);
		accept_run(pfn, nr, PMM_ZONE_HIGHMEM);
		return;
	}
	st->alloc_fail++;
	if (rm.pcp) {
		if (err != PMM_EBUSY && err != (one ? 0 : PMM_ERANGE))
			rm_fail("range 0x%llx+%llu: %d", (unsigned long long)pfn,
				(unsigned long long)nr, err);
		return;
	}
	int want = !one ? PMM_ERANGE : free ? 0 : PMM_EBUSY;
	expect_unchanged(err, want, false, host_report_count());
	if (err == PMM_EBUSY && busy != mbusy)
		rm_fail("range 0x%llx+%llu: busy 0x%llx, model 0x%llx",
			(unsigned long long)pfn, (unsigned long long)nr,
			(unsigned long long)busy, (unsigned long long)mbusy);
}

static void op_misc(struct rel_src *s, struct rel_stats *st)
{
	uint8_t a = u8(s), b = u8(s);
	switch (a % 8) {
	case 0:
		rm.opname = "cpu";
		host_set_cpu(b % RM_CPUS);
		break;
	case 1:
		rm.opname = "drain cpu";
		pmm_pcp_drain_cpu(b % (RM_CPUS + 1));
		break;
	case 2:
		rm.opname = "drain all";
		pmm_pcp_drain_all();
		break;
	case 3:
		rm.opname = "lazy";
		rm.lazy = !rm.lazy;
		pmm_buddy_set_lazy(rm.lazy);
		break;
	case 4:
		rm.opname = "counts";
		check_counts();
		break;
	case 5:
		op_contig(b, u16(s), st);
		break;
	case 6:
		op_range(b, u16(s), st);
		break;
	default:
		rm.opname = "check";
		if (b < 64) {
			check_full();
			st->checks++;
		}
		break;
	}
}

#define RM_BULK_MAX 16u

/*
 * pmm_alloc_pages_bulk() on up to RM_BULK_MAX slots, some holding a live
 * page already: the leading slots it reports hold pages, each new one
 * placed as a single order-0 allocation; every other slot is as it was.
 * A bad @gfp fills nothing and changes nothing.
 */
static void op_bulk_alloc(uint8_t a, uint32_t w, struct rel_stats *st)
{
	struct pmm_page *arr[RM_BULK_MAX], *was[RM_BULK_MAX];
	unsigned int nr = 1 + a % RM_BULK_MAX;
	unsigned int gfp = gfps[(w >> 8) % 8];
	int top = gfp_top(gfp);
	rm.opname = "bulk alloc";
	for (unsigned int j = 0; j < nr; j++) {
		bool held = rm.nr_blk != 0 && (w >> j) & (a >> 4) & 1;
		arr[j] = held ? pmm_pfn_to_page(rm.blk[(w + j) % rm.nr_blk].pfn) : NULL;
		was[j] = arr[j];
	}
	rel_snap_take(&rm.snap);
	unsigned int reports = host_report_count();
	unsigned long r = pmm_alloc_pages_bulk(gfp, nr, arr);
	if (r < nr && arr[r] == NULL && rm.pcp && top >= 0) {
		pmm_pcp_drain_all(); /* pages may sit on other CPUs' lists */
		r = pmm_alloc_pages_bulk(gfp, nr, arr);
	}
	if (r > nr || host_report_count() != reports)
		rm_fail("bulk of %u returned %lu, %u reports", nr, r,
			host_report_count() - reports);
	unsigned long lead = 0;
	while (lead < nr && was[lead] != NULL)
		lead++;
	if (top < 0) {
		expect_unchanged((int)r, (int)lead, false, reports);
		return;
	}
	for (unsigned int j = 0; j < nr; j++) {
		if (was[j] != NULL || j >= r) {
			if (arr[j] != was[j])
				rm_fail("bulk slot %u changed", j);
			continue;
		}
		if (arr[j] == NULL)
			rm_fail("bulk slot %u below %lu empty", j, r);
		st->allocs++;
		accept_alloc(pmm_page_to_pfn(arr[j]), 0, top, 0, false, 0, false);
	}
	if (r < nr && model_has_block(top, 0, false, 0))
		rm_fail("bulk stopped at slot %lu of %u, the model has a free page",
			r, nr);
}

/* Drop one reference of the live block at @pfn in the model. */
static void model_put(pmm_pfn_t pfn)
{
	unsigned int i = rm.owner[pfn] - 1u;
	if (rm.owner[pfn] == 0 || rm.blk[i].pfn != pfn)
		rm_fail("bulk freed 0x%llx, not a live head", (unsigned long long)pfn);
	if (--rm.blk[i].ref == 0)
		blk_remove(i);
}

/*
 * pmm_free_pages_bulk() of up to RM_BULK_MAX distinct live order-0 pages,
 * NULL holes among them and, when @a says so and a recently freed page is
 * still free, that page in the middle: the slots before it freed and
 * NULL, it and those after it untouched, one double-free report.
 */
static void op_bulk_free(uint8_t a, uint32_t w, struct rel_stats *st)
{
	struct pmm_page *arr[RM_BULK_MAX], *was[RM_BULK_MAX];
	unsigned int n = 0, bad = RM_BULK_MAX;
	rm.opname = "bulk free";
	for (unsigned int t = 0; t < RM_BULK_MAX && rm.nr_blk != 0; t++) {
		const struct rm_block *blk = &rm.blk[(w + t * 7u) % rm.nr_blk];
		bool dup = false;
		for (unsigned int j = 0; j < n; j++)
			dup |= arr[j] == pmm_pfn_to_page(blk->pfn);
		if (blk->order == 0 && !dup && n < 1u + a % RM_BULK_MAX)
			arr[n++] = pmm_pfn_to_page(blk->pfn);
	}
	if (n == 0)
		return;
	if (a & 0x10)
		arr[(w >> 4) % n] = NULL;
	pmm_pfn_t gone = rm.freed_ring[(w >> 8) % 8];
	if ((a & 0x60) == 0x60 && gone < rm.lay->max_pfn && rm.managed[gone] &&
	    rm.owner[gone] == 0) {
		bad = (w >> 12) % n;
		arr[bad] = pmm_pfn_to_page(gone);
	}
	memcpy(was, arr, sizeof(arr));
	unsigned int reports = host_report_count();
	int err = pmm_free_pages_bulk(n, arr);
	int want = bad < n ? PMM_EDOUBLEFREE : 0;
	if (err != want || host_report_count() != reports + (bad < n))
		rm_fail("bulk free returned %d, want %d; %u reports", err, want,
			host_report_count() - reports);
	for (unsigned int j = 0; j < n; j++) {
		if (j >= bad) {
			if (arr[j] != was[j])
				rm_fail("bulk free touched slot %u past the bad one", j);
			continue;
		}
		if (arr[j] != NULL)
			rm_fail("bulk free left slot %u", j);
		if (was[j] != NULL) {
			st->frees++;
			model_put(pmm_page_to_pfn(was[j]));
		}
	}
	if (bad < n && host_last_report_err() != PMM_EDOUBLEFREE)
		rm_fail("bulk free reported %d", host_last_report_err());
	check_counts();
}

static void op_bulk(struct rel_src *s, struct rel_stats *st)
{
	uint8_t a = u8(s), b = u8(s);
	uint32_t w = u16(s) | (uint32_t)b << 16;
	if (b & 1)
		op_bulk_alloc(a, w, st);
	else
		op_bulk_free(a, w, st);
}

/* ---- set-up and tear-down ---- */

static void setup(struct rel_src *s)
{
	uint8_t a = u8(s), b = u8(s);
	memset(rm.owner, 0, sizeof(rm.owner));
	memset(rm.managed, 0, sizeof(rm.managed));
	memset(rm.freed_ring, 0, sizeof(rm.freed_ring));
	rm.nr_blk = 0;
	rm.managed_pages = rm.alloc_pages = 0;
	rm.op = 0;
	rm.opname = NULL;
	rm.lay = &layouts[a % RM_NR_LAYOUTS];
	rm.pcp = (a >> 2) & 1;
	rm.lazy = (a >> 3) & 1;
	bool holes = (a >> 4) & 1;
	rm.touchable = !((a >> 5) & 1);
	rm.poison = ((a >> 6) & 3) == 3; /* a quarter: it costs O(memory) */

	struct buddy_setup_opts o = {
		.max_pfn = rm.lay->max_pfn, .zones = rm.lay->z,
		.nr_zones = rm.lay->nr, .keep_pcp = rm.pcp,
		.untouchable = !rm.touchable,
	};
	if (buddy_setup(&o) != 0)
		rm_fail("buddy_setup failed");
	if (rm.pcp) {
		uint32_t high = 1 + b % 16;
		if (pmm_pcp_set_high_batch(high, 1 + (uint32_t)(b >> 4) % high))
			rm_fail("pcp setting refused");
	}
	pmm_buddy_set_lazy(rm.lazy);
	pmm_debug_set_poison(rm.poison);
	/* Hand off every zone except up to three holes, freed later. */
	pmm_pfn_t hole_lo[3] = { 0 }, hole_hi[3] = { 0 };
	for (int h = 0; holes && h < 3; h++) {
		hole_lo[h] = u16(s) % rm.lay->max_pfn;
		hole_hi[h] = hole_lo[h] + 1 + u8(s);
	}
	for (unsigned int i = 0; i < rm.lay->nr; i++) {
		const struct buddy_zone_spec *z = &rm.lay->z[i];
		for (pmm_pfn_t p = z->start; p < z->end;) {
			pmm_pfn_t e = p;
			bool in_hole = false;
			for (int h = 0; h < 3; h++)
				in_hole |= p >= hole_lo[h] && p < hole_hi[h];
			while (e < z->end) {
				bool eh = false;
				for (int h = 0; h < 3; h++)
					eh |= e >= hole_lo[h] && e < hole_hi[h];
				if (eh != in_hole)
					break;
				e++;
			}
			if (!in_hole) {
				uint64_t freed = 0;
				if (pmm_buddy_handoff_range(p, e, &freed) != 0)
					rm_fail("hand-off [%llu, %llu) failed",
						(unsigned long long)p,
						(unsigned long long)e);
				for (pmm_pfn_t q = p ? p : 1; q < e; q++)
					rm.managed[q] = true;
				rm.managed_pages += freed;
			}
			p = e;
		}
	}
	for (unsigned int i = 0; i < rm.lay->nr; i++)
		pmm_zone_set_watermarks(
			&pmm_nodes[rm.lay->z[i].nid].zones[rm.lay->z[i].type],
			0, 0, 0);
	check_full();
}

static void teardown(void)
{
	rm.opname = "final free";
	while (rm.nr_blk != 0) {
		struct rm_block *blk = &rm.blk[rm.nr_blk - 1];
		if (pmm_free_pages(pmm_pfn_to_page(blk->pfn), blk->order) != 0)
			rm_fail("final free of 0x%llx failed",
				(unsigned long long)blk->pfn);
		if (--blk->ref == 0)
			blk_remove(rm.nr_blk - 1);
	}
	pmm_pcp_drain_all();
	pmm_buddy_set_lazy(false);
	rm.lazy = false;
	check_full();
	check_coalesced();
	pmm_debug_set_poison(false);
	if (pmm_nr_free_pages() != rm.managed_pages)
		rm_fail("after freeing everything: %llu free, %llu managed",
			(unsigned long long)pmm_nr_free_pages(),
			(unsigned long long)rm.managed_pages);
	buddy_teardown();
}

uint64_t rel_buddy_run(struct rel_src *src, uint64_t max_ops,
		       struct rel_stats *st)
{
	setup(src);
	host_set_cpu(0);
	uint64_t n = 0;
	while (src_left(src) && (max_ops == 0 || n < max_ops)) {
		rm.op = n++;
		uint8_t op = u8(src);
		switch (op % 16) {
		case 0: case 1: case 2: case 3: case 4:
			op_alloc(src, st);
			break;
		case 5: case 6: case 7: case 8: case 9:
			op_free(src, st);
			break;
		case 10:
			op_get(src);
			break;
		case 11: case 12:
			op_bad_free(src, st);
			break;
		case 13:
			op_late_free(src, st);
			break;
		case 14:
			op_bulk(src, st);
			break;
		default:
			op_misc(src, st);
			break;
		}
	}
	st->ops += n;
	teardown();
	return n;
}
