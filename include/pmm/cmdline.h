/* SPDX-License-Identifier: MIT */
/*
 * pmm/cmdline.h - what a Linux kernel command line and a Linux boot log do
 * to the firmware map before zones are built: mem=, memmap= (all forms but
 * the %-retyping one) and the log's own "e820: update" / "e820: remove"
 * lines. Everything here edits a struct pmm_memmap before
 * pmm_memmap_sanitize(); none of it allocates.
 */
#ifndef PMM_CMDLINE_H
#define PMM_CMDLINE_H

#include <pmm/memmap.h>

/*
 * Apply the memory options of the kernel command line @cmdline (NUL
 * terminated; other words are ignored) to @m, left to right, as x86 Linux
 * does: mem=SIZE drops RAM at and above SIZE; memmap=SIZE@ADDR adds RAM,
 * SIZE$ADDR reserved, SIZE#ADDR ACPI data, SIZE!ADDR persistent memory
 * (type 12), SIZE alone is mem=SIZE, exactmap empties the map first; one
 * memmap= may list several, separated by commas. SIZE and ADDR take
 * Linux's memparse form (0x hex, K/M/G/T/P/E suffixes).
 * Return: 0; PMM_EPARSE with @err naming the word, or PMM_EFULL when the
 * edited map needs more entries than it holds; either way @m is unchanged
 * (options are checked first, then applied to a copy that replaces @m).
 */
int pmm_memmap_apply_cmdline(struct pmm_memmap *m, const char *cmdline,
			     struct pmm_parse_error *err);

/*
 * Apply the "e820: update [mem A-B] T1 ==> T2" and "e820: remove [mem A-B]
 * T" lines of the boot log @text (@len bytes, any line prefix) to @m, in
 * order; 2.6's "e820 update range: A - B (T1) ==> (T2)" and "e820 remove
 * range: A - B (T)" (end exclusive) too. Return: 0, PMM_EPARSE (@err
 * names the line) or PMM_EFULL; on error @m is unchanged (the lines apply
 * to a copy that replaces @m).
 */
int pmm_memmap_apply_log_edits(struct pmm_memmap *m, const char *text,
			       size_t len, struct pmm_parse_error *err);

/*
 * Copy the log's "Command line: " text (the first such line; else the
 * first "Kernel command line: ", all a 32-bit kernel prints) into @buf of
 * @size bytes, NUL terminated. Return: its length, or -1 if the log has
 * none or it does not fit.
 */
int pmm_linux_log_cmdline(const char *text, size_t len, char *buf, size_t size);

/* The guard hole 32-bit x86 Linux adds to vmalloc=SIZE (VMALLOC_OFFSET). */
#define PMM_I386_VMALLOC_GUARD ((uint64_t)8 << 20)

/*
 * Find the i386 kernel option vmalloc=SIZE in @cmdline (the last one wins,
 * as in Linux) and set *@reserve to what Linux reserves for it, SIZE +
 * 8 MiB (pmm_boot_config's vmalloc_reserve), or 0 when there is none.
 * Return: 0; PMM_EPARSE (@err names the word: not a size, or 4G - 8M and
 * more, which a 32-bit kernel cannot hold) or PMM_EINVAL (NULL); on error
 * *@reserve is untouched.
 */
int pmm_linux_cmdline_vmalloc(const char *cmdline, uint64_t *reserve,
			      struct pmm_parse_error *err);

/*
 * Where a 32-bit Linux log says lowmem ended (HighMem began): exactly, from
 * "low ram: 0 - HEX" or the "HighMem  [mem 0xHEX-" zone line, else from
 * "NNNMB LOWMEM available." with "NNNMB HIGHMEM available.": whole MiB,
 * made exact as Linux computed it (VMALLOC_END sits 2 pages below a 2 MiB
 * boundary; the vmalloc reserve comes from the log's vmalloc= or is
 * 128 MiB). With no HighMem, the end of the MiB that holds all RAM.
 * *@end is 0 when the log has none of these lines.
 * Return: 0; PMM_EPARSE with @err naming the line (a malformed line, 0MB
 * or more than 4096MB of lowmem, or lines that disagree); PMM_EINVAL
 * (NULL). On error *@end is untouched.
 */
int pmm_linux_log_lowmem(const char *text, size_t len, uint64_t *end,
			 struct pmm_parse_error *err);

/*
 * Read the last run of the log's map lines labelled @label ("user:" for the
 * user-defined physical RAM map, "modified:" for 2.6's modified map) into
 * @m, replacing what it held (no entry when the log has none).
 * Return: 0, PMM_EPARSE (a malformed line of that map, @err says which),
 * PMM_EFULL, PMM_EINVAL (NULL). On error @m is unchanged.
 * Context: boot time, one caller at a time (a static scratch map).
 */
int pmm_memmap_parse_log_map(struct pmm_memmap *m, const char *text, size_t len,
			     const char *label, struct pmm_parse_error *err);

/*
 * Compare the map Linux printed (@linux_map) with pmm's (@pmm_map) after
 * sanitizing copies of both alike (sorted, merged, usable page-trimmed).
 * Return: 0 when they are the same; 1 when they differ, with *@index the
 * first entry of the sanitized maps that differs and @msg (@size bytes)
 * naming both versions of it; PMM_EFULL when a copy cannot be sanitized,
 * PMM_EINVAL (NULL). Context: boot time, one caller at a time (static
 * copies), as pmm_memmap_sanitize().
 */
int pmm_memmap_diff(const struct pmm_memmap *linux_map,
		    const struct pmm_memmap *pmm_map, unsigned int *index,
		    char *msg, size_t size);

#endif /* PMM_CMDLINE_H */
