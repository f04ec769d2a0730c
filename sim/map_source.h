/* SPDX-License-Identifier: MIT */
/*
 * map_source.h - pmm-sim's map sources: which firmware format a --map
 * file holds (told by --format or recognised by its content) and reading
 * it into a struct pmm_memmap with the firmware readers of pmm/firmware.h.
 */
#ifndef PMM_SIM_MAP_SOURCE_H
#define PMM_SIM_MAP_SOURCE_H

#include <stddef.h>
#include <stdint.h>

#include <pmm/firmware.h>

enum sim_map_format {
	SIM_MAP_AUTO = 0, /* recognise by content */
	SIM_MAP_DMESG,    /* boot-log text: e820 (any Linux) and SRAT lines */
	SIM_MAP_EFI_LOG,  /* boot-log text with efi=debug "efi: mem" lines */
	SIM_MAP_EFI,      /* raw UEFI descriptor array */
	SIM_MAP_MB2,      /* Multiboot2 boot information block */
	SIM_MAP_FDT,      /* flattened device tree blob */
	SIM_MAP_SRAT,     /* raw ACPI SRAT: its memory ranges are the machine */
};

/* EDK2's (and so OVMF's) descriptor size, the default stride of --format efi. */
#define SIM_EFI_DESC_SIZE 48u

/* Return: 0 and *@out for "dmesg", "efi-log", "efi", "mb2", "fdt", "srat",
 * "auto"; -1 for any other name. */
int sim_map_format_parse(const char *name, enum sim_map_format *out);

/* Return: the name sim_map_format_parse() takes for @f. */
const char *sim_map_format_name(enum sim_map_format f);

/*
 * Recognise @len bytes at @buf: an FDT by its magic 0xd00dfeed, a SRAT by
 * its signature, text with "efi: memNN:" lines as efi-log, other text as
 * dmesg. Return: the format, or SIM_MAP_AUTO for binary data that needs
 * --format (an EFI map or a Multiboot2 block carry no signature).
 */
enum sim_map_format sim_map_detect(const char *buf, size_t len);

/*
 * Read @buf as @fmt into @m (emptied first) and @fw. A SRAT machine gets
 * its enabled, not hot-pluggable ranges as usable memory. @efi_desc_size
 * is the stride for SIM_MAP_EFI. Return: 0 or the reader's error, with
 * *@err saying where.
 */
int sim_map_read(struct pmm_memmap *m, struct pmm_fw_info *fw, const char *buf,
		 size_t len, enum sim_map_format fmt, uint32_t efi_desc_size,
		 struct pmm_parse_error *err);

/*
 * Where a kernel image of @size bytes can go: 1 MiB on a PC, else the
 * start of the first usable range with room for it (device-tree boards
 * have RAM at 1 GiB or 2 GiB). Return: the address, or 1 MiB if none fits.
 */
pmm_phys_t sim_map_kernel_base(const struct pmm_memmap *m, uint64_t size);

/* What a Linux log says beyond its firmware map (sim_map_linux_edits()). */
struct sim_linux_log {
	uint64_t lowmem_end;      /* its lowmem lines (pmm_linux_log_lowmem), or 0 */
	uint64_t vmalloc_reserve; /* its command line's vmalloc=, or 0 */
	bool user_map_differs;    /* its user-defined map is not pmm's */
	char user_map_diff[192];  /* ... the first entry that differs */
};

/*
 * What a Linux log did to its own firmware map: its "Command line:" memory
 * options (mem=, memmap=), checked against its "user-defined physical RAM
 * map", then its "e820: update/remove" lines; with @i386, its vmalloc=
 * and lowmem lines into @out (a 64-bit kernel has neither). Nothing when
 * @skip. Return: 0 or a PMM_E* code with @err filled.
 */
int sim_map_linux_edits(struct pmm_memmap *m, const char *text, size_t len,
			bool skip, bool i386, struct sim_linux_log *out,
			struct pmm_parse_error *err);

#endif /* PMM_SIM_MAP_SOURCE_H */
