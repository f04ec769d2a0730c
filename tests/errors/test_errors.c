/* SPDX-License-Identifier: MIT */
/*
 * test_errors.c - one case per row of docs/errors.md: every bad input gets
 * its documented error code (and, for broken invariants, exactly one
 * report with that code), and the state is byte for byte what it was
 * before the call: the memmap struct, the bootmem struct and bitmaps, the
 * memblock struct and region arrays, or the buddy allocator's descriptors,
 * zones and pair bitmaps (tests/support/reliability_snap.c) - and
 * pmm_check() still passes. The row id (E01...) is in each case's name.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <pmm/boot.h>
#include <pmm/bootmem.h>
#include <pmm/buddy.h>
#include <pmm/check.h>
#include <pmm/init.h>
#include <pmm/memblock.h>
#include <pmm/memmap.h>

#include "bootmem_fixture.h"
#include "buddy_setup.h"
#include "host_platform.h"
#include "reliability_snap.h"

/* ------------------------------------------------------------------ */
/* memmap: a map of three entries, compared whole before and after.    */
/* ------------------------------------------------------------------ */

static struct pmm_memmap mm, mm_before;

static int mm_setup(void **state)
{
	(void)state;
	pmm_memmap_init(&mm);
	assert_int_equal(pmm_memmap_add(&mm, 0, 0x9f000, PMM_MEM_USABLE), 0);
	assert_int_equal(pmm_memmap_add(&mm, 0xf0000, 0x100000, PMM_MEM_RESERVED), 0);
	assert_int_equal(pmm_memmap_add(&mm, 0x100000, 0x8000000, PMM_MEM_USABLE), 0);
	mm_before = mm;
	return 0;
}

#define MM_UNCHANGED() assert_memory_equal(&mm, &mm_before, sizeof(mm))

static void E01_memmap_add_reversed(void **state)
{
	(void)state;
	assert_int_equal(pmm_memmap_add(&mm, 0x2000, 0x1000, PMM_MEM_USABLE), PMM_EINVAL);
	MM_UNCHANGED();
}

static void E02_memmap_add_type_zero(void **state)
{
	(void)state;
	assert_int_equal(pmm_memmap_add(&mm, 0x1000, 0x2000, 0), PMM_EINVAL);
	MM_UNCHANGED();
}

static void E03_memmap_add_zero_length(void **state)
{
	(void)state;
	assert_int_equal(pmm_memmap_add(&mm, 0x5000, 0x5000, PMM_MEM_USABLE), 0);
	MM_UNCHANGED(); /* dropped, not added */
}

static void E04_memmap_add_size_wraps(void **state)
{
	(void)state;
	assert_int_equal(pmm_memmap_add_size(&mm, UINT64_MAX - 0xfff, 0x2000,
					     PMM_MEM_USABLE), PMM_EOVERFLOW);
	MM_UNCHANGED();
}

static void E05_memmap_add_table_full(void **state)
{
	(void)state;
	for (unsigned int i = mm.nr; i < PMM_MEMMAP_MAX; i++)
		assert_int_equal(pmm_memmap_add(&mm, (pmm_phys_t)i << 32,
						((pmm_phys_t)i << 32) + 0x1000,
						PMM_MEM_RESERVED), 0);
	mm_before = mm;
	assert_int_equal(pmm_memmap_add(&mm, 0x1000, 0x2000, PMM_MEM_USABLE), PMM_EFULL);
	MM_UNCHANGED();
}

/*
 * One usable range with 200 reserved holes punched in it: the resolved map
 * needs 401 entries, more than PMM_MEMMAP_MAX (256).
 *   usable  |-------------------------------------------|
 *   holes     #    #    #   ...   #
 */
static void E06_memmap_sanitize_result_too_big(void **state)
{
	(void)state;
	pmm_memmap_init(&mm);
	assert_int_equal(pmm_memmap_add(&mm, 0, (pmm_phys_t)1 << 30, PMM_MEM_USABLE), 0);
	for (pmm_phys_t i = 1; i <= 200; i++)
		assert_int_equal(pmm_memmap_add(&mm, i << 20, (i << 20) + 0x1000,
						PMM_MEM_RESERVED), 0);
	mm_before = mm;
	assert_int_equal(pmm_memmap_sanitize(&mm, 0), PMM_EFULL);
	MM_UNCHANGED();
}

/*
 * Unsorted, overlapping, partial-page and out-of-range entries are not
 * errors: the sanitizer resolves them (the higher type wins, usable trims
 * inward, the limit cuts).
 *   raw:  [usable 0x100800-0x400000) [reserved 0x200000-0x300000)
 *         [usable 0x0-0x9fc00) [usable 0x1_0000_0000-0x1_4000_0000)
 *   out:  usable 0-0x9f000, usable 0x101000-0x200000, reserved
 *         0x200000-0x300000, usable 0x300000-0x400000 (limit 4 GiB)
 */
static void E07_memmap_unsorted_overlapping_resolved(void **state)
{
	(void)state;
	pmm_memmap_init(&mm);
	pmm_memmap_add(&mm, 0x100800, 0x400000, PMM_MEM_USABLE);
	pmm_memmap_add(&mm, 0x200000, 0x300000, PMM_MEM_RESERVED);
	pmm_memmap_add(&mm, 0, 0x9fc00, PMM_MEM_USABLE);
	pmm_memmap_add(&mm, (pmm_phys_t)1 << 32, (pmm_phys_t)5 << 30, PMM_MEM_USABLE);
	assert_int_equal(pmm_memmap_sanitize(&mm, (pmm_phys_t)1 << 32), 0);
	assert_int_equal(mm.nr, 4);
	assert_true(mm.entry[0].start == 0 && mm.entry[0].end == 0x9f000);
	assert_true(mm.entry[1].start == 0x101000 && mm.entry[1].end == 0x200000);
	assert_true(mm.entry[2].type == PMM_MEM_RESERVED && mm.entry[2].end == 0x300000);
	assert_true(mm.entry[3].start == 0x300000 && mm.entry[3].end == 0x400000);
	assert_true(mm.dropped_bytes == (pmm_phys_t)1 << 30);
}

