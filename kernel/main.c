/* SPDX-License-Identifier: MIT */
/*
 * main.c - kmain: boot pmm on the machine's own memory map, then prove it.
 *
 * The boot log tells seed 003's story of the allocation models a PC kernel
 * goes through, each taking over from the one before:
 *
 *   very very very early allocator   build time .data/.bss (static tables)
 *   very very early allocator        brk: a bump area after .bss (brk.c)
 *   early allocator                  bootmem or memblock (pmm.early=)
 *   allocator                        buddy
 *
 * then runs the initcalls, frees the init sections (seeds 001 and 004),
 * runs the self-test (selftest.c) and leaves QEMU through isa-debug-exit.
 *
 * Command line: pmm.early=bootmem|memblock   the early allocator
 *               pmm.selftest=full|sparse|off every word of every page,
 *                                            the first and last word of
 *                                            each page, or no self-test;
 *                                            default: full up to 1 GiB
 *                                            free, sparse above
 *               memblock=debug               log memblock's calls
 *               pmm.test=doublefree          free a page twice: the report
 *                                            hook must panic (status 35)
 */
#include <pmm/buddy.h>
#include <pmm/check.h>
#include <pmm/report.h>
#include "kernel.h"

#define KERNEL_MAX_AVOID (KERNEL_MAX_RANGES + PMM_MEMMAP_MAX + 16)

static struct kernel_boot_data bd;
static struct pmm_boot_config cfg;
/* cfg.reserved: page 0, the brk area and the loader's ranges. */
static struct pmm_phys_range resv[2 + KERNEL_MAX_RANGES];
/* Apart after merging at worst: these, the image's 3 parts, one bitmap. */
_Static_assert(2 + KERNEL_MAX_RANGES + 3 + 1 <= PMM_BOOT_MAX_RESERVED,
	       "pmm_boot() keeps every reservation of the kernel");
static struct pmm_boot_info info;
static struct pmm_memmap *boot_map; /* the copy pmm_boot sanitizes */
static struct kernel_range avoid[KERNEL_MAX_AVOID];
static unsigned int nr_avoid;
static struct kernel_selftest_opts selftest_opts;
static bool selftest_off;
static bool test_double_free;

/*
 * The C entry from boot.S: boot pmm from the Multiboot information at
 * @mbi_pa (@magic from the loader), prove it, exit QEMU. Never returns.
 * Context: boot CPU, paging and interrupts off, the stack of boot.S.
 */
void kmain(uint32_t magic, uint32_t mbi_pa);

static unsigned long kib(pmm_phys_t bytes)
{
	return (unsigned long)(bytes >> 10);
}

static __pmm_init void print_raw_map(const struct pmm_memmap *m)
{
	char name[24];

	pmm_printk("BIOS-provided physical RAM map (Multiboot):\n");
	for (unsigned int i = 0; i < m->nr; i++)
		pmm_printk("BIOS-e820: [mem 0x%016llx-0x%016llx] %s\n",
			   (unsigned long long)m->entry[i].start,
			   (unsigned long long)m->entry[i].end - 1,
			   pmm_mem_type_name(m->entry[i].type, name,
					     sizeof(name)));
}

static __pmm_init void read_cmdline(const char *cmdline)
{
	char v[16];

	cfg.early = PMM_EARLY_BOOTMEM;
	if (kernel_cmdline_get(cmdline, "pmm.early", v, sizeof(v))) {
		if (!pmm_memcmp(v, "memblock", 9))
			cfg.early = PMM_EARLY_MEMBLOCK;
		else if (pmm_memcmp(v, "bootmem", 8))
			pmm_printk("pmm.early=%s: unknown, want bootmem or "
				   "memblock; using bootmem\n", v);
	}
	if (kernel_cmdline_get(cmdline, "memblock", v, sizeof(v)) &&
	    !pmm_memcmp(v, "debug", 6))
		cfg.memblock_debug = true;
	if (kernel_cmdline_get(cmdline, "pmm.deferred", v, sizeof(v)) &&
	    !pmm_memcmp(v, "on", 3))
		cfg.deferred = true;
	selftest_opts.pattern = KERNEL_PATTERN_AUTO;
	if (kernel_cmdline_get(cmdline, "pmm.selftest", v, sizeof(v))) {
		if (!pmm_memcmp(v, "full", 5))
			selftest_opts.pattern = KERNEL_PATTERN_FULL;
		else if (!pmm_memcmp(v, "sparse", 7))
			selftest_opts.pattern = KERNEL_PATTERN_SPARSE;
		selftest_off = !pmm_memcmp(v, "off", 4);
	}
	if (kernel_cmdline_get(cmdline, "pmm.test", v, sizeof(v)) &&
	    !pmm_memcmp(v, "doublefree", 11))
		test_double_free = true;
}

