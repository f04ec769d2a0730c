/* SPDX-License-Identifier: MIT */
/*
 * trace.h - Linux's page-allocator trace events (kmem: mm_page_*) as the
 * laboratory reads and writes them: one event per text line, in the
 * layouts of ftrace's trace/trace_pipe, `trace-cmd report` and
 * `perf script`, from Linux 2.6.33 to 6.x.
 */
#ifndef PMM_SIM_TRACE_H
#define PMM_SIM_TRACE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

enum sim_ev_kind {
	SIM_EV_ALLOC,          /* mm_page_alloc */
	SIM_EV_FREE,           /* mm_page_free; 2.6.33: mm_page_free_direct, mm_pagevec_free */
	SIM_EV_FREE_BATCHED,   /* mm_page_free_batched (3.3+): follows the page's
				* own mm_page_free, so it frees nothing more */
	SIM_EV_ZONE_LOCKED,    /* mm_page_alloc_zone_locked: from the zone's lists */
	SIM_EV_PCPU_DRAIN,     /* mm_page_pcpu_drain: back to the zone's lists */
	SIM_EV_OTHER_KMEM,     /* another mm_page_* event (extfrag, ...) */
};

struct sim_event {
	enum sim_ev_kind kind;
	unsigned int cpu;      /* the [NNN] field; 0 when absent */
	uint64_t pfn;
	unsigned int order;
	int mt;                /* migratetype as the trace printed it, -1 absent */
	unsigned int gfp;      /* in pmm's (Linux 6.1's) bits */
	int mobility;          /* from the gfp names: PMM_MT_*, -1 unknown */
	int failed;            /* mm_page_alloc that returned no page */
	int refill;            /* zone_locked: percpu_refill=1 */
	int hex_pfn;           /* the pfn was printed in hex (4.x+) */
};

/*
 * Parse one line (@len bytes, no newline needed). Return: 0 an event in
 * *@ev, 1 a comment or blank line (nothing to use, nothing lost), -1 a
 * line that is no kmem page event or whose fields make no sense.
 */
int sim_trace_parse_line(const char *line, size_t len, struct sim_event *ev);

/*
 * Write @gfp as Linux 6.1's trace does: composite names, then __GFP_
 * names, then the leftover bits in hex ("GFP_KERNEL|__GFP_COMP").
 */
void sim_trace_gfp_name(unsigned int gfp, char *buf, size_t size);

/*
 * Call @fn for every line of the text [@buf, @buf + @len) with
 * sim_trace_parse_line()'s result and, when it is 0, the event.
 */
typedef void (*sim_trace_fn)(void *ctx, int rc, const struct sim_event *ev);
void sim_trace_scan(const char *buf, size_t len, sim_trace_fn fn, void *ctx);

/* Write one event as a 6.1 ftrace line (pid 1 "pmm-sim"). */
void sim_trace_write(FILE *f, const struct sim_event *ev, uint64_t seq);

#endif /* PMM_SIM_TRACE_H */
