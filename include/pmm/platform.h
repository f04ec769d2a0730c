/* SPDX-License-Identifier: MIT */
/*
 * pmm/platform.h - the one seam between pmm and the environment it runs in.
 *
 * No other core file knows whether it runs in a kernel, a hypervisor, the
 * host simulator or a test. The environment fills a struct pmm_platform and
 * installs it with pmm_platform_set(); every hook may be NULL and then gets
 * the documented default. The core itself uses only <stddef.h>, <stdint.h>,
 * <stdbool.h> and <stdarg.h>.
 */
#ifndef PMM_PLATFORM_H
#define PMM_PLATFORM_H

#include <stdarg.h>
#include <pmm/types.h>

/*
 * A lock: @opaque is the environment's (a spinlock, a mutex...: at most
 * PMM_LOCK_SIZE bytes); @holder is pmm's, written only in PMM_DEBUG >= 2
 * builds: the CPU that holds the lock plus one, 0 while it is free, so
 * that a _locked function can assert that its caller holds the lock.
 */
#define PMM_LOCK_SIZE 48
struct pmm_lock {
	_Alignas(16) unsigned char opaque[PMM_LOCK_SIZE];
	unsigned int holder;
};

/* Text output: a function that takes @len bytes of @s (not NUL-terminated). */
struct pmm_out {
	void (*write)(void *ctx, const char *s, size_t len);
	void *ctx;
};

struct pmm_platform {
	void *ctx; /* passed back to every hook */

	/* Log text (boot messages, reports). Default: discarded. */
	void (*log)(void *ctx, const char *s, size_t len);

	/*
	 * A broken invariant: double free, free of a reserved page, wrong
	 * order... @err is the code, @func the pmm function, @msg the detail.
	 * A kernel panics here; the simulator prints and returns so that the
	 * caller gets @err back. Default: log the message and return.
	 */
	void (*bug)(void *ctx, int err, const char *func, const char *msg);

	/*
	 * Map @size bytes of physical memory at @pa for the core to read and
	 * write (metadata: bitmaps, page descriptors, poison). Return NULL when
	 * that memory cannot be touched (simulated memory, highmem without a
	 * mapping). Set *@zeroed when the returned memory is known to read as
	 * zero (fresh host pages), so the core may skip clearing it.
	 * Default: NULL (nothing can be touched).
	 */
	void *(*map)(void *ctx, pmm_phys_t pa, size_t size, bool *zeroed);

	/*
	 * Backing for the flat page-descriptor array of @bytes bytes when the
	 * physical memory reserved for it cannot be mapped in one piece (the
	 * simulator; a kernel with a virtual memmap). Zeroed or not as *@zeroed
	 * says. Default: NULL (the core maps the reserved memory with map()).
	 */
	void *(*memmap_alloc)(void *ctx, size_t bytes, bool *zeroed);

	/* Initialise, take and release the lock in @lock. Default: no-ops. */
	void (*lock_init)(void *ctx, struct pmm_lock *lock);
	void (*lock)(void *ctx, struct pmm_lock *lock);
	void (*unlock)(void *ctx, struct pmm_lock *lock);

	/*
	 * The CPU the caller runs on, 0..PMM_NR_CPUS-1. The environment
	 * guarantees it does not change until the pmm call returns (preemption
	 * disabled, or one per-CPU list set per thread). Default: 0.
	 *
	 * Build-time alternative: an environment whose CPU number is one load
	 * away (a %gs-relative read in a kernel, a thread-local variable in
	 * the simulator, the constant 0 on one CPU) defines the macro
	 * PMM_ARCH_CPU_ID() - an unsigned int expression with the same
	 * guarantee - when it compiles the core, e.g. with -include of its own
	 * header (sim/host_cpu.h is the simulator's). The per-CPU fast paths
	 * and pmm_cpu_id() then read it inline and this hook is not called:
	 * an order-0 allocation and free then make no call at all.
	 */
	unsigned int (*cpu_id)(void *ctx);

	/* A monotonic clock in nanoseconds, for boot timings. Default: 0. */
	uint64_t (*now_ns)(void *ctx);
};

/* Install @p (copied) as the environment; NULL restores the defaults. */
void pmm_platform_set(const struct pmm_platform *p);

/* Return: the installed platform (never NULL). */
const struct pmm_platform *pmm_platform_get(void);

/* Return: a sink that writes to the platform's log hook (see pmm/fmt.h). */
const struct pmm_out *pmm_log_out(void);

/* Log formatted text through the platform's log hook (see pmm/fmt.h). */
void pmm_printk(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * Report a broken invariant through the bug hook and return @err, so
 * that callers write "return pmm_bug(PMM_EDOUBLEFREE, __func__, ...)".
 */
int pmm_bug(int err, const char *func, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Return: a pointer to @size bytes at @pa, or NULL if untouchable. */
void *pmm_phys_map(pmm_phys_t pa, size_t size, bool *zeroed);

/*
 * Write byte @c over [@pa, @pa + @size), mapping it through map() a chunk
 * at a time; chunks the platform cannot map are skipped, and with @c == 0
 * chunks that map() says read as zero are not written.
 * Return: bytes that could be mapped (and so hold @c).
 */
uint64_t pmm_phys_fill(pmm_phys_t pa, uint64_t size, int c);

void pmm_lock_init(struct pmm_lock *lock);
void pmm_lock(struct pmm_lock *lock);
void pmm_unlock(struct pmm_lock *lock);
unsigned int pmm_cpu_id(void);
uint64_t pmm_now_ns(void);

/* Freestanding memory helpers (the core links no libc). */
void pmm_memset(void *dst, int c, size_t n);
void pmm_memcpy(void *dst, const void *src, size_t n);
int pmm_memcmp(const void *a, const void *b, size_t n);
size_t pmm_strlen(const char *s);

#endif /* PMM_PLATFORM_H */
