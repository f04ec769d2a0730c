/* SPDX-License-Identifier: MIT */
/*
 * pmm/elastic.h - elastic memory, memory that grows and shrinks under a
 * hypervisor.
 *
 * Memory hotplug (issue 12, point 1): ranges brought online after boot
 * (as Linux's add_memory() + online_pages()), taken
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
 * Where the platform maps the array virtually (memmap_populate), each
 * added block's slice is backed then - by the block's own first pages or
 * a late allocation - and unbacked when the block is removed.
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
 *
 * Free page reporting and known-zero pages (issue 12, points 2 and 3):
 * free blocks of at least a minimum order are offered to the hypervisor
 * in batches (the platform's report_free hook) and marked reported until
 * they are allocated again, when reclaim_reported gives them back first;
 * free blocks whose memory is known to read zero are marked so, and
 * __GFP_ZERO / pmm_get_zeroed_page() take them without a memset. The
 * marks live on free heads (pmm/page.h: PMM_PG_REPORTED, PMM_PG_ZERO) and
 * are kept by the buddy layer (src/buddy/buddy_marks.c); this layer owns
 * the passes that set them (src/elastic/).
 *
 * The reporting and zeroing calls return 0 or a count, or a negative PMM_E* code and change
 * nothing. Locking: each call takes one zone lock at a time; the platform
 * hooks run under it.
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
	const pmm_pfn_t *zone_bound; /* PMM_NR_ADDR_ZONES + 1 entries */
	/*
	 * Where the descriptors of an added block live when the platform has
	 * a virtual memmap (pmm/platform.h memmap_populate): true, in the
	 * block's own first pages (Linux's memory_hotplug.memmap_on_memory:
	 * present, never managed, gone with the block); false, in a late
	 * allocation of boot memory. Without the hooks the descriptor array
	 * was backed to the hotplug limit at boot, and both read "boot".
	 */
	bool memmap_on_memory;
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
 * Which zone memory goes to as it comes online (Linux's "online",
 * "online_kernel" and "online_movable" written to a block's state file):
 *   PMM_ONLINE_DEFAULT  the policy's choice (pmm_memory_policy_set());
 *   PMM_ONLINE_KERNEL   the zone its address lies in (DMA .. HighMem, by
 *                       pmm_hotplug_config.zone_bound);
 *   PMM_ONLINE_MOVABLE  the node's Movable zone: only PMM_GFP_HIGHUSER_
 *                       MOVABLE requests take its pages, so a migrate hook
 *                       can always empty it and offlining it does not meet
 *                       kernel pages.
 * Zones never overlap in pmm: a choice whose grown span would meet
 * another zone of the node (or another node) fails with PMM_EOVERLAP.
 */
enum pmm_online_type {
	PMM_ONLINE_DEFAULT,
	PMM_ONLINE_KERNEL,
	PMM_ONLINE_MOVABLE,
};

/* Linux's memory_hotplug.online_policy. */
enum pmm_online_policy_kind {
	/* the default: a range meeting only its kernel zone's span or only
	 * the Movable zone's joins that one; otherwise the kernel zone, or
	 * Movable with movable_node */
	PMM_POLICY_CONTIG_ZONES,
	/* Movable while Movable memory + CMA + the range stay within
	 * auto_movable_ratio percent of the kernel zones' boot memory - CMA,
	 * over all nodes and (unless numa_unaware) the range's node */
	PMM_POLICY_AUTO_MOVABLE,
};

#define PMM_AUTO_MOVABLE_RATIO_DEFAULT 301 /* percent, Linux's default */

struct pmm_online_policy {
	enum pmm_online_policy_kind kind;
	unsigned int auto_movable_ratio; /* percent, at most 1000000; 0: 301 */
	bool numa_unaware;               /* Linux's auto_movable_numa_aware=0 */
	bool movable_node;               /* Linux's movable_node (contig-zones) */
};

/*
 * Set how PMM_ONLINE_DEFAULT picks a zone; NULL restores the default
 * (contig-zones). pmm_hotplug_init() starts from the default, so set it
 * after. Return: 0, PMM_EINVAL (unknown kind, ratio above 1000000%);
 * nothing changes on error. Locking: none (set it while no hotplug call runs).
 */
int pmm_memory_policy_set(const struct pmm_online_policy *p);
/* Fill @p with the policy in force (ratio 0 reads as 301). */
void pmm_memory_policy_get(struct pmm_online_policy *p);
/* Return: "contig-zones" or "auto-movable", as Linux's parameter reads. */
const char *pmm_online_policy_name(enum pmm_online_policy_kind kind);

/*
 * Bring [@start, @start + @size) (bytes, whole blocks, all absent) online
 * on node @nid in the zone the policy picks (pmm_memory_add_as() with
 * PMM_ONLINE_DEFAULT): the node comes online with its first memory, that
 * zone grows over the range (or is set up), its pages go
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
 * pmm_memory_add() into the zone @type names. Return: as pmm_memory_add(),
 * and PMM_EINVAL for an unknown @type; PMM_ERANGE (a kernel zone chosen
 * and the range crosses an address bound). Nothing changes on error.
 */
int pmm_memory_add_as(int nid, pmm_phys_t start, uint64_t size,
		      enum pmm_online_type type);

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
 * Bring offline blocks online in the zone @type names, on the node they
 * had (a block offlined from Normal may come back Movable). Return: as
 * pmm_memory_online(), PMM_EINVAL for an unknown @type, PMM_ERANGE (a
 * kernel zone chosen and the blocks cross an address bound).
 */
int pmm_memory_online_as(pmm_phys_t start, uint64_t size,
			 enum pmm_online_type type);

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
	/* online: its zone ("Normal", "Movable", ...); offline: the zone
	 * pmm_memory_online() brings it back to, then the other one
	 * pmm_memory_online_as() could ("Normal Movable"); "none" when
	 * absent, of several zones, or with nowhere to go */
	char valid_zones[24];
	/* where its descriptors live: "boot" (the array the boot backed),
	 * "range" (its own first pages), "late" (boot memory allocated when it
	 * was added); "none" when absent */
	const char *memmap;
	unsigned int memmap_pages; /* pages holding them ("range", "late"), else 0 */
};

