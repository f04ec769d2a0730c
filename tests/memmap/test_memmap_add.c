/* SPDX-License-Identifier: MIT */
/*
 * test_memmap_add.c - the small calls of the memmap layer: init, add,
 * add_size, type names, node_of and usable_bytes.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <pmm/memmap.h>

static struct pmm_memmap m;
static struct pmm_memmap before;

static int setup(void **state)
{
	(void)state;
	memset(&m, 0x5a, sizeof(m));
	pmm_memmap_init(&m);
	return 0;
}

static void test_memmap_add_init_zeroes(void **state)
{
	static const struct pmm_memmap zero;

	(void)state;
	assert_memory_equal(&m, &zero, sizeof(m));
	pmm_memmap_init(NULL);
}

static void test_memmap_add_appends(void **state)
{
	(void)state;
	assert_int_equal(pmm_memmap_add(&m, 0x2000, 0x3000, 2), 0);
	assert_int_equal(pmm_memmap_add(&m, 0, 0x1000, 1), 0);
	assert_int_equal(m.nr, 2);
	assert_int_equal(m.entry[1].start, 0);
	assert_int_equal(m.entry[1].end, 0x1000);
	assert_int_equal(m.entry[1].type, 1);
}

/* Empty ranges are dropped; reversed ranges and type 0 are errors. */
static void test_memmap_add_bad_ranges(void **state)
{
	(void)state;
	before = m;
	assert_int_equal(pmm_memmap_add(&m, 0x1000, 0x1000, 1), 0);
	assert_int_equal(pmm_memmap_add(&m, 0x2000, 0x1000, 1), PMM_EINVAL);
	assert_int_equal(pmm_memmap_add(&m, 0, 0x1000, 0), PMM_EINVAL);
	assert_int_equal(pmm_memmap_add(NULL, 0, 0x1000, 1), PMM_EINVAL);
	assert_memory_equal(&m, &before, sizeof(m));
}

static void test_memmap_add_full(void **state)
{
	unsigned int i;

	(void)state;
	for (i = 0; i < PMM_MEMMAP_MAX; i++)
		assert_int_equal(pmm_memmap_add(&m, i, i + 1ull, 2), 0);
	before = m;
	assert_int_equal(pmm_memmap_add(&m, 0x1000, 0x2000, 2), PMM_EFULL);
	assert_memory_equal(&m, &before, sizeof(m));
}

/*
 * Sizes as firmware states them:
 *   start + size == 2^64  -> clipped to 2^64 - 1
 *   start + size >  2^64  -> PMM_EOVERFLOW
 */
static void test_memmap_add_size(void **state)
{
	(void)state;
	assert_int_equal(pmm_memmap_add_size(&m, 0x1000, 0x2000, 1), 0);
	assert_int_equal(m.entry[0].end, 0x3000);
	assert_int_equal(pmm_memmap_add_size(&m, 0x5000, 0, 1), 0);
	assert_int_equal(m.nr, 1);
	assert_int_equal(pmm_memmap_add_size(&m, 0xfffffffffffff000ull, 0x1000, 2), 0);
	assert_int_equal(m.entry[1].end, UINT64_MAX);
	before = m;
	assert_int_equal(pmm_memmap_add_size(&m, 0xfffffffffffff000ull, 0x1001, 2),
			 PMM_EOVERFLOW);
	assert_int_equal(pmm_memmap_add_size(&m, 2, UINT64_MAX, 2), PMM_EOVERFLOW);
	assert_int_equal(pmm_memmap_add_size(&m, 0, 0x1000, 0), PMM_EINVAL);
	assert_memory_equal(&m, &before, sizeof(m));
}

