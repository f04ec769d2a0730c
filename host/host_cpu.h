/* SPDX-License-Identifier: MIT */
/*
 * host_cpu.h - the host platform's build-time CPU accessor (platform.h,
 * PMM_ARCH_CPU_ID): each host thread is one CPU, and its number is the
 * thread-local variable host_set_cpu() writes. Compiling the core with
 * "-include host/host_cpu.h" makes the per-CPU fast paths read it inline;
 * the host platform's cpu_id hook returns the same variable, so both
 * builds see the same CPU.
 */
#ifndef PMM_HOST_CPU_H
#define PMM_HOST_CPU_H

/* Defined in the executable (host/host_platform.c): local-exec, one load. */
extern _Thread_local unsigned int host_this_cpu
	__attribute__((tls_model("local-exec")));

#define PMM_ARCH_CPU_ID() host_this_cpu

#endif /* PMM_HOST_CPU_H */
