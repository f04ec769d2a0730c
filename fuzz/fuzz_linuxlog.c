/* SPDX-License-Identifier: MIT */
/*
 * fuzz_linuxlog.c - libFuzzer target: the text of a Linux boot log (and the
 * same bytes as a kernel command line) through everything pmm reads from a
 * log besides its firmware map: mem=/memmap= and vmalloc=
 * (pmm_memmap_apply_cmdline, pmm_linux_cmdline_vmalloc), the e820 edit
 * lines of every era (pmm_memmap_apply_log_edits), a 32-bit kernel's
 * lowmem lines (pmm_linux_log_lowmem), its user-defined and 2.6 modified
 * maps (pmm_memmap_parse_log_map) and their comparison (pmm_memmap_diff).
 *
 * Checks: every failure is PMM_EPARSE or PMM_EFULL with a message and
 * leaves its output byte for byte as it was; what succeeds is in range
 * (a vmalloc reserve of 8 MiB to 4 GiB, a page-aligned lowmem end of at
 * most 4097 MiB, a map within the table, a diff index inside the maps).
 */
#include "fuzz_memmap_check.h"

#include <pmm/cmdline.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define UNTOUCHED 0x5a5a5a5a5a5a5a5aull

static void check_failure(const char *what, int err, const struct pmm_parse_error *e,
			  const void *out, const void *before, size_t n)
{
	if (err != PMM_EPARSE && err != PMM_EFULL)
		FUZZ_FAIL("%s: unexpected error %d", what, err);
	if (memcmp(out, before, n) != 0)
		FUZZ_FAIL("%s: failed (%d) and changed its output", what, err);
	if (e->msg[0] == '\0' || memchr(e->msg, 0, sizeof(e->msg)) == NULL)
		FUZZ_FAIL("%s: failed without a message", what);
}

/* A small PC map to edit. */
static void pc_map(struct pmm_memmap *m)
{
	pmm_memmap_init(m);
	pmm_memmap_add(m, 0, 0x9fc00, PMM_MEM_USABLE);
	pmm_memmap_add(m, 0xf0000, 0x100000, PMM_MEM_RESERVED);
	pmm_memmap_add(m, 0x100000, 0x7ffe0000, PMM_MEM_USABLE);
}

static void fuzz_cmdline(const char *cmdline)
{
	static struct pmm_memmap m, before;
	struct pmm_parse_error e = { 0, "" };
	uint64_t r = UNTOUCHED, r0 = UNTOUCHED;
	pc_map(&m);
	before = m;
	int err = pmm_memmap_apply_cmdline(&m, cmdline, &e);
	if (err)
		check_failure("apply_cmdline", err, &e, &m, &before, sizeof(m));
	memset(&e, 0, sizeof(e));
	err = pmm_linux_cmdline_vmalloc(cmdline, &r, &e);
	if (err)
		check_failure("cmdline_vmalloc", err, &e, &r, &r0, sizeof(r));
	else if (r != 0 && (r < ((uint64_t)8 << 20) || r > ((uint64_t)4 << 30)))
		FUZZ_FAIL("vmalloc reserve %llu out of range", (unsigned long long)r);
}

static void fuzz_edits_and_lowmem(const char *text, size_t len)
{
	static struct pmm_memmap m, before;
	struct pmm_parse_error e = { 0, "" };
	uint64_t end = UNTOUCHED, end0 = UNTOUCHED;
	pc_map(&m);
	before = m;
	int err = pmm_memmap_apply_log_edits(&m, text, len, &e);
	if (err)
		check_failure("apply_log_edits", err, &e, &m, &before, sizeof(m));
	else
		fuzz_check_sanitize(&m, 0);
	memset(&e, 0, sizeof(e));
	err = pmm_linux_log_lowmem(text, len, &end, &e);
	if (err)
		check_failure("log_lowmem", err, &e, &end, &end0, sizeof(end));
	else if ((end & 0xfff) || end > ((uint64_t)4097 << 20))
		FUZZ_FAIL("lowmem end 0x%llx out of range", (unsigned long long)end);
}

static void fuzz_log_map(const char *text, size_t len, const char *label)
{
	static struct pmm_memmap m, before, pc;
	struct pmm_parse_error e = { 0, "" };
	unsigned int index = 0;
	char msg[192];
	pc_map(&m);
	before = m;
	int err = pmm_memmap_parse_log_map(&m, text, len, label, &e);
	if (err) {
		check_failure(label, err, &e, &m, &before, sizeof(m));
		return;
	}
	if (m.nr > PMM_MEMMAP_MAX)
		FUZZ_FAIL("%s: %u entries", label, m.nr);
	pc_map(&pc);
	err = pmm_memmap_diff(&m, &pc, &index, msg, sizeof(msg));
	if (err < 0 && err != PMM_EFULL)
		FUZZ_FAIL("diff: unexpected error %d", err);
	if (err == 1 && (index >= PMM_MEMMAP_MAX || memchr(msg, 0, sizeof(msg)) == NULL))
		FUZZ_FAIL("diff: index %u", index);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	fuzz_cmdline(text);
	fuzz_edits_and_lowmem(text, size);
	fuzz_log_map(text, size, "user:");
	fuzz_log_map(text, size, "modified:");
	free(text);
	return 0;
}
