/* SPDX-License-Identifier: MIT */
/*
 * test_pcp.c - per-CPU order-0 lists: refill, drain, high/batch settings,
 * cross-CPU frees, defaults.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "buddy_setup.h"
#include "host_platform.h"

static void assert_clean(void)
{
	const char *e = pmm_check();
	if (e)
		fail_msg("pmm_check: %s", e);
}

static int teardown(void **state)
{
	(void)state;
	buddy_teardown();
	return 0;
}

static struct pmm_zone *setup_pcp(pmm_pfn_t pages, uint32_t high,
				  uint32_t batch)
{
	assert_int_equal(buddy_setup(&(struct buddy_setup_opts){
			 .max_pfn = pages, .handoff = true,
			 .keep_pcp = true }), 0);
	if (high != 0)
		assert_int_equal(pmm_pcp_set_high_batch(high, batch), 0);
	return buddy_zone(PMM_ZONE_NORMAL);
}

/*
 * batch 4: the first order-0 allocation moves 4 pages to CPU 0's list
 * (pfns 1, 2, 3, 4 taken from the buddy lists) and hands one out; the
 * next three come from the list without touching the zone.
 */
static void test_refill_batch(void **state)
{
	(void)state;
	struct pmm_zone *z = setup_pcp(1024, 8, 4);
	struct pmm_page *p = pmm_alloc_page(0);
	assert_non_null(p);
	assert_int_equal(z->pcp[0].count, 3);
	assert_int_equal(z->free_pages, 1023 - 4);
	assert_int_equal(pmm_nr_free_pages(), 1022);
	assert_true(pmm_page_is_alloc_head(p));
	assert_clean();
	for (int i = 0; i < 3; i++)
		assert_non_null(pmm_alloc_page(0));
	assert_int_equal(z->pcp[0].count, 0);
	assert_int_equal(z->free_pages, 1023 - 4);
	assert_non_null(pmm_alloc_page(0));
	assert_int_equal(z->pcp[0].count, 3);
	assert_int_equal(z->free_pages, 1023 - 8);
	assert_clean();
}

/* high 8, batch 4: the 9th free onto the list drains 4 to the zone. */
static void test_drain_on_high(void **state)
{
	(void)state;
	struct pmm_zone *z = setup_pcp(1024, 8, 4);
	struct pmm_page *pg[12];
	for (int i = 0; i < 12; i++)
		pg[i] = pmm_alloc_page(0);
	assert_int_equal(z->pcp[0].count, 0);
	for (int i = 0; i < 8; i++)
		assert_int_equal(pmm_free_page(pg[i]), 0);
	assert_int_equal(z->pcp[0].count, 8);
	assert_int_equal(pmm_free_page(pg[8]), 0);
	assert_int_equal(z->pcp[0].count, 5);
	assert_int_equal(pmm_nr_free_pages(), 1023 - 3);
	assert_clean();
	for (int i = 9; i < 12; i++)
		assert_int_equal(pmm_free_page(pg[i]), 0);
	pmm_pcp_drain_all();
	assert_int_equal(z->pcp[0].count, 0);
	assert_int_equal(z->free_pages, 1023);
	for (int k = 0; k < PMM_MAX_ORDER; k++)
		assert_int_equal(z->free_area[k].nr_free, 1);
	assert_clean();
}

/* A page freed on CPU 3 goes to CPU 3's list; draining CPU 3 returns it. */
static void test_cross_cpu_free(void **state)
{
	(void)state;
	struct pmm_zone *z = setup_pcp(1024, 8, 2);
	host_set_cpu(0);
	struct pmm_page *p = pmm_alloc_page(0);
	assert_int_equal(z->pcp[0].count, 1);
	host_set_cpu(3);
	assert_int_equal(pmm_free_page(p), 0);
	assert_int_equal(z->pcp[3].count, 1);
	assert_int_equal(p->info, PMM_PG_PCP);
	assert_clean();
	/* CPU 3 gets the same page back, LIFO. */
	struct pmm_page *q = pmm_alloc_page(0);
	assert_ptr_equal(p, q);
	assert_int_equal(pmm_free_page(q), 0);
	pmm_pcp_drain_cpu(3);
	assert_int_equal(z->pcp[3].count, 0);
	assert_int_equal(z->pcp[0].count, 1);
	pmm_pcp_drain_cpu(PMM_NR_CPUS); /* ignored */
	pmm_pcp_drain_cpu(0);
	assert_int_equal(pmm_nr_free_pages(), 1023);
	assert_int_equal(z->free_pages, 1023);
	host_set_cpu(0);
	assert_clean();
}

static void test_set_high_batch(void **state)
{
	(void)state;
	struct pmm_zone *z = setup_pcp(1024, 0, 0);
	assert_int_equal(pmm_pcp_set_high_batch(4, 8), PMM_EINVAL);
	assert_int_equal(pmm_pcp_set_high_batch(16, 8), 0);
	for (unsigned int c = 0; c < PMM_NR_CPUS; c++) {
		assert_int_equal(z->pcp[c].high, 16);
		assert_int_equal(z->pcp[c].batch, 8);
	}
	struct pmm_page *p = pmm_alloc_page(0);
	assert_int_equal(z->pcp[0].count, 7);
	/* Disabling drains every list and bypasses them afterwards. */
	assert_int_equal(pmm_pcp_set_high_batch(0, 0), 0);
	assert_int_equal(z->pcp[0].count, 0);
	assert_int_equal(z->free_pages, 1022);
	assert_int_equal(pmm_free_page(p), 0);
	assert_int_equal(z->free_pages, 1023);
	assert_int_equal(z->pcp[0].count, 0);
	assert_clean();
}

