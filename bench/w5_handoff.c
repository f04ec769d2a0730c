/* SPDX-License-Identifier: MIT */
/*
 * w5_handoff.c - W5: the hand-off of all free memory to the buddy
 * allocator at 1 GiB .. 1 TiB, with each early allocator, through
 * pmm_boot().
 *
 * The machine is one node: usable [1 MiB, min(size, 3 GiB)), a PCI hole up
 * to 4 GiB, the rest above 4 GiB; the kernel image at 16 MiB. The figure is
 * pmm_boot()'s own hand-off time (info.handoff_ns). Beside it:
 *   - the seed's page-by-page hand-off (Linux 2.4: every page freed alone
 *     with refcount 1 through the free path, so coalescing happens page by
 *     page), on pmm's allocator through pmm_buddy_handoff_range() one page
 *     at a time, up to opts.w5_seed_max_gib;
 *   - pmm_buddy_handoff_range() of the whole size in one call: the buddy
 *     allocator's share of the hand-off, without the early allocator;
 *   - the cost a kernel pays and the simulator does not: zeroing the
 *     descriptor array (memset of max_pfn descriptors, timed; the bench
 *     hands pmm_boot() that zeroed array through the platform's
 *     memmap_alloc hook, already faulted in, so that the hand-off time
 *     holds no host page faults).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pmm/boot.h>
#include <pmm/buddy.h>
#include <pmm/check.h>

#include "bench.h"
#include "host_platform.h"
#include "machine.h"

#define GIB ((pmm_phys_t)1 << 30)
#define MIB ((pmm_phys_t)1 << 20)

static uint64_t zero_ns; /* the last memmap zeroing [ns] */

/* memmap_alloc hook: the bench's own buffer, zeroed here and timed. */
static void *bench_memmap_alloc(void *ctx, size_t bytes, bool *zeroed)
{
	(void)ctx;
	void *p = bench_buf_get(BENCH_BUF_BOOT_MAP, bytes);
	*zeroed = p != NULL;
	if (!p)
		return NULL;
	uint64_t t0 = bench_now_ns();
	bench_zero(p, bytes);
	zero_ns = bench_now_ns() - t0;
	return p;
}

static pmm_phys_t machine_map(struct pmm_memmap *m, unsigned int gib)
{
	pmm_phys_t size = (pmm_phys_t)gib * GIB;
	pmm_phys_t low = size < 3 * GIB ? size : 3 * GIB;
	pmm_memmap_init(m);
	pmm_memmap_add(m, 0, 0x9fc00, PMM_MEM_USABLE);
	pmm_memmap_add(m, 0x9fc00, MIB, PMM_MEM_RESERVED);
	pmm_memmap_add(m, MIB, low, PMM_MEM_USABLE);
	if (size <= 3 * GIB)
		return low;
	pmm_memmap_add(m, 3 * GIB, 4 * GIB, PMM_MEM_RESERVED);
	pmm_memmap_add(m, 4 * GIB, 4 * GIB + size - 3 * GIB, PMM_MEM_USABLE);
	return 4 * GIB + size - 3 * GIB;
}

/*
 * Boot @map (RAM up to @end) with @early, the retirement on @cpus threads
 * (0: no run_on_cpus hook), the descriptors in the bench's faulted-in
 * buffer; *@total_ns: the whole pmm_boot(). Return: 0 or an error.
 */
static int boot_map(struct pmm_memmap *map, pmm_phys_t end, enum pmm_early early,
		    unsigned int cpus, struct pmm_boot_info *info,
		    uint64_t *total_ns)
{
	struct host_platform_options ho = {
		.phys_size = end, .quiet = true, .quiet_reports = false,
		.cpus = cpus, .cpus_online = cpus >= 2,
	};
	if (host_platform_install(&ho) != 0)
		return PMM_ENOMEM;
	struct pmm_platform p = *pmm_platform_get();
	p.memmap_alloc = bench_memmap_alloc;
	pmm_platform_set(&p);
	pmm_zones_reset();
	struct pmm_boot_config cfg;
	pmm_boot_config_init(&cfg);
	cfg.profile = PMM_PROFILE_X86_64;
	cfg.early = early;
	cfg.kernel_code = (struct pmm_phys_range){ 16 * MIB, 24 * MIB };
	cfg.kernel_data = (struct pmm_phys_range){ 24 * MIB, 28 * MIB };
	cfg.init = (struct pmm_phys_range){ 28 * MIB, 29 * MIB };
	cfg.quiet = true;
	memset(info, 0, sizeof(*info));
	zero_ns = 0;
	uint64_t t0 = bench_now_ns();
	int err = pmm_boot(map, &cfg, info);
	*total_ns = bench_now_ns() - t0;
	return err;
}

