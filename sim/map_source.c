/* SPDX-License-Identifier: MIT */
/*
 * map_source.c - see map_source.h. Host code (the simulator): uses libc
 * for string handling only; the reading itself is pmm's firmware readers.
 */
#include <string.h>

#include <pmm/cmdline.h>

#include "map_source.h"

static const char *const format_names[] = {
	[SIM_MAP_AUTO] = "auto",   [SIM_MAP_DMESG] = "dmesg",
	[SIM_MAP_EFI_LOG] = "efi-log", [SIM_MAP_EFI] = "efi",
	[SIM_MAP_MB2] = "mb2",     [SIM_MAP_FDT] = "fdt",
	[SIM_MAP_SRAT] = "srat",
};

int sim_map_format_parse(const char *name, enum sim_map_format *out)
{
	for (size_t i = 0; i < sizeof(format_names) / sizeof(format_names[0]); i++) {
		if (name && strcmp(name, format_names[i]) == 0) {
			*out = (enum sim_map_format)i;
			return 0;
		}
	}
	return -1;
}

const char *sim_map_format_name(enum sim_map_format f)
{
	if ((size_t)f >= sizeof(format_names) / sizeof(format_names[0]))
		return "?";
	return format_names[f];
}

/* Text: no NUL byte in the first 64 KiB. */
static bool looks_like_text(const char *buf, size_t len)
{
	return memchr(buf, '\0', len < 65536 ? len : 65536) == NULL;
}

/* An "efi: mem" followed by a digit anywhere in @buf. */
static bool has_efi_lines(const char *buf, size_t len)
{
	static const char label[] = "efi: mem";
	const size_t n = sizeof(label) - 1;

	for (size_t i = 0; i + n < len; i++)
		if (memcmp(buf + i, label, n) == 0 && buf[i + n] >= '0' &&
		    buf[i + n] <= '9')
			return true;
	return false;
}

enum sim_map_format sim_map_detect(const char *buf, size_t len)
{
	static const unsigned char fdt_magic[4] = { 0xd0, 0x0d, 0xfe, 0xed };

	if (len >= 4 && memcmp(buf, fdt_magic, 4) == 0)
		return SIM_MAP_FDT;
	if (len >= 36 && memcmp(buf, "SRAT", 4) == 0)
		return SIM_MAP_SRAT;
	if (!looks_like_text(buf, len))
		return SIM_MAP_AUTO;
	return has_efi_lines(buf, len) ? SIM_MAP_EFI_LOG : SIM_MAP_DMESG;
}

/* A SRAT describes where memory is; take the present part as RAM. */
static int srat_machine(struct pmm_memmap *m)
{
	for (unsigned int i = 0; i < m->nr_numa; i++) {
		const struct pmm_numa_range *r = &m->numa[i];
		int err;

		if (r->hotplug)
			continue;
		err = pmm_memmap_add(m, r->start, r->end, PMM_MEM_USABLE);
		if (err)
			return err;
	}
	return 0;
}

/*
 * The NUMA ranges of a log read by its efi: lines come from its SRAT lines,
 * which the e820 reader knows: read the log with it too, keep only those.
 * A log without e820 lines gives none (its NUMA lines are then ignored).
 */
static int add_log_numa(struct pmm_memmap *m, const char *buf, size_t len)
{
	static struct pmm_memmap text;
	struct pmm_parse_error ignored;

	pmm_memmap_init(&text);
	if (pmm_memmap_parse_dmesg(&text, buf, len, &ignored) != 0)
		return 0;
	for (unsigned int i = 0; i < text.nr_numa; i++)
		m->numa[m->nr_numa++] = text.numa[i];
	return 0;
}

int sim_map_read(struct pmm_memmap *m, struct pmm_fw_info *fw, const char *buf,
		 size_t len, enum sim_map_format fmt, uint32_t efi_desc_size,
		 struct pmm_parse_error *err)
{
	int ret;

	pmm_memmap_init(m);
	pmm_fw_info_init(fw);
	switch (fmt) {
	case SIM_MAP_DMESG:
		return pmm_memmap_parse_dmesg(m, buf, len, err);
	case SIM_MAP_EFI_LOG:
		ret = pmm_memmap_parse_efi_log(m, fw, buf, len, err);
		return ret ? ret : add_log_numa(m, buf, len);
	case SIM_MAP_EFI:
		return pmm_memmap_from_efi(m, fw, buf, len, efi_desc_size,
					   PMM_EFI_DESC_VERSION, err);
	case SIM_MAP_MB2:
		return pmm_memmap_from_mb2(m, fw, buf, len, err);
	case SIM_MAP_FDT:
		return pmm_memmap_from_fdt(m, fw, buf, len, err);
	case SIM_MAP_SRAT:
		ret = pmm_memmap_from_srat(m, fw, buf, len, err);
		return ret ? ret : srat_machine(m);
	default:
		if (err) {
			err->line = 0;
			strcpy(err->msg, "binary data: say which with --format efi|mb2|srat|fdt");
		}
		return PMM_EPARSE;
	}
}

pmm_phys_t sim_map_kernel_base(const struct pmm_memmap *m, uint64_t size)
{
	const pmm_phys_t pc = (pmm_phys_t)1 << 20;

	for (unsigned int i = 0; i < m->nr; i++) {
		const struct pmm_memmap_entry *e = &m->entry[i];
		pmm_phys_t start = e->start < pc ? pc : e->start;

		if (e->type != PMM_MEM_USABLE || start >= e->end)
			continue;
		start = (start + PMM_PAGE_SIZE - 1) & PMM_PAGE_MASK;
		if (start < e->end && e->end - start >= size)
			return start;
	}
	return pc;
}

/* The log's user-defined map against @m, the firmware map with its options. */
static int check_user_map(const struct pmm_memmap *m, const char *text, size_t len,
			  struct sim_linux_log *out, struct pmm_parse_error *err)
{
	static struct pmm_memmap user;
	unsigned int index;
	int ret = pmm_memmap_parse_log_map(&user, text, len, "user:", err);
	if (ret || user.nr == 0)
		return ret;
	ret = pmm_memmap_diff(&user, m, &index, out->user_map_diff,
			      sizeof(out->user_map_diff));
	out->user_map_differs = ret == 1;
	return ret < 0 ? ret : 0;
}

int sim_map_linux_edits(struct pmm_memmap *m, const char *text, size_t len,
			bool skip, bool i386, struct sim_linux_log *out,
			struct pmm_parse_error *err)
{
	static char cmdline[4096];
	int ret = 0;

	memset(out, 0, sizeof(*out));
	if (skip)
		return 0;
	if (pmm_linux_log_cmdline(text, len, cmdline, sizeof(cmdline)) >= 0) {
		ret = pmm_memmap_apply_cmdline(m, cmdline, err);
		if (!ret && i386)
			ret = pmm_linux_cmdline_vmalloc(cmdline, &out->vmalloc_reserve, err);
	}
	if (!ret)
		ret = check_user_map(m, text, len, out, err);
	if (!ret)
		ret = pmm_memmap_apply_log_edits(m, text, len, err);
	if (!ret && i386)
		ret = pmm_linux_log_lowmem(text, len, &out->lowmem_end, err);
	return ret;
}
