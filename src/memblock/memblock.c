/* SPDX-License-Identifier: MIT */
/*
 * memblock.c - the region arrays of the range-based early allocator.
 *
 * Owns the "memory" and "reserved" arrays: adding, removing, splitting at a
 * range's ends (isolation), merging equal neighbours, flags and nodes,
 * doubling a full array into memory taken from memblock itself, and the
 * consistency check. Data comes from the boot code (firmware map,
 * reservations); the read-only queries are in memblock_query.c, allocation
 * in memblock_alloc.c, the hand-off to the buddy allocator in
 * memblock_handoff.c, iteration in memblock_iter.c, text in memblock_dump.c.
 *
 * Locking: none (boot CPU only, see pmm/memblock.h).
 */
#include "../base/assert.h"
#include "memblock_internal.h"

static struct pmm_memblock_region memory_init[PMM_INIT_MEMBLOCK_REGIONS];
static struct pmm_memblock_region reserved_init[PMM_INIT_MEMBLOCK_REGIONS];

/* Physical homes of the arrays once doubled; 0 while static. */
static pmm_phys_t memory_array_phys;
static pmm_phys_t reserved_array_phys;

/* Updates of the arrays, counted for PMM_VALIDATE_DUE (level 3). */
static unsigned int validate_ops;

struct pmm_memblock pmm_memblock = {
	.bottom_up = false,
	.current_limit = PMM_MEMBLOCK_ALLOC_ANYWHERE,
	.memory = { .cnt = 1, .max = PMM_INIT_MEMBLOCK_REGIONS,
		    .regions = memory_init, .name = "memory" },
	.reserved = { .cnt = 1, .max = PMM_INIT_MEMBLOCK_REGIONS,
		      .regions = reserved_init, .name = "reserved" },
	.nid_none = PMM_MAX_NUMNODES,
};

_Static_assert(PMM_INIT_MEMBLOCK_REGIONS >= 4,
	       "PMM_INIT_MEMBLOCK_REGIONS must leave room to split");

void pmm_memblock_reset(void)
{
	pmm_memset(memory_init, 0, sizeof(memory_init));
	pmm_memset(reserved_init, 0, sizeof(reserved_init));
	pmm_memset(&pmm_memblock, 0, sizeof(pmm_memblock));
	pmm_memblock.current_limit = PMM_MEMBLOCK_ALLOC_ANYWHERE;
	pmm_memblock.memory.cnt = 1;
	pmm_memblock.memory.max = PMM_INIT_MEMBLOCK_REGIONS;
	pmm_memblock.memory.regions = memory_init;
	pmm_memblock.memory.name = "memory";
	pmm_memblock.reserved.cnt = 1;
	pmm_memblock.reserved.max = PMM_INIT_MEMBLOCK_REGIONS;
	pmm_memblock.reserved.regions = reserved_init;
	pmm_memblock.reserved.name = "reserved";
	pmm_memblock.nid_none = PMM_MAX_NUMNODES;
	memory_array_phys = 0;
	reserved_array_phys = 0;
	validate_ops = 0;
}

void pmm_memblock_allow_resize(void) { pmm_memblock.can_resize = true; }
void pmm_memblock_set_debug(bool on) { pmm_memblock.debug = on; }
void pmm_memblock_set_movable_node(bool on) { pmm_memblock.movable_node = on; }
void pmm_memblock_set_bottom_up(bool on) { pmm_memblock.bottom_up = on; }
bool pmm_memblock_bottom_up(void) { return pmm_memblock.bottom_up; }
void pmm_memblock_set_current_limit(pmm_phys_t limit) { pmm_memblock.current_limit = limit; }
pmm_phys_t pmm_memblock_get_current_limit(void) { return pmm_memblock.current_limit; }

pmm_phys_t pmm_memblock_array_phys(const struct pmm_memblock_type *type)
{
	if (type == &pmm_memblock.memory)
		return memory_array_phys;
	if (type == &pmm_memblock.reserved)
		return reserved_array_phys;
	return 0;
}

