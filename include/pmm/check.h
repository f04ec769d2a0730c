/* SPDX-License-Identifier: MIT */
/*
 * pmm/check.h - the consistency checker.
 *
 * pmm_check() walks every zone and proves that each page is in exactly one
 * state (reserved, allocated, inside exactly one free block, or on a per-CPU
 * list), that the pair bitmaps agree with the free lists, and that the
 * counters agree with what the walk found. It costs O(pages): for tests and
 * debugging, not hot paths.
 */
#ifndef PMM_CHECK_H
#define PMM_CHECK_H

#include <pmm/zone.h>

/*
 * Return: NULL when everything is consistent, otherwise a description of the
 * first violation (in a static buffer, valid until the next call).
 */
const char *pmm_check(void);

/*
 * Have pmm_check() also run @check (NULL: none), the proof of a layer
 * above the buddy allocator's (memory hotplug's blocks); it returns NULL
 * or its first violation. Context: while nothing else calls pmm_check().
 */
void pmm_check_register(const char *(*check)(void));

/* Return: NULL or the first violation within @zone. */
const char *pmm_check_zone(const struct pmm_zone *zone);

#endif /* PMM_CHECK_H */
