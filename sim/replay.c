/* SPDX-License-Identifier: MIT */
/*
 * replay.c - `pmm-sim replay TRACE`: Linux's page-allocator events replayed
 * onto pmm. In policy (model) mode pmm chooses the pages: each traced
 * allocation becomes a pmm allocation of the same order, zone flags and
 * mobility on the same CPU, and each traced free frees what that
 * allocation got. In placement mode (--placement) each allocation takes
 * the very pages Linux took (pmm_alloc_range(), per-CPU lists off so that
 * a freed page is free in the zone at once); pages pmm holds that Linux
 * handed out (reserved by the model's boot, or allocated before tracing)
 * are counted as busy, and the buddy lists then show Linux's placement.
 *
 * The trace's pfns only name blocks: a hash table maps each live traced
 * head pfn to the pmm block that stands for it. A free of a pfn inside a
 * traced block (Linux's split_page(), alloc_pages_exact()) counts its
 * pages against the block, which pmm frees once all are back. Frees of
 * pfns never allocated in the trace (pages allocated before tracing
 * started) are counted, as are the events that model mode does not replay:
 * mm_page_alloc_zone_locked and mm_page_pcpu_drain (Linux's own per-CPU
 * list traffic; pmm's lists do their own) and mm_page_free_batched, which
 * since 3.3 only follows a page's own mm_page_free (free_unref_page_list()
 * frees each page through the path that prints mm_page_free); 2.6.33's
 * mm_pagevec_free was the free itself and is replayed as one. Lines that
 * are no kmem page event are counted with their first line numbers.
 *
 * A file is mapped (standard input read) whole and scanned with memchr;
 * the gfp strings are parsed once each (trace_parse.c): a replay of 10^6
 * events takes well under a second, and the summary says how long.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <pmm/contig.h>

#include "blockmap.h"
#include "host_platform.h"
#include "lab.h"
#include "prefill.h"
#include "trace.h"

#define BAD_LINES_SHOWN 10

struct replay {
	struct block_map map;
	struct sim_metrics *m;
	struct sim_lab_stats *st;
	uint64_t lines, bad, bad_line[BAD_LINES_SHOWN];
	uint64_t linux_failed, unmatched_free, implicit_free, not_replayed, other_kmem;
	uint64_t decimal_pfns, hex_pfns;
	uint64_t mt_differs;  /* 4.x+ allocations whose gfp names and migratetype disagree */
	uint64_t place_busy;  /* placement: the traced pages were not free in pmm */
	bool placement;
};

/* The migratetype to ask for: from the gfp names, else from the trace's field. */
static unsigned int event_mobility(const struct sim_event *ev)
{
	if (ev->mobility >= 0 && ev->gfp)
		return (unsigned int)ev->mobility;
	if (ev->mt == 1)
		return ev->hex_pfn ? PMM_MT_MOVABLE : PMM_MT_RECLAIMABLE;
	if (ev->mt == 2)
		return ev->hex_pfn ? PMM_MT_RECLAIMABLE : PMM_MT_MOVABLE;
	return PMM_MT_UNMOVABLE;
}

static void count_event(struct replay *r)
{
	r->st->events++;
	sim_metrics_tick(r->m, r->st->events);
}

static int free_block(const struct replay *r, pmm_pfn_t pfn, unsigned int order)
{
	if (r->placement)
		return pmm_free_contig(pmm_pfn_to_page(pfn), (uint64_t)1 << order);
	return pmm_free_pages(pmm_pfn_to_page(pfn), order);
}

static void release(struct replay *r, struct map_slot *s)
{
	if (s->pfn && free_block(r, s->pfn, s->order) != 0)
		r->st->free_errors++;
	if (s->pfn)
		r->st->frees++;
	sim_map_remove(&r->map, s);
	count_event(r);
}

