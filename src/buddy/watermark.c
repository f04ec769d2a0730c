/* SPDX-License-Identifier: MIT */
/*
 * watermark.c - Linux 6.1's zone watermarks, lowmem_reserve and
 * min_free_kbytes, computed over a table of zones (pmm/watermark.h).
 *
 * The rules, as Linux 6.1 applies them (read from its mm/page_alloc.c and
 * mm/khugepaged.c; written here from the formulas):
 *
 *   lowmem        = sum of managed pages of the zones that are not highmem
 *   min_free_kb   = clamp(isqrt(16 * KiB of free buffer pages), 128, 262144)
 *                   with free buffer pages = sum over zones up to Normal of
 *                   max(managed - high, 0), the highs of that moment
 *   THP:          min_free_kb >= 4 * pageblock_pages * populated zones up to
 *                   Normal * (2 + 3 * 3), at most free buffer pages / 20
 *   zone min      = pages_min * managed / lowmem (64-bit, truncated);
 *                   highmem: clamp(managed / 1024, 32, 128)
 *   gap           = max(pages_min * managed / lowmem / 4,
 *                       managed * scale_factor / 10000)
 *   low = min + gap, high = low + gap
 *   protection[j] of zone i (j > i) = sum of managed of zones i+1..j of the
 *                   same node / ratio[i]; 0 for all j when ratio[i] is 0 or
 *                   zone i has no managed pages
 */
#include <pmm/watermark.h>

#define PAGEBLOCK_PAGES 512u /* order-9 pageblocks of x86_64 */
#define MIGRATE_PCPTYPES 3u

void pmm_wmark_params_init(struct pmm_wmark_params *p)
{
	static const unsigned int ratio[] = { 256, 256, 32, 0, 0 };
	*p = (struct pmm_wmark_params){ .nr_zones = 5, .normal_idx = 2,
					.scale_factor = 10, .thp = true };
	for (unsigned int i = 0; i < 5; i++)
		p->reserve_ratio[i] = ratio[i];
}

void pmm_wmark_params_init_i386(struct pmm_wmark_params *p)
{
	static const unsigned int ratio[] = { 256, 32, 0, 0 };
	*p = (struct pmm_wmark_params){ .nr_zones = 4, .normal_idx = 1,
					.scale_factor = 10, .thp = true };
	for (unsigned int i = 0; i < 4; i++)
		p->reserve_ratio[i] = ratio[i];
}

static uint64_t isqrt64(uint64_t x)
{
	uint64_t r = 0;
	for (uint64_t bit = (uint64_t)1 << 62; bit; bit >>= 2) {
		if (x >= r + bit) {
			x -= r + bit;
			r = (r >> 1) + bit;
		} else {
			r >>= 1;
		}
	}
	return r;
}

/* Sum over zones up to Normal of managed - high (nr_free_buffer_pages). */
static uint64_t free_buffer_pages(const struct pmm_wmark_zone *z, unsigned int n,
				  const struct pmm_wmark_params *p)
{
	uint64_t sum = 0;
	for (unsigned int i = 0; i < n; i++)
		if (z[i].idx <= p->normal_idx && z[i].managed > z[i].high)
			sum += z[i].managed - z[i].high;
	return sum;
}

uint64_t pmm_wmark_min_free_kbytes(struct pmm_wmark_zone *z, unsigned int n,
				   const struct pmm_wmark_params *p)
{
	for (unsigned int i = 0; i < n; i++)
		z[i].high = 0; /* nothing set yet at the first computation */
	uint64_t kb = isqrt64(free_buffer_pages(z, n, p) * (PMM_PAGE_SIZE >> 10) * 16);
	kb = kb < 128 ? 128 : kb > 262144 ? 262144 : kb;
	if (!p->thp)
		return kb;
	pmm_wmark_compute(z, n, kb, p);
	uint64_t zones = 0;
	for (unsigned int i = 0; i < n; i++)
		zones += z[i].idx <= p->normal_idx && z[i].managed;
	uint64_t rec = PAGEBLOCK_PAGES * zones * (2 + MIGRATE_PCPTYPES * MIGRATE_PCPTYPES);
	uint64_t cap = free_buffer_pages(z, n, p) / 20;
	rec = (rec < cap ? rec : cap) << (PMM_PAGE_SHIFT - 10);
	return rec > kb ? rec : kb;
}

static void compute_marks(struct pmm_wmark_zone *z, unsigned int n,
			  uint64_t min_free_kbytes, const struct pmm_wmark_params *p)
{
	uint64_t pages_min = min_free_kbytes >> (PMM_PAGE_SHIFT - 10), lowmem = 0;
	for (unsigned int i = 0; i < n; i++)
		lowmem += z[i].highmem ? 0 : z[i].managed;
	for (unsigned int i = 0; i < n; i++) {
		uint64_t tmp = lowmem ? pages_min * z[i].managed / lowmem : 0;
		if (z[i].highmem) {
			uint64_t m = z[i].managed / 1024;
			z[i].min = m < 32 ? 32 : m > 128 ? 128 : m;
		} else {
			z[i].min = tmp;
		}
		uint64_t scaled = z[i].managed * p->scale_factor / 10000;
		uint64_t gap = (tmp >> 2) > scaled ? tmp >> 2 : scaled;
		z[i].low = z[i].min + gap;
		z[i].high = z[i].low + gap;
	}
}

