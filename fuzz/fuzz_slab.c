/* SPDX-License-Identifier: MIT */
/*
 * fuzz_slab.c - libFuzzer target: slab layer operation sequences decoded
 * from the input - cache creation with any size, alignment and flags,
 * object and kmalloc allocations, frees, krealloc, shrink and destroy, bad
 * frees (interior pointers, pointers freed before), and the bulk calls
 * (batches of up to 16, all or none; a bulk free with a bad pointer, a
 * pointer freed before or one named twice among good ones), all on any of
 * four CPUs (so slabs move between CPUs' lists) - against a model of the
 * live allocations. Every call must return what the contract says (bad
 * frees an error, with counts unchanged and the good objects of a failed
 * bulk free still live), every allocation must keep its bytes until
 * freed, and pmm_slab_check() and pmm_check() must hold after the
 * sequence.
 */
#include <string.h>

#include <pmm/check.h>
#include <pmm/slab.h>

#include "buddy_setup.h"
#include "fuzz_input.h"
#include "host_platform.h"

#define NCACHES 4
#define NLIVE 64
#define NPAGES 2048u

struct fz_live {
	unsigned char *p;
	size_t size;
	int cache; /* -1: kmalloc */
	unsigned char pat;
};

static struct {
	struct pmm_kmem_cache *c[NCACHES];
	size_t csize[NCACHES];
	uint64_t count[NCACHES];
	struct fz_live live[NLIVE];
	unsigned int nlive, op;
	void *gone[8]; /* pointers freed, maybe handed out again */
	unsigned int ngone;
} fz;

static __attribute__((noreturn, format(printf, 1, 2))) void fail(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fuzz_vfail("fuzz_slab", fz.op, fmt, ap);
}

static void fill(struct fz_live *l)
{
	memset(l->p, l->pat, l->size < 48 ? l->size : 48);
	l->p[l->size - 1] = l->pat;
}

static void verify(const struct fz_live *l)
{
	size_t n = l->size < 48 ? l->size : 48;
	for (size_t i = 0; i < n; i++)
		if (l->p[i] != l->pat)
			fail("%p byte %zu changed", (void *)l->p, i);
	if (l->p[l->size - 1] != l->pat)
		fail("%p last byte changed", (void *)l->p);
}

static bool is_live(const void *p)
{
	for (unsigned int i = 0; i < fz.nlive; i++)
		if (fz.live[i].p == p)
			return true;
	return false;
}

static void add_live(unsigned char *p, size_t size, int cache, unsigned char pat)
{
	if (is_live(p))
		fail("%p handed out twice", (void *)p);
	struct fz_live *l = &fz.live[fz.nlive++];
	l->p = p;
	l->size = size;
	l->cache = cache;
	l->pat = pat;
	fill(l);
	if (cache >= 0)
		fz.count[cache]++;
}

static void op_create(struct fuzz_in *in)
{
	size_t size = fuzz_u16(in);
	uint8_t a = fuzz_u8(in), f = fuzz_u8(in);
	size_t align = a & 0x80 ? (size_t)a & 0x7f : (size_t)1 << (a % 14);
	unsigned int flags = f & 0x1f;
	if (f & 0x20)
		size *= 8;
	for (int k = 0; k < NCACHES; k++) {
		if (fz.c[k])
			continue;
		int err = 0;
		fz.c[k] = pmm_kmem_cache_create_err("fz", size, align,
						    flags, NULL, &err);
		if ((fz.c[k] == NULL) != (err != 0))
			fail("create: cache %p but err %d", (void *)fz.c[k], err);
		if ((size == 0 || align & (align - 1)) && err == 0)
			fail("create of size %zu align %zu succeeded", size, align);
		fz.csize[k] = size;
		return;
	}
}

static void op_alloc(struct fuzz_in *in)
{
	uint8_t b = fuzz_u8(in);
	int k = b % NCACHES;
	if (fz.nlive == NLIVE || fz.c[k] == NULL)
		return;
	unsigned char *p = pmm_kmem_cache_alloc(fz.c[k], b & 0x80 ? PMM_GFP_ZERO : 0);
	if (p == NULL)
		return;
	if (b & 0x80)
		for (size_t i = 0; i < fz.csize[k]; i++)
			if (p[i])
				fail("zeroed object has byte %zu set", i);
	add_live(p, fz.csize[k], k, (unsigned char)(b | 1));
}

static void op_kmalloc(struct fuzz_in *in)
{
	size_t size = fuzz_u16(in);
	uint8_t b = fuzz_u8(in);
	if (b & 1)
		size *= 16;
	if (fz.nlive == NLIVE)
		return;
	unsigned char *p = pmm_kmalloc(size, b & 2 ? PMM_GFP_DMA : 0);
	if (size == 0) {
		if (p != PMM_ZERO_SIZE_PTR)
			fail("kmalloc(0) gave %p", (void *)p);
		return;
	}
	if (p == NULL)
		return;
	if (pmm_ksize(p) < size)
		fail("ksize %zu < %zu", pmm_ksize(p), size);
	add_live(p, size, -1, (unsigned char)(b | 1));
}

