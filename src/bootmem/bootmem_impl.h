/* SPDX-License-Identifier: MIT */
/*
 * bootmem_impl.h - internals the boot memory allocator's files share:
 * word-wise operations on a node's bitmap and node lookups.
 *
 * A node's bitmap is an array of 64-bit words. Bit i (bit i % 64 of word
 * i / 64) stands for page start_pfn + i; set means reserved. The bits past
 * the node's last page in the final word stay set for the bitmap's whole
 * life, so a word scan never takes them for free pages.
 *
 * Every scan below looks at whole words: a word that is all ones (when
 * looking for a free page) or all zeros (when looking for a reserved one)
 * costs one load and one compare, whatever the number of pages it covers.
 */
#ifndef PMM_BOOTMEM_IMPL_H
#define PMM_BOOTMEM_IMPL_H

#include <pmm/bootmem.h>

#include "../base/assert.h"

#define BM_WORD_BITS 64u
#define BM_ALL_ONES (~(uint64_t)0)

/* One past the last pfn whose address fits in a pmm_phys_t. */
#define BM_PFN_END ((pmm_pfn_t)1 << (64 - PMM_PAGE_SHIFT))

_Static_assert(sizeof(uint64_t) * 8 == BM_WORD_BITS, "bitmap words are 64 bits");

/*
 * Return: the index of the lowest set bit of @w, which is not zero. On
 * 32-bit targets two 32-bit scans avoid a call into libgcc (__ctzdi2).
 */
static inline uint64_t bm_lowest_bit(uint64_t w)
{
#if UINTPTR_MAX > 0xffffffffu
	return (uint64_t)__builtin_ctzll(w);
#else
	uint32_t lo = (uint32_t)w;
	if (lo)
		return (uint64_t)__builtin_ctz(lo);
	return 32 + (uint64_t)__builtin_ctz((uint32_t)(w >> 32));
#endif
}

/* Return: bits [@lo, @lo + @cnt) of a word set, 0 <= @lo, 1 <= @cnt, lo + cnt <= 64. */
static inline uint64_t bm_mask(uint64_t lo, uint64_t cnt)
{
	uint64_t m = cnt == BM_WORD_BITS ? BM_ALL_ONES : ((uint64_t)1 << cnt) - 1;
	return m << lo;
}

/*
 * bm_next - the first bit at or after @i, below @n, whose value is @set.
 * @map: the bitmap (at least ceil(@n / 64) words)
 * @i: first bit to look at
 * @n: bits to consider (exclusive bound)
 * @set: look for a set bit (true) or a clear bit (false)
 *
 * Words that cannot hold a match are skipped with one compare each.
 * Return: the bit index, or @n when there is none.
 */
static inline uint64_t bm_next(const uint64_t *map, uint64_t i, uint64_t n,
			       bool set)
{
	if (i >= n)
		return n;
	uint64_t flip = set ? 0 : BM_ALL_ONES;
	uint64_t w = i / BM_WORD_BITS;
	uint64_t last = (n - 1) / BM_WORD_BITS;
	uint64_t bits = (map[w] ^ flip) & (BM_ALL_ONES << (i % BM_WORD_BITS));
	while (bits == 0) {
		if (w == last)
			return n;
		w++;
		bits = map[w] ^ flip;
	}
	uint64_t r = w * BM_WORD_BITS + bm_lowest_bit(bits);
	return r < n ? r : n;
}

/* Return: the first clear (free) bit in [@i, @n), or @n. */
static inline uint64_t bm_next_zero(const uint64_t *map, uint64_t i,
				    uint64_t n)
{
	return bm_next(map, i, n, false);
}

/* Return: the first set (reserved) bit in [@i, @n), or @n. */
static inline uint64_t bm_next_one(const uint64_t *map, uint64_t i,
				   uint64_t n)
{
	return bm_next(map, i, n, true);
}

/* Set (@set) or clear bits [@i, @j), a whole word at a time in the middle. */
static inline void bm_fill(uint64_t *map, uint64_t i, uint64_t j, bool set)
{
	while (i < j) {
		uint64_t lo = i % BM_WORD_BITS;
		uint64_t cnt = BM_WORD_BITS - lo;
		if (cnt > j - i)
			cnt = j - i;
		uint64_t m = bm_mask(lo, cnt);
		if (set)
			map[i / BM_WORD_BITS] |= m;
		else
			map[i / BM_WORD_BITS] &= ~m;
		i += cnt;
	}
}

/* Return: PMM_PFN_UP(@addr) without overflowing near the top of memory. */
static inline pmm_pfn_t bm_pfn_up(pmm_phys_t addr)
{
	return PMM_PFN_DOWN(addr) + ((addr & (PMM_PAGE_SIZE - 1)) != 0);
}

/* Return: 0, PMM_EINVAL (no allocator) or PMM_ERETIRED: whether @bm takes calls. */
static inline int bm_check_live(const struct pmm_bootmem *bm)
{
	if (!bm)
		return PMM_EINVAL;
	return bm->retired ? PMM_ERETIRED : 0;
}

/* Return: the number of set bits of @w (no libgcc call on 32-bit targets). */
static inline uint64_t bm_popcount(uint64_t w)
{
	w = w - ((w >> 1) & 0x5555555555555555u);
	w = (w & 0x3333333333333333u) + ((w >> 2) & 0x3333333333333333u);
	w = (w + (w >> 4)) & 0x0f0f0f0f0f0f0f0fu;
	return (w * 0x0101010101010101u) >> 56;
}

/*
 * At PMM_DEBUG=3, on every PMM_VALIDATE_EVERY-th change to a bootmem
 * bitmap: prove node @nid whole (pmm_bootmem_check_node()), or report the
 * broken invariant for @func and trap. Compiles to nothing below level 3.
 * Context: boot CPU, after the change, from bootmem's own files.
 */
void bm_validate_due(const struct pmm_bootmem *bm, int nid, const char *func);

/* Return: the id of the present node whose pages hold @pfn, or -1. */
int pmm_bootmem_node_of(const struct pmm_bootmem *bm, pmm_pfn_t pfn);

/* Return: the pfn range of @nd's bitmap: its pages, rounded out. */
struct pmm_pfn_range pmm_bootmem_map_pages(const struct pmm_bootmem_node *nd);

#endif /* PMM_BOOTMEM_IMPL_H */
