/* SPDX-License-Identifier: MIT */
/*
 * string.c - the few memory and string helpers a libc-free core needs.
 */
#include <pmm/platform.h>

/* A word that may alias any object, for the bulk loop of pmm_memset(). */
typedef uint64_t __attribute__((may_alias)) pmm_word_t;

/*
 * Bytes up to an 8-byte boundary, then whole words, then the tail: page
 * poisoning and GFP_ZERO fill whole blocks with it.
 */
void pmm_memset(void *dst, int c, size_t n)
{
	unsigned char *d = dst;
	unsigned char b = (unsigned char)c;
	while (n != 0 && ((uintptr_t)d & 7) != 0) {
		*d++ = b;
		n--;
	}
	pmm_word_t w = 0x0101010101010101ull * b;
	for (; n >= 8; n -= 8, d += 8)
		*(pmm_word_t *)(void *)d = w;
	while (n--)
		*d++ = b;
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
