/* SPDX-License-Identifier: MIT */
/*
 * pmm/init.h - init sections: __init, __initdata, initcalls, free_initmem.
 *
 * Code and data needed only while booting go to .init.text and .init.data,
 * which the linker script places between __init_begin and __init_end. Init
 * functions registered with pmm_initcall() land in .initcall.init and run
 * once at boot. Afterwards pmm_free_initmem() gives the pages to the buddy
 * allocator (seed 001, seed 004).
 */
#ifndef PMM_INIT_H
#define PMM_INIT_H

#include <pmm/types.h>

#define __pmm_init __attribute__((section(".init.text"), cold, noinline))
#define __pmm_initdata __attribute__((section(".init.data")))

typedef int (*pmm_initcall_t)(void);

#define pmm_initcall(fn)                                                    \
	static const pmm_initcall_t __pmm_initcall_##fn                    \
		__attribute__((used, section(".initcall.init"))) = fn

/*
 * Free the whole pages of [@begin, @end) to the buddy allocator, poisoning
 * them where the platform can touch them, and log "Freeing unused kernel
 * memory: NK freed". *@freed (if not NULL) gets the page count (0 on an
 * error). A range without a whole page frees nothing and returns 0.
 * Return: 0, PMM_EINVAL (@end below @begin), PMM_EDOUBLEFREE (a page of
 * the range is not reserved: reported through pmm_bug(), nothing poisoned
 * or freed), or pmm_buddy_free_range()'s error (nothing freed then).
 * Context: after the boot, from code outside the init sections.
 */
int pmm_free_initmem(pmm_phys_t begin, pmm_phys_t end, uint64_t *freed);

/* Byte written over freed init memory. */
#define PMM_INIT_POISON 0xcc

#endif /* PMM_INIT_H */
