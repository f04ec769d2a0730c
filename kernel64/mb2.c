/* SPDX-License-Identifier: MIT */
/*
 * mb2.c - the Multiboot2 information GRUB hands over: command line, boot
 * loader name, which firmware ran, and the range the information itself
 * occupies (reserved in the boot config). The memory map and the ACPI
 * root pointer are read by pmm's own reader, pmm_memmap_from_mb2()
 * (include/pmm/firmware.h): under UEFI GRUB passes both the EFI memory map
 * tag (the firmware's descriptors, taken at ExitBootServices) and a
 * Multiboot2 map derived from them, and the reader takes the EFI one;
 * under BIOS only the Multiboot2 map (e820) exists. Everything here runs
 * once, before free_initmem.
 */
#include "kernel64.h"

#include <pmm/firmware.h>

enum {
	TAG_END = 0,
	TAG_CMDLINE = 1,
	TAG_LOADER = 2,
	TAG_EFI64 = 12,
	TAG_EFI_MMAP = 17,
	TAG_EFI_BS = 18,
};

struct mb2_tag {
	uint32_t type;
	uint32_t size; /* header included, not the padding to 8 */
};

/* Remember the tags the kernel itself uses (pmm reads the map). */
static __pmm_init void scan_tags(const uint8_t *mbi, struct kernel_boot_data *bd)
{
	const uint32_t total = *(const uint32_t *)mbi;
	bool efi_mmap = false;

	for (uint32_t off = 8; off + sizeof(struct mb2_tag) <= total;) {
		const struct mb2_tag *t = (const void *)(mbi + off);
		if (t->type == TAG_END)
			break;
		switch (t->type) {
		case TAG_CMDLINE: bd->cmdline = (const char *)(t + 1); break;
		case TAG_LOADER: bd->loader = (const char *)(t + 1); break;
		case TAG_EFI_MMAP: efi_mmap = true; bd->fw = KERNEL_FW_UEFI; break;
		case TAG_EFI64: bd->fw = KERNEL_FW_UEFI; break;
		case TAG_EFI_BS:
			kernel_panic("multiboot2: EFI boot services still run; "
				     "the header must not ask to keep them");
		}
		off += (t->size + 7u) & ~7u;
	}
	bd->map_source = efi_mmap ? "EFI memory map tag"
				  : "Multiboot2 memory map tag";
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
	uint32_t total = *(const uint32_t *)mbi;
	struct pmm_parse_error perr;

	bd->cmdline = bd->loader = "";
	bd->boot[bd->nr_boot++] = (struct kernel_range){
		"Multiboot2 information", mbi_pa, mbi_pa + total };
	scan_tags(mbi, bd);
	bd->raw_map = kernel_brk_alloc(sizeof(*bd->raw_map), 8);
	pmm_memmap_init(bd->raw_map);
	pmm_fw_info_init(&bd->fw_info);
	int err = pmm_memmap_from_mb2(bd->raw_map, &bd->fw_info, mbi, total,
				      &perr);
	if (err)
		pmm_printk("multiboot2: %s\n", perr.msg);
	return err;
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
