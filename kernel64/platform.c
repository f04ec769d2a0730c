/* SPDX-License-Identifier: MIT */
/*
 * platform.c - the x86_64 kernel's side of include/pmm/platform.h.
 *
 * log     COM1; each CPU gathers a line in its struct kcpu and writes it
 *         whole, with a "[    s.micros] " stamp, under the console lock,
 *         so that lines of CPUs running at once never mix.
 * bug     a broken invariant panics, like the seed's BUG().
 * map     the direct map: identity below KERNEL64_DIRECT_MAP_END (linear,
 *         permanent, one offset for all RAM, as the slab layer needs);
 *         nothing above it.
 * locks   spinlocks: xchg to take, a plain release store to drop, pause
 *         while waiting. All-zero bytes is a free lock (PMM_LOCK_INIT).
 * cpu     PMM_ARCH_CPU_ID() (percpu.h): one %gs-relative load.
 * clock   the TSC, calibrated against PIT channel 2 at boot.
 * jobs    run_on_cpus: kernel_smp_run() on every running CPU, each taking
 *         jobs from a shared counter; it returns when all CPUs are done
 *         (their done flags are release stores, read with acquire).
 * exit    isa-debug-exit at 0xf4: 16 -> QEMU status 33, 17 -> 35.
 */
#include <stdarg.h>
#include "kernel64.h"

#define DEBUG_EXIT_PORT 0xf4
#define DEBUG_EXIT_PASS 16
#define DEBUG_EXIT_FAIL 17

#define PIT_HZ 1193182u
#define PIT_CH2 0x42
#define PIT_CMD 0x43
#define PIT_GATE 0x61
#define CALIBRATE_MS 10u

_Static_assert(sizeof(struct kspin) <= PMM_LOCK_SIZE,
	       "a spinlock fits struct pmm_lock's opaque bytes");

static uint64_t tsc_hz;   /* 0 until kernel_clock_init() succeeds */
static uint64_t tsc_base; /* TSC at calibration: time 0 */
static struct kspin console_lock;
static volatile int panicking;

void kspin_lock(struct kspin *l)
{
	for (;;) {
		uint32_t v = 1;
		__asm__ volatile("xchgl %0, %1" : "+r"(v), "+m"(l->word)
				 : : "memory");
		if (v == 0)
			return;
		while (l->word)
			cpu_relax();
	}
}

void kspin_unlock(struct kspin *l)
{
	__asm__ volatile("" ::: "memory");
	l->word = 0; /* x86 stores are releases */
}

uint64_t kernel_now_ns(void)
{
	if (!tsc_hz)
		return 0;
	uint64_t t = rdtsc() - tsc_base;
	return t / tsc_hz * 1000000000u + t % tsc_hz * 1000000000u / tsc_hz;
}

void kernel_udelay(uint64_t us)
{
	uint64_t end = kernel_now_ns() + us * 1000u;

	if (!tsc_hz) { /* not calibrated: a generous spin */
		for (volatile uint64_t i = 0; i < us * 1000u; i++)
			;
		return;
	}
	while (kernel_now_ns() < end)
		cpu_relax();
}

/* Write the stamped line of @c and empty it. Console lock held. */
static void line_flush_locked(struct kcpu *c)
{
	char stamp[24];
	uint64_t ns = kernel_now_ns();
	size_t n = pmm_snprintf(stamp, sizeof(stamp), "[%5lu.%06lu] ",
				(unsigned long)(ns / 1000000000u),
				(unsigned long)(ns % 1000000000u / 1000u));

	serial_write(stamp, n < sizeof(stamp) ? n : sizeof(stamp) - 1);
	serial_write(c->line, c->line_len);
	c->line_len = 0;
}

static void line_flush(struct kcpu *c)
{
	kspin_lock(&console_lock);
	line_flush_locked(c);
	kspin_unlock(&console_lock);
}

static void klog(void *ctx, const char *s, size_t len)
{
	struct kcpu *c = this_kcpu();

	(void)ctx;
	for (size_t i = 0; i < len; i++) {
		c->line[c->line_len++] = s[i];
		if (s[i] == '\n' || c->line_len == KERNEL64_LINE_MAX)
			line_flush(c);
	}
}

