/* SPDX-License-Identifier: MIT */
/*
 * memmap_efi.c - read the memory map UEFI's GetMemoryMap() returns.
 *
 * The map is an array of descriptors, each at least
 *
 *   +0  u32 Type            EFI_MEMORY_TYPE
 *   +4  u32 (padding)
 *   +8  u64 PhysicalStart   4 KiB aligned
 *   +16 u64 VirtualStart
 *   +24 u64 NumberOfPages   4 KiB pages
 *   +32 u64 Attribute       EFI_MEMORY_* bits
 *
 * little endian, placed DescriptorSize bytes apart: firmware may (and OVMF
 * does) make that larger than the 40 bytes above, so the stride is always
 * the reported size. Types map onto e820 types as Linux's x86 EFI code
 * maps them; boot-services and more-reliable memory are noted beside the
 * map. Input comes from a boot loader (Multiboot2 tag 17), from a kernel
 * started as a UEFI application, or from a file in the simulator; output
 * goes to the sanitizer.
 */
#include "memmap_fw.h"

_Static_assert(PMM_EFI_DESC_MIN_SIZE == 4 + 4 + 4 * sizeof(uint64_t),
	       "a version-1 EFI descriptor is 40 bytes");

/* Types that are RAM once the firmware is done with them. */
static bool efi_is_ram_type(uint32_t type)
{
	switch (type) {
	case PMM_EFI_LOADER_CODE:
	case PMM_EFI_LOADER_DATA:
	case PMM_EFI_BOOT_CODE:
	case PMM_EFI_BOOT_DATA:
	case PMM_EFI_CONVENTIONAL:
		return true;
	default:
		return false;
	}
}

/**
 * pmm_efi_map_type - the map type of EFI memory of @type with @attr.
 * @type: EFI_MEMORY_TYPE.
 * @attr: EFI_MEMORY_* attribute bits.
 *
 * RAM types are usable when write-back cacheable, otherwise reserved;
 * conventional memory with EFI_MEMORY_SP is soft-reserved. OEM and
 * unknown types are reserved.
 *
 * Return: an e820 type number, or PMM_MEM_UNACCEPTED / PMM_MEM_SOFT_RESERVED.
 */
uint32_t pmm_efi_map_type(uint32_t type, uint64_t attr)
{
	if (efi_is_ram_type(type)) {
		if (type == PMM_EFI_CONVENTIONAL && (attr & PMM_EFI_MEMORY_SP))
			return PMM_MEM_SOFT_RESERVED;
		return (attr & PMM_EFI_MEMORY_WB) ? PMM_MEM_USABLE
						  : PMM_MEM_RESERVED;
	}
	switch (type) {
	case PMM_EFI_UNUSABLE: return PMM_MEM_UNUSABLE;
	case PMM_EFI_ACPI_RECLAIM: return PMM_MEM_ACPI;
	case PMM_EFI_ACPI_NVS: return PMM_MEM_NVS;
	case PMM_EFI_PERSISTENT: return PMM_MEM_PMEM;
	case PMM_EFI_UNACCEPTED: return PMM_MEM_UNACCEPTED;
	default: return PMM_MEM_RESERVED;
	}
}

static void efi_read_desc(const unsigned char *p, struct pmm_efi_desc *d)
{
	d->type = fw_le32(p);
	d->phys_start = fw_le64(p + 8);
	d->virt_start = fw_le64(p + 16);
	d->num_pages = fw_le64(p + 24);
	d->attribute = fw_le64(p + 32);
}

/* The notes a usable descriptor earns: boot services, mirror. */
static int efi_notes(struct fw_ctx *c, const struct pmm_efi_desc *d,
		     pmm_phys_t end)
{
	int ret = 0;

	if (d->type == PMM_EFI_BOOT_CODE || d->type == PMM_EFI_BOOT_DATA)
		ret = fw_note(c, d->phys_start, end, PMM_FW_BOOT_SERVICES);
	if (!ret && (d->attribute & PMM_EFI_MEMORY_MORE_RELIABLE))
		ret = fw_note(c, d->phys_start, end, PMM_FW_MIRROR);
	return ret;
}

