/* SPDX-License-Identifier: MIT */
/*
 * hotplug_selftest.c - memory hotplug (pmm/elastic.h) on real firmware
 * maps: before pmm_boot() the top 4 MiB block of the highest usable RAM
 * below 4 GiB is taken out of the map (held back, as a hypervisor would
 * keep memory to plug in later) and the descriptors are told to reach
 * it; after the self-test it is hot-added, a run of its pages is
 * allocated, written and read back through the identity map and freed,
 * then it is offlined and removed. Each step proves pmm_check() and the
 * free page count: after the add the count is the one before plus the
 * block less the zone metadata hotplug took; after the offline it is the
 * one before less the metadata hotplug still holds.
 *
 * Then the same block again, online_movable (pmm_memory_add_as()): with
 * every kernel page of the machine held by a fill, the Movable zone still
 * has all its pages; HP_OWNED movable pages with patterns of their own
 * (owners.c) land in it; the offline moves each of them out through the
 * copying migrate hook and every pattern reads back from its new page.
 */
#include <pmm/check.h>
#include <pmm/contig.h>
#include <pmm/elastic.h>
#include <pmm/zone.h>
#include "kernel.h"

#define HP_BLOCK_BYTES ((pmm_phys_t)4 << 20)
#define HP_TEST_PAGES 64u
#define HP_OWNED 64u
#define HP_LOW ((pmm_phys_t)16 << 20)   /* above the DMA zone */
#define HP_TOP ((pmm_phys_t)4 << 30)    /* what the i386 profile keeps */

static pmm_phys_t held_start; /* 0: nothing held back */

/* Return: the end of the highest usable RAM below 4 GiB in @map, in *@lo
 * its start; 0 when there is none. */
static pmm_phys_t top_usable(const struct pmm_memmap *map, pmm_phys_t *lo)
{
	pmm_phys_t best = 0;
	for (unsigned int i = 0; i < map->nr; i++) {
		const struct pmm_memmap_entry *e = &map->entry[i];
		pmm_phys_t end = e->end < HP_TOP ? e->end : HP_TOP;
		if (e->type == PMM_MEM_USABLE && e->start < end && end > best) {
			best = end;
			*lo = e->start;
		}
	}
	return best;
}

void kernel_hotplug_hold_back(struct pmm_memmap *map, struct pmm_boot_config *cfg)
{
	pmm_phys_t lo = 0, end = top_usable(map, &lo);
	pmm_phys_t start = (end & ~(HP_BLOCK_BYTES - 1)) - HP_BLOCK_BYTES;
	if (end < 2 * HP_BLOCK_BYTES || start < lo || start < HP_LOW ||
	    pmm_memmap_remove(map, start, end, PMM_MEM_USABLE) != 0) {
		pmm_printk("pmm hotplug-test: no 4 MiB block to hold back\n");
		return;
	}
	held_start = start;
	cfg->hotplug_max = start + HP_BLOCK_BYTES;
	cfg->memory_block_bytes = HP_BLOCK_BYTES;
	pmm_printk("pmm hotplug-test: held back [mem 0x%08llx-0x%08llx] (not "
		   "given to pmm_boot)\n", (unsigned long long)start,
		   (unsigned long long)(end - 1));
}

/* Log a failed step and return false. */
static bool step_failed(const char *what, int err)
{
	pmm_printk("pmm hotplug-test: %s: %s\n", what,
		   err ? pmm_strerror(err) : "wrong result");
	return false;
}

/* Return: true when pmm_check() passes (logged otherwise). */
static bool consistent(const char *after)
{
	const char *bad = pmm_check();
	if (bad != NULL)
		pmm_printk("pmm hotplug-test: pmm_check after %s: %s\n", after, bad);
	return bad == NULL;
}

/* Take HP_TEST_PAGES pages at the block's start, write, read, free them. */
static bool use_block(void)
{
	pmm_pfn_t pfn = PMM_PFN_DOWN(held_start);
	pmm_pfn_t busy = 0;
	int err = pmm_alloc_range(pfn, HP_TEST_PAGES, &busy);
	if (err)
		return step_failed("taking pages of the new block", err);
	size_t len = (size_t)HP_TEST_PAGES << PMM_PAGE_SHIFT;
	uint32_t *w = pmm_phys_map(held_start, len, NULL);
	bool ok = true;
	if (w != NULL) {
		for (size_t i = 0; i < len / 4; i++)
			w[i] = (uint32_t)(held_start + i * 4) ^ 0xa5a5a5a5u;
		for (size_t i = 0; i < len / 4; i++)
			ok = ok && w[i] == ((uint32_t)(held_start + i * 4) ^ 0xa5a5a5a5u);
	}
	err = pmm_free_contig(pmm_pfn_to_page(pfn), HP_TEST_PAGES);
	if (!ok || err)
		return step_failed("pattern in the new block", err);
	pmm_printk("pmm hotplug-test: %u pages at [mem 0x%08llx] allocated, %s, freed\n",
		   HP_TEST_PAGES, (unsigned long long)held_start,
		   w != NULL ? "pattern written and read back" : "not mapped");
	return consistent("using the block");
}

/* Return: true when every owner page lies outside the held block and
 * reads back its pattern. */