static void remember_gone(void *p)
{
	fz.gone[fz.ngone++ % 8] = p;
}

static void op_free(struct fuzz_in *in)
{
	uint8_t b = fuzz_u8(in);
	if (fz.nlive == 0)
		return;
	unsigned int i = b % fz.nlive;
	struct fz_live l = fz.live[i];
	verify(&l);
	int err = l.cache >= 0 && (b & 0x80) ? pmm_kmem_cache_free(fz.c[l.cache], l.p)
					     : pmm_kfree(l.p);
	if (err)
		fail("free of live %p: %d", (void *)l.p, err);
	if (l.cache >= 0)
		fz.count[l.cache]--;
	fz.live[i] = fz.live[--fz.nlive];
	remember_gone(l.p);
}

static uint64_t total_allocated(void)
{
	uint64_t n = 0;
	for (int k = 0; k < NCACHES; k++) {
		struct pmm_slab_stats st;
		if (fz.c[k] && pmm_kmem_cache_stats(fz.c[k], &st) == 0)
			n += st.allocated;
	}
	return n;
}

static void op_bad_free(struct fuzz_in *in)
{
	uint8_t b = fuzz_u8(in), off = fuzz_u8(in);
	void *p = NULL;
	if (b & 1 && fz.nlive) {
		struct fz_live *l = &fz.live[b % fz.nlive];
		if (l->size < 2)
			return;
		p = l->p + 1 + off % (l->size - 1);
	} else if (fz.ngone) {
		p = fz.gone[b % (fz.ngone < 8 ? fz.ngone : 8)];
		if (is_live(p))
			return;
	}
	if (p == NULL)
		return;
	uint64_t before = total_allocated();
	int k = (b >> 1) % NCACHES;
	int err = fz.c[k] && b & 0x80 ? pmm_kmem_cache_free(fz.c[k], p) : pmm_kfree(p);
	if (err == 0)
		fail("bad free of %p succeeded", p);
	if (total_allocated() != before)
		fail("bad free of %p changed the counts", p);
}

static void op_realloc(struct fuzz_in *in)
{
	size_t size = fuzz_u16(in);
	uint8_t b = fuzz_u8(in);
	if (fz.nlive == 0)
		return;
	unsigned int i = b % fz.nlive;
	struct fz_live *l = &fz.live[i];
	if (l->cache >= 0 || size == 0)
		return;
	verify(l);
	unsigned char *p = pmm_krealloc(l->p, size, 0);
	if (p == NULL) {
		verify(l);
		return;
	}
	size_t keep = size < l->size ? size : l->size;
	for (size_t k = 0; k < keep && k < 48; k++)
		if (p[k] != l->pat)
			fail("krealloc lost byte %zu", k);
	if (p != l->p)
		remember_gone(l->p);
	struct fz_live n = { p, size, -1, l->pat };
	fz.live[i] = fz.live[--fz.nlive];
	add_live(n.p, n.size, -1, n.pat);
}

static void op_shrink_destroy(struct fuzz_in *in)
{
	uint8_t b = fuzz_u8(in);
	int k = b % NCACHES;
	if (fz.c[k] == NULL)
		return;
	if (!(b & 0x80)) {
		(void)pmm_kmem_cache_shrink(fz.c[k]);
		return;
	}
	int err = pmm_kmem_cache_destroy(fz.c[k]);
	if (err != (fz.count[k] ? PMM_EBUSY : 0))
		fail("destroy with %llu objects: %d",
		     (unsigned long long)fz.count[k], err);
	if (err == 0)
		fz.c[k] = NULL;
}

/* Up to 16 objects of one cache in one call: all of them, or none. */
static void op_alloc_bulk(struct fuzz_in *in)
{
	uint8_t b = fuzz_u8(in);
	int k = b % NCACHES;
	size_t n = (size_t)(b >> 2) % 17;
	void *objs[16];
	if (fz.c[k] == NULL || fz.nlive + n > NLIVE)
		return;
	uint64_t before = total_allocated();
	bool zero = b & 0x80;
	long got = pmm_kmem_cache_alloc_bulk(fz.c[k], zero ? PMM_GFP_ZERO : 0,
					     n, objs);
	if (got == 0) {
		if (total_allocated() != before)
			fail("failed bulk alloc of %zu changed the counts", n);
		return;
	}
	if (got != (long)n)
		fail("bulk alloc of %zu gave %ld", n, got);
	for (size_t i = 0; i < n; i++) {
		unsigned char *p = objs[i];
		for (size_t j = 0; zero && j < fz.csize[k]; j++)
			if (p[j])
				fail("zeroed bulk object has byte %zu set", j);
		add_live(p, fz.csize[k], k, (unsigned char)(b | 1));
	}
}