/*
 * Level 2: @type has room for its entries, and entry @idx is in order with
 * its neighbours (each ends at or before the next one's base).
 */
static void assert_in_order(const struct pmm_memblock_type *type,
			    unsigned long idx)
{
	const struct pmm_memblock_region *r = type->regions;

	PMM_ASSERT(type->cnt >= 1 && type->cnt <= type->max,
		   "%s: cnt %lu, max %lu", type->name, type->cnt, type->max);
	PMM_ASSERT(idx == 0 || idx >= type->cnt ||
		   mb_region_end(&r[idx - 1]) <= r[idx].base,
		   "%s[%lu] ends at 0x%llx past [%lu].base 0x%llx", type->name,
		   idx - 1, (unsigned long long)mb_region_end(&r[idx - 1]), idx,
		   (unsigned long long)r[idx].base);
	PMM_ASSERT(idx + 1 >= type->cnt || mb_region_end(&r[idx]) <= r[idx + 1].base,
		   "%s[%lu] ends at 0x%llx past [%lu].base 0x%llx", type->name,
		   idx, (unsigned long long)mb_region_end(&r[idx]), idx + 1,
		   (unsigned long long)r[idx + 1].base);
}

/*
 * Level 3: on every PMM_VALIDATE_EVERY-th update, prove both arrays with
 * pmm_memblock_check() and stop (pmm_assert_fail()) on a violation.
 * Called by each public update once it is complete.
 */
static void validate_due(const char *func)
{
	if (PMM_VALIDATE_DUE(validate_ops)) {
		const char *why = pmm_memblock_check();

		if (why)
			pmm_assert_fail(func, "pmm_memblock_check() == NULL",
					"%s", why);
	}
}

/* Open a hole at @idx and fill it; the array has room (checked by callers). */
static void insert_region(struct pmm_memblock_type *type, unsigned long idx,
			  pmm_phys_t base, uint64_t size, int nid,
			  enum pmm_memblock_flags flags)
{
	struct pmm_memblock_region *r = &type->regions[idx];

	for (unsigned long i = type->cnt; i > idx; i--)
		type->regions[i] = type->regions[i - 1];
	r->base = base;
	r->size = size;
	r->flags = flags;
	r->nid = nid;
	type->cnt++;
	type->total_size += size;
	assert_in_order(type, idx);
}

/* Drop entry @idx; an emptied type keeps one zero-size entry. */
static void remove_region(struct pmm_memblock_type *type, unsigned long idx)
{
	type->total_size -= type->regions[idx].size;
	for (unsigned long i = idx; i + 1 < type->cnt; i++)
		type->regions[i] = type->regions[i + 1];
	type->cnt--;
	if (type->cnt > 0) {
		assert_in_order(type, idx);
		return;
	}
	type->cnt = 1;
	type->regions[0].base = 0;
	type->regions[0].size = 0;
	type->regions[0].flags = PMM_MEMBLOCK_NONE;
	type->regions[0].nid = pmm_memblock.nid_none;
}

/* Merge every pair of touching neighbours with equal node and flags. */
static void merge_regions(struct pmm_memblock_type *type)
{
	unsigned long i = 0;

	while (i + 1 < type->cnt) {
		struct pmm_memblock_region *this = &type->regions[i];
		struct pmm_memblock_region *next = &type->regions[i + 1];

		if (mb_region_end(this) > next->base)
			pmm_bug(PMM_ECORRUPT, __func__,
				   "%s[%lu] ends at 0x%llx past next base 0x%llx",
				   type->name, i,
				   (unsigned long long)mb_region_end(this),
				   (unsigned long long)next->base);
		if (mb_region_end(this) != next->base ||
		    mb_region_nid(this) != mb_region_nid(next) ||
		    this->flags != next->flags) {
			i++;
			continue;
		}
		this->size += next->size;
		for (unsigned long j = i + 1; j + 1 < type->cnt; j++)
			type->regions[j] = type->regions[j + 1];
		type->cnt--;
	}
}

