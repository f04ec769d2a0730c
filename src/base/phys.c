/* SPDX-License-Identifier: MIT */
/*
 * phys.c - filling physical memory: the one loop that maps a physical range
 * chunk by chunk through the platform's map() hook and writes a byte over
 * it. The buddy allocator zeroes (__GFP_ZERO) and poisons blocks with it,
 * the early allocators zero their allocations, init poisons the freed init
 * sections; and its reading twin, which proves known-zero blocks zero.
 */
#include <pmm/platform.h>

/*
 * Bytes mapped per map() call: small enough that a range straddling
 * mappable and unmappable memory (lowmem and highmem) loses little, large
 * enough that the call is noise beside the fill. Chunks are aligned to
 * this size, so such a straddling chunk is rare.
 */
#define PHYS_FILL_CHUNK ((uint64_t)256 << PMM_PAGE_SHIFT)

/* See pmm/platform.h. */
uint64_t pmm_phys_fill(pmm_phys_t pa, uint64_t size, int c)
{
	uint64_t filled = 0;

	if (size > UINT64_MAX - pa)
		size = UINT64_MAX - pa;
	while (size != 0) {
		uint64_t to_boundary = PHYS_FILL_CHUNK - (pa & (PHYS_FILL_CHUNK - 1));
		uint64_t n = size < to_boundary ? size : to_boundary;
		bool zeroed = false;
		void *p = pmm_phys_map(pa, (size_t)n, &zeroed);
		if (p != NULL) {
			if (c != 0 || !zeroed)
				pmm_memset(p, c, (size_t)n);
			filled += n;
		}
		pa += n;
		size -= n;
	}
	return filled;
}

/* See pmm/platform.h. */
uint64_t pmm_phys_find_nonzero(pmm_phys_t pa, uint64_t size)
{
	uint64_t off = 0;

	if (size > UINT64_MAX - pa)
		size = UINT64_MAX - pa;
	while (off < size) {
		uint64_t to_boundary =
			PHYS_FILL_CHUNK - ((pa + off) & (PHYS_FILL_CHUNK - 1));
		uint64_t n = size - off < to_boundary ? size - off : to_boundary;
		const unsigned char *p = pmm_phys_map(pa + off, (size_t)n, NULL);
		uint64_t i = 0;
		/* Whole words first where the chunk is aligned (pages are). */
		if (p != NULL && ((uintptr_t)p & 7) == 0)
			while (i + 8 <= n && *(const uint64_t *)(const void *)(p + i) == 0)
				i += 8;
		for (; p != NULL && i < n; i++)
			if (p[i] != 0)
				return off + i;
		off += n;
	}
	return size;
}
