/* SPDX-License-Identifier: MIT */
/*
 * report.c - what pmm tells people: Linux-format reports and JSON.
 *
 * Reads the zones (pmm/zone.h), a memory map and the boot's figures; writes
 * text to a struct pmm_out. Reads counters without the zone lock: a report
 * is a snapshot that may be torn under concurrent allocation.
 */
#include <pmm/buddy.h>
#include <pmm/fmt.h>
#include <pmm/report.h>
#include <pmm/zone.h>

#define KB(pages) ((uint64_t)(pages) << (PMM_PAGE_SHIFT - 10))

static uint64_t zone_pcp_pages(const struct pmm_zone *z)
{
	uint64_t n = 0;
	for (unsigned int cpu = 0; cpu < PMM_NR_CPUS; cpu++)
		n += z->pcp[cpu].count;
	return n;
}

void pmm_report_buddyinfo(const struct pmm_out *out)
{
	const struct pmm_zone *z;
	pmm_for_each_populated_zone(z) {
		pmm_fmt(out, "Node %d, zone %8s ", z->node, pmm_zone_name(z->type));
		for (int k = 0; k < PMM_NR_ORDERS; k++)
			pmm_fmt(out, "%6llu ",
				(unsigned long long)z->free_area[k].nr_free);
		pmm_fmt(out, "\n");
	}
}

static const char *const migratetype_names[PMM_MT_LISTS] = {
	[PMM_MT_UNMOVABLE] = "Unmovable",
	[PMM_MT_MOVABLE] = "Movable",
	[PMM_MT_RECLAIMABLE] = "Reclaimable",
	[PMM_MT_ISOLATE] = "Isolate",
	[PMM_MT_CMA] = "CMA",
};

/* The lists the report shows: the three types, and CMA once a zone has
 * a CMA pageblock (Linux's column; pmm's output stays as it was without). */
static unsigned int pagetype_lists(void)
{
	const struct pmm_zone *z;
	pmm_for_each_zone(z)
		for (pmm_pfn_t p = z->start_pfn & ~(PMM_PAGEBLOCK_PAGES - 1);
		     p < z->end_pfn; p += PMM_PAGEBLOCK_PAGES)
			if (pmm_pageblock_type(z, p) & PMM_PB_CMA)
				return PMM_MT_TYPES + 1;
	return PMM_MT_TYPES;
}

/* The i-th list shown (pagetype_lists()): the types, then CMA. */
static unsigned int pagetype_list(unsigned int i)
{
	return i < PMM_MT_TYPES ? i : PMM_MT_CMA;
}

/* Longest list walked for a count; longer ones print as ">N", as Linux. */
#define PAGETYPE_COUNT_MAX 100000u

/* Return: blocks on free list (@k, @mt), at most PAGETYPE_COUNT_MAX + 1. */
static uint64_t free_list_length(const struct pmm_zone *z, int k,
				 unsigned int mt)
{
	uint64_t n = 0;
	for (uint32_t h = z->free_area[k].head[mt];
	     h != 0 && n <= PAGETYPE_COUNT_MAX; h = pmm_mem_map[h - 1].next)
		n++;
	if (k == PMM_MAX_ORDER)
		n += pmm_buddy_deferred_listed(z, mt);
	return n <= PAGETYPE_COUNT_MAX ? n : PAGETYPE_COUNT_MAX + 1;
}

static void pagetypeinfo_free(const struct pmm_out *out,
			      const struct pmm_zone *z)
{
	struct pmm_zone *locked = (struct pmm_zone *)(uintptr_t)z;
	for (unsigned int i = 0; i < pagetype_lists(); i++) {
		unsigned int mt = pagetype_list(i);
		pmm_fmt(out, "Node %4d, zone %8s, type %12s ", z->node,
			pmm_zone_name(z->type), migratetype_names[mt]);
		for (int k = 0; k < PMM_NR_ORDERS; k++) {
			pmm_lock(&locked->lock); /* the list walk needs it */
			uint64_t n = free_list_length(z, k, mt);
			pmm_unlock(&locked->lock);
			bool over = n > PAGETYPE_COUNT_MAX;
			pmm_fmt(out, "%s%6llu ", over ? ">" : "",
				(unsigned long long)(over ? PAGETYPE_COUNT_MAX : n));
		}
		pmm_fmt(out, "\n");
	}
}

