/* SPDX-License-Identifier: MIT */
/*
 * init.c - freeing the __init / __initdata sections (seed 001, seed 004).
 *
 * After boot the kernel's init code and data are garbage: their whole pages
 * go to the buddy allocator through the same late-free path as
 * free_bootmem_late, poisoned first where the platform can touch them so
 * that a stale call into init code faults loudly instead of running junk.
 */
#include <pmm/buddy.h>
#include <pmm/init.h>

int pmm_free_initmem(pmm_phys_t begin, pmm_phys_t end, uint64_t *freed)
{
	pmm_pfn_t first = PMM_PFN_UP(begin);
	pmm_pfn_t last = PMM_PFN_DOWN(end);
	uint64_t n = 0;

	if (freed)
		*freed = 0;
	if (end < begin)
		return PMM_EINVAL;
	if (last <= first) {
		pmm_printk("Freeing unused kernel memory: 0K freed\n");
		return 0;
	}
	/* Prove the range reserved before poisoning it (the free proves it too). */
	pmm_pfn_t bad = pmm_first_unreserved(first, last);
	if (bad != last)
		return pmm_bug(PMM_EDOUBLEFREE, __func__,
				  "pfn 0x%llx of [0x%llx, 0x%llx) is not reserved",
				  (unsigned long long)bad, (unsigned long long)first,
				  (unsigned long long)last);
	pmm_phys_fill(PMM_PFN_PHYS(first), PMM_PFN_PHYS(last - first), PMM_INIT_POISON);
	int err = pmm_buddy_free_range(first, last, &n);
	if (err)
		return err;
	pmm_printk("Freeing unused kernel memory: %lluK freed\n",
		   (unsigned long long)(n << (PMM_PAGE_SHIFT - 10)));
	if (freed)
		*freed = n;
	return 0;
}
