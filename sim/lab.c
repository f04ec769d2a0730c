/* SPDX-License-Identifier: MIT */
/*
 * lab.c - the laboratory's command line and its run after the boot:
 *
 *   pmm-sim run WORKLOAD [boot options] [lab options]
 *   pmm-sim replay TRACE [boot options] [lab options]
 *   pmm-sim boot [boot options] [--svg FILE]
 *
 * sim_lab_args() takes the subcommand and the lab options out of argv and
 * leaves a `boot` command line, so the machine is described exactly as
 * for `boot` (main.c parses it); after the boot main.c calls
 * sim_lab_after_boot(), which runs the workload or replays the trace,
 * samples the metrics, checks the allocator and draws the picture.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <pmm/buddy.h>
#include <pmm/check.h>
#include <pmm/elastic.h>
#include <pmm/report.h>
#include <pmm/zone.h>

#include "lab.h"

struct sim_lab sim_lab;

static void lab_usage(FILE *f)
{
	fprintf(f,
		"usage: pmm-sim run WORKLOAD [boot options] [lab options]\n"
		"       pmm-sim replay TRACE [boot options] [lab options]\n"
		"       pmm-sim boot [boot options] [--svg FILE]\n"
		"WORKLOAD is a built-in (w1 w2 w3 w4; run --list shows them) or a\n"
		"workload file (sim/workloads/*.wl, format in sim/workload.c); TRACE is\n"
		"Linux's kmem page events as text (ftrace trace or trace_pipe, trace-cmd\n"
		"report, perf script; - for standard input), replayed in policy mode:\n"
		"pmm chooses the pages. Boot options: pmm-sim boot --help.\n"
		"lab options:\n"
		"  --metrics FILE    time series, CSV (or JSON if FILE ends in .json)\n"
		"  --every N         a sample every N events (default: the end only)\n"
		"  --svg FILE        picture of physical memory and the metrics\n"
		"  --proc            print buddyinfo, pagetypeinfo and the unusable index at the end\n"
		"  --proc-at N,...   print them also after event N (up to 16 points)\n"
		"  --seed N          run: override the workload's seed\n"
		"  --trace-out FILE  run: write the requests as a Linux 6.1 ftrace trace\n"
		"  --prefill         replay: first allocate the blocks the trace frees before\n"
		"                    allocating them (what Linux held when tracing began)\n"
		"  --placement       replay: take the very pages Linux took (pmm_alloc_range;\n"
		"                    per-CPU lists off), not pages pmm chooses\n"
		"  --no-grouping     serve every request as movable (no grouping by mobility)\n"
		"  --lazy            lazy buddy (delayed coalescing)\n"
		"  --pcp HIGH,BATCH  per-CPU list high mark and batch in pages (0,0: off)\n"
		"  --report-free N   free page reporting: a pass (up to 64 blocks of 2 MiB\n"
		"                    or more) every N events, the host discarding what is\n"
		"                    reported; prints how much is handed back\n");
}

static int lab_bad(const char *opt, const char *why)
{
	fprintf(stderr, "pmm-sim: %s: %s\n", opt, why);
	lab_usage(stderr);
	return 2;
}

static int parse_u64(const char *s, uint64_t *out)
{
	char *end;
	if (!s || !*s)
		return -1;
	*out = strtoull(s, &end, 10);
	return *end ? -1 : 0;
}

static int parse_pcp(const char *s)
{
	unsigned int high, batch;
	char tail;
	if (!s || sscanf(s, "%u,%u%c", &high, &batch, &tail) != 2 || batch > high)
		return -1;
	sim_lab.pcp_high = (int)high;
	sim_lab.pcp_batch = (int)batch;
	return 0;
}

/* "N,N,...": ascending event counts for --proc-at. */
static int parse_points(const char *s)
{
	sim_lab.nproc_at = 0;
	while (s && *s) {
		char *end;
		uint64_t v = strtoull(s, &end, 10);
		if (end == s || (*end && *end != ',') || sim_lab.nproc_at == 16 ||
		    (sim_lab.nproc_at && v <= sim_lab.proc_at[sim_lab.nproc_at - 1]))
			return -1;
		sim_lab.proc_at[sim_lab.nproc_at++] = v;
		s = *end ? end + 1 : end;
	}
	return sim_lab.nproc_at ? 0 : -1;
}

