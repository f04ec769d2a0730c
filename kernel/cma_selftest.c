/* SPDX-License-Identifier: MIT */
/*
 * cma_selftest.c - the CMA case of issue 11 on real firmware maps, after
 * the self-test: region 0 comes from the kernel's boot config
 * (kernel_cma_config(), CMA_TEST_BYTES). The test fills the region's zone
 * (and those below it) with kernel blocks, gives back just enough for
 * CMA_TEST_OWNED movable pages to borrow the region (Linux's rule: movable
 * requests take CMA first once it holds more than half of the free pages),
 * writes each borrowed page's own pattern and asks pmm_cma_alloc() for the
 * whole region twice:
 *
 *   1. with an owner that refuses to move one page: the call fails and
 *      every page stays where it was (contents, region, free count);
 *   2. with an owner that moves: the migrate hook copies each page through
 *      the identity map to a new movable page (outside the region), points
 *      its record there and frees the old one. The run must be the whole
 *      region, aligned, and every moved page must hold its pattern.
 *
 * Everything goes back; pmm_check() and the free page count as before.
 * The owner, its migrate hook and the fill are owners.c's.
 */
#include <pmm/check.h>
#include <pmm/contig.h>
#include <pmm/zone.h>
#include "kernel.h"

#define CMA_TEST_BYTES ((uint64_t)4 << 20)
#define CMA_TEST_OWNED 64   /* movable pages the test wants borrowing */
#define CMA_TEST_TRIES 8192 /* movable pages it asks for at most */

static const struct pmm_boot_cma kernel_cma = {
	.nid = PMM_NUMA_NO_NODE, .size = CMA_TEST_BYTES, .align = 0,
	.name = "kernel-test",
};

void kernel_cma_config(struct pmm_boot_config *cfg)
{
	cfg->cma = &kernel_cma;
	cfg->nr_cma = 1;
}

uint64_t kernel_cma_free_pages(void)
{
	struct pmm_cma_info info;
	return pmm_cma_info(0, &info) == 0 ? info.free : 0;
}

/* Movable pages until CMA_TEST_OWNED lie in the region. Return: how many
 * do. */
static unsigned int borrow(const struct pmm_cma_info *r, unsigned int gfp)
{
	unsigned int in = 0;
	const uint32_t *pfn;
	while (in < CMA_TEST_OWNED && owners_count() < CMA_TEST_TRIES &&
	       (pfn = owner_take(gfp | PMM_GFP_MOVABLE)) != NULL)
		in += *pfn >= r->base && *pfn - r->base < r->count;
	return in;
}

static bool in_region(const struct pmm_cma_info *r, uint32_t pfn)
{
	return pfn >= r->base && pfn - r->base < r->count;
}

/* Case 1: the middle borrowed page refuses. Return: true if the call
 * failed with every page held: the refused one and those after it where
 * they were, those moved before it outside the region, all patterns
 * intact, the region's free pages and the free count as before. */
static bool cma_refused(const struct pmm_cma_info *r, unsigned int in)
{
	static uint32_t before[CMA_TEST_TRIES];
	unsigned int n = 0, nowned = owners_count();
	uint32_t refuse_pfn = 0;
	for (unsigned int i = 0; i < nowned; i++) {
		before[i] = owner_pfn(i);
		if (in_region(r, before[i]) && n++ == in / 2)
			refuse_pfn = before[i];
	}
	owners_refuse(refuse_pfn);
	struct pmm_cma_info now;
	pmm_pcp_drain_all(); /* a refill's region pages: free, not borrowed */
	(void)pmm_cma_info(0, &now);
	uint64_t free0 = pmm_nr_free_pages();
	int err = 0;
	(void)owners_moved();
	struct pmm_page *p = pmm_cma_alloc_err(0, r->count, 0, &err);
	unsigned int moved = owners_moved();
	struct pmm_cma_info after;
	(void)pmm_cma_info(0, &after);
	unsigned int held_ok = 0;
	for (unsigned int i = 0; i < nowned; i++)
		held_ok += owner_holds(i) && (owner_pfn(i) == before[i] ||
					      (in_region(r, before[i]) &&
					       !in_region(r, owner_pfn(i))));
	bool ok = p == NULL && pmm_nr_free_pages() == free0 &&
		  after.free == now.free + moved && held_ok == nowned &&
		  pmm_check() == NULL;
	pmm_printk("pmm cma-test: whole region, pfn 0x%x refuses to move: %s; "
		   "%u moved before it; %u of %u pages held; free %llu -> %llu, "
		   "region %llu -> %llu: %s\n", refuse_pfn,
		   p == NULL ? pmm_strerror(err) : "taken", moved, held_ok,
		   nowned, (unsigned long long)free0,
		   (unsigned long long)pmm_nr_free_pages(),
		   (unsigned long long)now.free, (unsigned long long)after.free,
		   ok ? "ok" : "WRONG");
	if (p != NULL)
		(void)pmm_cma_release(0, p, r->count);
	owners_refuse(0);
	return ok;
}

