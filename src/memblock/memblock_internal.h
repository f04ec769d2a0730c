/* SPDX-License-Identifier: MIT */
/*
 * memblock_internal.h - what the memblock files share and nobody else
 * needs: region helpers, the finder, the debug log.
 */
#ifndef PMM_MEMBLOCK_INTERNAL_H
#define PMM_MEMBLOCK_INTERNAL_H

#include <pmm/fmt.h>
#include <pmm/memblock.h>

/* Node of @r as Linux's memblock_get_region_node() reads it. */
static inline int mb_region_nid(const struct pmm_memblock_region *r)
{
	return pmm_memblock.single_node ? 0 : r->nid;
}

static inline pmm_phys_t mb_region_end(const struct pmm_memblock_region *r)
{
	return r->base + r->size;
}

static inline pmm_phys_t mb_min(pmm_phys_t a, pmm_phys_t b)
{
	return a < b ? a : b;
}

static inline pmm_phys_t mb_max(pmm_phys_t a, pmm_phys_t b)
{
	return a > b ? a : b;
}

/* Clamp @size so that @base + @size does not wrap (Linux's cap_size). */
static inline uint64_t mb_cap_size(pmm_phys_t base, uint64_t size)
{
	return mb_min(size, PMM_PHYS_ADDR_MAX - base);
}

/* Return: 0, PMM_EINVAL for size 0, PMM_EOVERFLOW when the range wraps. */
static inline int mb_check_range(pmm_phys_t base, uint64_t size)
{
	if (size == 0)
		return PMM_EINVAL;
	if (size > PMM_PHYS_ADDR_MAX - base)
		return PMM_EOVERFLOW;
	return PMM_OK;
}

static inline bool mb_is_pow2(uint64_t x)
{
	return x != 0 && (x & (x - 1)) == 0;
}

/* The flags allocations start with: MIRROR once any mirror exists. */
static inline unsigned int mb_alloc_flags(void)
{
	return pmm_memblock.has_mirror ? PMM_MEMBLOCK_MIRROR : PMM_MEMBLOCK_NONE;
}

/* True while allocations must skip HOTPLUG memory. */
static inline bool mb_movable_node(void)
{
	return pmm_memblock.movable_node;
}

/*
 * Insert into @type, growing its array only if @may_grow (no checks of the
 * range: callers did them). Return: 0, PMM_EFULL, PMM_ENOMEM.
 */
int pmm_memblock_add_range_grow(struct pmm_memblock_type *type,
				pmm_phys_t base, uint64_t size, int nid,
				enum pmm_memblock_flags flags, bool may_grow);
/* Remove from @type, as above. Return: 0, PMM_EFULL, PMM_ENOMEM. */
int pmm_memblock_remove_range_grow(struct pmm_memblock_type *type,
				   pmm_phys_t base, uint64_t size,
				   bool may_grow);

/*
 * Find @size free bytes aligned to @align in [@start, @end) on @nid with
 * @flags, in the configured direction, never in the first page.
 * Return: the address, or 0 when nothing fits.
 */
pmm_phys_t pmm_memblock_find_node(uint64_t size, uint64_t align,
				  pmm_phys_t start, pmm_phys_t end, int nid,
				  unsigned int flags);
/* As above on any node, retrying without MIRROR (with a warning). */
pmm_phys_t pmm_memblock_find(pmm_phys_t start, pmm_phys_t end,
			     uint64_t size, uint64_t align);

/* A debug line "@what: [base-last] @caller" while debug is on. */
void pmm_memblock_dbg_range(const char *what, pmm_phys_t base,
			    uint64_t size, const char *caller);
/* Formatted debug text while debug is on. */
void pmm_memblock_dbg(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

#endif /* PMM_MEMBLOCK_INTERNAL_H */
