/* SPDX-License-Identifier: MIT */
/*
 * libc.c - the four functions gcc may call on its own in freestanding code
 * (struct copies, large initialisers), mapped onto pmm's helpers.
 */
#include "kernel.h"

/* The C library's contracts; each returns as the standard says. Any context. */
void *memset(void *dst, int c, size_t n);
void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
int memcmp(const void *a, const void *b, size_t n);

void *memset(void *dst, int c, size_t n)
{
	pmm_memset(dst, c, n);
	return dst;
}

void *memcpy(void *dst, const void *src, size_t n)
{
	pmm_memcpy(dst, src, n);
	return dst;
}

void *memmove(void *dst, const void *src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;

	if (d <= s || d >= s + n) {
		pmm_memcpy(dst, src, n);
		return dst;
	}
	while (n--)
		d[n] = s[n];
	return dst;
}

int memcmp(const void *a, const void *b, size_t n)
{
	return pmm_memcmp(a, b, n);
}
