/* SPDX-License-Identifier: MIT */
/*
 * platform.c - the installed environment and the core's defaults for it.
 *
 * Every other core file reaches locks, logs, reports, memory mappings and
 * the CPU number through the wrappers here.
 */
#include <pmm/fmt.h>
#include <pmm/report.h>

static const struct pmm_platform no_platform;
static struct pmm_platform current;

void pmm_platform_set(const struct pmm_platform *p)
{
	current = p ? *p : no_platform;
}

const struct pmm_platform *pmm_platform_get(void)
{
	return &current;
}

static void log_write(void *ctx, const char *s, size_t len)
{
	(void)ctx;
	if (current.log)
		current.log(current.ctx, s, len);
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

int pmm_report(int err, const char *func, const char *fmt, ...)
{
	char msg[192];
	va_list ap;
	va_start(ap, fmt);
	pmm_vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (current.report)
		current.report(current.ctx, err, func, msg);
	else
		pmm_printk("pmm: %s: %s (%s)\n", func, msg, pmm_strerror(err));
	return err;
}

void *pmm_phys_map(pmm_phys_t pa, size_t size, bool *zeroed)
{
	bool z = false;
	void *p = current.map ? current.map(current.ctx, pa, size, &z) : NULL;
	if (zeroed)
		*zeroed = p != NULL && z;
	return p;
}

void pmm_lock_init(struct pmm_lock *lock)
{
	pmm_memset(lock, 0, sizeof(*lock));
	if (current.lock_init)
		current.lock_init(current.ctx, lock);
}

void pmm_lock(struct pmm_lock *lock)
{
	if (current.lock)
		current.lock(current.ctx, lock);
}

void pmm_unlock(struct pmm_lock *lock)
{
	if (current.unlock)
		current.unlock(current.ctx, lock);
}

unsigned int pmm_cpu_id(void)
{
	unsigned int cpu = current.cpu_id ? current.cpu_id(current.ctx) : 0;
	return cpu < PMM_NR_CPUS ? cpu : cpu % PMM_NR_CPUS;
}

uint64_t pmm_now_ns(void)
{
	return current.now_ns ? current.now_ns(current.ctx) : 0;
}
