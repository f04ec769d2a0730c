/* SPDX-License-Identifier: MIT */
/*
 * pmm/elastic.h - elastic memory: ranges brought online after boot
 * (memory hotplug, as Linux's add_memory() + online_pages()), taken
 * offline again, onlined again and removed, in memory blocks as Linux's
 * /sys/devices/system/memory shows them.
 *
 * Glossary:
 *   block       2^n pages, aligned to its size (128 MiB by default, as
 *               x86_64 Linux; doubled at set-up until the table covers
 *               every descriptor, as Linux picks 2 GiB blocks on large
 *               machines). Every call takes whole blocks.
 *   state       absent (no memory known there), online (its pages are
 *               the buddy allocator's) or offline (added, its pages
 *               reserved: blank descriptors on no list).
 *   boot block  a block that met a zone at pmm_hotplug_init(): online;
 *               it can be offlined when every page of it is managed.
 *
 * The descriptors of a hot-added range are the flat array's (pmm/page.h):
 * the boot sizes that array to the firmware's hotplug limit
 * (pmm_boot_config.hotplug_max), and an all-zero descriptor is a valid
 * reserved one, so adding memory writes no descriptor before the hand-off.
 * A zone's pair bitmaps and pageblock types move onto a new buffer for the
 * new span, allocated from memory that was online at boot (so hot-added
 * blocks never hold pmm's own unmovable metadata and stay removable).
 *
 * Invariants (pmm_check() proves them once pmm_hotplug_init() ran):
 *   an offline or absent block has only blank descriptors;
 *   an online hot-added block lies inside the span of its node's zone;
 *   zone.present == base + sum over counted online blocks of block pages,
 *     where base is the present count of boot memory never offlined;
 *   a node is online iff some block of it is online or offline.
 *
 * Locking: one hotplug call at a time (a concurrent one gets PMM_EBUSY);
 * no lock is held across the migrate hook. Allocations and frees may run
 * on other CPUs, except in a zone whose span moves below its start
 * (growth downward), which the caller keeps quiet.
 */
#ifndef PMM_ELASTIC_H
#define PMM_ELASTIC_H

#include <pmm/zone.h>

#define PMM_MEMORY_BLOCK_BYTES_DEFAULT ((uint64_t)128 << 20)
/* Blocks the state table holds; set-up doubles the block size to fit. */
#ifndef PMM_MEMORY_BLOCKS_MAX
#define PMM_MEMORY_BLOCKS_MAX 4096
#endif

enum pmm_block_state {
	PMM_BLOCK_ABSENT,
	PMM_BLOCK_ONLINE,
	PMM_BLOCK_OFFLINE,
};

struct pmm_hotplug_config {
	/* bytes per block: 0 for the default; else a power of two of at least
	 * 2^PMM_MAX_ORDER pages */
	uint64_t block_bytes;
	/*
	 * Zone t covers pfns [zone_bound[t], zone_bound[t + 1]) for ranges
	 * added later (the profile's layout; NULL: x86_64's DMA below 16 MiB,
	 * DMA32 below 4 GiB, Normal above). A range must lie in one.
	 */
	const pmm_pfn_t *zone_bound; /* PMM_NR_ZONES + 1 entries */
};

/*
 * Start tracking blocks over the descriptors [0, pmm_max_pfn): every
 * block that meets a zone is an online boot block; register the proof
 * with pmm_check(). A second call starts over.
 * Return: 0, PMM_ESTATE (no zone yet), PMM_EALIGN (block size not a power
 * of two of at least 2^PMM_MAX_ORDER pages), PMM_EINVAL (bounds not
 * ascending). Nothing changes on error. Context: boot, nothing running.
 */
int pmm_hotplug_init(const struct pmm_hotplug_config *cfg);

/* Forget the block table and unregister the proof (tests, a second boot). */
void pmm_hotplug_reset(void);

