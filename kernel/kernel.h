/* SPDX-License-Identifier: MIT */
/*
 * kernel.h - what the files of the pmm demo kernel share: port I/O, the
 * linker's boundary symbols, the serial console, the brk area, the exit
 * device, the Multiboot (v1) information layout and the self-test.
 *
 * The kernel runs in 32-bit protected mode with paging off, so every
 * physical address below 4 GiB is also a pointer (identity).
 */
#ifndef PMM_KERNEL_H
#define PMM_KERNEL_H

#include <pmm/boot.h>
#include <pmm/fmt.h>
#include <pmm/init.h>

/* --- port I/O ------------------------------------------------------------ */

static inline void outb(uint16_t port, uint8_t v)
{
	__asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
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

/* --- linker symbols (kernel.ld): addresses only, never read -------------- */

extern char __kernel_start[], __kernel_code_end[], __data_start[], __data_end[];
extern char __init_begin[], __init_end[], __bss_start[], __bss_end[];
extern char __brk_start[], __brk_end[], __kernel_end[];
extern const pmm_initcall_t __initcall_start[], __initcall_end[];

/* Physical address of a kernel symbol or pointer (identity mapping). */
#define KPHYS(p) ((pmm_phys_t)(uintptr_t)(p))
/* Pointer to physical address @pa, which must lie below 4 GiB. */
#define KVIRT(pa) ((void *)(uintptr_t)(pa))

/* The first address the kernel cannot touch (paging off: 4 GiB). */
#define KERNEL_TOUCH_LIMIT ((pmm_phys_t)1 << 32)

/* --- serial console (serial.c) ------------------------------------------- */

/* Set COM1 up: 115200 baud, 8N1, FIFOs on. Context: boot CPU, first thing. */
void serial_init(void);
/* Write @len bytes of @s to COM1 as they are, polling; a lost UART gives up. */
void serial_write(const char *s, size_t len);

/* --- platform (platform.c) ----------------------------------------------- */

/* Install the kernel's struct pmm_platform: COM1 log, panic on report. */
void kernel_platform_init(void);
/* Calibrate the TSC against PIT channel 2; the clock reads 0 until then. */
void kernel_clock_init(void);
/* Log a formatted line through pmm_printk (timestamped per line). */
#define kprintf pmm_printk

/* Exit QEMU through isa-debug-exit: status 33 on pass, 35 on fail. */
__attribute__((noreturn)) void kernel_exit(bool pass);
/* Print "Kernel panic - not syncing: ..." and exit as a failure. */
__attribute__((noreturn, format(printf, 1, 2))) void kernel_panic(
	const char *fmt, ...);

/* --- the early brk area (brk.c) ------------------------------------------ */

/* Return: @size bytes aligned to @align from the brk area; panics when full. */
void *kernel_brk_alloc(size_t size, size_t align);
/* Return: the end of what the brk area handed out [physical address]. */
pmm_phys_t kernel_brk_end_used(void);
/*
 * Close the brk area and give its unused whole pages to the buddy
 * allocator. Return: 0 or pmm_buddy_free_range()'s error; *@freed pages.
 */
int kernel_brk_release_tail(uint64_t *freed);

/* --- Multiboot v1 information (multiboot.c) ------------------------------ */

#define MB_BOOT_MAGIC 0x2badb002u
#define MB_INFO_MEMORY (1u << 0)
#define MB_INFO_CMDLINE (1u << 2)
#define MB_INFO_MODS (1u << 3)
#define MB_INFO_MEM_MAP (1u << 6)
#define MB_INFO_LOADER_NAME (1u << 9)

struct mb_info {
	uint32_t flags;
	uint32_t mem_lower; /* KiB below 1 MiB */
	uint32_t mem_upper; /* KiB from 1 MiB to the first hole */
	uint32_t boot_device;
	uint32_t cmdline;
	uint32_t mods_count;
	uint32_t mods_addr;
	uint32_t syms[4];
	uint32_t mmap_length;
	uint32_t mmap_addr;
	uint32_t drives_length;
	uint32_t drives_addr;
	uint32_t config_table;
	uint32_t boot_loader_name;
	uint32_t apm_table;
	uint32_t vbe[4]; /* control, mode info, mode + interface seg, off + len */
};
_Static_assert(sizeof(struct mb_info) == 88, "Multiboot info is 88 bytes");

struct mb_module {
	uint32_t mod_start; /* inclusive */
	uint32_t mod_end;   /* exclusive */
	uint32_t string;
	uint32_t reserved;
};
_Static_assert(sizeof(struct mb_module) == 16, "Multiboot module is 16 bytes");

/* A named physical range the kernel must keep (boot data, image parts). */
struct kernel_range {
	const char *what;
	pmm_phys_t start; /* inclusive */
	pmm_phys_t end;   /* exclusive */
};

#define KERNEL_MAX_RANGES 48

/* What the boot loader handed over, gathered once at boot. */
struct kernel_boot_data {
	const struct mb_info *mbi;
	const char *cmdline;                     /* "" when none */
	struct pmm_memmap *raw_map;              /* the map as firmware gave it */
	struct kernel_range boot[KERNEL_MAX_RANGES]; /* loader data to keep */
	uint32_t boot_sum[KERNEL_MAX_RANGES];        /* FNV-1a of each, at boot */
	unsigned int nr_boot;
};

/*
 * Read the Multiboot information at @mbi_pa: command line, modules, memory
 * map (copied into a brk allocation), and every range the loader's data
 * occupies. Return: 0, or an error after a log line saying what is wrong.
 */
int kernel_multiboot_read(uint32_t magic, uint32_t mbi_pa,
			  struct kernel_boot_data *bd);

/*
 * Checksum every boot data range again and compare with what boot saw: a
 * range the allocator handed out (and the self-test wrote over) differs.
 * Return: the number of ranges that changed; each is logged.
 */
unsigned int kernel_multiboot_verify(const struct kernel_boot_data *bd);

/* Return: the value of "@key=" on @cmdline copied to @buf, or NULL. */
const char *kernel_cmdline_get(const char *cmdline, const char *key,
			       char *buf, size_t size);

/* --- initcalls (initcalls.c) -------------------------------------------- */

/* Return: true if every initcall of initcalls.c ran exactly once. */
bool kernel_initcalls_ran_once(void);

/* --- self-test (selftest.c) ---------------------------------------------- */

enum kernel_pattern {
	KERNEL_PATTERN_AUTO,   /* full up to KERNEL_FULL_PATTERN_MAX, else sparse */
	KERNEL_PATTERN_FULL,   /* every word of every page */
	KERNEL_PATTERN_SPARSE, /* the first and the last word of every page */
};

/* Free memory up to which the automatic pattern writes every word. */
#define KERNEL_FULL_PATTERN_MAX ((uint64_t)1 << 30)

struct kernel_selftest_opts {
	enum kernel_pattern pattern;
};

/*
 * Allocate every free page, check each block against @avoid (ranges no
 * block may overlap) and @map (blocks lie in usable RAM), write and verify
 * a pattern, free everything, and check buddyinfo and pmm_check().
 * Return: true on pass; every failure has been logged.
 */
bool kernel_selftest(const struct pmm_memmap *map,
		     const struct kernel_range *avoid, unsigned int nr_avoid,
		     const struct kernel_selftest_opts *opts);

/* End a later self-test: pmm_check() and the free count against @free0,
 * "@who: PASS"/"FAIL" logged. Return: @ok and both held. */
bool kernel_selftest_verdict(const char *who, uint64_t free0, bool ok);

/* --- slab self-test (slab_selftest.c) ----------------------------------- */

/*
 * Run the slab layer on the booted machine: a cache with a constructor and
 * every kmalloc class, patterns written and verified, everything freed,
 * pmm_slab_check() and pmm_check() after each phase, no page leaked by a
 * second kmalloc round. Return: true on pass; failures are logged.
 */
bool kernel_slab_selftest(void);
/* dma_selftest.c: DMA buffers below 16 MiB with a 64 KiB boundary after
 * fragmenting the DMA zone. Return: true if all held. */
bool kernel_dma_selftest(void);
struct pmm_zone;

/* owners.c: movable order-0 pages with a pattern each, owned by a record
 * the platform's migrate hook repoints when it copies a page away. */
/* Allocate one for @gfp and write its pattern. Return: its record, or NULL. */
uint32_t *owner_take(unsigned int gfp);
unsigned int owners_count(void);
/* Return: where record @i's page lives now. */
uint32_t owner_pfn(unsigned int i);
/* Return: true when record @i's page holds its pattern. */
bool owner_holds(unsigned int i);
/* Return: pages moved since the last call. */
unsigned int owners_moved(void);
/* Make the hook refuse @pfn (0: refuse none). */
void owners_refuse(uint32_t pfn);
/* Free every page and forget the records. */
void owners_free_all(void);
/* Install (or remove) the owner as the platform's migrate hook. */
void owners_hook(bool on);
/* Hold every block @gfp can get, largest first. */
void fill_take(unsigned int gfp);
/* Give held blocks back, smallest first, until @zone has @pages free
 * outside CMA (all of them for a NULL zone). */
void fill_give_back(const struct pmm_zone *zone, uint64_t pages);
/* Return: true when a held block meets pfns [@start, @end). */
bool fill_holds_in(pmm_pfn_t start, pmm_pfn_t end);
/* cma_selftest.c: region 0 of the boot config, borrowed by movable pages
 * with real contents, taken back through a migrate hook that copies. */
void kernel_cma_config(struct pmm_boot_config *cfg);
/* Return: pages free in the boot config's CMA region (0 without one). */
uint64_t kernel_cma_free_pages(void);
bool kernel_cma_selftest(void);
/* hotplug_selftest.c: hold back the top 4 MiB block of RAM below 4 GiB
 * before pmm_boot() (descriptors still reach it)... */
void kernel_hotplug_hold_back(struct pmm_memmap *map, struct pmm_boot_config *cfg);
/* ... and hot-add, use, offline and remove it after the self-test.
 * Return: true if every step held (or nothing was held back). */
bool kernel_hotplug_selftest(void);
/* elastic_selftest.c: idle zeroing, zeroed allocations, free page
 * reporting with counting hooks. Return: true if all held. */
bool kernel_elastic_selftest(void);

#endif /* PMM_KERNEL_H */