static void parse_fails(const char *text, int want, unsigned int line)
{
	struct pmm_parse_error perr = { 0, "" };
	assert_int_equal(pmm_memmap_parse_dmesg(&mm, text, strlen(text), &perr), want);
	assert_int_equal(perr.line, line);
	assert_true(perr.msg[0] != '\0');
	MM_UNCHANGED();
}

static void E08_dmesg_malformed_hex(void **state)
{
	(void)state;
	parse_fails("BIOS-e820: [mem 0x0000000000000000-0x000000000009zzzz] usable\n",
		    PMM_EPARSE, 1);
}

static void E09_dmesg_no_map(void **state)
{
	(void)state;
	parse_fails("hello\nworld\n", PMM_EPARSE, 0);
}

static void E10_dmesg_reversed_range(void **state)
{
	(void)state;
	parse_fails("BIOS-e820: [mem 0x0000000000002000-0x0000000000000fff] usable\n",
		    PMM_EPARSE, 1);
}

static void E11_dmesg_numa_overlap(void **state)
{
	(void)state;
	parse_fails("BIOS-e820: [mem 0x0-0x3fffffff] usable\n"
		    "ACPI: SRAT: Node 0 PXM 0 [mem 0x0-0x1fffffff]\n"
		    "ACPI: SRAT: Node 1 PXM 1 [mem 0x10000000-0x3fffffff]\n",
		    PMM_EPARSE, 3);
}

static void E12_dmesg_end_wraps(void **state)
{
	(void)state;
	parse_fails(" BIOS-e820: 0000000000100000 - 0000000000000000 (usable)\n",
		    PMM_EPARSE, 1);
}

/* Multiboot entry: u32 size (20), u64 base, u64 length, u32 type. */
static size_t mb_entry(unsigned char *p, uint32_t size, uint64_t base,
		       uint64_t len, uint32_t type)
{
	memcpy(p, &size, 4);
	memcpy(p + 4, &base, 8);
	memcpy(p + 12, &len, 8);
	memcpy(p + 20, &type, 4);
	return 24;
}

static void E13_multiboot_truncated(void **state)
{
	(void)state;
	unsigned char buf[48];
	size_t n = mb_entry(buf, 20, 0x100000, 0x100000, 1);
	n += mb_entry(buf + n, 20, 0x200000, 0x100000, 1);
	assert_int_equal(pmm_memmap_from_multiboot(&mm, buf, n - 3), PMM_EPARSE);
	MM_UNCHANGED();
}

static void E14_multiboot_entry_size_below_20(void **state)
{
	(void)state;
	unsigned char buf[24];
	mb_entry(buf, 16, 0x100000, 0x100000, 1);
	assert_int_equal(pmm_memmap_from_multiboot(&mm, buf, sizeof(buf)), PMM_EPARSE);
	MM_UNCHANGED();
}

static void E15_multiboot_entry_wraps(void **state)
{
	(void)state;
	unsigned char buf[48];
	size_t n = mb_entry(buf, 20, 0x100000, 0x100000, 1);
	n += mb_entry(buf + n, 20, UINT64_MAX - 0xfff, 0x10000, 1);
	assert_int_equal(pmm_memmap_from_multiboot(&mm, buf, n), PMM_EOVERFLOW);
	MM_UNCHANGED();
}

static void E16_multiboot_null_buffer(void **state)
{
	(void)state;
	assert_int_equal(pmm_memmap_from_multiboot(&mm, NULL, 24), PMM_EINVAL);
	MM_UNCHANGED();
}

/* ------------------------------------------------------------------ */
/* bootmem: node 0 over pfns [0, 1024), bitmap at pfn 1000; pages      */
/* [16, 512) free, the rest reserved.                                   */
/*   pfn 0      16                 512             1000   1024         */
/*       ####### ................... ################ bm ## |          */
/* ------------------------------------------------------------------ */

static struct pmm_bootmem bm_before;
static unsigned char bm_bits_before[128];

static int bm_setup(void **state)
{
	bm_fix_setup(state);
	bm_fix_node(0, 0, 1024, 1000);
	bm_fix_free_pfns(16, 512);
	bm_before = bm_fix;
	memcpy(bm_bits_before, bm_fix.node[0].map, bm_fix.node[0].map_bytes);
	return 0;
}

static void bm_unchanged(void)
{
	assert_memory_equal(&bm_fix, &bm_before, sizeof(bm_fix));
	assert_memory_equal(bm_fix.node[0].map, bm_bits_before,
			    bm_before.node[0].map_bytes);
}

static void E17_bootmem_free_size_zero(void **state)
{
	(void)state;
	assert_int_equal(pmm_bootmem_free(&bm_fix, 600 * PG, 0), PMM_EINVAL);
	bm_unchanged();
}

static void E18_bootmem_free_wraps(void **state)
{
	(void)state;
	assert_int_equal(pmm_bootmem_free(&bm_fix, 600 * PG, UINT64_MAX), PMM_EOVERFLOW);
	bm_unchanged();
}

