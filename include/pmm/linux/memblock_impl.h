/* SPDX-License-Identifier: MIT */
/*
 * pmm/linux/memblock_impl.h - the definitions behind <pmm/linux/memblock.h>.
 *
 * Included once, by <pmm/linux/memblock.h> in the translation unit that
 * defines PMM_LINUX_MEMBLOCK_IMPL (the one that replaces mm/memblock.c).
 * Each Linux entry point converts Linux's conventions into pmm's and calls
 * pmm_memblock_*():
 *   - a size of 0 is a successful no-op and a range that would wrap is cut
 *     at the top of the address space (pmm calls those errors);
 *   - errors come back as -ENOMEM, allocation failures as 0 or NULL;
 *   - an alignment of 0 means SMP_CACHE_BYTES;
 *   - node ids: MAX_NUMNODES marks "no node"; without CONFIG_NUMA every
 *     region reads as node 0;
 *   - the environment's movable_node_is_enabled() and mirrored_kernelcore
 *     are consulted as Linux's memblock does; its phys_to_virt() becomes
 *     the map() hook of the installed pmm platform (pmm_linux_env()), the
 *     one way pmm touches memory.
 * Handing pages to the page allocator (memblock_free_all(),
 * memblock_free_late()) goes through the environment's
 * memblock_free_pages(), as in Linux.
 */
#ifndef PMM_LINUX_MEMBLOCK_IMPL_H
#define PMM_LINUX_MEMBLOCK_IMPL_H

#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/kmemleak.h>
#include <linux/memory_hotplug.h>
#include <linux/printk.h>
#include <linux/string.h>

unsigned long max_low_pfn;
unsigned long min_low_pfn;
unsigned long max_pfn;
unsigned long long max_possible_pfn;

#ifndef CONFIG_NUMA
struct pglist_data __refdata contig_page_data;
#endif

/*
 * The platform map() of this environment: physical memory is reached
 * through phys_to_virt(), the same address every time, linear over any
 * range (what pmm/platform.h asks of map()).
 */
static void *pmm_linux_phys_map(void *ctx, pmm_phys_t pa, size_t size,
				bool *zeroed)
{
	(void)ctx;
	(void)size;
	*zeroed = false;
	return phys_to_virt((unsigned long)pa);
}

/*
 * Tell pmm about this environment; cheap enough to do on every call. The
 * environment reaches pmm only through the platform (pmm/platform.h): the
 * installed one keeps its other hooks and gains phys_to_virt() as map().
 * movable_node_is_enabled() is a policy, handed over as one.
 */
static void pmm_linux_env(void)
{
	if (pmm_platform_get()->map != pmm_linux_phys_map) {
		struct pmm_platform p = *pmm_platform_get();

		p.map = pmm_linux_phys_map;
		pmm_platform_set(&p);
	}
	pmm_memblock_set_movable_node(movable_node_is_enabled());
	memblock.nid_none = MAX_NUMNODES;
#ifdef CONFIG_NUMA
	memblock.single_node = false;
#else
	memblock.single_node = true;
#endif
}

static int pmm_linux_errno(int err)
{
	return err ? -ENOMEM : 0;
}

/* Linux's size rule: the range may not run past the top. */
static phys_addr_t pmm_linux_cap(phys_addr_t base, phys_addr_t size)
{
	return size < PHYS_ADDR_MAX - base ? size : PHYS_ADDR_MAX - base;
}

static int pmm_linux_nid(int nid)
{
#ifdef CONFIG_NUMA
	return nid;
#else
	(void)nid;
	return 0;
#endif
}

void __init memblock_allow_resize(void)
{
	pmm_linux_env();
	pmm_memblock_allow_resize();
}

int __init_memblock memblock_add_node(phys_addr_t base, phys_addr_t size,
				      int nid, enum memblock_flags flags)
{
	pmm_linux_env();
	size = pmm_linux_cap(base, size);
	if (!size)
		return 0;
	return pmm_linux_errno(pmm_memblock_add_node(base, size,
						     pmm_linux_nid(nid),
						     flags));
}

int __init_memblock memblock_add(phys_addr_t base, phys_addr_t size)
{
	pmm_linux_env();
	size = pmm_linux_cap(base, size);
	if (!size)
		return 0;
	return pmm_linux_errno(pmm_memblock_add(base, size));
}

