/* SPDX-License-Identifier: MIT */
/*
 * pmm/platform.h - the one seam between pmm and the environment it runs in.
 *
 * No other core file knows whether it runs in a kernel, a hypervisor, the
 * host simulator or a test. The environment fills a struct pmm_platform and
 * installs it with pmm_platform_set(); every hook may be NULL and then gets
 * the documented default; struct pmm_platform below says what the core
 * relies on from each hook. The core itself uses only the freestanding
 * headers <stddef.h>, <stdint.h>, <stdbool.h>, <stdarg.h> and
 * <stdatomic.h> (the slab layer's lock-free paths).
 */
#ifndef PMM_PLATFORM_H
#define PMM_PLATFORM_H

#include <stdarg.h>
#include <pmm/types.h>

/*
 * A lock: @opaque is the environment's (a spinlock, a mutex...: at most
 * PMM_LOCK_SIZE bytes, aligned to 16); @holder is pmm's, written only in
 * PMM_DEBUG >= 2 builds: the CPU that holds the lock plus one, 0 while it
 * is free, so that a _locked function can assert that its caller holds
 * the lock. pmm initialises the locks it embeds in its structures with
 * pmm_lock_init(); a static lock of the core is PMM_LOCK_INIT (all zero
 * bytes) and never goes through lock_init().
 */
#define PMM_LOCK_SIZE 48
struct pmm_lock {
	_Alignas(16) unsigned char opaque[PMM_LOCK_SIZE];
	unsigned int holder;
};

/* A free lock without lock_init(): all zero bytes (see struct pmm_platform). */
#define PMM_LOCK_INIT { { 0 }, 0 }

/* Text output: a function that takes @len bytes of @s (not NUL-terminated). */
struct pmm_out {
	void (*write)(void *ctx, const char *s, size_t len);
	void *ctx;
};

/*
 * struct pmm_platform - what the environment provides, and what the core
 * relies on. Every hook may be NULL and then has the default said below.
 *
 * Rules for every hook:
 *   - @ctx is passed back unchanged; pmm never reads it.
 *   - A hook never calls back into pmm (no allocation, no free, no
 *     pmm_printk() from log()): several are called with a pmm lock held.
 *   - Called with a pmm lock held (a zone lock, a slab cache lock, the
 *     slab lock, memmap's sanitize lock): log, bug, map, cpu_id, unlock,
 *     and lock (a cache or zone lock under the slab lock). Called with
 *     no pmm lock held: memmap_alloc, lock_init, now_ns (boot only),
 *     memmap_populate and memmap_depopulate (memory hotplug).
 *   - The hooks of an installed platform do not change while pmm runs;
 *     pmm_platform_set() is called before pmm is used, or while nothing
 *     else runs in it.
 */
struct pmm_platform {
	void *ctx; /* passed back to every hook */

	/*
	 * Log text (boot messages, reports); @s is not NUL-terminated and is
	 * only valid during the call. May be called with a lock held and on
	 * any CPU at once: it must not sleep if the locks do not, and it
	 * serialises its own output. Default: discarded.
	 */
	void (*log)(void *ctx, const char *s, size_t len);

	/*
	 * A broken invariant: double free, free of a reserved page, wrong
	 * order... @err is the code, @func the pmm function, @msg the detail
	 * (valid only during the call). Often called with a zone or cache
	 * lock held. A kernel panics here; the simulator prints and returns
	 * so that the caller gets @err back (pmm stays consistent: the
	 * offending call changes nothing). After a failed PMM_DEBUG >= 2
	 * assertion pmm traps when this returns. Default: log the message
	 * and return.
	 */
	void (*bug)(void *ctx, int err, const char *func, const char *msg);

	/*
	 * Map @size bytes of physical memory at @pa for the core to read and
	 * write (metadata: bitmaps, page descriptors, memblock's region
	 * arrays, slabs, poison, zeroing). Return NULL when that memory
	 * cannot be touched (simulated memory, highmem without a mapping):
	 * the callers then skip the work or fail cleanly. Set *@zeroed (never
	 * NULL) when the returned memory is known to read as zero (fresh
	 * host pages), so the core may skip clearing it.
	 *
	 * The core relies on:
	 *   - lifetime: the mapping is permanent. pmm keeps the pointer for
	 *     as long as it uses the memory (page descriptors, zone bitmaps,
	 *     memblock arrays and slabs for good), never "unmaps", and maps
	 *     the same memory again whenever it likes; a temporary window
	 *     that the next call reuses is not enough;
	 *   - stability: the same @pa gives the same address every time;
	 *   - linearity: all @size bytes are contiguous at the address, and
	 *     a page-aligned @pa gives a page-aligned address;
	 *   - the slab layer needs more: one linear map for every block it
	 *     gets, virtual - physical the same constant for all of them
	 *     (learned from the first slab; it turns an object's address back
	 *     into its page). A block mapped at another offset is given back
	 *     and the slab allocation fails;
	 *   - @size is at most a few MiB per call (pmm_phys_fill() maps 256
	 *     pages at a time; metadata arrays are mapped whole);
	 *   - context: any CPU, possibly with a zone lock held (poisoning and
	 *     __GFP_ZERO run inside allocations): must not sleep where the
	 *     locks do not, and must not allocate from pmm.
	 * Default: NULL (nothing can be touched).
	 */
	void *(*map)(void *ctx, pmm_phys_t pa, size_t size, bool *zeroed);