/* Placement: the traced block itself, or NULL (counted) when pmm holds a page of it. */
static struct pmm_page *place(struct replay *r, const struct sim_event *ev)
{
	pmm_pfn_t busy;
	if (pmm_alloc_range(ev->pfn, (uint64_t)1 << ev->order, &busy) != 0) {
		r->place_busy++;
		return NULL;
	}
	return pmm_pfn_to_page(ev->pfn);
}

static void replay_alloc(struct replay *r, const struct sim_event *ev)
{
	if (ev->failed) {
		r->linux_failed++;
		return;
	}
	struct map_slot *old = sim_map_find(&r->map, ev->pfn);
	if (old) {
		r->implicit_free++;
		release(r, old);
	}
	unsigned int mt = event_mobility(ev);
	if (ev->hex_pfn && ev->gfp && ev->mt >= 0 && (unsigned int)ev->mt != mt)
		r->mt_differs++;
	unsigned int gfp = (ev->gfp & ~PMM_GFP_MOBILITY & ~PMM_GFP_THISNODE) |
			   mt << PMM_GFP_MT_SHIFT;
	struct pmm_page *pg = r->placement ? place(r, ev)
					   : pmm_alloc_pages_tagged(PMM_NUMA_NO_NODE, gfp, ev->order,
								    sim_lab_tag(mt), NULL);
	struct map_slot *s = sim_map_insert(&r->map, ev->pfn);
	r->st->allocs++;
	if (!pg) {
		r->st->failed++;
		r->st->failed_by_order[ev->order]++;
	}
	if (s) {
		s->pfn = pg ? pmm_page_to_pfn(pg) : 0;
		s->order = (uint8_t)ev->order;
		s->mt = (uint8_t)mt;
	} else if (pg) {
		free_block(r, pmm_page_to_pfn(pg), ev->order);
	}
	count_event(r);
}

static void replay_free(struct replay *r, const struct sim_event *ev)
{
	struct map_slot *s = sim_map_find_block(&r->map, ev->pfn);
	if (!s) {
		r->unmatched_free++;
		return;
	}
	s->freed += 1u << ev->order;
	if (s->freed >= 1u << s->order)
		release(r, s);
}

static void replay_event(struct replay *r, const struct sim_event *ev)
{
	host_set_cpu(ev->cpu % PMM_NR_CPUS);
	if (ev->hex_pfn)
		r->hex_pfns++;
	else
		r->decimal_pfns++;
	switch (ev->kind) {
	case SIM_EV_ALLOC:
		replay_alloc(r, ev);
		break;
	case SIM_EV_FREE:
		replay_free(r, ev);
		break;
	case SIM_EV_FREE_BATCHED:
	case SIM_EV_ZONE_LOCKED:
	case SIM_EV_PCPU_DRAIN:
		r->not_replayed++;
		break;
	case SIM_EV_OTHER_KMEM:
		r->other_kmem++;
		break;
	}
}

static void bad_line(struct replay *r)
{
	if (r->bad < BAD_LINES_SHOWN)
		r->bad_line[r->bad] = r->lines;
	r->bad++;
}

static void replay_line(void *ctx, int rc, const struct sim_event *ev)
{
	struct replay *r = ctx;
	r->lines++;
	if (rc == 0)
		replay_event(r, ev);
	else if (rc < 0)
		bad_line(r);
}

static char *slurp(FILE *f, size_t *len)
{
	char *buf = NULL;
	size_t n = 0, cap = 0;
	for (;;) {
		if (n == cap) {
			size_t c = cap ? cap * 2 : (size_t)1 << 20;
			char *p = realloc(buf, c);
			if (!p)
				break;
			buf = p;
			cap = c;
		}
		size_t got = fread(buf + n, 1, cap - n, f);
		n += got;
		if (got == 0)
			break;
	}
	*len = n;
	return buf;
}

