/* SPDX-License-Identifier: MIT */
/*
 * test_report.c - the reports, byte for byte in Linux's formats.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <pmm/fmt.h>
#include <pmm/report.h>

#include "buddy_fixture.h"

static char text[8192];
static struct pmm_buf_out buf;

static const struct pmm_out *sink(void)
{
	pmm_buf_out_init(&buf, text, sizeof(text));
	return &buf.out;
}

/*
 * Every case runs on buddy_fix_setup_dma_normal()'s machine:
 *
 * pfn 0      4096             16384
 *    | DMA   |     Normal     |      pfn 0 is never managed, so DMA holds
 *                                    one block of each order 0..9 and 3 of 10.
 */
static void report_buddyinfo_as_linux_prints_it(void **state)
{
	(void)state;
	pmm_report_buddyinfo(sink());
	assert_string_equal(text,
		"Node 0, zone      DMA      1      1      1      1      1      1      1      1      1      1      3 \n"
		"Node 0, zone   Normal      0      0      0      0      0      0      0      0      0      0     12 \n");
}

static void report_zoneinfo_subset(void **state)
{
	(void)state;
	pmm_zone_set_watermarks(buddy_zone(PMM_ZONE_NORMAL), 10, 12, 15);
	pmm_report_zoneinfo(sink());
	assert_non_null(strstr(text,
		"Node 0, zone   Normal\n"
		"  pages free     12288\n"
		"        min      10\n"
		"        low      12\n"
		"        high     15\n"
		"        spanned  12288\n"
		"        present  12288\n"
		"        managed  12288\n"));
	assert_non_null(strstr(text, "Node 0, zone      DMA\n  pages free     4095\n"));
}

static void report_unusable_index(void **state)
{
	(void)state;
	pmm_report_unusable_index(sink());
	/* Normal: all free memory is in order-10 blocks, so nothing is unusable. */
	assert_non_null(strstr(text, "Node 0, zone   Normal 0.000 0.000 0.000 0.000 0.000 "
				     "0.000 0.000 0.000 0.000 0.000 0.000 \n"));
	/* DMA, order 10: 1023 of 4095 free pages sit in smaller blocks. */
	assert_non_null(strstr(text, " 0.249 \n"));
}

static void report_memmap_lines(void **state)
{
	static struct pmm_memmap m;
	(void)state;
	pmm_memmap_init(&m);
	assert_int_equal(pmm_memmap_add(&m, 0, 0x9f000, PMM_MEM_USABLE), 0);
	assert_int_equal(pmm_memmap_add(&m, 0xb7e6e000, 0xb7e70000, 9), 0);
	pmm_report_memmap(sink(), &m, "BIOS-e820");
	assert_string_equal(text,
		"BIOS-e820: [mem 0x0000000000000000-0x000000000009efff] usable\n"
		"BIOS-e820: [mem 0x00000000b7e6e000-0x00000000b7e6ffff] type 9\n");
}

static void report_memory_line(void **state)
{
	struct pmm_boot_config cfg;
	struct pmm_boot_info info;
	(void)state;
	pmm_boot_config_init(&cfg);
	memset(&info, 0, sizeof(info));
	cfg.kernel_code = (struct pmm_phys_range){ 0x100000, 0x500000 };
	cfg.init = (struct pmm_phys_range){ 0x700000, 0x800000 };
	info.present_pages = 1000;
	info.reserved_pages = 100;
	info.highmem_pages = 256;
	pmm_report_memory_line(sink(), &cfg, &info);
	assert_string_equal(text, "Memory: 3600K/4000K available (4096K kernel code, "
				  "400K reserved, 1024K init, 1024K highmem)\n");
}

static void report_json_has_every_section(void **state)
{
	static struct pmm_memmap m;
	struct pmm_boot_info info;
	(void)state;
	pmm_memmap_init(&m);
	assert_int_equal(pmm_memmap_add(&m, 0x1000, 0x9f000, PMM_MEM_USABLE), 0);
	memset(&info, 0, sizeof(info));
	info.bitmap_pages_freed = 7;
	pmm_report_json(sink(), &m, &info);
	assert_non_null(strstr(text, "{\"memmap\":[{\"start\":4096,\"end\":651264,\"type\":\"usable\",\"type_id\":1}]"));
	assert_non_null(strstr(text, "\"nodes\":[{\"id\":0,"));
	assert_non_null(strstr(text, "{\"node\":0,\"name\":\"DMA\","));
	assert_non_null(strstr(text, "\"free_by_order\":[1,1,1,1,1,1,1,1,1,1,3]"));
	assert_non_null(strstr(text, "\"name\":\"Normal\""));
	assert_non_null(strstr(text, "\"boot\":{\"early\":\"bootmem\""));
	assert_non_null(strstr(text, "\"bitmap_pages_freed\":7"));
	assert_int_equal(text[strlen(text) - 2], '}');
}

/*
 * "Early memory node ranges" splits a usable entry at node boundaries:
 *
 *   0   640K 1M            2G          3G      4G
 *   |use|   |usable........|...........|  (one entry from 1M to 3G)
 *   |node 0................|node 1.............|
 */
static void report_node_ranges_split_at_nodes(void **state)
{
	static struct pmm_memmap m;
	const pmm_phys_t G = (pmm_phys_t)1 << 30;
	(void)state;
	pmm_memmap_init(&m);
	assert_int_equal(pmm_memmap_add(&m, 0x1000, 0xa0000, PMM_MEM_USABLE), 0);
	assert_int_equal(pmm_memmap_add(&m, 0x100000, 3 * G, PMM_MEM_USABLE), 0);
	m.numa[0] = (struct pmm_numa_range){ 0, 2 * G, 0, 0, false };
	m.numa[1] = (struct pmm_numa_range){ 2 * G, 4 * G, 1, 1, false };
	m.nr_numa = 2;
	pmm_report_zone_ranges(sink(), &m);
	const char *ranges = strstr(text, "Early memory node ranges\n");
	assert_non_null(ranges);
	assert_string_equal(ranges,
		"Early memory node ranges\n"
		"  node   0: [mem 0x0000000000001000-0x000000000009ffff]\n"
		"  node   0: [mem 0x0000000000100000-0x000000007fffffff]\n"
		"  node   1: [mem 0x0000000080000000-0x00000000bfffffff]\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		BUDDY_CASE_DMA_NORMAL(report_buddyinfo_as_linux_prints_it),
		BUDDY_CASE_DMA_NORMAL(report_zoneinfo_subset),
		BUDDY_CASE_DMA_NORMAL(report_unusable_index),
		BUDDY_CASE_DMA_NORMAL(report_memmap_lines),
		BUDDY_CASE_DMA_NORMAL(report_node_ranges_split_at_nodes),
		BUDDY_CASE_DMA_NORMAL(report_memory_line),
		BUDDY_CASE_DMA_NORMAL(report_json_has_every_section),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
