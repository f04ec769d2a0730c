/* SPDX-License-Identifier: MIT */
/*
 * pmm/boot.h - the boot sequence, from a firmware map to a running buddy
 * allocator, as one call that the simulator and the kernel share.
 *
 *   map -> sanitize -> early allocator (bootmem or memblock) -> reservations
 *   -> page descriptors and zone bitmaps from the early allocator -> zones
 *   -> hand-off of every free page (and the bitmap's pages, and highmem)
 *   -> watermarks -> "Memory: ..." -> free_initmem
 *
 * The caller differs only in its platform (pmm/platform.h) and where the
 * map and the kernel image come from.
 */
#ifndef PMM_BOOT_H
#define PMM_BOOT_H

#include <pmm/cmdline.h>

enum pmm_profile {
	PMM_PROFILE_I386,   /* below 4 GiB; DMA, Normal, HighMem above lowmem (pmm/boot.h) */
	PMM_PROFILE_X86_64, /* DMA, DMA32 below 4 GiB, Normal */
};

enum pmm_early {
	PMM_EARLY_BOOTMEM,  /* seed chapter 6 bitmap allocator */
	PMM_EARLY_MEMBLOCK, /* range-based allocator (seed 003) */
};

/*
 * Disjoint page ranges the boot keeps reserved after merging: the caller's
 * ranges together with page 0, the kernel image and the bootmem bitmaps.
 * Raise it when pmm_boot() says so; the caller's array may be any length.
 */
/*
 * The i386 profile's lowmem, as 32-bit x86 Linux (3G/1G split) computes
 * it: HighMem starts at MAXMEM = VMALLOC_END - PAGE_OFFSET - the vmalloc
 * reserve, or at the end of RAM if that comes first. VMALLOC_END lies two
 * pages below PKMAP_BASE, which the kernel build fixes below its fixmap,
 * CPU entry areas and LDT: 0xfec00000 in Debian's Linux 6.1 "686" kernel
 * (non-PAE, like this profile; its PAE kernel has 0xff000000), measured
 * from its "low ram: 0 - 36bfe000" line (tests/data/linux/i386-1g.log).
 */
#define PMM_I386_PAGE_OFFSET 0xc0000000u
#ifndef PMM_I386_PKMAP_BASE
#define PMM_I386_PKMAP_BASE 0xfec00000u
#endif
#define PMM_I386_VMALLOC_END (PMM_I386_PKMAP_BASE - 2u * PMM_PAGE_SIZE)
#define PMM_I386_VMALLOC_RESERVE (128u << 20) /* Linux's __VMALLOC_RESERVE */
#define PMM_I386_LOWMEM_MIN (64u << 20) /* Linux's floor for lowmem */
_Static_assert(PMM_I386_VMALLOC_END > PMM_I386_PAGE_OFFSET + PMM_I386_VMALLOC_RESERVE +
	       PMM_I386_LOWMEM_MIN, "the default vmalloc reserve leaves lowmem");

#ifndef PMM_BOOT_MAX_RESERVED
#define PMM_BOOT_MAX_RESERVED 128
#endif

/*
 * What to boot and what to keep. The caller owns every range; pmm_boot()
 * reads them during the call only. Ranges are [start, end) in bytes.
 */
/*
 * A CMA region the boot reserves through the early allocator before the
 * hand-off and then gives to the buddy allocator as CMA pageblocks
 * (pmm/contig.h); the config's i-th is CMA region i.
 */
struct pmm_boot_cma {
	int nid;          /* node, or PMM_NUMA_NO_NODE: the lowest online */
	uint64_t size;    /* bytes, rounded up to whole pageblocks */
	uint64_t align;   /* bytes: 0 or a power of two (at least a pageblock) */
	const char *name; /* e.g. "reserved" (Linux's default area) */
};

struct pmm_boot_config {
	enum pmm_profile profile;
	enum pmm_early early;
	struct pmm_phys_range kernel_code; /* text + rodata [bytes] */
	struct pmm_phys_range kernel_data; /* data + bss */
	struct pmm_phys_range init;        /* __init_begin .. __init_end */
	/*
	 * Further ranges to keep: modules, boot info, firmware tables, in any
	 * order, overlapping or touching allowed. pmm_boot() rounds them out
	 * to whole pages and merges them with the kernel image; the parts
	 * outside usable RAM are ignored, an empty range (start == end) too.
	 * A reversed range (end < start) fails the boot, nothing changed.
	 */
	const struct pmm_phys_range *reserved;
	size_t nr_reserved;
	const struct pmm_boot_cma *cma; /* CMA regions (pmm_boot_cma) */
	size_t nr_cma;                  /* at most PMM_CMA_MAX */
	/*
	 * Memory hotplug (pmm/elastic.h): the page descriptors reach this
	 * address too (bytes, exclusive), and the end of the map's highest
	 * hot-pluggable NUMA range (ACPI SRAT), so that memory added after
	 * boot has them; 0: the map's ranges alone. memory_block_bytes is the
	 * block size (0: 128 MiB; else a power of two of at least
	 * 2^PMM_MAX_ORDER pages). memmap_on_memory: a hot-added block holds
	 * its own descriptors where the platform has a virtual memmap
	 * (pmm_hotplug_config.memmap_on_memory).
	 */
	uint64_t hotplug_max;
	uint64_t memory_block_bytes;
	bool memmap_on_memory;
	bool skip_free_initmem; /* the caller frees init memory itself */
	bool keep_low_memory;   /* skip x86 Linux's rule: page 0 reserved, no RAM in 640K-1M */
	bool deferred;          /* defer top-order blocks' heads (pmm_buddy_set_deferred()) */
	/*
	 * i386 profile only: where lowmem ends and HighMem begins. lowmem_end
	 * (bytes, page aligned, 64 MiB to 4 GiB; e.g. from a log's lines,
	 * pmm_linux_log_lowmem()) wins; else MAXMEM for vmalloc_reserve
	 * (Linux's __VMALLOC_RESERVE: vmalloc=SIZE gives SIZE + 8 MiB; at
	 * least the 8 MiB guard; 0 means the default 128 MiB).
	 */
	uint64_t lowmem_end;
	uint64_t vmalloc_reserve;
	bool memblock_debug;    /* log memblock's calls and its dump */
	bool quiet;             /* log nothing */
};