	/*
	 * Backing for the flat page-descriptor array of @bytes bytes when the
	 * physical memory reserved for it cannot be mapped in one piece (the
	 * simulator; a kernel with a virtual memmap). Called once per boot
	 * (pmm_boot()), with no lock held; the memory stays in use until the
	 * next boot (which may reuse or replace it) and is aligned to at
	 * least 16 bytes. *@zeroed (never NULL) says whether it reads as
	 * zero; otherwise the core clears it. Return NULL when there is no
	 * room: the boot fails with PMM_ENOMEM. Default: NULL (the core maps
	 * the reserved memory with map()).
	 */
	void *(*memmap_alloc)(void *ctx, size_t bytes, bool *zeroed);

	/*
	 * A virtual memmap (as Linux's sparse vmemmap): make the page-aligned
	 * slice [@va, @va + @bytes) of the descriptor array read and write
	 * the physical pages [@pa, @pa + @bytes) - pages pmm owns and never
	 * hands out while the slice uses them; they read as they were (pmm
	 * clears them through @va). Memory hotplug calls it for the
	 * descriptors of each block it adds, backed by the block's own first
	 * pages (pmm_hotplug_config.memmap_on_memory) or by a late allocation
	 * of boot memory. Return 0, or a negative PMM_E* code with nothing
	 * changed. Called with no pmm lock held, one hotplug call at a time.
	 * With both hooks the boot backs and zeroes only the descriptors of
	 * boot memory: the array memmap_alloc gives must read zero above
	 * them, whatever *zeroed says, and is never written there before a
	 * populate. Default: NULL (the descriptors stay where memmap_alloc or
	 * the early allocator put them, for the whole hotplug room).
	 */
	int (*memmap_populate)(void *ctx, void *va, size_t bytes, pmm_phys_t pa);
	/*
	 * Undo memmap_populate() for the slice (a block removed): the
	 * physical pages are no longer read through it; the slice reads zero
	 * again, as before it was populated. Needed with memmap_populate.
	 */
	void (*memmap_depopulate)(void *ctx, void *va, size_t bytes);

	/*
	 * Initialise, take and release the lock in @lock->opaque. Rules:
	 *   - all zero bytes must be a free lock even when lock_init() never
	 *     saw it (PMM_LOCK_INIT: the core's static locks exist before any
	 *     platform is installed); lock_init() may set up more;
	 *   - no recursion: pmm never takes a lock it holds. It holds at most
	 *     two at once, in this order: the slab lock, then a slab cache
	 *     lock or a zone lock;
	 *   - lock() may sleep (a mutex) only if no caller ever enters pmm
	 *     where sleeping is not allowed (interrupt handlers,
	 *     PMM_GFP_ATOMIC_CONTEXT); pmm itself never sleeps and holds a
	 *     lock for a bounded walk;
	 *   - lock() is an acquire and unlock() a release barrier: pmm's data
	 *     under a lock is plain memory;
	 *   - a lock is released on the CPU that took it (cpu_id() does not
	 *     change while a pmm lock is held).
	 * Default: no-ops (one CPU, or callers that serialise).
	 */
	void (*lock_init)(void *ctx, struct pmm_lock *lock);
	void (*lock)(void *ctx, struct pmm_lock *lock);
	void (*unlock)(void *ctx, struct pmm_lock *lock);

	/*
	 * The CPU the caller runs on, 0..PMM_NR_CPUS-1 (larger numbers are
	 * wrapped modulo PMM_NR_CPUS, and then two CPUs share per-CPU lists:
	 * correct only if they never run pmm at once). The environment
	 * guarantees it does not change until the pmm call returns
	 * (preemption disabled, or one per-CPU list set per thread), and
	 * that no two threads with the same number run in pmm at once: the
	 * per-CPU lists and slab arrays are touched without a lock. Called
	 * on every allocation and free, often with a lock held: it must be
	 * cheap and must not sleep. Default: 0.
	 *
	 * Build-time alternative: an environment whose CPU number is one load
	 * away (a %gs-relative read in a kernel, a thread-local variable in
	 * the simulator, the constant 0 on one CPU) defines the macro
	 * PMM_ARCH_CPU_ID() - an unsigned int expression with the same
	 * guarantee - when it compiles the core, e.g. with -include of its own
	 * header (host/host_cpu.h is the host's). The per-CPU fast paths
	 * and pmm_cpu_id() then read it inline and this hook is not called:
	 * an order-0 allocation and free then make no call at all.
	 */
	unsigned int (*cpu_id)(void *ctx);