/* Linux's e820_print_type words. */
static void test_memmap_add_type_names(void **state)
{
	char buf[32], tiny[5];

	(void)state;
	assert_string_equal(pmm_mem_type_name(1, buf, sizeof(buf)), "usable");
	assert_string_equal(pmm_mem_type_name(2, buf, sizeof(buf)), "reserved");
	assert_string_equal(pmm_mem_type_name(3, buf, sizeof(buf)), "ACPI data");
	assert_string_equal(pmm_mem_type_name(4, buf, sizeof(buf)), "ACPI NVS");
	assert_string_equal(pmm_mem_type_name(5, buf, sizeof(buf)), "unusable");
	assert_string_equal(pmm_mem_type_name(7, buf, sizeof(buf)),
			    "persistent (type 7)");
	assert_string_equal(pmm_mem_type_name(12, buf, sizeof(buf)),
			    "persistent (type 12)");
	assert_string_equal(pmm_mem_type_name(6, buf, sizeof(buf)), "type 6");
	assert_string_equal(pmm_mem_type_name(9, buf, sizeof(buf)), "type 9");
	assert_string_equal(pmm_mem_type_name(20, buf, sizeof(buf)), "type 20");
	assert_string_equal(pmm_mem_type_name(0, buf, sizeof(buf)), "type 0");
	assert_string_equal(pmm_mem_type_name(UINT32_MAX, buf, sizeof(buf)),
			    "type 4294967295");
	assert_string_equal(pmm_mem_type_name(PMM_MEM_SOFT_RESERVED, buf,
					      sizeof(buf)), "soft reserved");
	/* Cut to fit, always terminated. */
	assert_string_equal(pmm_mem_type_name(3, tiny, sizeof(tiny)), "ACPI");
	assert_string_equal(pmm_mem_type_name(3, NULL, 0), "?");
	assert_string_equal(pmm_mem_type_name(3, buf, 0), "?");
}

/*
 *   node 0: [0, 0xa0000)   node 1: [0x100000, 0x200000)   node 0 again above
 */
static void test_memmap_add_node_of(void **state)
{
	(void)state;
	m.numa[0] = (struct pmm_numa_range){ 0, 0xa0000, 0, 0, false };
	m.numa[1] = (struct pmm_numa_range){ 0x100000, 0x200000, 1, 4, true };
	m.numa[2] = (struct pmm_numa_range){ 0x200000, 0x300000, 0, 0, false };
	m.nr_numa = 3;
	assert_int_equal(pmm_memmap_node_of(&m, 0), 0);
	assert_int_equal(pmm_memmap_node_of(&m, 0x9ffff), 0);
	assert_int_equal(pmm_memmap_node_of(&m, 0xa0000), -1);
	assert_int_equal(pmm_memmap_node_of(&m, 0x100000), 1);
	assert_int_equal(pmm_memmap_node_of(&m, 0x1fffff), 1);
	assert_int_equal(pmm_memmap_node_of(&m, 0x200000), 0);
	assert_int_equal(pmm_memmap_node_of(&m, 0x300000), -1);
	assert_int_equal(pmm_memmap_node_of(NULL, 0), -1);
}

static void test_memmap_add_usable_bytes(void **state)
{
	(void)state;
	assert_int_equal(pmm_memmap_usable_bytes(&m), 0);
	assert_int_equal(pmm_memmap_add(&m, 0, 0x9f000, 1), 0);
	assert_int_equal(pmm_memmap_add(&m, 0x9f000, 0x100000, 2), 0);
	assert_int_equal(pmm_memmap_add(&m, 0x100000, 0x100000000ull, 1), 0);
	assert_int_equal(pmm_memmap_add(&m, 0x100000000ull, 0x200000000ull, 7), 0);
	assert_int_equal(pmm_memmap_usable_bytes(&m), 0x9f000 + 0xfff00000ull);
	assert_int_equal(pmm_memmap_usable_bytes(NULL), 0);
}

/*
 *   0        1M   4M     4G           5G
 *   |usable  |    |rsvd  |   usable   |   reserved above
 */
static void test_memmap_add_end_of_ram(void **state)
{
	(void)state;
	assert_int_equal(pmm_memmap_end_of_ram(&m), 0);
	assert_int_equal(pmm_memmap_add(&m, 0, 0x100000, PMM_MEM_USABLE), 0);
	assert_int_equal(pmm_memmap_add(&m, 0x100000, 0x400000, PMM_MEM_RESERVED), 0);
	assert_int_equal(pmm_memmap_add(&m, 0x100000000ULL, 0x140000000ULL, PMM_MEM_USABLE), 0);
	assert_int_equal(pmm_memmap_add(&m, 0x140000000ULL, 0x180000000ULL, PMM_MEM_RESERVED), 0);
	assert_int_equal(pmm_memmap_end_of_ram(&m), 0x140000000ULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_memmap_add_init_zeroes, setup),
		cmocka_unit_test_setup(test_memmap_add_appends, setup),
		cmocka_unit_test_setup(test_memmap_add_bad_ranges, setup),
		cmocka_unit_test_setup(test_memmap_add_full, setup),
		cmocka_unit_test_setup(test_memmap_add_size, setup),
		cmocka_unit_test_setup(test_memmap_add_type_names, setup),
		cmocka_unit_test_setup(test_memmap_add_node_of, setup),
		cmocka_unit_test_setup(test_memmap_add_usable_bytes, setup),
		cmocka_unit_test_setup(test_memmap_add_end_of_ram, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
