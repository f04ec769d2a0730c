/* SPDX-License-Identifier: MIT */
/*
 * w5s_sim.c - W5S: the simulator at scale. The wall time of a whole
 * `pmm-sim boot` (parse, boot, reports) of
 *   - the 12 TiB, 16-node map tests/data/60-superdome-class-16node-12t-synth.txt,
 *     with the hand-off on one thread and on two (--cpus);
 *   - the default PC with 1 TiB of RAM (--mem 1T, one node),
 * each a child process (build/pmm-sim, or $PMM_SIM), runs interleaved.
 * Unlike W5 the descriptor array is the simulator's own (host_platform.c):
 * lazily faulted host memory, so the host kernel's page faults are in the
 * figure; the notes give the child's CPU time (user + system: the wall
 * time it would take on an idle CPU, near enough), its system time, minor
 * faults and peak resident memory. Each run's JSON must report the machine's present
 * pages, or the figure fails.
 */
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench.h"

extern char **environ;

#define W5S_MAP "tests/data/60-superdome-class-16node-12t-synth.txt"

struct w5s_case {
	const char *name;
	const char *what;
	const char *argv[12];
	const char *present; /* "present_pages":N the JSON must hold */
};

static const struct w5s_case w5s_cases[] = {
	{ "sim-12t-map-1thread", "12 TiB 16-node map, --cpus 1",
	  { "boot", "--map", W5S_MAP, "--profile", "x86_64", "--json", "--cpus", "1", NULL },
	  "\"present_pages\":3220700668" },
	{ "sim-12t-map-2threads", "12 TiB 16-node map, --cpus 2",
	  { "boot", "--map", W5S_MAP, "--profile", "x86_64", "--json", "--cpus", "2", NULL },
	  "\"present_pages\":3220700668" },
	{ "sim-1t-pc", "default PC, --mem 1T",
	  { "boot", "--mem", "1T", "--profile", "x86_64", "--json", "--cpus", "1", NULL },
	  "\"present_pages\":268435342" },
};
#define W5S_NR_CASES (sizeof(w5s_cases) / sizeof(w5s_cases[0]))

struct w5s_run {
	double wall_ns;
	double cpu_s; /* user + system */
	double sys_s;
	double minflt;
	double maxrss_mib;
};

/* Does @path hold @needle? */
static bool file_has(const char *path, const char *needle)
{
	static char buf[1 << 20];
	FILE *f = fopen(path, "r");
	if (!f)
		return false;
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	return strstr(buf, needle) != NULL;
}

/* Run case @c once into @out. Return: NULL or what went wrong. */
static const char *w5s_run_once(const char *sim, const struct w5s_case *c,
				const char *out_path, struct w5s_run *r)
{
	const char *argv[16] = { sim };
	for (unsigned int i = 0; c->argv[i]; i++)
		argv[i + 1] = c->argv[i];
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 1, out_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	pid_t pid;
	uint64_t t0 = bench_now_ns();
	int err = posix_spawn(&pid, sim, &fa, NULL, (char *const *)argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (err)
		return "cannot start pmm-sim (make sim, or set PMM_SIM)";
	int status;
	struct rusage ru;
	if (wait4(pid, &status, 0, &ru) != pid)
		return "wait4 failed";
	r->wall_ns = (double)(bench_now_ns() - t0);
	r->sys_s = (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
	r->cpu_s = r->sys_s + (double)ru.ru_utime.tv_sec +
		   (double)ru.ru_utime.tv_usec / 1e6;
	r->minflt = (double)ru.ru_minflt;
	r->maxrss_mib = (double)ru.ru_maxrss / 1024.0;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return "pmm-sim failed";
	if (!file_has(out_path, c->present))
		return "pmm-sim's JSON lacks the machine's present pages";
	return NULL;
}

static void w5s_report(const struct w5s_case *c, struct w5s_run r[], unsigned int n,
		       double base)
{
	double wall[BENCH_MAX_RUNS], cpu[BENCH_MAX_RUNS], sys[BENCH_MAX_RUNS],
		flt[BENCH_MAX_RUNS], rss[BENCH_MAX_RUNS];
	for (unsigned int i = 0; i < n; i++) {
		wall[i] = r[i].wall_ns;
		cpu[i] = r[i].cpu_s;
		sys[i] = r[i].sys_s;
		flt[i] = r[i].minflt;
		rss[i] = r[i].maxrss_mib;
	}
	char notes[256];
	snprintf(notes, sizeof(notes),
		 "what=\"%s\" s=%.2f cpu_s=%.2f sys_s=%.2f minor_faults=%.0f maxrss_mib=%.0f",
		 c->what, bench_median_d(wall, n) / 1e9, bench_median_d(cpu, n),
		 bench_median_d(sys, n),
		 bench_median_d(flt, n), bench_median_d(rss, n));
	bench_figure("W5S", c->name, wall, n, base, notes);
}

void bench_w5s(struct bench_opts *o)
{
	static struct w5s_run runs[W5S_NR_CASES][BENCH_MAX_RUNS];
	const char *sim = getenv("PMM_SIM") ? getenv("PMM_SIM") : "build/pmm-sim";
	char out_path[] = "/tmp/pmm-w5s-XXXXXX";
	int fd = mkstemp(out_path);
	if (fd < 0) {
		printf("  W5S FAILED: no temporary file\n");
		o->failures++;
		return;
	}
	close(fd);
	bench_section_div("W5S the simulator at scale: pmm-sim boot, host page faults included",
			  "s (machine lines: ns); the child's system time, faults and peak memory in the notes",
			  "the 12 TiB map on one thread", 1e9);
	/* --smoke: the 1 TiB PC only, to validate the figure's plumbing. */
	unsigned int first = o->smoke ? W5S_NR_CASES - 1 : 0;
	for (unsigned int i = 0; i < o->runs; i++)
		for (unsigned int k = first; k < W5S_NR_CASES; k++) {
			bench_progress("W5S %s: run %u/%u", w5s_cases[k].name, i + 1, o->runs);
			const char *bad = w5s_run_once(sim, &w5s_cases[k], out_path, &runs[k][i]);
			if (bad) {
				printf("  %-22s FAILED: %s\n", w5s_cases[k].name, bad);
				o->failures++;
				unlink(out_path);
				return;
			}
		}
	unlink(out_path);
	double base = 0;
	for (unsigned int k = first; k < W5S_NR_CASES; k++) {
		w5s_report(&w5s_cases[k], runs[k], o->runs, k == 1 ? base : 0);
		if (k == 0) {
			double wall[BENCH_MAX_RUNS];
			for (unsigned int i = 0; i < o->runs; i++)
				wall[i] = runs[0][i].wall_ns;
			base = bench_median_d(wall, o->runs);
		}
	}
}
