/* SPDX-License-Identifier: MIT */
/*
 * platform_internal.h - inline accessors for the installed platform's
 * hooks, for the allocator's hot paths (per-CPU lists, zone locks).
 *
 * They do exactly what pmm_cpu_id(), pmm_lock() and pmm_unlock() do - call
 * the hook the environment installed, or apply the documented default -
 * minus one call level: the platform stays the only place that knows the
 * environment, the core only skips the wrapper.
 */
#ifndef PMM_PLATFORM_INTERNAL_H
#define PMM_PLATFORM_INTERNAL_H

#include <pmm/platform.h>

/* The installed platform (platform.c); read-only outside pmm_platform_set(). */
extern struct pmm_platform pmm_platform_installed;

/*
 * Return: the caller's CPU, 0..PMM_NR_CPUS-1: the build's PMM_ARCH_CPU_ID()
 * when it has one (platform.h), else the cpu_id hook (default 0).
 */
static inline unsigned int pmm_platform_cpu(void)
{
#ifdef PMM_ARCH_CPU_ID
	unsigned int cpu = PMM_ARCH_CPU_ID();
#else
	unsigned int (*fn)(void *) = pmm_platform_installed.cpu_id;
	unsigned int cpu = fn ? fn(pmm_platform_installed.ctx) : 0;
#endif
	/* A power of two wraps with a mask, one instruction, no branch. */
	if ((PMM_NR_CPUS & (PMM_NR_CPUS - 1)) == 0)
		return cpu % PMM_NR_CPUS;
	if (__builtin_expect(cpu >= PMM_NR_CPUS, 0))
		cpu %= PMM_NR_CPUS;
	return cpu;
}

static inline void pmm_platform_lock(struct pmm_lock *lock)
{
	void (*fn)(void *, struct pmm_lock *) = pmm_platform_installed.lock;
	if (fn)
		fn(pmm_platform_installed.ctx, lock);
}

static inline void pmm_platform_unlock(struct pmm_lock *lock)
{
	void (*fn)(void *, struct pmm_lock *) = pmm_platform_installed.unlock;
	if (fn)
		fn(pmm_platform_installed.ctx, lock);
}

#endif /* PMM_PLATFORM_INTERNAL_H */
