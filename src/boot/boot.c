/* SPDX-License-Identifier: MIT */
/*
 * boot.c - the boot sequence of DESIGN.md's data flow, as one call.
 *
 *   check the config, collect its reservations -> sanitize the map ->
 *   nodes -> early allocator takes RAM and reservations -> page
 *   descriptors and zone bitmaps from it -> zones -> hand-off ->
 *   watermarks -> "Memory:" line -> free_initmem
 *
 * pmm_boot() runs boot_steps[] in that order; the machine's layout and the
 * reservation list are boot_layout.c's, each early allocator's part is its
 * adapter's (boot_bootmem.c, boot_memblock.c).
 *
 * The simulator and the kernel both call pmm_boot(); they differ only in
 * their platform hooks and where the map comes from.
 */
#include <pmm/buddy.h>
#include <pmm/fmt.h>
#include <pmm/init.h>
#include <pmm/report.h>

#include "boot_internal.h"

#define MiB ((pmm_phys_t)1 << 20)
#define GiB ((pmm_phys_t)1 << 30)

static const struct boot_early_ops *active_early;

void pmm_boot_config_init(struct pmm_boot_config *cfg)
{
	pmm_memset(cfg, 0, sizeof(*cfg));
	cfg->profile = PMM_PROFILE_I386;
	cfg->early = PMM_EARLY_BOOTMEM;
}

pmm_phys_t pmm_profile_addr_limit(enum pmm_profile profile)
{
	return profile == PMM_PROFILE_I386 ? 4 * GiB : 0;
}

const char *pmm_profile_name(enum pmm_profile profile)
{
	return profile == PMM_PROFILE_I386 ? "i386" : "x86_64";
}

const char *pmm_early_name(enum pmm_early early)
{
	return early == PMM_EARLY_MEMBLOCK ? "memblock" : "bootmem";
}