/* One lab option at argv[i]. Return: words used, 0 not a lab option, -1 bad. */
static int lab_option(char **argv, int i, int argc)
{
	const char *o = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
	static const char *const with_value[] = {
		"--svg", "--metrics", "--every", "--seed", "--trace-out", "--pcp", "--proc-at",
	};
	bool needs = false;
	for (size_t k = 0; k < sizeof(with_value) / sizeof(with_value[0]); k++)
		needs |= strcmp(o, with_value[k]) == 0;
	if (needs && !v)
		return lab_bad(o, "needs a value"), -1;
	if (strcmp(o, "--svg") == 0)
		sim_lab.svg = v;
	else if (strcmp(o, "--metrics") == 0)
		sim_lab.metrics = v;
	else if (strcmp(o, "--trace-out") == 0)
		sim_lab.trace_out = v;
	else if (strcmp(o, "--every") == 0)
		return parse_u64(v, &sim_lab.every) ? (lab_bad(o, "not a count"), -1) : 2;
	else if (strcmp(o, "--seed") == 0)
		return parse_u64(v, &sim_lab.seed) ? (lab_bad(o, "not a number"), -1) : 2;
	else if (strcmp(o, "--proc-at") == 0)
		return parse_points(v) ? (lab_bad(o, "expected up to 16 ascending event counts N,N,..."), -1) : 2;
	else if (strcmp(o, "--report-free") == 0)
		return parse_u64(v, &sim_lab.report_every) || sim_lab.report_every == 0
			       ? (lab_bad(o, "expected a number of events above 0"), -1)
			       : 2;
	else if (strcmp(o, "--pcp") == 0)
		return parse_pcp(v) ? (lab_bad(o, "expected HIGH,BATCH with BATCH <= HIGH"), -1) : 2;
	else if (strcmp(o, "--proc") == 0)
		return sim_lab.proc = true, 1;
	else if (strcmp(o, "--no-grouping") == 0)
		return sim_lab.no_grouping = true, 1;
	else if (strcmp(o, "--lazy") == 0)
		return sim_lab.lazy = true, 1;
	else if (strcmp(o, "--prefill") == 0)
		return sim_lab.prefill = true, 1;
	else if (strcmp(o, "--placement") == 0)
		return sim_lab.placement = true, 1;
	else
		return 0;
	return 2;
}

static enum sim_lab_cmd lab_command(const char *s)
{
	if (strcmp(s, "run") == 0)
		return SIM_LAB_RUN;
	if (strcmp(s, "replay") == 0)
		return SIM_LAB_REPLAY;
	if (strcmp(s, "boot") == 0)
		return SIM_LAB_BOOT;
	return SIM_LAB_NONE;
}

/* run/replay: take the positional WORKLOAD or TRACE. Return: 0, 1 help, 2 bad. */
static int lab_subject(int *argc, char **argv)
{
	const char *a = *argc > 2 ? argv[2] : NULL;
	if (a && (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0))
		return lab_usage(stdout), 1;
	if (a && strcmp(a, "--list") == 0 && sim_lab.cmd == SIM_LAB_RUN)
		return sim_workload_list(stdout), 1;
	if (!a || (a[0] == '-' && a[1] == '-'))
		return lab_bad(argv[1], sim_lab.cmd == SIM_LAB_RUN ? "needs a WORKLOAD"
								  : "needs a TRACE file"), 2;
	if (sim_lab.cmd == SIM_LAB_RUN)
		sim_lab.workload = a;
	else
		sim_lab.trace = a;
	memmove(&argv[2], &argv[3], (size_t)(*argc - 3 + 1) * sizeof(char *));
	(*argc)--;
	return 0;
}

