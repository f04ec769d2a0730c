/* SPDX-License-Identifier: MIT */
/*
 * fuzz_mb2.c - libFuzzer target: Multiboot2 boot information blocks to
 * pmm_memmap_from_mb2(), in an exactly sized heap block. Oracle:
 * fuzz_fw_check.h (an EFI tag's errors are named "mb2" too).
 */
#include "fuzz_fw_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_fw_run(data, size, pmm_memmap_from_mb2, "mb2");
	return 0;
}