/*
 * Log [@start, @end) and add it to the reservations pmm_boot() keeps; it
 * rounds them out to pages and merges them with the kernel image itself.
 */
static __pmm_init void log_reserve(const char *what, pmm_phys_t start,
				   pmm_phys_t end)
{
	pmm_printk("Reserving [mem 0x%08llx-0x%08llx] %s\n",
		   (unsigned long long)start, (unsigned long long)end - 1, what);
	resv[cfg.nr_reserved++] = (struct pmm_phys_range){ start, end };
}

static __pmm_init void setup_reservations(void)
{
	cfg.reserved = resv;
	cfg.nr_reserved = 0;
	cfg.kernel_code = (struct pmm_phys_range){ KPHYS(__kernel_start),
						   KPHYS(__init_begin) };
	cfg.init = (struct pmm_phys_range){ KPHYS(__init_begin),
					    KPHYS(__init_end) };
	cfg.kernel_data = (struct pmm_phys_range){ KPHYS(__init_end),
						   KPHYS(__bss_end) };
	pmm_printk("Kernel image: code [mem 0x%08llx-0x%08llx], init "
		   "[mem 0x%08llx-0x%08llx], data [mem 0x%08llx-0x%08llx]\n",
		   (unsigned long long)cfg.kernel_code.start,
		   (unsigned long long)cfg.kernel_code.end - 1,
		   (unsigned long long)cfg.init.start,
		   (unsigned long long)cfg.init.end - 1,
		   (unsigned long long)cfg.kernel_data.start,
		   (unsigned long long)cfg.kernel_data.end - 1);
	log_reserve("page 0 (real-mode IVT, BIOS data)", 0, PMM_PAGE_SIZE);
	log_reserve("brk area", KPHYS(__brk_start), KPHYS(__brk_end));
	for (unsigned int i = 0; i < bd.nr_boot; i++)
		log_reserve(bd.boot[i].what, bd.boot[i].start, bd.boot[i].end);
}

/*
 * boot - everything up to a running buddy allocator, all of it init code:
 * the Multiboot information, the map copies from brk, the command line,
 * the reservations, then pmm_boot() with the chosen early allocator.
 * Panics (exit status 35) when any step fails.
 * Context: boot CPU, interrupts off, before free_initmem.
 */
