/* SPDX-License-Identifier: MIT */
/*
 * kernel64.h - what the files of the x86_64 demo kernel share: port and
 * MSR access, the linker's boundary symbols, the direct map, the per-CPU
 * data, the console, the platform, Multiboot2, ACPI, SMP and the self-test.
 *
 * The kernel runs in long mode with one page table for every CPU: the
 * first KERNEL64_DIRECT_MAP_GB GiB of physical memory are mapped at the
 * same virtual address (2 MiB pages; page 0 is left out so that a NULL
 * dereference faults). The image is linked at 1 MiB, inside that map, so
 * a kernel symbol's address is its physical address.
 */
#ifndef PMM_KERNEL64_H
#define PMM_KERNEL64_H

#include <pmm/boot.h>
#include <pmm/firmware.h>
#include <pmm/fmt.h>
#include <pmm/init.h>
#include "percpu.h"

/* --- port I/O, MSRs, the TSC --------------------------------------------- */

static inline void outb(uint16_t port, uint8_t v)
{
	__asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static inline void outl(uint16_t port, uint32_t v)
{
	__asm__ volatile("outl %0, %1" : : "a"(v), "Nd"(port));
}

static inline uint8_t inb(uint16_t port)
{
	uint8_t v;
	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return (uint64_t)hi << 32 | lo;
}

static inline void wrmsr(uint32_t msr, uint64_t v)
{
	__asm__ volatile("wrmsr" : : "c"(msr), "a"((uint32_t)v),
			 "d"((uint32_t)(v >> 32)));
}

static inline void cpu_relax(void)
{
	__asm__ volatile("pause" ::: "memory");
}

#define MSR_GS_BASE 0xc0000101u

/* --- linker symbols (kernel64.ld): addresses only, never read ------------ */

extern char __kernel_start[], __data_start[], __data_end[];
extern char __init_begin[], __init_end[], __bss_start[], __bss_end[];
extern char __brk_start[], __brk_end[];
extern char kernel64_trampoline_start[], kernel64_trampoline_end[];

/* --- the direct map ------------------------------------------------------- */

/* Physical memory mapped 1:1 by boot.S: [0, KERNEL64_DIRECT_MAP_GB GiB). */
#define KERNEL64_DIRECT_MAP_GB 64
#define KERNEL64_DIRECT_MAP_END ((pmm_phys_t)KERNEL64_DIRECT_MAP_GB << 30)

/* The 2 MiB page directory entries of the direct map, in address order. */
extern uint64_t kernel64_pd[];

/* Physical address of a kernel symbol or pointer (identity). */
#define KPHYS(p) ((pmm_phys_t)(uintptr_t)(p))
/* Pointer to physical address @pa, below KERNEL64_DIRECT_MAP_END. */
#define KVIRT(pa) ((void *)(uintptr_t)(pa))

/* --- per-CPU data (smp.c), reached through %gs ---------------------------- */

#define KERNEL64_MAX_CPUS PMM_NR_CPUS
#define KERNEL64_LINE_MAX 200

struct kcpu {
	unsigned int cpu;      /* offset 0: what PMM_ARCH_CPU_ID() loads */
	unsigned int apic_id;  /* local APIC id (MADT) */
	int node;              /* NUMA node of the CPU (SRAT), 0 without */
	int mem_node;          /* nearest node with memory, for allocations */
	volatile int online;   /* set by the CPU itself once it runs C */
	size_t line_len;       /* bytes in line[] (the console's line buffer) */
	char line[KERNEL64_LINE_MAX];
};
_Static_assert(__builtin_offsetof(struct kcpu, cpu) == 0,
	       "percpu.h loads the CPU number from %gs:0");

extern struct kcpu kernel64_cpus[KERNEL64_MAX_CPUS];
extern unsigned int kernel64_nr_cpus;

/* Return: the calling CPU's struct kcpu. */
static inline struct kcpu *this_kcpu(void)
{
	return &kernel64_cpus[kernel64_this_cpu()];
}

/* --- spinlocks (platform.c): all-zero is free ----------------------------- */

struct kspin {
	volatile uint32_t word;
};

void kspin_lock(struct kspin *l);
void kspin_unlock(struct kspin *l);

/* --- serial console (serial.c) ------------------------------------------- */

void serial_init(void);
void serial_write(const char *s, size_t len);

/* --- platform (platform.c) ----------------------------------------------- */

/* Install the kernel's struct pmm_platform: COM1 log, spinlocks, panic. */
void kernel_platform_init(void);
/* Calibrate the TSC against PIT channel 2; the clock reads 0 until then. */
void kernel_clock_init(void);
/* Return: nanoseconds since calibration (0 before it). */
uint64_t kernel_now_ns(void);
/* Busy-wait @us microseconds on the TSC. */
void kernel_udelay(uint64_t us);

/* Exit QEMU through isa-debug-exit: status 33 on pass, 35 on fail. */
__attribute__((noreturn)) void kernel_exit(bool pass);
/* Print "Kernel panic - not syncing: ..." and exit as a failure. */
__attribute__((noreturn, format(printf, 1, 2))) void kernel_panic(
	const char *fmt, ...);

/* --- exceptions (idt.c, isr.S) ------------------------------------------- */

/* Load the IDT (filled on the first call) on the calling CPU. */
void kernel_idt_load(void);

/* --- the early brk area (brk.c) ------------------------------------------ */

/* Return: @size zeroed bytes aligned to @align; panics when the area is full. */
void *kernel_brk_alloc(size_t size, size_t align);
/* Return: the end of what the brk area handed out [physical address]. */
pmm_phys_t kernel_brk_end_used(void);
/* Close the area and free its unused whole pages. Return: 0 or an error. */
int kernel_brk_release_tail(uint64_t *freed);

/* --- boot loader data (mb2.c) --------------------------------------------- */

#define MB2_BOOT_MAGIC 0x36d76289u

/* A named physical range the kernel must keep (boot data). */
struct kernel_range {
	const char *what;
	pmm_phys_t start; /* inclusive */
	pmm_phys_t end;   /* exclusive */
};

#define KERNEL64_MAX_RANGES 16

enum kernel_fw { KERNEL_FW_BIOS, KERNEL_FW_UEFI };

/* What GRUB handed over, gathered once at boot. */
struct kernel_boot_data {
	enum kernel_fw fw;            /* UEFI when GRUB passed an EFI tag */
	const char *cmdline;          /* "" when none */
	const char *loader;           /* "" when none */
	const char *map_source;       /* which tag the memory map came from */
	struct pmm_memmap *raw_map;   /* the map as firmware gave it (brk) */
	struct pmm_fw_info fw_info;   /* ACPI root pointer, SRAT nodes, SLIT */
	struct kernel_range boot[KERNEL64_MAX_RANGES]; /* loader data to keep */
	unsigned int nr_boot;
};

/*
 * Read the Multiboot2 information at @mbi_pa: command line, loader name,
 * the range the information occupies, and, through pmm_memmap_from_mb2(),
 * the memory map (the EFI tag when present, else the Multiboot2 one) and
 * the ACPI root pointer. Return: 0, or an error after a log line.
 */
int kernel_mb2_read(uint32_t magic, uint64_t mbi_pa,
		    struct kernel_boot_data *bd);

/* Return: the value of "@key=" on @cmdline copied to @buf, or NULL. */
const char *kernel_cmdline_get(const char *cmdline, const char *key,
			       char *buf, size_t size);

/* --- ACPI: MADT, SRAT, SLIT (acpi.c) ------------------------------------- */

#define KERNEL64_MAX_NODES 8

struct kernel_numa {
	unsigned int nr_cpus;                       /* enabled MADT entries */
	uint32_t apic_id[KERNEL64_MAX_CPUS];        /* in MADT order */
	int cpu_node[KERNEL64_MAX_CPUS];            /* SRAT, 0 without one */
	unsigned int nr_nodes;                      /* 1 + highest node seen */
	bool node_has_memory[KERNEL64_MAX_NODES];
	uint8_t distance[KERNEL64_MAX_NODES][KERNEL64_MAX_NODES]; /* SLIT */
	uint64_t lapic_pa;                          /* local APIC registers */
};

/*
 * Read the MADT, SRAT and SLIT reached from @fw's root pointer: the CPUs'
 * APIC ids (MADT, here), the memory ranges of each node (SRAT, through
 * pmm_memmap_from_srat() into @map's NUMA ranges), each CPU's node (SRAT
 * processor entries, here, numbered as pmm numbered the nodes) and the
 * distances (SLIT, through pmm_fw_from_slit(); 10/20 without one).
 * Return: 0, or an error after a log line (no RSDP, a bad table).
 */
int kernel_acpi_read(struct pmm_fw_info *fw, struct pmm_memmap *map,
		     struct kernel_numa *numa);

/* --- SMP (smp.c) --------------------------------------------------------- */

/* Choose a free page below 1 MiB in @map for the AP trampoline. */
pmm_phys_t kernel_smp_pick_trampoline(const struct pmm_memmap *map,
				      const struct kernel_boot_data *bd);
/*
 * Set up CPU 0's kcpu (the boot CPU) from @numa, whose MADT list is
 * reordered so that the boot CPU's entry comes first.
 */
void kernel_smp_init_bsp(struct kernel_numa *numa);
/*
 * Start every other CPU of @numa (INIT-SIPI-SIPI through the trampoline
 * at @tramp_pa, below 1 MiB). Return: the number of CPUs now running.
 */
unsigned int kernel_smp_boot_aps(const struct kernel_numa *numa,
				 pmm_phys_t tramp_pa);

/* Function run on a CPU by kernel_smp_run(). */
typedef void (*kernel_cpu_fn)(void *arg);

/*
 * Run @fn(@arg) on every running CPU at once (the calling CPU included)
 * through polled per-CPU call slots: all start together (a start line
 * they wait at), and the call returns when all have finished.
 * Context: CPU 0 only.
 */
void kernel_smp_run(kernel_cpu_fn fn, void *arg);

/* --- the self-tests on every CPU (exhaust.c, selftest.c) ---------------- */

/*
 * All CPUs at once allocate every free page (watermarks at 0), each page
 * checked to be handed out once, in usable RAM of @map, outside @avoid
 * and in the zone asked for; then each CPU frees another's blocks and the
 * free count must be exactly the one before. Return: true on pass.
 */
bool kernel_smp_exhaust(const struct pmm_memmap *map,
			const struct kernel_range *avoid, unsigned int nr_avoid);

/*
 * Every CPU at once allocates and frees pages of mixed orders and zones,
 * hands blocks and slab objects to other CPUs to free, then every CPU
 * drains its per-CPU lists; pmm_check() and the free page count prove it.
 * Return: true on pass; failures are logged.
 */
bool kernel_smp_selftest(void);

#endif /* PMM_KERNEL64_H */