static void E19_bootmem_free_outside_nodes(void **state)
{
	(void)state;
	assert_int_equal(pmm_bootmem_free(&bm_fix, 1000 * PG, 100 * PG), PMM_ERANGE);
	bm_unchanged();
}

/* Free [500, 520): pages 500..511 are free already: a double free. */
static void E20_bootmem_double_free(void **state)
{
	(void)state;
	unsigned int r = host_report_count();
	assert_int_equal(pmm_bootmem_free(&bm_fix, 500 * PG, 20 * PG), PMM_EDOUBLEFREE);
	assert_int_equal(host_report_count(), r + 1);
	assert_int_equal(host_last_report_err(), PMM_EDOUBLEFREE);
	bm_unchanged();
}

/* Reserve [10, 20): pages 10..15 are reserved already. */
static void E21_bootmem_double_reserve(void **state)
{
	(void)state;
	unsigned int r = host_report_count();
	assert_int_equal(pmm_bootmem_reserve(&bm_fix, 10 * PG, 10 * PG), PMM_EDOUBLERESERVE);
	assert_int_equal(host_report_count(), r + 1);
	assert_int_equal(host_last_report_err(), PMM_EDOUBLERESERVE);
	bm_unchanged();
}

static void E22_bootmem_reserve_out_of_range(void **state)
{
	(void)state;
	assert_int_equal(pmm_bootmem_reserve(&bm_fix, 2000 * PG, PG), PMM_ERANGE);
	bm_unchanged();
}

static void E23_bootmem_alloc_size_zero(void **state)
{
	(void)state;
	pmm_phys_t out = 0x1234;
	assert_int_equal(pmm_bootmem_alloc(&bm_fix, 0, 0, 8, 0, 0, &out), PMM_EINVAL);
	assert_true(out == 0x1234);
	bm_unchanged();
}

static void E24_bootmem_alloc_align_zero(void **state)
{
	(void)state;
	pmm_phys_t out;
	assert_int_equal(pmm_bootmem_alloc(&bm_fix, 0, 64, 0, 0, 0, &out), PMM_EALIGN);
	bm_unchanged();
}

static void E25_bootmem_alloc_align_not_pow2(void **state)
{
	(void)state;
	pmm_phys_t out;
	assert_int_equal(pmm_bootmem_alloc(&bm_fix, 0, 64, 24, 0, 0, &out), PMM_EALIGN);
	bm_unchanged();
}

static void E26_bootmem_alloc_size_overflows(void **state)
{
	(void)state;
	pmm_phys_t out;
	assert_int_equal(pmm_bootmem_alloc(&bm_fix, 0, UINT64_MAX - 10, 8, 0, 0, &out),
			 PMM_EOVERFLOW);
	bm_unchanged();
}

static void E27_bootmem_alloc_bad_node(void **state)
{
	(void)state;
	pmm_phys_t out;
	assert_int_equal(pmm_bootmem_alloc(&bm_fix, PMM_MAX_NUMNODES, 64, 8, 0, 0, &out),
			 PMM_EINVAL);
	assert_int_equal(pmm_bootmem_alloc(&bm_fix, -7, 64, 8, 0, 0, &out), PMM_EINVAL);
	bm_unchanged();
}

static void E28_bootmem_alloc_too_big(void **state)
{
	(void)state;
	pmm_phys_t out;
	assert_int_equal(pmm_bootmem_alloc(&bm_fix, 0, 600 * PG, PG, 0, 0, &out),
			 PMM_ENOMEM);
	/*
	 * The one documented exception: the search hint (a cache) may move up
	 * over the reserved pages [0, 16) it skipped; every page below it is
	 * still reserved. Everything else, bitmap included, is unchanged.
	 */
	assert_true(bm_fix.node[0].hint >= bm_before.node[0].hint &&
		    bm_fix.node[0].hint <= 16);
	for (pmm_pfn_t p = 0; p < bm_fix.node[0].hint; p++)
		assert_true(pmm_bootmem_is_reserved(&bm_fix, p));
	bm_fix.node[0].hint = bm_before.node[0].hint;
	bm_unchanged();
}

static void E29_bootmem_init_node_empty_range(void **state)
{
	(void)state;
	uint64_t map[4];
	assert_int_equal(pmm_bootmem_init_node(&bm_fix, 1, 2048, 2048, map, 900 * PG),
			 PMM_EINVAL);
	bm_unchanged();
}

static void E30_bootmem_init_node_misaligned_map(void **state)
{
	(void)state;
	uint64_t map[4];
	assert_int_equal(pmm_bootmem_init_node(&bm_fix, 1, 2048, 2100, map, 900 * PG + 8),
			 PMM_EALIGN);
	bm_unchanged();
}

static void E31_bootmem_init_node_overlap(void **state)
{
	(void)state;
	uint64_t map[4];
	assert_int_equal(pmm_bootmem_init_node(&bm_fix, 1, 1000, 1100, map, 2000 * PG),
			 PMM_EOVERLAP);
	bm_unchanged();
}

static void E32_bootmem_free_late_before_retire(void **state)
{
	(void)state;
	assert_int_equal(pmm_bootmem_free_late(&bm_fix, 600 * PG, PG), PMM_ESTATE);
	bm_unchanged();
}

