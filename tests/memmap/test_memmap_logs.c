/* SPDX-License-Identifier: MIT */
/*
 * test_memmap_logs.c - parse the four real boot logs in tests/data and check
 * the result against the kernel's own lines in the same log.
 *
 * Linux's "Early memory node ranges" (or 2.6's "early_node_map") list the
 * usable memory after its e820 sanitizer and page trimming, minus page 0,
 * which x86 Linux always reserves ("e820: update [mem 0x00000000-0x00000fff]
 * usable ==> reserved"). pmm does not reserve page 0 in the memmap layer
 * (that is a reservation, made later), so every check below is
 *
 *   pmm usable bytes == sum(kernel's node ranges) + one page
 *
 * and the node ranges in turn agree with the kernel's "Memory: a/bK
 * available" line (b is the present memory; 2.6.32 prints max_pfn there
 * and the holes as "k absent").
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <pmm/memmap.h>
#include "memmap_data.h"

#define GiB ((uint64_t)1 << 30)
#define PAGE PMM_PAGE_SIZE

struct log_case {
	struct pmm_memmap m;
	char *text;
	size_t len;
	struct memmap_node_line nodes[32];
	unsigned int nr_nodes;
};

static struct log_case lc;

/* The log's own "Memory:" line against its node ranges. */
static void check_memory_line(void)
{
	uint64_t total_k = 0, absent_k = 0, node_k;

	assert_true(memmap_data_memory_k(lc.text, lc.len, &total_k, &absent_k));
	node_k = memmap_data_node_bytes(lc.nodes, lc.nr_nodes, 0) / 1024;
	if (absent_k)
		assert_int_equal(total_k - absent_k, node_k);
	else
		assert_int_equal(total_k, node_k);
}

static void load(const char *name)
{
	struct pmm_parse_error err = { 0, "" };
	int ret;

	memset(&lc, 0, sizeof(lc));
	lc.text = memmap_data_read(name, &lc.len);
	assert_non_null(lc.text);
	lc.nr_nodes = memmap_data_node_lines(lc.text, lc.len, lc.nodes, 32);
	assert_true(lc.nr_nodes > 0);
	check_memory_line();
	pmm_memmap_init(&lc.m);
	ret = pmm_memmap_parse_dmesg(&lc.m, lc.text, lc.len, &err);
	if (ret)
		fail_msg("%s: %s", name, err.msg);
	/* Every BIOS-e820 line of the log is one entry; no other map. */
	assert_int_equal(lc.m.nr,
			 memmap_data_count_lines(lc.text, lc.len, "BIOS-e820:"));
	assert_int_equal(lc.m.ignored_maps, 0);
}

static int teardown(void **state)
{
	(void)state;
	free(lc.text);
	lc.text = NULL;
	return 0;
}

/* Sanitized maps are sorted, disjoint and page-aligned where usable. */
static void assert_sane(const struct pmm_memmap *m)
{
	unsigned int i;

	for (i = 0; i < m->nr; i++) {
		const struct pmm_memmap_entry *e = &m->entry[i];

		assert_true(e->start < e->end);
		if (i)
			assert_true(m->entry[i - 1].end <= e->start);
		if (e->type == PMM_MEM_USABLE) {
			assert_int_equal(e->start % PAGE, 0);
			assert_int_equal(e->end % PAGE, 0);
		}
	}
}

/* Does the sanitized map hold exactly [start, end) of type? */
static bool has_entry(const struct pmm_memmap *m, pmm_phys_t start,
		      pmm_phys_t end, uint32_t type)
{
	unsigned int i;

	for (i = 0; i < m->nr; i++) {
		if (m->entry[i].start == start && m->entry[i].end == end &&
		    m->entry[i].type == type)
			return true;
	}
	return false;
}

/*
 * Dell PowerEdge 2850, 2.6.32, old format (end exclusive), no timestamps:
 *
 *   0        a0000  100000        dffc0000 ...  100000000 ... 420000000
 *   |usable  |      |usable         |ACPI|res|  |usable, 4 GiB pieces  |
 */