int fw_efi_take(struct fw_ctx *c, const struct pmm_efi_desc *d,
		const char **why)
{
	uint32_t type = pmm_efi_map_type(d->type, d->attribute);
	uint64_t last, size;
	pmm_phys_t end;      /* exclusive; 2^64 - 1 stands for 2^64 */
	int ret;

	if (d->num_pages == 0) {
		*why = "zero pages";
		return PMM_EPARSE;
	}
	if (d->phys_start & ((1u << PMM_EFI_PAGE_SHIFT) - 1)) {
		*why = "start not 4 KiB aligned";
		return PMM_EPARSE;
	}
	if (d->num_pages > (UINT64_MAX >> PMM_EFI_PAGE_SHIFT) + 1 ||
	    d->num_pages - 1 > (UINT64_MAX - d->phys_start) >> PMM_EFI_PAGE_SHIFT) {
		*why = "range wraps past 2^64";
		return PMM_EOVERFLOW;
	}
	/* The last byte's offset: cannot wrap after the checks above. */
	last = (d->num_pages - 1) << PMM_EFI_PAGE_SHIFT |
	       ((1u << PMM_EFI_PAGE_SHIFT) - 1);
	/* All of 2^64 (one descriptor from 0) loses its last byte. */
	size = last == UINT64_MAX ? UINT64_MAX : last + 1;
	end = d->phys_start + last == UINT64_MAX ? UINT64_MAX
						  : d->phys_start + last + 1;
	ret = fw_add(c, d->phys_start, size, type);
	if (!ret && type == PMM_MEM_USABLE)
		ret = efi_notes(c, d, end);
	if (ret)
		*why = fw_add_problem(ret);
	return ret;
}

int fw_efi_walk(struct fw_ctx *c, const unsigned char *p, size_t len,
		uint32_t desc_size, uint32_t version, size_t base)
{
	struct pmm_efi_desc d;
	const char *why = "";
	size_t off;
	int ret;

	if (version != PMM_EFI_DESC_VERSION)
		return fw_fail(c, PMM_EPARSE,
			       "byte 0x%zx: descriptor version %u, expected %u",
			       base, version, PMM_EFI_DESC_VERSION);
	if (desc_size < PMM_EFI_DESC_MIN_SIZE)
		return fw_fail(c, PMM_EPARSE,
			       "byte 0x%zx: descriptor size %u is below the %u-byte descriptor",
			       base, desc_size, PMM_EFI_DESC_MIN_SIZE);
	if (len == 0 || len % desc_size != 0)
		return fw_fail(c, PMM_EPARSE,
			       "byte 0x%zx: %zu bytes are not a whole number of %u-byte descriptors",
			       base, len, desc_size);
	for (off = 0; off < len; off += desc_size) {
		efi_read_desc(p + off, &d);
		ret = fw_efi_take(c, &d, &why);
		if (ret)
			return fw_fail(c, ret, "descriptor %zu at byte 0x%zx: %s",
				       off / desc_size, base + off, why);
	}
	return 0;
}

/**
 * pmm_memmap_from_efi - append a UEFI memory map to @m.
 * @m: the map.
 * @fw: notes beside the map (may be NULL).
 * @buf: the descriptor array.
 * @len: its size in bytes (MemoryMapSize).
 * @desc_size: DescriptorSize as GetMemoryMap() reported it.
 * @desc_version: DescriptorVersion as reported.
 * @err: where the message goes (may be NULL).
 *
 * Return: 0, PMM_EINVAL, PMM_EPARSE, PMM_EOVERFLOW, PMM_EFULL; on error
 * @m and @fw are as they were.
 * Context: boot time, no locking.
 */
int pmm_memmap_from_efi(struct pmm_memmap *m, struct pmm_fw_info *fw,
			const void *buf, size_t len, uint32_t desc_size,
			uint32_t desc_version, struct pmm_parse_error *err)
{
	struct fw_ctx c;
	int ret;

	if (!m || !buf) {
		if (err)
			pmm_memset(err, 0, sizeof(*err));
		return PMM_EINVAL;
	}
	fw_begin(&c, m, fw, err, "efi");
	ret = fw_efi_walk(&c, buf, len, desc_size, desc_version, 0);
	if (!ret && fw)
		fw->format = PMM_FW_FMT_EFI;
	return ret;
}
