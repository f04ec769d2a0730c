/* SPDX-License-Identifier: MIT */
/*
 * memory_block.c - the memory block table of elastic memory: one entry
 * per block of the descriptor array (state, node, zone, whether it was
 * added after boot), its set-up from the zones the boot built, the
 * argument checks and the one-call gate every hotplug call shares, and
 * what Linux's /sys/devices/system/memory/memoryN files would show.
 *
 * The table is pmm's own (not page flags): 6 bytes a block, 4096 blocks
 * (24 KiB of .bss), with the zone metadata hotplug allocated per zone.
 */
#include <pmm/buddy.h>
#include <pmm/check.h>
#include <pmm/fmt.h>

#include "elastic_internal.h"

struct hp_state pmm_hp;

/* x86_64's layout: DMA below 16 MiB, DMA32 below 4 GiB, Normal above. */
static void default_bounds(pmm_pfn_t bound[PMM_NR_ADDR_ZONES + 1])
{
	bound[PMM_ZONE_DMA] = 0;
	bound[PMM_ZONE_DMA32] = PMM_PFN_DOWN((pmm_phys_t)16 << 20);
	bound[PMM_ZONE_NORMAL] = PMM_PFN_DOWN((pmm_phys_t)4 << 30);
	bound[PMM_ZONE_HIGHMEM] = (pmm_pfn_t)UINT64_MAX;
	bound[PMM_NR_ADDR_ZONES] = (pmm_pfn_t)UINT64_MAX;
}

static bool bounds_ascend(const pmm_pfn_t *bound)
{
	for (int t = 0; t < PMM_NR_ADDR_ZONES; t++)
		if (bound[t] > bound[t + 1])
			return false;
	return true;
}

/* Return: log2 of the block size in pages for @bytes (0: default), or -1. */
static int block_shift(uint64_t bytes)
{
	if (bytes == 0)
		bytes = PMM_MEMORY_BLOCK_BYTES_DEFAULT;
	if ((bytes & (bytes - 1)) != 0 ||
	    bytes < ((uint64_t)PMM_PAGE_SIZE << PMM_MAX_ORDER))
		return -1;
	int shift = 0;
	while (((uint64_t)PMM_PAGE_SIZE << shift) < bytes)
		shift++;
	return shift;
}

/* Record @zone's blocks as online boot blocks. */
static void table_add_zone(const struct pmm_zone *zone)
{
	unsigned int first = (unsigned int)(zone->start_pfn >> pmm_hp.shift);
	unsigned int last = (unsigned int)((zone->end_pfn - 1) >> pmm_hp.shift);
	for (unsigned int id = first; id <= last; id++) {
		struct hp_block *b = &pmm_hp.block[id];
		if (b->state == PMM_BLOCK_ABSENT) {
			b->state = PMM_BLOCK_ONLINE;
			b->zone = (uint8_t)zone->type;
			b->nid = (uint16_t)zone->node;
		} else if (b->zone != zone->type || b->nid != zone->node) {
			b->zone = HP_MIXED;
		}
	}
	pmm_hp.base_present[zone->node][zone->type] = zone->present;
	if (zone->end_pfn > pmm_hp.boot_end)
		pmm_hp.boot_end = zone->end_pfn;
}

/**
 * pmm_hotplug_init - start the block table (pmm/elastic.h).
 * Return: 0, PMM_ESTATE, PMM_EALIGN or PMM_EINVAL; nothing changes on error.
 * Context: boot, nothing running.
 */
int pmm_hotplug_init(const struct pmm_hotplug_config *cfg)
{
	static const struct pmm_hotplug_config none;
	if (cfg == NULL)
		cfg = &none;
	if (pmm_zone_first() == NULL || pmm_max_pfn == 0)
		return PMM_ESTATE;
	int shift = block_shift(cfg->block_bytes);
	if (shift < 0)
		return PMM_EALIGN;
	if (cfg->zone_bound != NULL && !bounds_ascend(cfg->zone_bound))
		return PMM_EINVAL;
	while ((pmm_max_pfn + ((pmm_pfn_t)1 << shift) - 1) >> shift >
	       PMM_MEMORY_BLOCKS_MAX)
		shift++; /* Linux too takes larger blocks on larger machines */
	pmm_memset(&pmm_hp, 0, sizeof(pmm_hp));
	pmm_hp.shift = (unsigned int)shift;
	pmm_hp.memmap_on_memory = cfg->memmap_on_memory;
	pmm_hp.nr = (unsigned int)((pmm_max_pfn + hp_block_pages() - 1) >> shift);
	if (cfg->zone_bound != NULL)
		pmm_memcpy(pmm_hp.bound, cfg->zone_bound, sizeof(pmm_hp.bound));
	else
		default_bounds(pmm_hp.bound);
	const struct pmm_zone *z;
	pmm_for_each_zone(z)
		if (z->spanned != 0)
			table_add_zone(z);
	hp_policy_reset();
	pmm_hp.ready = true;
	pmm_check_register(pmm_hotplug_check);
	return 0;
}