int __init_memblock memblock_remove(phys_addr_t base, phys_addr_t size)
{
	pmm_linux_env();
	size = pmm_linux_cap(base, size);
	if (!size)
		return 0;
	return pmm_linux_errno(pmm_memblock_remove(base, size));
}

int __init_memblock memblock_phys_free(phys_addr_t base, phys_addr_t size)
{
	pmm_linux_env();
	kmemleak_free_part_phys(base, size);
	size = pmm_linux_cap(base, size);
	if (!size)
		return 0;
	return pmm_linux_errno(pmm_memblock_free(base, size));
}

void __init_memblock memblock_free(void *ptr, size_t size)
{
	if (ptr)
		memblock_phys_free(__pa(ptr), size);
}

int __init_memblock memblock_reserve(phys_addr_t base, phys_addr_t size)
{
	pmm_linux_env();
	size = pmm_linux_cap(base, size);
	if (!size)
		return 0;
	return pmm_linux_errno(pmm_memblock_reserve(base, size));
}

#ifdef CONFIG_HAVE_MEMBLOCK_PHYS_MAP
static struct memblock_region pmm_linux_physmem_regions[INIT_PHYSMEM_REGIONS];

struct memblock_type physmem = {
	.regions = pmm_linux_physmem_regions,
	.cnt = 1,
	.max = INIT_PHYSMEM_REGIONS,
	.name = "physmem",
};

int __init_memblock memblock_physmem_add(phys_addr_t base, phys_addr_t size)
{
	pmm_linux_env();
	size = pmm_linux_cap(base, size);
	if (!size)
		return 0;
	return pmm_linux_errno(pmm_memblock_add_range(&physmem, base, size,
						      MAX_NUMNODES,
						      MEMBLOCK_NONE));
}
#endif

static int pmm_linux_setclr(phys_addr_t base, phys_addr_t size,
			    enum memblock_flags flag, bool set)
{
	pmm_linux_env();
	size = pmm_linux_cap(base, size);
	if (!size)
		return 0;
	return pmm_linux_errno(pmm_memblock_setclr_flag(base, size, flag, set));
}

int __init_memblock memblock_mark_hotplug(phys_addr_t base, phys_addr_t size)
{
	return pmm_linux_setclr(base, size, MEMBLOCK_HOTPLUG, true);
}

int __init_memblock memblock_clear_hotplug(phys_addr_t base, phys_addr_t size)
{
	return pmm_linux_setclr(base, size, MEMBLOCK_HOTPLUG, false);
}

int __init_memblock memblock_mark_mirror(phys_addr_t base, phys_addr_t size)
{
	int err;

	if (!mirrored_kernelcore)
		return 0;
	pmm_linux_env();
	size = pmm_linux_cap(base, size);
	memblock.has_mirror = true;
	if (!size)
		return 0;
	err = pmm_memblock_mark_mirror(base, size);
	return pmm_linux_errno(err);
}

int __init_memblock memblock_mark_nomap(phys_addr_t base, phys_addr_t size)
{
	return pmm_linux_setclr(base, size, MEMBLOCK_NOMAP, true);
}

int __init_memblock memblock_clear_nomap(phys_addr_t base, phys_addr_t size)
{
	return pmm_linux_setclr(base, size, MEMBLOCK_NOMAP, false);
}

int __init_memblock memblock_set_node(phys_addr_t base, phys_addr_t size,
				      struct memblock_type *type, int nid)
{
#ifdef CONFIG_NUMA
	pmm_linux_env();
	size = pmm_linux_cap(base, size);
	if (!size)
		return 0;
	return pmm_linux_errno(pmm_memblock_set_node(base, size, type, nid));
#else
	(void)base;
	(void)size;
	(void)type;
	(void)nid;
	return 0;
#endif
}

void __init_memblock memblock_trim_memory(phys_addr_t align)
{
	pmm_linux_env();
	pmm_memblock_trim_memory(align);
}

unsigned long __init_memblock memblock_addrs_overlap(phys_addr_t base1,
						     phys_addr_t size1,
						     phys_addr_t base2,
						     phys_addr_t size2)
{
	return pmm_memblock_addrs_overlap(base1, size1, base2, size2);
}

