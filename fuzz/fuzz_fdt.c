/* SPDX-License-Identifier: MIT */
/*
 * fuzz_fdt.c - libFuzzer target: flattened device trees to
 * pmm_memmap_from_fdt(), in an exactly sized heap block; seeded with
 * QEMU's own blobs. Oracle: fuzz_fw_check.h.
 */
#include "fuzz_fw_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_fw_run(data, size, pmm_memmap_from_fdt, "fdt");
	return 0;
}
