/* SPDX-License-Identifier: MIT */
/*
 * test_memmap_cmdline_paths.c - the forms of pmm_memmap_apply_cmdline()'s
 * parser that test_memmap_cmdline.c does not write: every blank, number
 * bases and suffixes (upper and lower case), overflow, words that only
 * look like memory options, every memmap= error with its message, the
 * 64-option limit and a map that fills while options are applied.
 *
 * Each case starts from one usable range [0, 8 GiB).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include <pmm/cmdline.h>
#include <pmm/memmap.h>

#define KiB ((uint64_t)1 << 10)
#define MiB ((uint64_t)1 << 20)
#define GiB ((uint64_t)1 << 30)

static struct pmm_memmap m, before;

static int setup(void **state)
{
	(void)state;
	pmm_memmap_init(&m);
	assert_int_equal(pmm_memmap_add(&m, 0, 8 * GiB, PMM_MEM_USABLE), 0);
	before = m;
	return 0;
}

static uint64_t bytes_of(uint32_t type)
{
	uint64_t n = 0;
	for (unsigned int i = 0; i < m.nr; i++)
		if (m.entry[i].type == type)
			n += m.entry[i].end - m.entry[i].start;
	return n;
}

/* mem=@arg leaves @want usable bytes. */
static void limit_is(const char *cmdline, uint64_t want)
{
	setup(NULL);
	assert_int_equal(pmm_memmap_apply_cmdline(&m, cmdline, NULL), 0);
	assert_int_equal(bytes_of(PMM_MEM_USABLE), want);
}

static void fails(const char *cmdline, const char *msg)
{
	struct pmm_parse_error err;
	setup(NULL);
	memset(&err, 0x5a, sizeof(err));
	assert_int_equal(pmm_memmap_apply_cmdline(&m, cmdline, &err), PMM_EPARSE);
	assert_int_equal(err.line, 0);
	assert_string_equal(err.msg, msg);
	assert_memory_equal(&m, &before, sizeof(m));
	/* no message record: same result */
	assert_int_equal(pmm_memmap_apply_cmdline(&m, cmdline, NULL), PMM_EPARSE);
	assert_memory_equal(&m, &before, sizeof(m));
}

static void test_cmdline_null_and_empty(void **state)
{
	(void)state;
	assert_int_equal(pmm_memmap_apply_cmdline(&m, NULL, NULL), PMM_EINVAL);
	assert_int_equal(pmm_memmap_apply_cmdline(&m, "", NULL), 0);
	assert_int_equal(pmm_memmap_apply_cmdline(&m, " \t\r\n ", NULL), 0);
	assert_memory_equal(&m, &before, sizeof(m));
}

/* Every blank separates words; the option may be first, last or alone. */
static void test_cmdline_blanks(void **state)
{
	(void)state;
	limit_is("mem=1G", 1 * GiB);
	limit_is("\tmem=2G\n", 2 * GiB);
	limit_is("ro\rmem=3G\r\nquiet", 3 * GiB);
	limit_is("a  \t mem=1G  b", 1 * GiB);
	/* the last option wins only by being the lower limit */
	limit_is("mem=1G mem=2G", 1 * GiB);
}

/* Words that look like memory options but are not. */
static void test_cmdline_other_words(void **state)
{
	(void)state;
	limit_is("mem memmap memory=1G xmem=1G memmap_foo mem", 8 * GiB);
	limit_is("mem=nopentium", 8 * GiB);
	fails("mem=nopentiumx", "command line: mem=nopentiumx: not a size (e.g. mem=4G)");
	fails("mem=", "command line: mem=: not a size (e.g. mem=4G)");
}

static void test_cmdline_number_forms(void **state)
{
	(void)state;
	limit_is("mem=0x40000000", 1 * GiB);
	limit_is("mem=0X40000000", 1 * GiB);
	limit_is("mem=0xAbCdE000", 0xabcde000);
	limit_is("mem=0xabcde000", 0xabcde000);
	limit_is("mem=010000000000", 1 * GiB); /* octal */
	limit_is("mem=01", 1);                 /* octal, one digit */
	limit_is("mem=1073741824", 1 * GiB);
	limit_is("mem=1048576k", 1 * GiB);
	limit_is("mem=1048576K", 1 * GiB);
	limit_is("mem=1024m", 1 * GiB);
	limit_is("mem=1g", 1 * GiB);
	limit_is("mem=0x1M", 1 * MiB);
}

