/* SPDX-License-Identifier: MIT */
/*
 * memmap_logline.h - a read position inside one line of a Linux boot log
 * and the few things the log readers match with it (not public): a
 * literal, a needle anywhere, hex digits with or without "0x". Used by
 * memmap_logedit.c (e820 edit lines, the command line) and
 * memmap_lowmem.c (a 32-bit kernel's lowmem lines).
 */
#ifndef PMM_MEMMAP_LOGLINE_H
#define PMM_MEMMAP_LOGLINE_H

#include <pmm/fmt.h>
#include <pmm/memmap.h>

/* A read position inside one line: [p, end). */
struct lcur {
	const char *p;
	const char *end;
};

static inline bool lc_accept(struct lcur *c, const char *s)
{
	size_t n = pmm_strlen(s);
	if ((size_t)(c->end - c->p) < n || pmm_memcmp(c->p, s, n) != 0)
		return false;
	c->p += n;
	return true;
}

/* Move @c just past the first @needle in it. Return: false if absent. */
static inline bool lc_find(struct lcur *c, const char *needle)
{
	size_t n = pmm_strlen(needle);
	for (const char *q = c->p; (size_t)(c->end - q) >= n; q++)
		if (pmm_memcmp(q, needle, n) == 0) {
			c->p = q + n;
			return true;
		}
	return false;
}

/* 1 to 16 hex digits, no prefix. */
static inline bool lc_hex_digits(struct lcur *c, uint64_t *v)
{
	unsigned int n = 0;
	*v = 0;
	for (; c->p < c->end && n < 17; c->p++, n++) {
		char ch = *c->p;
		unsigned int d = ch >= '0' && ch <= '9' ? (unsigned int)(ch - '0')
			: ch >= 'a' && ch <= 'f' ? (unsigned int)(ch - 'a' + 10)
			: ch >= 'A' && ch <= 'F' ? (unsigned int)(ch - 'A' + 10) : 16;
		if (d == 16)
			break;
		*v = *v << 4 | d;
	}
	return n > 0 && n <= 16;
}

static inline bool lc_hex(struct lcur *c, uint64_t *v)
{
	return lc_accept(c, "0x") && lc_hex_digits(c, v);
}

#endif /* PMM_MEMMAP_LOGLINE_H */