bool __init_memblock memblock_overlaps_region(struct memblock_type *type,
					      phys_addr_t base,
					      phys_addr_t size)
{
	return pmm_memblock_overlaps_region(type, base, size);
}

void __next_mem_range(u64 *idx, int nid, enum memblock_flags flags,
		      struct memblock_type *type_a,
		      struct memblock_type *type_b, phys_addr_t *out_start,
		      phys_addr_t *out_end, int *out_nid)
{
	uint64_t i = *idx;
	pmm_phys_t s = 0, e = 0;

	pmm_linux_env();
	pmm_memblock_next_range(&i, nid, flags, type_a, type_b, &s, &e,
				out_nid);
	*idx = i;
	if (i == UINT64_MAX)
		return;
	if (out_start)
		*out_start = s;
	if (out_end)
		*out_end = e;
}

void __init_memblock __next_mem_range_rev(u64 *idx, int nid,
					  enum memblock_flags flags,
					  struct memblock_type *type_a,
					  struct memblock_type *type_b,
					  phys_addr_t *out_start,
					  phys_addr_t *out_end, int *out_nid)
{
	uint64_t i = *idx;
	pmm_phys_t s = 0, e = 0;

	pmm_linux_env();
	pmm_memblock_next_range_rev(&i, nid, flags, type_a, type_b, &s, &e,
				    out_nid);
	*idx = i;
	if (i == UINT64_MAX)
		return;
	if (out_start)
		*out_start = s;
	if (out_end)
		*out_end = e;
}

void __init_memblock __next_mem_pfn_range(int *idx, int nid,
					  unsigned long *out_start_pfn,
					  unsigned long *out_end_pfn,
					  int *out_nid)
{
	pmm_pfn_t s = 0, e = 0;

	pmm_linux_env();
	pmm_memblock_next_pfn_range(idx, nid, &s, &e, out_nid);
	if (*idx < 0)
		return;
	if (out_start_pfn)
		*out_start_pfn = (unsigned long)s;
	if (out_end_pfn)
		*out_end_pfn = (unsigned long)e;
}

int __init_memblock memblock_search_pfn_nid(unsigned long pfn,
					    unsigned long *start_pfn,
					    unsigned long *end_pfn)
{
	pmm_pfn_t s, e;
	int nid;

	pmm_linux_env();
	nid = pmm_memblock_search_pfn_nid(pfn, &s, &e);
	if (nid == -1)
		return -1;
	*start_pfn = (unsigned long)s;
	*end_pfn = (unsigned long)e;
	return nid;
}

phys_addr_t __init memblock_alloc_range_nid(phys_addr_t size,
					    phys_addr_t align,
					    phys_addr_t start, phys_addr_t end,
					    int nid, bool exact_nid)
{
	pmm_phys_t found;

	pmm_linux_env();
	if (!align)
		align = SMP_CACHE_BYTES;
	if (pmm_memblock_alloc_range_nid(size, align, start, end, nid,
					 exact_nid, &found))
		return 0;
	if (end != MEMBLOCK_ALLOC_NOLEAKTRACE)
		kmemleak_alloc_phys(found, size, 0);
	return found;
}

phys_addr_t __init memblock_phys_alloc_range(phys_addr_t size,
					     phys_addr_t align,
					     phys_addr_t start,
					     phys_addr_t end)
{
	return memblock_alloc_range_nid(size, align, start, end, NUMA_NO_NODE,
					false);
}

phys_addr_t __init memblock_phys_alloc_try_nid(phys_addr_t size,
					       phys_addr_t align, int nid)
{
	return memblock_alloc_range_nid(size, align, 0,
					MEMBLOCK_ALLOC_ACCESSIBLE, nid, false);
}

static void *pmm_linux_alloc(phys_addr_t size, phys_addr_t align,
			     phys_addr_t min_addr, phys_addr_t max_addr,
			     int nid, unsigned int opts)
{
	pmm_phys_t found;

	pmm_linux_env();
	if (!align)
		align = SMP_CACHE_BYTES;
	if (pmm_memblock_alloc(size, align, min_addr, max_addr, nid, opts,
			       &found))
		return NULL;
	if (max_addr != MEMBLOCK_ALLOC_NOLEAKTRACE)
		kmemleak_alloc_phys(found, size, 0);
	return phys_to_virt(found);
}

