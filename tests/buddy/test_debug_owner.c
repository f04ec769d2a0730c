/* SPDX-License-Identifier: MIT */
/*
 * test_debug_owner.c - allocation owner tags and the page_owner report
 * (src/owner.c).
 *
 * Machine: DMA [0, 1024) and Normal [1024, 2048), all handed off.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include <pmm/buddy.h>
#include <pmm/debug.h>
#include <pmm/fmt.h>

#include "buddy_fixture.h"

static char text[8192];
static struct pmm_buf_out buf;

static int setup(void **state)
{
	(void)state;
	static const struct buddy_zone_spec z[] = {
		{ 0, PMM_ZONE_DMA, 0, 1024 },
		{ 0, PMM_ZONE_NORMAL, 1024, 2048 },
	};
	pmm_buf_out_init(&buf, text, sizeof(text));
	return buddy_setup(&(struct buddy_setup_opts){
		.max_pfn = 2048, .zones = z, .nr_zones = 2, .handoff = true });
}

/* A caller's tag is kept whole, all 64 bits. */
static void tag_is_stored_and_read_back(void **state)
{
	(void)state;
	const uint64_t tag = 0x123456789abcdef0ull;
	struct pmm_page *p = pmm_alloc_pages_tagged(PMM_NUMA_NO_NODE,
						    PMM_GFP_KERNEL, 2, tag, NULL);
	assert_non_null(p);
	assert_true(pmm_page_owner_tag(p) == tag);
	assert_int_equal(pmm_free_pages(p, 2), 0);
	assert_true(pmm_page_owner_tag(p) == 0); /* free: no owner */
}

/* Untagged blocks, free pages and NULL have no owner. */
static void no_tag_reads_zero(void **state)
{
	(void)state;
	struct pmm_page *p = pmm_alloc_pages(PMM_GFP_KERNEL, 0);
	assert_non_null(p);
	assert_true(pmm_page_owner_tag(p) == 0);
	assert_true(pmm_page_owner_tag(NULL) == 0);
	assert_true(pmm_page_owner_tag(pmm_pfn_to_page(1500)) == 0);
	assert_int_equal(pmm_free_pages(p, 0), 0);
}

/* pmm_alloc_pages_owner() records an address inside its caller. */
static void owner_alloc_records_call_site(void **state)
{
	(void)state;
	struct pmm_page *p = pmm_alloc_pages_owner(PMM_GFP_KERNEL, 1);
	assert_non_null(p);
	uint64_t ip = pmm_page_owner_tag(p);
	uint64_t fn = (uint64_t)(uintptr_t)owner_alloc_records_call_site;
	assert_true(ip > fn && ip < fn + 4096);
	assert_int_equal(pmm_free_pages(p, 1), 0);
}

/*
 * The report lists each allocated block once, zone by zone, and skips
 * free blocks whole:
 *   DMA:    [order 0, tag 0x77]   Normal: [order 3, untagged]
 */
static void report_lists_allocated_blocks(void **state)
{
	(void)state;
	struct pmm_page *a = pmm_alloc_pages_tagged(0, PMM_GFP_DMA, 0, 0x77, NULL);
	struct pmm_page *b = pmm_alloc_pages(PMM_GFP_KERNEL, 3);
	assert_non_null(a);
	assert_non_null(b);
	assert_int_equal(pmm_get_page(b), 0);
	pmm_report_page_owner(&buf.out);
	char want[160];
	snprintf(want, sizeof(want),
		 "Page allocated via order 0, tag 0x77\nPFN 0x%llx Node 0 Zone DMA refcount 1\n",
		 (unsigned long long)pmm_page_to_pfn(a));
	assert_non_null(strstr(text, want));
	snprintf(want, sizeof(want),
		 "Page allocated via order 3, tag 0x0\nPFN 0x%llx Node 0 Zone Normal refcount 2\n",
		 (unsigned long long)pmm_page_to_pfn(b));
	assert_non_null(strstr(text, want));
	assert_non_null(strstr(text, "page_owner: 2 blocks, 9 pages allocated, 1 tagged\n"));
	assert_int_equal(pmm_put_page(b), 0);
	assert_int_equal(pmm_free_pages(b, 3), 0);
	assert_int_equal(pmm_free_pages(a, 0), 0);
}

static void report_of_idle_allocator(void **state)
{
	(void)state;
	pmm_report_page_owner(&buf.out);
	assert_string_equal(text, "page_owner: 0 blocks, 0 pages allocated, 0 tagged\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(tag_is_stored_and_read_back, setup, buddy_fix_teardown),
		cmocka_unit_test_setup_teardown(no_tag_reads_zero, setup, buddy_fix_teardown),
		cmocka_unit_test_setup_teardown(owner_alloc_records_call_site, setup, buddy_fix_teardown),
		cmocka_unit_test_setup_teardown(report_lists_allocated_blocks, setup, buddy_fix_teardown),
		cmocka_unit_test_setup_teardown(report_of_idle_allocator, setup, buddy_fix_teardown),
	};
	return cmocka_run_group_tests_name("debug: page owner", tests, NULL, NULL);
}