/*
 * Return: pages the zone metadata hotplug allocated holds now (the free
 * count after an add and an offline of the same range is the one before
 * less the growth of this; the boot's metadata is never given back).
 */
uint64_t pmm_memory_meta_pages(void);
/* Return: pages that hold hot-added blocks' descriptors now (their own
 * first pages and late allocations; 0 without a virtual memmap). */
uint64_t pmm_memory_memmap_pages(void);
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

/* ---- free page reporting (src/elastic/reporting.c) ---- */

/* Linux's defaults: pageblock order (2 MiB of 4 KiB pages), 32 per batch. */
#define PMM_REPORT_ORDER_DEFAULT 9
#define PMM_REPORT_BATCH_MAX 32
/* The smallest reportable order: above the per-CPU orders (0..3). */
#define PMM_REPORT_ORDER_MIN 4

/*
 * Set the smallest order reported and the batch size (1..32 blocks; a
 * pass runs only when a zone holds at least a batch of unreported free
 * memory of that order). Return: 0, PMM_EORDER for @order outside
 * [PMM_REPORT_ORDER_MIN, PMM_MAX_ORDER], PMM_EINVAL for @batch.
 */
int pmm_report_set(pmm_order_t order, unsigned int batch);

/* Back to the defaults (pageblock order, 32); the boot setting. */
void pmm_report_reset(void);

/*
 * One reporting pass, for the platform's idle time or timer (the delay
 * after frees is its cadence): in every zone with a batch of unreported
 * free memory of the minimum order or more, offer up to @budget free
 * blocks of that order or above, in batches, to report_free; those it
 * takes are marked reported and go to the tail of their lists.
 * Return: the blocks reported (0..@budget), or PMM_EINVAL for a zero
 * @budget or one above INT_MAX, PMM_ESTATE without a report_free hook or
 * while free pages are poisoned (the hypervisor's zeros would read as
 * use after free).
 */
int pmm_report_free_pages(unsigned int budget);

/* Reporting's figures, summed over every zone. */
struct pmm_report_stats {
	uint64_t reported_pages;  /* [pages] handed to the hypervisor now */
	uint64_t reclaimed_pages; /* [pages] given back by reclaim_reported */
	uint64_t reported_blocks; /* blocks handed over now */
	uint64_t zero_pages;      /* [pages] in known-zero free blocks */
};

/* Fill @st (never NULL). Takes each zone's lock in turn. */
void pmm_report_stats(struct pmm_report_stats *st);

/* ---- known-zero free blocks (src/elastic/zero.c) ---- */

/*
 * Zero free blocks, for the platform's idle time: up to @budget pages in
 * all, plain free blocks from the lowest order up, each taken off the
 * lists while it is written (no lock held) and put back known zero.
 * Blocks that cannot be mapped (pmm/platform.h map) are put back as they
 * were. Return: the pages zeroed (0..@budget), PMM_EINVAL for a zero
 * @budget or one above INT_MAX, PMM_ESTATE while free pages are poisoned.
 */
int pmm_zero_idle(unsigned int budget);

/*
 * Read every known-zero free block (where it can be mapped).
 * Return: NULL, or a message naming the first block with a byte that
 * is not zero. Takes each zone's lock in turn.
 */
const char *pmm_zero_verify(void);

#endif /* PMM_ELASTIC_H */