/* After retirement every call but free_late is refused. */
static void E33_bootmem_use_after_retire(void **state)
{
	(void)state;
	struct buddy_zone_spec z = { 0, PMM_ZONE_NORMAL, 0, 1024 };
	pmm_page_map_init(calloc(1024, sizeof(struct pmm_page)), 1024);
	assert_int_equal(pmm_node_init(0, 0, 1024), 0);
	void *zbm = calloc(1, pmm_zone_bitmap_bytes(z.start, z.end));
	assert_int_equal(pmm_zone_init(0, z.type, z.start, z.end, 1024, zbm), 0);
	uint64_t freed = 0;
	assert_int_equal(pmm_bootmem_free_all(&bm_fix, &freed), 0);
	struct pmm_bootmem retired = bm_fix;
	pmm_phys_t out;
	assert_int_equal(pmm_bootmem_free(&bm_fix, 600 * PG, PG), PMM_ERETIRED);
	assert_int_equal(pmm_bootmem_reserve(&bm_fix, 600 * PG, PG), PMM_ERETIRED);
	assert_int_equal(pmm_bootmem_alloc(&bm_fix, 0, 64, 8, 0, 0, &out), PMM_ERETIRED);
	assert_int_equal(pmm_bootmem_free_all(&bm_fix, &freed), PMM_ERETIRED);
	assert_int_equal(pmm_bootmem_init_node(&bm_fix, 1, 2048, 4096,
					       (uint64_t[64]){ 0 }, 900 * PG),
			 PMM_ERETIRED);
	assert_memory_equal(&bm_fix, &retired, sizeof(bm_fix));
	assert_null(pmm_check());
	struct pmm_page *map = pmm_mem_map;
	pmm_zones_reset();
	free(map);
	free(zbm);
}

/* ------------------------------------------------------------------ */
/* buddy: DMA [0, 1024) and Normal [1024, 4096), all handed off except  */
/* the reserved pfns [2000, 2016); per-CPU lists off (exact counts).    */
/*   pfn 0   1024            2000 2016                    4096          */
/*       |DMA |    Normal      |####|        Normal         |          */
/* One block of order 2 and one of order 0 are allocated.               */
/* ------------------------------------------------------------------ */

static struct rel_snap snap;
static struct pmm_page *blk2, *blk0;
static unsigned int reports_before;

static int bd_setup(void **state)
{
	(void)state;
	static const struct buddy_zone_spec z[] = {
		{ 0, PMM_ZONE_DMA, 0, 1024 },
		{ 0, PMM_ZONE_NORMAL, 1024, 4096 },
	};
	assert_int_equal(buddy_setup(&(struct buddy_setup_opts){
		.max_pfn = 4096, .zones = z, .nr_zones = 2 }), 0);
	uint64_t n = 0;
	assert_int_equal(pmm_buddy_handoff_range(0, 2000, &n), 0);
	assert_int_equal(pmm_buddy_handoff_range(2016, 4096, &n), 0);
	blk2 = pmm_alloc_pages(PMM_GFP_KERNEL, 2);
	blk0 = pmm_alloc_pages(PMM_GFP_KERNEL, 0);
	assert_non_null(blk2);
	assert_non_null(blk0);
	rel_snap_take(&snap);
	reports_before = host_report_count();
	return 0;
}

static int bd_teardown(void **state)
{
	(void)state;
	rel_snap_release(&snap);
	buddy_teardown();
	return 0;
}

/* The state equals the snapshot, pmm_check() passes, @reports new reports
 * arrived, the last with @err. */
static void bd_unchanged(unsigned int reports, int err)
{
	const char *why = rel_snap_same(&snap);
	if (why)
		fail_msg("%s", why);
	assert_null(pmm_check());
	assert_int_equal(host_report_count(), reports_before + reports);
	if (reports)
		assert_int_equal(host_last_report_err(), err);
}

static pmm_pfn_t pfn_of(const struct pmm_page *p)
{
	return pmm_page_to_pfn(p);
}

static void E34_buddy_alloc_order_too_big(void **state)
{
	(void)state;
	int err = 0;
	assert_null(pmm_alloc_pages_tagged(PMM_NUMA_NO_NODE, PMM_GFP_KERNEL,
					   PMM_MAX_ORDER + 1, 0, &err));
	assert_int_equal(err, PMM_EORDER);
	bd_unchanged(0, 0);
}

static void E35_buddy_alloc_contradictory_zones(void **state)
{
	(void)state;
	int err = 0;
	assert_null(pmm_alloc_pages_tagged(PMM_NUMA_NO_NODE,
					   PMM_GFP_DMA | PMM_GFP_HIGHMEM, 0, 0, &err));
	assert_int_equal(err, PMM_EINVAL);
	bd_unchanged(0, 0);
}

static void E36_buddy_alloc_offline_node(void **state)
{
	(void)state;
	int err = 0;
	assert_null(pmm_alloc_pages_tagged(3, PMM_GFP_KERNEL, 0, 0, &err));
	assert_int_equal(err, PMM_EINVAL);
	assert_null(pmm_alloc_pages_tagged(-9, PMM_GFP_KERNEL, 0, 0, &err));
	assert_int_equal(err, PMM_EINVAL);
	bd_unchanged(0, 0);
}

/* DMA holds 1023 pages: no block of order 10 fits in it. */
static void E37_buddy_alloc_exhausted(void **state)
{
	(void)state;
	int err = 0;
	assert_null(pmm_alloc_pages_tagged(0, PMM_GFP_DMA, PMM_MAX_ORDER, 0, &err));
	assert_int_equal(err, PMM_ENOMEM);
	bd_unchanged(0, 0);
}

static void E38_buddy_free_order_too_big(void **state)
{
	(void)state;
	assert_int_equal(pmm_free_pages(blk2, PMM_MAX_ORDER + 1), PMM_EORDER);
	bd_unchanged(0, 0);
}