/* Boot the one-node @gib machine with @early; Return: 0 or an error. */
static int boot_once(unsigned int gib, enum pmm_early early,
		     struct pmm_boot_info *info, uint64_t *total_ns)
{
	static struct pmm_memmap map;
	pmm_phys_t end = machine_map(&map, gib);
	return boot_map(&map, end, early, 0, info, total_ns);
}

static const char *boot_verify(unsigned int gib, const struct pmm_boot_info *info,
			       uint64_t *free_pages)
{
	static char msg[160];
	*free_pages = pmm_nr_free_pages();
	if (host_report_count()) {
		snprintf(msg, sizeof(msg), "pmm reported: %s", host_last_report_msg());
		return msg;
	}
	if (*free_pages == 0 || *free_pages > info->present_pages)
		return "free pages out of bounds after boot";
	if (gib <= 16) {
		const char *bad = pmm_check();
		if (bad) {
			snprintf(msg, sizeof(msg), "pmm_check: %s", bad);
			return msg;
		}
	}
	return NULL;
}

/* The seed's hand-off of @pages pages, one page at a time [ns]. */
static uint64_t seed_handoff(uint64_t pages, const char **error)
{
	*error = NULL;
	if (bench_pmm_arena(pages, false) != 0) {
		*error = "arena setup failed";
		return 0;
	}
	pmm_pfn_t end = BENCH_ARENA_BASE + pages;
	uint64_t freed = 0;
	uint64_t t0 = bench_now_ns();
	for (pmm_pfn_t pfn = BENCH_ARENA_BASE; pfn < end; pfn++)
		pmm_buddy_handoff_range(pfn, pfn + 1, &freed);
	uint64_t ns = bench_now_ns() - t0;
	if (freed != pages || pmm_nr_free_pages() != pages)
		*error = "page-by-page hand-off lost pages";
	return ns;
}

/*
 * The buddy allocator's part alone: pmm_buddy_handoff_range() of one
 * arena of @gib GiB in one call (no early allocator, no scan), into a
 * zeroed, faulted-in descriptor array.
 */
static void w5_range(struct bench_opts *o, unsigned int gib)
{
	struct host_platform_options ho = { .untouchable = true, .quiet = true };
	double v[BENCH_MAX_RUNS];
	uint64_t pages = BENCH_GIB_PAGES * gib;
	host_platform_install(&ho);
	for (unsigned int i = 0; i < o->runs; i++) {
		uint64_t freed = 0;
		if (bench_pmm_arena(pages, false) != 0) {
			o->failures++;
			return;
		}
		uint64_t t0 = bench_now_ns();
		int err = pmm_buddy_handoff_range(BENCH_ARENA_BASE,
						  BENCH_ARENA_BASE + pages, &freed);
		v[i] = (double)(bench_now_ns() - t0);
		if (err || freed != pages || pmm_nr_free_pages() != pages) {
			printf("  %-22s FAILED: %s\n", "pmm-handoff-range",
			       err ? pmm_strerror(err) : "pages lost");
			o->failures++;
			return;
		}
	}
	char notes[128];
	snprintf(notes, sizeof(notes),
		 "size_gib=%u what=pmm_buddy_handoff_range_alone blocks=%llu ns_per_block=%.1f",
		 gib, (unsigned long long)(pages >> PMM_MAX_ORDER),
		 bench_median_d(v, o->runs) / (double)(pages >> PMM_MAX_ORDER));
	bench_figure("W5", "pmm-handoff-range", v, o->runs, 0, notes);
	bench_buf_release(BENCH_BUF_PMM_MAP);
}

static void w5_seed(struct bench_opts *o, unsigned int gib, double *med)
{
	struct host_platform_options ho = { .untouchable = true, .quiet = true };
	double v[BENCH_MAX_RUNS];
	const char *err;
	*med = 0;
	if (gib > o->w5_seed_max_gib)
		return;
	host_platform_install(&ho);
	for (unsigned int i = 0; i < o->runs; i++) {
		bench_progress("W5 seed page-by-page %u GiB: run %u/%u", gib, i + 1, o->runs);
		uint64_t ns = seed_handoff(BENCH_GIB_PAGES * gib, &err);
		if (err) {
			printf("  %-22s FAILED: %s\n", "seed-page-by-page", err);
			o->failures++;
			return;
		}
		v[i] = (double)ns;
	}
	char notes[96];
	snprintf(notes, sizeof(notes), "size_gib=%u baseline=seed ns_per_gib=%.0f",
		 gib, bench_median_d(v, o->runs) / gib);
	bench_figure("W5", "seed-page-by-page", v, o->runs, 0, notes);
	*med = bench_median_d(v, o->runs);
}