static void pagetypeinfo_blocks(const struct pmm_out *out,
				const struct pmm_zone *z)
{
	uint64_t count[PMM_MT_LISTS] = { 0 };
	pmm_pfn_t p = z->start_pfn & ~(PMM_PAGEBLOCK_PAGES - 1);
	for (; p < z->end_pfn; p += PMM_PAGEBLOCK_PAGES) {
		unsigned int mt = pmm_pageblock_type(z, p);
		if (mt & PMM_PB_CMA)
			count[PMM_MT_CMA]++;
		else if ((mt & ~PMM_PB_ISOLATE) < PMM_MT_TYPES)
			count[mt & ~PMM_PB_ISOLATE]++;
	}
	pmm_fmt(out, "Node %d, zone %8s ", z->node, pmm_zone_name(z->type));
	for (unsigned int i = 0; i < pagetype_lists(); i++)
		pmm_fmt(out, "%12llu ", (unsigned long long)count[pagetype_list(i)]);
	pmm_fmt(out, "\n");
}

/* One node's part, as Linux prints one per node with memory. */
static void pagetypeinfo_node(const struct pmm_out *out, const struct pmm_node *node)
{
	pmm_fmt(out, "Page block order: %d\n", PMM_PAGEBLOCK_ORDER);
	pmm_fmt(out, "Pages per block:  %llu\n\n",
		(unsigned long long)PMM_PAGEBLOCK_PAGES);
	pmm_fmt(out, "%-43s ", "Free pages count per migrate type at order");
	for (int k = 0; k < PMM_NR_ORDERS; k++)
		pmm_fmt(out, "%6d ", k);
	pmm_fmt(out, "\n");
	for (int t = 0; t < PMM_NR_ZONES; t++)
		if (pmm_zone_is_populated(&node->zones[t]))
			pagetypeinfo_free(out, &node->zones[t]);
	pmm_fmt(out, "\n%-23s", "Number of blocks type ");
	for (unsigned int i = 0; i < pagetype_lists(); i++)
		pmm_fmt(out, "%12s ", migratetype_names[pagetype_list(i)]);
	pmm_fmt(out, "\n");
	for (int t = 0; t < PMM_NR_ZONES; t++)
		if (pmm_zone_is_populated(&node->zones[t]))
			pagetypeinfo_blocks(out, &node->zones[t]);
}

void pmm_report_pagetypeinfo(const struct pmm_out *out)
{
	const struct pmm_zone *z;
	int last = -1;
	pmm_for_each_populated_zone(z) {
		if (z->node == last)
			continue;
		last = z->node;
		pagetypeinfo_node(out, &pmm_nodes[z->node]);
	}
}

/* Linux's "protection: (a, b, ...)" line: the zone's lowmem_reserve. */
static void report_protection(const struct pmm_out *out, const struct pmm_zone *z)
{
	if (z->nr_protection == 0)
		return;
	pmm_fmt(out, "        protection: (");
	for (unsigned int k = 0; k < z->nr_protection; k++)
		pmm_fmt(out, "%s%llu", k ? ", " : "", (unsigned long long)z->protection[k]);
	pmm_fmt(out, ")\n");
}

void pmm_report_zoneinfo(const struct pmm_out *out)
{
	const struct pmm_zone *z;
	pmm_for_each_populated_zone(z) {
		pmm_fmt(out, "Node %d, zone %8s\n", z->node, pmm_zone_name(z->type));
		pmm_fmt(out, "  pages free     %llu\n",
			(unsigned long long)(z->free_pages + zone_pcp_pages(z)));
		pmm_fmt(out, "        min      %llu\n",
			(unsigned long long)z->watermark[PMM_WMARK_MIN]);
		pmm_fmt(out, "        low      %llu\n",
			(unsigned long long)z->watermark[PMM_WMARK_LOW]);
		pmm_fmt(out, "        high     %llu\n",
			(unsigned long long)z->watermark[PMM_WMARK_HIGH]);
		pmm_fmt(out, "        spanned  %llu\n", (unsigned long long)z->spanned);
		pmm_fmt(out, "        present  %llu\n", (unsigned long long)z->present);
		pmm_fmt(out, "        managed  %llu\n", (unsigned long long)z->managed);
		report_protection(out, z);
	}
}

static void print_range(const struct pmm_out *out, const char *lead,
			pmm_pfn_t start, pmm_pfn_t end)
{
	pmm_fmt(out, "%s[mem 0x%016llx-0x%016llx]\n", lead,
		(unsigned long long)PMM_PFN_PHYS(start),
		(unsigned long long)(PMM_PFN_PHYS(end) - 1));
}

