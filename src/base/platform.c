/* SPDX-License-Identifier: MIT */
/*
 * platform.c - the installed environment and the core's defaults for it.
 *
 * Every other core file reaches locks, logs, reports, memory mappings and
 * the CPU number through the wrappers here, or (the allocator's hot paths)
 * through the inline accessors of platform_internal.h, which read the same
 * installed hooks.
 */
#include <pmm/fmt.h>

#include "platform_internal.h"

static const struct pmm_platform no_platform;
_Alignas(64) struct pmm_platform pmm_platform_installed; /* read-mostly */

void pmm_platform_set(const struct pmm_platform *p)
{
	pmm_platform_installed = p ? *p : no_platform;
}

const struct pmm_platform *pmm_platform_get(void)
{
	return &pmm_platform_installed;
}

bool pmm_platform_virtual_memmap(void)
{
	const struct pmm_platform *p = &pmm_platform_installed;
	return p->memmap_alloc != NULL && p->memmap_populate != NULL &&
	       p->memmap_depopulate != NULL;
}

static void log_write(void *ctx, const char *s, size_t len)
{
	(void)ctx;
	if (pmm_platform_installed.log)
		pmm_platform_installed.log(pmm_platform_installed.ctx, s, len);
}

static const struct pmm_out log_out = { log_write, NULL };

const struct pmm_out *pmm_log_out(void)
{
	return &log_out;
}

void pmm_printk(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	pmm_vfmt(&log_out, fmt, ap);
	va_end(ap);
}

int pmm_bug(int err, const char *func, const char *fmt, ...)
{
	char msg[192];
	va_list ap;
	va_start(ap, fmt);
	pmm_vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (pmm_platform_installed.bug)
		pmm_platform_installed.bug(pmm_platform_installed.ctx, err, func, msg);
	else
		pmm_printk("pmm: %s: %s (%s)\n", func, msg, pmm_strerror(err));
	return err;
}

void *pmm_phys_map(pmm_phys_t pa, size_t size, bool *zeroed)
{
	bool z = false;
	void *p = pmm_platform_installed.map ? pmm_platform_installed.map(pmm_platform_installed.ctx, pa, size, &z) : NULL;
	if (zeroed)
		*zeroed = p != NULL && z;
	return p;
}

void pmm_lock_init(struct pmm_lock *lock)
{
	pmm_memset(lock, 0, sizeof(*lock));
	if (pmm_platform_installed.lock_init)
		pmm_platform_installed.lock_init(pmm_platform_installed.ctx, lock);
}

void pmm_lock(struct pmm_lock *lock)
{
	pmm_platform_lock(lock);
}

void pmm_unlock(struct pmm_lock *lock)
{
	pmm_platform_unlock(lock);
}

unsigned int pmm_cpu_id(void)
{
	return pmm_platform_cpu();
}

uint64_t pmm_now_ns(void)
{
	return pmm_platform_installed.now_ns ? pmm_platform_installed.now_ns(pmm_platform_installed.ctx) : 0;
}
