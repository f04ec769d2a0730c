/* SPDX-License-Identifier: MIT */
/*
 * test_memmap_linux7.c - the e820 labels of Linux 7.0 boot logs
 * ("System RAM", "device reserved", "persistent RAM (type 12)", two spaces
 * before the label) and its "[gap ...]" lines, next to the older labels;
 * pmm_memmap_parse_dmesg() reads such a log like an older one.
 *
 * No Linux 7.0 kernel runs here (Debian 12 ships 6.1), so the 7.0 text is
 * made from a captured 6.1 log (tests/data/firmware/qemu-x86-numa2.log) by
 * relabelling its e820 lines the way 7.0 prints them, gaps included; both
 * must give the same map.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <pmm/firmware.h>
#include "memmap_data.h"

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

/* Rewrite the 6.1 e820 lines of @old as 7.0 prints them, gaps between. */
static char *as_linux7(const char *old, size_t len, size_t *out_len)
{
	char *out = malloc(len * 3 + 1);
	const char *p = old, *end = old + len;
	unsigned long long prev_end = 0;
	size_t n = 0;

	assert_non_null(out);
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t l = nl ? (size_t)(nl - p) : (size_t)(end - p);
		unsigned long long a, b;
		char label[32];
		const char *e = memmem(p, l, "BIOS-e820: [mem ", 16);

		if (e && sscanf(e, "BIOS-e820: [mem %llx-%llx] %31[^\n]", &a, &b, label) == 3) {
			const char *l7 = strcmp(label, "usable") == 0 ? "System RAM" :
					 strcmp(label, "reserved") == 0 ? "device reserved" : label;

			if (a > prev_end)
				n += (size_t)sprintf(out + n, "[    0.000000] BIOS-e820: [gap 0x%016llx-0x%016llx]\n",
						     prev_end, a - 1);
			n += (size_t)sprintf(out + n, "[    0.000000] BIOS-e820: [mem 0x%016llx-0x%016llx]  %s\n",
					     a, b, l7);
			prev_end = b + 1;
		} else {
			memcpy(out + n, p, l);
			n += l;
			out[n++] = '\n';
		}
		p += l + 1;
	}
	*out_len = n;
	return out;
}

/* The captured SeaBIOS map, printed as 6.1 and as 7.0 would: one map. */
static void test_memmap_linux7_dmesg_same_map(void **state)
{
	static struct pmm_memmap m6, m7;
	size_t len, len7;
	char *text = memmap_data_read("firmware/qemu-x86-numa2.log", &len);
	char *text7;

	(void)state;
	assert_non_null(text);
	text7 = as_linux7(text, len, &len7);
	assert_non_null(strstr(text7, "]  System RAM\n"));
	assert_non_null(strstr(text7, "BIOS-e820: [gap "));
	pmm_memmap_init(&m6);
	pmm_memmap_init(&m7);
	assert_int_equal(pmm_memmap_parse_dmesg(&m6, text, len, NULL), 0);
	assert_int_equal(pmm_memmap_parse_dmesg(&m7, text7, len7, NULL), 0);
	assert_int_equal(m7.nr, m6.nr);
	assert_memory_equal(&m7, &m6, sizeof(m6));
	free(text);
	free(text7);
}

/*
 *   0      9ffff 100000        7fffffff      100000000    13fffffff
 *   |RAM   |gap  |RAM          | gap ...      |persistent  |
 */
static void test_memmap_linux7_dmesg_labels(void **state)
{
	static const char log[] =
		"[    0.000000] BIOS-provided physical RAM map:\n"
		"[    0.000000] BIOS-e820: [mem 0x0000000000000000-0x000000000009ffff]  System RAM\n"
		"[    0.000000] BIOS-e820: [gap 0x00000000000a0000-0x00000000000fffff]\n"
		"[    0.000000] BIOS-e820: [mem 0x0000000000100000-0x000000007fffffff]  System RAM\n"
		"[    0.000000] BIOS-e820: [gap 0x0000000080000000-0x00000000fed1ffff]\n"
		"[    0.000000] BIOS-e820: [mem 0x00000000fed20000-0x00000000fed7ffff]  device reserved\n"
		"[    0.000000] BIOS-e820: [mem 0x0000000100000000-0x000000013fffffff]  persistent RAM (type 12)\n"
		"[    0.000000] NX (Execute Disable) protection: active\n"
		"[    0.000100] e820: update [mem 0x00000000-0x00000fff] System RAM ==> device reserved\n";
	static struct pmm_memmap m;

	(void)state;
	pmm_memmap_init(&m);
	assert_int_equal(pmm_memmap_parse_dmesg(&m, log, sizeof(log) - 1, NULL), 0);
	assert_int_equal(m.nr, 4);
	assert_int_equal(m.entry[0].end, 0xa0000);
	assert_int_equal(m.entry[0].type, PMM_MEM_USABLE);
	assert_int_equal(m.entry[1].start, 0x100000);
	assert_int_equal(m.entry[2].type, PMM_MEM_RESERVED);
	assert_int_equal(m.entry[3].type, PMM_MEM_PRAM);
	assert_int_equal(m.ignored_maps, 0);
}

/* An unknown 7.0-style label is refused with the line and the text. */
static void test_memmap_linux7_dmesg_unknown(void **state)
{
	static const char log[] =
		"BIOS-e820: [mem 0x0000000000000000-0x000000000009ffff]  Quantum RAM\n";
	static struct pmm_memmap m;
	struct pmm_parse_error err;

	(void)state;
	pmm_memmap_init(&m);
	assert_int_equal(pmm_memmap_parse_dmesg(&m, log, sizeof(log) - 1, &err),
			 PMM_EPARSE);
	assert_int_equal(err.line, 1);
	assert_string_equal(err.msg, "line 1: BIOS-e820: unknown type 'Quantum RAM'");
	assert_int_equal(m.nr, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_memmap_linux7_labels),
		cmocka_unit_test(test_memmap_linux7_unknown),
		cmocka_unit_test(test_memmap_linux7_gap),
		cmocka_unit_test(test_memmap_linux7_dmesg_same_map),
		cmocka_unit_test(test_memmap_linux7_dmesg_labels),
		cmocka_unit_test(test_memmap_linux7_dmesg_unknown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
