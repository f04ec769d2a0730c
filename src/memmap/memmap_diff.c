/* SPDX-License-Identifier: MIT */
/*
 * memmap_diff.c - does the map a Linux log printed after its own edits
 * (the "user-defined physical RAM map" of mem=/memmap=) agree with the map
 * pmm built from the same firmware map and command line?
 *
 * Linux prints its map after its e820 sanitizer (sorted, merged, partial
 * pages kept); pmm's is unsanitized. Both are sanitized alike by
 * pmm_memmap_sanitize() on copies, then compared entry by entry; the first
 * entry that differs is named, with both versions, for a warning line.
 */
#include <pmm/cmdline.h>
#include <pmm/fmt.h>

/* Format "[mem A-B] TYPE" of @e, or "none" past the end of @m. */
static void entry_text(const struct pmm_memmap *m, unsigned int i, char *buf,
		       size_t size)
{
	char type[32];
	if (i >= m->nr) {
		pmm_snprintf(buf, size, "none");
		return;
	}
	const struct pmm_memmap_entry *e = &m->entry[i];
	pmm_snprintf(buf, size, "[mem 0x%016llx-0x%016llx] %s",
		     (unsigned long long)e->start, (unsigned long long)(e->end - 1),
		     pmm_mem_type_name(e->type, type, sizeof(type)));
}

static bool same_entry(const struct pmm_memmap *a, const struct pmm_memmap *b,
		       unsigned int i)
{
	if (i >= a->nr || i >= b->nr)
		return i >= a->nr && i >= b->nr;
	return a->entry[i].start == b->entry[i].start &&
	       a->entry[i].end == b->entry[i].end && a->entry[i].type == b->entry[i].type;
}

int pmm_memmap_diff(const struct pmm_memmap *linux_map,
		    const struct pmm_memmap *pmm_map, unsigned int *index,
		    char *msg, size_t size)
{
	static struct pmm_memmap a, b; /* boot time, one caller at a time */
	char la[96], pa[96];
	if (!linux_map || !pmm_map || !index || (!msg && size))
		return PMM_EINVAL;
	pmm_memcpy(&a, linux_map, sizeof(a));
	pmm_memcpy(&b, pmm_map, sizeof(b));
	int err = pmm_memmap_sanitize(&a, 0);
	if (!err)
		err = pmm_memmap_sanitize(&b, 0);
	if (err)
		return err;
	unsigned int n = a.nr > b.nr ? a.nr : b.nr;
	for (unsigned int i = 0; i < n; i++) {
		if (same_entry(&a, &b, i))
			continue;
		entry_text(&a, i, la, sizeof(la));
		entry_text(&b, i, pa, sizeof(pa));
		*index = i;
		if (size)
			pmm_snprintf(msg, size, "entry %u: Linux %s, pmm %s", i, la, pa);
		return 1;
	}
	return 0;
}