static void E39_buddy_double_free(void **state)
{
	(void)state;
	assert_int_equal(pmm_free_pages(blk0, 0), 0);
	rel_snap_take(&snap);
	assert_int_equal(pmm_free_pages(blk0, 0), PMM_EDOUBLEFREE);
	bd_unchanged(1, PMM_EDOUBLEFREE);
}

static void E40_buddy_wrong_order(void **state)
{
	(void)state;
	assert_int_equal(pmm_free_pages(blk2, 1), PMM_EWRONGORDER);
	bd_unchanged(1, PMM_EWRONGORDER);
	assert_int_equal(pmm_free_pages(blk2, 3), PMM_EWRONGORDER);
	bd_unchanged(2, PMM_EWRONGORDER);
}

static void E41_buddy_free_reserved(void **state)
{
	(void)state;
	assert_int_equal(pmm_free_pages(pmm_pfn_to_page(2004), 0), PMM_ERESERVED);
	bd_unchanged(1, PMM_ERESERVED);
	assert_int_equal(pmm_free_pages(pmm_pfn_to_page(0), 0), PMM_ERESERVED);
	bd_unchanged(2, PMM_ERESERVED);
}

static void E42_buddy_free_never_allocated(void **state)
{
	(void)state;
	assert_int_equal(pmm_free_pages(pmm_pfn_to_page(3000), 0), PMM_EDOUBLEFREE);
	bd_unchanged(1, PMM_EDOUBLEFREE);
}

static void E43_buddy_free_inside_block(void **state)
{
	(void)state;
	assert_int_equal(pmm_free_pages(blk2 + 1, 0), PMM_ENOTHEAD);
	bd_unchanged(1, PMM_ENOTHEAD);
	assert_int_equal(pmm_free_pages(blk2 + 2, 1), PMM_ENOTHEAD);
	bd_unchanged(2, PMM_ENOTHEAD);
}

static void E44_buddy_free_not_a_descriptor(void **state)
{
	(void)state;
	struct pmm_page outside;
	assert_int_equal(pmm_free_pages(&outside, 0), PMM_EINVAL);
	assert_int_equal(pmm_free_pages(NULL, 0), PMM_EINVAL);
	assert_int_equal(pmm_free_pages((struct pmm_page *)((char *)blk2 + 4), 2),
			 PMM_EINVAL);
	bd_unchanged(0, 0);
}

static void E45_buddy_free_addr_misaligned(void **state)
{
	(void)state;
	assert_int_equal(pmm_free_pages_addr(PMM_PFN_PHYS(pfn_of(blk2)) + 8, 2),
			 PMM_EINVAL);
	bd_unchanged(0, 0);
}

static void E46_buddy_free_addr_beyond_memory(void **state)
{
	(void)state;
	assert_int_equal(pmm_free_pages_addr(PMM_PFN_PHYS(4096), 0), PMM_EINVAL);
	assert_int_equal(pmm_free_page_addr(UINT64_MAX & PMM_PAGE_MASK), PMM_EINVAL);
	bd_unchanged(0, 0);
}

static void E47_buddy_free_range_empty_or_reversed(void **state)
{
	(void)state;
	assert_int_equal(pmm_buddy_free_range(2004, 2004, NULL), PMM_EINVAL);
	assert_int_equal(pmm_buddy_free_range(2010, 2004, NULL), PMM_EINVAL);
	bd_unchanged(0, 0);
}

static void E48_buddy_free_range_pfn_zero(void **state)
{
	(void)state;
	assert_int_equal(pmm_buddy_free_range(0, 1, NULL), PMM_ERANGE);
	bd_unchanged(0, 0);
}

static void E49_buddy_free_range_outside_zones(void **state)
{
	(void)state;
	assert_int_equal(pmm_buddy_free_range(4090, 4100, NULL), PMM_ERANGE);
	bd_unchanged(0, 0);
}

/* [1990, 2010): 1990..1999 are free already, 2000..2009 reserved. */
static void E50_buddy_free_range_partly_free(void **state)
{
	(void)state;
	uint64_t freed = 0;
	assert_int_equal(pmm_buddy_free_range(1990, 2010, &freed), PMM_EDOUBLEFREE);
	assert_true(freed == 0);
	bd_unchanged(1, PMM_EDOUBLEFREE);
}

static void E51_buddy_handoff_reversed(void **state)
{
	(void)state;
	assert_int_equal(pmm_buddy_handoff_range(2010, 2004, NULL), PMM_EINVAL);
	bd_unchanged(0, 0);
}

static void E52_buddy_get_page_of_free_page(void **state)
{
	(void)state;
	assert_int_equal(pmm_get_page(pmm_pfn_to_page(3000)), PMM_EINVAL);
	assert_int_equal(pmm_get_page(blk2 + 1), PMM_EINVAL);
	bd_unchanged(0, 0);
}

static void E53_buddy_pcp_batch_above_high(void **state)
{
	(void)state;
	assert_int_equal(pmm_pcp_set_high_batch(4, 8), PMM_EINVAL);
	bd_unchanged(0, 0);
}

static void E54_buddy_put_page_not_descriptor(void **state)
{
	(void)state;
	struct pmm_page outside = { 0, 0, PMM_PG_ALLOC_HEAD | PMM_PG_REF_ONE };
	assert_int_equal(pmm_put_page(&outside), PMM_EINVAL);
	bd_unchanged(0, 0);
}

static void E67_free_initmem_reversed(void **state)
{
	(void)state;
	uint64_t freed = 99;
	assert_int_equal(pmm_free_initmem(PMM_PFN_PHYS(2010), PMM_PFN_PHYS(2004), &freed),
			 PMM_EINVAL);
	assert_true(freed == 0);
	bd_unchanged(0, 0);
}