int sim_lab_args(int *argc, char **argv)
{
	memset(&sim_lab, 0, sizeof(sim_lab));
	sim_lab.pcp_high = sim_lab.pcp_batch = -1;
	if (*argc < 2 || (sim_lab.cmd = lab_command(argv[1])) == SIM_LAB_NONE)
		return 0;
	if (sim_lab.cmd != SIM_LAB_BOOT) {
		int rc = lab_subject(argc, argv);
		if (rc)
			return rc;
		argv[1] = "boot";
	}
	for (int i = 2; i < *argc;) {
		int used = lab_option(argv, i, *argc);
		if (used < 0)
			return 2;
		if (used == 0) {
			i++;
			continue;
		}
		if (sim_lab.cmd != SIM_LAB_REPLAY && (strcmp(argv[i], "--prefill") == 0 ||
						      strcmp(argv[i], "--placement") == 0))
			return lab_bad(argv[i], "is for replay"), 2;
		if (sim_lab.cmd == SIM_LAB_BOOT && strcmp(argv[i], "--svg") != 0)
			return lab_bad(argv[i], "is for run and replay"), 2;
		memmove(&argv[i], &argv[i + used], (size_t)(*argc - i - used + 1) * sizeof(char *));
		*argc -= used;
	}
	return 0;
}

static void apply_policies(void)
{
	if (sim_lab.no_grouping)
		pmm_buddy_set_grouping(false);
	if (sim_lab.lazy)
		pmm_buddy_set_lazy(true);
	if (sim_lab.pcp_high >= 0)
		pmm_pcp_set_high_batch((uint32_t)sim_lab.pcp_high, (uint32_t)sim_lab.pcp_batch);
}

/* Blocks offered per periodic pass: two of Linux's batches. */
#define REPORT_PASS_BUDGET 64u

static struct {
	uint64_t passes;
	uint64_t blocks;
} reporting;

/* The platform's reporting timer, every --report-free N events. */
static void report_pass(uint64_t events)
{
	(void)events;
	int n = pmm_report_free_pages(REPORT_PASS_BUDGET);
	reporting.passes++;
	if (n > 0)
		reporting.blocks += (uint64_t)n;
}

static uint64_t managed_pages(void)
{
	uint64_t managed = 0;
	for (int n = 0; n < PMM_MAX_NUMNODES; n++)
		for (int t = 0; t < PMM_NR_ZONES && pmm_nodes[n].online; t++)
			managed += pmm_nodes[n].zones[t].managed;
	return managed;
}

/* One line of what reporting handed back, in MiB and in % of managed. */
static void report_line(const char *when)
{
	struct pmm_report_stats st;
	uint64_t managed = managed_pages();
	pmm_report_stats(&st);
	printf("pmm-sim: free page reporting, %s: %llu MiB of %llu MiB managed handed back (%.1f%%; "
	       "%llu MiB free), %llu MiB reclaimed by allocations, %llu passes, %llu blocks reported\n",
	       when, (unsigned long long)(st.reported_pages >> 8),
	       (unsigned long long)(managed >> 8),
	       managed ? 100.0 * (double)st.reported_pages / (double)managed : 0.0,
	       (unsigned long long)(pmm_nr_free_pages() >> 8),
	       (unsigned long long)(st.reclaimed_pages >> 8),
	       (unsigned long long)reporting.passes,
	       (unsigned long long)reporting.blocks);
}

/* The end of the run: the line as the run left it, then idle passes
 * until nothing more is reported, and the line again. */
static void report_finish(void)
{
	int n;
	report_line("when the run ends");
	while ((n = pmm_report_free_pages(REPORT_PASS_BUDGET)) > 0) {
		reporting.passes++;
		reporting.blocks += (uint64_t)n;
	}
	report_line("after idle passes");
}

/* CPU time: these machines are shared, and wall time says more of the neighbours. */
static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void out_file(void *ctx, const char *s, size_t n)
{
	fwrite(s, 1, n, ctx);
}