/* Defaults: Linux's batch rule (see pcp.c); set again after the hand-off. */
static void test_defaults(void **state)
{
	(void)state;
	struct pmm_zone *z = setup_pcp(16384, 0, 0); /* 64 MiB */
	assert_int_equal(z->pcp[0].batch, 3);
	assert_int_equal(z->pcp[0].high, 18);
	buddy_teardown();
	z = setup_pcp(262144, 0, 0); /* 1 GiB */
	/* 262143 >> 10 = 255; /4 = 63; 63 + 31 = 94 -> 64 - 1 = 63. */
	assert_int_equal(z->pcp[0].batch, 63);
	assert_int_equal(z->pcp[0].high, 378);
	buddy_teardown();
	z = setup_pcp(64, 0, 0);
	assert_int_equal(z->pcp[0].batch, 1);
	assert_int_equal(z->pcp[0].high, 6);
}

/* An explicit setting also applies to zones set up afterwards. */
static void test_setting_survives_zone_init(void **state)
{
	(void)state;
	struct buddy_zone_spec zs[] = { { 0, PMM_ZONE_NORMAL, 0, 512 } };
	assert_int_equal(buddy_setup(&(struct buddy_setup_opts){
			 .max_pfn = 1024, .zones = zs, .nr_zones = 1,
			 .keep_pcp = true }), 0);
	assert_int_equal(pmm_pcp_set_high_batch(10, 5), 0);
	uint64_t bytes = pmm_zone_bitmap_bytes(512, 1024);
	static uint64_t bm[64];
	assert_true(bytes <= sizeof(bm));
	assert_int_equal(pmm_node_init(1, 512, 1024), 0);
	assert_int_equal(pmm_zone_init(1, PMM_ZONE_NORMAL, 512, 1024, 512, bm), 0);
	struct pmm_zone *z1 = &pmm_nodes[1].zones[PMM_ZONE_NORMAL];
	assert_int_equal(pmm_buddy_handoff_range(512, 1024, NULL), 0);
	assert_int_equal(z1->pcp[2].high, 10);
	assert_int_equal(z1->pcp[2].batch, 5);
	assert_clean();
}

/* Refill stops at the min watermark; this CPU's listed pages count. */
static void test_refill_respects_watermark(void **state)
{
	(void)state;
	struct pmm_zone *z = setup_pcp(64, 32, 16);
	pmm_zone_set_watermarks(z, 60, 60, 60);
	/* 63 free, min 60: 3 pages may go. */
	assert_non_null(pmm_alloc_page(0));
	assert_int_equal(z->pcp[0].count, 2);
	assert_int_equal(z->free_pages, 60);
	/* Listed pages count as free: 60 + 2 may go down to 60 + 0. */
	assert_non_null(pmm_alloc_page(0));
	assert_non_null(pmm_alloc_page(0));
	assert_int_equal(z->pcp[0].count, 0);
	assert_null(pmm_alloc_page(0));
	assert_int_equal(z->free_pages, 60);
	/* PMM_GFP_HIGH halves min: a refill of up to 16 down to 30. */
	assert_non_null(pmm_alloc_page(PMM_GFP_HIGH));
	assert_int_equal(z->pcp[0].count, 15);
	assert_int_equal(z->free_pages, 44);
	/* Without PMM_GFP_HIGH, 44 + 15 < 61: refused despite the list. */
	assert_null(pmm_alloc_page(0));
	assert_clean();
}

/* Exhaustion through the per-CPU path, then everything comes back. */
static void test_exhaust_and_return(void **state)
{
	(void)state;
	struct pmm_zone *z = setup_pcp(256, 12, 5);
	static struct pmm_page *pg[255];
	for (int i = 0; i < 255; i++) {
		host_set_cpu((unsigned int)i % PMM_NR_CPUS);
		pg[i] = pmm_alloc_page(0);
		if (pg[i] == NULL) {
			/* Only when other CPUs hold the rest. */
			pmm_pcp_drain_all();
			pg[i] = pmm_alloc_page(0);
		}
		assert_non_null(pg[i]);
	}
	assert_null(pmm_alloc_page(0));
	assert_int_equal(pmm_nr_free_pages(), 0);
	assert_clean();
	for (int i = 0; i < 255; i++) {
		host_set_cpu((unsigned int)(i * 7) % PMM_NR_CPUS);
		assert_int_equal(pmm_free_page(pg[i]), 0);
	}
	assert_int_equal(pmm_nr_free_pages(), 255);
	assert_clean();
	pmm_pcp_drain_all();
	assert_int_equal(z->free_pages, 255);
	assert_int_equal(z->free_area[7].nr_free, 1);
	host_set_cpu(0);
	assert_clean();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_refill_batch, teardown),
		cmocka_unit_test_teardown(test_drain_on_high, teardown),
		cmocka_unit_test_teardown(test_cross_cpu_free, teardown),
		cmocka_unit_test_teardown(test_set_high_batch, teardown),
		cmocka_unit_test_teardown(test_defaults, teardown),
		cmocka_unit_test_teardown(test_setting_survives_zone_init, teardown),
		cmocka_unit_test_teardown(test_refill_respects_watermark, teardown),
		cmocka_unit_test_teardown(test_exhaust_and_return, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
