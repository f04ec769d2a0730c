/* SPDX-License-Identifier: MIT */
/*
 * fuzz_multiboot.c - libFuzzer target: Multiboot v1 memory-map bytes ->
 * pmm_memmap_from_multiboot() -> pmm_memmap_sanitize().
 *
 * Byte 0 picks the sanitizer's limit (none, 4 GiB, 896 MiB, or one drawn
 * from bytes 1..8); the rest is the loader's mmap buffer, copied to an
 * exactly sized heap block so that ASan sees any read past its end.
 * Checks: errors only from the documented set, the map untouched on error,
 * and the sanitized result accepted by the oracle.
 */
#include "fuzz_memmap_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static pmm_phys_t pick_limit(const uint8_t *data, size_t size, size_t *used)
{
	*used = 1;
	switch (data[0] & 3) {
	case 0: return 0;
	case 1: return (pmm_phys_t)1 << 32;
	case 2: return (pmm_phys_t)896 << 20;
	default: break;
	}
	pmm_phys_t l = 0;
	for (size_t i = 1; i < 9 && i < size; i++)
		l = l << 8 | data[i];
	*used = size < 9 ? size : 9;
	return l;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct pmm_memmap m, before;
	if (size == 0)
		return 0;
	size_t used;
	pmm_phys_t limit = pick_limit(data, size, &used);
	size_t len = size - used;
	unsigned char *buf = malloc(len ? len : 1);
	if (buf == NULL)
		return 0;
	memcpy(buf, data + used, len);

	pmm_memmap_init(&m);
	pmm_memmap_add(&m, 0, 0x9fc00, PMM_MEM_USABLE);
	before = m;
	int err = pmm_memmap_from_multiboot(&m, buf, len);
	free(buf);
	if (err != 0) {
		if (err != PMM_EPARSE && err != PMM_EOVERFLOW && err != PMM_EFULL)
			FUZZ_FAIL("multiboot: unexpected error %d", err);
		if (memcmp(&m, &before, sizeof(m)) != 0)
			FUZZ_FAIL("failed read (%d) changed the map", err);
		return 0;
	}
	fuzz_check_sanitize(&m, limit);
	return 0;
}