static void print_proc(void)
{
	struct pmm_out out = { out_file, stdout };
	printf("\n/proc/buddyinfo:\n");
	pmm_report_buddyinfo(&out);
	printf("\n/proc/pagetypeinfo:\n");
	pmm_report_pagetypeinfo(&out);
	printf("\n/sys/kernel/debug/extfrag/unusable_index:\n");
	pmm_report_unusable_index(&out);
}

static void print_proc_at(uint64_t events)
{
	printf("\npmm-sim: after event %llu\n", (unsigned long long)events);
	print_proc();
}

static int run_or_replay(struct sim_metrics *m, struct sim_lab_stats *st)
{
	if (sim_lab.cmd == SIM_LAB_REPLAY)
		return sim_replay(sim_lab.trace, m, st);
	FILE *t = NULL;
	if (sim_lab.trace_out && !(t = fopen(sim_lab.trace_out, "w"))) {
		fprintf(stderr, "pmm-sim: cannot write %s\n", sim_lab.trace_out);
		return 1;
	}
	int rc = sim_run_workload(sim_lab.workload, sim_lab.seed, t, m, st);
	if (t && fclose(t) != 0)
		rc = 1;
	return rc;
}

static int lab_finish(struct sim_metrics *m, const struct sim_lab_stats *st, int rc)
{
	const char *bad = pmm_check();
	if (bad) {
		fprintf(stderr, "pmm-sim: consistency check failed: %s\n", bad);
		rc = 1;
	} else {
		printf("pmm_check: consistent\n");
	}
	if (st->free_errors) {
		fprintf(stderr, "pmm-sim: %llu frees were refused\n",
			(unsigned long long)st->free_errors);
		rc = 1;
	}
	if (sim_metrics_close(m) != 0) {
		fprintf(stderr, "pmm-sim: cannot write %s\n", sim_lab.metrics);
		rc = 1;
	}
	if (sim_lab.svg && sim_svg_write(sim_lab.svg, sim_lab.workload ? sim_lab.workload
								     : sim_lab.trace, m) != 0)
		rc = 1;
	free(m->hist);
	return rc;
}

int sim_lab_after_boot(void)
{
	static struct sim_metrics m;
	static struct sim_lab_stats st;
	if (sim_lab.cmd != SIM_LAB_RUN && sim_lab.cmd != SIM_LAB_REPLAY)
		return -1;
	apply_policies();
	uint64_t every = sim_lab.every;
	if (sim_metrics_open(&m, sim_lab.metrics, every, &st) != 0) {
		fprintf(stderr, "pmm-sim: cannot write %s\n", sim_lab.metrics);
		return 1;
	}
	if (every == 0 && sim_lab.svg)
		m.every = m.next = 1000; /* the picture's chart, no rows written */
	m.proc_at = sim_lab.proc_at;
	m.nproc_at = sim_lab.nproc_at;
	m.proc_print = print_proc_at;
	if (sim_lab.report_every != 0) {
		pmm_report_reset(); /* Linux's: pageblock order, batches of 32 */
		m.periodic = report_pass;
		m.periodic_every = m.periodic_next = sim_lab.report_every;
	}
	sim_metrics_sample(&m, 0);
	double t0 = now_s();
	int rc = run_or_replay(&m, &st);
	double dt = now_s() - t0;
	if (rc)
		return free(m.hist), sim_metrics_close(&m), rc;
	sim_metrics_sample(&m, st.events);
	sim_metrics_summary(stdout, &st);
	printf("pmm-sim: %.3f s of CPU time, %.2f million events/s (metrics included)\n", dt,
	       dt > 0 ? (double)st.events / dt / 1e6 : 0.0);
	if (sim_lab.report_every != 0)
		report_finish();
	if (sim_lab.proc)
		print_proc();
	return lab_finish(&m, &st, 0);
}

int sim_lab_finish_boot(void)
{
	static struct sim_metrics m;
	if (!sim_lab.svg)
		return 0;
	sim_metrics_open(&m, NULL, 0, NULL);
	sim_metrics_sample(&m, 0);
	int rc = sim_svg_write(sim_lab.svg, "boot", &m) != 0;
	free(m.hist);
	return rc;
}
