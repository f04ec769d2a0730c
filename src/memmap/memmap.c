/* SPDX-License-Identifier: MIT */
/*
 * memmap.c - the firmware memory map: entries, the sanitizer, queries and
 * Linux's type names.
 *
 * Entries arrive from a boot loader (Multiboot, memmap_multiboot.c), from
 * the text of a boot log (memmap_dmesg.c) or from pmm_memmap_add(). They
 * may be unsorted, overlap and cover partial pages. pmm_memmap_sanitize()
 * turns them into the sorted, disjoint list the early allocator reads:
 *
 *   raw:        |---- usable ----|
 *                     |-- reserved --|
 *   sanitized:  |usab.|-- reserved --|      (the higher type number wins)
 *
 * Overlaps are resolved with Linux's e820 rule (the higher type number
 * wins, so anything beats usable), touching entries of one type merge,
 * usable ranges shrink inward to whole pages, and everything at or above
 * the address limit goes. Entries are half-open [start, end) byte ranges.
 */
#include <pmm/fmt.h>
#include <pmm/memmap.h>

#include "../base/platform_internal.h"
#include "memmap_impl.h"

_Static_assert(PMM_MEMMAP_MAX >= 2 && PMM_MEMMAP_MAX <= 65536,
	       "PMM_MEMMAP_MAX must be 2..65536");
_Static_assert(PMM_NUMA_MAX >= 1 && PMM_NUMA_MAX <= 65536,
	       "PMM_NUMA_MAX must be 1..65536");

/*
 * The sanitizer builds its result here before it replaces the entries, so
 * that a map too large for the table is left as it was. Static, not on the
 * stack: kernel stacks are small. Callers on several threads (the host
 * simulator booting machines side by side) take turns on a platform lock
 * (pmm/platform.h: a static lock of zero bytes is a free lock); a sanitize
 * takes microseconds and calls nothing while it holds the lock.
 */
static struct pmm_memmap_entry sanitize_out[PMM_MEMMAP_MAX]; /* sanitize_lock */
static struct pmm_lock sanitize_lock = PMM_LOCK_INIT;

void pmm_memmap_init(struct pmm_memmap *m)
{
	if (!m)
		return;
	pmm_memset(m, 0, sizeof(*m));
}

int pmm_memmap_add(struct pmm_memmap *m, pmm_phys_t start, pmm_phys_t end,
		   uint32_t type)
{
	if (!m || type == 0 || end < start)
		return PMM_EINVAL;
	if (end == start)
		return 0;
	if (m->nr >= PMM_MEMMAP_MAX)
		return PMM_EFULL;
	m->entry[m->nr].start = start;
	m->entry[m->nr].end = end;
	m->entry[m->nr].type = type;
	m->nr++;
	return 0;
}

int pmm_memmap_add_size(struct pmm_memmap *m, pmm_phys_t start, uint64_t size,
			uint32_t type)
{
	pmm_phys_t end = start + size;

	if (!m || type == 0)
		return PMM_EINVAL;
	if (size == 0)
		return 0;
	if (end < start) {
		if (end != 0)
			return PMM_EOVERFLOW;
		end = UINT64_MAX; /* exactly 2^64: clip the last byte */
	}
	return pmm_memmap_add(m, start, end, type);
}

/* An entry the sanitizer takes into account: non-empty, not reversed. */
static bool entry_is_valid(const struct pmm_memmap_entry *e)
{
	return e->start < e->end;
}

/* Return: true and the lowest start in *@x, false when no entry is valid. */
static bool sweep_first(const struct pmm_memmap *m, pmm_phys_t *x)
{
	bool found = false;
	unsigned int i;

	for (i = 0; i < m->nr; i++) {
		const struct pmm_memmap_entry *e = &m->entry[i];

		if (!entry_is_valid(e))
			continue;
		if (!found || e->start < *x)
			*x = e->start;
		found = true;
	}
	return found;
}

/* Return: true and in *@y the lowest entry boundary above @x. */
static bool sweep_next(const struct pmm_memmap *m, pmm_phys_t x,
		       pmm_phys_t *y)
{
	bool found = false;
	unsigned int i;

	for (i = 0; i < m->nr; i++) {
		const struct pmm_memmap_entry *e = &m->entry[i];

		if (!entry_is_valid(e))
			continue;
		if (e->start > x && (!found || e->start < *y)) {
			*y = e->start;
			found = true;
		}
		if (e->end > x && (!found || e->end < *y)) {
			*y = e->end;
			found = true;
		}
	}
	return found;
}

