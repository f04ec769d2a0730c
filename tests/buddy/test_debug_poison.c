/* SPDX-License-Identifier: MIT */
/*
 * test_debug_poison.c - page poisoning (src/poison.c and its hooks in
 * buddy.c): the pattern, the check and its report, switching on over free
 * and per-CPU pages, memory that cannot be touched, and a use after free
 * caught when the page is allocated again.
 *
 * Machine: one Normal zone over pfns [0, 1024), all handed off, over
 * touchable simulated memory.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include <pmm/buddy.h>
#include <pmm/check.h>
#include <pmm/debug.h>

#include "buddy_setup.h"
#include "host_platform.h"

static int setup(void **state)
{
	(void)state;
	return buddy_setup_simple(1024);
}

static int setup_pcp(void **state)
{
	(void)state;
	return buddy_setup(&(struct buddy_setup_opts){
		.max_pfn = 1024, .handoff = true, .keep_pcp = true });
}

static int setup_untouchable(void **state)
{
	(void)state;
	return buddy_setup(&(struct buddy_setup_opts){
		.max_pfn = 1024, .handoff = true, .untouchable = true });
}

static int teardown(void **state)
{
	(void)state;
	pmm_debug_set_poison(false);
	buddy_teardown();
	return 0;
}

static unsigned char *page_bytes(pmm_pfn_t pfn)
{
	return host_phys_ptr(PMM_PFN_PHYS(pfn));
}

/* A poisoned block of 4 pages reads as the pattern and checks clean. */
static void poison_block_writes_pattern(void **state)
{
	(void)state;
	assert_int_equal(pmm_poison_block(64, 2), 4);
	for (pmm_pfn_t p = 64; p < 68; p++)
		for (size_t i = 0; i < PMM_PAGE_SIZE; i += 511)
			assert_int_equal(page_bytes(p)[i], PMM_POISON_BYTE);
	assert_int_equal(page_bytes(68)[0], 0);
	unsigned int r = host_report_count();
	assert_int_equal(pmm_poison_check(64, 2), 0);
	assert_int_equal(host_report_count(), r);
}

/*
 * A write after the free is found with its page and offset:
 *   pfn 64   65          66   67
 *       aaaa aa[42]aaaa  aaaa aaaa
 */
static void poison_check_reports_use_after_free(void **state)
{
	(void)state;
	pmm_poison_block(64, 2);
	page_bytes(65)[0x123] = 0x42;
	unsigned int r = host_report_count();
	assert_int_equal(pmm_poison_check(64, 2), PMM_ECORRUPT);
	assert_int_equal(host_report_count(), r + 1);
	assert_int_equal(host_last_report_err(), PMM_ECORRUPT);
	assert_non_null(strstr(host_last_report_msg(),
			       "pfn 0x41 offset 0x123: byte 0x42, want 0xaa"));
}

/* Two written pages give two reports; the last byte of a page counts. */
static void poison_check_reports_every_page(void **state)
{
	(void)state;
	pmm_poison_block(128, 3);
	page_bytes(129)[0] = 0;
	page_bytes(135)[PMM_PAGE_SIZE - 1] = 0x55;
	unsigned int r = host_report_count();
	assert_int_equal(pmm_poison_check(128, 3), PMM_ECORRUPT);
	assert_int_equal(host_report_count(), r + 2);
	assert_non_null(strstr(host_last_report_msg(), "pfn 0x87 offset 0xfff"));
}

/* Switching on poisons every free block, so each checks clean. */
static void set_poison_covers_free_blocks(void **state)
{
	(void)state;
	struct pmm_page *a = pmm_alloc_pages(PMM_GFP_KERNEL, 3);
	assert_non_null(a);
	pmm_debug_set_poison(true);
	assert_true(pmm_debug_poison_on());
	const struct pmm_zone *z = buddy_zone(PMM_ZONE_NORMAL);
	unsigned int r = host_report_count();
	for (pmm_order_t k = 0; k <= PMM_MAX_ORDER; k++)
		for (unsigned int mt = 0; mt < PMM_MT_TYPES; mt++)
			for (uint32_t h = z->free_area[k].head[mt]; h;
			     h = pmm_mem_map[h - 1].next)
				assert_int_equal(pmm_poison_check(h - 1, k), 0);
	assert_int_equal(host_report_count(), r);
	/* The allocated block was not poisoned. */
	assert_int_equal(page_bytes(pmm_page_to_pfn(a))[0], 0);
	assert_int_equal(pmm_free_pages(a, 3), 0);
	assert_null(pmm_check());
}