/* [1998, 2004): 1998 and 1999 are free: refused before anything is poisoned. */
static void E68_free_initmem_not_reserved(void **state)
{
	(void)state;
	unsigned char *p = host_phys_ptr(PMM_PFN_PHYS(2000));
	p[0] = 0x17;
	assert_int_equal(pmm_free_initmem(PMM_PFN_PHYS(1998), PMM_PFN_PHYS(2004), NULL),
			 PMM_EDOUBLEFREE);
	assert_int_equal(p[0], 0x17);
	bd_unchanged(1, PMM_EDOUBLEFREE);
}

/* Less than one whole page: nothing to free, "0K freed". */
static void E69_free_initmem_no_whole_page(void **state)
{
	(void)state;
	uint64_t freed = 99;
	assert_int_equal(pmm_free_initmem(PMM_PFN_PHYS(2004) + 100,
					  PMM_PFN_PHYS(2005) + 50, &freed), 0);
	assert_true(freed == 0);
	bd_unchanged(0, 0);
}

/* ------------------------------------------------------------------ */
/* memblock: memory [0, 64 MiB), reserved [0, 1 MiB).                   */
/* ------------------------------------------------------------------ */

#define MB_MAX_SNAP PMM_INIT_MEMBLOCK_REGIONS

static struct pmm_memblock mb_before;
static struct pmm_memblock_region mb_mem[MB_MAX_SNAP], mb_res[MB_MAX_SNAP];

static int mb_setup(void **state)
{
	(void)state;
	pmm_memblock_reset();
	assert_int_equal(pmm_memblock_add(0, 64 << 20), 0);
	assert_int_equal(pmm_memblock_reserve(0, 1 << 20), 0);
	mb_before = pmm_memblock;
	memcpy(mb_mem, pmm_memblock.memory.regions, sizeof(mb_mem));
	memcpy(mb_res, pmm_memblock.reserved.regions, sizeof(mb_res));
	return 0;
}

static void mb_unchanged(void)
{
	assert_memory_equal(&pmm_memblock, &mb_before, sizeof(mb_before));
	assert_memory_equal(pmm_memblock.memory.regions, mb_mem, sizeof(mb_mem));
	assert_memory_equal(pmm_memblock.reserved.regions, mb_res, sizeof(mb_res));
}

static void E55_memblock_add_size_zero(void **state)
{
	(void)state;
	assert_int_equal(pmm_memblock_add(128 << 20, 0), PMM_EINVAL);
	assert_int_equal(pmm_memblock_reserve(2 << 20, 0), PMM_EINVAL);
	mb_unchanged();
}

static void E56_memblock_range_wraps(void **state)
{
	(void)state;
	assert_int_equal(pmm_memblock_add(UINT64_MAX - 0xfff, 0x2000), PMM_EOVERFLOW);
	assert_int_equal(pmm_memblock_reserve(UINT64_MAX - 0xfff, 0x2000), PMM_EOVERFLOW);
	mb_unchanged();
}

static void E57_memblock_add_bad_flags(void **state)
{
	(void)state;
	assert_int_equal(pmm_memblock_add_node(128 << 20, 4096, 0, 0x40), PMM_EINVAL);
	mb_unchanged();
}

static void E58_memblock_alloc_bad_align(void **state)
{
	(void)state;
	pmm_phys_t out;
	assert_int_equal(pmm_memblock_phys_alloc(4096, 3 << 12, &out), PMM_EALIGN);
	assert_int_equal(pmm_memblock_phys_alloc(4096, 0, &out), PMM_EALIGN);
	mb_unchanged();
}

static void E59_memblock_alloc_size_zero(void **state)
{
	(void)state;
	pmm_phys_t out;
	assert_int_equal(pmm_memblock_phys_alloc(0, 4096, &out), PMM_EINVAL);
	mb_unchanged();
}

static void E60_memblock_alloc_too_big(void **state)
{
	(void)state;
	pmm_phys_t out;
	assert_int_equal(pmm_memblock_phys_alloc(128 << 20, 4096, &out), PMM_ENOMEM);
	mb_unchanged();
}

static void E61_memblock_trim_bad_align(void **state)
{
	(void)state;
	assert_int_equal(pmm_memblock_trim_memory(3000), PMM_EALIGN);
	mb_unchanged();
}

static void E62_memblock_free_late_before_free_all(void **state)
{
	(void)state;
	assert_int_equal(pmm_memblock_free_late(0, 4096), PMM_ESTATE);
	mb_unchanged();
}

/* After free_all: allocations and a second free_all are refused. */
static void E63_memblock_use_after_retire(void **state)
{
	(void)state;
	static const struct buddy_zone_spec z = { 0, PMM_ZONE_NORMAL, 0, 16384 };
	assert_int_equal(buddy_setup(&(struct buddy_setup_opts){
		.max_pfn = 16384, .zones = &z, .nr_zones = 1 }), 0);
	pmm_memblock_reset();
	assert_int_equal(pmm_memblock_add(0, 64 << 20), 0);
	assert_int_equal(pmm_memblock_reserve(0, 1 << 20), 0);
	uint64_t pages = 0;
	assert_int_equal(pmm_memblock_free_all(&pages), 0);
	assert_true(pages == 16384 - 256);
	mb_before = pmm_memblock;
	memcpy(mb_mem, pmm_memblock.memory.regions, sizeof(mb_mem));
	memcpy(mb_res, pmm_memblock.reserved.regions, sizeof(mb_res));
	rel_snap_take(&snap);
	pmm_phys_t out;
	assert_int_equal(pmm_memblock_phys_alloc(4096, 4096, &out), PMM_ERETIRED);
	assert_int_equal(pmm_memblock_free_all(&pages), PMM_ERETIRED);
	mb_unchanged();
	assert_null(rel_snap_same(&snap));
	assert_null(pmm_check());
	rel_snap_release(&snap);
	buddy_teardown();
}

