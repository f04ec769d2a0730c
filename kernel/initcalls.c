/* SPDX-License-Identifier: MIT */
/*
 * initcalls.c - the kernel's init functions (seed 004): code in .init.text,
 * data in .init.data, each registered with pmm_initcall() and called once
 * at boot by kmain before free_initmem gives their pages away.
 *
 * hyper_hopper_probe is the seed's own example: a driver for the fictitious
 * HyperHopper2000 network card whose probe code and messages are needed
 * only while booting.
 */
#include <pmm/buddy.h>
#include "kernel.h"

#define HYPER_HOPPER_PORT 0x300 /* no such card on a QEMU PC: reads 0xff */

static __pmm_initdata char search_msg[] =
	"%s: Desperately looking for HyperHopper at address 0x%x...\n";
static __pmm_initdata char stilllooking_msg[] = "still searching...\n";
static __pmm_initdata char found_msg[] = "found.\n";
static __pmm_initdata char notfound_msg[] = "not found (reason = %d)\n";
static __pmm_initdata char couldnot_msg[] = "%s: HyperHopper not found\n";

static unsigned int hyper_hopper_calls, buddy_smoke_calls;

static __pmm_init int hyper_hopper_probe(void)
{
	uint8_t id;

	hyper_hopper_calls++;
	pmm_printk(search_msg, "hh0", HYPER_HOPPER_PORT);
	pmm_printk("%s", stilllooking_msg);
	id = inb(HYPER_HOPPER_PORT);
	if (id == 0x42) {
		pmm_printk("%s", found_msg);
		return 0;
	}
	pmm_printk(notfound_msg, id);
	pmm_printk(couldnot_msg, "hh0");
	return 0;
}
pmm_initcall(hyper_hopper_probe);

/* The buddy allocator runs: take and give back a page and an order-3 block. */
static __pmm_init int buddy_smoke_test(void)
{
	struct pmm_page *one, *eight;
	int err;

	buddy_smoke_calls++;
	one = pmm_alloc_page(PMM_GFP_KERNEL);
	eight = pmm_alloc_pages(PMM_GFP_KERNEL, 3);
	if (!one || !eight)
		return PMM_ENOMEM;
	pmm_printk("buddy smoke test: page at 0x%08llx, order-3 block at "
		   "0x%08llx\n",
		   (unsigned long long)PMM_PFN_PHYS(pmm_page_to_pfn(one)),
		   (unsigned long long)PMM_PFN_PHYS(pmm_page_to_pfn(eight)));
	err = pmm_free_page(one);
	return err ? err : pmm_free_pages(eight, 3);
}
pmm_initcall(buddy_smoke_test);

bool kernel_initcalls_ran_once(void)
{
	return hyper_hopper_calls == 1 && buddy_smoke_calls == 1;
}
