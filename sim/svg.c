/* SPDX-License-Identifier: MIT */
/*
 * svg.c - one self-contained SVG of physical memory and of the metrics
 * over time (`--svg FILE` on boot, run and replay).
 *
 * The map: one grid per populated zone (node and zone named on the left),
 * 896 pixels wide; a cell is a page on small machines (16384 pages or
 * fewer: 128 cells of 7 pixels a row), else a pageblock, or 2^k
 * pageblocks so that no map has more than 4096 cells (64 cells of 14
 * pixels a row). Each cell is a stack of bands whose heights are the
 * shares of its pages in each state: free (greens, light for order 0 to
 * dark for order 10), on a per-CPU list (purple), allocated by mobility
 * (unmovable red, movable blue, reclaimable orange, untagged brown),
 * reserved or a hole (grey), outside the zone (light grey). So the area
 * of each colour is its share of the memory: the browser test
 * (tests/svg_browser.sh) checks the green area against the free pages.
 * The root element carries data-map-top / data-map-bottom / data-map-left
 * (the map's pixel rows and first column) and data-pages (pages drawn).
 *
 * Below the map (run and replay), a chart of the samples (metrics.c): free pages, the
 * unusable free space index at pageblock order and the share of mixed
 * pageblocks, each 0..1 over the events, and the failed allocations.
 */
#include <stdlib.h>
#include <string.h>

#include "lab.h"
#include "walk.h"

enum {
	ST_FREE0 = 0,                       /* + order */
	ST_ALLOC = PMM_NR_ORDERS,           /* + mt (PMM_MT_TYPES: untagged) */
	ST_PCP = ST_ALLOC + PMM_MT_TYPES + 1,
	ST_RESERVED,
	ST_OUTSIDE,
	NR_ST
};

#define MAP_W 896       /* pixels: 64 cells of 14, or 128 of 7 */
#define MAP_LEFT 170
#define WIDTH (MAP_LEFT + MAP_W + 20)
#define MAX_CELLS 4096
#define CHART_H 220

struct zone_grid {
	const struct pmm_zone *z;
	pmm_pfn_t first;      /* first cell index (pfn >> shift) */
	uint64_t ncells;
	uint32_t (*count)[NR_ST];
};

struct picture {
	struct zone_grid g[PMM_MAX_NUMNODES * PMM_NR_ZONES];
	unsigned int nz;
	unsigned int shift;   /* pages per cell = 1 << shift */
	int cell;             /* cell side [pixels] */
	int cols;             /* cells a row: MAP_W / cell */
	uint64_t pages;
};

static const char *const mt_label[] = { "unmovable", "movable", "reclaimable", "untagged" };
static const char *const alloc_colour[] = { "#d62728", "#1f77b4", "#ff9f1c", "#8c564b" };

/* Green of free order @k: light (small blocks) to dark (large). */
static void free_colour(unsigned int k, char *buf, size_t n)
{
	double t = (double)k / PMM_MAX_ORDER;
	snprintf(buf, n, "#%02x%02x%02x", (unsigned int)(160 - 160 * t),
		 (unsigned int)(220 - 130 * t), (unsigned int)(150 - 110 * t));
}

static void state_colour(unsigned int s, char *buf, size_t n)
{
	if (s < ST_ALLOC)
		free_colour(s, buf, n);
	else if (s < ST_PCP)
		snprintf(buf, n, "%s", alloc_colour[s - ST_ALLOC]);
	else
		snprintf(buf, n, "%s", s == ST_PCP ? "#9467bd" : s == ST_RESERVED ? "#9e9e9e" : "#e6e6e6");
}

struct grid_walk {
	struct zone_grid *g;
	unsigned int shift;
};

static unsigned int run_state(const struct sim_run *r)
{
	switch (r->state) {
	case SIM_PAGE_FREE:
		return ST_FREE0 + r->order;
	case SIM_PAGE_PCP:
		return ST_PCP;
	case SIM_PAGE_ALLOC:
		return ST_ALLOC + r->mt;
	default:
		return ST_RESERVED;
	}
}

static void grid_run(void *ctx, const struct sim_run *r)
{
	struct grid_walk *w = ctx;
	unsigned int st = run_state(r);
	pmm_pfn_t pfn = r->pfn, left = r->pages;
	while (left) {
		pmm_pfn_t cell = pfn >> w->shift;
		pmm_pfn_t room = ((cell + 1) << w->shift) - pfn;
		pmm_pfn_t take = room < left ? room : left;
		w->g->count[cell - w->g->first][st] += (uint32_t)take;
		pfn += take;
		left -= take;
	}
}

static unsigned int choose_shift(void)
{
	const struct pmm_zone *z;
	uint64_t pages = 0;
	pmm_for_each_populated_zone(z)
		pages += z->spanned;
	if (pages <= 16384)
		return 0;
	unsigned int s = PMM_PAGEBLOCK_ORDER;
	while ((pages >> s) > MAX_CELLS && s < 40)
		s++;
	return s;
}