/* ------------------------------------------------------------------ */
/* pmm_boot(): maps and configurations it cannot boot. The map is       */
/* sanitized in place (documented); nothing else may be left behind:    */
/* no zone, no descriptors, and a log line that says what to change.    */
/* ------------------------------------------------------------------ */

static char *boot_log;

static int boot_err(struct pmm_boot_config *cfg, pmm_phys_t phys)
{
	struct pmm_boot_info info;
	struct host_platform_options o = { .phys_size = phys, .quiet = true,
					   .quiet_reports = true };
	assert_int_equal(host_platform_install(&o), 0);
	host_log_capture_start();
	int err = pmm_boot(&mm, cfg, &info);
	boot_log = host_log_capture_stop();
	return err;
}

static int boot_teardown(void **state)
{
	(void)state;
	free(boot_log);
	boot_log = NULL;
	pmm_zones_reset();
	host_platform_remove();
	return 0;
}

static void boot_left_nothing(const char *says)
{
	assert_null(pmm_zone_first());
	assert_null(pmm_check());
	if (strstr(boot_log, says) == NULL)
		fail_msg("boot log lacks \"%s\":\n%s", says, boot_log);
}

static void E64_boot_map_too_fragmented(void **state)
{
	(void)state;
	struct pmm_boot_config cfg;
	pmm_boot_config_init(&cfg);
	pmm_memmap_init(&mm);
	assert_int_equal(pmm_memmap_add(&mm, 0, (pmm_phys_t)1 << 30, PMM_MEM_USABLE), 0);
	for (pmm_phys_t i = 1; i <= 200; i++)
		assert_int_equal(pmm_memmap_add(&mm, i << 20, (i << 20) + 0x1000,
						PMM_MEM_RESERVED), 0);
	assert_int_equal(boot_err(&cfg, (pmm_phys_t)1 << 30), PMM_EFULL);
	boot_left_nothing("pmm: cannot sanitize the memory map: table full");
}

static void E65_boot_ram_past_pfn_limit(void **state)
{
	(void)state;
	struct pmm_boot_config cfg;
	pmm_boot_config_init(&cfg);
	cfg.profile = PMM_PROFILE_X86_64;
	pmm_memmap_init(&mm);
	assert_int_equal(pmm_memmap_add(&mm, 0x100000, 0x8000000, PMM_MEM_USABLE), 0);
	assert_int_equal(pmm_memmap_add(&mm, (pmm_phys_t)1 << 46,
					((pmm_phys_t)1 << 46) + 0x100000,
					PMM_MEM_USABLE), 0);
	assert_int_equal(boot_err(&cfg, 0x8000000), PMM_ERANGE);
	boot_left_nothing("raise PMM_PAGE_SHIFT or cut the map");
}