/*
 * double_array - give @type an array twice as large, taken from free memory
 * (outside [@avoid_base, @avoid_base + @avoid_size) when doubling
 * "reserved"), reserved, and written through pmm_phys_map().
 * Return: 0, PMM_ENOMEM (no room or memory cannot be mapped).
 * Context: "reserved" has room for the reservation and the old array's
 * release (see grow_array()).
 */
static int double_array(struct pmm_memblock_type *type, pmm_phys_t avoid_base,
			uint64_t avoid_size)
{
	size_t old_bytes = type->max * sizeof(struct pmm_memblock_region);
	size_t new_bytes = old_bytes * 2;
	uint64_t old_alloc = (old_bytes + PMM_PAGE_SIZE - 1) & PMM_PAGE_MASK;
	uint64_t new_alloc = (new_bytes + PMM_PAGE_SIZE - 1) & PMM_PAGE_MASK;
	pmm_phys_t *home = type == &pmm_memblock.memory ? &memory_array_phys
					       : &reserved_array_phys;
	struct pmm_memblock_region *old = type->regions;
	struct pmm_memblock_region *fresh;
	pmm_phys_t old_phys = *home;
	pmm_phys_t addr;
	int err;

	if (type != &pmm_memblock.reserved)
		avoid_base = avoid_size = 0;
	addr = pmm_memblock_find(avoid_base + avoid_size, pmm_memblock.current_limit,
				 new_alloc, PMM_PAGE_SIZE);
	if (!addr && avoid_size)
		addr = pmm_memblock_find(0, mb_min(avoid_base, pmm_memblock.current_limit),
					 new_alloc, PMM_PAGE_SIZE);
	fresh = addr ? pmm_phys_map(addr, (size_t)new_alloc, NULL) : NULL;
	if (!fresh) {
		pmm_printk("memblock: Failed to double %s array from %lu to %lu entries !\n",
			   type->name, type->max, type->max * 2);
		return PMM_ENOMEM;
	}
	pmm_memblock_dbg("memblock: %s is doubled to %lu at [0x%016llx-0x%016llx]",
			 type->name, type->max * 2, (unsigned long long)addr,
			 (unsigned long long)(addr + new_bytes - 1));
	pmm_memcpy(fresh, old, old_bytes);
	pmm_memset((char *)fresh + old_bytes, 0, old_bytes);
	type->regions = fresh;
	type->max *= 2;
	*home = addr;
	err = PMM_OK;
	if (old != memory_init && old != reserved_init)
		err = pmm_memblock_remove_range_grow(&pmm_memblock.reserved, old_phys,
						     old_alloc, false);
	if (!err)
		err = pmm_memblock_add_range_grow(&pmm_memblock.reserved, addr, new_alloc,
						  pmm_memblock.nid_none, PMM_MEMBLOCK_NONE,
						  false);
	if (err)
		return pmm_bug(PMM_ECORRUPT, __func__,
				  "reserved has no room for the %s array at 0x%llx (%d)",
				  type->name, (unsigned long long)addr, err);
	return PMM_OK;
}

/*
 * grow_array - double @type's array if resizing is allowed. Doubling
 * "memory" reserves in "reserved", so that one is doubled first when it
 * could not take the new array's reservation and the old one's release.
 * Return: 0, PMM_EFULL (resizing off, or not one of memblock's types),
 * PMM_ENOMEM.
 */
static int grow_array(struct pmm_memblock_type *type, pmm_phys_t base,
		      uint64_t size)
{
	int err;

	if (type != &pmm_memblock.memory && type != &pmm_memblock.reserved)
		return PMM_EFULL;
	if (!pmm_memblock.can_resize) {
		pmm_printk("memblock: %s array full at %lu entries: call pmm_memblock_allow_resize() or raise PMM_INIT_MEMBLOCK_REGIONS\n",
			   type->name, type->max);
		return PMM_EFULL;
	}
	if (type != &pmm_memblock.reserved && pmm_memblock.reserved.cnt + 3 > pmm_memblock.reserved.max) {
		err = double_array(&pmm_memblock.reserved, 0, 0);
		if (err)
			return err;
	}
	return double_array(type, base, size);
}

