/* SPDX-License-Identifier: MIT */
/*
 * percpu.h - the x86_64 kernel's build-time CPU accessor (platform.h,
 * PMM_ARCH_CPU_ID): every CPU's GS base points at its struct kcpu, whose
 * first field is the CPU number, so "which CPU am I" is one %gs-relative
 * load. mk/kernel64.mk compiles the core with "-include kernel64/percpu.h",
 * so the per-CPU page lists and slab arrays read it inline, no call.
 *
 * The load is not volatile: the number does not change under a running
 * function (no preemption, no migration), so the compiler may reuse it.
 */
#ifndef PMM_KERNEL64_PERCPU_H
#define PMM_KERNEL64_PERCPU_H

/* Return: the calling CPU's number, 0..nr_cpus-1 (offset 0 of its kcpu). */
static inline unsigned int kernel64_this_cpu(void)
{
	unsigned int cpu;

	__asm__("movl %%gs:0, %0" : "=r"(cpu));
	return cpu;
}

#define PMM_ARCH_CPU_ID() kernel64_this_cpu()

#endif /* PMM_KERNEL64_PERCPU_H */
