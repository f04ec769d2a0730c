/* SPDX-License-Identifier: MIT */
/*
 * w8_meta.c - W8: metadata per 4 KiB page, computed from the structures.
 *
 * Runtime (buddy): the page descriptor, the zone's pair bitmaps, and the
 * node with its zones (per-CPU lists included) spread over the node's
 * pages. Early (bootmem): the bitmap bits per page. The floor: its
 * descriptor.
 */
#include <stdio.h>

#include <pmm/bootmem.h>
#include <pmm/zone.h>

#include "bench.h"
#include "floor.h"

void bench_w8(struct bench_opts *o)
{
	(void)o;
	static const unsigned int gib[] = { 1, 1024 };
	bench_section("W8 metadata per 4 KiB page",
		      "computed from the structures: value, unit, parts", NULL);
	for (unsigned int i = 0; i < 2; i++) {
		uint64_t pages = BENCH_GIB_PAGES * gib[i];
		pmm_pfn_t s = BENCH_ARENA_BASE, e = s + pages;
		double desc = (double)sizeof(struct pmm_page);
		double bmap = (double)pmm_zone_bitmap_bytes(s, e) / (double)pages;
		double node = (double)sizeof(struct pmm_node) / (double)pages;
		char notes[200], name[32];
		snprintf(notes, sizeof(notes),
			 "size_gib=%u descriptor=%.0f pair_bitmaps=%.4f node_zones_pcp=%.6f",
			 gib[i], desc, bmap, node);
		snprintf(name, sizeof(name), "pmm-runtime");
		bench_value("W8", name, "bytes_per_page", desc + bmap + node, notes);
		double bits = (double)pmm_bootmem_bitmap_bytes(pages) * 8 / (double)pages;
		snprintf(notes, sizeof(notes), "size_gib=%u (bitmap only; the node struct is static)", gib[i]);
		bench_value("W8", "pmm-bootmem", "bits_per_page", bits, notes);
		snprintf(notes, sizeof(notes), "size_gib=%u", gib[i]);
		bench_value("W8", "floor", "bytes_per_page",
			    (double)sizeof(struct floor_page), notes);
	}
}
