/* SPDX-License-Identifier: MIT */
/*
 * test_memmap_edit_bounds.c - the limits of pmm_memmap_update(),
 * pmm_memmap_remove() and pmm_memmap_x86_trim_low(), one case per boundary
 * (issue 17, docs/mutation.md): an entry that only touches the edited range
 * is left alone, an edit that fills the map to exactly PMM_MEMMAP_MAX
 * entries is done and one more is refused with the map unchanged, and the
 * stale slot past nr (which a compaction leaves behind) is never read;
 * and of pmm_memmap_apply_log_edits(): a marker at the end of a line, the
 * hex digit 9, a text cut at @len, a type number of ten digits.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <pmm/cmdline.h>
#include <pmm/memmap.h>

#define PG 0x1000ull
#define LOW_END 0x9f000ull  /* the usable low memory of a PC */

static struct pmm_memmap m, before;

static int setup(void **state)
{
	(void)state;
	pmm_memmap_init(&m);
	return 0;
}

static void expect_entry(unsigned int i, pmm_phys_t start, pmm_phys_t end,
			 uint32_t type)
{
	assert_int_equal(m.entry[i].start, start);
	assert_int_equal(m.entry[i].end, end);
	assert_int_equal(m.entry[i].type, type);
}

/* @n reserved one-page entries from 4 GiB up, after what m holds. */
static void add_filler(unsigned int n)
{
	for (unsigned int i = 0; i < n; i++)
		assert_int_equal(pmm_memmap_add(&m, (4ull << 30) + i * 2 * PG,
						(4ull << 30) + i * 2 * PG + PG,
						PMM_MEM_RESERVED), 0);
}

/* Neighbours that end at start or begin at end are not edited. */
static void test_edit_touching_neighbours_untouched(void **state)
{
	(void)state;
	assert_int_equal(pmm_memmap_add(&m, 0, 2 * PG, PMM_MEM_USABLE), 0);
	assert_int_equal(pmm_memmap_add(&m, 2 * PG, 3 * PG, PMM_MEM_RESERVED), 0);
	assert_int_equal(pmm_memmap_add(&m, 3 * PG, 5 * PG, PMM_MEM_USABLE), 0);
	assert_int_equal(pmm_memmap_update(&m, 2 * PG, 3 * PG, 0, PMM_MEM_ACPI), 0);
	assert_int_equal(m.nr, 3);
	expect_entry(0, 0, 2 * PG, PMM_MEM_USABLE);
	expect_entry(1, 2 * PG, 3 * PG, PMM_MEM_ACPI);
	expect_entry(2, 3 * PG, 5 * PG, PMM_MEM_USABLE);
}

/* Splitting one entry in two when one slot is left fills the map. */
static void test_edit_split_fills_map_exactly(void **state)
{
	(void)state;
	assert_int_equal(pmm_memmap_add(&m, 0, 4 * PG, PMM_MEM_USABLE), 0);
	add_filler(PMM_MEMMAP_MAX - 2);
	assert_int_equal(pmm_memmap_update(&m, 0, PG, PMM_MEM_USABLE,
					   PMM_MEM_RESERVED), 0);
	assert_int_equal(m.nr, PMM_MEMMAP_MAX);
	expect_entry(0, 0, PG, PMM_MEM_RESERVED);
	expect_entry(PMM_MEMMAP_MAX - 1, PG, 4 * PG, PMM_MEM_USABLE);
}

/* The same split on a full map is refused and changes nothing. */
static void test_edit_split_past_max_refused(void **state)
{
	(void)state;
	assert_int_equal(pmm_memmap_add(&m, 0, 4 * PG, PMM_MEM_USABLE), 0);
	add_filler(PMM_MEMMAP_MAX - 1);
	before = m;
	assert_int_equal(pmm_memmap_update(&m, 0, PG, PMM_MEM_USABLE,
					   PMM_MEM_RESERVED), PMM_EFULL);
	assert_memory_equal(&m, &before, sizeof(m));
}

/*
 * A usable entry in the stale slot past nr that the edit would split must
 * not count: the split still fits in the last free slot.
 */
static void test_edit_growth_ignores_slot_past_nr(void **state)
{
	(void)state;
	assert_int_equal(pmm_memmap_add(&m, 0, 4 * PG, PMM_MEM_USABLE), 0);
	add_filler(PMM_MEMMAP_MAX - 2);
	m.entry[m.nr] = (struct pmm_memmap_entry){ 0, 4 * PG, PMM_MEM_USABLE };
	assert_int_equal(pmm_memmap_update(&m, 0, PG, PMM_MEM_USABLE,
					   PMM_MEM_RESERVED), 0);
	assert_int_equal(m.nr, PMM_MEMMAP_MAX);
}

/*
 * A removal compacts the map and clears its old last slot (the map is zero
 * past nr); the next edit neither edits nor keeps a copy of it.
 */
static void test_edit_after_remove_ignores_stale_slot(void **state)
{
	(void)state;
	assert_int_equal(pmm_memmap_add(&m, 0, PG, PMM_MEM_USABLE), 0);
	assert_int_equal(pmm_memmap_add(&m, 2 * PG, 3 * PG, PMM_MEM_RESERVED), 0);
	assert_int_equal(pmm_memmap_remove(&m, 0, PG, PMM_MEM_USABLE), 0);
	assert_int_equal(m.nr, 1);
	assert_int_equal(m.entry[1].type, 0); /* cleared, not a stale copy */
	assert_int_equal(pmm_memmap_update(&m, 2 * PG, 3 * PG, PMM_MEM_RESERVED,
					   PMM_MEM_ACPI), 0);
	assert_int_equal(m.nr, 1);
	expect_entry(0, 2 * PG, 3 * PG, PMM_MEM_ACPI);
}

