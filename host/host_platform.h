/* SPDX-License-Identifier: MIT */
/*
 * host_platform.h - pmm's platform for a user-space host: the simulator,
 * the tests and the benchmarks.
 *
 * Simulated physical memory [0, size) is one lazily allocated, never
 * reserved host mapping, so any part of it can be touched (poison, zeroing,
 * metadata) and costs host memory only once written. Locks are spinlocks
 * (all zero bytes: free); each thread has its own CPU number. With
 * opt.cpus >= 1 the run_on_cpus hook runs jobs on that many threads (the
 * caller one of them), each with a CPU number of its own.
 */
#ifndef PMM_HOST_PLATFORM_H
#define PMM_HOST_PLATFORM_H

#include <pmm/platform.h>

struct host_platform_options {
	pmm_phys_t phys_size; /* bytes of simulated physical memory to back */
	bool untouchable;     /* map() answers NULL: memory cannot be touched */
	bool quiet;           /* drop log text */
	bool quiet_reports;   /* count reports without printing them */
	bool reporting;       /* free page reporting: report_free discards the
				 blocks' host pages (they read zero again) */
	bool report_declines; /* with reporting: report_free takes nothing */
	unsigned int cpus;    /* >= 1: a run_on_cpus hook on that many threads */
	bool cpus_online;     /* with cpus >= 2: the other threads start at
				 install and spin (at most 2 s) until the first
				 run_on_cpus call hands them its jobs, as a
				 booting kernel's secondary CPUs wait online;
				 without it each call starts its threads */
	bool virtual_memmap;  /* physical memory a memfd, and the memmap_populate
				 hooks: descriptor slices alias physical pages */
};

/* Install the host platform; returns 0 or -1 when the mapping fails. */
int host_platform_install(const struct host_platform_options *opt);
/* Uninstall and unmap everything. */
void host_platform_remove(void);

/*
 * The CPU time of the last run_on_cpus call's threads (their own clocks,
 * taking jobs): *@max of the busiest, *@sum of all [ns]; 0 before one.
 */
void host_last_run_cpu_ns(uint64_t *max, uint64_t *sum);

/* Return: reports (broken invariants) seen since install. */
unsigned int host_report_count(void);
/* Return: the last report's error code (0: none). */
int host_last_report_err(void);
/* Return: the last report as "func: msg" ("" when none). */
const char *host_last_report_msg(void);

/* Log text is also appended here while capturing (tests). */
void host_log_capture_start(void);
/* Return: the text captured since start (malloc'd; caller frees). */
char *host_log_capture_stop(void);

/* Set the calling thread's CPU number. */
void host_set_cpu(unsigned int cpu);

/* Free page reporting as the host saw it: pages handed over by
 * report_free and given back by reclaim_reported since install. */
uint64_t host_reported_pages(void);
uint64_t host_reclaimed_pages(void);

/* Pointer to simulated physical address @pa (NULL when out of range). */
void *host_phys_ptr(pmm_phys_t pa);

#endif /* PMM_HOST_PLATFORM_H */
