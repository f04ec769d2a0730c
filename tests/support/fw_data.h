/* SPDX-License-Identifier: MIT */
/*
 * fw_data.h - test helpers for the firmware readers: little/big-endian
 * writers for building binary inputs, an independent (sscanf-based) reading
 * of Linux's "efi: memNN:" lines into EFI descriptors, and snapshots that
 * prove a failed read changed neither the map nor the info block.
 */
#ifndef PMM_TEST_FW_DATA_H
#define PMM_TEST_FW_DATA_H

#include <stddef.h>
#include <stdint.h>

#include <pmm/firmware.h>

void fw_put16le(unsigned char *p, uint16_t v);
void fw_put32le(unsigned char *p, uint32_t v);
void fw_put64le(unsigned char *p, uint64_t v);
void fw_put32be(unsigned char *p, uint32_t v);
void fw_put64be(unsigned char *p, uint64_t v);

/*
 * Read the first run of "efi: memNN: [Type|...] range=[a-b]" lines of
 * @text into @out (at most @max) with sscanf and a table of type names of
 * its own. Return: how many were read.
 */
unsigned int fw_data_efi_lines(const char *text, struct pmm_efi_desc *out,
			       unsigned int max);

/*
 * Write @n descriptors into @buf @stride bytes apart (padding 0xa5).
 * Return: bytes written.
 */
size_t fw_data_efi_binary(unsigned char *buf, size_t size,
			  const struct pmm_efi_desc *d, unsigned int n,
			  uint32_t stride);

/* Set the ACPI checksum byte (offset 9) of the @len-byte table at @t. */
void fw_data_acpi_fix_checksum(unsigned char *t, size_t len);

/* A map and an info block, and copies to compare them with. */
struct fw_snap {
	struct pmm_memmap m, m0;
	struct pmm_fw_info fw, fw0;
	struct pmm_parse_error err;
};

/* Empty map and info and message (a cmocka setup calls it). */
void fw_snap_reset(struct fw_snap *s);
/* Take the copies. */
void fw_snap_take(struct fw_snap *s);
/* Return: 1 if map and info are byte for byte as taken. */
int fw_snap_same(const struct fw_snap *s);

#endif /* PMM_TEST_FW_DATA_H */
