/* SPDX-License-Identifier: MIT */
/*
 * boot_lowmem.c - where the i386 profile's lowmem ends and HighMem begins.
 *
 * A 32-bit x86 kernel maps physical memory from PAGE_OFFSET (3 GiB) up to
 * its vmalloc area; what lies above is HighMem. Linux 6.1 computes it in
 * find_low_pfn_range(): max_low_pfn = min(max_pfn, MAXMEM_PFN), with
 *
 *   MAXMEM = VMALLOC_END - PAGE_OFFSET - __VMALLOC_RESERVE
 *   __VMALLOC_RESERVE = 128 MiB, or vmalloc=SIZE + 8 MiB (VMALLOC_OFFSET)
 *
 * and prints "NNNMB HIGHMEM available." and "NNNMB LOWMEM available."
 * (whole MiB, rounded down). The caller may instead name the boundary a
 * log printed (cfg->lowmem_end). The constants are pmm/boot.h's.
 */
#include <pmm/fmt.h>

#include "boot_internal.h"

pmm_phys_t pmm_i386_maxmem(uint64_t vmalloc_reserve)
{
	uint64_t reserve = vmalloc_reserve ? vmalloc_reserve : PMM_I386_VMALLOC_RESERVE;
	uint64_t room = PMM_I386_VMALLOC_END - PMM_I386_PAGE_OFFSET;
	if (reserve >= room)
		return 0;
	return (pmm_phys_t)((room - reserve) & PMM_PAGE_MASK);
}

pmm_phys_t pmm_profile_highmem_start(enum pmm_profile profile)
{
	return profile == PMM_PROFILE_I386 ? pmm_i386_maxmem(0) : 0;
}

/*
 * boot_lowmem_check - prove cfg->lowmem_end and cfg->vmalloc_reserve usable.
 * @cfg: the caller's configuration
 *
 * Return: 0 (always on profiles other than i386, which ignore both), or
 * PMM_EINVAL with a log line naming the field and what to change: a vmalloc reserve below the 8 MiB guard or so large that less
 * than 64 MiB of lowmem remains; a lowmem end not page aligned, below
 * 64 MiB or above 4 GiB.
 * Context: boot CPU, before anything changes; reads @cfg only.
 */
int boot_lowmem_check(const struct pmm_boot_config *cfg)
{
	uint64_t r = cfg->vmalloc_reserve, end = cfg->lowmem_end;
	if (cfg->profile != PMM_PROFILE_I386)
		return 0; /* the fields are the i386 profile's */
	if (r && r < PMM_I386_VMALLOC_GUARD) {
		pmm_printk("pmm: cfg->vmalloc_reserve %llu bytes is below the 8 MiB "
			   "guard Linux always keeps (vmalloc=SIZE reserves SIZE + 8M)\n",
			   (unsigned long long)r);
		return PMM_EINVAL;
	}
	if (r && pmm_i386_maxmem(r) < PMM_I386_LOWMEM_MIN) {
		pmm_printk("pmm: cfg->vmalloc_reserve %lluMB leaves %lluMB of lowmem, "
			   "less than 64MB: lower vmalloc=\n", (unsigned long long)(r >> 20),
			   (unsigned long long)(pmm_i386_maxmem(r) >> 20));
		return PMM_EINVAL;
	}
	if (end && ((end & ~PMM_PAGE_MASK) || end < PMM_I386_LOWMEM_MIN ||
		    end > ((uint64_t)4 << 30))) {
		pmm_printk("pmm: cfg->lowmem_end 0x%llx is not a page boundary "
			   "from 64MB to 4GB\n", (unsigned long long)end);
		return PMM_EINVAL;
	}
	return 0;
}

/*
 * boot_lowmem_layout - set @bs->highmem_pfn (where HighMem starts, or no
 * limit) and @bs->lowmem_end_pfn (that, capped at max_pfn), and log Linux's
 * two lines on the i386 profile.
 * @bs: the boot state after boot_layout_nodes()
 * Context: boot CPU, during pmm_boot().
 */
void boot_lowmem_layout(struct boot_state *bs)
{
	const struct pmm_boot_config *cfg = bs->cfg;
	bs->highmem_pfn = (pmm_pfn_t)UINT64_MAX;
	bs->lowmem_end_pfn = bs->max_pfn;
	if (cfg->profile != PMM_PROFILE_I386)
		return;
	pmm_phys_t end = cfg->lowmem_end ? (pmm_phys_t)cfg->lowmem_end
					 : pmm_i386_maxmem(cfg->vmalloc_reserve);
	bs->highmem_pfn = PMM_PFN_DOWN(end);
	if (bs->lowmem_end_pfn > bs->highmem_pfn)
		bs->lowmem_end_pfn = bs->highmem_pfn;
	if (cfg->quiet)
		return;
	const struct pmm_out *out = pmm_log_out();
	pmm_fmt(out, "%lluMB HIGHMEM available.\n",
		   (unsigned long long)((bs->max_pfn - bs->lowmem_end_pfn) >>
					(20 - PMM_PAGE_SHIFT)));
	pmm_fmt(out, "%lluMB LOWMEM available.\n",
		   (unsigned long long)(bs->lowmem_end_pfn >> (20 - PMM_PAGE_SHIFT)));
	if (cfg->lowmem_end)
		pmm_fmt(out, "pmm: lowmem ends at 0x%llx, as given (a log's own line)\n",
			   (unsigned long long)end);
	else
		pmm_fmt(out, "pmm: lowmem ends at 0x%llx: VMALLOC_END 0x%llx - PAGE_OFFSET "
			   "- vmalloc reserve %lluMB\n", (unsigned long long)end,
			   (unsigned long long)PMM_I386_VMALLOC_END,
			   (unsigned long long)((cfg->vmalloc_reserve ? cfg->vmalloc_reserve
					: PMM_I386_VMALLOC_RESERVE) >> 20));
}