static void zone_range_line(const struct pmm_out *out, enum pmm_zone_type t)
{
	pmm_pfn_t start = 0, end = 0;
	bool any = false;
	for (int nid = 0; nid < PMM_MAX_NUMNODES; nid++) {
		const struct pmm_zone *z = &pmm_nodes[nid].zones[t];
		if (!pmm_nodes[nid].online || !pmm_zone_is_populated(z))
			continue;
		start = any && start < z->start_pfn ? start : z->start_pfn;
		end = end > z->end_pfn ? end : z->end_pfn;
		any = true;
	}
	char lead[32];
	pmm_snprintf(lead, sizeof(lead), "  %-8s ", pmm_zone_name(t));
	if (any)
		print_range(out, lead, start, end);
}

/* End of the part of [@s, @end) that one NUMA range (or one gap between ranges) holds. */
static pmm_phys_t node_run_end(const struct pmm_memmap *m, pmm_phys_t s, pmm_phys_t end)
{
	for (unsigned int i = 0; i < m->nr_numa; i++) {
		const struct pmm_numa_range *r = &m->numa[i];
		if (r->start <= s && s < r->end)
			return r->end < end ? r->end : end;
		if (r->start > s && r->start < end)
			end = r->start;
	}
	return end;
}

static void node_range_line(const struct pmm_out *out, int nid, pmm_phys_t s,
			    pmm_phys_t e)
{
	char lead[32];
	pmm_snprintf(lead, sizeof(lead), "  node %3d: ", nid < 0 ? 0 : nid);
	print_range(out, lead, PMM_PFN_DOWN(s), PMM_PFN_UP(e));
}

void pmm_report_zone_ranges(const struct pmm_out *out, const struct pmm_memmap *m)
{
	pmm_fmt(out, "Zone ranges:\n");
	for (int t = 0; t < PMM_NR_ZONES; t++)
		zone_range_line(out, (enum pmm_zone_type)t);
	pmm_fmt(out, "Early memory node ranges\n");
	for (unsigned int i = 0; i < m->nr; i++) {
		const struct pmm_memmap_entry *e = &m->entry[i];
		if (e->type != PMM_MEM_USABLE)
			continue;
		for (pmm_phys_t s = e->start, next; s < e->end; s = next) {
			next = node_run_end(m, s, e->end);
			node_range_line(out, pmm_memmap_node_of(m, s), s, next);
		}
	}
}

void pmm_report_memmap(const struct pmm_out *out, const struct pmm_memmap *m,
		       const char *label)
{
	char name[32];
	for (unsigned int i = 0; i < m->nr; i++) {
		const struct pmm_memmap_entry *e = &m->entry[i];
		pmm_fmt(out, "%s: [mem 0x%016llx-0x%016llx] %s\n", label,
			(unsigned long long)e->start,
			(unsigned long long)(e->end - 1),
			pmm_mem_type_name(e->type, name, sizeof(name)));
	}
}

void pmm_report_memory_line(const struct pmm_out *out,
			    const struct pmm_boot_config *cfg,
			    const struct pmm_boot_info *info)
{
	uint64_t avail = info->present_pages - info->reserved_pages;
	uint64_t code = cfg->kernel_code.end - cfg->kernel_code.start;
	uint64_t init = cfg->init.end - cfg->init.start;
	/* CMA regions count apart, as Linux 6.x prints them (its line comes
	 * before the regions are activated: neither available nor reserved) */
	uint64_t cma = info->cma_pages;
	pmm_fmt(out, "Memory: %lluK/%lluK available (%lluK kernel code, %lluK reserved, ",
		(unsigned long long)KB(avail),
		(unsigned long long)KB(info->present_pages),
		(unsigned long long)(code >> 10),
		(unsigned long long)KB(info->reserved_pages - cma));
	if (cma != 0)
		pmm_fmt(out, "%lluK cma-reserved, ", (unsigned long long)KB(cma));
	pmm_fmt(out, "%lluK init, %lluK highmem)\n",
		(unsigned long long)(init >> 10),
		(unsigned long long)KB(info->highmem_pages));
}

static void unusable_index_line(const struct pmm_out *out,
				const struct pmm_zone *z)
{
	uint64_t free = z->free_pages;
	pmm_fmt(out, "Node %d, zone %8s ", z->node, pmm_zone_name(z->type));
	for (int j = 0; j < PMM_NR_ORDERS; j++) {
		uint64_t suitable = 0;
		for (int k = j; k < PMM_NR_ORDERS; k++)
			suitable += z->free_area[k].nr_free << k;
		uint64_t milli = free ? ((free - suitable) * 1000u) / free : 0;
		pmm_fmt(out, "%llu.%03llu ", (unsigned long long)(milli / 1000u),
			(unsigned long long)(milli % 1000u));
	}
	pmm_fmt(out, "\n");
}

