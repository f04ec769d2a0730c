/* SPDX-License-Identifier: MIT */
/*
 * multiboot.c - what the boot loader hands over (Multiboot v1): the memory
 * map, the command line, the modules, and where all of that lies, so that
 * the boot can reserve it before any allocator may hand it out.
 *
 * Everything here but the final check runs once, before free_initmem, so it
 * lives in .init.text. The check (kernel_multiboot_verify) runs after the
 * self-test: the loader's data must read as it did at boot, modules too.
 */
#include <pmm/init.h>
#include "kernel.h"

static __pmm_init void add_range(struct kernel_boot_data *bd, const char *what,
				 pmm_phys_t start, pmm_phys_t end)
{
	if (end <= start)
		return;
	if (bd->nr_boot == KERNEL_MAX_RANGES)
		kernel_panic("multiboot: more than %u boot data ranges; raise "
			     "KERNEL_MAX_RANGES", KERNEL_MAX_RANGES);
	bd->boot[bd->nr_boot++] = (struct kernel_range){ what, start, end };
}

static __pmm_init pmm_phys_t string_end(uint32_t pa)
{
	return pa + (pmm_phys_t)pmm_strlen(KVIRT(pa)) + 1;
}

/* Without a map (flag bit 6), build one from mem_lower and mem_upper. */
static __pmm_init int map_from_meminfo(const struct mb_info *mbi,
				       struct pmm_memmap *map)
{
	int err;

	if (!(mbi->flags & MB_INFO_MEMORY)) {
		pmm_printk("multiboot: the loader gave no memory information\n");
		return PMM_EINVAL;
	}
	pmm_printk("multiboot: no memory map; using mem_lower=%uK "
		   "mem_upper=%uK\n", mbi->mem_lower, mbi->mem_upper);
	err = pmm_memmap_add(map, 0, (pmm_phys_t)mbi->mem_lower << 10,
			     PMM_MEM_USABLE);
	if (!err)
		err = pmm_memmap_add(map, 1u << 20,
				     (1u << 20) + ((pmm_phys_t)mbi->mem_upper << 10),
				     PMM_MEM_USABLE);
	return err;
}

static __pmm_init int read_map(const struct mb_info *mbi,
			       struct kernel_boot_data *bd)
{
	int err;

	bd->raw_map = kernel_brk_alloc(sizeof(*bd->raw_map), 8);
	pmm_memmap_init(bd->raw_map);
	if (!(mbi->flags & MB_INFO_MEM_MAP))
		return map_from_meminfo(mbi, bd->raw_map);
	add_range(bd, "Multiboot memory map", mbi->mmap_addr,
		  (pmm_phys_t)mbi->mmap_addr + mbi->mmap_length);
	err = pmm_memmap_from_multiboot(bd->raw_map, KVIRT(mbi->mmap_addr),
					mbi->mmap_length);
	if (err)
		pmm_printk("multiboot: bad memory map at 0x%08x (%u bytes): %s\n",
			   mbi->mmap_addr, mbi->mmap_length, pmm_strerror(err));
	return err;
}

static __pmm_init void read_modules(const struct mb_info *mbi,
				    struct kernel_boot_data *bd)
{
	const struct mb_module *mod = KVIRT(mbi->mods_addr);

	if (!(mbi->flags & MB_INFO_MODS) || !mbi->mods_count)
		return;
	add_range(bd, "Multiboot module list", mbi->mods_addr,
		  (pmm_phys_t)mbi->mods_addr +
			  (pmm_phys_t)mbi->mods_count * sizeof(*mod));
	for (uint32_t i = 0; i < mbi->mods_count; i++) {
		const char *name = mod[i].string ? KVIRT(mod[i].string) : "";
		pmm_printk("multiboot: module %u [mem 0x%08x-0x%08x] %s\n", i,
			   mod[i].mod_start, mod[i].mod_end - 1, name);
		add_range(bd, "module", mod[i].mod_start, mod[i].mod_end);
		if (mod[i].string)
			add_range(bd, "module string", mod[i].string,
				  string_end(mod[i].string));
	}
}

/* FNV-1a over [@start, @end): cheap, and any changed byte shows. */
static uint32_t checksum(pmm_phys_t start, pmm_phys_t end)
{
	const unsigned char *p = KVIRT(start);
	uint32_t h = 2166136261u;

	for (pmm_phys_t i = 0; i < end - start; i++)
		h = (h ^ p[i]) * 16777619u;
	return h;
}

unsigned int kernel_multiboot_verify(const struct kernel_boot_data *bd)
{
	unsigned int changed = 0;

	for (unsigned int i = 0; i < bd->nr_boot; i++) {
		const struct kernel_range *r = &bd->boot[i];
		if (checksum(r->start, r->end) == bd->boot_sum[i])
			continue;
		pmm_printk("multiboot: %s [mem 0x%08llx-0x%08llx] changed "
			   "since boot\n", r->what, (unsigned long long)r->start,
			   (unsigned long long)r->end - 1);
		changed++;
	}
	pmm_printk("multiboot: boot data %s: %u ranges checked\n",
		   changed ? "CHANGED" : "intact", bd->nr_boot);
	return changed;
}

static __pmm_init void checksum_all(struct kernel_boot_data *bd)
{
	for (unsigned int i = 0; i < bd->nr_boot; i++)
		bd->boot_sum[i] = checksum(bd->boot[i].start, bd->boot[i].end);
}

__pmm_init int kernel_multiboot_read(uint32_t magic, uint32_t mbi_pa,
			  struct kernel_boot_data *bd)
{
	int err;

	const struct mb_info *mbi = KVIRT(mbi_pa);

	if (magic != MB_BOOT_MAGIC) {
		pmm_printk("multiboot: bad magic 0x%08x (want 0x%08x): not "
			   "booted by a Multiboot loader\n", magic, MB_BOOT_MAGIC);
		return PMM_EINVAL;
	}
	bd->mbi = mbi;
	bd->cmdline = "";
	add_range(bd, "Multiboot information", mbi_pa,
		  (pmm_phys_t)mbi_pa + sizeof(*mbi));
	if ((mbi->flags & MB_INFO_CMDLINE) && mbi->cmdline) {
		bd->cmdline = KVIRT(mbi->cmdline);
		add_range(bd, "command line", mbi->cmdline,
			  string_end(mbi->cmdline));
	}
	if ((mbi->flags & MB_INFO_LOADER_NAME) && mbi->boot_loader_name) {
		pmm_printk("multiboot: boot loader: %s\n",
			   (const char *)KVIRT(mbi->boot_loader_name));
		add_range(bd, "boot loader name", mbi->boot_loader_name,
			  string_end(mbi->boot_loader_name));
	}
	read_modules(mbi, bd);
	err = read_map(mbi, bd);
	checksum_all(bd);
	return err;
}

const char *kernel_cmdline_get(const char *cmdline, const char *key,
			       char *buf, size_t size)
{
	size_t klen = pmm_strlen(key);
	const char *p = cmdline;

	while (*p) {
		while (*p == ' ')
			p++;
		const char *tok = p;
		while (*p && *p != ' ')
			p++;
		if ((size_t)(p - tok) <= klen || tok[klen] != '=' ||
		    pmm_memcmp(tok, key, klen) != 0)
			continue;
		size_t n = (size_t)(p - tok) - klen - 1;
		if (n >= size)
			n = size - 1;
		pmm_memcpy(buf, tok + klen + 1, n);
		buf[n] = '\0';
		return buf;
	}
	return NULL;
}
