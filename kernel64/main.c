/* SPDX-License-Identifier: MIT */
/*
 * main.c - kmain64: boot pmm on the memory map GRUB hands over, start every
 * CPU, and prove the allocator on all of them at once.
 *
 * The boot log tells seed 003's story of the allocation models a PC kernel
 * goes through, each taking over from the one before:
 *
 *   very very very early allocator   build time .data/.bss (static tables)
 *   very very early allocator        brk: a bump area after .bss (brk.c)
 *   early allocator                  bootmem or memblock (pmm.early=)
 *   allocator                        buddy
 *
 * Between brk and the early allocator the kernel reads the firmware: the
 * Multiboot2 or EFI memory map (mb2.c) and the ACPI MADT, SRAT and SLIT
 * (acpi.c), whose memory ranges become pmm's nodes. Then it starts the
 * APs (smp.c), so that pmm_boot()'s hand-off runs one job per node on
 * every CPU (the run_on_cpus hook, platform.c), frees the init sections
 * against the linker symbols, prints /proc/buddyinfo, runs the self-test on every CPU
 * (selftest.c) and leaves QEMU through isa-debug-exit.
 *
 * Command line: pmm.early=bootmem|memblock   the early allocator
 *               pmm.smp=off                  stay on the boot CPU
 *               pmm.test=doublefree          free a page twice: the bug
 *                                            hook must panic (status 35)
 *               pmm.test=fault               read address 0 on the last
 *                                            CPU: the exception handler
 *                                            must panic (status 35)
 */
#include <pmm/buddy.h>
#include <pmm/check.h>
#include <pmm/page.h>
#include <pmm/report.h>
#include "kernel64.h"

#define RAW_MAP_PRINT_MAX 24

static struct kernel_boot_data bd;
static struct kernel_numa numa;
static struct pmm_boot_config cfg;
static struct pmm_boot_info info;
static struct pmm_memmap *boot_map; /* the copy pmm_boot sanitizes */
static pmm_phys_t tramp_pa;
static bool smp_off;
static char test_mode[16]; /* pmm.test=, "" for none */
static struct pmm_phys_range reserved[KERNEL64_MAX_RANGES + 4];
static struct kernel_range avoid[KERNEL64_MAX_RANGES + 8];
static unsigned int nr_avoid;

void kmain64(uint32_t magic, uint64_t mbi_pa);

static unsigned long kib(pmm_phys_t bytes)
{
	return (unsigned long)(bytes >> 10);
}

/* The map as firmware gave it; a long one (UEFI's) only by its size. */
static __pmm_init void print_raw_map(const struct pmm_memmap *m)
{
	char name[24];

	pmm_printk("BIOS-provided physical RAM map (%s): %u entries%s\n",
		   bd.map_source, m->nr,
		   m->nr > RAW_MAP_PRINT_MAX ? ", sanitized below" : "");
	if (m->nr > RAW_MAP_PRINT_MAX)
		return;
	for (unsigned int i = 0; i < m->nr; i++)
		pmm_printk("BIOS-e820: [mem 0x%016llx-0x%016llx] %s\n",
			   (unsigned long long)m->entry[i].start,
			   (unsigned long long)m->entry[i].end - 1,
			   pmm_mem_type_name(m->entry[i].type, name,
					     sizeof(name)));
}

static __pmm_init void print_distances(void)
{
	char row[8 + 4 * KERNEL64_MAX_NODES];
	size_t n;

	pmm_printk("NUMA: %u node%s\n", numa.nr_nodes,
		   numa.nr_nodes == 1 ? "" : "s");
	if (numa.nr_nodes < 2)
		return;
	pmm_printk("node distances:\n");
	n = pmm_snprintf(row, sizeof(row), "node ");
	for (unsigned int j = 0; j < numa.nr_nodes; j++)
		n += pmm_snprintf(row + n, sizeof(row) - n, "%4u", j);
	pmm_printk("%s\n", row);
	for (unsigned int i = 0; i < numa.nr_nodes; i++) {
		n = pmm_snprintf(row, sizeof(row), "%3u: ", i);
		for (unsigned int j = 0; j < numa.nr_nodes; j++)
			n += pmm_snprintf(row + n, sizeof(row) - n, "%4u",
					  numa.distance[i][j]);
		pmm_printk("%s%s\n", row,
			   numa.node_has_memory[i] ? "" : "   (no memory)");
	}
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
	smp_off = kernel_cmdline_get(cmdline, "pmm.smp", v, sizeof(v)) &&
		  !pmm_memcmp(v, "off", 4);
	kernel_cmdline_get(cmdline, "pmm.test", test_mode, sizeof(test_mode));
}

