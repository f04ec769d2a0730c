/* SPDX-License-Identifier: MIT */
/*
 * test_boot_linux.c - pmm against Linux itself. Each log in tests/data/linux
 * is Debian's Linux 6.1 booted under QEMU (tests/data/linux/README.md).
 * pmm boots on the log's own lines, as `pmm-sim boot --map LOG --profile
 * x86_64` does (BIOS-e820 and SRAT lines, the log's command line, its e820
 * update/remove lines), and must give exactly Linux's:
 *
 *   - spanned and present pages of every zone of every node (zoneinfo);
 *   - total of the "Memory: X/YK available" line (Y: present pages);
 *   - min, low, high and protection of every zone, computed by
 *     pmm_wmark_compute() from the managed pages and min_free_kbytes of
 *     the log's second zoneinfo (taken after Linux recomputed them);
 *   - min_free_kbytes itself from those managed pages (THP's rule).
 *
 * Linux's zones Movable and Device and its empty zones must be empty in
 * pmm too. docs/linux-exactness.md says why the rest (managed pages, the
 * "Memory:" line's X) cannot match.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <pmm/pmm.h>
#include <pmm/cmdline.h>
#include <pmm/watermark.h>

#include "host_platform.h"
#include "memmap_data.h"

#define GiB ((uint64_t)1 << 30)

/* One "Node N, zone NAME" block of a Linux /proc/zoneinfo. */
struct linux_zone {
	int node;
	char name[16];
	uint64_t spanned, present, managed, min, low, high;
	uint64_t protection[8];
	unsigned int nr_protection;
};

static struct pmm_memmap map;
static struct pmm_boot_info info;
static struct linux_zone lz[64];
static unsigned int nr_lz;

/* The text after the line holding @marker, or NULL. */
static const char *after(const char *text, const char *marker)
{
	const char *p = strstr(text, marker);
	return p ? strchr(p, '\n') : NULL;
}

/* Read one "key value" line of a zone block into @z. */
static void read_zone_field(struct linux_zone *z, const char *line)
{
	unsigned long long v;
	char key[32];
	if (sscanf(line, " protection: (%llu", &v) == 1) {
		const char *p = strchr(line, '(') + 1;
		for (z->nr_protection = 0; z->nr_protection < 8 && *p && *p != ')';) {
			z->protection[z->nr_protection++] = strtoull(p, (char **)&p, 10);
			p += strspn(p, ", ");
		}
		return;
	}
	if (sscanf(line, " %31s %llu", key, &v) != 2)
		return;
	uint64_t *f = strcmp(key, "spanned") == 0 ? &z->spanned
		: strcmp(key, "present") == 0 ? &z->present
		: strcmp(key, "managed") == 0 ? &z->managed
		: strcmp(key, "min") == 0 ? &z->min
		: strcmp(key, "low") == 0 ? &z->low
		: strcmp(key, "high") == 0 ? &z->high : NULL;
	if (f)
		*f = v;
}

/* Collect the zone blocks of the zoneinfo that follows @marker in @text. */
static void read_zoneinfo(const char *text, const char *marker)
{
	const char *p = after(text, marker);
	struct linux_zone *z = NULL;
	assert_non_null(p);
	nr_lz = 0;
	for (p++; *p && strncmp(p, "===", 3) != 0; p = strchr(p, '\n') + 1) {
		int node;
		char name[16];
		if (sscanf(p, "Node %d, zone %15s", &node, name) == 2) {
			assert_true(nr_lz < 64);
			z = &lz[nr_lz++];
			memset(z, 0, sizeof(*z));
			z->node = node;
			strcpy(z->name, name);
		} else if (z) {
			read_zone_field(z, p);
		}
		if (!strchr(p, '\n'))
			break;
	}
	assert_true(nr_lz > 0);
}