/* Bad numbers, each with the message. */
static void test_cmdline_bad_numbers(void **state)
{
	(void)state;
	fails("mem=0x", "command line: mem=0x: not a size (e.g. mem=4G)");
	fails("mem=0xg", "command line: mem=0xg: not a size (e.g. mem=4G)");
	fails("mem=08", "command line: mem=08: not a size (e.g. mem=4G)");
	fails("mem=1Q", "command line: mem=1Q: not a size (e.g. mem=4G)");
	fails("mem=1GG", "command line: mem=1GG: not a size (e.g. mem=4G)");
	fails("mem=0x10000000000000000", "command line: mem=0x10000000000000000: not a "
	      "size (e.g. mem=4G)");
	fails("mem=18446744073709551616", "command line: mem=18446744073709551616: not a "
	      "size (e.g. mem=4G)");
	/* the number fits, shifted by its suffix it does not */
	fails("mem=16E", "command line: mem=16E: not a size (e.g. mem=4G)");
	fails("mem=0x400000000000000t", "command line: mem=0x400000000000000t: not a "
	      "size (e.g. mem=4G)");
	fails("mem=0G", "command line: mem=0G: a zero limit leaves no memory");
	fails("mem=0x0", "command line: mem=0x0: a zero limit leaves no memory");
}

/* The largest numbers that fit. */
static void test_cmdline_largest(void **state)
{
	(void)state;
	limit_is("mem=15E", 8 * GiB);
	limit_is("mem=0xffffffffffffffff", 8 * GiB);
	limit_is("mem=18446744073709551615", 8 * GiB);
	limit_is("mem=1p", 8 * GiB);
	limit_is("mem=1P", 8 * GiB);
	limit_is("mem=1e", 8 * GiB);
	limit_is("mem=1T", 8 * GiB);
}

static void test_cmdline_memmap_items(void **state)
{
	(void)state;
	/* each separator's type */
	setup(NULL);
	assert_int_equal(pmm_memmap_apply_cmdline(&m,
		"memmap=4K@0x300000000,8K#0x300001000,16K$0x300003000,32k!0x300007000", NULL), 0);
	assert_int_equal(m.nr, 5);
	assert_int_equal(m.entry[1].type, PMM_MEM_USABLE);
	assert_int_equal(m.entry[1].end - m.entry[1].start, 4 * KiB);
	assert_int_equal(m.entry[2].type, PMM_MEM_ACPI);
	assert_int_equal(m.entry[2].start, 0x300001000);
	assert_int_equal(m.entry[3].type, PMM_MEM_RESERVED);
	assert_int_equal(m.entry[3].end, 0x300007000);
	assert_int_equal(m.entry[4].type, PMM_MEM_PRAM);
	assert_int_equal(m.entry[4].end, 0x30000f000);
	/* exactmap in the middle of a list drops what came before */
	setup(NULL);
	assert_int_equal(pmm_memmap_apply_cmdline(&m,
		"memmap=1M$0x1000000,exactmap,2M@0x2000000", NULL), 0);
	assert_int_equal(m.nr, 1);
	assert_int_equal(m.entry[0].start, 0x2000000);
	assert_int_equal(m.entry[0].end, 0x2200000);
	/* a size alone is a limit, like mem= */
	limit_is("memmap=0x40000000", 1 * GiB);
	/* a range reaching exactly 2^64 - 1 is fine */
	setup(NULL);
	assert_int_equal(pmm_memmap_apply_cmdline(&m, "memmap=0xfff$0xfffffffffffff000",
						  NULL), 0);
	assert_int_equal(m.entry[1].end, UINT64_MAX);
}

