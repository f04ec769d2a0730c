/* SPDX-License-Identifier: MIT */
/*
 * bootmem_fixture.h - shared set-up for the boot memory allocator's tests.
 *
 * Each case gets the host platform over BM_FIX_PHYS bytes of simulated
 * memory (quiet, reports counted), a fresh struct pmm_bootmem, and nodes
 * whose bitmaps live in that simulated memory. bm_fix_picture() draws a
 * stretch of the bitmap as text, one character per page: '#' reserved,
 * '.' free, so tests compare against the pictures in their comments.
 */
#ifndef BOOTMEM_FIXTURE_H
#define BOOTMEM_FIXTURE_H

#include <pmm/bootmem.h>

#define BM_FIX_PHYS ((pmm_phys_t)64 << 20)
#define PG PMM_PAGE_SIZE
/* Bitmap bytes a snapshot keeps: node 0 over 1024 pages. */
#define BM_FIX_SNAP_BITS 128

extern struct pmm_bootmem bm_fix;

/* cmocka group set-up/tear-down: install the platform, reset bm_fix. */
int bm_fix_setup(void **state);
int bm_fix_teardown(void **state);

/* Same, with a platform whose memory cannot be touched. */
int bm_fix_setup_untouchable(void **state);

/* Node @nid over pfns [@start, @end), bitmap at pfn @map_pfn; asserts 0. */
void bm_fix_node(int nid, pmm_pfn_t start, pmm_pfn_t end, pmm_pfn_t map_pfn);

/* Free pfns [@start, @end) (whole pages); asserts 0. */
void bm_fix_free_pfns(pmm_pfn_t start, pmm_pfn_t end);

/*
 * Return: pfns [@start, @end) drawn as '#' (reserved) and '.' (free), in a
 * static buffer valid until the next call (at most 256 pages).
 */
const char *bm_fix_picture(pmm_pfn_t start, pmm_pfn_t end);

/* Byte-exact copy of bm_fix and node 0's bitmap, to prove a failed call
 * changed nothing. */
struct bm_fix_snap {
	struct pmm_bootmem bm;
	unsigned char bits[BM_FIX_SNAP_BITS];
};

/* Record bm_fix and node 0's bitmap (at most BM_FIX_SNAP_BITS bytes). */
void bm_fix_snap_take(struct bm_fix_snap *s);
/* Assert that bm_fix and node 0's bitmap equal @s. */
void bm_fix_snap_expect_same(const struct bm_fix_snap *s);

#endif /* BOOTMEM_FIXTURE_H */
