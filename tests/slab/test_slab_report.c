/* SPDX-License-Identifier: MIT */
/*
 * test_slab_report.c - /proc/slabinfo's format and figures, and
 * pmm_slab_check() finding each kind of broken invariant (white box: the
 * corruptions are made through the slab layer's own structures, then
 * undone).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include <pmm/check.h>

#include "../../src/slab/slab_fast.h"
#include "host_platform.h"
#include "slab_setup.h"

/* The header lines are Linux's, byte for byte; an empty layer prints
 * only them. */
static void test_report_header(void **state)
{
	(void)state;
	char *t = slab_info_text();
	assert_string_equal(t,
		"slabinfo - version: 2.1\n"
		"# name            <active_objs> <num_objs> <objsize> <objperslab> "
		"<pagesperslab> : tunables <limit> <batchcount> <sharedfactor> : "
		"slabdata <active_slabs> <num_slabs> <sharedavail>\n");
	free(t);
}

/*
 * 70 objects of 100 bytes (slot 104, 36 per page): two slabs, both active,
 * 72 objects; freeing 40 parks some in the CPU array and leaves 30 held.
 */
static void test_report_line(void **state)
{
	(void)state;
	struct pmm_kmem_cache *c = pmm_kmem_cache_create("dentry_like", 100, 8, 0, NULL);
	void *p[70];
	for (int i = 0; i < 70; i++)
		p[i] = pmm_kmem_cache_alloc(c, 0);
	struct pmm_slab_stats st;
	pmm_kmem_cache_stats(c, &st);
	char *t = slab_info_text();
	struct slab_info_line l;
	assert_true(slab_info_find(t, "dentry_like", &l));
	assert_int_equal(l.active, 70);
	assert_int_equal(l.objsize, 104);
	assert_int_equal(l.perslab, st.objs_per_slab);
	assert_int_equal(l.objs, st.slabs * st.objs_per_slab);
	assert_int_equal(l.pages, 1);
	assert_int_equal(l.limit, 64);
	assert_int_equal(l.batch, 32);
	assert_int_equal(l.shared, 0);
	assert_int_equal(l.slabs, st.slabs);
	assert_int_equal(l.active_slabs, st.slabs);
	assert_int_equal(l.avail, 0);
	/* The columns line up as Linux's do: name padded to 17. */
	assert_non_null(strstr(t, "\ndentry_like       "));
	free(t);
	for (int i = 0; i < 40; i++)
		pmm_kmem_cache_free(c, p[i]);
	t = slab_info_text();
	assert_true(slab_info_find(t, "dentry_like", &l));
	assert_int_equal(l.active, 30);
	free(t);
	for (int i = 40; i < 70; i++)
		pmm_kmem_cache_free(c, p[i]);
	pmm_kmem_cache_shrink(c);
	t = slab_info_text();
	assert_true(slab_info_find(t, "dentry_like", &l));
	assert_int_equal(l.active, 0);
	assert_int_equal(l.slabs, 0);
	free(t);
	/* Newest cache first. */
	pmm_kmem_cache_create("newer", 8, 0, 0, NULL);
	t = slab_info_text();
	assert_true(strstr(t, "\nnewer ") < strstr(t, "\ndentry_like "));
	free(t);
}

/* A cache with one slab: p0 allocated, p1 freed onto the CPU array with
 * the rest of the first batch (objects 1..31), the others (32..) on the
 * slab's free stack. */
struct fixture {
	struct pmm_kmem_cache *c;
	struct slab *s;
	void *p0, *p1;
};

static void fixture_make(struct fixture *f)
{
	f->c = pmm_kmem_cache_create("chk", 64, 0, 0, NULL);
	f->p0 = pmm_kmem_cache_alloc(f->c, 0);
	f->p1 = pmm_kmem_cache_alloc(f->c, 0);
	pmm_kmem_cache_free(f->c, f->p1);
	f->s = slab_of_trusted(f->c, f->p0);
	assert_null(pmm_slab_check());
}

static void expect(const char *what)
{
	const char *e = pmm_slab_check();
	assert_non_null(e);
	if (strstr(e, what) == NULL)
		fail_msg("check said \"%s\", wanted \"%s\"", e, what);
}

