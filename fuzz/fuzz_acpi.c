/* SPDX-License-Identifier: MIT */
/*
 * fuzz_acpi.c - libFuzzer target: ACPI SRAT and SLIT tables.
 *
 * Byte 0: bit 0 picks the reader (SRAT, or SRAT from the seed's other
 * bytes then SLIT), bit 1 asks the harness to fix the checksum byte so
 * that the fuzzer gets past it. The rest is the table, in an exactly
 * sized heap block. Oracle: fuzz_fw_check.h; after a SLIT every distance
 * row of a listed node holds 10 on its diagonal.
 */
#include "fuzz_fw_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Make the table's bytes [0, its length) sum to zero, if it fits. */
static void fix_checksum(unsigned char *t, size_t n)
{
	uint32_t len, i;
	unsigned int sum = 0;

	if (n < 36)
		return;
	len = (uint32_t)t[4] | (uint32_t)t[5] << 8 | (uint32_t)t[6] << 16 |
	      (uint32_t)t[7] << 24;
	if (len < 10 || len > n)
		return;
	t[9] = 0;
	for (i = 0; i < len; i++)
		sum += t[i];
	t[9] = (unsigned char)(0x100 - (sum & 0xff));
}

static void check_slit(const struct pmm_fw_info *fw)
{
	unsigned int i;

	for (i = 0; i < fw->nr_dist; i++)
		if (fw->dist[i][i] != 0 && fw->dist[i][i] != 10)
			FUZZ_FAIL("slit: local distance %u of node %u", fw->dist[i][i], i);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct fuzz_fw f;
	unsigned char *buf;
	int err;

	if (size < 1)
		return 0;
	buf = fuzz_fw_copy(data + 1, size - 1);
	if (buf == NULL)
		return 0;
	if (data[0] & 2)
		fix_checksum(buf, size - 1);
	fuzz_fw_start(&f);
	if ((data[0] & 1) == 0) {
		err = pmm_memmap_from_srat(&f.m, &f.fw, buf, size - 1, &f.err);
		fuzz_fw_check(&f, err, "srat");
	} else {
		err = pmm_fw_from_slit(&f.fw, buf, size - 1, &f.err);
		fuzz_fw_check(&f, err, "slit");
		if (!err)
			check_slit(&f.fw);
	}
	free(buf);
	return 0;
}