	/*
	 * A monotonic clock in nanoseconds, for boot timings only (never
	 * for decisions). Default: 0.
	 */
	uint64_t (*now_ns)(void *ctx);

	/*
	 * Move the allocated block of 2^@order pages headed by @pfn: its
	 * owner copies it into a new block, points its users there and frees
	 * the old one (pmm_free_pages()), before returning 0; any other
	 * value: it cannot move. pmm_cma_alloc() calls it for movable pages
	 * borrowed from a CMA region, with no lock held, the block's
	 * pageblocks isolated (a free puts it on no allocatable list).
	 * Default: NULL (nothing moves: such a CMA allocation fails).
	 */
	int (*migrate)(void *ctx, pmm_pfn_t pfn, pmm_order_t order);

	/*
	 * Free page reporting (pmm/elastic.h): offer the @n (1..32) free
	 * blocks @pfns / @orders to the hypervisor, which may take their
	 * memory away. Return 0 when it took them all (pmm marks them
	 * reported and does not offer them again until they have been
	 * allocated); any other value: it took none. Called by
	 * pmm_report_free_pages() with the zone lock held. Default: NULL (no
	 * reporting: pmm_report_free_pages() fails with PMM_ESTATE).
	 */
	int (*report_free)(void *ctx, const pmm_pfn_t *pfns,
			   const pmm_order_t *orders, unsigned int n);

	/*
	 * The reported block of 2^@order pages at @pfn is about to be used
	 * (allocated, or merged with a block that is not reported): the
	 * hypervisor gives its memory back before this returns. Called with
	 * the zone lock held, on the allocation path's uncommon branch.
	 * Default: NULL (nothing to do: the hypervisor gives memory back on
	 * its first touch, as virtio-balloon's free page reporting does).
	 */
	void (*reclaim_reported)(void *ctx, pmm_pfn_t pfn, pmm_order_t order);

	/*
	 * A property, not a hook: memory the hypervisor gives back after it
	 * was reported reads as zero (fresh host pages, as after
	 * MADV_DONTNEED or a virtio-balloon discard). pmm then marks a
	 * reclaimed block known-zero, and __GFP_ZERO skips its memset.
	 * Default: false.
	 */
	bool reported_reads_zero;

	/*
	 * Run @fn(@arg, job) once for every job in [0, @nr_jobs), spread over
	 * the CPUs the environment offers, and return when every job has
	 * returned (the padata_do_multithreaded() of Linux's deferred page
	 * init). pmm uses it to hand several nodes to the buddy allocator at
	 * once at boot (pmm_run_jobs()). The core relies on:
	 *   - jobs that run at the same time run on CPUs whose cpu_id() (or
	 *     PMM_ARCH_CPU_ID) differ; a job may run on the calling CPU;
	 *   - whatever a job wrote is visible to the caller when the hook
	 *     returns (a join, or a release by each job and an acquire here);
	 *   - context: boot, no pmm lock held; jobs take zone locks, so the
	 *     CPUs must not be able to hold them already (no job on a CPU
	 *     interrupted inside pmm);
	 *   - Return: 0 when every job ran; nonzero only when none ran (no
	 *     CPU available, no memory for threads): pmm then runs them
	 *     itself, one after the other. A hook that runs some and fails,
	 *     or skips or repeats jobs, is a broken invariant: pmm runs each
	 *     missing job itself, never one twice, and reports it.
	 * Default: NULL (every job runs on the calling CPU, in order).
	 */
	int (*run_on_cpus)(void *ctx, void (*fn)(void *arg, unsigned int job),
			   void *arg, unsigned int nr_jobs);
};

/*
 * Install @p (copied) as the environment; NULL restores the defaults.
 * Context: before pmm is used, or while nothing runs in it (the hooks are
 * read without a lock).
 */
void pmm_platform_set(const struct pmm_platform *p);

/* Return: the installed platform (never NULL; all hooks NULL by default). */
const struct pmm_platform *pmm_platform_get(void);
/* Return: true when the platform maps the descriptor array itself and
 * backs slices of it on demand (memmap_alloc, memmap_populate and
 * memmap_depopulate all set): a virtual memmap. */
