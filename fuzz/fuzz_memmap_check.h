/* SPDX-License-Identifier: MIT */
/*
 * fuzz_memmap_check.h - the oracle the memmap fuzz targets share: given the
 * raw entries a parser produced and the sanitizer's result, prove the
 * result is sorted, disjoint, merged, page-trimmed, below the limit, and
 * gives every boundary point of the raw map the type Linux's e820 rule
 * gives it (the highest type number covering the point wins; usable only
 * where the whole page is usable). Any violation aborts with the values,
 * which libFuzzer turns into a crash report and a reproducer.
 */
#ifndef PMM_FUZZ_MEMMAP_CHECK_H
#define PMM_FUZZ_MEMMAP_CHECK_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pmm/memmap.h>

#define FUZZ_FAIL(...)                                                       \
	do {                                                                 \
		fprintf(stderr, "fuzz oracle: " __VA_ARGS__);                \
		fputc('\n', stderr);                                         \
		abort();                                                     \
	} while (0)

/* Highest type of the valid raw entries covering @x (0: none). */
static inline uint32_t raw_type_at(const struct pmm_memmap *raw, pmm_phys_t x)
{
	uint32_t t = 0;
	for (unsigned int i = 0; i < raw->nr; i++) {
		const struct pmm_memmap_entry *e = &raw->entry[i];
		if (e->start < e->end && e->start <= x && x < e->end &&
		    e->type > t)
			t = e->type;
	}
	return t;
}

/* Type of the sanitized map at @x (0: none). */
static inline uint32_t san_type_at(const struct pmm_memmap *san, pmm_phys_t x)
{
	for (unsigned int i = 0; i < san->nr; i++)
		if (san->entry[i].start <= x && x < san->entry[i].end)
			return san->entry[i].type;
	return 0;
}

/* Is every byte of the page holding @x usable in @raw? Checked at the
 * page's boundary points and at every raw boundary inside it. */
static inline bool raw_page_usable(const struct pmm_memmap *raw, pmm_phys_t x)
{
	pmm_phys_t ps = x & PMM_PAGE_MASK;
	pmm_phys_t pe = ps + (PMM_PAGE_SIZE - 1); /* inclusive */
	if (raw_type_at(raw, ps) != PMM_MEM_USABLE ||
	    raw_type_at(raw, pe) != PMM_MEM_USABLE)
		return false;
	for (unsigned int i = 0; i < raw->nr; i++) {
		const struct pmm_memmap_entry *e = &raw->entry[i];
		pmm_phys_t pts[2] = { e->start, e->end };
		for (int j = 0; j < 2; j++)
			if (pts[j] >= ps && pts[j] <= pe &&
			    raw_type_at(raw, pts[j]) != PMM_MEM_USABLE)
				return false;
	}
	return true;
}

static inline void check_point(const struct pmm_memmap *raw,
			       const struct pmm_memmap *san, pmm_phys_t limit,
			       pmm_phys_t x)
{
	uint32_t t = raw_type_at(raw, x);
	uint32_t s = san_type_at(san, x);
	if (limit != 0 && x >= limit) {
		if (s != 0)
			FUZZ_FAIL("0x%llx at/above limit 0x%llx has type %u",
				  (unsigned long long)x,
				  (unsigned long long)limit, s);
		return;
	}
	if (t != PMM_MEM_USABLE) {
		if (s != t)
			FUZZ_FAIL("0x%llx: raw type %u, sanitized %u",
				  (unsigned long long)x, t, s);
		return;
	}
	bool whole = raw_page_usable(raw, x) &&
		     (limit == 0 || (x & PMM_PAGE_MASK) + PMM_PAGE_SIZE <= limit);
	if (whole && s != PMM_MEM_USABLE)
		FUZZ_FAIL("0x%llx: whole usable page lost (sanitized %u)",
			  (unsigned long long)x, s);
	if (!whole && s != 0)
		FUZZ_FAIL("0x%llx: partial usable page kept as type %u",
			  (unsigned long long)x, s);
}

static inline void check_structure(const struct pmm_memmap *san,
				   pmm_phys_t limit)
{
	if (san->nr > PMM_MEMMAP_MAX)
		FUZZ_FAIL("nr %u", san->nr);
	for (unsigned int i = 0; i < san->nr; i++) {
		const struct pmm_memmap_entry *e = &san->entry[i];
		if (e->start >= e->end || e->type == 0)
			FUZZ_FAIL("entry %u empty or typeless", i);
		if (limit != 0 && e->end > limit)
			FUZZ_FAIL("entry %u ends past limit", i);
		if (e->type == PMM_MEM_USABLE &&
		    ((e->start | e->end) & ~PMM_PAGE_MASK) != 0)
			FUZZ_FAIL("usable entry %u not page aligned", i);
		if (i == 0)
			continue;
		const struct pmm_memmap_entry *p = &san->entry[i - 1];
		if (p->end > e->start)
			FUZZ_FAIL("entries %u and %u overlap or unsorted", i - 1, i);
		if (p->end == e->start && p->type == e->type)
			FUZZ_FAIL("entries %u and %u touch with one type", i - 1, i);
	}
	for (unsigned int i = san->nr; i < PMM_MEMMAP_MAX; i++) {
		const struct pmm_memmap_entry *e = &san->entry[i];
		if (e->start | e->end | e->type)
			FUZZ_FAIL("stale entry %u past nr", i);
	}
}

/*
 * Sanitize a copy of @raw with @limit and check it. The raw map may have
 * at most a few hundred entries, so the O(n^2) point check stays cheap.
 */
static inline void fuzz_check_sanitize(const struct pmm_memmap *raw,
				       pmm_phys_t limit)
{
	static struct pmm_memmap san;
	san = *raw;
	int err = pmm_memmap_sanitize(&san, limit);
	if (err == PMM_EFULL) {
		if (memcmp(&san, raw, sizeof(san)) != 0)
			FUZZ_FAIL("sanitize failed with EFULL but changed the map");
		return;
	}
	if (err != 0)
		FUZZ_FAIL("sanitize: unexpected error %d", err);
	check_structure(&san, limit);
	for (unsigned int i = 0; i < raw->nr; i++) {
		const struct pmm_memmap_entry *e = &raw->entry[i];
		if (e->start >= e->end)
			continue;
		pmm_phys_t pts[6] = {
			e->start, e->end - 1, e->end,
			e->start & PMM_PAGE_MASK,
			(e->end - 1) | (PMM_PAGE_SIZE - 1),
			e->start - 1,
		};
		for (int j = 0; j < 6; j++)
			check_point(raw, &san, limit, pts[j]);
	}
	/* Sanitizing twice changes nothing more. */
	static struct pmm_memmap again;
	again = san;
	again.dropped_bytes = again.trimmed_bytes = 0;
	if (pmm_memmap_sanitize(&again, limit) != 0 || again.nr != san.nr ||
	    memcmp(again.entry, san.entry, sizeof(san.entry)) != 0)
		FUZZ_FAIL("sanitize is not idempotent");
}

#endif /* PMM_FUZZ_MEMMAP_CHECK_H */