static void w5_early(struct bench_opts *o, unsigned int gib, enum pmm_early early,
		     double seed_med, uint64_t *free_pages)
{
	struct pmm_boot_info info;
	double hand[BENCH_MAX_RUNS], zero[BENCH_MAX_RUNS], total[BENCH_MAX_RUNS];
	uint64_t tot;
	const char *name = early == PMM_EARLY_BOOTMEM ? "pmm-bootmem" : "pmm-memblock";
	bench_progress("W5 %s %u GiB: validation boot", name, gib);
	int err = boot_once(gib, early, &info, &tot);
	const char *bad = err ? pmm_strerror(err) : boot_verify(gib, &info, free_pages);
	if (bad) {
		printf("  %-22s VALIDATION FAILED at %u GiB: %s\n", name, gib, bad);
		o->failures++;
		return;
	}
	for (unsigned int i = 0; i < o->runs; i++) {
		bench_progress("W5 %s %u GiB: run %u/%u", name, gib, i + 1, o->runs);
		err = boot_once(gib, early, &info, &tot);
		if (err) {
			printf("  %-22s FAILED: %s\n", name, pmm_strerror(err));
			o->failures++;
			return;
		}
		hand[i] = (double)info.handoff_ns;
		zero[i] = (double)zero_ns;
		total[i] = (double)tot;
	}
	double med = bench_median_d(hand, o->runs);
	char notes[256];
	snprintf(notes, sizeof(notes),
		 "size_gib=%u baseline=seed-page-by-page ms=%.3f ns_per_gib=%.0f free_pages=%llu memmap_zero_ns_in_boot=%llu",
		 gib, med / 1e6, med / gib, (unsigned long long)*free_pages,
		 (unsigned long long)info.memmap_zero_ns);
	bench_figure("W5", name, hand, o->runs, seed_med, notes);
	char zname[40];
	snprintf(notes, sizeof(notes),
		 "size_gib=%u what=memset_of_descriptor_array bytes=%llu ms=%.3f",
		 gib, (unsigned long long)(info.max_pfn * sizeof(struct pmm_page)),
		 bench_median_d(zero, o->runs) / 1e6);
	snprintf(zname, sizeof(zname), "%s-memmap-zero", name);
	bench_figure("W5", zname, zero, o->runs, 0, notes);
	snprintf(notes, sizeof(notes), "size_gib=%u what=whole_pmm_boot ms=%.3f",
		 gib, bench_median_d(total, o->runs) / 1e6);
	snprintf(zname, sizeof(zname), "%s-boot-total", name);
	bench_figure("W5", zname, total, o->runs, 0, notes);
}

void bench_w5(struct bench_opts *o)
{
	bench_section_div("W5 hand-off at scale through pmm_boot (x86_64 profile, one node)",
			  "ms (machine lines: ns); ns per GiB in the notes",
			  "the seed's page-by-page hand-off of the same size", 1e6);
	for (unsigned int s = 0; s < o->w5_nr_sizes; s++) {
		unsigned int gib = o->w5_sizes_gib[s];
		double seed_med;
		uint64_t free_b = 0, free_m = 0;
		w5_seed(o, gib, &seed_med);
		w5_range(o, gib);
		w5_early(o, gib, PMM_EARLY_BOOTMEM, seed_med, &free_b);
		w5_early(o, gib, PMM_EARLY_MEMBLOCK, seed_med, &free_m);
		if (free_b != free_m) {
			printf("  VALIDATION FAILED at %u GiB: bootmem leaves %llu free pages, memblock %llu\n",
			       gib, (unsigned long long)free_b, (unsigned long long)free_m);
			o->failures++;
		}
		bench_buf_release(BENCH_BUF_BOOT_MAP);
	}
	host_platform_remove();
}

