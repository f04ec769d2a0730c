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

#include "assert.h"

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

/* Return: @lock's holder, the holding CPU + 1 (0: free); PMM_DEBUG >= 2. */
static inline unsigned int pmm_lock_holder(const struct pmm_lock *lock)
{
	return __atomic_load_n(&lock->holder, __ATOMIC_RELAXED);
}

/* Return: true when the calling CPU holds @lock (meaningful at PMM_DEBUG >= 2). */
static inline bool pmm_lock_held(const struct pmm_lock *lock)
{
	return pmm_lock_holder(lock) == pmm_platform_cpu() + 1;
}

/* pmm_lock() without the call: take @lock through the installed hook. */
static inline void pmm_platform_lock(struct pmm_lock *lock)
{
	void (*fn)(void *, struct pmm_lock *) = pmm_platform_installed.lock;
	if (fn)
		fn(pmm_platform_installed.ctx, lock);
	if (PMM_DEBUG >= 2)
		__atomic_store_n(&lock->holder, pmm_platform_cpu() + 1, __ATOMIC_RELAXED);
}

/* pmm_unlock() without the call: release @lock through the installed hook. */
static inline void pmm_platform_unlock(struct pmm_lock *lock)
{
	void (*fn)(void *, struct pmm_lock *) = pmm_platform_installed.unlock;
	if (PMM_DEBUG >= 2) {
		PMM_ASSERT_LOCKED(lock);
		__atomic_store_n(&lock->holder, 0u, __ATOMIC_RELAXED);
	}
	if (fn)
		fn(pmm_platform_installed.ctx, lock);
}

/* A piece of pmm_run_pieces(): piece @piece of the @pieces of group @group. */
typedef void pmm_piece_fn(void *arg, unsigned int group, unsigned int piece,
			  unsigned int pieces);

/* At most this many pieces per group in pmm_run_pieces(). */
#define PMM_PIECES_MAX 4u

/*
 * Run @fn for every piece of every group in [0, @nr_groups) through
 * pmm_run_jobs(): each group cut in min(PMM_PIECES_MAX, PMM_JOBS_MAX /
 * @nr_groups) pieces (one when there is one group: its pieces could only
 * wait for each other), so that the last pieces are short and the CPUs
 * finish together. A group's pieces run one at a time and in order, on
 * whatever CPU: what they build comes out as one CPU would build it. A
 * job runs pieces going round the groups from its own (job % @nr_groups),
 * passing by a group another job is in: no CPU waits for one that lost
 * its CPU, and CPUs running at once work on different groups.
 * Return: 0, or PMM_EINVAL (@fn NULL, @nr_groups 0 or above PMM_JOBS_MAX):
 * then nothing ran.
 * Context: boot, no pmm lock held, one call at a time (its state is
 * static); @fn runs on several CPUs at once and may take zone locks.
 */
int pmm_run_pieces(pmm_piece_fn *fn, void *arg, unsigned int nr_groups);

/*
 * Return: where piece @piece of @pieces of [@start, @end) starts: the
 * @pieces cuts fall on multiples of 2^@order pfns (blocks of up to that
 * order lie inside one piece), @start for piece 0, @end for @pieces.
 */
pmm_pfn_t pmm_piece_start(pmm_pfn_t start, pmm_pfn_t end, unsigned int piece,
			  unsigned int pieces, pmm_order_t order);

/* Piece @piece of @pieces of [@start, @end), cut at top-order block
 * boundaries (pmm_piece_start()), into [*@lo, *@hi). */
static inline void pmm_piece_span(pmm_pfn_t start, pmm_pfn_t end,
				  unsigned int piece, unsigned int pieces,
				  pmm_pfn_t *lo, pmm_pfn_t *hi)
{
	*lo = pmm_piece_start(start, end, piece, pieces, PMM_MAX_ORDER);
	*hi = pmm_piece_start(start, end, piece + 1, pieces, PMM_MAX_ORDER);
}

#endif /* PMM_PLATFORM_INTERNAL_H */
