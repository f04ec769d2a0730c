/* SPDX-License-Identifier: MIT */
/*
 * workload.h - a workload as `pmm-sim run` executes it: phases of
 * requests read from a small text format (workload.c, which documents
 * it) and executed by run.c.
 */
#ifndef PMM_SIM_WORKLOAD_H
#define PMM_SIM_WORKLOAD_H

#include <stdint.h>

#define WL_MAX_PHASES 32
#define WL_MAX_CHOICES 24
#define WL_NAME_LEN 32

/* A discrete distribution: value i is drawn with weight w[i]. */
struct wl_dist {
	unsigned int n;
	unsigned int value[WL_MAX_CHOICES];
	double cum[WL_MAX_CHOICES];  /* cumulative weights, last == total */
};

/* What a phase's allocations ask for. */
enum wl_kind {
	WL_PAGES,  /* buddy blocks: pmm_alloc_pages() of a drawn order */
	WL_CONTIG, /* contig=N: pmm_alloc_contig() runs of N pages */
	WL_CMA,    /* cma=N: pmm_cma_alloc() runs of N pages from region 0 */
};
#define WL_MAX_HOTPLUG 4   /* hotplug keys per phase */
#define WL_HOTPLUG_LEN 64

struct wl_phase {
	char name[WL_NAME_LEN];
	char pool[WL_NAME_LEN];      /* blocks are shared by phases of one pool */
	uint64_t ops;                /* requests in the phase */
	double alloc;                /* P(allocate) when the pool is neither empty nor full */
	uint64_t hold;               /* pool size at which only frees happen (0: none) */
	double free_first;           /* fraction of the pool freed as the phase starts */
	uint64_t life_min, life_max; /* lifetime in requests (0: until freed) */
	unsigned int cpus;           /* requests go round-robin over this many CPUs */
	struct wl_dist order, mt, gfp;
	enum wl_kind kind;
	uint64_t run_pages;          /* contig= / cma=: pages per run */
	uint64_t win_lo, win_hi;     /* contig: window=LO-HI [bytes), 0-0: all */
	uint64_t align;              /* contig / cma: bytes, power of two >= a page */
	uint64_t boundary;           /* contig: bytes, power of two or 0 */
	/* memory hotplug as the phase starts: "add:NID:START:SIZE", ... */
	char hotplug[WL_MAX_HOTPLUG][WL_HOTPLUG_LEN];
	unsigned int nhotplug;
};

struct workload {
	uint64_t seed;
	unsigned int nphases;
	struct wl_phase phase[WL_MAX_PHASES];
};

/*
 * Parse @text (NUL-terminated) named @name into @wl. Return: 0, or -1 with
 * "NAME:LINE: what" in @err.
 */
int wl_parse(const char *text, const char *name, struct workload *wl,
	     char *err, size_t errlen);

/* Return: the built-in workload's text named @name, or NULL. */
const char *wl_builtin(const char *name);

/* Return: a value drawn from @d with @u uniform in [0, 1). */
unsigned int wl_draw(const struct wl_dist *d, double u);

#endif /* PMM_SIM_WORKLOAD_H */
