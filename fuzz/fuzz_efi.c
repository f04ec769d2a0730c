/* SPDX-License-Identifier: MIT */
/*
 * fuzz_efi.c - libFuzzer target: UEFI memory maps.
 *
 * Byte 0 picks the descriptor stride (24..87, so strides below the
 * 40-byte descriptor are tried too), byte 1 the version (mostly 1); the
 * rest is the descriptor array for pmm_memmap_from_efi(). The whole input
 * is also given, as text, to pmm_memmap_parse_efi_log(). Oracle:
 * fuzz_fw_check.h.
 */
#include "fuzz_fw_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct fuzz_fw f;
	unsigned char *buf;
	uint32_t stride, version;
	int err;

	if (size < 2)
		return 0;
	stride = 24u + (data[0] & 63u);
	version = (data[1] & 7u) == 7u ? data[1] : 1u;
	buf = fuzz_fw_copy(data + 2, size - 2);
	if (buf == NULL)
		return 0;
	fuzz_fw_start(&f);
	err = pmm_memmap_from_efi(&f.m, &f.fw, buf, size - 2, stride, version, &f.err);
	fuzz_fw_check(&f, err, "efi");
	free(buf);

	buf = fuzz_fw_copy(data, size);
	if (buf == NULL)
		return 0;
	fuzz_fw_start(&f);
	err = pmm_memmap_parse_efi_log(&f.m, &f.fw, (const char *)buf, size, &f.err);
	fuzz_fw_check(&f, err, "efi log");
	free(buf);
	return 0;
}
