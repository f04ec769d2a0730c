/* SPDX-License-Identifier: MIT */
/*
 * memblock_test.c - fixtures for tests/memblock/test_memblock_*.c.
 */
#include <stdio.h>
#include <string.h>

#include "host_platform.h"
#include "memblock_test.h"

int mbt_setup(void **state)
{
	struct host_platform_options opt = {
		.phys_size = MBT_PHYS_SIZE,
		.quiet = true,
		.quiet_reports = true,
	};

	(void)state;
	if (host_platform_install(&opt) != 0)
		return -1;
	pmm_memblock_reset();
	return 0;
}

int mbt_teardown(void **state)
{
	(void)state;
	pmm_memblock_reset();
	host_platform_remove();
	return 0;
}

static void dump_type(const struct pmm_memblock_type *type)
{
	for (unsigned long i = 0; i < type->cnt; i++)
		fprintf(stderr, "  %s[%lu] [%#llx, %#llx) flags %#x nid %d\n",
			type->name, i,
			(unsigned long long)type->regions[i].base,
			(unsigned long long)(type->regions[i].base +
					     type->regions[i].size),
			(unsigned int)type->regions[i].flags,
			type->regions[i].nid);
}

void mbt_expect(const struct pmm_memblock_type *type,
		const struct mbt_rgn *want, unsigned long n, const char *file,
		int line)
{
	uint64_t total = 0;
	bool ok = type->cnt == n;

	for (unsigned long i = 0; ok && i < n; i++) {
		const struct pmm_memblock_region *r = &type->regions[i];

		ok = r->base == want[i].base && r->size == want[i].size &&
		     (unsigned int)r->flags == want[i].flags &&
		     (want[i].nid == MBT_ANY_NID || r->nid == want[i].nid);
		total += want[i].size;
	}
	if (ok && type->total_size == total)
		return;
	fprintf(stderr, "%s:%d: %s differs from expectation; have:\n", file,
		line, type->name);
	dump_type(type);
	fprintf(stderr, "  total_size %#llx; want:\n",
		(unsigned long long)type->total_size);
	for (unsigned long i = 0; i < n; i++)
		fprintf(stderr, "  [%#llx, %#llx) flags %#x nid %d\n",
			(unsigned long long)want[i].base,
			(unsigned long long)(want[i].base + want[i].size),
			want[i].flags, want[i].nid);
	fail_msg("region mismatch at %s:%d", file, line);
}

void mbt_expect_empty(const struct pmm_memblock_type *type)
{
	assert_int_equal(type->cnt, 1);
	assert_int_equal(type->regions[0].base, 0);
	assert_int_equal(type->regions[0].size, 0);
	assert_int_equal(type->total_size, 0);
}

unsigned char *mbt_ptr(pmm_phys_t pa)
{
	return host_phys_ptr(pa);
}

void mbt_snap_take(struct mbt_snap *s)
{
	s->mb = pmm_memblock;
	memcpy(s->memory, pmm_memblock.memory.regions, sizeof(s->memory));
	memcpy(s->reserved, pmm_memblock.reserved.regions, sizeof(s->reserved));
}

void mbt_snap_expect_same(const struct mbt_snap *s)
{
	assert_memory_equal(&pmm_memblock, &s->mb, sizeof(s->mb));
	assert_memory_equal(pmm_memblock.memory.regions, s->memory, sizeof(s->memory));
	assert_memory_equal(pmm_memblock.reserved.regions, s->reserved, sizeof(s->reserved));
}