/* The trace's text: a file mapped whole (*@mapped), or standard input read. */
static char *trace_text(const char *path, size_t *len, bool *mapped)
{
	struct stat sb;
	*mapped = false;
	if (strcmp(path, "-") == 0)
		return slurp(stdin, len);
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return NULL;
	char *buf = NULL;
	if (fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode) && sb.st_size > 0) {
		void *p = mmap(NULL, (size_t)sb.st_size, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
		if (p != MAP_FAILED) {
			buf = p;
			*len = (size_t)sb.st_size;
			*mapped = true;
		}
	}
	if (!buf) {
		FILE *f = fdopen(fd, "rb");
		if (f) {
			buf = slurp(f, len);
			fclose(f);
			return buf;
		}
	}
	close(fd);
	return buf;
}

static double seconds(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void report(FILE *f, const struct replay *r)
{
	fprintf(f, "pmm-sim: replay: %llu lines; %llu allocations failed in Linux too, "
		"%llu frees of pages allocated before the trace, %llu re-allocations "
		"of a live pfn (a free missing), %llu per-CPU list and batch events not replayed "
		"(Linux's own list traffic), %llu other kmem events\n",
		(unsigned long long)r->lines, (unsigned long long)r->linux_failed,
		(unsigned long long)r->unmatched_free, (unsigned long long)r->implicit_free,
		(unsigned long long)r->not_replayed, (unsigned long long)r->other_kmem);
	fprintf(f, "pmm-sim: replay: %llu blocks still allocated at the end; %llu allocations "
		"whose gfp mobility and migratetype disagree\n",
		(unsigned long long)r->map.n, (unsigned long long)r->mt_differs);
	if (r->placement)
		fprintf(f, "pmm-sim: replay: placement mode: %llu allocations found a traced page "
			"busy in pmm (reserved by its boot, or handed out before the trace)\n",
			(unsigned long long)r->place_busy);
	if (r->bad == 0)
		return;
	fprintf(f, "pmm-sim: replay: %llu lines are no kmem page event or hold impossible fields, ignored; lines",
		(unsigned long long)r->bad);
	for (uint64_t i = 0; i < r->bad && i < BAD_LINES_SHOWN; i++)
		fprintf(f, " %llu", (unsigned long long)r->bad_line[i]);
	fprintf(f, "%s\n", r->bad > BAD_LINES_SHOWN ? " ..." : "");
}

int sim_replay(const char *path, struct sim_metrics *m, struct sim_lab_stats *st)
{
	static struct replay r;
	size_t len = 0;
	bool mapped;
	errno = 0;
	char *buf = trace_text(path, &len, &mapped);
	if (!buf) {
		fprintf(stderr, "pmm-sim: cannot read %s: %s\n", path,
			strerror(errno ? errno : EIO));
		return 1;
	}
	memset(&r, 0, sizeof(r));
	r.m = m;
	r.st = st;
	r.placement = sim_lab.placement;
	if (r.placement)
		pmm_pcp_set_high_batch(0, 0);
	if (sim_map_init(&r.map, 1 << 16) != 0) {
		free(buf);
		return 1;
	}
	double t0 = seconds();
	struct sim_prefill_stats ps = { 0, 0, 0 };
	if (sim_lab.prefill && sim_replay_prefill(buf, len, &r.map, &ps) == 0)
		printf("pmm-sim: replay: prefilled %llu blocks (%llu pages; %llu failed) that the "
		       "trace frees before allocating them\n", (unsigned long long)ps.blocks,
		       (unsigned long long)ps.pages, (unsigned long long)ps.failed);
	sim_trace_scan(buf, len, replay_line, &r);
	double dt = seconds() - t0;
	if (mapped)
		munmap(buf, len);
	else
		free(buf);
	host_set_cpu(0);
	report(stdout, &r);
	printf("pmm-sim: replay: %llu lines parsed and replayed in %.3f s of CPU time: %.2f million lines/s\n",
	       (unsigned long long)r.lines, dt, dt > 0 ? (double)r.lines / dt / 1e6 : 0.0);
	free(r.map.slot);
	if (st->events == 0) {
		fprintf(stderr, "pmm-sim: %s: no mm_page_alloc or mm_page_free event\n", path);
		return 1;
	}
	return 0;
}