static void test_memmap_logs_dell_oldfmt(void **state)
{
	(void)state;
	load("02-dell-pe2850-centos6-2.6.32-oldfmt.txt");
	assert_int_equal(lc.m.nr, 16);
	assert_int_equal(lc.m.entry[0].start, 0);
	assert_int_equal(lc.m.entry[0].end, 0xa0000);
	assert_int_equal(lc.m.entry[2].type, PMM_MEM_ACPI);
	assert_int_equal(lc.m.entry[15].end, 0x420000000ull);
	assert_int_equal(lc.m.nr_numa, 0);
	assert_int_equal(pmm_memmap_sanitize(&lc.m, 0), 0);
	assert_sane(&lc.m);
	/* dffcfc00 ends ACPI data inside a page: not usable, nothing trimmed. */
	assert_int_equal(lc.m.trimmed_bytes, 0);
	assert_int_equal(lc.m.dropped_bytes, 0);
	assert_int_equal(pmm_memmap_usable_bytes(&lc.m),
			 memmap_data_node_bytes(lc.nodes, lc.nr_nodes, 0) + PAGE);
	assert_int_equal(lc.nr_nodes, 6);
	/* 2.6.32's "17301504k" total is max_pfn: the end of the last entry. */
	assert_int_equal(lc.m.entry[lc.m.nr - 1].end / 1024, 17301504);
}

/*
 * Supermicro H8QG6, 8 NUMA nodes, a "type 9" entry after an unlisted hole:
 *
 *   0     9d400 9d3ff..  100000     b7e60000 hole b7e6e000 type 9 ...
 *   |usable|res|        |usable        |    |t9|ACPI|NVS|res|
 *   100000000 ......................................... 3048000000
 *   |usable: node 0 | 1 | 2 | 3 | 4 | 5 | 6 | 7 (SRAT)          |
 */
static void test_memmap_logs_supermicro_numa(void **state)
{
	char name[32];
	unsigned int i;

	(void)state;
	load("04-supermicro-h8qg6-8node-type9-5.0.txt");
	assert_int_equal(lc.m.nr, 12);
	assert_int_equal(lc.m.entry[4].start, 0xb7e6e000);
	assert_int_equal(lc.m.entry[4].type, 9);
	assert_string_equal(pmm_mem_type_name(lc.m.entry[4].type, name,
					      sizeof(name)), "type 9");

	/* The SRAT: ten ranges, node 0 in three pieces, none hotplug. */
	assert_int_equal(lc.m.nr_numa,
			 memmap_data_count_lines(lc.text, lc.len, "SRAT: Node"));
	assert_int_equal(lc.m.nr_numa, 10);
	assert_int_equal(lc.m.numa[3].start, 0x848000000ull);
	assert_int_equal(lc.m.numa[3].end, 0xc48000000ull);
	assert_int_equal(lc.m.numa[3].nid, 1);
	assert_int_equal(lc.m.numa[3].pxm, 1);
	assert_false(lc.m.numa[3].hotplug);
	for (i = 0; i < lc.nr_nodes; i++) {
		assert_int_equal(pmm_memmap_node_of(&lc.m, lc.nodes[i].start),
				 lc.nodes[i].nid);
		assert_int_equal(pmm_memmap_node_of(&lc.m, lc.nodes[i].end - 1),
				 lc.nodes[i].nid);
	}
	assert_int_equal(pmm_memmap_node_of(&lc.m, 0xa0000), -1);
	assert_int_equal(pmm_memmap_node_of(&lc.m, 0x3048000000ull), -1);

	assert_int_equal(pmm_memmap_sanitize(&lc.m, 0), 0);
	assert_sane(&lc.m);
	/* 9d000-9d3ff: the usable tail of a partial page. */
	assert_int_equal(lc.m.trimmed_bytes, 0x400);
	assert_true(has_entry(&lc.m, 0, 0x9d000, PMM_MEM_USABLE));
	assert_int_equal(pmm_memmap_usable_bytes(&lc.m),
			 memmap_data_node_bytes(lc.nodes, lc.nr_nodes, 0) + PAGE);
	assert_int_equal(lc.nr_nodes, 10);
}

/*
 * Framework laptop, 6.3: "type 20" (EFI runtime code) and a 1-page usable
 * island between ACPI data and reserved:
 *
 *   43a2f000   43aff000 43b00000
 *   |ACPI data |usable  |reserved ...
 */
