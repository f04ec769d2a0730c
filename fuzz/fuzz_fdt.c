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
	static struct fuzz_fw f;
	unsigned char *buf = fuzz_fw_copy(data, size);
	int err;

	if (buf == NULL)
		return 0;
	fuzz_fw_start(&f);
	err = pmm_memmap_from_fdt(&f.m, &f.fw, buf, size, &f.err);
	fuzz_fw_check(&f, err, "fdt");
	free(buf);
	return 0;
}
