/* SPDX-License-Identifier: MIT */
/*
 * memmap_edit.c - change the type of a range of a firmware map, or take a
 * range out of it, as Linux's e820 update and remove operations do.
 *
 * The map need not be sanitized: each entry of the named type that meets
 * the range is cut in up to three pieces (below, inside, above); the inside
 * piece takes the new type (update) or goes (remove). New pieces are
 * appended, so the table may hold more entries afterwards; the sanitizer
 * sorts and merges them later. Either the whole edit happens or, when the
 * table would overflow, nothing does.
 */
#include <pmm/memmap.h>

#define TYPE_GONE 0u /* an entry marked for removal (type 0 is never valid) */

/* Return: true if @e has @type (0: any type) and meets [@start, @end). */
static bool edit_hits(const struct pmm_memmap_entry *e, uint32_t type,
		      pmm_phys_t start, pmm_phys_t end)
{
	return (type == 0 || e->type == type) && e->start < end && start < e->end;
}

/* Return: how many entries the edit adds (pieces beyond the first). */
static unsigned int edit_growth(const struct pmm_memmap *m, uint32_t type,
				pmm_phys_t start, pmm_phys_t end, bool keep_mid)
{
	unsigned int grow = 0;
	for (unsigned int i = 0; i < m->nr; i++) {
		const struct pmm_memmap_entry *e = &m->entry[i];
		if (!edit_hits(e, type, start, end))
			continue;
		unsigned int pieces = (unsigned int)(e->start < start) +
				      (unsigned int)(e->end > end) + (unsigned int)keep_mid;
		grow += pieces > 1 ? pieces - 1 : 0;
	}
	return grow;
}

/* Write [@s, @e) of @type into slot *@slot, or append it if that is used. */
static void edit_put(struct pmm_memmap *m, unsigned int *slot, pmm_phys_t s,
		     pmm_phys_t e, uint32_t type)
{
	struct pmm_memmap_entry piece = { s, e, type };
	if (*slot < m->nr) {
		m->entry[*slot] = piece;
		*slot = m->nr; /* the next piece appends */
		return;
	}
	m->entry[m->nr++] = piece;
}

/*
 * Drop the entries marked TYPE_GONE, keeping the order of the others, and
 * zero the freed tail (pmm/memmap.h: entries past nr are zero bytes).
 */
static void edit_compact(struct pmm_memmap *m)
{
	unsigned int out = 0;
	for (unsigned int i = 0; i < m->nr; i++)
		if (m->entry[i].type != TYPE_GONE)
			m->entry[out++] = m->entry[i];
	pmm_memset(&m->entry[out], 0, (m->nr - out) * sizeof(m->entry[0]));
	m->nr = out;
}

/*
 * memmap_edit - the work of pmm_memmap_update() (@keep_mid: the inside
 * piece takes @new_type) and pmm_memmap_remove() (it goes).
 */
static int memmap_edit(struct pmm_memmap *m, pmm_phys_t start, pmm_phys_t end,
		       uint32_t old_type, uint32_t new_type, bool keep_mid)
{
	if (m == NULL || end < start || (keep_mid && new_type == 0))
		return PMM_EINVAL;
	if (start == end)
		return 0;
	if (m->nr + edit_growth(m, old_type, start, end, keep_mid) > PMM_MEMMAP_MAX)
		return PMM_EFULL;
	unsigned int nr = m->nr;
	for (unsigned int i = 0; i < nr; i++) {
		struct pmm_memmap_entry e = m->entry[i];
		unsigned int slot = i;
		if (!edit_hits(&e, old_type, start, end))
			continue;
		m->entry[i].type = TYPE_GONE;
		if (e.start < start)
			edit_put(m, &slot, e.start, start, e.type);
		if (keep_mid)
			edit_put(m, &slot, e.start > start ? e.start : start,
				 e.end < end ? e.end : end, new_type);
		if (e.end > end)
			edit_put(m, &slot, end, e.end, e.type);
	}
	edit_compact(m);
	return 0;
}

int pmm_memmap_update(struct pmm_memmap *m, pmm_phys_t start, pmm_phys_t end,
		      uint32_t old_type, uint32_t new_type)
{
	return memmap_edit(m, start, end, old_type, new_type, true);
}

int pmm_memmap_remove(struct pmm_memmap *m, pmm_phys_t start, pmm_phys_t end,
		      uint32_t old_type)
{
	return memmap_edit(m, start, end, old_type, 0, false);
}

/*
 * pmm_memmap_x86_trim_low - what x86 Linux does to the low megabyte before
 * it builds zones: page 0 becomes reserved (the BIOS data area and a guard
 * against NULL physical addresses) and the legacy area from 640 KiB to
 * 1 MiB (VGA memory, option ROMs, the BIOS) is never RAM, whatever the
 * firmware said.
 * Return: 0, or PMM_EFULL with the map unchanged.
 */
int pmm_memmap_x86_trim_low(struct pmm_memmap *m)
{
	const pmm_phys_t bios_begin = 0xa0000, bios_end = 0x100000;
	if (m == NULL)
		return PMM_EINVAL;
	if (m->nr + edit_growth(m, PMM_MEM_USABLE, 0, PMM_PAGE_SIZE, true) +
		    edit_growth(m, PMM_MEM_USABLE, bios_begin, bios_end, false) >
	    PMM_MEMMAP_MAX)
		return PMM_EFULL;
	int err = pmm_memmap_update(m, 0, PMM_PAGE_SIZE, PMM_MEM_USABLE,
				    PMM_MEM_RESERVED);
	return err ? err : pmm_memmap_remove(m, bios_begin, bios_end, PMM_MEM_USABLE);
}