/* Add [@start, @end), whole pages, to cfg.reserved, and say so. */
static __pmm_init void reserve(const char *what, pmm_phys_t start,
			       pmm_phys_t end)
{
	start &= PMM_PAGE_MASK;
	end = (end + PMM_PAGE_SIZE - 1) & PMM_PAGE_MASK;
	pmm_printk("Reserving [mem 0x%08llx-0x%08llx] %s\n",
		   (unsigned long long)start, (unsigned long long)end - 1, what);
	if (cfg.nr_reserved == sizeof(reserved) / sizeof(reserved[0]))
		kernel_panic("more than %zu reserved ranges; raise "
			     "KERNEL64_MAX_RANGES", cfg.nr_reserved);
	reserved[cfg.nr_reserved++] = (struct pmm_phys_range){ start, end };
}

static __pmm_init void setup_reservations(void)
{
	cfg.reserved = reserved;
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
	reserve("page 0 (real-mode IVT, BIOS data)", 0, PMM_PAGE_SIZE);
	reserve("brk area", KPHYS(__brk_start), KPHYS(__brk_end));
	for (unsigned int i = 0; i < bd.nr_boot; i++)
		reserve(bd.boot[i].what, bd.boot[i].start, bd.boot[i].end);
	reserve("AP trampoline", tramp_pa, tramp_pa + PMM_PAGE_SIZE);
}

static __pmm_init void read_firmware(uint32_t magic, uint64_t mbi_pa)
{
	int err = kernel_mb2_read(magic, mbi_pa, &bd);

	if (err)
		kernel_panic("cannot read the Multiboot2 information: %s",
			     pmm_strerror(err));
	pmm_printk("firmware: %s; boot loader: %s\n",
		   bd.fw == KERNEL_FW_UEFI ? "UEFI" : "BIOS", bd.loader);
	pmm_printk("Command line: %s\n", bd.cmdline);
	print_raw_map(bd.raw_map);
	boot_map = kernel_brk_alloc(sizeof(*boot_map), 8);
	pmm_memcpy(boot_map, bd.raw_map, sizeof(*boot_map));
	pmm_printk("brk: memory map copies at 0x%08llx and 0x%08llx, %zu "
		   "bytes each\n", (unsigned long long)KPHYS(bd.raw_map),
		   (unsigned long long)KPHYS(boot_map), sizeof(*boot_map));
	if ((err = kernel_acpi_read(&bd.fw_info, boot_map, &numa)) != 0)
		kernel_panic("ACPI: %s", pmm_strerror(err));
	print_distances();
	tramp_pa = kernel_smp_pick_trampoline(bd.raw_map, &bd);
}

/*
 * boot - everything up to a running buddy allocator on every CPU, all of
 * it init code: the firmware, the reservations, pmm_boot() with the chosen
 * early allocator, the APs started first so that its hand-off runs on
 * every CPU. Panics (status 35) when a step fails.
 * Context: boot CPU, before free_initmem.
 */
static __pmm_init void boot(uint32_t magic, uint64_t mbi_pa)
{
	pmm_printk("very very very early allocator: build time .data/.bss: "
		   ".data %llu bytes, .bss %luK (node and zone tables, boot "
		   "state, page tables, stacks)\n",
		   (unsigned long long)(KPHYS(__data_end) - KPHYS(__data_start)),
		   kib(KPHYS(__bss_end) - KPHYS(__bss_start)));
	pmm_printk("very very early allocator: brk [mem 0x%08llx-0x%08llx] "
		   "%luK after .bss\n", (unsigned long long)KPHYS(__brk_start),
		   (unsigned long long)KPHYS(__brk_end) - 1,
		   kib(KPHYS(__brk_end) - KPHYS(__brk_start)));
	read_firmware(magic, mbi_pa);

	pmm_boot_config_init(&cfg);
	cfg.profile = PMM_PROFILE_X86_64;
	cfg.skip_free_initmem = true;
	read_cmdline(bd.cmdline);
	setup_reservations();
	pmm_printk("early allocator: %s (%s)\n", pmm_early_name(cfg.early),
		   cfg.early == PMM_EARLY_MEMBLOCK
			   ? "ranges, the reserve_early idea of seed 003; it "
			     "is the very early allocator too"
			   : "a bitmap per node, seed chapter 6");
	/* The APs first: the hand-off runs on all of them (run_on_cpus). */
	kernel_smp_init_bsp(&numa);
	if (!smp_off && numa.nr_cpus > 1)
		kernel_smp_boot_aps(&numa, tramp_pa);
	pmm_printk("smp: %u of %u CPUs running, per-CPU data through %%gs\n",
		   kernel64_nr_cpus, numa.nr_cpus ? numa.nr_cpus : 1);
	int err = pmm_boot(boot_map, &cfg, &info);
	if (err)
		kernel_panic("pmm_boot failed: %s", pmm_strerror(err));
	pmm_printk("allocator: buddy: %llu pages free on %u node%s, %llu "
		   "handed over by %s on %u CPU%s in %llu us\n",
		   (unsigned long long)pmm_nr_free_pages(), info.nr_nodes,
		   info.nr_nodes == 1 ? "" : "s",
		   (unsigned long long)info.handoff_pages,
		   pmm_early_name(cfg.early), kernel64_nr_cpus,
		   kernel64_nr_cpus == 1 ? "" : "s",
		   (unsigned long long)(info.handoff_ns / 1000u));
}

