/* SPDX-License-Identifier: MIT */
/*
 * brk.c - the "very very early allocator" (seed 003): a bump allocator over
 * the fixed area [__brk_start, __brk_end) that the linker script places
 * after .bss, like Linux's early brk on x86.
 *
 * It serves the first allocations, made before any early allocator exists
 * (the copy of the firmware map). Memory from it is never freed one piece
 * at a time; once the buddy allocator runs, the whole pages it did not hand
 * out go to the buddy allocator and the area closes.
 */
#include <pmm/buddy.h>
#include "kernel.h"

static uintptr_t brk_cur;  /* next free byte; 0 = not yet started */
static bool brk_closed;    /* the tail went to the buddy allocator */

void *kernel_brk_alloc(size_t size, size_t align)
{
	uintptr_t start = (uintptr_t)__brk_start, end = (uintptr_t)__brk_end;

	if (brk_closed)
		kernel_panic("brk: allocation of %zu bytes after the area closed",
			     size);
	if (!align || (align & (align - 1)))
		kernel_panic("brk: bad alignment %zu", align);
	if (!brk_cur)
		brk_cur = start;
	uintptr_t p = (brk_cur + align - 1) & ~(uintptr_t)(align - 1);
	if (p < brk_cur || p > end || size > end - p)
		kernel_panic("brk: %zu bytes do not fit the %zuK brk area; "
			     "raise BRK_SIZE in kernel/kernel.ld", size,
			     (size_t)(end - start) >> 10);
	brk_cur = p + size;
	pmm_memset((void *)p, 0, size);
	return (void *)p;
}

pmm_phys_t kernel_brk_end_used(void)
{
	return KPHYS(brk_cur ? brk_cur : (uintptr_t)__brk_start);
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