void * __init memblock_alloc_exact_nid_raw(phys_addr_t size, phys_addr_t align,
					   phys_addr_t min_addr,
					   phys_addr_t max_addr, int nid)
{
	return pmm_linux_alloc(size, align, min_addr, max_addr, nid,
			       PMM_MEMBLOCK_ALLOC_RAW |
			       PMM_MEMBLOCK_ALLOC_EXACT_NID);
}

void * __init memblock_alloc_try_nid_raw(phys_addr_t size, phys_addr_t align,
					 phys_addr_t min_addr,
					 phys_addr_t max_addr, int nid)
{
	return pmm_linux_alloc(size, align, min_addr, max_addr, nid,
			       PMM_MEMBLOCK_ALLOC_RAW);
}

void * __init memblock_alloc_try_nid(phys_addr_t size, phys_addr_t align,
				     phys_addr_t min_addr,
				     phys_addr_t max_addr, int nid)
{
	return pmm_linux_alloc(size, align, min_addr, max_addr, nid, 0);
}

void __init memblock_free_late(phys_addr_t base, phys_addr_t size)
{
	unsigned long pfn, end;

	kmemleak_free_part_phys(base, size);
	for (pfn = PFN_UP(base), end = PFN_DOWN(base + size); pfn < end;
	     pfn++) {
		memblock_free_pages(pfn_to_page(pfn), pfn, 0);
		totalram_pages_inc();
	}
}

phys_addr_t __init_memblock memblock_phys_mem_size(void)
{
	return pmm_memblock_phys_mem_size();
}

phys_addr_t __init_memblock memblock_reserved_size(void)
{
	return pmm_memblock_reserved_size();
}

phys_addr_t __init_memblock memblock_start_of_DRAM(void)
{
	return pmm_memblock_start_of_dram();
}

phys_addr_t __init_memblock memblock_end_of_DRAM(void)
{
	return pmm_memblock_end_of_dram();
}

/* The address below which @limit bytes of memory lie; PHYS_ADDR_MAX if
 * there is not that much memory. */
static phys_addr_t pmm_linux_limit_addr(phys_addr_t limit)
{
	struct memblock_region *r;

	for_each_mem_region(r) {
		if (limit <= r->size)
			return r->base + limit;
		limit -= r->size;
	}
	return PHYS_ADDR_MAX;
}

void __init memblock_enforce_memory_limit(phys_addr_t limit)
{
	phys_addr_t max_addr;

	pmm_linux_env();
	if (!limit)
		return;
	max_addr = pmm_linux_limit_addr(limit);
	if (max_addr == PHYS_ADDR_MAX)
		return;
	pmm_memblock_remove_range(&memblock.memory, max_addr,
				  PHYS_ADDR_MAX - max_addr);
	pmm_memblock_remove_range(&memblock.reserved, max_addr,
				  PHYS_ADDR_MAX - max_addr);
}

void __init memblock_cap_memory_range(phys_addr_t base, phys_addr_t size)
{
	phys_addr_t end;
	unsigned long i;

	pmm_linux_env();
	if (!size)
		return;
	if (!memblock.memory.total_size) {
		pr_warn("%s: No memory registered yet\n", __func__);
		return;
	}
	end = base + pmm_linux_cap(base, size);
	/* drop mapped memory outside [base, end), top down: no splits */
	for (i = memblock.memory.cnt; i-- > 0;) {
		struct memblock_region *r = &memblock.memory.regions[i];
		phys_addr_t rb = r->base, re = r->base + r->size;

		if (memblock_is_nomap(r) || r->size == 0)
			continue;
		if (re > end)
			pmm_memblock_remove_range(&memblock.memory,
						  rb > end ? rb : end,
						  re - (rb > end ? rb : end));
		if (rb < base)
			pmm_memblock_remove_range(&memblock.memory, rb,
						  (re < base ? re : base) - rb);
	}
	if (base)
		pmm_memblock_remove_range(&memblock.reserved, 0, base);
	if (end < PHYS_ADDR_MAX)
		pmm_memblock_remove_range(&memblock.reserved, end,
					  PHYS_ADDR_MAX - end);
}