static void E66_boot_map_without_ram(void **state)
{
	(void)state;
	struct pmm_boot_config cfg;
	pmm_boot_config_init(&cfg);
	pmm_memmap_init(&mm);
	assert_int_equal(pmm_memmap_add(&mm, 0, (pmm_phys_t)1 << 30, PMM_MEM_RESERVED), 0);
	assert_int_equal(boot_err(&cfg, (pmm_phys_t)1 << 30), PMM_ENOMEM);
	boot_left_nothing("pmm: the memory map has no usable RAM");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(E01_memmap_add_reversed, mm_setup),
		cmocka_unit_test_setup(E02_memmap_add_type_zero, mm_setup),
		cmocka_unit_test_setup(E03_memmap_add_zero_length, mm_setup),
		cmocka_unit_test_setup(E04_memmap_add_size_wraps, mm_setup),
		cmocka_unit_test_setup(E05_memmap_add_table_full, mm_setup),
		cmocka_unit_test_setup(E06_memmap_sanitize_result_too_big, mm_setup),
		cmocka_unit_test_setup(E07_memmap_unsorted_overlapping_resolved, mm_setup),
		cmocka_unit_test_setup(E08_dmesg_malformed_hex, mm_setup),
		cmocka_unit_test_setup(E09_dmesg_no_map, mm_setup),
		cmocka_unit_test_setup(E10_dmesg_reversed_range, mm_setup),
		cmocka_unit_test_setup(E11_dmesg_numa_overlap, mm_setup),
		cmocka_unit_test_setup(E12_dmesg_end_wraps, mm_setup),
		cmocka_unit_test_setup(E13_multiboot_truncated, mm_setup),
		cmocka_unit_test_setup(E14_multiboot_entry_size_below_20, mm_setup),
		cmocka_unit_test_setup(E15_multiboot_entry_wraps, mm_setup),
		cmocka_unit_test_setup(E16_multiboot_null_buffer, mm_setup),
		cmocka_unit_test_setup_teardown(E17_bootmem_free_size_zero, bm_setup, bm_fix_teardown),
		cmocka_unit_test_setup_teardown(E18_bootmem_free_wraps, bm_setup, bm_fix_teardown),
		cmocka_unit_test_setup_teardown(E19_bootmem_free_outside_nodes, bm_setup, bm_fix_teardown),
		cmocka_unit_test_setup_teardown(E20_bootmem_double_free, bm_setup, bm_fix_teardown),
		cmocka_unit_test_setup_teardown(E21_bootmem_double_reserve, bm_setup, bm_fix_teardown),
		cmocka_unit_test_setup_teardown(E22_bootmem_reserve_out_of_range, bm_setup, bm_fix_teardown),
		cmocka_unit_test_setup_teardown(E23_bootmem_alloc_size_zero, bm_setup, bm_fix_teardown),
		cmocka_unit_test_setup_teardown(E24_bootmem_alloc_align_zero, bm_setup, bm_fix_teardown),
		cmocka_unit_test_setup_teardown(E25_bootmem_alloc_align_not_pow2, bm_setup, bm_fix_teardown),
		cmocka_unit_test_setup_teardown(E26_bootmem_alloc_size_overflows, bm_setup, bm_fix_teardown),
		cmocka_unit_test_setup_teardown(E27_bootmem_alloc_bad_node, bm_setup, bm_fix_teardown),
		cmocka_unit_test_setup_teardown(E28_bootmem_alloc_too_big, bm_setup, bm_fix_teardown),
		cmocka_unit_test_setup_teardown(E29_bootmem_init_node_empty_range, bm_setup, bm_fix_teardown),
		cmocka_unit_test_setup_teardown(E30_bootmem_init_node_misaligned_map, bm_setup, bm_fix_teardown),
		cmocka_unit_test_setup_teardown(E31_bootmem_init_node_overlap, bm_setup, bm_fix_teardown),
		cmocka_unit_test_setup_teardown(E32_bootmem_free_late_before_retire, bm_setup, bm_fix_teardown),
		cmocka_unit_test_setup_teardown(E33_bootmem_use_after_retire, bm_setup, bm_fix_teardown),
		cmocka_unit_test_setup_teardown(E34_buddy_alloc_order_too_big, bd_setup, bd_teardown),
		cmocka_unit_test_setup_teardown(E35_buddy_alloc_contradictory_zones, bd_setup, bd_teardown),
		cmocka_unit_test_setup_teardown(E36_buddy_alloc_offline_node, bd_setup, bd_teardown),
		cmocka_unit_test_setup_teardown(E37_buddy_alloc_exhausted, bd_setup, bd_teardown),
		cmocka_unit_test_setup_teardown(E38_buddy_free_order_too_big, bd_setup, bd_teardown),
		cmocka_unit_test_setup_teardown(E39_buddy_double_free, bd_setup, bd_teardown),
		cmocka_unit_test_setup_teardown(E40_buddy_wrong_order, bd_setup, bd_teardown),
		cmocka_unit_test_setup_teardown(E41_buddy_free_reserved, bd_setup, bd_teardown),
		cmocka_unit_test_setup_teardown(E42_buddy_free_never_allocated, bd_setup, bd_teardown),
		cmocka_unit_test_setup_teardown(E43_buddy_free_inside_block, bd_setup, bd_teardown),
		cmocka_unit_test_setup_teardown(E44_buddy_free_not_a_descriptor, bd_setup, bd_teardown),
		cmocka_unit_test_setup_teardown(E45_buddy_free_addr_misaligned, bd_setup, bd_teardown),
		cmocka_unit_test_setup_teardown(E46_buddy_free_addr_beyond_memory, bd_setup, bd_teardown),
		cmocka_unit_test_setup_teardown(E47_buddy_free_range_empty_or_reversed, bd_setup, bd_teardown),
		cmocka_unit_test_setup_teardown(E48_buddy_free_range_pfn_zero, bd_setup, bd_teardown),
		cmocka_unit_test_setup_teardown(E49_buddy_free_range_outside_zones, bd_setup, bd_teardown),
		cmocka_unit_test_setup_teardown(E50_buddy_free_range_partly_free, bd_setup, bd_teardown),
		cmocka_unit_test_setup_teardown(E51_buddy_handoff_reversed, bd_setup, bd_teardown),
		cmocka_unit_test_setup_teardown(E52_buddy_get_page_of_free_page, bd_setup, bd_teardown),
		cmocka_unit_test_setup_teardown(E53_buddy_pcp_batch_above_high, bd_setup, bd_teardown),
		cmocka_unit_test_setup_teardown(E54_buddy_put_page_not_descriptor, bd_setup, bd_teardown),
		cmocka_unit_test_setup_teardown(E67_free_initmem_reversed, bd_setup, bd_teardown),
		cmocka_unit_test_setup_teardown(E68_free_initmem_not_reserved, bd_setup, bd_teardown),
		cmocka_unit_test_setup_teardown(E69_free_initmem_no_whole_page, bd_setup, bd_teardown),
		cmocka_unit_test_setup(E55_memblock_add_size_zero, mb_setup),
		cmocka_unit_test_setup(E56_memblock_range_wraps, mb_setup),
		cmocka_unit_test_setup(E57_memblock_add_bad_flags, mb_setup),
		cmocka_unit_test_setup(E58_memblock_alloc_bad_align, mb_setup),
		cmocka_unit_test_setup(E59_memblock_alloc_size_zero, mb_setup),
		cmocka_unit_test_setup(E60_memblock_alloc_too_big, mb_setup),
		cmocka_unit_test_setup(E61_memblock_trim_bad_align, mb_setup),
		cmocka_unit_test_setup(E62_memblock_free_late_before_free_all, mb_setup),
		cmocka_unit_test(E63_memblock_use_after_retire),
		cmocka_unit_test_teardown(E64_boot_map_too_fragmented, boot_teardown),
		cmocka_unit_test_teardown(E65_boot_ram_past_pfn_limit, boot_teardown),
		cmocka_unit_test_teardown(E66_boot_map_without_ram, boot_teardown),
	};
	return cmocka_run_group_tests_name("errors (docs/errors.md)", tests, NULL, NULL);
}