/* The trim's split of page 0 when one slot is left fills the map. */
static void test_trim_low_fills_map_exactly(void **state)
{
	(void)state;
	assert_int_equal(pmm_memmap_add(&m, 0, LOW_END, PMM_MEM_USABLE), 0);
	add_filler(PMM_MEMMAP_MAX - 2);
	assert_int_equal(pmm_memmap_x86_trim_low(&m), 0);
	assert_int_equal(m.nr, PMM_MEMMAP_MAX);
	expect_entry(0, 0, PG, PMM_MEM_RESERVED);
	expect_entry(PMM_MEMMAP_MAX - 1, PG, LOW_END, PMM_MEM_USABLE);
}

/* The same trim on a full map is refused and changes nothing. */
static void test_trim_low_past_max_refused(void **state)
{
	(void)state;
	assert_int_equal(pmm_memmap_add(&m, 0, LOW_END, PMM_MEM_USABLE), 0);
	add_filler(PMM_MEMMAP_MAX - 1);
	before = m;
	assert_int_equal(pmm_memmap_x86_trim_low(&m), PMM_EFULL);
	assert_memory_equal(&m, &before, sizeof(m));
}

/* ---- pmm_memmap_apply_log_edits(): the text ends where @len says ------- */

static int log_edit(const char *text, size_t len)
{
	return pmm_memmap_apply_log_edits(&m, text, len, NULL);
}

/* A line that ends with the whole "remove [mem " marker is malformed. */
static void test_logedit_marker_at_line_end(void **state)
{
	static const char text[] = "e820: remove [mem ";

	(void)state;
	assert_int_equal(pmm_memmap_add(&m, 0, PG, PMM_MEM_USABLE), 0);
	before = m;
	assert_int_equal(log_edit(text, strlen(text)), PMM_EPARSE);
	assert_memory_equal(&m, &before, sizeof(m));
}

/* The digit 9 is a hex digit. */
static void test_logedit_hex_nine(void **state)
{
	static const char text[] = "e820: remove [mem 0x9000-0x9fff] usable";

	(void)state;
	assert_int_equal(pmm_memmap_add(&m, 0, 16 * PG, PMM_MEM_USABLE), 0);
	assert_int_equal(log_edit(text, strlen(text)), 0);
	assert_int_equal(m.nr, 2);
	expect_entry(0, 0, 9 * PG, PMM_MEM_USABLE);
	expect_entry(1, 10 * PG, 16 * PG, PMM_MEM_USABLE);
}

/* @len cuts "0x1fff]" to "0x1ff": the digit and bracket past it are unread. */
static void test_logedit_hex_stops_at_len(void **state)
{
	static const char text[] = "e820: remove [mem 0x1000-0x1fff]";

	(void)state;
	assert_int_equal(pmm_memmap_add(&m, 0, 4 * PG, PMM_MEM_USABLE), 0);
	before = m;
	assert_int_equal(log_edit(text, strlen(text) - 2), PMM_EPARSE);
	assert_memory_equal(&m, &before, sizeof(m));
}

/* @len cuts "type 12" to "type 1": the type is 1 (usable), not 12. */
static void test_logedit_type_stops_at_len(void **state)
{
	static const char text[] = "e820: remove [mem 0x1000-0x1fff] type 12";

	(void)state;
	assert_int_equal(pmm_memmap_add(&m, 0, 4 * PG, PMM_MEM_USABLE), 0);
	assert_int_equal(log_edit(text, strlen(text) - 1), 0);
	assert_int_equal(m.nr, 2);
	expect_entry(0, 0, PG, PMM_MEM_USABLE);
	expect_entry(1, 2 * PG, 4 * PG, PMM_MEM_USABLE);
}

/* A type number is read to nine digits: "type 1000000000" is 10^8. */
static void test_logedit_type_nine_digits(void **state)
{
	static const char text[] = "e820: remove [mem 0x1000-0x1fff] type 1000000000";

	(void)state;
	assert_int_equal(pmm_memmap_add(&m, PG, 2 * PG, 100000000u), 0);
	assert_int_equal(log_edit(text, strlen(text)), 0);
	assert_int_equal(m.nr, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_edit_touching_neighbours_untouched, setup),
		cmocka_unit_test_setup(test_edit_split_fills_map_exactly, setup),
		cmocka_unit_test_setup(test_edit_split_past_max_refused, setup),
		cmocka_unit_test_setup(test_edit_growth_ignores_slot_past_nr, setup),
		cmocka_unit_test_setup(test_edit_after_remove_ignores_stale_slot, setup),
		cmocka_unit_test_setup(test_trim_low_fills_map_exactly, setup),
		cmocka_unit_test_setup(test_trim_low_past_max_refused, setup),
		cmocka_unit_test_setup(test_logedit_marker_at_line_end, setup),
		cmocka_unit_test_setup(test_logedit_hex_nine, setup),
		cmocka_unit_test_setup(test_logedit_hex_stops_at_len, setup),
		cmocka_unit_test_setup(test_logedit_type_stops_at_len, setup),
		cmocka_unit_test_setup(test_logedit_type_nine_digits, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