bool pmm_platform_virtual_memmap(void);

/* Return: a sink that writes to the platform's log hook (see pmm/fmt.h). */
const struct pmm_out *pmm_log_out(void);

/* Log formatted text (pmm/fmt.h's conversions) through the log hook. */
void pmm_printk(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * Report a broken invariant through the bug hook and return @err, so
 * that callers write "return pmm_bug(PMM_EDOUBLEFREE, __func__, ...)".
 * The message is cut at 191 bytes. Return: @err (if the hook returns).
 * Context: any, locks may be held.
 */
int pmm_bug(int err, const char *func, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * Map @size bytes at @pa through the map hook (see struct pmm_platform for
 * what a mapping promises). @zeroed may be NULL; else it is set true only
 * when the mapping exists and reads as zero.
 * Return: a pointer to @size bytes at @pa, or NULL if untouchable.
 */
void *pmm_phys_map(pmm_phys_t pa, size_t size, bool *zeroed);

/*
 * Write byte @c over [@pa, @pa + @size), mapping it through map() a chunk
 * at a time (chunks aligned to 256 pages); chunks the platform cannot map
 * are skipped, and with @c == 0 chunks that map() says read as zero are
 * not written. A range that would pass the top of the address space is
 * cut at 2^64 - 1.
 * Return: bytes that could be mapped (and so hold @c).
 * Context: any; calls map() once per chunk.
 */
uint64_t pmm_phys_fill(pmm_phys_t pa, uint64_t size, int c);

/*
 * Read [@pa, @pa + @size) through map() a chunk at a time, skipping
 * chunks that cannot be mapped. Return: the offset of the first byte
 * that is not zero, or @size when every mapped byte is zero.
 */
uint64_t pmm_phys_find_nonzero(pmm_phys_t pa, uint64_t size);
/* A job of pmm_run_on_cpus(): job number @job of the caller's @arg. */
typedef void pmm_job_fn(void *arg, unsigned int job);

/* At most this many jobs per pmm_run_on_cpus() call: the hand-off cuts
 * its nodes into at most this many pieces (pmm_run_pieces()). */
#define PMM_JOBS_MAX PMM_MAX_NUMNODES

/*
 * Run @fn(@arg, job) once for every job in [0, @nr_jobs) through the
 * platform's run_on_cpus hook (see struct pmm_platform), or one after the
 * other on this CPU when there is none. Jobs the hook did not run are run
 * here after it returns (and reported: the hook broke its contract), a job
 * it runs twice runs once.
 * Return: 0 (every job ran exactly once); PMM_EINVAL (@fn NULL, @nr_jobs 0
 * or above PMM_JOBS_MAX) or PMM_EPLATFORM (the hook failed and ran
 * nothing): then no job ran.
 * Context: boot, no pmm lock held; @fn runs on several CPUs at once.
 */
int pmm_run_on_cpus(pmm_job_fn *fn, void *arg, unsigned int nr_jobs);

/*
 * pmm_run_on_cpus(), and when the hook fails (PMM_EPLATFORM) the jobs one
 * after the other on this CPU, with a log line saying so.
 * Return: 0 (every job ran exactly once) or PMM_EINVAL (nothing ran).
 */
int pmm_run_jobs(pmm_job_fn *fn, void *arg, unsigned int nr_jobs);

/* Clear @lock (holder too), then the lock_init hook. Context: no one uses @lock. */
void pmm_lock_init(struct pmm_lock *lock);
/* Take @lock through the lock hook; PMM_DEBUG >= 2 records the holder. */
void pmm_lock(struct pmm_lock *lock);
/* Release @lock, which the calling CPU holds (asserted at PMM_DEBUG >= 2). */
void pmm_unlock(struct pmm_lock *lock);
/* Return: the calling CPU, 0..PMM_NR_CPUS-1 (PMM_ARCH_CPU_ID or cpu_id). */
unsigned int pmm_cpu_id(void);
/* Return: the now_ns hook's clock in nanoseconds, or 0 without one. */
uint64_t pmm_now_ns(void);

/* Freestanding helpers (the core links no libc), C's semantics. */
/* Write byte @c over @n bytes at @dst. */
void pmm_memset(void *dst, int c, size_t n);
/* Copy @n bytes from @src to @dst (they do not overlap). */
void pmm_memcpy(void *dst, const void *src, size_t n);
/* Return: <0, 0, >0 as the first differing byte of @a is below/equal/above @b's. */
int pmm_memcmp(const void *a, const void *b, size_t n);
/* Return: the length of the NUL-terminated @s. */
size_t pmm_strlen(const char *s);

#endif /* PMM_PLATFORM_H */