void pmm_report_unusable_index(const struct pmm_out *out)
{
	const struct pmm_zone *z;
	pmm_for_each_populated_zone(z)
		unusable_index_line(out, z);
}

static void json_memmap(const struct pmm_out *out, const struct pmm_memmap *m)
{
	char name[32];
	pmm_fmt(out, "\"memmap\":[");
	for (unsigned int i = 0; i < m->nr; i++) {
		const struct pmm_memmap_entry *e = &m->entry[i];
		pmm_fmt(out, "%s{\"start\":%llu,\"end\":%llu,\"type\":\"%s\",\"type_id\":%u}",
			i ? "," : "", (unsigned long long)e->start,
			(unsigned long long)e->end,
			pmm_mem_type_name(e->type, name, sizeof(name)), e->type);
	}
	pmm_fmt(out, "]");
}

static void json_nodes(const struct pmm_out *out)
{
	bool first = true;
	pmm_fmt(out, ",\"nodes\":[");
	for (int nid = 0; nid < PMM_MAX_NUMNODES; nid++) {
		const struct pmm_node *n = &pmm_nodes[nid];
		if (!n->online)
			continue;
		pmm_fmt(out, "%s{\"id\":%d,\"start_pfn\":%llu,\"end_pfn\":%llu}",
			first ? "" : ",", nid, (unsigned long long)n->start_pfn,
			(unsigned long long)n->end_pfn);
		first = false;
	}
	pmm_fmt(out, "]");
}

static void json_zone(const struct pmm_out *out, const struct pmm_zone *z)
{
	pmm_fmt(out,
		"{\"node\":%d,\"name\":\"%s\",\"start_pfn\":%llu,\"spanned\":%llu,"
		"\"present\":%llu,\"managed\":%llu,\"free\":%llu,\"min\":%llu,"
		"\"low\":%llu,\"high\":%llu,\"free_by_order\":[",
		z->node, pmm_zone_name(z->type), (unsigned long long)z->start_pfn,
		(unsigned long long)z->spanned, (unsigned long long)z->present,
		(unsigned long long)z->managed,
		(unsigned long long)(z->free_pages + zone_pcp_pages(z)),
		(unsigned long long)z->watermark[PMM_WMARK_MIN],
		(unsigned long long)z->watermark[PMM_WMARK_LOW],
		(unsigned long long)z->watermark[PMM_WMARK_HIGH]);
	for (int k = 0; k < PMM_NR_ORDERS; k++)
		pmm_fmt(out, "%s%llu", k ? "," : "",
			(unsigned long long)z->free_area[k].nr_free);
	pmm_fmt(out, "]}");
}

static void json_boot(const struct pmm_out *out, const struct pmm_memmap *m,
		      const struct pmm_boot_info *info)
{
	pmm_fmt(out,
		",\"boot\":{\"early\":\"%s\",\"present_pages\":%llu,"
		"\"reserved_pages\":%llu,\"memmap_pages\":%llu,"
		"\"handoff_pages\":%llu,\"bitmap_pages_freed\":%llu,"
		"\"highmem_pages_freed\":%llu,\"init_pages_freed\":%llu,"
		"\"dropped_bytes\":%llu,\"ignored_maps\":%u,\"handoff_ns\":%llu,"
		"\"max_pfn\":%llu,\"max_low_pfn\":%llu}",
		pmm_early_name(info->early), (unsigned long long)info->present_pages,
		(unsigned long long)info->reserved_pages,
		(unsigned long long)info->memmap_pages,
		(unsigned long long)info->handoff_pages,
		(unsigned long long)info->bitmap_pages_freed,
		(unsigned long long)info->highmem_pages_freed,
		(unsigned long long)info->init_pages_freed,
		(unsigned long long)info->dropped_bytes, m->ignored_maps,
		(unsigned long long)info->handoff_ns, (unsigned long long)info->max_pfn,
		(unsigned long long)info->max_low_pfn);
}

void pmm_report_json(const struct pmm_out *out, const struct pmm_memmap *m,
		     const struct pmm_boot_info *info)
{
	const struct pmm_zone *z;
	bool first = true;
	pmm_fmt(out, "{");
	json_memmap(out, m);
	json_nodes(out);
	pmm_fmt(out, ",\"zones\":[");
	pmm_for_each_populated_zone(z) {
		pmm_fmt(out, "%s", first ? "" : ",");
		json_zone(out, z);
		first = false;
	}
	pmm_fmt(out, "]");
	json_boot(out, m, info);
	pmm_fmt(out, "}\n");
}
