/* SPDX-License-Identifier: MIT */
/*
 * platform.c - the kernel's side of include/pmm/platform.h.
 *
 * log     COM1, each line prefixed with a Linux-style "[    s.micros] "
 *         timestamp from the TSC (calibrated against the PIT at boot).
 * report  a broken invariant panics, like the seed's BUG(): print, then
 *         exit QEMU with the failure status.
 * map     identity below KERNEL_TOUCH_LIMIT: linear, permanent, one
 *         offset for all memory (what the slab layer needs); nothing
 *         above can be touched.
 * locks   no-ops (NULL hooks): one CPU, interrupts off, so no pmm call
 *         ever runs beside another.
 * cpu     always 0 (NULL hook).
 * memmap  no memmap_alloc: page descriptors live in memory the early
 *         allocator reserves, reached through map().
 * exit    QEMU's isa-debug-exit at port 0xf4: (value << 1) | 1 becomes the
 *         exit status, so 16 -> 33 (pass) and 17 -> 35 (fail).
 */
#include "kernel.h"

#define DEBUG_EXIT_PORT 0xf4
#define DEBUG_EXIT_PASS 16
#define DEBUG_EXIT_FAIL 17

#define PIT_HZ 1193182u
#define PIT_CH2 0x42
#define PIT_CMD 0x43
#define PIT_GATE 0x61
#define CALIBRATE_MS 10u

static uint64_t tsc_hz;   /* 0 until kernel_clock_init() succeeds */
static uint64_t tsc_base; /* TSC at calibration: time 0 */
static bool at_line_start = true;

static uint64_t clock_ns(void *ctx)
{
	(void)ctx;
	if (!tsc_hz)
		return 0;
	uint64_t t = rdtsc() - tsc_base;
	return t / tsc_hz * 1000000000u + t % tsc_hz * 1000000000u / tsc_hz;
}

static void stamp(void)
{
	char buf[24];
	uint64_t ns = clock_ns(NULL);
	unsigned long sec = (unsigned long)(ns / 1000000000u);
	unsigned long us = (unsigned long)(ns % 1000000000u / 1000u);
	size_t n = pmm_snprintf(buf, sizeof(buf), "[%5lu.%06lu] ", sec, us);
	serial_write(buf, n < sizeof(buf) ? n : sizeof(buf) - 1);
}

static void klog(void *ctx, const char *s, size_t len)
{
	(void)ctx;
	while (len) {
		size_t n = 0;
		if (at_line_start)
			stamp();
		while (n < len && s[n] != '\n')
			n++;
		at_line_start = n < len;
		if (at_line_start)
			n++;
		serial_write(s, n);
		s += n;
		len -= n;
	}
}

static void kreport(void *ctx, int err, const char *func, const char *msg)
{
	(void)ctx;
	kernel_panic("pmm: %s: %s (%s)", func, msg, pmm_strerror(err));
}

static void *kmap(void *ctx, pmm_phys_t pa, size_t size, bool *zeroed)
{
	(void)ctx;
	*zeroed = false;
	if (pa >= KERNEL_TOUCH_LIMIT || size > KERNEL_TOUCH_LIMIT - pa)
		return NULL;
	return KVIRT(pa);
}

void kernel_platform_init(void)
{
	struct pmm_platform p = {
		.log = klog,
		.bug = kreport,
		.map = kmap,
		.now_ns = clock_ns,
	};
	pmm_platform_set(&p);
}

/*
 * Count TSC ticks while PIT channel 2 counts down CALIBRATE_MS in mode 0
 * (its output, bit 5 of port 0x61, rises at terminal count). No PIT, or a
 * TSC that does not move: the clock stays at 0.
 */
void kernel_clock_init(void)
{
	uint16_t count = (uint16_t)(PIT_HZ / (1000u / CALIBRATE_MS));
	uint32_t spin = 50000000u;
	uint8_t gate = inb(PIT_GATE);

	outb(PIT_GATE, (uint8_t)((gate & ~0x03u) | 0x01u)); /* gate on, speaker off */
	outb(PIT_CMD, 0xb0);                       /* ch 2, lo/hi, mode 0 */
	outb(PIT_CH2, (uint8_t)(count & 0xff));
	outb(PIT_CH2, (uint8_t)(count >> 8));
	uint64_t t0 = rdtsc();
	while (!(inb(PIT_GATE) & 0x20) && --spin)
		;
	uint64_t t1 = rdtsc();
	outb(PIT_GATE, gate);
	if (!spin || t1 <= t0)
		return;
	tsc_hz = (t1 - t0) * (1000u / CALIBRATE_MS);
	tsc_base = t0;
}

void kernel_exit(bool pass)
{
	outb(DEBUG_EXIT_PORT, pass ? DEBUG_EXIT_PASS : DEBUG_EXIT_FAIL);
	/* No exit device (a real PC, or QEMU without it): stop here. */
	for (;;)
		__asm__ volatile("cli; hlt");
}

void kernel_panic(const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	pmm_vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (!at_line_start)
		pmm_printk("\n");
	pmm_printk("Kernel panic - not syncing: %s\n", msg);
	kernel_exit(false);
}

/* Called by boot.S for CPU exceptions 0..31: a kernel bug, so panic. */
void kernel_trap(uint32_t vector, uint32_t err, uint32_t eip, uint32_t cr2);
void kernel_trap(uint32_t vector, uint32_t err, uint32_t eip, uint32_t cr2)
{
	kernel_panic("CPU exception %u, error code 0x%08x at eip 0x%08x (cr2 0x%08x)",
		     vector, err, eip, cr2);
}
