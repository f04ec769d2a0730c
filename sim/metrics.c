/* SPDX-License-Identifier: MIT */
/*
 * metrics.c - fragmentation figures over time: every N events (and at the
 * end) one sample per zone, as CSV rows or JSON objects, and a small
 * whole-machine history that the picture plots.
 *
 * Per zone: free pages, free blocks per order (the buddy lists; per-CPU
 * lists apart), Linux's unusable free space index and fragmentation index
 * per order (both in Linux's integer thousandths, as
 * /sys/kernel/debug/extfrag prints them), free pageblock-sized blocks
 * (2 MiB with 4 KiB pages), pageblocks holding more than one mobility type,
 * pages on per-CPU lists (per CPU, and blocks per order), and the failed
 * allocations so far. With --proc-at, Linux's /proc views are printed
 * after the events named.
 *
 * "Mixed" pageblock: one holding allocated blocks of two mobility types,
 * or of a type other than the pageblock's own (mmtests' notion of a
 * polluted pageblock); only the laboratory's tagged blocks count.
 */
#include <stdlib.h>
#include <string.h>

#include "lab.h"
#include "walk.h"

struct fig_walk {
	struct sim_zone_figures *fig;
	const struct pmm_zone *z;
	pmm_pfn_t pb;          /* current pageblock index + 1, 0: none */
	unsigned int mask;     /* allocated types seen in it */
};

static void pb_close(struct fig_walk *w)
{
	if (w->pb == 0 || w->mask == 0)
		return;
	pmm_pfn_t first = (w->pb - 1) << PMM_PAGEBLOCK_ORDER;
	unsigned int own = 1u << pmm_pageblock_type(w->z, first);
	if ((w->mask | own) != own)
		w->fig->mixed_pageblocks++;
}

static void fig_run(void *ctx, const struct sim_run *r)
{
	struct fig_walk *w = ctx;
	struct sim_zone_figures *fig = w->fig;
	if (r->state == SIM_PAGE_PCP && r->order < PMM_PCP_NR_ORDERS)
		fig->pcp_by_order[r->order]++;
	if (r->state != SIM_PAGE_ALLOC)
		return;
	fig->alloc_by_mt[r->mt] += r->pages;
	if (r->mt >= PMM_MT_TYPES || r->order >= PMM_PAGEBLOCK_ORDER)
		return;
	pmm_pfn_t pb = (r->pfn >> PMM_PAGEBLOCK_ORDER) + 1;
	if (pb != w->pb) {
		pb_close(w);
		w->pb = pb;
		w->mask = 0;
	}
	w->mask |= 1u << r->mt;
}

void sim_zone_figures(const struct pmm_zone *z, struct sim_zone_figures *fig)
{
	struct fig_walk w = { fig, z, 0, 0 };
	memset(fig, 0, sizeof(*fig));
	fig->managed = z->managed;
	fig->free_pages = z->free_pages;
	for (unsigned int c = 0; c < PMM_NR_CPUS; c++) {
		fig->pcp_by_cpu[c] = z->pcp[c].count;
		fig->pcp_pages += z->pcp[c].count;
	}
	for (unsigned int k = 0; k < PMM_NR_ORDERS; k++) {
		fig->nr_free[k] = z->free_area[k].nr_free;
		if (k >= PMM_PAGEBLOCK_ORDER)
			fig->free_pageblocks += fig->nr_free[k] << (k - PMM_PAGEBLOCK_ORDER);
	}
	pmm_pfn_t first = z->start_pfn >> PMM_PAGEBLOCK_ORDER;
	pmm_pfn_t last = (z->end_pfn + PMM_PAGEBLOCK_PAGES - 1) >> PMM_PAGEBLOCK_ORDER;
	fig->pageblocks = last - first;
	sim_walk_zone(z, fig_run, &w);
	pb_close(&w);
}

/* Free blocks that could serve 2^@order pages, counted in 2^@order units. */
static uint64_t suitable_blocks(const struct sim_zone_figures *fig, unsigned int order)
{
	uint64_t n = 0;
	for (unsigned int k = order; k < PMM_NR_ORDERS; k++)
		n += fig->nr_free[k] << (k - order);
	return n;
}

/* Linux's unusable free space index in thousandths (1000: nothing usable). */
static long unusable_milli(const struct sim_zone_figures *fig, unsigned int order)
{
	if (fig->free_pages == 0)
		return 1000;
	uint64_t usable = suitable_blocks(fig, order) << order;
	return (long)((fig->free_pages - usable) * 1000 / fig->free_pages);
}

