/* SPDX-License-Identifier: MIT */
/*
 * memmap_linux7.c - the e820 type labels of Linux boot logs, old and new.
 *
 * Up to 6.x Linux printed an e820 line as
 *   BIOS-e820: [mem 0x0000000000000000-0x000000000009fbff] usable
 * Since 7.0 (2026) it prints two spaces before a new set of labels and
 * shows the holes between entries as lines of their own:
 *   BIOS-e820: [mem 0x0000000000000000-0x000000000009fbff]  System RAM
 *   BIOS-e820: [mem 0x000000000009fc00-0x000000000009ffff]  device reserved
 *   BIOS-e820: [gap 0x00000000000a0000-0x00000000000effff]
 * A gap line describes no memory. This file owns the label table (both
 * generations) and the gap test; memmap_dmesg.c finds the lines.
 */
#include "memmap_fw.h"

static const struct {
	const char *label;
	uint32_t type;
} e820_labels[] = {
	{ "usable", PMM_MEM_USABLE },
	{ "System RAM", PMM_MEM_USABLE },        /* 7.0 */
	{ "reserved", PMM_MEM_RESERVED },
	{ "device reserved", PMM_MEM_RESERVED }, /* 7.0 */
	{ "ACPI data", PMM_MEM_ACPI },
	{ "ACPI NVS", PMM_MEM_NVS },
	{ "unusable", PMM_MEM_UNUSABLE },
	{ "soft reserved", PMM_MEM_SOFT_RESERVED },
	{ "persistent RAM", PMM_MEM_PMEM },      /* 7.0, without a number */
};

/* [p, end) with spaces trimmed at both ends. */
struct span {
	const char *p;
	const char *end;
};

static struct span trim(const char *s, size_t n)
{
	struct span t = { s, s + n };

	while (t.p < t.end && (*t.p == ' ' || *t.p == '\t'))
		t.p++;
	while (t.end > t.p && (t.end[-1] == ' ' || t.end[-1] == '\t' ||
			       t.end[-1] == '\r'))
		t.end--;
	return t;
}

static bool take(struct span *t, const char *s)
{
	return fw_accept(&t->p, t->end, s);
}

static bool is(struct span t, const char *s)
{
	return take(&t, s) && t.p == t.end;
}

static bool take_dec(struct span *t, uint32_t *v)
{
	return fw_dec32(&t->p, t->end, v);
}

/* "type N", "persistent (type N)", "persistent RAM (type N)". */
static bool numbered(struct span t, uint32_t *type)
{
	bool paren = take(&t, "persistent RAM (") || take(&t, "persistent (");
	uint32_t v;

	if (!take(&t, "type ") || !take_dec(&t, &v))
		return false;
	if (paren && !take(&t, ")"))
		return false;
	if (t.p != t.end)
		return false;
	*type = v ? v : PMM_MEM_RESERVED; /* 0 is no e820 type */
	return true;
}

/**
 * pmm_e820_label_type - the e820 type a boot-log label names.
 * @s: the label text (spaces around it are ignored).
 * @n: its length.
 * @type: receives the type.
 *
 * Return: true when the label is known, false otherwise (*@type untouched).
 */
bool pmm_e820_label_type(const char *s, size_t n, uint32_t *type)
{
	struct span t = trim(s, n);
	size_t i;

	for (i = 0; i < sizeof(e820_labels) / sizeof(e820_labels[0]); i++) {
		if (is(t, e820_labels[i].label)) {
			*type = e820_labels[i].type;
			return true;
		}
	}
	return numbered(t, type);
}

/**
 * pmm_e820_is_gap - is this the body of a 7.0 "[gap a-b]" line?
 * @s: the text after the "BIOS-e820:" label.
 * @n: its length.
 *
 * Return: true for "[gap " followed by anything.
 */
bool pmm_e820_is_gap(const char *s, size_t n)
{
	struct span t = trim(s, n);

	return take(&t, "[gap ");
}
