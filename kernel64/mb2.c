/* SPDX-License-Identifier: MIT */
/*
 * mb2.c - the Multiboot2 information GRUB hands over: command line, boot
 * loader name, memory map, ACPI RSDP, and the range the information
 * itself occupies (reserved in the boot config).
 *
 * The memory map: under UEFI GRUB passes both the EFI memory map tag (the
 * firmware's own descriptors, taken at ExitBootServices) and a Multiboot2
 * map it derived from them; the kernel reads the EFI one. Under BIOS only
 * the Multiboot2 map (e820) exists. Both become a struct pmm_memmap with
 * e820 type numbers. Everything here runs once, before free_initmem.
 */
#include "kernel64.h"

enum {
	TAG_END = 0,
	TAG_CMDLINE = 1,
	TAG_LOADER = 2,
	TAG_MMAP = 6,
	TAG_EFI64 = 12,
	TAG_ACPI_OLD = 14,
	TAG_ACPI_NEW = 15,
	TAG_EFI_MMAP = 17,
	TAG_EFI_BS = 18,
};

struct mb2_tag {
	uint32_t type;
	uint32_t size; /* header included, not the padding to 8 */
};

struct mb2_mmap_entry {
	uint64_t base;
	uint64_t len;
	uint32_t type;
	uint32_t zero;
};

struct efi_desc {
	uint32_t type;
	uint32_t pad;
	uint64_t phys;
	uint64_t virt;
	uint64_t pages; /* 4 KiB pages */
	uint64_t attr;
};

/* EFI memory types, UEFI spec table "Memory Type Usage after ExitBootServices". */
enum {
	EFI_RESERVED, EFI_LOADER_CODE, EFI_LOADER_DATA, EFI_BS_CODE,
	EFI_BS_DATA, EFI_RT_CODE, EFI_RT_DATA, EFI_CONVENTIONAL,
	EFI_UNUSABLE, EFI_ACPI_RECLAIM, EFI_ACPI_NVS, EFI_MMIO,
	EFI_MMIO_PORT, EFI_PAL_CODE, EFI_PERSISTENT,
};

static __pmm_init uint32_t efi_to_e820(uint32_t t)
{
	switch (t) {
	case EFI_LOADER_CODE: case EFI_LOADER_DATA:
	case EFI_BS_CODE: case EFI_BS_DATA: case EFI_CONVENTIONAL:
		return PMM_MEM_USABLE; /* free once boot services exited */
	case EFI_UNUSABLE:
		return PMM_MEM_UNUSABLE;
	case EFI_ACPI_RECLAIM:
		return PMM_MEM_ACPI;
	case EFI_ACPI_NVS:
		return PMM_MEM_NVS;
	case EFI_PERSISTENT:
		return PMM_MEM_PMEM;
	default:
		return PMM_MEM_RESERVED;
	}
}

static __pmm_init int read_efi_mmap(const struct mb2_tag *t,
				    struct pmm_memmap *m)
{
	const uint32_t *hdr = (const uint32_t *)(t + 1); /* size, version */
	const uint8_t *p = (const uint8_t *)(hdr + 2);
	const uint8_t *end = (const uint8_t *)t + t->size;

	if (hdr[0] < sizeof(struct efi_desc))
		return PMM_EPARSE;
	for (; p + hdr[0] <= end; p += hdr[0]) {
		const struct efi_desc *d = (const struct efi_desc *)p;
		int err = pmm_memmap_add_size(m, d->phys,
					      d->pages << PMM_PAGE_SHIFT,
					      efi_to_e820(d->type));
		if (err)
			return err;
	}
	return 0;
}

static __pmm_init int read_mb2_mmap(const struct mb2_tag *t,
				    struct pmm_memmap *m)
{
	const uint32_t *hdr = (const uint32_t *)(t + 1); /* size, version */
	const uint8_t *p = (const uint8_t *)(hdr + 2);
	const uint8_t *end = (const uint8_t *)t + t->size;

