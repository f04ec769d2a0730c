/* SPDX-License-Identifier: MIT */
/*
 * test_memmap_linux7.c - the e820 labels of Linux 7.0 boot logs
 * ("System RAM", "device reserved", "persistent RAM (type 12)", two spaces
 * before the label) and its "[gap ...]" lines, next to the older labels.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <pmm/firmware.h>

static uint32_t label(const char *s)
{
	uint32_t type = 0xdead;

	assert_true(pmm_e820_label_type(s, strlen(s), &type));
	return type;
}

static void test_memmap_linux7_labels(void **state)
{
	(void)state;
	assert_int_equal(label(" System RAM"), PMM_MEM_USABLE);
	assert_int_equal(label("  System RAM"), PMM_MEM_USABLE);
	assert_int_equal(label("  device reserved"), PMM_MEM_RESERVED);
	assert_int_equal(label("  ACPI data"), PMM_MEM_ACPI);
	assert_int_equal(label("  ACPI NVS\r"), PMM_MEM_NVS);
	assert_int_equal(label("  unusable"), PMM_MEM_UNUSABLE);
	assert_int_equal(label("  soft reserved"), PMM_MEM_SOFT_RESERVED);
	assert_int_equal(label("  persistent RAM (type 12)"), PMM_MEM_PRAM);
	assert_int_equal(label("  persistent RAM (type 7)"), PMM_MEM_PMEM);
	assert_int_equal(label("  persistent RAM"), PMM_MEM_PMEM);
	assert_int_equal(label("  type 20"), 20);
	/* The older labels still read. */
	assert_int_equal(label("usable"), PMM_MEM_USABLE);
	assert_int_equal(label("reserved"), PMM_MEM_RESERVED);
	assert_int_equal(label("persistent (type 12)"), PMM_MEM_PRAM);
	assert_int_equal(label("type 0"), PMM_MEM_RESERVED);
}

static void test_memmap_linux7_unknown(void **state)
{
	static const char *const bad[] = {
		"System  RAM", "device", "persistent RAM (type 12", "type",
		"type 99999999999", "System RAM x", "",
	};
	uint32_t type = 0xdead;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_false(pmm_e820_label_type(bad[i], strlen(bad[i]), &type));
		assert_int_equal(type, 0xdead);
	}
}

static void test_memmap_linux7_gap(void **state)
{
	static const char gap[] = " [gap 0x000000009d000000-0x000000009d78ffff]";
	static const char mem[] = " [mem 0x0000000000000000-0x000000000009ffff]  System RAM";

	(void)state;
	assert_true(pmm_e820_is_gap(gap, strlen(gap)));
	assert_false(pmm_e820_is_gap(mem, strlen(mem)));
	assert_false(pmm_e820_is_gap("[gap", 4));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_memmap_linux7_labels),
		cmocka_unit_test(test_memmap_linux7_unknown),
		cmocka_unit_test(test_memmap_linux7_gap),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