/*
 * free_init_sections - free [__init_begin, __init_end) and panic unless
 * the freed page count is what the linker symbols say. Not init code.
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

static void avoid_add(const char *what, pmm_phys_t start, pmm_phys_t end)
{
	if (end > start && nr_avoid < sizeof(avoid) / sizeof(avoid[0]))
		avoid[nr_avoid++] = (struct kernel_range){ what, start, end };
}

/* The ranges no allocated block may overlap, for the exhaust test. */
static void build_avoid_list(void)
{
	avoid_add("page 0", 0, PMM_PAGE_SIZE);
	avoid_add("kernel code", KPHYS(__kernel_start), KPHYS(__init_begin));
	avoid_add("kernel data", KPHYS(__init_end), KPHYS(__bss_end));
	avoid_add("brk in use", KPHYS(__brk_start), kernel_brk_end_used());
	avoid_add("AP trampoline", tramp_pa, tramp_pa + PMM_PAGE_SIZE);
	for (unsigned int i = 0; i < bd.nr_boot; i++)
		avoid_add(bd.boot[i].what, bd.boot[i].start, bd.boot[i].end);
	avoid_add("page descriptors", KPHYS(pmm_mem_map),
		  KPHYS(pmm_mem_map) + pmm_max_pfn * sizeof(struct pmm_page));
}

/* Read address 0 (absent from the page table) on the last CPU only. */
static void fault_on_last_cpu(void *arg)
{
	(void)arg;
	if (kernel64_this_cpu() + 1 != kernel64_nr_cpus)
		return;
	pmm_printk("pmm.test=fault: CPU %u reads address 0\n",
		   kernel64_this_cpu());
	__asm__ volatile("movq 0, %%rax" : : : "rax", "memory");
}

/* Break something on purpose (pmm.test=): each must end in a panic. */
static void run_failure_test(void)
{
	if (!pmm_memcmp(test_mode, "doublefree", 11)) {
		pmm_phys_t pa = pmm_get_free_page(PMM_GFP_KERNEL);
		pmm_printk("pmm.test=doublefree: freeing the page at 0x%08llx "
			   "twice\n", (unsigned long long)pa);
		pmm_free_page_addr(pa);
		pmm_free_page_addr(pa);
	} else if (!pmm_memcmp(test_mode, "fault", 6)) {
		kernel_smp_run(fault_on_last_cpu, NULL);
	} else {
		return;
	}
	pmm_printk("pmm.test=%s: no panic\n", test_mode);
}

void kmain64(uint32_t magic, uint64_t mbi_pa)
{
	uint64_t brk_freed = 0;
	const char *bad;
	bool pass = true;

	serial_init();
	kernel_platform_init();
	kernel_idt_load();
	kernel_clock_init();
	pmm_printk("pmm demo kernel: x86_64, long mode, Multiboot2\n");
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
	free_init_sections();

	pmm_pcp_drain_all();
	pmm_printk("/proc/buddyinfo:\n");
	pmm_report_buddyinfo(pmm_log_out());
	if (test_mode[0])
		run_failure_test();
	if ((bad = pmm_check()) != NULL) {
		pmm_printk("pmm_check after boot: %s\n", bad);
		pass = false;
	}
	build_avoid_list();
	pass = kernel_smp_exhaust(boot_map, avoid, nr_avoid) && pass;
	pass = kernel_smp_selftest() && pass;
	pmm_printk("/proc/buddyinfo after the self-test:\n");
	pmm_report_buddyinfo(pmm_log_out());
	pmm_printk("pmm self-test: %s\n", pass ? "PASS" : "FAIL");
	kernel_exit(pass);
}