/* Pieces of [@base, @end) no region of @type covers yet. */
static unsigned long count_new(const struct pmm_memblock_type *type,
			       pmm_phys_t base, pmm_phys_t end)
{
	unsigned long n = 0;

	for (unsigned long i = 0; i < type->cnt; i++) {
		const struct pmm_memblock_region *r = &type->regions[i];

		if (r->base >= end)
			break;
		if (mb_region_end(r) <= base)
			continue;
		if (r->base > base)
			n++;
		base = mb_min(mb_region_end(r), end);
	}
	return base < end ? n + 1 : n;
}

/* Insert the uncovered pieces of [@base, @end), then merge. */
static void insert_pieces(struct pmm_memblock_type *type, pmm_phys_t base,
			  pmm_phys_t end, int nid,
			  enum pmm_memblock_flags flags)
{
	unsigned long i;

	for (i = 0; i < type->cnt; i++) {
		struct pmm_memblock_region *r = &type->regions[i];
		pmm_phys_t rbase = r->base, rend = mb_region_end(r);

		if (rbase >= end)
			break;
		if (rend <= base)
			continue;
		if (rbase > base)
			insert_region(type, i++, base, rbase - base, nid, flags);
		base = mb_min(rend, end);
	}
	if (base < end)
		insert_region(type, i, base, end - base, nid, flags);
	merge_regions(type);
}

int pmm_memblock_add_range_grow(struct pmm_memblock_type *type,
				pmm_phys_t base, uint64_t size, int nid,
				enum pmm_memblock_flags flags, bool may_grow)
{
	pmm_phys_t end = base + size;
	unsigned long n;
	int err;

	if (type->regions[0].size == 0) {
		type->regions[0].base = base;
		type->regions[0].size = size;
		type->regions[0].flags = flags;
		type->regions[0].nid = nid;
		type->total_size = size;
		validate_due(__func__);
		return PMM_OK;
	}
	for (;;) {
		n = count_new(type, base, end);
		if (n == 0)
			return PMM_OK;
		if (type->cnt + n <= type->max)
			break;
		if (!may_grow)
			return PMM_EFULL;
		err = grow_array(type, base, size);
		if (err)
			return err;
	}
	insert_pieces(type, base, end, nid, flags);
	validate_due(__func__);
	return PMM_OK;
}

static int valid_nid(int nid)
{
	if (nid == PMM_NUMA_NO_NODE)
		return pmm_memblock.nid_none;
	if (nid < 0 || nid > pmm_memblock.nid_none)
		return -2;
	return nid;
}

int pmm_memblock_add_range(struct pmm_memblock_type *type, pmm_phys_t base,
			   uint64_t size, int nid,
			   enum pmm_memblock_flags flags)
{
	int err = mb_check_range(base, size);

	if (err)
		return err;
	if (!type || ((unsigned int)flags & ~0xfu) != 0)
		return PMM_EINVAL;
	nid = valid_nid(nid);
	if (nid < 0)
		return PMM_EINVAL;
	return pmm_memblock_add_range_grow(type, base, size, nid, flags, true);
}

int pmm_memblock_add_node(pmm_phys_t base, uint64_t size, int nid,
			  enum pmm_memblock_flags flags)
{
	if (pmm_memblock.debug)
		pmm_printk("memblock_add_node: [0x%016llx-0x%016llx] nid=%d flags=%x %s\n",
			   (unsigned long long)base,
			   (unsigned long long)(base + size - 1), nid,
			   (unsigned int)flags, __func__);
	return pmm_memblock_add_range(&pmm_memblock.memory, base, size, nid, flags);
}

int pmm_memblock_add(pmm_phys_t base, uint64_t size)
{
	pmm_memblock_dbg_range("memblock_add", base, size, __func__);
	return pmm_memblock_add_range(&pmm_memblock.memory, base, size, pmm_memblock.nid_none,
				      PMM_MEMBLOCK_NONE);
}

int pmm_memblock_reserve(pmm_phys_t base, uint64_t size)
{
	pmm_memblock_dbg_range("memblock_reserve", base, size, __func__);
	return pmm_memblock_add_range(&pmm_memblock.reserved, base, size, pmm_memblock.nid_none,
				      PMM_MEMBLOCK_NONE);
}