/* Return: true if live entry @i is a slab object, not a kmalloc block of
 * pages (which the bulk free does not take; krealloc may have shrunk its
 * recorded size below the largest class, so ask pmm_ksize()). */
static bool slab_object(unsigned int i)
{
	return fz.live[i].cache >= 0 ||
	       pmm_ksize(fz.live[i].p) <= PMM_KMALLOC_MAX_CACHE_SIZE;
}

/* Take the live entry @i out of the model after its object was freed. */
static void forget_live(unsigned int i)
{
	struct fz_live l = fz.live[i];
	if (l.cache >= 0)
		fz.count[l.cache]--;
	fz.live[i] = fz.live[--fz.nlive];
	remember_gone(l.p);
}

/* A pointer that is no allocated object, from @bad: inside a live one,
 * one freed before, or (@dup) the first of @objs again. NULL: none. */
static void *bad_pointer(uint8_t bad, void *const *objs, size_t n)
{
	if ((bad & 3) == 0 && n)
		return objs[0];
	if ((bad & 3) == 1 && fz.nlive) {
		struct fz_live *l = &fz.live[(bad >> 2) % fz.nlive];
		return l->size < 2 ? NULL : l->p + 1 + (bad >> 2) % (l->size - 1);
	}
	if (fz.ngone == 0)
		return NULL;
	void *p = fz.gone[(bad >> 2) % (fz.ngone < 8 ? fz.ngone : 8)];
	return is_live(p) ? NULL : p;
}

/* Free up to 8 live slab objects (and NULL entries) in one call, named
 * by their cache when they share one and the input says so; with a bad
 * pointer among them the call must fail and free none. */
static void op_free_bulk(struct fuzz_in *in)
{
	uint8_t b = fuzz_u8(in), bad = fuzz_u8(in);
	void *objs[10];
	unsigned int idx[8], n = 0, want = 1 + b % 8;
	if (fz.nlive == 0)
		return;
	for (unsigned int j = 0; j < fz.nlive && n < want; j++) {
		unsigned int i = (j + bad) % fz.nlive;
		if (slab_object(i)) {
			idx[n] = i;
			objs[n++] = fz.live[i].p;
		}
	}
	int k = n ? fz.live[idx[0]].cache : -1;
	for (unsigned int j = 1; j < n; j++)
		k = fz.live[idx[j]].cache == k ? k : -1;
	struct pmm_kmem_cache *c = k >= 0 && (b & 0x80) ? fz.c[k] : NULL;
	size_t total = n;
	if (b & 0x40)
		objs[total++] = NULL;
	void *wrong = b & 0x20 ? bad_pointer(bad, objs, n) : NULL;
	if (wrong)
		objs[total++] = wrong;
	uint64_t before = total_allocated();
	int err = pmm_kmem_cache_free_bulk(c, total, objs);
	if (wrong) {
		if (err == 0)
			fail("bulk free with the bad %p succeeded", wrong);
		if (total_allocated() != before)
			fail("failed bulk free changed the counts");
		for (unsigned int j = 0; j < n; j++)
			verify(&fz.live[idx[j]]);
		return;
	}
	if (err)
		fail("bulk free of %u live objects: %d", n, err);
	/* Forget from the highest index down: forget_live() moves the last
	 * entry into the hole. */
	for (unsigned int j = 0; j < n; j++)
		for (unsigned int m = j + 1; m < n; m++)
			if (idx[m] > idx[j]) {
				unsigned int t = idx[j];
				idx[j] = idx[m];
				idx[m] = t;
			}
	for (unsigned int j = 0; j < n; j++)
		forget_live(idx[j]);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };
	if (size < 2)
		return 0;
	memset(&fz, 0, sizeof(fz));
	if (buddy_setup_dma_normal(256, NPAGES) != 0 ||
	    pmm_slab_init(fuzz_u8(&in) & PMM_SLAB_DEBUG) != 0)
		fail("set-up failed");
	while (in.n) {
		fz.op++;
		switch (fuzz_u8(&in) % 11) {
		case 0: op_create(&in); break;
		case 1: op_alloc(&in); break;
		case 2: op_kmalloc(&in); break;
		case 3: op_free(&in); break;
		case 4: op_bad_free(&in); break;
		case 5: op_realloc(&in); break;
		case 6: op_shrink_destroy(&in); break;
		case 7: host_set_cpu(fuzz_u8(&in) % 4); break;
		case 8: op_alloc_bulk(&in); break;
		case 9: op_free_bulk(&in); break;
		default: {
			const char *e = pmm_slab_check();
			if (e)
				fail("%s", e);
		}
		}
	}
	const char *e = pmm_slab_check();
	if (e)
		fail("%s", e);
	while (fz.nlive)
		op_free(&(struct fuzz_in){ NULL, 0 });
	pmm_slab_shrink_all();
	if ((e = pmm_slab_check()) || (e = pmm_check()))
		fail("at the end: %s", e);
	buddy_teardown();
	return 0;
}