void pmm_hotplug_reset(void)
{
	pmm_check_register(NULL);
	pmm_memset(&pmm_hp, 0, sizeof(pmm_hp));
	hp_policy_reset();
}

int hp_fail(int err, const char *what, unsigned int first, unsigned int n,
	    const char *fmt, ...)
{
	char why[160];
	va_list ap;
	va_start(ap, fmt);
	pmm_vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	pmm_printk("pmm: %s [mem 0x%010llx-0x%010llx]: %s\n", what,
		   (unsigned long long)PMM_PFN_PHYS(hp_block_pfn(first)),
		   (unsigned long long)PMM_PFN_PHYS(hp_block_pfn(first + n)) - 1,
		   why);
	return err;
}

/* Log a failure of @what over the byte range itself (no blocks yet). */
static int range_fail(int err, const char *what, pmm_phys_t start,
		      uint64_t size, const char *why)
{
	pmm_printk("pmm: %s start 0x%llx size 0x%llx: %s\n", what,
		   (unsigned long long)start, (unsigned long long)size, why);
	return err;
}

int hp_range(const char *what, pmm_phys_t start, uint64_t size,
	     unsigned int *first, unsigned int *n)
{
	if (!pmm_hp.ready)
		return range_fail(PMM_ESTATE, what, start, size,
				  "memory hotplug is not set up (pmm_hotplug_init)");
	if (size == 0)
		return range_fail(PMM_EINVAL, what, start, size, "size 0");
	if (start + size < start)
		return range_fail(PMM_EOVERFLOW, what, start, size,
				  "the range wraps past the top of the address space");
	uint64_t mask = ((uint64_t)PMM_PAGE_SIZE << pmm_hp.shift) - 1;
	if (((start | size) & mask) != 0)
		return range_fail(PMM_EALIGN, what, start, size,
				  "not whole memory blocks (see memory block size)");
	uint64_t last = PMM_PFN_DOWN(start + size - 1) >> pmm_hp.shift;
	if (last >= pmm_hp.nr)
		return range_fail(PMM_ERANGE, what, start, size,
				  "past the page descriptors: boot with a larger hotplug_max");
	*first = (unsigned int)(PMM_PFN_DOWN(start) >> pmm_hp.shift);
	*n = (unsigned int)(last + 1 - *first);
	return 0;
}

int hp_enter(const char *what)
{
	if (__atomic_exchange_n(&pmm_hp.busy, 1, __ATOMIC_ACQUIRE) != 0) {
		pmm_printk("pmm: %s: another hotplug call runs\n", what);
		return PMM_EBUSY;
	}
	pmm_buddy_deferred_finish(); /* hotplug reads descriptors by pfn */
	return 0;
}

void hp_leave(void)
{
	__atomic_store_n(&pmm_hp.busy, 0, __ATOMIC_RELEASE);
}

bool hp_blocks_are(unsigned int first, unsigned int n,
		   enum pmm_block_state state)
{
	for (unsigned int i = first; i < first + n; i++)
		if (pmm_hp.block[i].state != state)
			return false;
	return true;
}

bool hp_blocks_share_zone(unsigned int first, unsigned int n)
{
	const struct hp_block *a = &pmm_hp.block[first];
	for (unsigned int i = first + 1; i < first + n; i++)
		if (pmm_hp.block[i].nid != a->nid || pmm_hp.block[i].zone != a->zone)
			return false;
	return a->zone != HP_MIXED;
}

/* Return: true when a mixed boot block meets a zone of node @nid. */
static bool node_in_mixed_block(int nid)
{
	for (int t = 0; t < PMM_NR_ZONES; t++) {
		const struct pmm_zone *z = &pmm_nodes[nid].zones[t];
		if (!z->initialized || z->spanned == 0)
			continue;
		unsigned int first = (unsigned int)(z->start_pfn >> pmm_hp.shift);
		unsigned int last = (unsigned int)((z->end_pfn - 1) >> pmm_hp.shift);
		if (pmm_hp.block[first].zone == HP_MIXED ||
		    pmm_hp.block[last].zone == HP_MIXED)
			return true;
	}
	return false;
}

bool hp_node_has_blocks(int nid)
{
	for (unsigned int i = 0; i < pmm_hp.nr; i++)
		if (pmm_hp.block[i].state != PMM_BLOCK_ABSENT &&
		    pmm_hp.block[i].nid == nid)
			return true;
	return node_in_mixed_block(nid);
}

void hp_watermarks_follow(void)
{
	const struct pmm_zone *z;
	pmm_for_each_zone(z) {
		if (z->watermark[PMM_WMARK_MIN] != 0) {
			pmm_zones_setup_watermarks();
			return;
		}
	}
}