static bool owners_moved_out(void)
{
	pmm_pfn_t s = PMM_PFN_DOWN(held_start), e = PMM_PFN_DOWN(held_start + HP_BLOCK_BYTES);
	for (unsigned int i = 0; i < owners_count(); i++) {
		bool inside = owner_pfn(i) >= s && owner_pfn(i) < e;
		if (inside || !owner_holds(i))
			return false;
	}
	return true;
}

/* Kernel pages never reach the Movable zone: hold every page a kernel or
 * a non-movable highmem request can get, then look at the block. */
static bool kernel_pages_kept_out(const struct pmm_zone *mz)
{
	uint64_t free = mz->free_pages;
	fill_take(PMM_GFP_KERNEL);
	fill_take(PMM_GFP_HIGHUSER);
	bool out = mz->free_pages == free &&
		   !fill_holds_in(PMM_PFN_DOWN(held_start),
				  PMM_PFN_DOWN(held_start + HP_BLOCK_BYTES));
	fill_give_back(NULL, 0);
	return out;
}

/* Fill the Movable block with owner pages. Return: how many landed there. */
static unsigned int owners_in_block(void)
{
	pmm_pfn_t s = PMM_PFN_DOWN(held_start), e = PMM_PFN_DOWN(held_start + HP_BLOCK_BYTES);
	unsigned int in = 0;
	const uint32_t *pfn;
	while (owners_count() < HP_OWNED &&
	       (pfn = owner_take(PMM_GFP_HIGHUSER_MOVABLE)) != NULL)
		in += *pfn >= s && *pfn < e;
	return in;
}

/* The block again, in the Movable zone: see the opening comment. */
static bool movable_selftest(void)
{
	uint64_t free0 = pmm_nr_free_pages();
	int err = pmm_memory_add_as(0, held_start, HP_BLOCK_BYTES, PMM_ONLINE_MOVABLE);
	if (err)
		return step_failed("pmm_memory_add_as (movable)", err);
	const struct pmm_zone *mz = pmm_pfn_zone(PMM_PFN_DOWN(held_start));
	if (mz == NULL || mz->type != PMM_ZONE_MOVABLE)
		return step_failed("the block's zone is not Movable", 0);
	bool kept_out = kernel_pages_kept_out(mz);
	unsigned int in = owners_in_block();
	owners_hook(true);
	err = pmm_memory_offline(held_start, HP_BLOCK_BYTES);
	unsigned int moved = owners_moved();
	owners_hook(false);
	bool ok = kept_out && in == HP_OWNED && err == 0 && moved == HP_OWNED &&
		  owners_moved_out() && consistent("the Movable offline");
	pmm_printk("pmm hotplug-test: Movable zone [mem 0x%08llx-0x%08llx]: "
		   "kernel pages kept out: %s; %u of %u movable pages in it; "
		   "offline %s, %u moved and read back: %s\n",
		   (unsigned long long)held_start,
		   (unsigned long long)(held_start + HP_BLOCK_BYTES - 1),
		   kept_out ? "yes" : "NO", in, HP_OWNED,
		   err ? pmm_strerror(err) : "ok", moved, ok ? "ok" : "WRONG");
	owners_free_all();
	if (err == 0 && pmm_memory_remove(held_start, HP_BLOCK_BYTES) != 0)
		ok = false;
	return kernel_selftest_verdict("pmm hotplug-test: Movable", free0, ok);
}

bool kernel_hotplug_selftest(void)
{
	if (held_start == 0)
		return true;
	uint64_t block = HP_BLOCK_BYTES >> PMM_PAGE_SHIFT;
	uint64_t free0 = pmm_nr_free_pages(), meta0 = pmm_memory_meta_pages();
	int err = pmm_memory_add(0, held_start, HP_BLOCK_BYTES);
	if (err)
		return step_failed("pmm_memory_add", err);
	uint64_t free1 = pmm_nr_free_pages(), meta1 = pmm_memory_meta_pages();
	pmm_printk("pmm hotplug-test: added: %llu -> %llu pages free (+%llu, "
		   "zone metadata %llu pages)\n", (unsigned long long)free0,
		   (unsigned long long)free1, (unsigned long long)block,
		   (unsigned long long)meta1);
	if (free1 != free0 + block - (meta1 - meta0))
		return step_failed("free count after the add", 0);
	if (!consistent("the add") || !use_block())
		return false;
	err = pmm_memory_offline(held_start, HP_BLOCK_BYTES);
	if (err)
		return step_failed("pmm_memory_offline", err);
	uint64_t free2 = pmm_nr_free_pages(), meta2 = pmm_memory_meta_pages();
	pmm_printk("pmm hotplug-test: offline: %llu pages free (before the add "
		   "%llu, zone metadata now %llu pages)\n",
		   (unsigned long long)free2, (unsigned long long)free0,
		   (unsigned long long)meta2);
	if (free2 != free0 - (meta2 - meta0) || !consistent("the offline"))
		return step_failed("free count after the offline", 0);
	err = pmm_memory_remove(held_start, HP_BLOCK_BYTES);
	if (err)
		return step_failed("pmm_memory_remove", err);
	if (!consistent("the remove") || !movable_selftest())
		return false;
	pmm_printk("pmm hotplug self-test: PASS\n");
	return true;
}
