/* SPDX-License-Identifier: MIT */
/*
 * reliability_snap.c - snapshots of the buddy allocator's state for
 * "nothing changed" checks (see reliability_snap.h).
 */
#include <pmm/buddy.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reliability_snap.h"

static void *grow(void *p, size_t *cap, size_t need)
{
	if (need <= *cap)
		return p;
	void *q = realloc(p, need);
	if (q == NULL)
		abort();
	*cap = need;
	return q;
}

void rel_snap_take(struct rel_snap *s)
{
	/* Writing deferred blocks changes no state a caller sees, but it does
	 * change descriptors: a snapshot is of settled memory. */
	pmm_buddy_deferred_finish();
	s->map_n = pmm_mem_map != NULL ? (size_t)pmm_max_pfn : 0;
	s->map = grow(s->map, &s->map_cap, s->map_n * sizeof(struct pmm_page) + 1);
	if (s->map_n != 0)
		memcpy(s->map, pmm_mem_map, s->map_n * sizeof(struct pmm_page));
	memcpy(s->nodes, pmm_nodes, sizeof(s->nodes));
	for (int n = 0; n < REL_SNAP_NODES; n++) {
		for (int t = 0; t < PMM_NR_ZONES; t++) {
			const struct pmm_zone *z = &pmm_nodes[n].zones[t];
			size_t bytes = z->initialized ?
				pmm_zone_bitmap_bytes(z->start_pfn, z->end_pfn) : 0;
			if (z->free_area[0].map == NULL)
				bytes = 0;
			free(s->bitmap[n][t]);
			s->bitmap[n][t] = bytes ? malloc(bytes) : NULL;
			s->bitmap_bytes[n][t] = bytes;
			if (bytes)
				memcpy(s->bitmap[n][t], z->free_area[0].map, bytes);
		}
	}
}

const char *rel_snap_same(const struct rel_snap *s)
{
	static char why[160];
	pmm_buddy_deferred_finish(); /* as rel_snap_take() */
	size_t n = pmm_mem_map != NULL ? (size_t)pmm_max_pfn : 0;
	if (n != s->map_n)
		return "descriptor array resized";
	if (n != 0 && memcmp(s->map, pmm_mem_map, n * sizeof(struct pmm_page)) == 0)
		n = 0; /* equal: skip the search for the first difference */
	for (size_t pfn = 0; pfn < n; pfn++) {
		if (memcmp(&s->map[pfn], &pmm_mem_map[pfn],
			   sizeof(struct pmm_page)) != 0) {
			snprintf(why, sizeof(why),
				 "descriptor of pfn 0x%zx changed: info 0x%x -> 0x%x",
				 pfn, s->map[pfn].info, pmm_mem_map[pfn].info);
			return why;
		}
	}
	for (int nd = 0; nd < REL_SNAP_NODES; nd++) {
		for (int t = 0; t < PMM_NR_ZONES; t++) {
			const struct pmm_zone *a = &s->nodes[nd].zones[t];
			const struct pmm_zone *b = &pmm_nodes[nd].zones[t];
			if (memcmp(a, b, sizeof(*a)) != 0) {
				snprintf(why, sizeof(why),
					 "node %d zone %s changed (free %llu -> %llu)",
					 nd, pmm_zone_name((enum pmm_zone_type)t),
					 (unsigned long long)a->free_pages,
					 (unsigned long long)b->free_pages);
				return why;
			}
			if (s->bitmap_bytes[nd][t] &&
			    memcmp(s->bitmap[nd][t], b->free_area[0].map,
				   s->bitmap_bytes[nd][t]) != 0) {
				snprintf(why, sizeof(why),
					 "node %d zone %s pair bitmap changed", nd,
					 pmm_zone_name((enum pmm_zone_type)t));
				return why;
			}
		}
		if (memcmp(&s->nodes[nd], &pmm_nodes[nd], sizeof(s->nodes[nd])) != 0)
			return "node header changed";
	}
	return NULL;
}

const char *rel_snap_same_but_order(const struct rel_snap *s)
{
	static char why[160];
	pmm_buddy_deferred_finish(); /* as rel_snap_take() */
	for (size_t p = 0; p < s->map_n; p++)
		if (s->map[p].info != pmm_mem_map[p].info) {
			snprintf(why, sizeof(why), "pfn 0x%zx: info 0x%x -> 0x%x", p,
				 s->map[p].info, pmm_mem_map[p].info);
			return why;
		}
	for (int nd = 0; nd < REL_SNAP_NODES; nd++) {
		for (int t = 0; t < PMM_NR_ZONES; t++) {
			const struct pmm_zone *a = &s->nodes[nd].zones[t];
			const struct pmm_zone *b = &pmm_nodes[nd].zones[t];
			if (a->free_pages != b->free_pages || a->managed != b->managed ||
			    a->present != b->present || a->start_pfn != b->start_pfn ||
			    a->end_pfn != b->end_pfn) {
				snprintf(why, sizeof(why), "node %d zone %s: counts or span changed",
					 nd, pmm_zone_name((enum pmm_zone_type)t));
				return why;
			}
		}
	}
	return NULL;
}

void rel_snap_release(struct rel_snap *s)
{
	free(s->map);
	for (int n = 0; n < REL_SNAP_NODES; n++)
		for (int t = 0; t < PMM_NR_ZONES; t++)
			free(s->bitmap[n][t]);
	memset(s, 0, sizeof(*s));
}