void __init memblock_mem_limit_remove_map(phys_addr_t limit)
{
	phys_addr_t max_addr;

	if (!limit)
		return;
	max_addr = pmm_linux_limit_addr(limit);
	if (max_addr == PHYS_ADDR_MAX)
		return;
	memblock_cap_memory_range(0, max_addr);
}

bool __init_memblock memblock_is_memory(phys_addr_t addr)
{
	return pmm_memblock_is_memory(addr);
}

bool __init_memblock memblock_is_map_memory(phys_addr_t addr)
{
	return pmm_memblock_is_map_memory(addr);
}

bool __init_memblock memblock_is_region_memory(phys_addr_t base,
					       phys_addr_t size)
{
	return pmm_memblock_is_region_memory(base, size);
}

bool __init_memblock memblock_is_reserved(phys_addr_t addr)
{
	return pmm_memblock_is_reserved(addr);
}

bool __init_memblock memblock_is_region_reserved(phys_addr_t base,
						 phys_addr_t size)
{
	return pmm_memblock_is_region_reserved(base, size);
}

void __init_memblock memblock_dump_all(void)
{
	pmm_linux_env();
	pmm_memblock_dump_all();
}

void __init_memblock memblock_set_current_limit(phys_addr_t limit)
{
	pmm_memblock_set_current_limit(limit);
}

phys_addr_t __init_memblock memblock_get_current_limit(void)
{
	return pmm_memblock_get_current_limit();
}

#ifndef CONFIG_ARCH_KEEP_MEMBLOCK
static void pmm_linux_discard(struct memblock_type *type)
{
	pmm_phys_t pa = pmm_memblock_array_phys(type);

	if (pa)
		memblock_free_late(pa, PAGE_ALIGN(type->max *
						  sizeof(struct memblock_region)));
}

void __init memblock_discard(void)
{
	pmm_linux_discard(&memblock.reserved);
	pmm_linux_discard(&memblock.memory);
}
#endif

static int __init pmm_linux_early_memblock(char *p)
{
	if (p && strstr(p, "debug"))
		pmm_memblock_set_debug(true);
	return 0;
}
early_param("memblock", pmm_linux_early_memblock);

void reset_node_managed_pages(pg_data_t *pgdat)
{
	struct zone *z;

	for (z = pgdat->node_zones; z < pgdat->node_zones + MAX_NR_ZONES; z++)
		atomic_long_set(&z->managed_pages, 0);
}

void __init reset_all_zones_managed_pages(void)
{
	static int done;
	struct pglist_data *pgdat;

	if (done)
		return;
	for_each_online_pgdat(pgdat)
		reset_node_managed_pages(pgdat);
	done = 1;
}

/* Give pfns [@start, @end) to the page allocator in aligned blocks. */
static void __init pmm_linux_free_pfns(unsigned long start, unsigned long end)
{
	while (start < end) {
		unsigned int order = 0;

		while (order + 1 < MAX_ORDER &&
		       !(start & ((2UL << order) - 1)) &&
		       start + (2UL << order) <= end)
			order++;
		memblock_free_pages(pfn_to_page(start), start, order);
		start += 1UL << order;
	}
}

void __init memblock_free_all(void)
{
	struct memblock_region *r;
	unsigned long pages = 0;
	phys_addr_t start, end;
	u64 i;

	reset_all_zones_managed_pages();
	memblock_clear_hotplug(0, -1);
	for_each_reserved_mem_range(i, &start, &end)
		reserve_bootmem_region(start, end);
	for_each_mem_region(r)
		if (memblock_is_nomap(r))
			reserve_bootmem_region(r->base, r->base + r->size);
	for_each_free_mem_range(i, NUMA_NO_NODE, MEMBLOCK_NONE, &start, &end,
				NULL) {
		unsigned long s = PFN_UP(start);
		unsigned long e = PFN_DOWN(end);

		if (e > max_low_pfn)
			e = max_low_pfn;
		if (s >= e)
			continue;
		pmm_linux_free_pfns(s, e);
		pages += e - s;
	}
	totalram_pages_add((long)pages);
}

#endif /* PMM_LINUX_MEMBLOCK_IMPL_H */