uint64_t pmm_memory_meta_pages(void)
{
	uint64_t pages = 0;
	for (int nid = 0; nid < PMM_MAX_NUMNODES; nid++)
		for (int t = 0; t < PMM_NR_ZONES; t++)
			pages += pmm_hp.meta[nid][t].pages;
	return pages;
}

uint64_t pmm_memory_block_bytes(void)
{
	return pmm_hp.ready ? (uint64_t)PMM_PAGE_SIZE << pmm_hp.shift : 0;
}

unsigned int pmm_memory_block_count(void)
{
	return pmm_hp.ready ? pmm_hp.nr : 0;
}

const char *pmm_block_state_name(enum pmm_block_state state)
{
	switch (state) {
	case PMM_BLOCK_ONLINE: return "online";
	case PMM_BLOCK_OFFLINE: return "offline";
	default: return "absent";
	}
}

/* Return: true when every page of block @id lies in some buddy block
 * (but its own descriptor pages, memmap_on_memory). */
static bool block_fully_managed(unsigned int id)
{
	pmm_pfn_t end = hp_block_pfn(id + 1);
	for (pmm_pfn_t p = hp_block_managed_pfn(id); p < end;) {
		pmm_pfn_t head;
		pmm_order_t order;
		if (pmm_zone_block_at(p, &head, &order) == 0)
			return false;
		p = head + hp_order_pages(order);
	}
	return true;
}

/* Return: log2 of the section phys_index counts: Linux's x86_64 128 MiB,
 * or the block when blocks are smaller (tests, small kernels). */
static unsigned int section_shift(void)
{
	unsigned int shift = 27;
	while (shift > PMM_PAGE_SHIFT + pmm_hp.shift)
		shift--;
	return shift;
}

/* Append zone @type's name to @buf when block @id's node can online it there. */
static void zone_if_possible(unsigned int id, const struct hp_block *b, int type,
			     char *buf, size_t size)
{
	pmm_pfn_t s = hp_block_pfn(id), e = hp_block_pfn(id + 1);
	if (type < 0 || !hp_zone_can_grow(b->nid, (unsigned int)type, s, e))
		return;
	size_t len = pmm_strlen(buf);
	pmm_snprintf(buf + len, size - len, "%s%s", len ? " " : "",
		     pmm_zone_name((enum pmm_zone_type)type));
}

/*
 * Linux's valid_zones: an online block's zone; for an offline one the
 * zone pmm_memory_online() brings it back to, then the other choice
 * (Movable, or the zone its address lies in), each where the span can grow.
 */
static void valid_zones(unsigned int id, const struct hp_block *b, bool single,
			char *buf, size_t size)
{
	buf[0] = '\0';
	if (single && b->state == PMM_BLOCK_ONLINE) {
		pmm_snprintf(buf, size, "%s", pmm_zone_name((enum pmm_zone_type)b->zone));
		return;
	}
	if (single) {
		int other = b->zone == PMM_ZONE_MOVABLE
				    ? hp_addr_zone(hp_block_pfn(id), hp_block_pfn(id + 1))
				    : PMM_ZONE_MOVABLE;
		zone_if_possible(id, b, b->zone, buf, size);
		zone_if_possible(id, b, other, buf, size);
	}
	if (buf[0] == '\0')
		pmm_snprintf(buf, size, "none");
}

/**
 * pmm_memory_block_get - what memoryN would show of block @id.
 * Return: 0 or PMM_ERANGE (no such block, or no table).
 * Locking: a snapshot; each block's removability takes its zone lock.
 */
int pmm_memory_block_get(unsigned int id, struct pmm_memory_block_info *info)
{
	if (!pmm_hp.ready || id >= pmm_hp.nr)
		return PMM_ERANGE;
	const struct hp_block *b = &pmm_hp.block[id];
	info->id = id;
	info->state = (enum pmm_block_state)b->state;
	info->nid = b->state == PMM_BLOCK_ABSENT ? -1 : (int)b->nid;
	info->start = PMM_PFN_PHYS(hp_block_pfn(id));
	info->phys_index = info->start >> section_shift();
	info->hot = (b->flags & HP_HOT) != 0;
	bool single = b->state != PMM_BLOCK_ABSENT && b->zone != HP_MIXED;
	valid_zones(id, b, single, info->valid_zones, sizeof(info->valid_zones));
	info->memmap = b->state == PMM_BLOCK_ABSENT ? "none"
		       : (b->flags & HP_MEMMAP_RANGE) ? "range"
		       : (b->flags & HP_MEMMAP_LATE) ? "late" : "boot";
	info->memmap_pages = (b->flags & HP_MEMMAP) ? (unsigned int)hp_memmap_pages() : 0;
	info->removable = single && (b->state == PMM_BLOCK_OFFLINE ||
				     block_fully_managed(id));
	return 0;
}