/* lowmem_reserve of the zones of one node: @z[0..@n) by zone index. */
static void compute_protection(struct pmm_wmark_zone *z, unsigned int n,
			       const struct pmm_wmark_params *p)
{
	for (unsigned int i = 0; i < n; i++) {
		unsigned int ratio = z[i].idx < PMM_WMARK_MAX_ZONES ?
				     p->reserve_ratio[z[i].idx] : 0;
		bool clear = ratio == 0 || z[i].managed == 0;
		uint64_t above = 0;
		for (unsigned int k = 0; k < PMM_WMARK_MAX_ZONES; k++)
			z[i].protection[k] = 0;
		for (unsigned int j = i + 1; j < n; j++) {
			above += z[j].managed;
			if (z[j].idx < PMM_WMARK_MAX_ZONES)
				z[i].protection[z[j].idx] = clear ? 0 : above / ratio;
		}
	}
}

void pmm_wmark_compute(struct pmm_wmark_zone *z, unsigned int n,
		       uint64_t min_free_kbytes, const struct pmm_wmark_params *p)
{
	compute_marks(z, n, min_free_kbytes, p);
	for (unsigned int i = 0; i < n;) {
		unsigned int j = i;
		while (j < n && z[j].node == z[i].node)
			j++;
		compute_protection(z + i, j - i, p);
		i = j;
	}
}

/*
 * Linux's zone index of each pmm zone type: x86_64 has DMA, DMA32, Normal,
 * Movable (then Device, always empty here); i386 DMA, Normal, HighMem,
 * Movable. -1: the type does not exist in that layout. Linux 6.1 gives
 * the Movable zone its share of min_free_kbytes as a lowmem zone (a patch
 * to cap it like highmem was not taken), and so does pmm.
 */
static const int linux_idx_x86_64[PMM_NR_ZONES] = {
	[PMM_ZONE_DMA] = 0, [PMM_ZONE_DMA32] = 1, [PMM_ZONE_NORMAL] = 2,
	[PMM_ZONE_HIGHMEM] = -1, [PMM_ZONE_MOVABLE] = 3,
};
static const int linux_idx_i386[PMM_NR_ZONES] = {
	[PMM_ZONE_DMA] = 0, [PMM_ZONE_DMA32] = -1, [PMM_ZONE_NORMAL] = 1,
	[PMM_ZONE_HIGHMEM] = 2, [PMM_ZONE_MOVABLE] = 3,
};

/* Return: true when the zones are laid out as x86_64's (a DMA32 zone exists). */
static bool layout_is_x86_64(void)
{
	for (int nid = 0; nid < PMM_MAX_NUMNODES; nid++)
		if (pmm_nodes[nid].online && pmm_nodes[nid].zones[PMM_ZONE_DMA32].initialized)
			return true;
	return false;
}

/* The pmm zone of @node at Linux index @idx, or NULL (an empty Linux zone). */
static struct pmm_zone *zone_at(struct pmm_node *node, const int *map, unsigned int idx)
{
	for (int t = 0; t < PMM_NR_ZONES; t++)
		if (map[t] == (int)idx && node->zones[t].initialized)
			return &node->zones[t];
	return NULL;
}

/* One row per Linux zone of every online node; @owner[i] its pmm zone or NULL. */
static unsigned int fill_table(struct pmm_wmark_zone *z, struct pmm_zone **owner,
			       const struct pmm_wmark_params *p, const int *map)
{
	unsigned int n = 0;
	for (int nid = 0; nid < PMM_MAX_NUMNODES; nid++) {
		if (!pmm_nodes[nid].online)
			continue;
		for (unsigned int idx = 0; idx < p->nr_zones; idx++, n++) {
			struct pmm_zone *zone = zone_at(&pmm_nodes[nid], map, idx);
			owner[n] = zone;
			z[n] = (struct pmm_wmark_zone){
				.node = nid, .idx = idx,
				.highmem = zone && zone->type == PMM_ZONE_HIGHMEM,
				.managed = zone ? zone->managed : 0,
			};
		}
	}
	return n;
}

static void zone_take_marks(struct pmm_zone *zone, const struct pmm_wmark_zone *w,
			    unsigned int nr_zones)
{
	pmm_zone_set_watermarks(zone, w->min, w->low, w->high);
	for (unsigned int k = 0; k < PMM_WMARK_MAX_ZONES; k++)
		zone->protection[k] = k < nr_zones ? w->protection[k] : 0;
	zone->nr_protection = nr_zones;
}

void pmm_zones_setup_watermarks(void)
{
	static struct pmm_wmark_zone table[PMM_MAX_NUMNODES * PMM_WMARK_MAX_ZONES];
	static struct pmm_zone *owner[PMM_MAX_NUMNODES * PMM_WMARK_MAX_ZONES];
	struct pmm_wmark_params p;
	bool x86_64 = layout_is_x86_64();

	if (x86_64)
		pmm_wmark_params_init(&p);
	else
		pmm_wmark_params_init_i386(&p);
	p.thp = false; /* pmm runs no khugepaged to raise min_free_kbytes */
	unsigned int n = fill_table(table, owner, &p,
				    x86_64 ? linux_idx_x86_64 : linux_idx_i386);
	uint64_t kb = pmm_wmark_min_free_kbytes(table, n, &p);
	pmm_wmark_compute(table, n, kb, &p);
	for (unsigned int i = 0; i < n; i++)
		if (owner[i])
			zone_take_marks(owner[i], &table[i], p.nr_zones);
}