static int picture_build(struct picture *p)
{
	const struct pmm_zone *z;
	memset(p, 0, sizeof(*p));
	p->shift = choose_shift();
	p->cell = p->shift ? 14 : 7;
	p->cols = MAP_W / p->cell;
	pmm_for_each_populated_zone(z) {
		struct zone_grid *g = &p->g[p->nz++];
		g->z = z;
		g->first = z->start_pfn >> p->shift;
		g->ncells = ((z->end_pfn - 1) >> p->shift) - g->first + 1;
		g->count = calloc(g->ncells, sizeof(*g->count));
		if (!g->count)
			return -1;
		struct grid_walk w = { g, p->shift };
		sim_walk_zone(z, grid_run, &w);
		p->pages += g->ncells << p->shift;
	}
	return 0;
}

static void picture_free(struct picture *p)
{
	for (unsigned int i = 0; i < p->nz; i++)
		free(p->g[i].count);
}

static void xml_text(FILE *f, const char *s)
{
	for (; s && *s; s++) {
		if (*s == '<')
			fputs("&lt;", f);
		else if (*s == '>')
			fputs("&gt;", f);
		else if (*s == '&')
			fputs("&amp;", f);
		else if (*s == '"')
			fputs("&quot;", f);
		else
			fputc(*s, f);
	}
}

/* One cell: its bands from the top, in state order. */
static void draw_cell(FILE *f, const uint32_t *count, uint64_t cell_pages, int x, int y,
		      int side)
{
	double top = y, used = 0;
	char col[16];
	for (unsigned int s = 0; s < NR_ST; s++) {
		double n = s == ST_OUTSIDE ? (double)cell_pages - used : count[s];
		if (s != ST_OUTSIDE)
			used += n;
		if (n <= 0)
			continue;
		double h = side * n / (double)cell_pages;
		state_colour(s, col, sizeof(col));
		fprintf(f, "<rect x=\"%d\" y=\"%.3f\" width=\"%d\" height=\"%.3f\" fill=\"%s\"/>",
			x, top, side, h, col);
		top += h;
	}
	fputc('\n', f);
}

static int draw_zone(FILE *f, const struct picture *p, const struct zone_grid *g, int y)
{
	const struct pmm_zone *z = g->z;
	uint64_t rows = (g->ncells + (uint64_t)p->cols - 1) / (uint64_t)p->cols;
	fprintf(f, "<text x=\"8\" y=\"%d\" class=\"l\">Node %d, zone %s</text>\n"
		"<text x=\"8\" y=\"%d\" class=\"s\">pfn 0x%llx-0x%llx</text>\n"
		"<text x=\"8\" y=\"%d\" class=\"s\">%llu of %llu pages free</text>\n",
		y + 12, z->node, pmm_zone_name(z->type), y + 26,
		(unsigned long long)z->start_pfn, (unsigned long long)z->end_pfn, y + 40,
		(unsigned long long)z->free_pages, (unsigned long long)z->managed);
	for (uint64_t c = 0; c < g->ncells; c++)
		draw_cell(f, g->count[c], (uint64_t)1 << p->shift,
			  MAP_LEFT + (int)(c % (uint64_t)p->cols) * p->cell,
			  y + (int)(c / (uint64_t)p->cols) * p->cell, p->cell);
	int h = (int)rows * p->cell;
	return y + (h > 44 ? h : 44) + 10;
}

static int draw_legend(FILE *f, int y)
{
	char col[16];
	int x = 8;
	fprintf(f, "<text x=\"8\" y=\"%d\" class=\"s\">free by order 0..%d:</text>\n", y + 11,
		PMM_MAX_ORDER);
	x = 130;
	for (unsigned int k = 0; k < PMM_NR_ORDERS; k++, x += 16) {
		free_colour(k, col, sizeof(col));
		fprintf(f, "<rect x=\"%d\" y=\"%d\" width=\"14\" height=\"14\" fill=\"%s\"/>"
			"<text x=\"%d\" y=\"%d\" class=\"t\">%u</text>\n", x, y, col, x + 3, y + 26, k);
	}
	x += 14;
	for (unsigned int s = ST_ALLOC; s < NR_ST; s++) {
		const char *label = s < ST_PCP ? mt_label[s - ST_ALLOC] : s == ST_PCP ? "per-CPU list"
					     : s == ST_RESERVED ? "reserved/hole" : "outside zone";
		state_colour(s, col, sizeof(col));
		fprintf(f, "<rect x=\"%d\" y=\"%d\" width=\"14\" height=\"14\" fill=\"%s\"/>"
			"<text x=\"%d\" y=\"%d\" class=\"s\">%s%s</text>\n", x, y, col, x + 18, y + 11,
			s < ST_PCP ? "alloc " : "", label);
		x += 18 + 7 * (int)(strlen(label) + (s < ST_PCP ? 6 : 0)) + 10;
		if (x > WIDTH - 150) {
			x = 130;
			y += 32;
		}
	}
	return y + 40;
}