/* Case 2: every borrowed page moves. Return: true if all checks held. */
static bool cma_moved(const struct pmm_cma_info *r)
{
	(void)owners_moved();
	int err = 0;
	struct pmm_page *p = pmm_cma_alloc_err(0, r->count, 0, &err);
	unsigned int moved = owners_moved();
	if (p == NULL) {
		pmm_printk("pmm cma-test: whole region: %s\n", pmm_strerror(err));
		return false;
	}
	pmm_pfn_t s = pmm_page_to_pfn(p);
	bool ok = s == r->base;
	for (unsigned int i = 0; i < owners_count(); i++)
		ok &= !in_region(r, owner_pfn(i)) && owner_holds(i);
	ok &= pmm_check() == NULL;
	pmm_printk("pmm cma-test: whole region [mem 0x%08llx-0x%08llx] taken, "
		   "%u pages moved and read back: %s\n",
		   (unsigned long long)PMM_PFN_PHYS(s),
		   (unsigned long long)(PMM_PFN_PHYS(s + r->count) - 1), moved,
		   ok ? "ok" : "WRONG");
	return pmm_cma_release(0, p, r->count) == 0 && ok;
}

/* The zone holding @pfn, and the gfp whose highest zone it is. */
static struct pmm_zone *zone_of(pmm_pfn_t pfn, unsigned int *gfp)
{
	struct pmm_zone *z = pmm_pfn_zone(pfn);
	*gfp = z != NULL && z->type == PMM_ZONE_HIGHMEM ? PMM_GFP_HIGHUSER
		: z != NULL && z->type == PMM_ZONE_DMA ? PMM_GFP_DMA
		: PMM_GFP_KERNEL;
	return z;
}

bool kernel_cma_selftest(void)
{
	struct pmm_cma_info r;
	unsigned int gfp;
	if (pmm_cma_info(0, &r) != 0) {
		pmm_printk("pmm cma-test: no CMA region from the boot config\n");
		return false;
	}
	struct pmm_zone *zone = zone_of(r.base, &gfp);
	uint64_t free0 = pmm_nr_free_pages();
	owners_hook(true);
	fill_take(gfp);
	fill_give_back(zone, zone->watermark[PMM_WMARK_MIN] + CMA_TEST_OWNED + 16);
	unsigned int in = borrow(&r, gfp);
	pmm_printk("pmm cma-test: region %s [mem 0x%08llx-0x%08llx]: %u of "
		   "%u movable pages borrow it, patterns written\n", r.name,
		   (unsigned long long)PMM_PFN_PHYS(r.base),
		   (unsigned long long)(PMM_PFN_PHYS(r.base + r.count) - 1), in,
		   owners_count());
	bool ok = in != 0 && cma_refused(&r, in);
	ok = ok && cma_moved(&r);
	owners_free_all();
	fill_give_back(NULL, 0);
	owners_hook(false);
	return kernel_selftest_verdict("pmm cma-test", free0, ok);
}