/*
 * W5 on two threads: the hand-off of a 16-node machine of W5T_GIB GiB
 * (sim_machine_pc(): the PC's layout, NUMA ranges splitting the RAM
 * evenly) with the retirement's jobs (4 pieces per node) on one thread and on
 * two (the host's run_on_cpus hook), runs interleaved. The ratio column
 * is two threads' time over one thread's: the speed-up is its inverse.
 * Beside it, the threads' own CPU time in the hand-off's jobs (one
 * thread's; with two, the busiest one's and both together, medians): on a
 * loaded host a thread waits for a CPU, and one thread's CPU time over the
 * busiest's (cpu_speedup) says what two idle CPUs would give. The second
 * thread starts when the platform is installed, before the boot, and
 * waits for the hand-off's jobs (cpus_online), as a kernel's secondary
 * CPUs are up before its hand-off: started inside the hand-off, it came
 * up 3.6-3.9 ms late on this VM, a third of the one-thread time.
 */
#define W5T_GIB 1024u
#define W5T_NODES 16u

/* *@cpu_max, *@cpu_sum: the threads' CPU time in the hand-off's jobs. */
static int w5t_boot(enum pmm_early early, unsigned int cpus, double *ns,
		    uint64_t *free_pages, double *cpu_max, double *cpu_sum)
{
	static struct pmm_memmap map;
	struct pmm_boot_info info;
	uint64_t total;
	if (sim_machine_pc(&map, (uint64_t)W5T_GIB * GIB, W5T_NODES) != 0)
		return PMM_EINVAL;
	int err = boot_map(&map, pmm_memmap_end_of_ram(&map), early, cpus, &info,
			   &total);
	uint64_t max, sum;
	host_last_run_cpu_ns(&max, &sum);
	*ns = (double)info.handoff_ns;
	*cpu_max = (double)max;
	*cpu_sum = (double)sum;
	*free_pages = pmm_nr_free_pages();
	if (!err && host_report_count())
		err = PMM_ECORRUPT;
	return err;
}

static void w5t_early(struct bench_opts *o, enum pmm_early early)
{
	double one[BENCH_MAX_RUNS], two[BENCH_MAX_RUNS];
	double cpu_max[BENCH_MAX_RUNS], cpu_sum[BENCH_MAX_RUNS], cpu_one[BENCH_MAX_RUNS];
	uint64_t free_one = 0, free_two = 0;
	const char *name = early == PMM_EARLY_BOOTMEM ? "bootmem" : "memblock";
	for (unsigned int i = 0; i < o->runs; i++) {
		bench_progress("W5T %s: run %u/%u", name, i + 1, o->runs);
		int err = w5t_boot(early, 1, &one[i], &free_one, &cpu_one[i], &cpu_one[i]);
		if (!err)
			err = w5t_boot(early, 2, &two[i], &free_two, &cpu_max[i],
				       &cpu_sum[i]);
		if (err || free_one != free_two) {
			printf("  %-22s FAILED: %s\n", name,
			       err ? pmm_strerror(err) : "free pages differ between 1 and 2 threads");
			o->failures++;
			return;
		}
	}
	double m1 = bench_median_d(one, o->runs), m2 = bench_median_d(two, o->runs);
	char fig[40], notes[256];
	double c1 = bench_median_d(cpu_one, o->runs);
	snprintf(notes, sizeof(notes), "size_gib=%u nodes=%u threads=1 ms=%.3f cpu_ms=%.3f free_pages=%llu",
		 W5T_GIB, W5T_NODES, m1 / 1e6, c1 / 1e6, (unsigned long long)free_one);
	snprintf(fig, sizeof(fig), "pmm-%s-1thread", name);
	bench_figure("W5T", fig, one, o->runs, 0, notes);
	double cmax = bench_median_d(cpu_max, o->runs);
	double csum = bench_median_d(cpu_sum, o->runs);
	snprintf(notes, sizeof(notes),
		 "size_gib=%u nodes=%u threads=2 ms=%.3f baseline=1thread speedup=%.2f "
		 "cpu_ms_busiest=%.3f cpu_ms_both=%.3f cpu_speedup=%.2f",
		 W5T_GIB, W5T_NODES, m2 / 1e6, m1 / m2, cmax / 1e6, csum / 1e6,
		 cmax > 0 ? c1 / cmax : 0);
	snprintf(fig, sizeof(fig), "pmm-%s-2threads", name);
	bench_figure("W5T", fig, two, o->runs, m1, notes);
}

void bench_w5t(struct bench_opts *o)
{
	bench_section_div("W5T parallel hand-off: 16-node 1 TiB machine, 4 jobs per node, 1 vs 2 threads",
			  "ms (machine lines: ns); speed-up in the notes",
			  "the same boot on one thread", 1e6);
	w5t_early(o, PMM_EARLY_BOOTMEM);
	w5t_early(o, PMM_EARLY_MEMBLOCK);
	bench_buf_release(BENCH_BUF_BOOT_MAP);
	host_platform_remove();
}