struct pmm_boot_info {
	enum pmm_early early;
	unsigned int nr_nodes;
	pmm_pfn_t max_pfn;
	pmm_pfn_t max_low_pfn;       /* end of lowmem (Linux's max_low_pfn) */
	uint64_t present_pages;      /* usable RAM after sanitizing */
	uint64_t reserved_pages;     /* present but never handed to buddy */
	uint64_t memmap_pages;       /* page descriptors' pages */
	uint64_t handoff_pages;      /* handed over at retirement, all told */
	uint64_t bitmap_pages_freed; /* bootmem bitmap pages among them */
	uint64_t highmem_pages_freed;/* highmem pages handed over */
	uint64_t init_pages_freed;   /* by free_initmem */
	uint64_t highmem_pages;      /* present pages in HighMem zones */
	uint64_t cma_pages;          /* pages in CMA regions (cfg->cma) */
	uint64_t dropped_bytes;      /* usable RAM the profile could not use */
	uint64_t handoff_ns;         /* time of the hand-off (platform clock) */
	uint64_t memmap_zero_ns;     /* time spent zeroing descriptors */
	uint64_t memmap_room_bytes;  /* descriptor bytes above boot memory
				      * left unpopulated (virtual memmap) */
};

/* Fill @cfg with defaults: i386, bootmem, nothing reserved. Context: any. */
void pmm_boot_config_init(struct pmm_boot_config *cfg);

/*
 * Boot: check @cfg, sanitize @map in place for @cfg's profile, bring up the
 * early allocator, reserve, allocate descriptors and zones, hand off, free
 * the init sections. On return the buddy allocator runs.
 * Return: 0, or an error with a log line saying what to change:
 * PMM_EINVAL (a reversed range in @cfg, or @cfg->reserved NULL with a
 * count; nothing changed, not even @map or a previous boot's state),
 * PMM_EFULL (the map resolves into too many entries, or more than
 * PMM_BOOT_MAX_RESERVED reserved ranges remain after merging), PMM_ERANGE
 * (RAM past pmm's pfn limit, a node id past PMM_MAX_NUMNODES, early memory
 * the platform cannot map), PMM_ENOMEM (no usable RAM, or no room for the
 * early metadata), PMM_EOVERLAP (interleaved nodes), or the error of the
 * layer below that failed (early allocator, zones, hand-off, free_initmem).
 * After an error other than PMM_EINVAL / the reservations' PMM_EFULL, no
 * zone is online.
 * Context: boot CPU, once (a later call starts over), nothing else running.
 */
int pmm_boot(struct pmm_memmap *map, const struct pmm_boot_config *cfg,
	     struct pmm_boot_info *info);

/*
 * After pmm_boot(): give the reserved whole pages of [@addr, @addr + @size)
 * to the buddy allocator through the early allocator that booted
 * (free_bootmem_late / memblock_free_late, seed 003).
 * Return: 0, PMM_ESTATE before a boot, or the early allocator's error.
 * Context: after pmm_boot() returned 0; takes the zone locks it needs.
 */
int pmm_boot_free_late(pmm_phys_t addr, uint64_t size);

/*
 * Return: the highmem boundary of @profile in bytes for Linux's default
 * vmalloc reserve (0: no highmem): MAXMEM of pmm/boot.h on i386.
 */
pmm_phys_t pmm_profile_highmem_start(enum pmm_profile profile);
/*
 * Return: 32-bit Linux's MAXMEM (where lowmem ends at most) in bytes for a
 * vmalloc reserve of @vmalloc_reserve bytes (0: the default 128 MiB), or 0
 * when the reserve leaves no lowmem at all.
 */
pmm_phys_t pmm_i386_maxmem(uint64_t vmalloc_reserve);
/* Return: the highest address + 1 @profile can use (0: no limit). */
pmm_phys_t pmm_profile_addr_limit(enum pmm_profile profile);
/* Return: @profile's name as logs print it, "i386" or "x86_64". */
const char *pmm_profile_name(enum pmm_profile profile);
/* Return: @early's name as logs print it, "bootmem" or "memblock". */
const char *pmm_early_name(enum pmm_early early);

#endif /* PMM_BOOT_H */