/* Return: true and the winning type at @x in *@type, false for a hole. */
static bool sweep_type_at(const struct pmm_memmap *m, pmm_phys_t x,
			  uint32_t *type)
{
	bool covered = false;
	unsigned int i;

	for (i = 0; i < m->nr; i++) {
		const struct pmm_memmap_entry *e = &m->entry[i];

		if (!entry_is_valid(e) || x < e->start || x >= e->end)
			continue;
		if (!covered || e->type > *type)
			*type = e->type;
		covered = true;
	}
	return covered;
}

struct sweep {
	unsigned int nr;    /* entries in sanitize_out */
	pmm_phys_t limit;   /* 0: none */
	uint64_t dropped;   /* usable bytes at or above limit */
	bool full;          /* more than PMM_MEMMAP_MAX entries needed */
};

/* Append [@s, @e) of @type to the output: clip at the limit, merge. */
static void sweep_emit(struct sweep *sw, pmm_phys_t s, pmm_phys_t e,
		       uint32_t type)
{
	struct pmm_memmap_entry *last = sw->nr ? &sanitize_out[sw->nr - 1] : NULL;

	if (sw->limit && s >= sw->limit) {
		if (type == PMM_MEM_USABLE)
			sw->dropped += e - s;
		return;
	}
	if (sw->limit && e > sw->limit) {
		if (type == PMM_MEM_USABLE)
			sw->dropped += e - sw->limit;
		e = sw->limit;
	}
	if (last && last->end == s && last->type == type) {
		last->end = e;
		return;
	}
	if (sw->nr >= PMM_MEMMAP_MAX) {
		sw->full = true;
		return;
	}
	sanitize_out[sw->nr].start = s;
	sanitize_out[sw->nr].end = e;
	sanitize_out[sw->nr].type = type;
	sw->nr++;
}

/*
 * Shrink the usable entries of the output inward to whole pages and drop
 * those left empty. Return: the bytes trimmed off.
 */
static uint64_t sweep_trim(struct sweep *sw)
{
	uint64_t trimmed = 0;
	unsigned int i, n = 0;

	for (i = 0; i < sw->nr; i++) {
		struct pmm_memmap_entry e = sanitize_out[i];

		if (e.type == PMM_MEM_USABLE) {
			pmm_phys_t s = e.start & PMM_PAGE_MASK;
			pmm_phys_t end = e.end & PMM_PAGE_MASK;

			if (s != e.start)
				s = (s > UINT64_MAX - PMM_PAGE_SIZE) ? end : s + PMM_PAGE_SIZE;
			if (end <= s) {
				trimmed += e.end - e.start;
				continue;
			}
			trimmed += (s - e.start) + (e.end - end);
			e.start = s;
			e.end = end;
		}
		sanitize_out[n++] = e;
	}
	sw->nr = n;
	return trimmed;
}

/*
 * Walk the change points in address order. Each step finds the next
 * boundary above the current address and the winning type between them
 * by scanning all entries: O(n) per step, at most 2n steps, so O(n^2)
 * with n <= PMM_MEMMAP_MAX, no sorting scratch and no recursion.
 */
static void sweep_run(const struct pmm_memmap *m, struct sweep *sw)
{
	pmm_phys_t x = 0, y = 0;
	uint32_t type = 0;

	if (!sweep_first(m, &x))
		return;
	while (!sw->full && sweep_next(m, x, &y)) {
		if (sweep_type_at(m, x, &type))
			sweep_emit(sw, x, y, type);
		x = y;
	}
}

/*
 * Build the sanitized form of @m in sanitize_out and, when it fits, copy
 * it over @m. Return: 0 or PMM_EFULL (@m unchanged).
 * Context: sanitize_lock held (the scratch table is shared).
 */
static int sanitize_locked(struct pmm_memmap *m, struct sweep *sw)
{
	uint64_t trimmed;
	unsigned int old_nr;

	PMM_ASSERT_LOCKED(&sanitize_lock);
	sweep_run(m, sw);
	if (sw->full)
		return PMM_EFULL;
	trimmed = sweep_trim(sw);
	PMM_ASSERT(sw->nr <= PMM_MEMMAP_MAX, "%u entries", sw->nr);
	old_nr = m->nr;
	pmm_memcpy(m->entry, sanitize_out, sw->nr * sizeof(m->entry[0]));
	if (old_nr > sw->nr)
		pmm_memset(&m->entry[sw->nr], 0,
			   (old_nr - sw->nr) * sizeof(m->entry[0]));
	m->nr = sw->nr;
	m->dropped_bytes += sw->dropped;
	m->trimmed_bytes += trimmed;
	return 0;
}

