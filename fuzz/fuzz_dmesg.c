/* SPDX-License-Identifier: MIT */
/*
 * fuzz_dmesg.c - libFuzzer target: boot-log text -> pmm_memmap_parse_dmesg()
 * -> pmm_memmap_sanitize(), with and without the i386 4 GiB limit.
 *
 * Checks: a failed parse leaves the map byte for byte as it was (the map
 * starts with two entries, so "appended" and "rolled back" are both
 * visible); the error has a line number and a message; a successful parse
 * sanitizes into a map the oracle in fuzz_memmap_check.h accepts.
 */
#include "fuzz_memmap_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct pmm_memmap m, before;
	struct pmm_parse_error perr;

	pmm_memmap_init(&m);
	pmm_memmap_add(&m, 0x1000, 0x9f000, PMM_MEM_USABLE);
	pmm_memmap_add(&m, 0xf0000, 0x100000, PMM_MEM_RESERVED);
	before = m;
	memset(&perr, 0, sizeof(perr));
	int err = pmm_memmap_parse_dmesg(&m, (const char *)data, size, &perr);
	if (err != 0) {
		if (err != PMM_EPARSE && err != PMM_EFULL)
			FUZZ_FAIL("parse: unexpected error %d", err);
		if (memcmp(&m, &before, sizeof(m)) != 0)
			FUZZ_FAIL("failed parse (%d) changed the map", err);
		if (perr.msg[0] == '\0' || memchr(perr.msg, 0, sizeof(perr.msg)) == NULL)
			FUZZ_FAIL("failed parse without a message");
		return 0;
	}
	if (m.nr < 2 || m.nr > PMM_MEMMAP_MAX || m.nr_numa > PMM_NUMA_MAX)
		FUZZ_FAIL("parse: counts nr %u nr_numa %u", m.nr, m.nr_numa);
	for (unsigned int i = 0; i < m.nr_numa; i++)
		for (unsigned int j = i + 1; j < m.nr_numa; j++)
			if (m.numa[i].nid != m.numa[j].nid &&
			    m.numa[i].start < m.numa[j].end &&
			    m.numa[j].start < m.numa[i].end)
				FUZZ_FAIL("NUMA ranges %u and %u of two nodes overlap", i, j);
	fuzz_check_sanitize(&m, 0);
	fuzz_check_sanitize(&m, (pmm_phys_t)1 << 32);
	return 0;
}
