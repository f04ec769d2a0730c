/* SPDX-License-Identifier: MIT */
/*
 * alloc_libc.c - W1-W4 on what a user-space user would pick instead:
 * posix_memalign(4096, 4096 << order) from glibc, jemalloc and mimalloc,
 * in one process.
 *
 * glibc's is the process's own; jemalloc's comes through je_shim.c (a
 * private copy in a shared object); mimalloc's through dlopen() with
 * RTLD_LOCAL, so neither replaces glibc's malloc. These allocators touch
 * the memory they hand out (headers, page faults): that is their real cost.
 */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>

#include "bench.h"

int bench_je_posix_memalign(void **ptr, size_t align, size_t size);
void bench_je_free(void *ptr);

typedef int (*memalign_fn)(void **, size_t, size_t);
typedef void (*free_fn)(void *);
static memalign_fn mi_memalign;
static free_fn mi_free_fn;

int bench_libc_init(void)
{
	void *h = dlopen("libmimalloc.so.2", RTLD_NOW | RTLD_LOCAL);
	if (!h) {
		fprintf(stderr, "pmm-bench: %s (install libmimalloc-dev)\n",
			dlerror());
		return -1;
	}
	/* Object-to-function pointer casts through a union (ISO C). */
	union { void *obj; memalign_fn fn; } m = { dlsym(h, "mi_posix_memalign") };
	union { void *obj; free_fn fn; } f = { dlsym(h, "mi_free") };
	if (!m.obj || !f.obj) {
		fprintf(stderr, "pmm-bench: mimalloc lacks mi_posix_memalign\n");
		return -1;
	}
	mi_memalign = m.fn;
	mi_free_fn = f.fn;
	return 0;
}

static inline uint64_t glibc_alloc(unsigned int order)
{
	void *p;
	return posix_memalign(&p, PMM_PAGE_SIZE, PMM_PAGE_SIZE << order) ? 0 : (uint64_t)(uintptr_t)p;
}

static inline uint64_t je_alloc(unsigned int order)
{
	void *p;
	return bench_je_posix_memalign(&p, PMM_PAGE_SIZE, PMM_PAGE_SIZE << order) ? 0 : (uint64_t)(uintptr_t)p;
}

static inline uint64_t mi_alloc(unsigned int order)
{
	void *p;
	return mi_memalign(&p, PMM_PAGE_SIZE, PMM_PAGE_SIZE << order) ? 0 : (uint64_t)(uintptr_t)p;
}

#define BW_ADDR(h) (h)
#define BW_HAS_FREE(o) false
#define BW_FREE_2M() 0

#define BW_NAME glibcw
#define BW_ALLOC(o) glibc_alloc(o)
#define BW_FREE(h, o) free((void *)(uintptr_t)(h))
#include "workload.h"
#undef BW_NAME
#undef BW_ALLOC
#undef BW_FREE

#define BW_NAME jew
#define BW_ALLOC(o) je_alloc(o)
#define BW_FREE(h, o) bench_je_free((void *)(uintptr_t)(h))
#include "workload.h"
#undef BW_NAME
#undef BW_ALLOC
#undef BW_FREE

#define BW_NAME miw
#define BW_ALLOC(o) mi_alloc(o)
#define BW_FREE(h, o) mi_free_fn((void *)(uintptr_t)(h))
#include "workload.h"

static int libc_setup(uint64_t pages)
{
	(void)pages;
	return 0;
}

static void libc_teardown(void)
{
}

const struct bench_alloc bench_alloc_glibc = {
	.name = "glibc",
	.setup = libc_setup,
	.teardown = libc_teardown,
	.pair = glibcw_pair,
	.mixed = glibcw_mixed,
};

const struct bench_alloc bench_alloc_jemalloc = {
	.name = "jemalloc",
	.setup = libc_setup,
	.teardown = libc_teardown,
	.pair = jew_pair,
	.mixed = jew_mixed,
};

const struct bench_alloc bench_alloc_mimalloc = {
	.name = "mimalloc",
	.setup = libc_setup,
	.teardown = libc_teardown,
	.pair = miw_pair,
	.mixed = miw_mixed,
};