/*
 * Bring [@start, @start + @size) (bytes, whole blocks, all absent) online
 * on node @nid: the node comes online with its first memory, the zone the
 * range's address belongs to grows over it (or is set up), its pages go
 * to the buddy allocator, watermarks and the zonelist hints follow.
 * Return: 0; PMM_ESTATE (no pmm_hotplug_init()), PMM_EINVAL (size 0, node
 * below 0 or at PMM_MAX_NUMNODES or above), PMM_EOVERFLOW (the range wraps),
 * PMM_EALIGN (not whole blocks), PMM_ERANGE (past the descriptors, or
 * across a zone boundary), PMM_EOVERLAP (a block already added - online or
 * offline, a double add - or the grown zone or node would meet another),
 * PMM_ENOMEM (no boot memory for the zone's new metadata), PMM_EBUSY
 * (another hotplug call runs). Nothing changes on error.
 */
int pmm_memory_add(int nid, pmm_phys_t start, uint64_t size);

/*
 * Take the online blocks [@start, @start + @size) offline: isolate them,
 * move every allocated block there through the platform's migrate hook
 * (called with no lock held), then withdraw the free pages; the zone's
 * span shrinks at its edges. A reserved page - or, without a migrate
 * hook, an allocated one - fails the call before anything changes; a
 * block the hook cannot move fails it after isolation: the pageblocks
 * are released, every page is free or allocated as before and the counts
 * and bitmaps are equal (blocks the hook moved stay moved), but the free
 * lists may be in another order, as after a failed pmm_cma_alloc().
 * Return: 0; PMM_ESTATE (no pmm_hotplug_init(), or a block not online),
 * PMM_EINVAL, PMM_EOVERFLOW, PMM_EALIGN, PMM_ERANGE (as pmm_memory_add(),
 * or blocks of two zones or nodes), PMM_EBUSY (a reserved, per-CPU or
 * unmovable page, with its pfn in the log; a CMA or isolated pageblock;
 * or another hotplug call), PMM_ENOMEM (no memory for the smaller
 * metadata). Nothing else changes on error.
 */
int pmm_memory_offline(pmm_phys_t start, uint64_t size);

/*
 * Bring offline blocks [@start, @start + @size) online again, in the zone
 * and node they had. Return: 0; PMM_ESTATE (a block not offline), the
 * argument errors of pmm_memory_add(), PMM_EOVERLAP (the zone cannot grow
 * back: another zone took the span), PMM_ENOMEM, PMM_EBUSY.
 */
int pmm_memory_online(pmm_phys_t start, uint64_t size);

/*
 * Forget offline blocks [@start, @start + @size): they become absent; a
 * node left with no block goes offline with its zones.
 * Return: 0; PMM_ESTATE (a block online - offline it first - or absent),
 * the argument errors of pmm_memory_add(), PMM_EBUSY.
 */
int pmm_memory_remove(pmm_phys_t start, uint64_t size);

/* What /sys/devices/system/memory/memoryN shows of one block. */
struct pmm_memory_block_info {
	unsigned int id;           /* N: start pfn / block pages */
	enum pmm_block_state state;
	int nid;                   /* node, -1 when absent */
	pmm_phys_t start;          /* bytes */
	uint64_t phys_index;       /* first section: start / 128 MiB (or / block, if smaller) */
	bool removable;            /* every page managed, one zone: offline may work */
	bool hot;                  /* added after boot */
	const char *valid_zones;   /* "Normal", ... or "none" (several, or absent) */
};

/*
 * Return: pages the zone metadata hotplug allocated holds now (the free
 * count after an add and an offline of the same range is the one before
 * less the growth of this; the boot's metadata is never given back).
 */
uint64_t pmm_memory_meta_pages(void);
/* Return: bytes per block, 0 before pmm_hotplug_init(). */
uint64_t pmm_memory_block_bytes(void);
/* Return: the number of blocks the table covers (ids 0 .. n - 1). */
unsigned int pmm_memory_block_count(void);
/* Fill @info for block @id. Return: 0 or PMM_ERANGE. Locking: none (a snapshot). */
int pmm_memory_block_get(unsigned int id, struct pmm_memory_block_info *info);
/* Return: the name Linux's state file shows: "online", "offline", "absent". */
const char *pmm_block_state_name(enum pmm_block_state state);

/* Return: NULL or the first broken invariant above (pmm_check() calls it). */
const char *pmm_hotplug_check(void);

#endif /* PMM_ELASTIC_H */
