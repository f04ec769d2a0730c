/* SPDX-License-Identifier: MIT */
/*
 * fmt.c - printf-style formatting for a core that links no libc.
 *
 * Text goes to a struct pmm_out sink in small pieces; pmm_snprintf() is a
 * sink that fills a buffer. Used by logs and every report.
 */
#include <pmm/fmt.h>

struct spec {
	bool left;
	bool zero;
	unsigned int width;
	int precision; /* -1: none */
	int length;    /* 0, 'H' (hh), 'h', 'l', 'L' (ll), 'z', 'j', 't' */
};

static void emit(const struct pmm_out *out, const char *s, size_t n,
		 size_t *count)
{
	if (n == 0)
		return;
	if (out->write)
		out->write(out->ctx, s, n);
	*count += n;
}

static void emit_pad(const struct pmm_out *out, char c, size_t n, size_t *count)
{
	char pad[16];
	pmm_memset(pad, c, sizeof(pad));
	while (n > 0) {
		size_t k = n < sizeof(pad) ? n : sizeof(pad);
		emit(out, pad, k, count);
		n -= k;
	}
}

static void emit_field(const struct pmm_out *out, const struct spec *sp,
		       const char *s, size_t n, size_t *count)
{
	size_t pad = sp->width > n ? sp->width - n : 0;
	if (!sp->left)
		emit_pad(out, ' ', pad, count);
	emit(out, s, n, count);
	if (sp->left)
		emit_pad(out, ' ', pad, count);
}

static size_t utoa(uint64_t v, unsigned int base, bool upper, char *end)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char *p = end;
	do {
		*--p = digits[v % base];
		v /= base;
	} while (v);
	return (size_t)(end - p);
}

static void emit_number(const struct pmm_out *out, const struct spec *sp,
			uint64_t v, bool negative, unsigned int base,
			bool upper, const char *prefix, size_t *count)
{
	char buf[24];
	size_t n = utoa(v, base, upper, buf + sizeof(buf));
	const char *digits = buf + sizeof(buf) - n;
	size_t plen = pmm_strlen(prefix) + (negative ? 1u : 0u);
	size_t total = n + plen;
	size_t pad = sp->width > total ? sp->width - total : 0;

	if (!sp->left && !sp->zero)
		emit_pad(out, ' ', pad, count);
	if (negative)
		emit(out, "-", 1, count);
	emit(out, prefix, pmm_strlen(prefix), count);
	if (!sp->left && sp->zero)
		emit_pad(out, '0', pad, count);
	emit(out, digits, n, count);
	if (sp->left)
		emit_pad(out, ' ', pad, count);
}

static const char *parse_spec(const char *f, struct spec *sp, va_list *ap)
{
	sp->left = sp->zero = false;
	sp->width = 0;
	sp->precision = -1;
	sp->length = 0;
	for (;; f++) {
		if (*f == '-')
			sp->left = true;
		else if (*f == '0')
			sp->zero = true;
		else if (*f != ' ' && *f != '+' && *f != '#')
			break;
	}
	if (*f == '*') {
		int w = va_arg(*ap, int);
		sp->left = sp->left || w < 0;
		sp->width = (unsigned int)(w < 0 ? -w : w);
		f++;
	}
	while (*f >= '0' && *f <= '9')
		sp->width = sp->width * 10u + (unsigned int)(*f++ - '0');
	if (*f == '.') {
		f++;
		sp->precision = 0;
		if (*f == '*') {
			sp->precision = va_arg(*ap, int);
			f++;
		}
		while (*f >= '0' && *f <= '9')
			sp->precision = sp->precision * 10 + (*f++ - '0');
	}
	if (f[0] == 'h' && f[1] == 'h') {
		sp->length = 'H';
		f += 2;
	} else if (f[0] == 'l' && f[1] == 'l') {
		sp->length = 'L';
		f += 2;
	} else if (*f == 'h' || *f == 'l' || *f == 'z' || *f == 'j' ||
		   *f == 't') {
		sp->length = *f++;
	}
	return f;
}