/*
 * isolate - split the regions of @type that cross @base or @base + @size,
 * so that the range is covered by whole regions [*@first, *@last).
 * Return: 0, PMM_EFULL or PMM_ENOMEM (no room for the two splits).
 */
static int isolate(struct pmm_memblock_type *type, pmm_phys_t base,
		   uint64_t size, bool may_grow, unsigned long *first,
		   unsigned long *last)
{
	pmm_phys_t end = base + size;
	unsigned long i = 0;
	int err;

	*first = *last = 0;
	while (type->cnt + 2 > type->max) {
		if (!may_grow)
			return PMM_EFULL;
		err = grow_array(type, base, size);
		if (err)
			return err;
	}
	while (i < type->cnt) {
		struct pmm_memblock_region *r = &type->regions[i];
		pmm_phys_t rbase = r->base, rend = mb_region_end(r);

		if (rbase >= end)
			break;
		if (rend <= base) {
			i++;
			continue;
		}
		if (rbase < base) {
			/* cut below: keep the lower part, go on with the upper */
			r->base = base;
			r->size -= base - rbase;
			type->total_size -= base - rbase;
			insert_region(type, i, rbase, base - rbase, r->nid,
				      r->flags);
			i++;
		} else if (rend > end) {
			/* cut above: the lower part is looked at next */
			r->base = end;
			r->size -= end - rbase;
			type->total_size -= end - rbase;
			insert_region(type, i, rbase, end - rbase, r->nid,
				      r->flags);
		} else {
			if (*last == 0)
				*first = i;
			*last = ++i;
		}
	}
	return PMM_OK;
}

int pmm_memblock_remove_range_grow(struct pmm_memblock_type *type,
				   pmm_phys_t base, uint64_t size,
				   bool may_grow)
{
	unsigned long first, last;
	int err = isolate(type, base, size, may_grow, &first, &last);

	if (err)
		return err;
	while (last > first)
		remove_region(type, --last);
	validate_due(__func__);
	return PMM_OK;
}

int pmm_memblock_remove_range(struct pmm_memblock_type *type,
			      pmm_phys_t base, uint64_t size)
{
	int err = mb_check_range(base, size);

	if (err)
		return err;
	if (!type)
		return PMM_EINVAL;
	return pmm_memblock_remove_range_grow(type, base, size, true);
}

int pmm_memblock_remove(pmm_phys_t base, uint64_t size)
{
	pmm_memblock_dbg_range("memblock_remove", base, size, __func__);
	return pmm_memblock_remove_range(&pmm_memblock.memory, base, size);
}

int pmm_memblock_free(pmm_phys_t base, uint64_t size)
{
	pmm_memblock_dbg_range("memblock_phys_free", base, size, __func__);
	return pmm_memblock_remove_range(&pmm_memblock.reserved, base, size);
}

int pmm_memblock_setclr_flag(pmm_phys_t base, uint64_t size,
			     enum pmm_memblock_flags flag, bool set)
{
	unsigned long first, last;
	int err = mb_check_range(base, size);

	if (err)
		return err;
	if (((unsigned int)flag & ~0xfu) != 0)
		return PMM_EINVAL;
	err = isolate(&pmm_memblock.memory, base, size, true, &first, &last);
	if (err)
		return err;
	for (unsigned long i = first; i < last; i++) {
		struct pmm_memblock_region *r = &pmm_memblock.memory.regions[i];
		unsigned int f = (unsigned int)r->flags;

		f = set ? f | (unsigned int)flag : f & ~(unsigned int)flag;
		r->flags = (enum pmm_memblock_flags)f;
	}
	merge_regions(&pmm_memblock.memory);
	validate_due(__func__);
	return PMM_OK;
}

int pmm_memblock_mark_hotplug(pmm_phys_t base, uint64_t size)
{
	return pmm_memblock_setclr_flag(base, size, PMM_MEMBLOCK_HOTPLUG, true);
}