/* Blocks waiting on a per-CPU list, of every per-CPU order, are poisoned too. */
static void set_poison_covers_pcp_pages(void **state)
{
	(void)state;
	assert_int_equal(pmm_pcp_set_high_batch(32, 8), 0);
	struct pmm_page *p = pmm_alloc_page(PMM_GFP_KERNEL);
	struct pmm_page *q = pmm_alloc_pages(PMM_GFP_KERNEL, PMM_PCP_MAX_ORDER);
	assert_non_null(p);
	assert_non_null(q);
	assert_int_equal(pmm_free_page(p), 0);
	assert_int_equal(pmm_free_pages(q, PMM_PCP_MAX_ORDER), 0);
	const struct pmm_zone *z = buddy_zone(PMM_ZONE_NORMAL);
	assert_true(z->pcp[0].head[PMM_MT_UNMOVABLE][0] != 0);
	assert_true(z->pcp[0].head[PMM_MT_UNMOVABLE][PMM_PCP_MAX_ORDER] != 0);
	unsigned int r = host_report_count();
	pmm_debug_set_poison(true);
	for (pmm_order_t k = 0; k <= PMM_PCP_MAX_ORDER; k++)
		for (uint32_t h = z->pcp[0].head[PMM_MT_UNMOVABLE][k]; h;
		     h = pmm_mem_map[h - 1].next)
			assert_int_equal(pmm_poison_check(h - 1, k), 0);
	assert_int_equal(host_report_count(), r);
	pmm_debug_set_poison(false);
	assert_false(pmm_debug_poison_on());
}

/* Memory the platform cannot map is skipped, never faulted on. */
static void poison_skips_untouchable_memory(void **state)
{
	(void)state;
	assert_int_equal(pmm_poison_block(64, 4), 0);
	assert_int_equal(pmm_poison_check(64, 4), 0);
	pmm_debug_set_poison(true);
	assert_null(pmm_check());
}

/* Freeing with poisoning on fills the block; allocating checks it clean. */
static void free_poisons_and_alloc_checks(void **state)
{
	(void)state;
	pmm_debug_set_poison(true);
	struct pmm_page *b = pmm_alloc_pages(PMM_GFP_KERNEL, 3);
	assert_non_null(b);
	pmm_pfn_t pfn = pmm_page_to_pfn(b);
	memset(page_bytes(pfn), 0x11, 8 * PMM_PAGE_SIZE); /* the owner's data */
	assert_int_equal(pmm_free_pages(b, 3), 0);
	for (pmm_pfn_t p = pfn; p < pfn + 8; p++)
		assert_int_equal(page_bytes(p)[PMM_PAGE_SIZE / 2], PMM_POISON_BYTE);
	unsigned int r = host_report_count();
	assert_non_null(pmm_alloc_pages(PMM_GFP_KERNEL, 3));
	assert_int_equal(host_report_count(), r);
}

/* Take every page, so that the next allocation returns the page freed. */
static pmm_pfn_t fill_all_but_one(void)
{
	struct pmm_page *p, *last = NULL;
	while ((p = pmm_alloc_page(PMM_GFP_KERNEL)) != NULL)
		last = p;
	assert_non_null(last);
	assert_int_equal(pmm_free_page(last), 0);
	return pmm_page_to_pfn(last);
}

/*
 * A write into a freed page is caught when the page is handed out again:
 *   free(X); X[0x10] = 0x42; alloc() == X  ->  "pfn X offset 0x10"
 */
static void use_after_free_reported_on_allocation(void **state)
{
	(void)state;
	pmm_debug_set_poison(true);
	pmm_pfn_t x = fill_all_but_one();
	page_bytes(x)[0x10] = 0x42;
	unsigned int r = host_report_count();
	struct pmm_page *again = pmm_alloc_page(PMM_GFP_KERNEL);
	assert_non_null(again);
	assert_true(pmm_page_to_pfn(again) == x);
	assert_int_equal(host_report_count(), r + 1);
	assert_int_equal(host_last_report_err(), PMM_ECORRUPT);
	char want[64];
	snprintf(want, sizeof(want), "pfn 0x%llx offset 0x10: byte 0x42",
		 (unsigned long long)x);
	assert_non_null(strstr(host_last_report_msg(), want));
	assert_null(pmm_check());
}

/* Off, nothing is written or checked. */
static void poisoning_off_checks_nothing(void **state)
{
	(void)state;
	pmm_pfn_t x = fill_all_but_one();
	assert_int_equal(page_bytes(x)[0], 0);
	page_bytes(x)[0x10] = 0x42;
	unsigned int r = host_report_count();
	assert_non_null(pmm_alloc_page(PMM_GFP_KERNEL));
	assert_int_equal(host_report_count(), r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(poison_block_writes_pattern, setup, teardown),
		cmocka_unit_test_setup_teardown(poison_check_reports_use_after_free, setup, teardown),
		cmocka_unit_test_setup_teardown(poison_check_reports_every_page, setup, teardown),
		cmocka_unit_test_setup_teardown(set_poison_covers_free_blocks, setup, teardown),
		cmocka_unit_test_setup_teardown(set_poison_covers_pcp_pages, setup_pcp, teardown),
		cmocka_unit_test_setup_teardown(poison_skips_untouchable_memory, setup_untouchable, teardown),
		cmocka_unit_test_setup_teardown(free_poisons_and_alloc_checks, setup, teardown),
		cmocka_unit_test_setup_teardown(use_after_free_reported_on_allocation, setup, teardown),
		cmocka_unit_test_setup_teardown(poisoning_off_checks_nothing, setup, teardown),
	};
	return cmocka_run_group_tests_name("debug: page poisoning", tests, NULL, NULL);
}
