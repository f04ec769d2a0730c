/* SPDX-License-Identifier: MIT */
/*
 * assert.h - the core's assertion levels, chosen at build time with
 * -DPMM_DEBUG=N (make PMM_DEBUG=N):
 *
 *   0  no checks beyond what correctness needs (error returns for bad
 *      input stay: they are the contract, not checks);
 *   1  (default) the cheap always-on integrity checks: a free's double-free,
 *      wrong-order and reserved-page checks, the slab's foreign-pointer and
 *      double-free checks. They report through pmm_bug() and the call
 *      fails; nothing changes;
 *   2  internal assertions: the lock a _locked function relies on is held,
 *      list and counter invariants hold where they are updated;
 *   3  level 2, and the whole-structure validators (pmm_check() and the
 *      layers' own) after every PMM_VALIDATE_EVERY-th operation.
 *
 * A failed level-2 or level-3 assertion is a bug in pmm, never bad input:
 * it goes to the platform's bug hook as PMM_ECORRUPT with the function,
 * the condition and the values, then stops (__builtin_trap), since nothing
 * after a broken invariant can be trusted.
 */
#ifndef PMM_BASE_ASSERT_H
#define PMM_BASE_ASSERT_H

#include <pmm/platform.h>

#ifndef PMM_DEBUG
#define PMM_DEBUG 1
#endif
_Static_assert(PMM_DEBUG >= 0 && PMM_DEBUG <= 3, "PMM_DEBUG is 0, 1, 2 or 3");

#ifndef PMM_VALIDATE_EVERY
#define PMM_VALIDATE_EVERY 64u
#endif
_Static_assert((PMM_VALIDATE_EVERY & (PMM_VALIDATE_EVERY - 1)) == 0,
	       "PMM_VALIDATE_EVERY is a power of two");

/*
 * Report "assertion 'COND' failed: DETAIL" for @func through pmm_bug()
 * as PMM_ECORRUPT, then trap. Never returns.
 */
_Noreturn void pmm_assert_fail(const char *func, const char *cond,
			       const char *fmt, ...)
	__attribute__((format(printf, 3, 4), cold));

/* Level-1 checks: true when the cheap always-on checks are compiled in. */
#define PMM_CHECKS (PMM_DEBUG >= 1)

/*
 * PMM_ASSERT(cond, fmt, ...): at level 2 and up, @cond must hold; the
 * message names the values (fmt and its arguments, printf-style).
 */
#define PMM_ASSERT(cond, ...)                                              \
	do {                                                               \
		if (PMM_DEBUG >= 2 && __builtin_expect(!(cond), 0))        \
			pmm_assert_fail(__func__, #cond, __VA_ARGS__);     \
	} while (0)

/* At level 2 and up: the calling CPU holds @lock (see pmm_lock_held()). */
#define PMM_ASSERT_LOCKED(lock)                                            \
	PMM_ASSERT(pmm_lock_held(lock), "lock %p held by CPU %d, not %u",  \
		   (const void *)(lock), (int)pmm_lock_holder(lock) - 1,     \
		   pmm_cpu_id())

/*
 * At level 3: true on every PMM_VALIDATE_EVERY-th call with the same
 * @counter (an unsigned int the caller owns, e.g. a per-zone or per-layer
 * operation count), when the caller then runs its whole-structure
 * validator. Always false below level 3, so the validator call compiles
 * away.
 */
#define PMM_VALIDATE_DUE(counter)                                          \
	(PMM_DEBUG >= 3 && ((++(counter)) & (PMM_VALIDATE_EVERY - 1)) == 0)

#endif /* PMM_BASE_ASSERT_H */