static void test_memmap_logs_framework_type20(void **state)
{
	char name[32];
	unsigned int i;
	bool found = false;

	(void)state;
	load("16-framework-12thgen-type20-6.3.txt");
	assert_int_equal(lc.m.nr, 18);
	assert_int_equal(pmm_memmap_sanitize(&lc.m, 0), 0);
	assert_sane(&lc.m);
	for (i = 0; i < lc.m.nr; i++) {
		if (lc.m.entry[i].type != 20)
			continue;
		found = true;
		assert_string_equal(pmm_mem_type_name(20, name, sizeof(name)),
				    "type 20");
	}
	assert_true(found);
	assert_true(has_entry(&lc.m, 0x43aff000, 0x43b00000, PMM_MEM_USABLE));
	assert_int_equal(lc.m.trimmed_bytes, 0);
	assert_int_equal(pmm_memmap_usable_bytes(&lc.m),
			 memmap_data_node_bytes(lc.nodes, lc.nr_nodes, 0) + PAGE);
}

/*
 * Aquarius S5000PSL, 32-bit PAE kernel, 9.5 GiB. The i386 profile keeps
 * only what lies below 4 GiB:
 *
 *   0 ...... 9fc00000 b0000000 ... ffe00000  | 100000000 ... 260000000
 *   |usable islands |reserved|       |res|    |usable 5.5 GiB: dropped  |
 *                                            ^ limit
 */
static void test_memmap_logs_aquarius_i386_limit(void **state)
{
	const pmm_phys_t limit = 4 * GiB;
	unsigned int i;

	(void)state;
	load("36-aquarius-s5000psl-i686-pae-highmem-9g-4.9.txt");
	assert_int_equal(lc.m.nr, 14);
	assert_int_equal(pmm_memmap_sanitize(&lc.m, limit), 0);
	assert_sane(&lc.m);
	for (i = 0; i < lc.m.nr; i++)
		assert_true(lc.m.entry[i].end <= limit);
	assert_int_equal(lc.m.dropped_bytes, 0x260000000ull - limit);
	assert_int_equal(lc.m.dropped_bytes, 5 * GiB + GiB / 2);
	assert_int_equal(pmm_memmap_usable_bytes(&lc.m),
			 memmap_data_node_bytes(lc.nodes, lc.nr_nodes, limit) +
				 PAGE);
	assert_true(has_entry(&lc.m, 0xffe00000, 0xffe0c000, PMM_MEM_RESERVED));
}

/* The same log without a limit: everything is kept, nothing dropped. */
static void test_memmap_logs_aquarius_no_limit(void **state)
{
	(void)state;
	load("36-aquarius-s5000psl-i686-pae-highmem-9g-4.9.txt");
	assert_int_equal(pmm_memmap_sanitize(&lc.m, 0), 0);
	assert_int_equal(lc.m.dropped_bytes, 0);
	assert_int_equal(pmm_memmap_usable_bytes(&lc.m),
			 memmap_data_node_bytes(lc.nodes, lc.nr_nodes, 0) + PAGE);
}

/*
 * Every log under the i386 limit: what is kept and what is dropped add up
 * to the kernel's node ranges on either side of 4 GiB.
 */
static void test_memmap_logs_all_i386_limit(void **state)
{
	static const char *const logs[] = {
		"02-dell-pe2850-centos6-2.6.32-oldfmt.txt",
		"04-supermicro-h8qg6-8node-type9-5.0.txt",
		"16-framework-12thgen-type20-6.3.txt",
		"36-aquarius-s5000psl-i686-pae-highmem-9g-4.9.txt",
	};
	const pmm_phys_t limit = 4 * GiB;
	unsigned int i;

	(void)state;
	for (i = 0; i < sizeof(logs) / sizeof(logs[0]); i++) {
		uint64_t all, low;

		load(logs[i]);
		all = memmap_data_node_bytes(lc.nodes, lc.nr_nodes, 0);
		low = memmap_data_node_bytes(lc.nodes, lc.nr_nodes, limit);
		assert_int_equal(pmm_memmap_sanitize(&lc.m, limit), 0);
		assert_sane(&lc.m);
		assert_int_equal(pmm_memmap_usable_bytes(&lc.m), low + PAGE);
		assert_int_equal(lc.m.dropped_bytes, all - low);
		free(lc.text);
		lc.text = NULL;
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_memmap_logs_dell_oldfmt, teardown),
		cmocka_unit_test_teardown(test_memmap_logs_supermicro_numa, teardown),
		cmocka_unit_test_teardown(test_memmap_logs_framework_type20, teardown),
		cmocka_unit_test_teardown(test_memmap_logs_aquarius_i386_limit, teardown),
		cmocka_unit_test_teardown(test_memmap_logs_aquarius_no_limit, teardown),
		cmocka_unit_test_teardown(test_memmap_logs_all_i386_limit, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
