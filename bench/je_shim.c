/* SPDX-License-Identifier: MIT */
/*
 * je_shim.c - jemalloc's posix_memalign() and free() under private names.
 *
 * Linked into a shared object together with jemalloc's static archive and
 * a version script that exports only these two symbols, so the process
 * keeps glibc's malloc while the bench calls jemalloc's own (Debian's
 * libjemalloc.so exports the plain malloc names, and a dlopen() of it fails
 * for want of static TLS).
 */
#include <stddef.h>

int posix_memalign(void **ptr, size_t align, size_t size);
void free(void *ptr);

int bench_je_posix_memalign(void **ptr, size_t align, size_t size);
void bench_je_free(void *ptr);

int bench_je_posix_memalign(void **ptr, size_t align, size_t size)
{
	return posix_memalign(ptr, align, size);
}

void bench_je_free(void *ptr)
{
	free(ptr);
}