static __pmm_init void boot(uint32_t magic, uint32_t mbi_pa)
{
	int err;

	pmm_printk("very very very early allocator: build time .data/.bss: "
		   ".data %llu bytes, .bss %luK (node and zone tables, boot "
		   "state, stack)\n",
		   (unsigned long long)(KPHYS(__data_end) - KPHYS(__data_start)),
		   kib(KPHYS(__bss_end) - KPHYS(__bss_start)));
	pmm_printk("very very early allocator: brk [mem 0x%08llx-0x%08llx] "
		   "%luK after .bss\n", (unsigned long long)KPHYS(__brk_start),
		   (unsigned long long)KPHYS(__brk_end) - 1,
		   kib(KPHYS(__brk_end) - KPHYS(__brk_start)));
	err = kernel_multiboot_read(magic, mbi_pa, &bd);
	if (err)
		kernel_panic("cannot read the Multiboot information: %s",
			     pmm_strerror(err));
	pmm_printk("Command line: %s\n", bd.cmdline);
	print_raw_map(bd.raw_map);
	boot_map = kernel_brk_alloc(sizeof(*boot_map), 8);
	pmm_memcpy(boot_map, bd.raw_map, sizeof(*boot_map));
	pmm_printk("brk: memory map copies at 0x%08llx and 0x%08llx, %zu "
		   "bytes each\n", (unsigned long long)KPHYS(bd.raw_map),
		   (unsigned long long)KPHYS(boot_map), sizeof(*boot_map));

	pmm_boot_config_init(&cfg);
	cfg.profile = PMM_PROFILE_I386;
	cfg.skip_free_initmem = true;
	kernel_cma_config(&cfg);
	read_cmdline(bd.cmdline);
	setup_reservations();
	kernel_hotplug_hold_back(boot_map, &cfg);

	pmm_printk("early allocator: %s (%s)\n", pmm_early_name(cfg.early),
		   cfg.early == PMM_EARLY_MEMBLOCK
			   ? "ranges, the reserve_early idea of seed 003; it "
			     "is the very early allocator too"
			   : "a bitmap per node, seed chapter 6");
	err = pmm_boot(boot_map, &cfg, &info);
	if (err)
		kernel_panic("pmm_boot failed: %s", pmm_strerror(err));
	pmm_printk("allocator: buddy: %llu pages free, %llu handed over by "
		   "%s\n", (unsigned long long)pmm_nr_free_pages(),
		   (unsigned long long)info.handoff_pages,
		   pmm_early_name(cfg.early));
	if (cfg.deferred)
		pmm_printk("pmm: deferred hand-off: %llu pages wait for their "
			   "heads\n",
			   (unsigned long long)pmm_buddy_deferred_pages());
}

/*
 * run_initcalls - call each initcall in [__initcall_start, __initcall_end)
 * once, in table order, logging Linux's initcall_debug lines; panic unless
 * all returned 0 and each ran exactly once.
 * Context: after the buddy allocator runs, before free_initmem.
 */
static __pmm_init void run_initcalls(void)
{
	unsigned int n = 0, ok = 0;

	for (const pmm_initcall_t *fn = __initcall_start; fn < __initcall_end;
	     fn++, n++) {
		uint64_t t0 = pmm_now_ns();
		pmm_printk("calling  0x%08x @ %u\n", (unsigned int)(uintptr_t)*fn, n);
		int ret = (*fn)();
		pmm_printk("initcall 0x%08x returned %d after %llu usecs\n",
			   (unsigned int)(uintptr_t)*fn, ret,
			   (unsigned long long)((pmm_now_ns() - t0) / 1000u));
		ok += ret == 0;
	}
	pmm_printk("initcalls: %u called, %u returned 0\n", n, ok);
	if (ok != n || !kernel_initcalls_ran_once())
		kernel_panic("an initcall failed or did not run exactly once");
}

static void avoid_add(const char *what, pmm_phys_t start, pmm_phys_t end)
{
	if (end > start && nr_avoid < KERNEL_MAX_AVOID)
		avoid[nr_avoid++] = (struct kernel_range){ what, start, end };
}

/* The ranges no allocated block may overlap, for the self-test. */
static void build_avoid_list(void)
{
	const struct pmm_memmap *raw = bd.raw_map;

	avoid_add("page 0", 0, PMM_PAGE_SIZE);
	avoid_add("kernel code", KPHYS(__kernel_start), KPHYS(__init_begin));
	avoid_add("kernel data", KPHYS(__init_end), KPHYS(__bss_end));
	avoid_add("brk in use", KPHYS(__brk_start), kernel_brk_end_used());
	for (unsigned int i = 0; i < bd.nr_boot; i++)
		avoid_add(bd.boot[i].what, bd.boot[i].start, bd.boot[i].end);
	for (unsigned int i = 0; i < raw->nr; i++)
		if (raw->entry[i].type != PMM_MEM_USABLE)
			avoid_add("a firmware area", raw->entry[i].start,
				  raw->entry[i].end);
	avoid_add("page descriptors", KPHYS(pmm_mem_map),
		  KPHYS(pmm_mem_map) + pmm_max_pfn * sizeof(struct pmm_page));
	for (struct pmm_zone *z = pmm_zone_first(); z; z = pmm_zone_next(z))
		if (z->free_area[0].map)
			avoid_add("a zone's pair bitmap",
				  KPHYS(z->free_area[0].map),
				  KPHYS(z->free_area[0].map) +
					  pmm_zone_bitmap_bytes(z->start_pfn,
								z->end_pfn));
}

