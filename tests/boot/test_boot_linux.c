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

/* How pmm learns a 32-bit log's lowmem boundary. */
enum lowmem_from {
	LOWMEM_LOG,     /* its own lines (pmm_linux_log_lowmem), as pmm-sim does */
	LOWMEM_COMPUTE, /* MAXMEM for its command line's vmalloc= only */
};

/* The log's user-defined map, if it has one, must be pmm's own result. */
static void check_user_map(const char *text, size_t len)
{
	static struct pmm_memmap user;
	struct pmm_parse_error err = { 0, "" };
	unsigned int index;
	char msg[192];
	assert_int_equal(pmm_memmap_parse_log_map(&user, text, len, "user:", &err), 0);
	if (user.nr && pmm_memmap_diff(&user, &map, &index, msg, sizeof(msg)) != 0)
		fail_msg("user-defined map differs: %s", msg);
}

/*
 * Boot pmm on @text as pmm-sim does on a Linux log: x86_64, or i386 with
 * the lowmem boundary @from the log's lines or computed.
 */
static void boot_log(const char *text, size_t len, enum pmm_profile profile,
		     enum lowmem_from from)
{
	static char cmdline[4096];
	struct pmm_parse_error err = { 0, "" };
	struct pmm_boot_config cfg;
	pmm_boot_config_init(&cfg);
	pmm_memmap_init(&map);
	assert_int_equal(pmm_memmap_parse_dmesg(&map, text, len, &err), 0);
	if (pmm_linux_log_cmdline(text, len, cmdline, sizeof(cmdline)) >= 0) {
		assert_int_equal(pmm_memmap_apply_cmdline(&map, cmdline, &err), 0);
		assert_int_equal(pmm_linux_cmdline_vmalloc(cmdline, &cfg.vmalloc_reserve,
							   &err), 0);
	}
	check_user_map(text, len);
	assert_int_equal(pmm_memmap_apply_log_edits(&map, text, len, &err), 0);
	if (from == LOWMEM_LOG)
		assert_int_equal(pmm_linux_log_lowmem(text, len, &cfg.lowmem_end, &err), 0);
	cfg.profile = profile;
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

static void check_watermarks(const char *name, const char *text,
			     enum pmm_profile profile);

/*
 * The "NNNK highmem" ("NNNk" in 2.6) of a 32-bit log's "Memory:" line (HighMem's pages, all
 * managed: the kernel reserves nothing there) and its "NNNMB HIGHMEM
 * available." line against pmm's HighMem.
 */
static void check_highmem_total(const char *text, enum pmm_profile profile)
{
	const char *mem = strstr(text, "] Memory: ");
	const char *close = mem ? strstr(mem, "K highmem)") : NULL;
	if (mem && !close)
		close = strstr(mem, "k highmem)"); /* 2.6's */
	const char *avail = strstr(text, "MB HIGHMEM available.");
	if (profile != PMM_PROFILE_I386) {
		assert_null(avail);
		return;
	}
	assert_non_null(close);
	assert_non_null(avail);
	while (close[-1] >= '0' && close[-1] <= '9')
		close--;
	while (avail[-1] >= '0' && avail[-1] <= '9')
		avail--;
	assert_int_equal(info.highmem_pages * (PMM_PAGE_SIZE / 1024), strtoull(close, NULL, 10));
	assert_int_equal((info.max_pfn - info.max_low_pfn) >> (20 - PMM_PAGE_SHIFT),
			 strtoull(avail, NULL, 10));
}

static void check_log_as(const char *name, enum pmm_profile profile,
			 enum lowmem_from from)
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
	boot_log(text, len, profile, from);
	read_zoneinfo(text, "=== /proc/zoneinfo ===");
	check_zones(name);
	assert_true(memmap_data_memory_k(text, len, &total_k, &absent_k));
	assert_int_equal(info.present_pages * (PMM_PAGE_SIZE / 1024), total_k);
	check_highmem_total(text, profile);
	host_platform_remove();
	check_watermarks(name, text, profile);
	free(text);
}

static void check_log(const char *name)
{
	check_log_as(name, PMM_PROFILE_X86_64, LOWMEM_LOG);
}

/* The log's "min_free_kbytes: N" line. */
static uint64_t log_min_free_kbytes(const char *text)
{
	const char *p = strstr(text, "min_free_kbytes: ");
	assert_non_null(p);
	return strtoull(p + 17, NULL, 10);
}