static void test_check_alloc_bit(void **state)
{
	(void)state;
	struct fixture f;
	fixture_make(&f);
	_Atomic uint8_t *map = slab_state_map(f.c, f.s);
	atomic_store(&map[0], SLAB_OBJ_FREE); /* p0: no longer allocated */
	expect("object 0 of slab pfn");
	atomic_store(&map[0], SLAB_OBJ_ALLOCATED);
	atomic_store(&map[1], SLAB_OBJ_ALLOCATED); /* p1 (in the CPU array) */
	expect("allocated and in a CPU array");
	atomic_store(&map[1], SLAB_OBJ_FREE);
	atomic_store(&map[40], SLAB_OBJ_ALLOCATED); /* object 40 (on the stack) */
	/* The slab's pfn depends on where the buddy allocator placed it. */
	expect("object 40 of slab pfn 0x");
	expect("is allocated and in its free stack");
	atomic_store(&map[40], 7); /* neither state */
	expect("has state byte 0x7");
	atomic_store(&map[40], SLAB_OBJ_FREE);
	assert_null(pmm_slab_check());
	pmm_kmem_cache_free(f.c, f.p0);
}

static void test_check_stack(void **state)
{
	(void)state;
	struct fixture f;
	fixture_make(&f);
	uint16_t *stack = slab_stack(f.c, f.s);
	uint16_t keep = stack[0];
	stack[0] = stack[1];
	expect("free twice");
	stack[0] = 9999;
	expect("holds index 9999");
	stack[0] = keep;
	f.s->nr_free--; /* the top entry drops off the stack */
	expect("is neither allocated nor free (lost)");
	f.s->nr_free++;
	uint32_t n = f.s->nr_free;
	f.s->nr_free = f.c->objs_per_slab + 1;
	expect("free of");
	f.s->nr_free = n;
	assert_null(pmm_slab_check());
	pmm_kmem_cache_free(f.c, f.p0);
}

static void test_check_lists_and_counts(void **state)
{
	(void)state;
	struct fixture f;
	fixture_make(&f);
	f.s->list = SLAB_FULL;
	expect("list 0");
	f.s->list = SLAB_PARTIAL;
	f.c->inuse++;
	expect("objects out of the slabs");
	f.c->inuse--;
	f.c->nr_list[SLAB_EMPTY]++;
	expect("list 2 holds 0 slabs, counted 1");
	f.c->nr_list[SLAB_EMPTY]--;
	f.s->magic = 1;
	expect("magic 0x1");
	f.s->magic = SLAB_MAGIC;
	f.s->next = f.s; /* a cycle */
	expect("longer than the 1 slabs");
	f.s->next = NULL;
	struct slab_cpu *ac = slab_cpu(f.c, 0);
	ac->avail += f.c->limit;
	expect("CPU 0 array holds");
	ac->avail -= f.c->limit;
	f.s->owner = 1; /* it is on CPU 0's lists */
	expect("on CPU 0's list 0: magic 0x51ab51ab");
	f.s->owner = 0;
	void *keep = ac->entry[0];
	ac->entry[0] = (char *)f.p0 + 1;
	expect("CPU 0 array entry 0");
	ac->entry[0] = f.p0;
	expect("allocated and in a CPU array");
	ac->entry[0] = keep;
	assert_null(pmm_slab_check());
	pmm_kmem_cache_free(f.c, f.p0);
}

/* The slab's pages must still be the cache's allocated block. */
static void test_check_pages(void **state)
{
	(void)state;
	struct fixture f;
	fixture_make(&f);
	struct pmm_page *pg = pmm_pfn_to_page(f.s->pfn);
	uint32_t keep = pg->next;
	pg->next ^= 1;
	expect("is not an allocated order-0 block tagged");
	pg->next = keep;
	f.c->magic = 0;
	expect("descriptor (magic 0x0)");
	f.c->magic = CACHE_MAGIC;
	f.c->desc_order++;
	expect("descriptor (magic 0xcac4e0)");
	f.c->desc_order--;
	assert_null(pmm_slab_check());
	pmm_kmem_cache_free(f.c, f.p0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_report_header, slab_fixture_setup, slab_fixture_teardown),
		cmocka_unit_test_setup_teardown(test_report_line, slab_fixture_setup, slab_fixture_teardown),
		cmocka_unit_test_setup_teardown(test_check_alloc_bit, slab_fixture_setup, slab_fixture_teardown),
		cmocka_unit_test_setup_teardown(test_check_stack, slab_fixture_setup, slab_fixture_teardown),
		cmocka_unit_test_setup_teardown(test_check_lists_and_counts, slab_fixture_setup, slab_fixture_teardown),
		cmocka_unit_test_setup_teardown(test_check_pages, slab_fixture_setup, slab_fixture_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
