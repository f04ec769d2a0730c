/* SPDX-License-Identifier: MIT */
/*
 * report.c - statistics and output: the table on stdout as figures come,
 * the machine-readable lines (one per figure) collected and printed after
 * it, progress on stderr.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench.h"

static char *lines;
static double table_div = 1; /* table values are v / table_div */
static size_t lines_len, lines_cap;

static void add_line(const char *s)
{
	size_t n = strlen(s);
	if (lines_len + n + 2 > lines_cap) {
		size_t cap = lines_cap ? 2 * lines_cap : 8192;
		while (cap < lines_len + n + 2)
			cap *= 2;
		char *p = realloc(lines, cap);
		if (!p)
			return;
		lines = p;
		lines_cap = cap;
	}
	memcpy(lines + lines_len, s, n);
	lines_len += n;
	lines[lines_len++] = '\n';
	lines[lines_len] = '\0';
}

void bench_print_lines(void)
{
	printf("\n# machine-readable: one line per figure\n%s",
	       lines ? lines : "");
	fflush(stdout);
}

uint64_t bench_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

double bench_median_d(const double *v, unsigned int n)
{
	double s[64];
	if (n == 0)
		return 0;
	if (n > 64)
		n = 64;
	memcpy(s, v, n * sizeof(*s));
	qsort(s, n, sizeof(*s), cmp_d);
	return n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

static double min_d(const double *v, unsigned int n)
{
	double m = v[0];
	for (unsigned int i = 1; i < n; i++)
		m = v[i] < m ? v[i] : m;
	return m;
}

static double max_d(const double *v, unsigned int n)
{
	double m = v[0];
	for (unsigned int i = 1; i < n; i++)
		m = v[i] > m ? v[i] : m;
	return m;
}

void bench_section_div(const char *title, const char *unit,
		       const char *baseline, double div)
{
	bench_section(title, unit, baseline);
	table_div = div;
}

void bench_section(const char *title, const char *unit, const char *baseline)
{
	table_div = 1;
	if (!baseline) {
		printf("\n%s\n  %s\n", title, unit);
		fflush(stdout);
		return;
	}
	printf("\n%s\n  %s, median of the runs [min .. max]; ratio = median / %s\n",
	       title, unit, baseline);
	printf("  %-22s %12s %12s %12s %8s  %s\n", "allocator", "median",
	       "min", "max", "ratio", "notes");
	fflush(stdout);
}

void bench_figure(const char *workload, const char *allocator,
		  const double *v, unsigned int n, double base,
		  const char *extra)
{
	char ratio[32] = "-", line[512];
	double med = bench_median_d(v, n);
	if (base > 0)
		snprintf(ratio, sizeof(ratio), "%.3f", med / base);
	printf("  %-22s %12.3f %12.3f %12.3f %8s  %s\n", allocator,
	       med / table_div, min_d(v, n) / table_div,
	       max_d(v, n) / table_div, ratio, extra ? extra : "");
	fflush(stdout);
	snprintf(line, sizeof(line),
		 "workload=%s allocator=%s median_ns=%.2f min_ns=%.2f max_ns=%.2f ratio=%s runs=%u%s%s",
		 workload, allocator, med, min_d(v, n), max_d(v, n), ratio, n,
		 extra && *extra ? " " : "", extra ? extra : "");
	add_line(line);
}

void bench_value(const char *workload, const char *allocator,
		 const char *key, double value, const char *extra)
{
	char line[512];
	printf("  %-22s %12.4g %-25s  %s\n", allocator, value, key,
	       extra ? extra : "");
	fflush(stdout);
	snprintf(line, sizeof(line), "workload=%s allocator=%s %s=%.6g%s%s",
		 workload, allocator, key, value, extra && *extra ? " " : "",
		 extra ? extra : "");
	add_line(line);
}

void bench_progress(const char *fmt, ...)
{
	va_list ap;
	fputs("pmm-bench: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}