/* pmm's zone of that node and name, or NULL (Movable, Device, absent). */
static const struct pmm_zone *pmm_zone_named(int node, const char *name)
{
	if (node < 0 || node >= PMM_MAX_NUMNODES || !pmm_nodes[node].online)
		return NULL;
	for (int t = 0; t < PMM_NR_ZONES; t++) {
		const struct pmm_zone *z = &pmm_nodes[node].zones[t];
		if (z->initialized && strcmp(pmm_zone_name(z->type), name) == 0)
			return z;
	}
	return NULL;
}

/* Boot pmm on @text as pmm-sim does on a Linux log (x86_64 profile). */
static void boot_log(const char *text, size_t len)
{
	static char cmdline[4096];
	struct pmm_parse_error err = { 0, "" };
	struct pmm_boot_config cfg;
	pmm_memmap_init(&map);
	assert_int_equal(pmm_memmap_parse_dmesg(&map, text, len, &err), 0);
	if (pmm_linux_log_cmdline(text, len, cmdline, sizeof(cmdline)) >= 0)
		assert_int_equal(pmm_memmap_apply_cmdline(&map, cmdline, &err), 0);
	assert_int_equal(pmm_memmap_apply_log_edits(&map, text, len, &err), 0);
	pmm_boot_config_init(&cfg);
	cfg.profile = PMM_PROFILE_X86_64;
	cfg.quiet = true;
	cfg.kernel_code = (struct pmm_phys_range){ 16 << 20, 20 << 20 };
	cfg.kernel_data = (struct pmm_phys_range){ 20 << 20, 22 << 20 };
	cfg.init = (struct pmm_phys_range){ 22 << 20, 23 << 20 };
	struct host_platform_options o = {
		.phys_size = pmm_memmap_end_of_ram(&map), .quiet = true, .quiet_reports = true,
	};
	assert_int_equal(host_platform_install(&o), 0);
	assert_int_equal(pmm_boot(&map, &cfg, &info), 0);
}

/* Every zone of Linux's zoneinfo: the same span and present pages in pmm. */
static void check_zones(const char *name)
{
	uint64_t linux_zones = 0, pmm_zones = 0;
	for (unsigned int i = 0; i < nr_lz; i++) {
		const struct pmm_zone *z = pmm_zone_named(lz[i].node, lz[i].name);
		uint64_t spanned = z ? z->spanned : 0, present = z ? z->present : 0;
		if (spanned != lz[i].spanned || present != lz[i].present)
			fail_msg("%s: node %d zone %s: pmm spanned %llu present %llu, "
				 "Linux %llu and %llu", name, lz[i].node, lz[i].name,
				 (unsigned long long)spanned, (unsigned long long)present,
				 (unsigned long long)lz[i].spanned,
				 (unsigned long long)lz[i].present);
		linux_zones += lz[i].present != 0;
	}
	const struct pmm_zone *z;
	pmm_for_each_zone(z)
		pmm_zones += z->present != 0;
	assert_int_equal(pmm_zones, linux_zones);
}

static void check_watermarks(const char *name, const char *text);

static void check_log(const char *name)
{
	size_t len;
	char path[128];
	uint64_t total_k = 0, absent_k = 0;
	snprintf(path, sizeof(path), "linux/%s.log", name);
	char *text = memmap_data_read(path, &len);
	assert_non_null(text);
	if (sizeof(void *) == 4 && memmap_data_memory_k(text, len, &total_k, &absent_k) &&
	    total_k > (1 << 20)) {
		free(text);
		print_message("skipped: %s: a 32-bit host cannot back its RAM\n", name);
		skip();
	}
	boot_log(text, len);
	read_zoneinfo(text, "=== /proc/zoneinfo ===");
	check_zones(name);
	assert_true(memmap_data_memory_k(text, len, &total_k, &absent_k));
	assert_int_equal(info.present_pages * (PMM_PAGE_SIZE / 1024), total_k);
	host_platform_remove();
	check_watermarks(name, text);
	free(text);
}