/* Linux's fragmentation index in thousandths (-1000: would succeed). */
static long fragmentation_milli(const struct sim_zone_figures *fig, unsigned int order)
{
	uint64_t blocks = 0;
	for (unsigned int k = 0; k < PMM_NR_ORDERS; k++)
		blocks += fig->nr_free[k];
	if (blocks == 0)
		return 0;
	if (suitable_blocks(fig, order) > 0)
		return -1000;
	uint64_t requested = (uint64_t)1 << order;
	return 1000 - (long)((1000 + fig->free_pages * 1000 / requested) / blocks);
}

double sim_unusable_index(const struct sim_zone_figures *fig, unsigned int order)
{
	return (double)unusable_milli(fig, order) / 1000.0;
}

double sim_fragmentation_index(const struct sim_zone_figures *fig, unsigned int order)
{
	return (double)fragmentation_milli(fig, order) / 1000.0;
}

static void csv_header(FILE *f)
{
	fputs("event,node,zone,managed,free_pages,pcp_pages,free_pageblocks,"
	      "pageblocks,mixed_pageblocks,failed", f);
	for (int k = 0; k < PMM_NR_ORDERS; k++)
		fprintf(f, ",free_%d", k);
	for (int k = 0; k < PMM_NR_ORDERS; k++)
		fprintf(f, ",unusable_%d", k);
	for (int k = 0; k < PMM_NR_ORDERS; k++)
		fprintf(f, ",fragindex_%d", k);
	for (int k = 0; k < PMM_PCP_NR_ORDERS; k++)
		fprintf(f, ",pcp_blocks_%d", k);
	for (int c = 0; c < PMM_NR_CPUS; c++)
		fprintf(f, ",pcp_cpu%d", c);
	fputc('\n', f);
}

static void csv_row(FILE *f, uint64_t ev, const struct pmm_zone *z,
		    const struct sim_zone_figures *g, uint64_t failed)
{
	fprintf(f, "%llu,%d,%s,%llu,%llu,%llu,%llu,%llu,%llu,%llu",
		(unsigned long long)ev, z->node, pmm_zone_name(z->type),
		(unsigned long long)g->managed, (unsigned long long)g->free_pages,
		(unsigned long long)g->pcp_pages, (unsigned long long)g->free_pageblocks,
		(unsigned long long)g->pageblocks, (unsigned long long)g->mixed_pageblocks,
		(unsigned long long)failed);
	for (unsigned int k = 0; k < PMM_NR_ORDERS; k++)
		fprintf(f, ",%llu", (unsigned long long)g->nr_free[k]);
	for (unsigned int k = 0; k < PMM_NR_ORDERS; k++)
		fprintf(f, ",%.3f", sim_unusable_index(g, k));
	for (unsigned int k = 0; k < PMM_NR_ORDERS; k++)
		fprintf(f, ",%.3f", sim_fragmentation_index(g, k));
	for (int k = 0; k < PMM_PCP_NR_ORDERS; k++)
		fprintf(f, ",%llu", (unsigned long long)g->pcp_by_order[k]);
	for (int c = 0; c < PMM_NR_CPUS; c++)
		fprintf(f, ",%llu", (unsigned long long)g->pcp_by_cpu[c]);
	fputc('\n', f);
}

static void json_list_u64(FILE *f, const char *key, const uint64_t *v, int n)
{
	fprintf(f, ",\"%s\":[", key);
	for (int k = 0; k < n; k++)
		fprintf(f, "%s%llu", k ? "," : "", (unsigned long long)v[k]);
	fputc(']', f);
}

static void json_row(FILE *f, bool first, uint64_t ev, const struct pmm_zone *z,
		     const struct sim_zone_figures *g, uint64_t failed)
{
	fprintf(f, "%s\n{\"event\":%llu,\"node\":%d,\"zone\":\"%s\",\"managed\":%llu,"
		"\"free_pages\":%llu,\"pcp_pages\":%llu,\"free_pageblocks\":%llu,"
		"\"pageblocks\":%llu,\"mixed_pageblocks\":%llu,\"failed\":%llu",
		first ? "" : ",", (unsigned long long)ev, z->node, pmm_zone_name(z->type),
		(unsigned long long)g->managed, (unsigned long long)g->free_pages,
		(unsigned long long)g->pcp_pages, (unsigned long long)g->free_pageblocks,
		(unsigned long long)g->pageblocks, (unsigned long long)g->mixed_pageblocks,
		(unsigned long long)failed);
	json_list_u64(f, "free_by_order", g->nr_free, PMM_NR_ORDERS);
	json_list_u64(f, "pcp_blocks_by_order", g->pcp_by_order, PMM_PCP_NR_ORDERS);
	json_list_u64(f, "pcp_pages_by_cpu", g->pcp_by_cpu, PMM_NR_CPUS);
	fputs(",\"unusable\":[", f);
	for (unsigned int k = 0; k < PMM_NR_ORDERS; k++)
		fprintf(f, "%s%.3f", k ? "," : "", sim_unusable_index(g, k));
	fputs("],\"fragindex\":[", f);
	for (unsigned int k = 0; k < PMM_NR_ORDERS; k++)
		fprintf(f, "%s%.3f", k ? "," : "", sim_fragmentation_index(g, k));
	fputs("]}", f);
}

