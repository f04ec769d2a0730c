/* SPDX-License-Identifier: MIT */
/*
 * selftest.c - proof on the real firmware map: allocate every free page,
 * check where each block landed, write and read back a pattern, free it
 * all, and check that the buddy allocator is exactly as it was.
 *
 * Blocks are taken through a mix of orders (10 down to 0, interleaved) and
 * zone requests (HighMem, Normal, DMA), with the watermarks at zero so that
 * nothing is held back. The blocks are chained through their own memory
 * (identity-mapped, paging off): the head page holds the link, so the test
 * needs no memory of its own.
 *
 * Pattern: each page gets a word derived from its address and its block's
 * sequence number, so a page handed out twice (two blocks overlapping)
 * reads back the wrong number. The full pattern writes every word of every
 * page; the sparse one the first and the last word of every page, which
 * still touches every page but costs 1/512 of the stores (under QEMU's TCG
 * the full pattern over 3 GiB takes 5-30 s; see docs/kernel.md).
 */
#include <pmm/buddy.h>
#include <pmm/check.h>
#include "kernel.h"

#define NR_GFP 3
#define ZONE_MAX 16 /* zones snapshotted: PMM_NR_ZONES per node, one node */

/* The head page of every allocated block starts with this. */
struct block_head {
	uint32_t pattern; /* word 0: the page's pattern, like every page */
	uint32_t next;    /* physical address of the next block, 0 = end */
	uint32_t order;
	uint32_t gfp;
};

struct snapshot {
	unsigned int nr;
	uint64_t nr_free[ZONE_MAX][PMM_NR_ORDERS];
	uint64_t free_pages[ZONE_MAX];
	uint64_t wmark[ZONE_MAX][PMM_NR_WMARK];
};

struct run {
	const struct pmm_memmap *map;
	const struct kernel_range *avoid;
	unsigned int nr_avoid;
	bool full;
	uint32_t first; /* chain head (physical) */
	uint32_t seq;
	uint64_t blocks, pages, failures;
	uint64_t by_order[PMM_NR_ORDERS];
	uint64_t by_zone[PMM_NR_ZONES];
};

static const unsigned int gfp_cycle[NR_GFP] = {
	PMM_GFP_HIGHMEM, 0, PMM_GFP_DMA,
};
static const char *const gfp_name[NR_GFP] = { "HIGHMEM", "NORMAL", "DMA" };
static const pmm_order_t order_cycle[PMM_NR_ORDERS] = {
	10, 0, 3, 9, 1, 5, 8, 2, 7, 4, 6,
};
_Static_assert(PMM_MAX_ORDER == 10, "order_cycle lists orders 0..10");

/* Drain the per-CPU lists and record each zone's free blocks per order. */
static void snapshot_take(struct snapshot *s)
{
	pmm_pcp_drain_all();
	s->nr = 0;
	for (struct pmm_zone *z = pmm_zone_first(); z && s->nr < ZONE_MAX;
	     z = pmm_zone_next(z), s->nr++) {
		for (unsigned int k = 0; k < PMM_NR_ORDERS; k++)
			s->nr_free[s->nr][k] = z->free_area[k].nr_free;
		s->free_pages[s->nr] = z->free_pages;
		for (unsigned int w = 0; w < PMM_NR_WMARK; w++)
			s->wmark[s->nr][w] = z->watermark[w];
	}
}

/* Set every zone's watermarks to 0, or back to those in @s. */
static void watermarks_set(const struct snapshot *s, bool zero)
{
	unsigned int i = 0;

	for (struct pmm_zone *z = pmm_zone_first(); z && i < s->nr;
	     z = pmm_zone_next(z), i++)
		pmm_zone_set_watermarks(z, zero ? 0 : s->wmark[i][0],
					zero ? 0 : s->wmark[i][1],
					zero ? 0 : s->wmark[i][2]);
}

static uint32_t pattern(pmm_phys_t page_pa, uint32_t seq)
{
	return (uint32_t)page_pa ^ (seq * 0x9e3779b9u) ^ 0xa5a5a5a5u;
}

