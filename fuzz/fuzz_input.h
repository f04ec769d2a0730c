/* SPDX-License-Identifier: MIT */
/*
 * fuzz_input.h - what every operation-sequence fuzz target shares: reading
 * the fuzzer's bytes (past the end they read as zero) and failing loudly
 * with the operation number when the model and pmm disagree.
 */
#ifndef PMM_FUZZ_INPUT_H
#define PMM_FUZZ_INPUT_H

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

struct fuzz_in {
	const uint8_t *p;
	size_t n;
};

static inline uint8_t fuzz_u8(struct fuzz_in *in)
{
	if (in->n == 0)
		return 0;
	in->n--;
	return *in->p++;
}

static inline uint32_t fuzz_u16(struct fuzz_in *in)
{
	uint32_t hi = fuzz_u8(in);
	return hi << 8 | fuzz_u8(in);
}

/* Print "@who: op @op: ..." and abort, so the fuzzer keeps the input. */
static inline __attribute__((noreturn)) void
fuzz_vfail(const char *who, unsigned int op, const char *fmt, va_list ap)
{
	fprintf(stderr, "%s: op %u: ", who, op);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	abort();
}

#endif /* PMM_FUZZ_INPUT_H */