static void print_reports(void)
{
	pmm_pcp_drain_all();
	pmm_printk("/proc/zoneinfo:\n");
	pmm_report_zoneinfo(pmm_log_out());
	pmm_printk("/proc/buddyinfo:\n");
	pmm_report_buddyinfo(pmm_log_out());
}

/*
 * free_init_sections - free [__init_begin, __init_end) to the buddy
 * allocator and panic unless the freed page count is what the linker
 * symbols say. Must not run from init code: it poisons that code.
 */
static void free_init_sections(void)
{
	uint64_t freed = 0;
	pmm_phys_t b = KPHYS(__init_begin), e = KPHYS(__init_end);
	uint64_t want = (e - b) >> PMM_PAGE_SHIFT;

	int err = pmm_free_initmem(b, e, &freed);
	if (err)
		kernel_panic("free_initmem: %s", pmm_strerror(err));
	pmm_printk("free_initmem: %llu pages freed; linker symbols: "
		   "__init_begin 0x%08llx, __init_end 0x%08llx = %llu pages\n",
		   (unsigned long long)freed, (unsigned long long)b,
		   (unsigned long long)e, (unsigned long long)want);
	if (freed != want)
		kernel_panic("free_initmem freed %llu pages, the linker "
			     "symbols say %llu", (unsigned long long)freed,
			     (unsigned long long)want);
}

/* Break an invariant on purpose: the second free must end in a panic. */
static void double_free(void)
{
	pmm_phys_t pa = pmm_get_free_page(PMM_GFP_KERNEL);

	pmm_printk("pmm.test=doublefree: freeing the page at 0x%08llx twice\n",
		   (unsigned long long)pa);
	pmm_free_page_addr(pa);
	pmm_free_page_addr(pa);
	pmm_printk("pmm.test=doublefree: the second free returned\n");
}

void kmain(uint32_t magic, uint32_t mbi_pa)
{
	uint64_t brk_freed = 0;
	const char *bad;
	bool pass = true;

	serial_init();
	kernel_platform_init();
	kernel_clock_init();
	pmm_printk("pmm demo kernel: i386, Multiboot v1, paging off\n");
	boot(magic, mbi_pa);

	int err = kernel_brk_release_tail(&brk_freed);
	if (err)
		kernel_panic("brk: returning the unused tail: %s",
			     pmm_strerror(err));
	pmm_printk("very very early allocator: brk retired: %luK used, %llu "
		   "pages (%lluK) returned to the buddy allocator\n",
		   kib(kernel_brk_end_used() - KPHYS(__brk_start)),
		   (unsigned long long)brk_freed,
		   (unsigned long long)(brk_freed << (PMM_PAGE_SHIFT - 10)));

	run_initcalls();
	free_init_sections();

	print_reports();
	if (test_double_free)
		double_free();
	if ((bad = pmm_check()) != NULL) {
		pmm_printk("pmm_check after boot: %s\n", bad);
		pass = false;
	}
	if (!selftest_off) {
		build_avoid_list();
		pass = kernel_selftest(boot_map, avoid, nr_avoid,
				       &selftest_opts) && pass;
		pass = kernel_slab_selftest() && pass;
		pass = kernel_dma_selftest() && pass;
		pass = kernel_cma_selftest() && pass;
		pass = kernel_hotplug_selftest() && pass;
		pass = kernel_elastic_selftest() && pass;
		pmm_printk("/proc/buddyinfo after the self-test:\n");
		pmm_report_buddyinfo(pmm_log_out());
	}
	if (kernel_multiboot_verify(&bd))
		pass = false;
	pmm_printk("pmm self-test: %s\n", pass ? "PASS" : "FAIL");
	kernel_exit(pass);
}
