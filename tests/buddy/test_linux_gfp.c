/* SPDX-License-Identifier: MIT */
/*
 * test_linux_gfp.c - the seed's table 7.2 and the allocation API under
 * Linux's own names, through <pmm/linux/gfp.h>: code written for Linux's
 * page allocator compiles against pmm and behaves the same.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <pmm/linux/gfp.h>

#include "buddy_fixture.h"
#include "host_platform.h"

/*
 * Every case runs on buddy_fix_setup_dma_normal()'s machine:
 *
 * pfn 0      4096             16384
 *    | DMA   |     Normal     |
 */
static void linux_alloc_pages_and_free_pages(void **state)
{
	(void)state;
	unsigned long before = nr_free_pages();
	struct page *page = alloc_pages(GFP_KERNEL, 3);
	assert_non_null(page);
	assert_int_equal(page_to_pfn(page) % 8, 0);
	assert_int_equal(nr_free_pages(), before - 8);
	__free_pages(page, 3);
	assert_int_equal(nr_free_pages(), before);
	assert_null(pmm_check());
}

static void linux_get_free_pages_by_address(void **state)
{
	(void)state;
	unsigned long before = nr_free_pages();
	unsigned long addr = __get_free_pages(GFP_KERNEL, 2);
	unsigned long one = __get_free_page(GFP_KERNEL);
	assert_int_not_equal(addr, 0);
	assert_int_not_equal(one, 0);
	assert_int_equal(addr % (4 * PAGE_SIZE), 0);
	assert_ptr_equal(pfn_to_page(addr >> PAGE_SHIFT), pmm_pfn_to_page(addr >> PAGE_SHIFT));
	free_pages(addr, 2);
	free_page(one);
	assert_int_equal(nr_free_pages(), before);
	assert_null(pmm_check());
}

static void linux_get_zeroed_page_is_zero(void **state)
{
	(void)state;
	unsigned long addr = get_zeroed_page(GFP_KERNEL);
	assert_int_not_equal(addr, 0);
	const unsigned char *p = host_phys_ptr(addr);
	assert_non_null(p);
	for (size_t i = 0; i < PAGE_SIZE; i++)
		assert_int_equal(p[i], 0);
	free_page(addr);
	assert_null(pmm_check());
}

static void linux_gfp_dma_comes_from_dma(void **state)
{
	(void)state;
	struct page *page = alloc_page(GFP_KERNEL | GFP_DMA);
	assert_non_null(page);
	assert_true(page_to_pfn(page) < 4096);
	__free_page(page);
	page = alloc_pages_node(0, GFP_KERNEL, 0);
	assert_non_null(page);
	assert_true(page_to_pfn(page) >= 4096);
	__free_page(page);
	assert_null(pmm_check());
}

/* Linux's mobility names: the migratetype of each, and both served. */
static void linux_gfp_movable_names(void **state)
{
	(void)state;
	assert_int_equal(gfp_migratetype(GFP_KERNEL), MIGRATE_UNMOVABLE);
	assert_int_equal(gfp_migratetype(GFP_HIGHUSER_MOVABLE), MIGRATE_MOVABLE);
	assert_int_equal(gfp_migratetype(GFP_USER_MOVABLE), MIGRATE_MOVABLE);
	assert_int_equal(gfp_migratetype(GFP_KERNEL | __GFP_RECLAIMABLE),
			 MIGRATE_RECLAIMABLE);
	assert_int_equal(__GFP_MOVABLE, 0x08);
	assert_int_equal(__GFP_RECLAIMABLE, 0x10);
	assert_int_equal(GFP_MOVABLE_MASK >> GFP_MOVABLE_SHIFT, 3);
	assert_int_equal(pageblock_nr_pages, 1u << pageblock_order);
	struct page *page = alloc_pages(GFP_USER_MOVABLE, 2);
	assert_non_null(page);
	__free_pages(page, 2);
	page = alloc_page(GFP_KERNEL | __GFP_RECLAIMABLE);
	assert_non_null(page);
	__free_page(page);
	assert_null(pmm_check());
}

static void linux_get_page_put_page_count_references(void **state)
{
	(void)state;
	unsigned long before = nr_free_pages();
	struct page *page = alloc_page(GFP_KERNEL);
	get_page(page);
	put_page(page);
	assert_int_equal(nr_free_pages(), before - 1);
	put_page(page);
	assert_int_equal(nr_free_pages(), before);
	assert_null(pmm_check());
}

/* Linux's bulk names: NULL slots filled, populated ones skipped, the
 * count of leading populated slots; release_pages() gives them back. */
static void linux_alloc_pages_bulk_array_and_release_pages(void **state)
{
	(void)state;
	uint64_t free0 = pmm_nr_free_pages();
	struct page *held = alloc_page(GFP_KERNEL);
	struct page *pages[8] = { NULL, held };
	assert_non_null(held);
	assert_int_equal(alloc_pages_bulk_array(GFP_KERNEL, 8, pages), 8);
	assert_ptr_equal(pages[1], held);
	assert_int_equal(alloc_pages_bulk(GFP_KERNEL, 8, pages), 8);
	assert_int_equal(pmm_nr_free_pages(), free0 - 8);
	release_pages(pages, 8);
	for (int i = 0; i < 8; i++)
		assert_null(pages[i]);
	assert_int_equal(pmm_nr_free_pages(), free0);
	buddy_assert_clean();
}

static void linux_double_free_changes_nothing(void **state)
{
	(void)state;
	struct page *page = alloc_pages(GFP_KERNEL, 1);
	__free_pages(page, 1);
	unsigned long before = nr_free_pages();
	unsigned int reports = host_report_count();
	__free_pages(page, 1);
	assert_int_equal(host_report_count(), reports + 1);
	assert_int_equal(nr_free_pages(), before);
	assert_null(pmm_check());
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		BUDDY_CASE_DMA_NORMAL(linux_alloc_pages_and_free_pages),
		BUDDY_CASE_DMA_NORMAL(linux_get_free_pages_by_address),
		BUDDY_CASE_DMA_NORMAL(linux_get_zeroed_page_is_zero),
		BUDDY_CASE_DMA_NORMAL(linux_gfp_dma_comes_from_dma),
		BUDDY_CASE_DMA_NORMAL(linux_gfp_movable_names),
		BUDDY_CASE_DMA_NORMAL(linux_get_page_put_page_count_references),
		BUDDY_CASE_DMA_NORMAL(linux_alloc_pages_bulk_array_and_release_pages),
		BUDDY_CASE_DMA_NORMAL(linux_double_free_changes_nothing),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