static void fail(struct run *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void fail(struct run *r, const char *fmt, ...)
{
	char msg[200];
	va_list ap;

	if (++r->failures > 10)
		return; /* counted, not printed */
	va_start(ap, fmt);
	pmm_vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	pmm_printk("pmm self-test: %s\n", msg);
}

static bool in_usable_ram(const struct pmm_memmap *map, pmm_phys_t s,
			  pmm_phys_t e)
{
	for (unsigned int i = 0; i < map->nr; i++)
		if (map->entry[i].type == PMM_MEM_USABLE &&
		    map->entry[i].start <= s && e <= map->entry[i].end)
			return true;
	return false;
}

/*
 * check_place - check where block [@pa, @end) landed: inside one usable
 * map entry below 4 GiB, over none of the avoided ranges, in a zone that
 * request @g allows. Return: nothing; each violation is counted by fail().
 * Context: boot CPU, interrupts off (no locks needed).
 */
static void check_place(struct run *r, pmm_phys_t pa, pmm_phys_t end,
			unsigned int g)
{
	const struct pmm_zone *z = pmm_pfn_zone(PMM_PFN_DOWN(pa));

	if (end > KERNEL_TOUCH_LIMIT || !in_usable_ram(r->map, pa, end))
		fail(r, "block [mem 0x%08llx-0x%08llx] is not in usable RAM",
		     (unsigned long long)pa, (unsigned long long)end - 1);
	for (unsigned int i = 0; i < r->nr_avoid; i++)
		if (pa < r->avoid[i].end && r->avoid[i].start < end)
			fail(r, "block [mem 0x%08llx-0x%08llx] overlaps %s "
			     "[mem 0x%08llx-0x%08llx]", (unsigned long long)pa,
			     (unsigned long long)end - 1, r->avoid[i].what,
			     (unsigned long long)r->avoid[i].start,
			     (unsigned long long)r->avoid[i].end - 1);
	if (!z) {
		fail(r, "block at 0x%08llx is in no zone",
		     (unsigned long long)pa);
		return;
	}
	r->by_zone[z->type]++;
	if ((gfp_cycle[g] == PMM_GFP_DMA && z->type != PMM_ZONE_DMA) ||
	    (gfp_cycle[g] == 0 && z->type == PMM_ZONE_HIGHMEM))
		fail(r, "a %s request got a block in zone %s at 0x%08llx",
		     gfp_name[g], pmm_zone_name(z->type),
		     (unsigned long long)pa);
}

/*
 * write_block - write the pattern of block number r->seq over its pages,
 * then link the block into the chain through its head page.
 */
static void write_block(struct run *r, pmm_phys_t pa, pmm_order_t order,
			unsigned int g)
{
	uint64_t pages = (uint64_t)1 << order;
	size_t words = (size_t)(PMM_PAGE_SIZE / 4);

	for (uint64_t i = 0; i < pages; i++) {
		pmm_phys_t p = pa + i * PMM_PAGE_SIZE;
		uint32_t *w = KVIRT(p), v = pattern(p, r->seq);
		if (r->full)
			for (size_t j = 1; j < words - 1; j++)
				w[j] = v ^ (uint32_t)j;
		w[0] = v;
		w[words - 1] = ~v;
	}
	struct block_head *h = KVIRT(pa);
	h->next = r->first;
	h->order = order;
	h->gfp = g;
	r->first = (uint32_t)pa;
}

static bool verify_page(struct run *r, pmm_phys_t p, uint32_t seq, bool head)
{
	const uint32_t *w = KVIRT(p);
	size_t words = (size_t)(PMM_PAGE_SIZE / 4);
	uint32_t v = pattern(p, seq);

	if (w[0] != v || w[words - 1] != ~v)
		return false;
	if (!r->full)
		return true;
	for (size_t j = head ? sizeof(struct block_head) / 4 : 1;
	     j < words - 1; j++)
		if (w[j] != (v ^ (uint32_t)j))
			return false;
	return true;
}

/*
 * allocate_all - allocate until every (zone request, order) pair fails.
 * Requests cycle through gfp_cycle, orders through order_cycle; a failed
 * pair closes itself and every higher order of the same request (no larger
 * block can exist either). Each block is checked and written as it comes.
 */
static void allocate_all(struct run *r)
{
	bool done[NR_GFP][PMM_NR_ORDERS] = { { false } };
	unsigned int open = NR_GFP * PMM_NR_ORDERS;

	for (uint64_t i = 0; open; i++) {
		unsigned int g = (unsigned int)(i % NR_GFP);
		pmm_order_t order = order_cycle[(i / NR_GFP) % PMM_NR_ORDERS];
		if (done[g][order])
			continue;
		struct pmm_page *page = pmm_alloc_pages(gfp_cycle[g], order);
		if (!page) {
			for (pmm_order_t k = order; k <= PMM_MAX_ORDER; k++)
				if (!done[g][k]) {
					done[g][k] = true;
					open--;
				}
			continue;
		}
		pmm_phys_t pa = PMM_PFN_PHYS(pmm_page_to_pfn(page));
		pmm_phys_t end = pa + (PMM_PAGE_SIZE << order);
		r->seq++;
		r->blocks++;
		r->pages += (uint64_t)1 << order;
		r->by_order[order]++;
		check_place(r, pa, end, g);
		if (end <= KERNEL_TOUCH_LIMIT)
			write_block(r, pa, order, g);
	}
}

/*
 * verify_and_free - walk the chain newest first; read back each page's
 * pattern, then free the block with the order it was allocated with.
 * The link is read before the free, which may poison the block.
 */
static void verify_and_free(struct run *r)
{
	uint32_t seq = r->seq;

	for (uint32_t pa = r->first; pa; seq--) {
		const struct block_head *h = KVIRT(pa);
		uint32_t next = h->next;
		pmm_order_t order = h->order;
		uint64_t pages = (uint64_t)1 << order;

		for (uint64_t i = 0; i < pages; i++) {
			pmm_phys_t p = pa + i * PMM_PAGE_SIZE;
			if (!verify_page(r, p, seq, i == 0))
				fail(r, "pattern lost in page 0x%08llx of the "
				     "order-%u block at 0x%08x",
				     (unsigned long long)p, order, pa);
		}
		int err = pmm_free_pages_addr(pa, order);
		if (err)
			fail(r, "freeing the order-%u block at 0x%08x: %s",
			     order, pa, pmm_strerror(err));
		pa = next;
	}
}

/* Every zone must have as many free blocks of each order in @b as in @a. */
static void compare(struct run *r, const struct snapshot *a,
		    const struct snapshot *b)
{
	unsigned int i = 0;

	if (a->nr != b->nr)
		fail(r, "%u zones before, %u after", a->nr, b->nr);
	for (struct pmm_zone *z = pmm_zone_first(); z && i < a->nr;
	     z = pmm_zone_next(z), i++)
		for (unsigned int k = 0; k < PMM_NR_ORDERS; k++)
			if (a->nr_free[i][k] != b->nr_free[i][k])
				fail(r, "zone %s order %u: %llu free blocks "
				     "after boot, %llu after the test",
				     pmm_zone_name(z->type), k,
				     (unsigned long long)a->nr_free[i][k],
				     (unsigned long long)b->nr_free[i][k]);
}

/* Log what allocate_all() got; fail unless it took every free page. */
static void report_all_allocated(struct run *r, uint64_t free0)
{
	const char *bad;
	/* the CMA region's pages serve no request of this test */
	uint64_t left = pmm_nr_free_pages() - kernel_cma_free_pages();

	pmm_printk("pmm self-test: %llu blocks, %llu pages (%llu MiB); "
		   "DMA %llu, Normal %llu, HighMem %llu blocks; %llu pages "
		   "left free\n", (unsigned long long)r->blocks,
		   (unsigned long long)r->pages,
		   (unsigned long long)(r->pages >> (20 - PMM_PAGE_SHIFT)),
		   (unsigned long long)r->by_zone[PMM_ZONE_DMA],
		   (unsigned long long)r->by_zone[PMM_ZONE_NORMAL],
		   (unsigned long long)r->by_zone[PMM_ZONE_HIGHMEM],
		   (unsigned long long)left);
	pmm_printk("pmm self-test: blocks per order:");
	for (unsigned int k = 0; k < PMM_NR_ORDERS; k++)
		pmm_printk(" %llu", (unsigned long long)r->by_order[k]);
	pmm_printk("\n");
	if (left || r->pages != free0 - kernel_cma_free_pages())
		fail(r, "%llu pages were free, %llu allocated, %llu left",
		     (unsigned long long)free0, (unsigned long long)r->pages,
		     (unsigned long long)left);
	if ((bad = pmm_check()) != NULL)
		fail(r, "pmm_check with everything allocated: %s", bad);
}

/* After everything went back: the free lists and counts as at boot. */
static void check_all_freed(struct run *r, const struct snapshot *before,
			    uint64_t free0)
{
	static struct snapshot after;
	const char *bad;

	snapshot_take(&after);
	compare(r, before, &after);
	if (pmm_nr_free_pages() != free0)
		fail(r, "%llu pages free after the test, %llu before",
		     (unsigned long long)pmm_nr_free_pages(),
		     (unsigned long long)free0);
	if ((bad = pmm_check()) != NULL)
		fail(r, "pmm_check after freeing everything: %s", bad);
}

bool kernel_selftest(const struct pmm_memmap *map,
		     const struct kernel_range *avoid, unsigned int nr_avoid,
		     const struct kernel_selftest_opts *opts)
{
	static struct snapshot before;
	struct run r = {
		.map = map, .avoid = avoid, .nr_avoid = nr_avoid,
	};
	uint64_t t0 = pmm_now_ns(), free0;

	snapshot_take(&before);
	free0 = pmm_nr_free_pages();
	r.full = opts->pattern == KERNEL_PATTERN_FULL ||
		 (opts->pattern == KERNEL_PATTERN_AUTO &&
		  free0 << PMM_PAGE_SHIFT <= KERNEL_FULL_PATTERN_MAX);
	pmm_printk("pmm self-test: allocating all %llu free pages (orders "
		   "0-%u, HIGHMEM/NORMAL/DMA requests), pattern: %s\n",
		   (unsigned long long)free0, PMM_MAX_ORDER,
		   r.full ? "every word" : "first and last word of each page");
	watermarks_set(&before, true);
	allocate_all(&r);
	pmm_pcp_drain_all();
	report_all_allocated(&r, free0);
	verify_and_free(&r);
	watermarks_set(&before, false);
	check_all_freed(&r, &before, free0);
	pmm_printk("pmm self-test: %llu checks failed, %llu ms\n",
		   (unsigned long long)r.failures,
		   (unsigned long long)((pmm_now_ns() - t0) / 1000000u));
	return r.failures == 0;
}

/**
 * kernel_selftest_verdict - end one of the later self-tests: the per-CPU
 * lists given back, pmm_check() and the free page count against @free0;
 * log "@who: PASS" or "@who: FAIL".
 * Return: @ok and both held.
 */
bool kernel_selftest_verdict(const char *who, uint64_t free0, bool ok)
{
	pmm_pcp_drain_all();
	const char *bad = pmm_check();
	if (bad != NULL || pmm_nr_free_pages() != free0) {
		pmm_printk("%s: after: %llu pages free, %llu before; %s\n", who,
			   (unsigned long long)pmm_nr_free_pages(),
			   (unsigned long long)free0, bad != NULL ? bad : "check ok");
		ok = false;
	}
	pmm_printk("%s: %s\n", who, ok ? "PASS" : "FAIL");
	return ok;
}