int pmm_memblock_clear_hotplug(pmm_phys_t base, uint64_t size)
{
	return pmm_memblock_setclr_flag(base, size, PMM_MEMBLOCK_HOTPLUG, false);
}

int pmm_memblock_mark_mirror(pmm_phys_t base, uint64_t size)
{
	int err = pmm_memblock_setclr_flag(base, size, PMM_MEMBLOCK_MIRROR, true);

	if (!err)
		pmm_memblock.has_mirror = true;
	return err;
}

int pmm_memblock_mark_nomap(pmm_phys_t base, uint64_t size)
{
	return pmm_memblock_setclr_flag(base, size, PMM_MEMBLOCK_NOMAP, true);
}

int pmm_memblock_clear_nomap(pmm_phys_t base, uint64_t size)
{
	return pmm_memblock_setclr_flag(base, size, PMM_MEMBLOCK_NOMAP, false);
}

int pmm_memblock_set_node(pmm_phys_t base, uint64_t size,
			  struct pmm_memblock_type *type, int nid)
{
	unsigned long first, last;
	int err = mb_check_range(base, size);

	if (err)
		return err;
	nid = valid_nid(nid);
	if (!type || nid < 0)
		return PMM_EINVAL;
	err = isolate(type, base, size, true, &first, &last);
	if (err)
		return err;
	for (unsigned long i = first; i < last; i++)
		type->regions[i].nid = nid;
	merge_regions(type);
	validate_due(__func__);
	return PMM_OK;
}

int pmm_memblock_trim_memory(pmm_phys_t align)
{
	unsigned long i = 0;

	if (!mb_is_pow2(align))
		return PMM_EALIGN;
	while (i < pmm_memblock.memory.cnt) {
		struct pmm_memblock_region *r = &pmm_memblock.memory.regions[i];
		pmm_phys_t end = mb_region_end(r) & ~(align - 1);
		pmm_phys_t start = (r->base + align - 1) & ~(align - 1);

		if (start < r->base)
			start = end; /* rounding up wrapped: nothing left */
		if (start == r->base && end == mb_region_end(r)) {
			i++;
			continue;
		}
		if (start < end) {
			pmm_memblock.memory.total_size -= r->size - (end - start);
			r->base = start;
			r->size = end - start;
			assert_in_order(&pmm_memblock.memory, i);
			i++;
		} else {
			remove_region(&pmm_memblock.memory, i);
		}
	}
	validate_due(__func__);
	return PMM_OK;
}

static char check_msg[160];

/* Return: NULL or what is wrong with @type. */
static const char *check_type(const struct pmm_memblock_type *type)
{
	const struct pmm_memblock_region *r = type->regions;
	uint64_t total = 0;

	if (type->cnt < 1 || type->cnt > type->max)
		return "cnt outside [1, max]";
	if (type->cnt == 1 && r[0].size == 0)
		return type->total_size ? "empty type with a total size" : NULL;
	for (unsigned long i = 0; i < type->cnt; i++) {
		if (r[i].size == 0)
			return "a region of size 0";
		if (r[i].size > PMM_PHYS_ADDR_MAX - r[i].base)
			return "a region that wraps";
		total += r[i].size;
		if (i + 1 == type->cnt)
			break;
		if (mb_region_end(&r[i]) > r[i + 1].base)
			return "regions out of order or overlapping";
		if (mb_region_end(&r[i]) == r[i + 1].base &&
		    mb_region_nid(&r[i]) == mb_region_nid(&r[i + 1]) &&
		    r[i].flags == r[i + 1].flags)
			return "touching regions left unmerged";
	}
	return total == type->total_size ? NULL : "total_size is not the sum";
}

const char *pmm_memblock_check(void)
{
	const struct pmm_memblock_type *types[] = { &pmm_memblock.memory, &pmm_memblock.reserved };

	for (unsigned int t = 0; t < 2; t++) {
		const char *why = check_type(types[t]);

		if (why) {
			pmm_snprintf(check_msg, sizeof(check_msg), "%s: %s",
				     types[t]->name, why);
			return check_msg;
		}
	}
	return NULL;
}