static void polyline(FILE *f, const struct sim_metrics *m, int x0, int y0, int w, int h,
		     int which, const char *colour, const char *dash)
{
	uint64_t last = m->hist[m->nhist - 1].event;
	fprintf(f, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2\"%s points=\"",
		colour, dash);
	for (unsigned int i = 0; i < m->nhist; i++) {
		const struct sim_metrics_point *p = &m->hist[i];
		double v = which == 0 ? p->free_frac : which == 1 ? p->unusable_pb : p->mixed_frac;
		double x = x0 + (last ? (double)w * (double)p->event / (double)last : 0);
		fprintf(f, "%.1f,%.1f ", x, y0 + h - h * v);
	}
	fputs("\"/>\n", f);
}

static int draw_chart(FILE *f, const struct sim_metrics *m, int y)
{
	int x0 = MAP_LEFT, w = MAP_W, h = CHART_H - 60;
	if (!m || m->nhist < 2)
		return y; /* a boot: one sample, no time */
	const struct sim_metrics_point *end = &m->hist[m->nhist - 1];
	fprintf(f, "<text x=\"8\" y=\"%d\" class=\"l\">over time</text>\n"
		"<text x=\"8\" y=\"%d\" class=\"s\">%u samples</text>\n"
		"<text x=\"8\" y=\"%d\" class=\"s\">%llu failed allocs</text>\n"
		"<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"#444\"/>\n"
		"<text x=\"%d\" y=\"%d\" class=\"t\">1</text><text x=\"%d\" y=\"%d\" class=\"t\">0</text>\n"
		"<text x=\"%d\" y=\"%d\" class=\"t\">event 0</text>"
		"<text x=\"%d\" y=\"%d\" class=\"t\" text-anchor=\"end\">event %llu</text>\n",
		y + 12, y + 26, m->nhist, y + 40, (unsigned long long)end->failed,
		x0, y, w, h, x0 - 12, y + 8, x0 - 12, y + h, x0, y + h + 14, x0 + w, y + h + 14,
		(unsigned long long)end->event);
	polyline(f, m, x0, y, w, h, 0, "#000000", "");
	polyline(f, m, x0, y, w, h, 1, "#d62728", " stroke-dasharray=\"6,3\"");
	polyline(f, m, x0, y, w, h, 2, "#ff9f1c", " stroke-dasharray=\"2,2\"");
	fprintf(f, "<text x=\"%d\" y=\"%d\" class=\"s\">black: free pages / managed; "
		"red dashed: unusable free space index, order %d; orange dotted: "
		"mixed pageblocks / pageblocks</text>\n", x0, y + h + 32, PMM_PAGEBLOCK_ORDER);
	return y + CHART_H;
}

static int map_height(const struct picture *p)
{
	int h = 0;
	for (unsigned int i = 0; i < p->nz; i++) {
		int rows = (int)((p->g[i].ncells + (uint64_t)p->cols - 1) / (uint64_t)p->cols) * p->cell;
		h += (rows > 44 ? rows : 44) + 10;
	}
	return h;
}

static void write_svg(FILE *f, const struct picture *p, const char *title,
		      const struct sim_metrics *m)
{
	int legend_y = 44, map_top = legend_y + 76;
	int map_bottom = map_top + map_height(p);
	int height = map_bottom + (m && m->nhist >= 2 ? CHART_H : 0) + 10;
	fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
		"viewBox=\"0 0 %d %d\" data-map-top=\"%d\" data-map-bottom=\"%d\" "
		"data-map-left=\"%d\" data-pages=\"%llu\" data-cell-pages=\"%llu\">\n"
		"<style>rect{shape-rendering:crispEdges}text{font-family:sans-serif;fill:#000}.l{font-size:13px;font-weight:bold}"
		".s{font-size:11px}.t{font-size:9px}</style>\n"
		"<rect width=\"100%%\" height=\"100%%\" fill=\"#ffffff\"/>\n<text x=\"8\" y=\"22\" "
		"class=\"l\">pmm-sim: ",
		WIDTH, height, WIDTH, height, map_top, map_bottom, MAP_LEFT,
		(unsigned long long)p->pages, (unsigned long long)1 << p->shift);
	xml_text(f, title);
	fprintf(f, " - one cell = %llu page%s</text>\n", (unsigned long long)1 << p->shift,
		p->shift ? "s" : "");
	draw_legend(f, legend_y);
	int y = map_top;
	for (unsigned int i = 0; i < p->nz; i++)
		y = draw_zone(f, p, &p->g[i], y);
	draw_chart(f, m, map_bottom + 10);
	fputs("</svg>\n", f);
}

int sim_svg_write(const char *path, const char *title, const struct sim_metrics *m)
{
	static struct picture p;
	FILE *f = fopen(path, "w");
	if (!f || picture_build(&p) != 0) {
		fprintf(stderr, "pmm-sim: cannot write the picture %s\n", path);
		if (f)
			fclose(f);
		picture_free(&p);
		return -1;
	}
	write_svg(f, &p, title, m);
	picture_free(&p);
	if (fclose(f) != 0) {
		fprintf(stderr, "pmm-sim: cannot write the picture %s\n", path);
		return -1;
	}
	return 0;
}
