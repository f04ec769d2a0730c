/* SPDX-License-Identifier: MIT */
/*
 * dma_selftest.c - the DMA case of issue 11 on real firmware maps: after
 * the self-test, fragment the DMA zone (take up to DMA_FRAG_PAGES single
 * pages below 16 MiB, give back every other one), then ask for ISA-style
 * DMA buffers below 16 MiB that may not cross a 64 KiB boundary - 16
 * pages aligned to 64 KiB and 12 pages at any page - write and read them
 * back through the identity map, and give everything back: the free page
 * count and pmm_check() as before.
 */
#include <pmm/check.h>
#include <pmm/contig.h>
#include "kernel.h"

#define DMA_FRAG_PAGES 2048
#define DMA_LIMIT ((pmm_phys_t)16 << 20)
#define DMA_BOUNDARY ((pmm_phys_t)64 << 10)

static uint32_t frag[DMA_FRAG_PAGES]; /* pfns of the fragmenting pages */

/* Take single DMA pages, free every other one. Return: pages kept. */
static unsigned int dma_fragment(void)
{
	unsigned int n = 0, kept = 0;
	while (n < DMA_FRAG_PAGES) {
		struct pmm_page *p = pmm_alloc_pages(PMM_GFP_DMA, 0);
		if (p == NULL)
			break;
		frag[n++] = (uint32_t)pmm_page_to_pfn(p);
	}
	for (unsigned int i = 0; i < n; i++) {
		if (i & 1)
			(void)pmm_free_pages(pmm_pfn_to_page(frag[i]), 0);
		else
			frag[kept++] = frag[i];
	}
	return kept;
}

/* One buffer of @nr pages aligned to @align: placed, writable, given back.
 * Return: true if all held. */
static bool dma_buffer(uint64_t nr, pmm_phys_t align)
{
	int err = 0;
	struct pmm_page *p = pmm_alloc_contig_err(nr, PMM_GFP_DMA, 0, DMA_LIMIT,
						  align, DMA_BOUNDARY, &err);
	if (p == NULL) {
		pmm_printk("pmm dma-test: %llu pages below 16 MiB: %s\n",
			   (unsigned long long)nr, pmm_strerror(err));
		return false;
	}
	pmm_phys_t pa = PMM_PFN_PHYS(pmm_page_to_pfn(p));
	pmm_phys_t len = nr << PMM_PAGE_SHIFT;
	bool ok = pa + len <= DMA_LIMIT && (pa & (align - 1)) == 0 &&
		  (pa ^ (pa + len - 1)) < DMA_BOUNDARY;
	uint32_t *w = pmm_phys_map(pa, (size_t)len, NULL);
	if (w != NULL) {
		for (size_t i = 0; i < len / 4; i++)
			w[i] = (uint32_t)(pa + i * 4) ^ 0x5a5a5a5au;
		for (size_t i = 0; i < len / 4; i++)
			ok &= w[i] == ((uint32_t)(pa + i * 4) ^ 0x5a5a5a5au);
	}
	pmm_printk("pmm dma-test: %llu pages at [mem 0x%08llx-0x%08llx], "
		   "below 16 MiB, inside one 64 KiB: %s\n",
		   (unsigned long long)nr, (unsigned long long)pa,
		   (unsigned long long)(pa + len - 1), ok ? "ok" : "WRONG");
	return pmm_free_contig(p, nr) == 0 && ok;
}

bool kernel_dma_selftest(void)
{
	uint64_t free0 = pmm_nr_free_pages();
	unsigned int kept = dma_fragment();
	pmm_printk("pmm dma-test: DMA zone fragmented: %u single pages kept, "
		   "every other one freed\n", kept);
	bool ok = dma_buffer(16, DMA_BOUNDARY);
	ok = dma_buffer(12, PMM_PAGE_SIZE) && ok;
	for (unsigned int i = 0; i < kept; i++)
		(void)pmm_free_pages(pmm_pfn_to_page(frag[i]), 0);
	return kernel_selftest_verdict("pmm dma-test", free0, ok);
}
