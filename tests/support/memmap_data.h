/* SPDX-License-Identifier: MIT */
/*
 * memmap_data.h - test helpers for the memmap layer: read the boot logs in
 * tests/data and pull out the kernel's own view of them (the "Early memory
 * node ranges" / "early_node_map" lines) to check the parser against.
 */
#ifndef PMM_TEST_MEMMAP_DATA_H
#define PMM_TEST_MEMMAP_DATA_H

#include <stddef.h>
#include <pmm/memmap.h>

/* One line of the kernel's early node map: [start, end) bytes on nid. */
struct memmap_node_line {
	pmm_phys_t start;
	pmm_phys_t end;
	int nid;
};

/* Read tests/data/@name; Return: malloc'd bytes (NUL added) and *@len. */
char *memmap_data_read(const char *name, size_t *len);

/*
 * Collect the early node ranges printed in @text (both the modern
 * "node N: [mem a-b]" form and 2.6's "N: 0xPFN -> 0xPFN" form after an
 * "early_node_map" line). Return: how many were found (at most @max).
 */
unsigned int memmap_data_node_lines(const char *text, size_t len,
				    struct memmap_node_line *out,
				    unsigned int max);

/* Sum of the node lines' bytes below @limit (0: all). */
uint64_t memmap_data_node_bytes(const struct memmap_node_line *l,
				unsigned int n, pmm_phys_t limit);

/*
 * The kernel's "Memory: <avail>K/<total>K available" line: *@total in KiB
 * (present pages on 2.6.36 and later; max_pfn on 2.6.32, where *@absent
 * also holds the "k absent" figure, else 0). Return: 1 if found, else 0.
 */
int memmap_data_memory_k(const char *text, size_t len, uint64_t *total,
			 uint64_t *absent);

/* Number of lines of @text that contain @needle. */
unsigned int memmap_data_count_lines(const char *text, size_t len,
				     const char *needle);

/* Fill @m with @n entries given as {start, end, type} triples. */
void memmap_data_fill(struct pmm_memmap *m, const uint64_t (*e)[3],
		      unsigned int n);

#endif /* PMM_TEST_MEMMAP_DATA_H */