int sim_metrics_open(struct sim_metrics *m, const char *path, uint64_t every,
		     const struct sim_lab_stats *st)
{
	memset(m, 0, sizeof(*m));
	m->every = every;
	m->next = every;
	m->stats = st;
	if (!path)
		return 0;
	m->f = fopen(path, "w");
	if (!m->f)
		return -1;
	size_t n = strlen(path);
	m->json = n >= 5 && strcmp(path + n - 5, ".json") == 0;
	if (m->json)
		fputc('[', m->f);
	else
		csv_header(m->f);
	return 0;
}

static void hist_add(struct sim_metrics *m, const struct sim_metrics_point *p)
{
	if (m->nhist == m->caphist) {
		unsigned int cap = m->caphist ? m->caphist * 2 : 256;
		struct sim_metrics_point *h = realloc(m->hist, cap * sizeof(*h));
		if (!h)
			return;
		m->hist = h;
		m->caphist = cap;
	}
	m->hist[m->nhist++] = *p;
}

/* The whole machine as one zone: its lists' counts summed. */
static void machine_add(struct sim_zone_figures *all, const struct sim_zone_figures *g)
{
	all->managed += g->managed;
	all->free_pages += g->free_pages;
	all->pageblocks += g->pageblocks;
	all->mixed_pageblocks += g->mixed_pageblocks;
	for (int k = 0; k < PMM_NR_ORDERS; k++)
		all->nr_free[k] += g->nr_free[k];
}

void sim_metrics_sample(struct sim_metrics *m, uint64_t events)
{
	struct sim_zone_figures g, all;
	const struct pmm_zone *z;
	uint64_t failed = m->stats ? m->stats->failed : 0;
	memset(&all, 0, sizeof(all));
	pmm_for_each_populated_zone(z) {
		sim_zone_figures(z, &g);
		machine_add(&all, &g);
		if (m->f && m->json)
			json_row(m->f, m->samples == 0, events, z, &g, failed);
		else if (m->f)
			csv_row(m->f, events, z, &g, failed);
		m->samples++;
	}
	struct sim_metrics_point p = {
		.event = events,
		.free_frac = all.managed ? (double)all.free_pages / (double)all.managed : 0,
		.unusable_pb = sim_unusable_index(&all, PMM_PAGEBLOCK_ORDER),
		.mixed_frac = all.pageblocks ? (double)all.mixed_pageblocks / (double)all.pageblocks : 0,
		.failed = failed,
	};
	hist_add(m, &p);
}

void sim_metrics_tick(struct sim_metrics *m, uint64_t events)
{
	if (m->iproc_at < m->nproc_at && events == m->proc_at[m->iproc_at]) {
		m->iproc_at++;
		m->proc_print(events);
	}
	if (m->periodic_every != 0 && events >= m->periodic_next) {
		m->periodic_next = events + m->periodic_every;
		m->periodic(events);
	}
	if (m->every == 0 || events < m->next)
		return;
	m->next = events + m->every;
	sim_metrics_sample(m, events);
}

int sim_metrics_close(struct sim_metrics *m)
{
	int err = 0;
	if (m->f) {
		if (m->json)
			fputs("\n]\n", m->f);
		err = fclose(m->f) != 0;
		m->f = NULL;
	}
	return err ? -1 : 0;
}

void sim_metrics_summary(FILE *f, const struct sim_lab_stats *st)
{
	fprintf(f, "pmm-sim: %llu events: %llu allocations (%llu failed), %llu frees\n",
		(unsigned long long)st->events, (unsigned long long)st->allocs,
		(unsigned long long)st->failed, (unsigned long long)st->frees);
	if (st->contig != 0 || st->cma != 0)
		fprintf(f, "pmm-sim: contiguous runs: %llu (%llu failed); CMA runs: "
			"%llu (%llu failed); blocks moved by the migrate hook: %llu (%llu refused)\n",
			(unsigned long long)st->contig, (unsigned long long)st->contig_failed,
			(unsigned long long)st->cma, (unsigned long long)st->cma_failed,
			(unsigned long long)st->moved, (unsigned long long)st->unmoved);
	if (st->failed == 0)
		return;
	fputs("pmm-sim: failed allocations by order:", f);
	for (int k = 0; k < PMM_NR_ORDERS; k++)
		if (st->failed_by_order[k])
			fprintf(f, " %d:%llu", k, (unsigned long long)st->failed_by_order[k]);
	fputc('\n', f);
}
