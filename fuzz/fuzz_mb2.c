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
	static struct fuzz_fw f;
	unsigned char *buf = fuzz_fw_copy(data, size);
	int err;

	if (buf == NULL)
		return 0;
	fuzz_fw_start(&f);
	err = pmm_memmap_from_mb2(&f.m, &f.fw, buf, size, &f.err);
	fuzz_fw_check(&f, err, "mb2");
	free(buf);
	return 0;
}