static void kbug(void *ctx, int err, const char *func, const char *msg)
{
	(void)ctx;
	kernel_panic("pmm: %s: %s (%s)", func, msg, pmm_strerror(err));
}

static void *kmap(void *ctx, pmm_phys_t pa, size_t size, bool *zeroed)
{
	(void)ctx;
	*zeroed = false;
	if (pa >= KERNEL64_DIRECT_MAP_END ||
	    size > KERNEL64_DIRECT_MAP_END - pa || pa < PMM_PAGE_SIZE)
		return NULL;
	return KVIRT(pa);
}

static void klock(void *ctx, struct pmm_lock *lock)
{
	(void)ctx;
	kspin_lock((struct kspin *)(void *)lock->opaque);
}

static void kunlock(void *ctx, struct pmm_lock *lock)
{
	(void)ctx;
	kspin_unlock((struct kspin *)(void *)lock->opaque);
}

static uint64_t kclock(void *ctx)
{
	(void)ctx;
	return kernel_now_ns();
}

/* One run_on_cpus call: its jobs, taken in turn from @next. */
struct kjobs {
	void (*fn)(void *arg, unsigned int job);
	void *arg;
	unsigned int nr_jobs;
	unsigned int next;
};

/* kernel_cpu_fn: take jobs until none is left. */
static void kjobs_take(void *arg)
{
	struct kjobs *j = arg;
	unsigned int job;
	while ((job = __atomic_fetch_add(&j->next, 1, __ATOMIC_RELAXED)) <
	       j->nr_jobs)
		j->fn(j->arg, job);
}

static int krun_on_cpus(void *ctx, void (*fn)(void *arg, unsigned int job),
			void *arg, unsigned int nr_jobs)
{
	struct kjobs j = { fn, arg, nr_jobs, 0 };
	(void)ctx;
	kernel_smp_run(kjobs_take, &j);
	return 0;
}

void kernel_platform_init(void)
{
	static const struct pmm_platform p = {
		.log = klog,
		.bug = kbug,
		.map = kmap,
		.lock = klock,
		.unlock = kunlock,
		.now_ns = kclock,
		.run_on_cpus = krun_on_cpus,
	};
	pmm_platform_set(&p);
}

/* Count PIT ticks over CALIBRATE_MS with channel 2 in one-shot mode. */
void kernel_clock_init(void)
{
	uint16_t count = (uint16_t)(PIT_HZ * CALIBRATE_MS / 1000u);
	uint8_t gate = inb(PIT_GATE);

	outb(PIT_GATE, (uint8_t)((gate & ~0x02u) | 0x01u));
	outb(PIT_CMD, 0xb0); /* channel 2, lobyte/hibyte, mode 0 */
	outb(PIT_CH2, (uint8_t)count);
	outb(PIT_CH2, (uint8_t)(count >> 8));
	uint64_t t0 = rdtsc();
	for (uint64_t spins = 0; !(inb(PIT_GATE) & 0x20); spins++)
		if (spins > 100000000u)
			return; /* no PIT: the clock stays at 0 */
	uint64_t t1 = rdtsc();
	tsc_hz = (t1 - t0) * (1000u / CALIBRATE_MS);
	tsc_base = t1;
}

void kernel_exit(bool pass)
{
	outl(DEBUG_EXIT_PORT, pass ? DEBUG_EXIT_PASS : DEBUG_EXIT_FAIL);
	for (;;)
		__asm__ volatile("cli; hlt");
}

/*
 * Panic: the first CPU to get here prints, others stop. The console lock
 * is taken with a bounded wait: the panicking CPU may be the one that
 * holds it (an exception inside the console).
 */
void kernel_panic(const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	if (__atomic_exchange_n(&panicking, 1, __ATOMIC_SEQ_CST))
		for (;;)
			__asm__ volatile("cli; hlt");
	va_start(ap, fmt);
	size_t n = pmm_vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	for (int i = 0; i < 1000000 && console_lock.word; i++)
		cpu_relax();
	serial_write("\nKernel panic - not syncing: ", 29);
	serial_write(msg, n < sizeof(msg) ? n : sizeof(msg) - 1);
	serial_write("\n", 1);
	kernel_exit(false);
}
