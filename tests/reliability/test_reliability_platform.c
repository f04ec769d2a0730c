/* SPDX-License-Identifier: MIT */
/*
 * test_reliability_platform.c - the platform seam's documented defaults
 * (every hook NULL) and its forwarding to installed hooks: a kernel or
 * firmware that fills only some hooks must get exactly what platform.h
 * promises for the others; and the libc-free helpers a report goes
 * through (pmm_fmt's rarer formats, pmm_memset at every alignment).
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
	assert_int_equal(pmm_bug(PMM_EDOUBLEFREE, "f", "pfn %d", 3), PMM_EDOUBLEFREE);
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
		.log = t_log, .bug = t_report, .cpu_id = t_cpu, .now_ns = t_now,
		.lock_init = t_lock, .lock = t_lock, .unlock = t_lock, .map = t_map,
	};
	pmm_platform_set(&p);
	logged_len = 0;
	locks = 0;
	pmm_printk("hello %s\n", "pmm");
	assert_string_equal(logged, "hello pmm\n");
	assert_int_equal(pmm_bug(PMM_EWRONGORDER, "f", "x"), PMM_EWRONGORDER);
	assert_int_equal(reported, PMM_EWRONGORDER);
#ifdef PMM_ARCH_CPU_ID
	/* A build with an inline CPU accessor never calls the hook. */
	assert_int_equal(pmm_cpu_id(), PMM_ARCH_CPU_ID() % PMM_NR_CPUS);
#else
	assert_int_equal(pmm_cpu_id(), 11 % PMM_NR_CPUS);
#endif
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

/* Without a bug hook a report goes to the log, with the error's name. */
static void report_without_hook_logs(void **state)
{
	(void)state;
	struct pmm_platform p = { .log = t_log };
	pmm_platform_set(&p);
	logged_len = 0;
	pmm_bug(PMM_EDOUBLEFREE, "pmm_free_pages", "pfn 0x%x", 0x42);
	assert_string_equal(logged, "pmm: pmm_free_pages: pfn 0x42 (double free)\n");
}

/* Formats a kernel's messages may use: every length, odd flags, NULL
 * strings, '*' widths, an unknown conversion and a lone '%' at the end. */
static void fmt_edge_cases(void **state)
{
	(void)state;
	char b[160];
	const char *unknown = "%q|%";
	pmm_snprintf(b, sizeof(b), "%hhd %hd %ld %jd %td %zd %hhu %hu %ju %tu",
		     (signed char)-1, (short)-2, -3L, (intmax_t)-4, (ptrdiff_t)-5,
		     (size_t)6, (unsigned char)255, (unsigned short)65535,
		     (uintmax_t)7, (ptrdiff_t)8);
	assert_string_equal(b, "-1 -2 -3 -4 -5 6 255 65535 7 8");
	const char *volatile null_str = NULL; /* opaque to -Wformat */
	const char *fmt = "[% d][%+d][%#x][%-*d][%*d][%.*s][%s]";
	pmm_snprintf(b, sizeof(b), fmt, 1, 2, 0x1f, -4, 5, 3, 6, 2, "abcdef",
		     null_str);
	assert_string_equal(b, "[1][2][1f][5   ][  6][ab][(null)]");
	pmm_snprintf(b, sizeof(b), unknown, 0);
	assert_string_equal(b, "%q|%");
	/* A sink without a write function counts but writes nothing. */
	struct pmm_out none = { NULL, NULL };
	assert_int_equal(pmm_fmt(&none, "%d", 12345), 5);
}

/* pmm_memset at every alignment and length, and the bytes around it. */
static void memset_alignments(void **state)
{
	(void)state;
	unsigned char buf[64];
	for (size_t off = 0; off < 9; off++) {
		for (size_t n = 0; n < 40; n++) {
			memset(buf, 0x11, sizeof(buf));
			pmm_memset(buf + off, 0xab, n);
			for (size_t i = 0; i < sizeof(buf); i++)
				assert_int_equal(buf[i], i >= off && i < off + n ? 0xab : 0x11);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(defaults_without_hooks, teardown),
		cmocka_unit_test_teardown(hooks_are_forwarded, teardown),
		cmocka_unit_test_teardown(report_without_hook_logs, teardown),
		cmocka_unit_test(fmt_edge_cases),
		cmocka_unit_test(memset_alignments),
	};
	return cmocka_run_group_tests_name("platform seam defaults", tests, NULL, NULL);
}