/**
 * pmm_memmap_sanitize - sort, resolve overlaps, merge, page-trim and limit.
 * @m: the map; replaced by its sanitized form on success.
 * @limit: first address that is cut off, 0 for none.
 *
 * Overlaps: the higher type number wins (Linux's e820__update_table rule),
 * so reserved, ACPI, NVS, unusable, persistent and unknown types all beat
 * usable. Empty or reversed entries are dropped. Usable bytes above
 * @limit are added to m->dropped_bytes, usable bytes lost to page
 * alignment to m->trimmed_bytes.
 *
 * Return: 0, PMM_EINVAL for a NULL @m, PMM_EFULL (map unchanged) when the
 * result needs more than PMM_MEMMAP_MAX entries.
 * Context: any thread; takes the platform lock that guards the one static
 * scratch table, so sanitizes run one at a time, and it may sleep where
 * the platform's locks sleep. Never call it from an interrupt that may
 * have interrupted a sanitize.
 */
int pmm_memmap_sanitize(struct pmm_memmap *m, pmm_phys_t limit)
{
	struct sweep sw = { 0, limit, 0, false };
	int err;

	if (!m || m->nr > PMM_MEMMAP_MAX)
		return PMM_EINVAL;
	pmm_lock(&sanitize_lock);
	err = sanitize_locked(m, &sw);
	pmm_unlock(&sanitize_lock);
	return err;
}

int pmm_memmap_node_of(const struct pmm_memmap *m, pmm_phys_t pa)
{
	unsigned int i;

	if (!m)
		return PMM_NUMA_NO_NODE;
	for (i = 0; i < m->nr_numa && i < PMM_NUMA_MAX; i++) {
		if (pa >= m->numa[i].start && pa < m->numa[i].end)
			return m->numa[i].nid;
	}
	return PMM_NUMA_NO_NODE;
}

pmm_phys_t pmm_memmap_end_of_ram(const struct pmm_memmap *m)
{
	pmm_phys_t top = 0;

	for (unsigned int i = 0; m && i < m->nr && i < PMM_MEMMAP_MAX; i++) {
		const struct pmm_memmap_entry *e = &m->entry[i];

		if (e->type == PMM_MEM_USABLE && entry_is_valid(e) && e->end > top)
			top = e->end;
	}
	return top;
}

uint64_t pmm_memmap_usable_bytes(const struct pmm_memmap *m)
{
	uint64_t sum = 0;
	unsigned int i;

	if (!m)
		return 0;
	for (i = 0; i < m->nr && i < PMM_MEMMAP_MAX; i++) {
		const struct pmm_memmap_entry *e = &m->entry[i];

		if (e->type == PMM_MEM_USABLE && entry_is_valid(e))
			sum += e->end - e->start;
	}
	return sum;
}

/* Return: Linux's fixed name for @type, or NULL when it prints a number. */
static const char *mem_type_fixed_name(uint32_t type)
{
	switch (type) {
	case PMM_MEM_USABLE: return "usable";
	case PMM_MEM_RESERVED: return "reserved";
	case PMM_MEM_ACPI: return "ACPI data";
	case PMM_MEM_NVS: return "ACPI NVS";
	case PMM_MEM_UNUSABLE: return "unusable";
	case PMM_MEM_SOFT_RESERVED: return "soft reserved";
	case PMM_MEM_UNACCEPTED: return "unaccepted";
	default: return NULL;
	}
}

/**
 * pmm_mem_type_name - Linux's e820 name for @type, as its boot log prints.
 * @type: e820 type number.
 * @buf: where the name goes, NUL-terminated (cut to fit).
 * @size: bytes at @buf.
 *
 * Return: @buf; a constant "?" when @buf is NULL or @size is 0.
 */
const char *pmm_mem_type_name(uint32_t type, char *buf, size_t size)
{
	const char *name = mem_type_fixed_name(type);

	if (!buf || size == 0)
		return "?";
	if (name)
		pmm_snprintf(buf, size, "%s", name);
	else if (type == PMM_MEM_PMEM || type == PMM_MEM_PRAM)
		pmm_snprintf(buf, size, "persistent (type %u)", type);
	else
		pmm_snprintf(buf, size, "type %u", type);
	return buf;
}
