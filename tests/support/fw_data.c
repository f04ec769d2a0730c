/* SPDX-License-Identifier: MIT */
/*
 * fw_data.c - see fw_data.h. Host code: uses libc freely. The "efi: mem"
 * line reader here is deliberately not the one in src/: the tests compare
 * the two.
 */
#include <stdio.h>
#include <string.h>

#include "fw_data.h"

void fw_put16le(unsigned char *p, uint16_t v)
{
	p[0] = (unsigned char)v;
	p[1] = (unsigned char)(v >> 8);
}

void fw_put32le(unsigned char *p, uint32_t v)
{
	fw_put16le(p, (uint16_t)v);
	fw_put16le(p + 2, (uint16_t)(v >> 16));
}

void fw_put64le(unsigned char *p, uint64_t v)
{
	fw_put32le(p, (uint32_t)v);
	fw_put32le(p + 4, (uint32_t)(v >> 32));
}

void fw_put32be(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)(v >> 24);
	p[1] = (unsigned char)(v >> 16);
	p[2] = (unsigned char)(v >> 8);
	p[3] = (unsigned char)v;
}

void fw_put64be(unsigned char *p, uint64_t v)
{
	fw_put32be(p, (uint32_t)(v >> 32));
	fw_put32be(p + 4, (uint32_t)v);
}

static const char *const type_names[] = {
	"Reserved", "Loader Code", "Loader Data", "Boot Code", "Boot Data",
	"Runtime Code", "Runtime Data", "Conventional", "Unusable",
	"ACPI Reclaim", "ACPI Mem NVS", "MMIO", "MMIO Port", "PAL Code",
	"Persistent", "Unaccepted",
};

static uint32_t type_of(const char *name)
{
	uint32_t i;

	for (i = 0; i < sizeof(type_names) / sizeof(type_names[0]); i++)
		if (strcmp(name, type_names[i]) == 0)
			return i;
	return 0xffffffffu;
}

static uint64_t attrs_of(const char *cols)
{
	uint64_t a = 0;

	if (strstr(cols, "|RUN|"))
		a |= PMM_EFI_MEMORY_RUNTIME;
	if (strstr(cols, "|WB|"))
		a |= PMM_EFI_MEMORY_WB;
	if (strstr(cols, "|WT|"))
		a |= PMM_EFI_MEMORY_WT;
	if (strstr(cols, "|WC|"))
		a |= PMM_EFI_MEMORY_WC;
	if (strstr(cols, "|UC]"))
		a |= PMM_EFI_MEMORY_UC;
	if (strstr(cols, "|MR|"))
		a |= PMM_EFI_MEMORY_MORE_RELIABLE;
	if (strstr(cols, "|SP|"))
		a |= PMM_EFI_MEMORY_SP;
	return a;
}

/* One line: Return 1 and fill *d, or 0 when it is no map line. */
static int efi_line(const char *line, struct pmm_efi_desc *d, unsigned int *idx)
{
	const char *p = strstr(line, "efi: mem");
	char name[32], cols[128];
	unsigned long long a, b;
	char *end;

	if (!p || sscanf(p, "efi: mem%u: [%31[^|]%127[^]]] range=[%llx-%llx]",
			 idx, name, cols, &a, &b) != 5)
		return 0;
	for (end = name + strlen(name); end > name && end[-1] == ' '; end--)
		end[-1] = '\0';
	strcat(cols, "]");
	memset(d, 0, sizeof(*d));
	d->type = type_of(name);
	d->phys_start = a;
	d->num_pages = (b - a + 1) >> 12;
	d->attribute = attrs_of(cols);
	return 1;
}

unsigned int fw_data_efi_lines(const char *text, struct pmm_efi_desc *out,
			       unsigned int max)
{
	unsigned int n = 0, idx;
	const char *line = text;
	char buf[512];

	while (line && *line && n < max) {
		size_t len = strcspn(line, "\n");

		snprintf(buf, sizeof(buf), "%.*s", (int)len, line);
		if (efi_line(buf, &out[n], &idx)) {
			if (idx == 0 && n > 0)
				break; /* the runtime map starts over */
			n++;
		}
		line = strchr(line, '\n');
		if (line)
			line++;
	}
	return n;
}

size_t fw_data_efi_binary(unsigned char *buf, size_t size,
			  const struct pmm_efi_desc *d, unsigned int n,
			  uint32_t stride)
{
	unsigned int i;

	if ((size_t)n * stride > size)
		return 0;
	memset(buf, 0xa5, (size_t)n * stride);
	for (i = 0; i < n; i++) {
		unsigned char *p = buf + (size_t)i * stride;

		fw_put32le(p, d[i].type);
		fw_put32le(p + 4, 0);
		fw_put64le(p + 8, d[i].phys_start);
		fw_put64le(p + 16, d[i].virt_start);
		fw_put64le(p + 24, d[i].num_pages);
		fw_put64le(p + 32, d[i].attribute);
	}
	return (size_t)n * stride;
}

void fw_data_acpi_fix_checksum(unsigned char *t, size_t len)
{
	unsigned int sum = 0;
	size_t i;

	t[9] = 0;
	for (i = 0; i < len; i++)
		sum += t[i];
	t[9] = (unsigned char)(0x100 - (sum & 0xff));
}

void fw_snap_reset(struct fw_snap *s)
{
	pmm_memmap_init(&s->m);
	pmm_fw_info_init(&s->fw);
	memset(&s->err, 0, sizeof(s->err));
}

void fw_snap_take(struct fw_snap *s)
{
	s->m0 = s->m;
	s->fw0 = s->fw;
	memset(&s->err, 0, sizeof(s->err));
}

int fw_snap_same(const struct fw_snap *s)
{
	return memcmp(&s->m, &s->m0, sizeof(s->m)) == 0 &&
	       memcmp(&s->fw, &s->fw0, sizeof(s->fw)) == 0;
}
