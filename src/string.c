/* SPDX-License-Identifier: MIT */
/*
 * string.c - the few memory and string helpers a libc-free core needs.
 */
#include <pmm/platform.h>

void pmm_memset(void *dst, int c, size_t n)
{
	unsigned char *d = dst;
	while (n--)
		*d++ = (unsigned char)c;
}

void pmm_memcpy(void *dst, const void *src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;
	while (n--)
		*d++ = *s++;
}

int pmm_memcmp(const void *a, const void *b, size_t n)
{
	const unsigned char *x = a, *y = b;
	for (; n; n--, x++, y++)
		if (*x != *y)
			return *x < *y ? -1 : 1;
	return 0;
}

size_t pmm_strlen(const char *s)
{
	size_t n = 0;
	while (s[n])
		n++;
	return n;
}