static void log_line(const struct boot_state *bs, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void log_line(const struct boot_state *bs, const char *fmt, ...)
{
	va_list ap;
	if (bs->cfg->quiet)
		return;
	va_start(ap, fmt);
	pmm_vfmt(pmm_log_out(), fmt, ap);
	va_end(ap);
}

static int sanitize(struct boot_state *bs)
{
	pmm_phys_t limit = pmm_profile_addr_limit(bs->cfg->profile);
	uint64_t before = bs->map->dropped_bytes;
	int err = bs->cfg->keep_low_memory ? 0 : pmm_memmap_x86_trim_low(bs->map);
	if (!err)
		err = pmm_memmap_sanitize(bs->map, limit);
	if (err) {
		pmm_printk("pmm: cannot sanitize the memory map: %s\n", pmm_strerror(err));
		return err;
	}
	bs->info->dropped_bytes = bs->map->dropped_bytes - before;
	log_line(bs, "pmm: sanitized physical RAM map (%s profile):\n",
		 pmm_profile_name(bs->cfg->profile));
	if (!bs->cfg->quiet)
		pmm_report_memmap(pmm_log_out(), bs->map, "BIOS-e820");
	if (bs->info->dropped_bytes)
		log_line(bs, "pmm: %lluMB of RAM at or above %lluMB dropped: the %s "
			 "profile cannot address it\n",
			 (unsigned long long)(bs->info->dropped_bytes >> 20),
			 (unsigned long long)(limit >> 20),
			 pmm_profile_name(bs->cfg->profile));
	return 0;
}

static int clip_to_pfn_limit(struct boot_state *bs)
{
	if (bs->max_pfn <= PMM_PFN_LIMIT)
		return 0;
	pmm_printk("pmm: RAM reaches pfn 0x%llx, past pmm's limit 0x%llx; "
		   "raise PMM_PAGE_SHIFT or cut the map\n",
		   (unsigned long long)bs->max_pfn, (unsigned long long)PMM_PFN_LIMIT);
	return PMM_ERANGE;
}

static void count_present(struct boot_state *bs)
{
	uint64_t n = 0;
	for (int nid = 0; nid < PMM_MAX_NUMNODES; nid++)
		if (bs->node[nid].online)
			n += boot_present_pages(bs, nid, 0, bs->max_pfn);
	bs->info->present_pages = n;
}

static int alloc_meta(struct boot_state *bs, int nid, uint64_t size,
		      bool zero, pmm_phys_t *pa)
{
	pmm_phys_t limit = PMM_PFN_PHYS(bs->lowmem_end_pfn);
	int err = active_early->alloc(bs, nid, size, PMM_PAGE_SIZE, limit, zero, pa);
	if (err == PMM_ENOMEM) {
		for (int other = 0; other < PMM_MAX_NUMNODES && err; other++)
			if (other != nid && bs->node[other].online)
				err = active_early->alloc(bs, other, size,
							  PMM_PAGE_SIZE, limit, zero, pa);
	}
	if (err)
		pmm_printk("pmm: cannot allocate %llu bytes of early memory on node "
			   "%d: %s\n", (unsigned long long)size, nid, pmm_strerror(err));
	return err;
}

/* Early memory for the boot's CMA step (boot_cma.c): anywhere on @nid. */
int boot_early_alloc(struct boot_state *bs, int nid, uint64_t size,
		     uint64_t align, pmm_phys_t *pa)
{
	return active_early->alloc(bs, nid, size, align, 0, false, pa);
}

static uint64_t pages_of(uint64_t bytes)
{
	return (bytes + PMM_PAGE_SIZE - 1) >> PMM_PAGE_SHIFT;
}

/* Reserve each node's slice of the descriptor array on that node. */
static int memmap_reserve_slices(struct boot_state *bs)
{
	for (int nid = 0; nid < PMM_MAX_NUMNODES; nid++) {
		const struct boot_node *n = &bs->node[nid];
		pmm_phys_t pa;
		if (!n->online)
			continue;
		uint64_t bytes = (n->end_pfn - n->start_pfn) * sizeof(struct pmm_page);
		int err = alloc_meta(bs, nid, bytes, false, &pa);
		if (err)
			return err;
		bs->info->memmap_pages += pages_of(bytes);
	}
	return 0;
}

/*
 * Bytes of the array the boot backs and zeroes: all of it, or with a
 * virtual memmap only up to the end of boot memory, the hotplug room above
 * left to the platform (it reads zero until a block's slice is populated).
 */
static size_t memmap_boot_bytes(const struct boot_state *bs, size_t bytes)
{
	if (!pmm_platform_virtual_memmap())
		return bytes;
	size_t used = (size_t)bs->max_pfn * sizeof(struct pmm_page);
	used = (used + PMM_PAGE_SIZE - 1) & ~(size_t)(PMM_PAGE_SIZE - 1);
	return used < bytes ? used : bytes;
}

static int memmap_from_platform(struct boot_state *bs, size_t bytes,
				struct pmm_page **map)
{
	bool zeroed = false;
	int err = memmap_reserve_slices(bs);
	if (err)
		return err;
	*map = pmm_platform_get()->memmap_alloc(pmm_platform_get()->ctx, bytes,
						 &zeroed);
	if (!*map) {
		pmm_printk("pmm: the platform has no %zu bytes for page descriptors\n",
			   bytes);
		return PMM_ENOMEM;
	}
	size_t backed = memmap_boot_bytes(bs, bytes);
	bs->info->memmap_room_bytes = bytes - backed;
	if (!zeroed) {
		uint64_t t0 = pmm_now_ns();
		pmm_memset(*map, 0, backed);
		bs->info->memmap_zero_ns = pmm_now_ns() - t0;
	}
	return 0;
}

static int memmap_from_early(struct boot_state *bs, size_t bytes,
			     struct pmm_page **map)
{
	pmm_phys_t pa;
	bool zeroed = false;
	int nid = 0;

	if (bs->nr_nodes != 1)
		log_line(bs, "pmm: page descriptors of all nodes on one node: the "
			 "platform has no memmap_alloc hook\n");
	while (!bs->node[nid].online)
		nid++;
	uint64_t t0 = pmm_now_ns();
	int err = alloc_meta(bs, nid, bytes, true, &pa);
	if (err)
		return err;
	bs->info->memmap_pages = pages_of(bytes);
	*map = pmm_phys_map(pa, bytes, &zeroed);
	if (!*map) {
		pmm_printk("pmm: page descriptors at 0x%llx cannot be mapped\n",
			   (unsigned long long)pa);
		return PMM_ERANGE;
	}
	bs->info->memmap_zero_ns = pmm_now_ns() - t0;
	return 0;
}

static int setup_memmap(struct boot_state *bs)
{
	pmm_pfn_t pfns = boot_memmap_pfns(bs);
	uint64_t need = pfns * sizeof(struct pmm_page);
	if (need > SIZE_MAX) {
		pmm_printk("pmm: page descriptors for %llu pages need %llu bytes, "
			   "more than this CPU can address: boot with less memory\n",
			   (unsigned long long)pfns, (unsigned long long)need);
		return PMM_ENOMEM;
	}
	size_t bytes = (size_t)need;
	struct pmm_page *map = NULL;
	int err = pmm_platform_get()->memmap_alloc
			  ? memmap_from_platform(bs, bytes, &map)
			  : memmap_from_early(bs, bytes, &map);
	if (err)
		return err;
	pmm_page_map_init(map, pfns);
	log_line(bs, "pmm: page descriptors: %zu bytes (%zu per page), %llu pages "
		 "from %s\n", bytes, sizeof(struct pmm_page),
		 (unsigned long long)bs->info->memmap_pages,
		 pmm_early_name(bs->cfg->early));
	if (pfns > bs->max_pfn)
		log_line(bs, "pmm: page descriptors of the hotplug room: %s\n",
			 bs->info->memmap_room_bytes
				 ? "unpopulated until added (virtual memmap)"
				 : "backed at boot (a flat array cannot be backed later)");
	return 0;
}

/*
 * Zone bounds of @profile in pfns, zone t spanning [bound[t], bound[t + 1]);
 * on i386 HighMem starts at @highmem.
 */
void boot_zone_bounds(enum pmm_profile profile, pmm_pfn_t highmem,
		      pmm_pfn_t bound[PMM_NR_ADDR_ZONES + 1])
{
	pmm_pfn_t dma = PMM_PFN_DOWN(16 * MiB);
	pmm_pfn_t top = (pmm_pfn_t)UINT64_MAX;
	bound[PMM_ZONE_DMA] = 0;
	bound[PMM_ZONE_DMA32] = dma;
	if (profile == PMM_PROFILE_I386) {
		bound[PMM_ZONE_NORMAL] = dma;
		bound[PMM_ZONE_HIGHMEM] = highmem;
		bound[PMM_NR_ADDR_ZONES] = top;
	} else {
		bound[PMM_ZONE_NORMAL] = PMM_PFN_DOWN(4 * GiB);
		bound[PMM_ZONE_HIGHMEM] = top;
		bound[PMM_NR_ADDR_ZONES] = top;
	}
}

static int setup_zone(struct boot_state *bs, int nid, enum pmm_zone_type t,
		      pmm_pfn_t start, pmm_pfn_t end)
{
	uint64_t present = boot_present_pages(bs, nid, start, end);
	pmm_phys_t pa;
	if (present == 0)
		return 0;
	size_t bytes = pmm_zone_bitmap_bytes(start, end);
	void *bitmap = NULL;
	if (bytes) {
		int err = alloc_meta(bs, nid, bytes, true, &pa);
		if (err)
			return err;
		bitmap = pmm_phys_map(pa, bytes, NULL);
		if (!bitmap) {
			pmm_printk("pmm: zone bitmap at 0x%llx cannot be mapped\n",
				   (unsigned long long)pa);
			return PMM_ERANGE;
		}
	}
	return pmm_zone_init(nid, t, start, end, present, bitmap);
}

static int setup_node_zones(struct boot_state *bs, int nid)
{
	pmm_pfn_t bound[PMM_NR_ADDR_ZONES + 1];
	const struct boot_node *n = &bs->node[nid];
	int err = pmm_node_init(nid, n->start_pfn, n->end_pfn);

	boot_zone_bounds(bs->cfg->profile, bs->highmem_pfn, bound);
	for (int t = 0; t < PMM_NR_ADDR_ZONES && !err; t++) {
		pmm_pfn_t s = bound[t] > n->start_pfn ? bound[t] : n->start_pfn;
		pmm_pfn_t e = bound[t + 1] < n->end_pfn ? bound[t + 1] : n->end_pfn;
		if (e > s)
			err = setup_zone(bs, nid, (enum pmm_zone_type)t, s, e);
	}
	if (!err)
		log_line(bs, "On node %d totalpages: %llu\n", nid,
			 (unsigned long long)boot_present_pages(bs, nid, 0, bs->max_pfn));
	return err;
}

static int setup_zones(struct boot_state *bs)
{
	int err = 0;
	for (int nid = 0; nid < PMM_MAX_NUMNODES && !err; nid++)
		if (bs->node[nid].online)
			err = setup_node_zones(bs, nid);
	if (!err && !bs->cfg->quiet)
		pmm_report_zone_ranges(pmm_log_out(), bs->map);
	return err;
}

static uint64_t managed_pages(bool highmem_only)
{
	uint64_t n = 0;
	for (struct pmm_zone *z = pmm_zone_first(); z; z = pmm_zone_next(z))
		if (!highmem_only || z->type == PMM_ZONE_HIGHMEM)
			n += z->managed;
	return n;
}

static int handoff(struct boot_state *bs)
{
	uint64_t t0 = pmm_now_ns();
	int err = active_early->retire(bs);
	bs->info->handoff_ns = pmm_now_ns() - t0;
	if (err) {
		pmm_printk("pmm: hand-off to the buddy allocator failed: %s\n",
			   pmm_strerror(err));
		return err;
	}
	bs->info->highmem_pages_freed = managed_pages(true);
	for (struct pmm_zone *z = pmm_zone_first(); z; z = pmm_zone_next(z))
		if (z->type == PMM_ZONE_HIGHMEM)
			bs->info->highmem_pages += z->present;
	bs->info->reserved_pages = bs->info->present_pages - managed_pages(false);
	log_line(bs, "pmm: hand-off: %llu pages to the buddy allocator in %llu us\n",
		 (unsigned long long)bs->info->handoff_pages,
		 (unsigned long long)(bs->info->handoff_ns / 1000u));
	return 0;
}

/* Zone watermarks, then the "Memory: ...K/...K available" line. */
static int finish(struct boot_state *bs)
{
	pmm_zones_setup_watermarks();
	if (!bs->cfg->quiet)
		pmm_report_memory_line(pmm_log_out(), bs->cfg, bs->info);
	return 0;
}

static int free_init_sections(struct boot_state *bs)
{
	const struct pmm_phys_range *init = &bs->cfg->init;
	if (bs->cfg->skip_free_initmem || init->end <= init->start)
		return 0;
	int err = pmm_free_initmem(init->start, init->end, &bs->info->init_pages_freed);
	if (err)
		pmm_printk("pmm: free_initmem failed: %s\n", pmm_strerror(err));
	return err;
}

/* Nodes, max_pfn, the lowmem limit and the present pages of the map. */
static int layout(struct boot_state *bs)
{
	int err = boot_layout_nodes(bs);
	if (!err)
		err = clip_to_pfn_limit(bs);
	if (err)
		return err;
	boot_lowmem_layout(bs);
	bs->info->max_pfn = bs->max_pfn;
	bs->info->max_low_pfn = bs->lowmem_end_pfn;
	bs->info->nr_nodes = bs->nr_nodes;
	count_present(bs);
	return 0;
}

/* The early allocator takes the usable RAM, then the reservations. */
static int early_setup(struct boot_state *bs)
{
	log_line(bs, "pmm: early allocator: %s\n", pmm_early_name(bs->cfg->early));
	return active_early->setup(bs);
}

static const struct boot_early_ops *early_ops(enum pmm_early early)
{
	return early == PMM_EARLY_MEMBLOCK ? &boot_memblock_ops : &boot_bootmem_ops;
}

/*
 * Check the config and collect its reservations into @bs: no state
 * outside @bs changes, so a refused config leaves the map and any earlier
 * boot as they were.
 */
static int read_config(struct boot_state *bs, struct pmm_memmap *map,
		       const struct pmm_boot_config *cfg)
{
	int err = boot_check_config(cfg);
	if (!err)
		err = boot_lowmem_check(cfg);
	if (!err)
		err = boot_cma_check(cfg);
	if (!err)
		err = boot_hotplug_check(cfg);
	if (err)
		return err;
	pmm_memset(bs, 0, sizeof(*bs));
	bs->map = map;
	bs->cfg = cfg;
	return boot_layout_reservations(bs);
}

/* The boot after read_config(), step by step: DESIGN.md's data flow. */
static int (*const boot_steps[])(struct boot_state *bs) = {
	sanitize,           /* firmware map: sorted, clipped, page aligned */
	layout,             /* nodes, max_pfn, lowmem limit, present pages */
	early_setup,        /* early allocator: RAM in, reservations out */
	setup_memmap,       /* page descriptors from the early allocator */
	setup_zones,        /* nodes' zones and their pair bitmaps */
	boot_cma_reserve,   /* CMA regions out of the early allocator */
	handoff,            /* every free page to the buddy allocator */
	boot_cma_activate,  /* ... and the CMA regions, as CMA */
	finish,             /* watermarks, "Memory:" line */
	boot_hotplug_setup, /* memory blocks for hotplug (boot_hotplug.c) */
	free_init_sections, /* __init / __initdata to the buddy allocator */
};

int pmm_boot(struct pmm_memmap *map, const struct pmm_boot_config *cfg,
	     struct pmm_boot_info *info)
{
	static struct boot_state bs;
	int err = read_config(&bs, map, cfg);
	if (err)
		return err;
	pmm_memset(info, 0, sizeof(*info));
	info->early = cfg->early;
	bs.info = info;
	active_early = early_ops(cfg->early);
	pmm_zones_reset();
	pmm_buddy_reset_settings();
	if (cfg->deferred)
		pmm_buddy_set_deferred(true);
	for (size_t i = 0; i < sizeof(boot_steps) / sizeof(boot_steps[0]) && !err; i++)
		err = boot_steps[i](&bs);
	return err;
}

int pmm_boot_free_late(pmm_phys_t addr, uint64_t size)
{
	if (!active_early)
		return PMM_ESTATE;
	return active_early->free_late(addr, size);
}
