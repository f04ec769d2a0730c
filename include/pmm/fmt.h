/* SPDX-License-Identifier: MIT */
/*
 * pmm/fmt.h - formatted text without libc.
 *
 * Conversions: %d %i %u %x %X %c %s %p %%, flags '-' and '0', a width (or
 * '*'), a precision for %s, length modifiers hh h l ll z j t.
 */
#ifndef PMM_FMT_H
#define PMM_FMT_H

#include <stdarg.h>
#include <pmm/platform.h>

/* Write formatted text to @out. Return: bytes written. */
size_t pmm_fmt(const struct pmm_out *out, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
size_t pmm_vfmt(const struct pmm_out *out, const char *fmt, va_list ap);

/*
 * snprintf: at most @size - 1 bytes and a NUL into @buf.
 * Return: the length the whole text has (>= @size means it was cut).
 */
size_t pmm_snprintf(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
size_t pmm_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);

/* A sink into a fixed buffer; text beyond its size is counted, not kept. */
struct pmm_buf_out {
	struct pmm_out out;
	char *buf;
	size_t size;
	size_t len; /* bytes offered so far (may exceed size - 1) */
};

/* Make @b write into @buf of @size bytes, NUL-terminated as it goes. */
void pmm_buf_out_init(struct pmm_buf_out *b, char *buf, size_t size);

#endif /* PMM_FMT_H */
