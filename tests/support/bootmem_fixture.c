/* SPDX-License-Identifier: MIT */
/*
 * bootmem_fixture.c - shared set-up for the boot memory allocator's tests.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "bootmem_fixture.h"
#include "host_platform.h"

struct pmm_bootmem bm_fix;

static int setup(bool untouchable)
{
	struct host_platform_options opt = {
		.phys_size = BM_FIX_PHYS,
		.untouchable = untouchable,
		.quiet = true,
		.quiet_reports = true,
	};
	if (host_platform_install(&opt) != 0)
		return -1;
	pmm_bootmem_init(&bm_fix);
	return 0;
}

int bm_fix_setup(void **state)
{
	(void)state;
	return setup(false);
}

int bm_fix_setup_untouchable(void **state)
{
	(void)state;
	return setup(true);
}

int bm_fix_teardown(void **state)
{
	(void)state;
	host_platform_remove();
	return 0;
}

void bm_fix_node(int nid, pmm_pfn_t start, pmm_pfn_t end, pmm_pfn_t map_pfn)
{
	pmm_phys_t pa = PMM_PFN_PHYS(map_pfn);
	uint64_t *map = host_phys_ptr(pa);
	assert_non_null(map);
	assert_int_equal(pmm_bootmem_init_node(&bm_fix, nid, start, end, map, pa), 0);
}

void bm_fix_free_pfns(pmm_pfn_t start, pmm_pfn_t end)
{
	assert_int_equal(pmm_bootmem_free(&bm_fix, PMM_PFN_PHYS(start),
					  PMM_PFN_PHYS(end - start)), 0);
}

const char *bm_fix_picture(pmm_pfn_t start, pmm_pfn_t end)
{
	static char buf[257];
	size_t n = 0;
	for (pmm_pfn_t pfn = start; pfn < end && n < sizeof(buf) - 1; pfn++)
		buf[n++] = pmm_bootmem_is_reserved(&bm_fix, pfn) ? '#' : '.';
	buf[n] = '\0';
	return buf;
}

void bm_fix_snap_take(struct bm_fix_snap *s)
{
	assert_true(bm_fix.node[0].map_bytes <= sizeof(s->bits));
	s->bm = bm_fix;
	memcpy(s->bits, bm_fix.node[0].map, bm_fix.node[0].map_bytes);
}

void bm_fix_snap_expect_same(const struct bm_fix_snap *s)
{
	assert_memory_equal(&bm_fix, &s->bm, sizeof(bm_fix));
	assert_memory_equal(bm_fix.node[0].map, s->bits, s->bm.node[0].map_bytes);
}
