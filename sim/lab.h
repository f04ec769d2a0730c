/* SPDX-License-Identifier: MIT */
/*
 * lab.h - the simulator's laboratory: workloads (`pmm-sim run`), Linux
 * trace replay (`pmm-sim replay`), metrics over time and pictures.
 *
 * Everything here runs after pmm_boot() on top of the public API
 * (include/pmm/); the core knows nothing of files. main.c hands the
 * command line to sim_lab_args() first, boots the machine as for `boot`,
 * then calls sim_lab_after_boot().
 *
 * Allocations made by the laboratory carry an owner tag (pmm_alloc_pages_tagged)
 * whose low byte is the requested migratetype + 1, so the picture and
 * the metrics can tell allocated blocks apart by mobility.
 */
#ifndef PMM_SIM_LAB_H
#define PMM_SIM_LAB_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <pmm/buddy.h>

enum sim_lab_cmd { SIM_LAB_NONE, SIM_LAB_BOOT, SIM_LAB_RUN, SIM_LAB_REPLAY };

/* Allocation and free bookkeeping common to run and replay. */
struct sim_lab_stats {
	uint64_t events;          /* requests executed (allocs + frees) */
	uint64_t allocs;
	uint64_t frees;
	uint64_t failed;          /* allocations pmm could not satisfy */
	uint64_t failed_by_order[PMM_NR_ORDERS];
	uint64_t free_errors;     /* pmm_free_pages() said no (a lab bug) */
	uint64_t contig, contig_failed; /* contig=N runs asked, not served */
	uint64_t cma, cma_failed;       /* cma=N runs asked, not served */
	uint64_t moved, unmoved;        /* migrate hook: blocks moved, refused */
};

/* The metrics sink: a time series written every @every events. */
struct sim_metrics {
	FILE *f;                  /* NULL: no metrics file */
	bool json;                /* JSON array, else CSV */
	uint64_t every;           /* events between samples (0: end only) */
	uint64_t next;            /* event count of the next sample */
	unsigned int samples;
	const struct sim_lab_stats *stats;
	/* --proc-at: print Linux's /proc views after these events (ascending) */
	const uint64_t *proc_at;
	unsigned int nproc_at, iproc_at;
	void (*proc_print)(uint64_t events);
	/* a periodic hook (free page reporting's timer): every @periodic_every events */
	void (*periodic)(uint64_t events);
	uint64_t periodic_every, periodic_next;
	/* a short history of whole-machine figures for the picture */
	struct sim_metrics_point *hist;
	unsigned int nhist, caphist;
};

/* One whole-machine sample, kept for the picture's chart. */
struct sim_metrics_point {
	uint64_t event;
	double free_frac;         /* free pages / managed pages */
	double unusable_pb;       /* unusable free space index at pageblock order */
	double mixed_frac;        /* mixed pageblocks / pageblocks */
	uint64_t failed;
};

/* What the laboratory was asked, filled by sim_lab_args(). */
struct sim_lab {
	enum sim_lab_cmd cmd;
	const char *workload;     /* run: a built-in name or a file */
	const char *trace;        /* replay: the trace file (- for stdin) */
	const char *svg;          /* --svg FILE */
	const char *metrics;      /* --metrics FILE (.json: JSON, else CSV) */
	const char *trace_out;    /* run --trace-out FILE: the requests as ftrace text */
	uint64_t every;           /* --every N */
	uint64_t proc_at[16];     /* --proc-at N,N,... */
	unsigned int nproc_at;
	uint64_t seed;            /* --seed N (0: the workload's own) */
	bool proc;                /* --proc: Linux /proc views at the end */
	bool no_grouping;         /* --no-grouping: one mobility type */
	bool lazy;                /* --lazy: lazy buddy */
	bool prefill;             /* replay --prefill: allocate what the trace frees first */
	bool placement;           /* replay --placement: take the trace's own pfns */
	int pcp_high, pcp_batch;  /* --pcp HIGH,BATCH (-1: default) */
	uint64_t report_every;    /* --report-free N: a reporting pass every N events (0: off) */
};

extern struct sim_lab sim_lab;

/*
 * Take the laboratory's subcommand and options out of @argv, leaving a
 * `boot` command line for main.c's parser. Return: 0, 1 (help printed),
 * or 2 (bad usage, message printed).
 */
int sim_lab_args(int *argc, char **argv);

/*
 * After a successful boot: run the workload or replay the trace, write
 * metrics and the picture. Return: -1 when main.c should print its boot
 * reports as usual (plain `boot`, with or without --svg, prints them and
 * then the picture is written by sim_lab_finish_boot()), else an exit status.
 */
int sim_lab_after_boot(void);

/* A plain `boot` with --svg: write the picture. Return: exit status. */
int sim_lab_finish_boot(void);

/* Tag for an allocation of migratetype @mt made by the laboratory. */
static inline uint64_t sim_lab_tag(unsigned int mt)
{
	return (uint64_t)mt + 1;
}

/* workload.c / run.c */
int sim_run_workload(const char *name, uint64_t seed, FILE *trace_out,
		     struct sim_metrics *m, struct sim_lab_stats *st);
void sim_workload_list(FILE *f);

/* replay.c */
int sim_replay(const char *path, struct sim_metrics *m, struct sim_lab_stats *st);

/* metrics.c */
int sim_metrics_open(struct sim_metrics *m, const char *path, uint64_t every,
		     const struct sim_lab_stats *st);
void sim_metrics_tick(struct sim_metrics *m, uint64_t events);
void sim_metrics_sample(struct sim_metrics *m, uint64_t events);
int sim_metrics_close(struct sim_metrics *m);
void sim_metrics_summary(FILE *f, const struct sim_lab_stats *st);

/* Per-zone figures computed from the public zone state. */
struct sim_zone_figures {
	uint64_t managed, free_pages, pcp_pages;
	uint64_t nr_free[PMM_NR_ORDERS];
	uint64_t free_pageblocks;  /* free blocks of pageblock size (bigger ones count 2^k) */
	uint64_t pageblocks, mixed_pageblocks;
	uint64_t alloc_by_mt[PMM_MT_TYPES + 1]; /* last: untagged */
	uint64_t pcp_by_order[PMM_PCP_NR_ORDERS]; /* blocks on all CPUs' lists */
	uint64_t pcp_by_cpu[PMM_NR_CPUS];         /* pages on each CPU's lists */
};
void sim_zone_figures(const struct pmm_zone *z, struct sim_zone_figures *fig);
/* Linux's unusable free space index, 0..1, for @order. */
double sim_unusable_index(const struct sim_zone_figures *fig, unsigned int order);
/* Linux's fragmentation index for @order: -1 (would succeed), 0..1. */
double sim_fragmentation_index(const struct sim_zone_figures *fig, unsigned int order);

/* svg.c */
int sim_svg_write(const char *path, const char *title, const struct sim_metrics *m);

/* A splitmix64 step: the benchmarks' generator (shared/BENCHMARKS.md). */
static inline uint64_t sim_rand(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* Return: a uniform double in [0, 1). */
static inline double sim_rand_unit(uint64_t *state)
{
	return (double)(sim_rand(state) >> 11) * (1.0 / 9007199254740992.0);
}

#endif /* PMM_SIM_LAB_H */