static uint64_t arg_unsigned(const struct spec *sp, va_list *ap)
{
	switch (sp->length) {
	case 'H': return (unsigned char)va_arg(*ap, unsigned int);
	case 'h': return (unsigned short)va_arg(*ap, unsigned int);
	case 'l': return va_arg(*ap, unsigned long);
	case 'L': return va_arg(*ap, unsigned long long);
	case 'z': return va_arg(*ap, size_t);
	case 'j': return va_arg(*ap, uintmax_t);
	case 't': return (uint64_t)va_arg(*ap, ptrdiff_t);
	default: return va_arg(*ap, unsigned int);
	}
}

static int64_t arg_signed(const struct spec *sp, va_list *ap)
{
	switch (sp->length) {
	case 'H': return (signed char)va_arg(*ap, int);
	case 'h': return (short)va_arg(*ap, int);
	case 'l': return va_arg(*ap, long);
	case 'L': return va_arg(*ap, long long);
	case 'z': return (int64_t)va_arg(*ap, size_t);
	case 'j': return va_arg(*ap, intmax_t);
	case 't': return va_arg(*ap, ptrdiff_t);
	default: return va_arg(*ap, int);
	}
}

static void emit_string(const struct pmm_out *out, const struct spec *sp,
			const char *s, size_t *count)
{
	size_t n = 0;
	if (!s)
		s = "(null)";
	while ((sp->precision < 0 || n < (size_t)sp->precision) && s[n])
		n++;
	emit_field(out, sp, s, n, count);
}

static void emit_conversion(const struct pmm_out *out, char conv,
			    const struct spec *sp, va_list *ap, size_t *count)
{
	switch (conv) {
	case 'd':
	case 'i': {
		int64_t v = arg_signed(sp, ap);
		uint64_t mag = v < 0 ? 0u - (uint64_t)v : (uint64_t)v;
		emit_number(out, sp, mag, v < 0, 10, false, "", count);
		break;
	}
	case 'u':
		emit_number(out, sp, arg_unsigned(sp, ap), false, 10, false, "", count);
		break;
	case 'x':
	case 'X':
		emit_number(out, sp, arg_unsigned(sp, ap), false, 16, conv == 'X', "", count);
		break;
	case 'p':
		emit_number(out, sp, (uintptr_t)va_arg(*ap, void *), false, 16, false, "0x", count);
		break;
	case 'c': {
		char c = (char)va_arg(*ap, int);
		emit_field(out, sp, &c, 1, count);
		break;
	}
	case 's':
		emit_string(out, sp, va_arg(*ap, const char *), count);
		break;
	case '%':
		emit(out, "%", 1, count);
		break;
	default:
		emit(out, "%", 1, count);
		if (conv)
			emit(out, &conv, 1, count);
		break;
	}
}

size_t pmm_vfmt(const struct pmm_out *out, const char *fmt, va_list ap)
{
	size_t count = 0;
	va_list args;
	va_copy(args, ap);
	while (*fmt) {
		const char *lit = fmt;
		struct spec sp;
		while (*fmt && *fmt != '%')
			fmt++;
		emit(out, lit, (size_t)(fmt - lit), &count);
		if (!*fmt)
			break;
		fmt = parse_spec(fmt + 1, &sp, &args);
		emit_conversion(out, *fmt, &sp, &args, &count);
		if (*fmt)
			fmt++;
	}
	va_end(args);
	return count;
}

size_t pmm_fmt(const struct pmm_out *out, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	size_t n = pmm_vfmt(out, fmt, ap);
	va_end(ap);
	return n;
}

static void buf_write(void *ctx, const char *s, size_t n)
{
	struct pmm_buf_out *b = ctx;
	if (b->size > 0 && b->len < b->size - 1) {
		size_t room = b->size - 1 - b->len;
		pmm_memcpy(b->buf + b->len, s, n < room ? n : room);
	}
	b->len += n;
	if (b->size > 0)
		b->buf[b->len < b->size - 1 ? b->len : b->size - 1] = '\0';
}

void pmm_buf_out_init(struct pmm_buf_out *b, char *buf, size_t size)
{
	b->out.write = buf_write;
	b->out.ctx = b;
	b->buf = buf;
	b->size = size;
	b->len = 0;
	if (size > 0)
		buf[0] = '\0';
}

size_t pmm_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct pmm_buf_out b;
	pmm_buf_out_init(&b, buf, size);
	pmm_vfmt(&b.out, fmt, ap);
	return b.len;
}

size_t pmm_snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	size_t n = pmm_vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}
