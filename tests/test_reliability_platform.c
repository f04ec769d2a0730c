/* SPDX-License-Identifier: MIT */
/*
 * test_reliability_platform.c - the platform seam's documented defaults
 * (every hook NULL) and its forwarding to installed hooks: a kernel or
 * firmware that fills only some hooks must get exactly what platform.h
 * promises for the others.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <pmm/fmt.h>
#include <pmm/platform.h>

static int teardown(void **state)
{
	(void)state;
	pmm_platform_set(NULL);
	return 0;
}

/* No hooks: nothing mapped, no-op locks, CPU 0, clock 0, reports return. */
static void defaults_without_hooks(void **state)
{
	(void)state;
	pmm_platform_set(NULL);
	bool zeroed = true;
	assert_null(pmm_phys_map(0x1000, 4096, &zeroed));
	assert_false(zeroed);
	assert_null(pmm_phys_map(0x1000, 4096, NULL));
	struct pmm_lock lock;
	memset(&lock, 0x5a, sizeof(lock));
	pmm_lock_init(&lock);
	pmm_lock(&lock);
	pmm_unlock(&lock);
	assert_int_equal(lock.opaque[0], 0);
	assert_int_equal(pmm_cpu_id(), 0);
	assert_true(pmm_now_ns() == 0);
	pmm_printk("discarded %d\n", 1);
	assert_int_equal(pmm_report(PMM_EDOUBLEFREE, "f", "pfn %d", 3), PMM_EDOUBLEFREE);
	assert_null(pmm_platform_get()->map);
}

static char logged[256];
static size_t logged_len;
static int reported;
static unsigned int locks;

static void t_log(void *ctx, const char *s, size_t len)
{
	(void)ctx;
	if (logged_len + len < sizeof(logged)) {
		memcpy(logged + logged_len, s, len);
		logged_len += len;
		logged[logged_len] = '\0';
	}
}

static void t_report(void *ctx, int err, const char *func, const char *msg)
{
	(void)ctx;
	(void)func;
	(void)msg;
	reported = err;
}

static unsigned int t_cpu(void *ctx)
{
	(void)ctx;
	return 11;
}

static uint64_t t_now(void *ctx)
{
	(void)ctx;
	return 42;
}

static void t_lock(void *ctx, struct pmm_lock *l)
{
	(void)ctx;
	(void)l;
	locks++;
}

static unsigned char phys[8192];

static void *t_map(void *ctx, pmm_phys_t pa, size_t size, bool *zeroed)
{
	(void)ctx;
	*zeroed = true;
	return pa + size <= sizeof(phys) ? phys + pa : NULL;
}

/* Hooks get the calls; an out-of-range CPU number wraps into range. */
static void hooks_are_forwarded(void **state)
{
	(void)state;
	struct pmm_platform p = {
		.log = t_log, .report = t_report, .cpu_id = t_cpu, .now_ns = t_now,
		.lock_init = t_lock, .lock = t_lock, .unlock = t_lock, .map = t_map,
	};
	pmm_platform_set(&p);
	logged_len = 0;
	locks = 0;
	pmm_printk("hello %s\n", "pmm");
	assert_string_equal(logged, "hello pmm\n");
	assert_int_equal(pmm_report(PMM_EWRONGORDER, "f", "x"), PMM_EWRONGORDER);
	assert_int_equal(reported, PMM_EWRONGORDER);
	assert_int_equal(pmm_cpu_id(), 11 % PMM_NR_CPUS);
	assert_true(pmm_now_ns() == 42);
	struct pmm_lock lock;
	pmm_lock_init(&lock);
	pmm_lock(&lock);
	pmm_unlock(&lock);
	assert_int_equal(locks, 3);
	bool zeroed = false;
	assert_ptr_equal(pmm_phys_map(4096, 16, &zeroed), phys + 4096);
	assert_true(zeroed);
	assert_null(pmm_phys_map(8192, 16, &zeroed));
	assert_false(zeroed);
}

/* Without a report hook a report goes to the log, with the error's name. */
static void report_without_hook_logs(void **state)
{
	(void)state;
	struct pmm_platform p = { .log = t_log };
	pmm_platform_set(&p);
	logged_len = 0;
	pmm_report(PMM_EDOUBLEFREE, "pmm_free_pages", "pfn 0x%x", 0x42);
	assert_string_equal(logged, "pmm: pmm_free_pages: pfn 0x42 (double free)\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(defaults_without_hooks, teardown),
		cmocka_unit_test_teardown(hooks_are_forwarded, teardown),
		cmocka_unit_test_teardown(report_without_hook_logs, teardown),
	};
	return cmocka_run_group_tests_name("platform seam defaults", tests, NULL, NULL);
}
