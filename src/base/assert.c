/* SPDX-License-Identifier: MIT */
/*
 * assert.c - the one place a failed level-2/3 assertion (assert.h) goes:
 * the platform's bug hook with the function, the condition and the
 * values, then a trap.
 */
#include <pmm/fmt.h>

#include "assert.h"

_Noreturn void pmm_assert_fail(const char *func, const char *cond,
			       const char *fmt, ...)
{
	char detail[160];
	va_list ap;

	va_start(ap, fmt);
	pmm_vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	pmm_bug(PMM_ECORRUPT, func, "assertion '%s' failed: %s", cond, detail);
	__builtin_trap();
}
