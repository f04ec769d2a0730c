/* SPDX-License-Identifier: MIT */
/*
 * memmap_data.c - see memmap_data.h. Host code: uses libc freely.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "memmap_data.h"

char *memmap_data_read(const char *name, size_t *len)
{
	char path[512];
	const char *here = __FILE__;
	const char *slash = strrchr(here, '/');
	int dirlen = slash ? (int)(slash - here) : 0;
	FILE *f;
	char *buf;
	long size;

	if (slash)
		snprintf(path, sizeof(path), "%.*s/../data/%s", dirlen, here, name);
	else
		snprintf(path, sizeof(path), "../data/%s", name);
	f = fopen(path, "rb");
	if (!f) {
		snprintf(path, sizeof(path), "tests/data/%s", name);
		f = fopen(path, "rb");
	}
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	size = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)size + 1);
	if (buf && fread(buf, 1, (size_t)size, f) != (size_t)size) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	if (!buf)
		return NULL;
	buf[size] = '\0';
	*len = (size_t)size;
	return buf;
}

static int parse_node_line(const char *s, bool pfn_form,
			   struct memmap_node_line *l)
{
	unsigned long long a, b;
	const char *p;
	int nid;

	if (pfn_form) {
		if (sscanf(s, " %d: 0x%llx -> 0x%llx", &nid, &a, &b) != 3)
			return 0;
		l->start = (pmm_phys_t)a << 12;
		l->end = (pmm_phys_t)b << 12;
		l->nid = nid;
		return 1;
	}
	p = strstr(s, "node ");
	if (!p || sscanf(p, "node %d: [mem 0x%llx-0x%llx]", &nid, &a, &b) != 3)
		return 0;
	l->start = a;
	l->end = (pmm_phys_t)b + 1;
	l->nid = nid;
	return 1;
}

unsigned int memmap_data_node_lines(const char *text, size_t len,
				    struct memmap_node_line *out,
				    unsigned int max)
{
	bool in_early = false, pfn_form = false;
	unsigned int n = 0;
	size_t pos = 0;

	while (pos < len && n < max) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t end = nl ? (size_t)(nl - text) : len;
		char line[512];
		size_t l = end - pos < sizeof(line) - 1 ? end - pos : sizeof(line) - 1;

		memcpy(line, text + pos, l);
		line[l] = '\0';
		pos = end + 1;
		if (strstr(line, "Early memory node ranges")) {
			in_early = true;
			pfn_form = false;
			continue;
		}
		if (strstr(line, "early_node_map")) {
			in_early = true;
			pfn_form = true;
			continue;
		}
		if (!in_early)
			continue;
		if (parse_node_line(line, pfn_form, &out[n]))
			n++;
		else
			in_early = false;
	}
	return n;
}

uint64_t memmap_data_node_bytes(const struct memmap_node_line *l,
				unsigned int n, pmm_phys_t limit)
{
	uint64_t sum = 0;
	unsigned int i;

	for (i = 0; i < n; i++) {
		pmm_phys_t end = l[i].end;

		if (limit && end > limit)
			end = limit;
		if (end > l[i].start)
			sum += end - l[i].start;
	}
	return sum;
}

int memmap_data_memory_k(const char *text, size_t len, uint64_t *total,
			 uint64_t *absent)
{
	const char *p = text, *end = text + len;
	unsigned long long avail, tot, abs_k;
	char unit;

	*absent = 0;
	while (p < end) {
		const char *hit = memmem(p, (size_t)(end - p), "Memory: ", 8);

		if (!hit)
			return 0;
		if (sscanf(hit, "Memory: %llu%c/%lluk", &avail, &unit, &tot) == 3 ||
		    sscanf(hit, "Memory: %lluK/%lluK", &avail, &tot) == 2) {
			const char *a = strstr(hit, "k absent");
			const char *nl = memchr(hit, '\n', (size_t)(end - hit));

			*total = tot;
			if (a && (!nl || a < nl)) {
				while (a > hit && a[-1] >= '0' && a[-1] <= '9')
					a--;
				if (sscanf(a, "%llu", &abs_k) == 1)
					*absent = abs_k;
			}
			return 1;
		}
		p = hit + 8;
	}
	return 0;
}

unsigned int memmap_data_count_lines(const char *text, size_t len,
				     const char *needle)
{
	unsigned int n = 0;
	size_t pos = 0, nlen = strlen(needle);

	while (pos < len) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t end = nl ? (size_t)(nl - text) : len;
		size_t i;

		for (i = pos; i + nlen <= end; i++) {
			if (memcmp(text + i, needle, nlen) == 0) {
				n++;
				break;
			}
		}
		pos = end + 1;
	}
	return n;
}

void memmap_data_fill(struct pmm_memmap *m, const uint64_t (*e)[3],
		      unsigned int n)
{
	unsigned int i;

	pmm_memmap_init(m);
	for (i = 0; i < n; i++) {
		m->entry[i].start = e[i][0];
		m->entry[i].end = e[i][1];
		m->entry[i].type = (uint32_t)e[i][2];
	}
	m->nr = n;
}
