/* SPDX-License-Identifier: MIT */
/*
 * pmm/memmap.h - the firmware memory map: entries, sanitizer, parsers.
 *
 * Data comes from firmware (e820 via a boot loader, Multiboot) or from the
 * text of a boot log, and goes, sanitized, to the early allocator. Entries
 * are half-open [start, end) byte ranges with an e820 type number; unknown
 * numbers are kept and treated as reserved.
 */
#ifndef PMM_MEMMAP_H
#define PMM_MEMMAP_H

#include <pmm/platform.h>

enum pmm_mem_type {
	PMM_MEM_USABLE = 1,
	PMM_MEM_RESERVED = 2,
	PMM_MEM_ACPI = 3,     /* ACPI data, reclaimable */
	PMM_MEM_NVS = 4,      /* ACPI NVS */
	PMM_MEM_UNUSABLE = 5,
	PMM_MEM_PMEM = 7,     /* persistent memory */
	PMM_MEM_PRAM = 12,    /* persistent memory, legacy type 12 */
};

/* EFI "specific purpose" memory; Linux prints it as "soft reserved". */
#define PMM_MEM_SOFT_RESERVED 0xefffffffu
/*
 * Memory a confidential VM's firmware has not accepted yet (UEFI
 * EfiUnacceptedMemoryType): never usable until a kernel accepts it. A
 * number above every e820 type, so where it overlaps usable memory the
 * sanitizer's "higher type wins" keeps it out; soft-reserved wins over it.
 */
#define PMM_MEM_UNACCEPTED 0xeffffffeu

#ifndef PMM_MEMMAP_MAX
#define PMM_MEMMAP_MAX 256
#endif
#ifndef PMM_NUMA_MAX
#define PMM_NUMA_MAX 128
#endif

struct pmm_memmap_entry {
	pmm_phys_t start; /* inclusive */
	pmm_phys_t end;   /* exclusive */
	uint32_t type;    /* enum pmm_mem_type or any other e820 number */
};

/* One SRAT memory affinity range: [start, end) belongs to node nid. */
struct pmm_numa_range {
	pmm_phys_t start; /* inclusive */
	pmm_phys_t end;   /* exclusive */
	int nid;
	int pxm;
	bool hotplug;
};

/*
 * Invariant: entry[i] for i >= nr and numa[i] for i >= nr_numa are all zero
 * bytes (pmm_memmap_init zeroes, the sanitizer clears what it frees), so a
 * failed call can restore the exact bytes it found.
 */
struct pmm_memmap {
	struct pmm_memmap_entry entry[PMM_MEMMAP_MAX];
	unsigned int nr;
	struct pmm_numa_range numa[PMM_NUMA_MAX];
	unsigned int nr_numa;
	unsigned int ignored_maps;  /* maps in a log other than the BIOS one */
	uint64_t dropped_bytes;     /* usable bytes the sanitizer cut off */
	uint64_t trimmed_bytes;     /* usable bytes lost to page alignment */
};

/* Parse failure detail: 1-based line number and a message. */
struct pmm_parse_error {
	unsigned int line;
	char msg[128];
};

/* Empty @m. */
void pmm_memmap_init(struct pmm_memmap *m);

/*
 * Append [@start, @end) of @type. An empty range (@start == @end) is
 * dropped: nothing is added and 0 returned. Return: 0, PMM_EINVAL for a
 * reversed range or type 0, PMM_EFULL when PMM_MEMMAP_MAX entries exist
 * (raise it).
 */
int pmm_memmap_add(struct pmm_memmap *m, pmm_phys_t start, pmm_phys_t end,
		   uint32_t type);

/*
 * Append [@start, @start + @size) of @type, as firmware states it. A range
 * that ends exactly at 2^64 is clipped to end at 2^64 - 1 (that last byte
 * is never a whole page). Return: as pmm_memmap_add, or PMM_EOVERFLOW when
 * @start + @size passes 2^64.
 */
int pmm_memmap_add_size(struct pmm_memmap *m, pmm_phys_t start, uint64_t size,
			uint32_t type);

/*
 * Sanitize: sort; where entries overlap the higher type number wins (so any
 * type wins over usable); merge touching entries of one type; trim usable
 * ranges inward to whole pages; cut everything at or above @limit (0: no
 * limit) and add the usable bytes cut to dropped_bytes.
 * Return: 0, PMM_EFULL (map unchanged) when the resolved map needs more
 * than PMM_MEMMAP_MAX entries. Context: any thread; concurrent calls take
 * turns (one static scratch table), so not from an interrupt handler.
 */
int pmm_memmap_sanitize(struct pmm_memmap *m, pmm_phys_t limit);

/*
 * Parse boot-log text: e820 lines in the modern "[mem a-b] type" form (end
 * inclusive) and the old "a - b (type)" form (end exclusive), with any
 * prefix (timestamps, syslog levels, host names); SRAT memory affinity
 * lines. Only the BIOS-provided map is taken; other maps are counted in
 * ignored_maps. Lines that are no map lines are skipped. Entries and NUMA
 * ranges are appended to what @m holds. An inclusive end of 2^64 - 1 is
 * clipped to an exclusive end of 2^64 - 1. @err may be NULL.
 * Return: 0, PMM_EPARSE (a malformed map line, no map at all, or
 * overlapping NUMA ranges) or PMM_EFULL (more entries or NUMA ranges than
 * the tables hold), with *@err saying which line and why.
 */
int pmm_memmap_parse_dmesg(struct pmm_memmap *m, const char *text, size_t len,
			   struct pmm_parse_error *err);

/*
 * Read a Multiboot (v1) memory map: @len bytes at @buf of entries
 * {u32 size; u64 base; u64 length; u32 type}, size not counting itself.
 * Entries of length 0 are skipped; Multiboot type 1..5 map onto the e820
 * types of the same number, type 0 becomes reserved, any other number is
 * kept (GRUB passes e820 numbers through) and so treated as reserved.
 * Return: 0, PMM_EPARSE for a truncated entry or one whose size is below
 * 20, PMM_EOVERFLOW for an entry that wraps past 2^64 (rejected, not
 * clipped), PMM_EFULL, PMM_EINVAL for a NULL @buf with @len > 0.
 */
int pmm_memmap_from_multiboot(struct pmm_memmap *m, const void *buf,
			      size_t len);

/* Return: the node of NUMA range holding @pa, or -1 when none does. */
int pmm_memmap_node_of(const struct pmm_memmap *m, pmm_phys_t pa);

/*
 * Write Linux's name for @type into @buf ("usable", "type 9", ...).
 * Return: @buf, or a constant "?" when @buf is NULL or @size is 0.
 */
const char *pmm_mem_type_name(uint32_t type, char *buf, size_t size);

/* Return: total bytes of the usable entries in @m (sanitize first). */
uint64_t pmm_memmap_usable_bytes(const struct pmm_memmap *m);

/* Return: the end (exclusive) of the highest usable entry of @m, 0 if none. */
pmm_phys_t pmm_memmap_end_of_ram(const struct pmm_memmap *m);

#endif /* PMM_MEMMAP_H */