/* Linux's watermarks and protection against pmm_wmark_compute()'s. */
static void check_watermarks(const char *name, const char *text,
			     enum pmm_profile profile)
{
	static struct pmm_wmark_zone wz[64];
	struct pmm_wmark_params prm;
	uint64_t mfk = log_min_free_kbytes(text);
	if (profile == PMM_PROFILE_I386)
		pmm_wmark_params_init_i386(&prm);
	else
		pmm_wmark_params_init(&prm);
	read_zoneinfo(text, "=== /proc/zoneinfo after rewriting");
	/*
	 * Linux's movable_zone is the highest zone that spans pages: HighMem
	 * on a 32-bit machine with highmem, and then Movable counts as
	 * highmem too (is_highmem_idx()); its min is SWAP_CLUSTER_MAX even
	 * when empty.
	 */
	bool movable_is_high = false;
	for (unsigned int i = 0; i < nr_lz; i++)
		movable_is_high |= strcmp(lz[i].name, "HighMem") == 0 && lz[i].spanned;
	for (unsigned int i = 0; i < nr_lz; i++) {
		wz[i] = (struct pmm_wmark_zone){ .node = lz[i].node,
			.idx = i && lz[i - 1].node == lz[i].node ? wz[i - 1].idx + 1 : 0,
			.highmem = strcmp(lz[i].name, "HighMem") == 0 ||
				   (movable_is_high && strcmp(lz[i].name, "Movable") == 0),
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
	 * (q35-1g-memmap, and every 32-bit log: their lowmem is under 1 GiB):
	 * Linux took that cap from the managed pages of its late initcalls,
	 * before the init sections were freed, which no log shows; from the
	 * later pages pmm's cap is a little higher.
	 */
	if (strcmp(name, "q35-1g-memmap") == 0 || profile == PMM_PROFILE_I386)
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

/*
 * Debian's 32-bit kernels: the i386 profile with the boundary from the
 * log's own lines ("low ram", the HighMem zone, "LOWMEM available"), and
 * for the non-PAE "686" kernel, whose PKMAP_BASE is pmm's, also computed
 * from vmalloc= alone: the same DMA, Normal and HighMem zones either way.
 */
#define I386_CASE(fn, name, from) \
	static void fn(void **state) { (void)state; check_log_as(name, PMM_PROFILE_I386, from); }

I386_CASE(test_boot_linux_i386_1g, "i386-1g", LOWMEM_LOG)
I386_CASE(test_boot_linux_i386_1g_computed, "i386-1g", LOWMEM_COMPUTE)
I386_CASE(test_boot_linux_i386_2g_vmalloc256m, "i386-2g-vmalloc256m", LOWMEM_LOG)
I386_CASE(test_boot_linux_i386_2g_vmalloc256m_computed, "i386-2g-vmalloc256m", LOWMEM_COMPUTE)
I386_CASE(test_boot_linux_i386_pae_2g, "i386-pae-2g", LOWMEM_LOG)
I386_CASE(test_boot_linux_i386_pae_3g_vmalloc64m, "i386-pae-3g-vmalloc64m", LOWMEM_LOG)
I386_CASE(test_boot_linux_i386_pae_2g_vmalloc400m, "i386-pae-2g-vmalloc400m", LOWMEM_LOG)
I386_CASE(test_boot_linux_i386_pae_3g_memmap, "i386-pae-3g-memmap", LOWMEM_LOG)

/* The sum of the log's "On node N totalpages: X" lines. */
static uint64_t log_totalpages(const char *text)
{
	uint64_t sum = 0;
	for (const char *p = text; (p = strstr(p, " totalpages: ")) != NULL; p++)
		sum += strtoull(p + 13, NULL, 10);
	return sum;
}

/*
 * The text of the last real log booted: kept here, not by the caller, so
 * that a failed assertion (a machine too big for valgrind's address space)
 * leaks nothing; the next call frees it.
 */
static char *real_text;

/* Boot a real log of tests/data as pmm-sim does; Return: its text. */
static const char *boot_real_log(const char *name, enum pmm_profile profile,
				 uint64_t *total_k, uint64_t *absent_k)
{
	size_t len;
	free(real_text);
	char *text = real_text = memmap_data_read(name, &len);
	assert_non_null(text);
	*total_k = *absent_k = 0;
	assert_true(memmap_data_memory_k(text, len, total_k, absent_k));
	if (sizeof(void *) == 4 && *total_k > (1 << 20)) {
		print_message("skipped: %s: a 32-bit host cannot back its RAM\n", name);
		skip();
	}
	boot_log(text, len, profile, LOWMEM_LOG);
	return text;
}

/*
 * The real logs of tests/data give Linux's own present total, as each era
 * prints it: x86_64 "Memory: A/B" with B the present memory (2.6.32: B is
 * max_pfn and "Ck absent" the holes, so B - C).
 */
static void check_real_log_x86_64(const char *name)
{
	uint64_t total_k, absent_k;
	boot_real_log(name, PMM_PROFILE_X86_64, &total_k, &absent_k);
	assert_int_equal(info.present_pages * (PMM_PAGE_SIZE / 1024), total_k - absent_k);
	host_platform_remove();
}

static void test_boot_linux_real_dell_2_6_32(void **state)
{
	(void)state;
	check_real_log_x86_64("02-dell-pe2850-centos6-2.6.32-oldfmt.txt");
}

static void test_boot_linux_real_supermicro_5_0(void **state)
{
	(void)state;
	check_real_log_x86_64("04-supermicro-h8qg6-8node-type9-5.0.txt");
}

static void test_boot_linux_real_framework_6_3(void **state)
{
	(void)state;
	check_real_log_x86_64("16-framework-12thgen-type20-6.3.txt");
}

/*
 * 2.6.35, 32-bit, non-PAE, 4.75 GiB: the "e820 update range" lines (64K
 * of low RAM reserved for a BIOS that corrupts it) make Linux's node start
 * at pfn 0x10; "low ram" ends lowmem at 0x377fe. pmm must give the log's
 * totalpages, its zones (memmap pages + pages of each "zone:" pair), its
 * "2439MB HIGHMEM" and "2498056k highmem", and its "modified physical RAM
 * map"; the "Memory:" total of a 32-bit 2.6 kernel is max_pfn (holes in).
 */
static void test_boot_linux_real_asus_2_6_35_i386(void **state)
{
	static struct pmm_memmap modified;
	struct pmm_parse_error err = { 0, "" };
	uint64_t total_k, absent_k;
	unsigned int index;
	char msg[192];
	(void)state;
	const char *text = boot_real_log("37-asus-turion-i686-nonpae-highmem-2.6.35.txt",
				   PMM_PROFILE_I386, &total_k, &absent_k);
	assert_int_equal(info.present_pages, log_totalpages(text));
	assert_int_equal(info.present_pages, 851727);
	assert_int_equal(info.max_pfn * (PMM_PAGE_SIZE / 1024), total_k);
	assert_int_equal(info.max_low_pfn, 0x377fe);
	assert_int_equal(pmm_nodes[0].zones[PMM_ZONE_DMA].present, 32 + 3951);
	assert_int_equal(pmm_nodes[0].zones[PMM_ZONE_NORMAL].present, 1744 + 221486);
	assert_int_equal(pmm_nodes[0].zones[PMM_ZONE_HIGHMEM].present, 4880 + 619634);
	check_highmem_total(text, PMM_PROFILE_I386);
	host_platform_remove();
	/* the modified map is the BIOS map with the log's edits replayed */
	size_t len = strlen(text);
	pmm_memmap_init(&map);
	assert_int_equal(pmm_memmap_parse_dmesg(&map, text, len, &err), 0);
	assert_int_equal(pmm_memmap_apply_log_edits(&map, text, len, &err), 0);
	assert_int_equal(pmm_memmap_parse_log_map(&modified, text, len, "modified:", &err), 0);
	assert_int_equal(modified.nr, 10);
	if (pmm_memmap_diff(&modified, &map, &index, msg, sizeof(msg)) != 0)
		fail_msg("modified map differs: %s", msg);
}

/*
 * 4.9, 32-bit PAE, 9.5 GiB: the HighMem zone line ends lowmem at 0x339fe
 * (825MB). pmm's i386 profile has no PAE, so the 5.5 GiB above 4 GiB are
 * dropped: pmm's present pages and those dropped are Linux's totalpages.
 */
static void test_boot_linux_real_aquarius_4_9_pae(void **state)
{
	uint64_t total_k, absent_k;
	(void)state;
	const char *text = boot_real_log("36-aquarius-s5000psl-i686-pae-highmem-9g-4.9.txt",
				   PMM_PROFILE_I386, &total_k, &absent_k);
	assert_int_equal(info.max_low_pfn, 0x339fe);
	assert_int_equal(pmm_nodes[0].zones[PMM_ZONE_NORMAL].spanned, 0x339fe - 0x1000);
	assert_int_equal(info.present_pages + (info.dropped_bytes >> PMM_PAGE_SHIFT),
			 log_totalpages(text));
	assert_int_equal((info.present_pages + (info.dropped_bytes >> PMM_PAGE_SHIFT)) *
			 (PMM_PAGE_SIZE / 1024), total_k);
	host_platform_remove();
}

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
		cmocka_unit_test(test_boot_linux_i386_1g),
		cmocka_unit_test(test_boot_linux_i386_1g_computed),
		cmocka_unit_test(test_boot_linux_i386_2g_vmalloc256m),
		cmocka_unit_test(test_boot_linux_i386_2g_vmalloc256m_computed),
		cmocka_unit_test(test_boot_linux_i386_pae_2g),
		cmocka_unit_test(test_boot_linux_i386_pae_3g_vmalloc64m),
		cmocka_unit_test(test_boot_linux_i386_pae_2g_vmalloc400m),
		cmocka_unit_test(test_boot_linux_i386_pae_3g_memmap),
		cmocka_unit_test(test_boot_linux_real_dell_2_6_32),
		cmocka_unit_test(test_boot_linux_real_supermicro_5_0),
		cmocka_unit_test(test_boot_linux_real_framework_6_3),
		cmocka_unit_test(test_boot_linux_real_asus_2_6_35_i386),
		cmocka_unit_test(test_boot_linux_real_aquarius_4_9_pae),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
