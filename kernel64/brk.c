/* SPDX-License-Identifier: MIT */
/*
 * brk.c - the "very very early allocator" of seed 003: a bump allocator
 * over [__brk_start, __brk_end) after .bss. It holds what the kernel needs
 * before an early allocator exists (the firmware map and the copy that
 * pmm_boot() sanitizes); once the buddy allocator runs, its unused whole
 * pages are freed and the area closes.
 */
#include <pmm/buddy.h>
#include "kernel64.h"

static uintptr_t brk_next; /* next free byte; 0 before the first call */
static bool brk_closed;

void *kernel_brk_alloc(size_t size, size_t align)
{
	uintptr_t lo = (uintptr_t)__brk_start, hi = (uintptr_t)__brk_end;

	if (brk_closed || !align || (align & (align - 1)))
		kernel_panic("brk: bad request: %zu bytes, alignment %zu%s",
			     size, align, brk_closed ? ", area closed" : "");
	if (!brk_next)
		brk_next = lo;
	uintptr_t p = (brk_next + align - 1) & ~(uintptr_t)(align - 1);
	if (p > hi || size > hi - p)
		kernel_panic("brk: %zu bytes do not fit; raise BRK_SIZE in "
			     "kernel64/kernel64.ld", size);
	brk_next = p + size;
	pmm_memset((void *)p, 0, size);
	return (void *)p;
}

pmm_phys_t kernel_brk_end_used(void)
{
	return KPHYS(brk_next ? brk_next : (uintptr_t)__brk_start);
}

int kernel_brk_release_tail(uint64_t *freed)
{
	pmm_pfn_t first = PMM_PFN_UP(kernel_brk_end_used());
	pmm_pfn_t last = PMM_PFN_DOWN(KPHYS(__brk_end));

	*freed = 0;
	brk_closed = true;
	if (first >= last)
		return 0;
	return pmm_buddy_free_range(first, last, freed);
}
