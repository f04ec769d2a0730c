/* SPDX-License-Identifier: MIT */
/*
 * pmm/report.h - reports in Linux's formats, and JSON for tools.
 *
 * Every report writes text to a struct pmm_out (pmm/platform.h), so a
 * kernel sends it to its console and a host to a file or a buffer.
 */
#ifndef PMM_REPORT_H
#define PMM_REPORT_H

#include <pmm/boot.h>

/* /proc/buddyinfo, exactly as Linux prints it. */
void pmm_report_buddyinfo(const struct pmm_out *out);

/*
 * /proc/pagetypeinfo in Linux's format: pageblock order and size, free
 * blocks per zone, migratetype and order (the lists walked under each
 * zone's lock, counts above 100000 printed as ">100000"), and pageblocks
 * per zone and type. pmm has three types: Unmovable, Movable, Reclaimable.
 */
void pmm_report_pagetypeinfo(const struct pmm_out *out);

/* A /proc/zoneinfo subset: pages free, min, low, high, spanned, present, managed. */
void pmm_report_zoneinfo(const struct pmm_out *out);

/* Linux's "Zone ranges:" and "Early memory node ranges" boot lines. */
void pmm_report_zone_ranges(const struct pmm_out *out, const struct pmm_memmap *m);

/* The map as "@label: [mem 0x...-0x...] type" lines (end inclusive). */
void pmm_report_memmap(const struct pmm_out *out, const struct pmm_memmap *m,
		       const char *label);

/*
 * "Memory: NK/NK available (NK kernel code, NK reserved, NK init,
 * NK highmem)" from the boot's figures.
 */
void pmm_report_memory_line(const struct pmm_out *out,
			    const struct pmm_boot_config *cfg,
			    const struct pmm_boot_info *info);

/* Per zone, Linux's unusable free space index for each order (0.000-1.000). */
void pmm_report_unusable_index(const struct pmm_out *out);

/* One JSON object: memmap, nodes, zones (with free_by_order) and boot. */
void pmm_report_json(const struct pmm_out *out, const struct pmm_memmap *m,
		     const struct pmm_boot_info *info);

/*
 * The memory blocks (pmm/elastic.h) as Linux's /sys/devices/system/memory
 * shows them: block_size_bytes, then one line per online or offline block
 * "memoryN: state S phys_index %08x node N valid_zones Z removable 0|1".
 * Nothing before pmm_hotplug_init().
 */
void pmm_report_memory_blocks(const struct pmm_out *out);
/* The same as one JSON object: {"block_size_bytes":..,"blocks":[..]}. */
void pmm_report_memory_blocks_json(const struct pmm_out *out);

#endif /* PMM_REPORT_H */
