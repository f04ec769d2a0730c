/* SPDX-License-Identifier: MIT */
/*
 * boot_cma.c - the boot's CMA regions (pmm_boot_config.cma): each is
 * reserved through the early allocator on its node before the hand-off,
 * so no early allocation lands there and retirement leaves it out, and
 * given to the buddy allocator right after the hand-off as CMA pageblocks
 * (a late free, then pmm_cma_declare(): buddy_cma.c). Region i of the
 * config is CMA region i.
 *
 * Context: the boot CPU, inside pmm_boot().
 */
#include <pmm/contig.h>

#include "boot_internal.h"

/* Where each configured region went, between the two steps. */
static pmm_phys_t cma_base[PMM_CMA_MAX];

/* Return: @x is a power of two. */
static bool is_pow2(uint64_t x)
{
	return x != 0 && (x & (x - 1)) == 0;
}

/* Return: @c's size in bytes, whole pageblocks. */
static uint64_t cma_bytes(const struct pmm_boot_cma *c)
{
	uint64_t pb = (uint64_t)PMM_PAGEBLOCK_PAGES << PMM_PAGE_SHIFT;
	return (c->size + pb - 1) & ~(pb - 1);
}

/* Return: @c's alignment in bytes, at least a pageblock. */
static uint64_t cma_align(const struct pmm_boot_cma *c)
{
	uint64_t pb = (uint64_t)PMM_PAGEBLOCK_PAGES << PMM_PAGE_SHIFT;
	return c->align > pb ? c->align : pb;
}

/**
 * boot_cma_check - prove the config's CMA entries sound (before anything
 * changes). Return: 0 or PMM_EINVAL, logged with the setting to change.
 */
int boot_cma_check(const struct pmm_boot_config *cfg)
{
	if (cfg->nr_cma != 0 && cfg->cma == NULL) {
		pmm_printk("pmm: cfg->cma is NULL but cfg->nr_cma is %zu\n",
			   cfg->nr_cma);
		return PMM_EINVAL;
	}
	if (cfg->nr_cma > PMM_CMA_MAX) {
		pmm_printk("pmm: cfg->nr_cma %zu above %d; raise PMM_CMA_MAX\n",
			   cfg->nr_cma, PMM_CMA_MAX);
		return PMM_EINVAL;
	}
	for (size_t i = 0; i < cfg->nr_cma; i++) {
		const struct pmm_boot_cma *c = &cfg->cma[i];
		if (c->size == 0 || (c->align != 0 && !is_pow2(c->align)) ||
		    c->size > UINT64_MAX / 2 ||
		    (c->nid != PMM_NUMA_NO_NODE &&
		     (c->nid < 0 || c->nid >= PMM_MAX_NUMNODES))) {
			pmm_printk("pmm: cfg->cma[%zu]: size %llu, align %llu, node %d: "
				   "size must be above 0, align 0 or a power of two, "
				   "node valid\n", i, (unsigned long long)c->size,
				   (unsigned long long)c->align, c->nid);
			return PMM_EINVAL;
		}
	}
	return 0;
}

/* Return: the node region @c goes on (PMM_NUMA_NO_NODE: the lowest online). */
static int cma_node(const struct boot_state *bs, const struct pmm_boot_cma *c)
{
	if (c->nid != PMM_NUMA_NO_NODE)
		return c->nid;
	for (int nid = 0; nid < PMM_MAX_NUMNODES; nid++)
		if (bs->node[nid].online)
			return nid;
	return 0;
}

/**
 * boot_cma_reserve - a boot step: take each region from the early
 * allocator. Return: 0 or the allocator's error (logged).
 */
int boot_cma_reserve(struct boot_state *bs)
{
	for (size_t i = 0; i < bs->cfg->nr_cma; i++) {
		const struct pmm_boot_cma *c = &bs->cfg->cma[i];
		int err = boot_early_alloc(bs, cma_node(bs, c), cma_bytes(c),
					   cma_align(c), &cma_base[i]);
		if (err) {
			pmm_printk("pmm: cannot reserve %llu MiB for CMA region %s: %s\n",
				   (unsigned long long)(cma_bytes(c) >> 20),
				   c->name != NULL ? c->name : "?", pmm_strerror(err));
			return err;
		}
	}
	return 0;
}

/**
 * boot_cma_activate - a boot step after the hand-off: each reserved region
 * goes to the buddy allocator and becomes CMA.
 * Return: 0 or the error (logged).
 */
int boot_cma_activate(struct boot_state *bs)
{
	for (size_t i = 0; i < bs->cfg->nr_cma; i++) {
		const struct pmm_boot_cma *c = &bs->cfg->cma[i];
		uint64_t bytes = cma_bytes(c);
		int err = pmm_boot_free_late(cma_base[i], bytes);
		if (!err)
			err = pmm_cma_declare(PMM_PFN_DOWN(cma_base[i]),
					      bytes >> PMM_PAGE_SHIFT, c->name, NULL);
		if (err) {
			pmm_printk("pmm: CMA region %s at 0x%llx: %s\n",
				   c->name != NULL ? c->name : "?",
				   (unsigned long long)cma_base[i], pmm_strerror(err));
			return err;
		}
		bs->info->cma_pages += bytes >> PMM_PAGE_SHIFT;
		if (!bs->cfg->quiet)
			pmm_printk("pmm: cma: reserved %llu MiB at 0x%llx for %s\n",
				   (unsigned long long)(bytes >> 20),
				   (unsigned long long)cma_base[i],
				   c->name != NULL ? c->name : "?");
	}
	return 0;
}