/* The log's "min_free_kbytes: N" line. */
static uint64_t log_min_free_kbytes(const char *text)
{
	const char *p = strstr(text, "min_free_kbytes: ");
	assert_non_null(p);
	return strtoull(p + 17, NULL, 10);
}

/* Linux's watermarks and protection against pmm_wmark_compute()'s. */
static void check_watermarks(const char *name, const char *text)
{
	static struct pmm_wmark_zone wz[64];
	struct pmm_wmark_params prm;
	uint64_t mfk = log_min_free_kbytes(text);
	pmm_wmark_params_init(&prm);
	read_zoneinfo(text, "=== /proc/zoneinfo after rewriting");
	for (unsigned int i = 0; i < nr_lz; i++) {
		wz[i] = (struct pmm_wmark_zone){ .node = lz[i].node,
			.idx = i && lz[i - 1].node == lz[i].node ? wz[i - 1].idx + 1 : 0,
			.highmem = strcmp(lz[i].name, "HighMem") == 0,
			.managed = lz[i].managed };
	}
	pmm_wmark_compute(wz, nr_lz, mfk, &prm);
	for (unsigned int i = 0; i < nr_lz; i++) {
		const struct linux_zone *l = &lz[i];
		if (wz[i].min != l->min || wz[i].low != l->low || wz[i].high != l->high)
			fail_msg("%s: node %d zone %s: pmm min/low/high %llu/%llu/%llu, "
				 "Linux %llu/%llu/%llu", name, l->node, l->name,
				 (unsigned long long)wz[i].min, (unsigned long long)wz[i].low,
				 (unsigned long long)wz[i].high, (unsigned long long)l->min,
				 (unsigned long long)l->low, (unsigned long long)l->high);
		assert_int_equal(l->nr_protection, prm.nr_zones);
		for (unsigned int j = 0; j < l->nr_protection; j++)
			if (wz[i].protection[j] != l->protection[j])
				fail_msg("%s: node %d zone %s: protection[%u] pmm %llu, Linux %llu",
					 name, l->node, l->name, j,
					 (unsigned long long)wz[i].protection[j],
					 (unsigned long long)l->protection[j]);
	}
	uint64_t pmm_mfk = pmm_wmark_min_free_kbytes(wz, nr_lz, &prm);
	/*
	 * Exact unless THP's recommendation is capped at free buffer pages / 20
	 * (q35-1g-memmap): Linux took that cap from the managed pages of its
	 * late initcalls, before the init sections were freed, which no log
	 * shows; from the later pages pmm's cap is a little higher.
	 */
	if (strcmp(name, "q35-1g-memmap") == 0)
		assert_true(pmm_mfk >= mfk && pmm_mfk - mfk < mfk / 50);
	else
		assert_int_equal(pmm_mfk, mfk);
}

#define LOG_CASE(fn, name) \
	static void fn(void **state) { (void)state; check_log(name); }

LOG_CASE(test_boot_linux_pc_1g, "pc-1g")
LOG_CASE(test_boot_linux_q35_3g, "q35-3g")
LOG_CASE(test_boot_linux_pc_5g_numa2, "pc-5g-numa2")
LOG_CASE(test_boot_linux_q35_9g_numa3, "q35-9g-numa3")
LOG_CASE(test_boot_linux_pc_3g_mem2g, "pc-3g-mem2g")
LOG_CASE(test_boot_linux_q35_1g_memmap, "q35-1g-memmap")
LOG_CASE(test_boot_linux_pc_2g_exactmap, "pc-2g-exactmap")

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_boot_linux_pc_1g),
		cmocka_unit_test(test_boot_linux_q35_3g),
		cmocka_unit_test(test_boot_linux_pc_5g_numa2),
		cmocka_unit_test(test_boot_linux_q35_9g_numa3),
		cmocka_unit_test(test_boot_linux_pc_3g_mem2g),
		cmocka_unit_test(test_boot_linux_q35_1g_memmap),
		cmocka_unit_test(test_boot_linux_pc_2g_exactmap),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
