/* SPDX-License-Identifier: MIT */
/*
 * machine.h - the machines the host platform can describe: the PCs that pmm-sim,
 * the tests and the benchmark boot without a boot log, and their sizes.
 */
#ifndef PMM_HOST_MACHINE_H
#define PMM_HOST_MACHINE_H

#include <pmm/memmap.h>

#define SIM_DEFAULT_MEM ((uint64_t)4 << 30)

/*
 * Describe a PC with @mem bytes of RAM: low memory to 0x9fc00, the EBDA and
 * BIOS area reserved, RAM from 1 MiB up to 3 GiB, the PCI hole with the
 * IOAPIC, local APIC and BIOS ROM below 4 GiB, the rest above 4 GiB; with
 * @nodes > 1, NUMA ranges that split the RAM evenly.
 * Return: 0 or a pmm error.
 */
int sim_machine_pc(struct pmm_memmap *m, uint64_t mem, unsigned int nodes);

/* Parse "123", "64K", "512M", "4G", "1T". Return: 0 or -1. */
int sim_parse_size(const char *s, uint64_t *out);

#endif /* PMM_HOST_MACHINE_H */
