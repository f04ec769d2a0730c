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
 * order. Return: 0, PMM_EPARSE (@err names the line) or PMM_EFULL.
 */
int pmm_memmap_apply_log_edits(struct pmm_memmap *m, const char *text,
			       size_t len, struct pmm_parse_error *err);

/*
 * Copy the log's "Command line: " text (the first such line) into @buf of
 * @size bytes, NUL terminated. Return: its length, or -1 if the log has
 * none or it does not fit.
 */
int pmm_linux_log_cmdline(const char *text, size_t len, char *buf, size_t size);

#endif /* PMM_CMDLINE_H */