static void test_cmdline_memmap_errors(void **state)
{
	(void)state;
	fails("memmap=", "command line: : not a size (memmap=SIZE[@#$!]ADDR or exactmap)");
	fails("memmap=1M,,2M", "command line: : not a size (memmap=SIZE[@#$!]ADDR or exactmap)");
	fails("memmap=1M,", "command line: : not a size (memmap=SIZE[@#$!]ADDR or exactmap)");
	fails("memmap=exactmapx", "command line: exactmapx: not a size (memmap=SIZE[@#$!]ADDR "
	      "or exactmap)");
	fails("memmap=1M%0x1000", "command line: 1M%0x1000: retyping (%) is not supported");
	fails("memmap=1M*0x1000", "command line: 1M*0x1000: expected @, #, $ or ! after the size");
	fails("memmap=1M@", "command line: 1M@: not an address after the separator");
	fails("memmap=1M@0x1000z", "command line: 1M@0x1000z: not an address after the separator");
	fails("memmap=0x2000@0xfffffffffffff000",
	      "command line: 0x2000@0xfffffffffffff000: the range wraps past the address space");
	/* a bad item after good ones: nothing is applied */
	fails("mem=1G memmap=1M$0x1000,bad", "command line: bad: not a size "
	      "(memmap=SIZE[@#$!]ADDR or exactmap)");
}

static void test_cmdline_too_many_options(void **state)
{
	char line[1024];
	size_t n = 0;
	(void)state;
	for (int i = 0; i < 64; i++)
		n += (size_t)snprintf(line + n, sizeof(line) - n, "mem=%dG ", 64 - i);
	setup(NULL);
	assert_int_equal(pmm_memmap_apply_cmdline(&m, line, NULL), 0);
	assert_int_equal(bytes_of(PMM_MEM_USABLE), 1 * GiB);
	snprintf(line + n, sizeof(line) - n, "memmap=1M$0x1000");
	/* the message names the memmap= item, not the whole word */
	fails(line, "command line: 1M$0x1000: more than 64 memory options");
	n += (size_t)snprintf(line + n, sizeof(line) - n, "mem=1M");
	fails(line, "command line: mem=1M: more than 64 memory options");
}

/* The map fills while options are applied: the add's error is returned. */
static void test_cmdline_map_fills(void **state)
{
	(void)state;
	pmm_memmap_init(&m);
	for (unsigned int i = 0; i < PMM_MEMMAP_MAX; i++)
		assert_int_equal(pmm_memmap_add(&m, (pmm_phys_t)i << 24,
						((pmm_phys_t)i << 24) + MiB,
						PMM_MEM_USABLE), 0);
	assert_int_equal(pmm_memmap_apply_cmdline(&m, "memmap=1M$0x200000000", NULL),
			 PMM_EFULL);
	assert_int_equal(m.nr, PMM_MEMMAP_MAX);
	/*
	 * All or nothing: with one slot left, the first option takes it and
	 * the second fails; the map is as it was, without the first.
	 */
	static struct pmm_memmap saved;
	m.entry[--m.nr] = (struct pmm_memmap_entry){ 0 };
	saved = m;
	assert_int_equal(pmm_memmap_apply_cmdline(&m, "memmap=4K$0x300000000 "
						  "memmap=4K$0x400000000", NULL),
			 PMM_EFULL);
	assert_memory_equal(&m, &saved, sizeof(m));
	/* a limit never needs a new entry (it cuts everything above it) */
	assert_int_equal(pmm_memmap_apply_cmdline(&m, "mem=0x80000", NULL), 0);
	assert_int_equal(m.nr, 1);
	assert_int_equal(m.entry[0].end, 0x80000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_cmdline_null_and_empty, setup),
		cmocka_unit_test_setup(test_cmdline_blanks, setup),
		cmocka_unit_test_setup(test_cmdline_other_words, setup),
		cmocka_unit_test_setup(test_cmdline_number_forms, setup),
		cmocka_unit_test_setup(test_cmdline_bad_numbers, setup),
		cmocka_unit_test_setup(test_cmdline_largest, setup),
		cmocka_unit_test_setup(test_cmdline_memmap_items, setup),
		cmocka_unit_test_setup(test_cmdline_memmap_errors, setup),
		cmocka_unit_test_setup(test_cmdline_too_many_options, setup),
		cmocka_unit_test_setup(test_cmdline_map_fills, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