	if (hdr[0] < sizeof(struct mb2_mmap_entry))
		return PMM_EPARSE;
	for (; p + hdr[0] <= end; p += hdr[0]) {
		const struct mb2_mmap_entry *e = (const void *)p;
		uint32_t type = e->type >= 1 && e->type <= 5 ? e->type
							     : PMM_MEM_RESERVED;
		if (!e->len)
			continue;
		int err = pmm_memmap_add_size(m, e->base, e->len, type);
		if (err)
			return err;
	}
	return 0;
}

/* Remember the tags the kernel uses; Return: the memory map tag chosen. */
static __pmm_init const struct mb2_tag *scan_tags(const uint8_t *mbi,
						  struct kernel_boot_data *bd)
{
	const uint32_t total = *(const uint32_t *)mbi;
	const struct mb2_tag *mmap = NULL, *efi_mmap = NULL;

	for (uint32_t off = 8; off + sizeof(struct mb2_tag) <= total;) {
		const struct mb2_tag *t = (const void *)(mbi + off);
		if (t->type == TAG_END)
			break;
		switch (t->type) {
		case TAG_CMDLINE: bd->cmdline = (const char *)(t + 1); break;
		case TAG_LOADER: bd->loader = (const char *)(t + 1); break;
		case TAG_MMAP: mmap = t; break;
		case TAG_EFI_MMAP: efi_mmap = t; bd->fw = KERNEL_FW_UEFI; break;
		case TAG_EFI64: bd->fw = KERNEL_FW_UEFI; break;
		case TAG_ACPI_NEW: bd->rsdp = t + 1; break;
		case TAG_ACPI_OLD:
			if (!bd->rsdp)
				bd->rsdp = t + 1;
			break;
		case TAG_EFI_BS:
			kernel_panic("multiboot2: EFI boot services still run; "
				     "the header must not ask to keep them");
		}
		off += (t->size + 7u) & ~7u;
	}
	bd->map_source = efi_mmap ? "EFI memory map tag"
				  : "Multiboot2 memory map tag";
	return efi_mmap ? efi_mmap : mmap;
}

int kernel_mb2_read(uint32_t magic, uint64_t mbi_pa,
		    struct kernel_boot_data *bd)
{
	const uint8_t *mbi = KVIRT(mbi_pa);

	if (magic != MB2_BOOT_MAGIC) {
		pmm_printk("multiboot2: bad magic 0x%08x (want 0x%08x): not "
			   "booted by a Multiboot2 loader\n", magic,
			   MB2_BOOT_MAGIC);
		return PMM_EINVAL;
	}
	bd->cmdline = bd->loader = "";
	bd->boot[bd->nr_boot++] = (struct kernel_range){
		"Multiboot2 information", mbi_pa,
		mbi_pa + *(const uint32_t *)mbi };
	const struct mb2_tag *t = scan_tags(mbi, bd);
	if (!t) {
		pmm_printk("multiboot2: no memory map tag\n");
		return PMM_EPARSE;
	}
	bd->raw_map = kernel_brk_alloc(sizeof(*bd->raw_map), 8);
	pmm_memmap_init(bd->raw_map);
	return t->type == TAG_EFI_MMAP ? read_efi_mmap(t, bd->raw_map)
				       : read_mb2_mmap(t, bd->raw_map);
}

const char *kernel_cmdline_get(const char *cmdline, const char *key,
			       char *buf, size_t size)
{
	size_t klen = pmm_strlen(key);

	for (const char *p = cmdline; *p;) {
		while (*p == ' ')
			p++;
		const char *word = p;
		while (*p && *p != ' ')
			p++;
		size_t wlen = (size_t)(p - word);
		if (wlen <= klen || word[klen] != '=' ||
		    pmm_memcmp(word, key, klen))
			continue;
		size_t n = wlen - klen - 1 < size - 1 ? wlen - klen - 1 : size - 1;
		pmm_memcpy(buf, word + klen + 1, n);
		buf[n] = '\0';
		return buf;
	}
	return NULL;
}
