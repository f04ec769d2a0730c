/* SPDX-License-Identifier: MIT */
/*
 * selftest.c - pmm on every CPU at once.
 *
 *   1. Quiet start: the slab layer is up, the test's cache exists, every
 *      kmalloc class it uses has its cache, every CPU drained its per-CPU
 *      lists (a cross-CPU call) and the slab caches are shrunk: the free
 *      page count now is the baseline.
 *   2. Work, on all CPUs at once: each allocates pages of mixed orders
 *      (0-9) and zones (any, DMA32, DMA; its own node or any), kmalloc
 *      objects of mixed sizes and objects of one shared cache; stamps
 *      each with its CPU and a sequence number; keeps up to ST_HELD and
 *      releases one when full - half of them freed locally, half posted
 *      to another CPU's mailbox, which that CPU frees after checking the
 *      stamp (a block handed out twice fails the check).
 *   3. Each CPU empties its mailbox; each CPU drains its per-CPU page
 *      lists (cross-CPU call); the boot CPU shrinks the slab caches.
 *   4. pmm_check() and pmm_slab_check() pass and the free page count is
 *      exactly the baseline.
 */
#include <pmm/buddy.h>
#include <pmm/check.h>
#include <pmm/slab.h>
#include <pmm/zone.h>
#include "kernel64.h"

#define ST_ROUNDS 4000u
#define ST_HELD 48u
#define MBOX_SLOTS 64u
#define STAMP_MAGIC 0x5a17c0de00000000ull
#define CACHE_OBJ_SIZE 96u

enum item_kind { ITEM_PAGES, ITEM_KMALLOC, ITEM_CACHE };

struct item {
	uint64_t addr;   /* physical = virtual (direct map) */
	uint64_t stamp;  /* written at addr; checked before the free */
	uint8_t kind;
	uint8_t order;
};

struct mailbox {
	struct kspin lock;
	unsigned int n;
	struct item it[MBOX_SLOTS];
};

struct st_cpu {
	struct item held[ST_HELD];
	unsigned int nheld;
	uint64_t rng;
	uint64_t seq;
	uint64_t allocs, pages, objs, fails, local_node;
	uint64_t freed_here, sent, received, errors;
};

static const pmm_order_t orders[] = { 0, 0, 1, 0, 2, 3, 0, 1, 4, 0, 5, 9,
				      0, 2, 3, 7, 6, 0, 8, 1 };
static const unsigned int zone_gfp[] = { PMM_GFP_KERNEL,
					 PMM_GFP_KERNEL | PMM_GFP_DMA32,
					 PMM_GFP_KERNEL | PMM_GFP_DMA,
					 PMM_GFP_USER_MOVABLE };
static const size_t kmalloc_sizes[] = { 8, 24, 64, 100, 200, 500, 1000,
					2000, 4000, 8000 };

static struct mailbox mbox[KERNEL64_MAX_CPUS];
static struct st_cpu st[KERNEL64_MAX_CPUS];
static struct pmm_kmem_cache *test_cache;

static uint64_t rnd(struct st_cpu *s)
{
	s->rng ^= s->rng << 13;
	s->rng ^= s->rng >> 7;
	s->rng ^= s->rng << 17;
	return s->rng;
}

static void error(struct st_cpu *s, const char *what, uint64_t addr)
{
	if (s->errors++ < 5)
		pmm_printk("pmm smp self-test: CPU %u: %s at 0x%llx\n",
			   kernel64_this_cpu(), what, (unsigned long long)addr);
}

/* Does a block of @gfp's zone request at @pfn lie where it must? */
static bool zone_fits(unsigned int gfp, pmm_pfn_t pfn, pmm_order_t order)
{
	pmm_phys_t end = PMM_PFN_PHYS(pfn + ((pmm_pfn_t)1 << order));

	if (gfp & PMM_GFP_DMA)
		return end <= (pmm_phys_t)16 << 20;
	if (gfp & PMM_GFP_DMA32)
		return end <= (pmm_phys_t)1 << 32;
	return true;
}

static bool alloc_pages_item(struct st_cpu *s, struct item *it)
{
	struct kcpu *c = this_kcpu();
	unsigned int gfp = zone_gfp[rnd(s) % 4];
	pmm_order_t order = orders[rnd(s) % (sizeof(orders) / sizeof(orders[0]))];
	bool local = rnd(s) & 1;
	struct pmm_page *pg = local ? pmm_alloc_pages_node(c->mem_node, gfp, order)
				    : pmm_alloc_pages(gfp, order);

	if (!pg)
		return false;
	pmm_pfn_t pfn = pmm_page_to_pfn(pg);
	if (!zone_fits(gfp, pfn, order))
		error(s, "block outside the zone asked for", PMM_PFN_PHYS(pfn));
	struct pmm_zone *z = pmm_pfn_zone(pfn);
	s->local_node += local && z && z->node == c->mem_node;
	it->addr = PMM_PFN_PHYS(pfn);
	it->kind = ITEM_PAGES;
	it->order = (uint8_t)order;
	s->pages += (uint64_t)1 << order;
	return true;
}

static bool alloc_obj_item(struct st_cpu *s, struct item *it, bool cache)
{
	size_t size = kmalloc_sizes[rnd(s) % (sizeof(kmalloc_sizes) /
					      sizeof(kmalloc_sizes[0]))];
	void *p = cache ? pmm_kmem_cache_alloc(test_cache, PMM_GFP_KERNEL)
			: pmm_kmalloc(size, PMM_GFP_KERNEL);

	if (!p)
		return false;
	it->addr = (uint64_t)(uintptr_t)p;
	it->kind = cache ? ITEM_CACHE : ITEM_KMALLOC;
	it->order = 0;
	s->objs++;
	return true;
}

/* Allocate one block or object and stamp it. Return: false when none. */
static bool alloc_item(struct st_cpu *s, struct item *it, unsigned int round)
{
	bool ok;

	switch (round % 4) {
	case 0: case 1: ok = alloc_pages_item(s, it); break;
	case 2: ok = alloc_obj_item(s, it, false); break;
	default: ok = alloc_obj_item(s, it, true); break;
	}
	if (!ok) {
		s->fails++;
		return false;
	}
	it->stamp = STAMP_MAGIC | (uint64_t)kernel64_this_cpu() << 40 | ++s->seq;
	*(volatile uint64_t *)KVIRT(it->addr) = it->stamp;
	s->allocs++;
	return true;
}

/* Check @it's stamp, then free it to pmm. */
static void free_item(struct st_cpu *s, const struct item *it)
{
	int err = 0;

	if (*(volatile uint64_t *)KVIRT(it->addr) != it->stamp)
		error(s, "stamp overwritten (a block handed out twice?)",
		      it->addr);
	if (it->kind == ITEM_PAGES)
		err = pmm_free_pages_addr(it->addr, it->order);
	else if (it->kind == ITEM_KMALLOC)
		err = pmm_kfree(KVIRT(it->addr));
	else
		err = pmm_kmem_cache_free(test_cache, KVIRT(it->addr));
	if (err)
		error(s, "free failed", it->addr);
	s->freed_here++;
}

/* Post @it to CPU @to's mailbox; Return: false when it is full. */
static bool post(unsigned int to, const struct item *it)
{
	struct mailbox *m = &mbox[to];
	bool ok;

	kspin_lock(&m->lock);
	ok = m->n < MBOX_SLOTS;
	if (ok)
		m->it[m->n++] = *it;
	kspin_unlock(&m->lock);
	return ok;
}

/* Free everything other CPUs posted to this one. */
static void mailbox_empty(struct st_cpu *s)
{
	struct mailbox *m = &mbox[kernel64_this_cpu()];
	struct item got[MBOX_SLOTS];
	unsigned int n;

	kspin_lock(&m->lock);
	n = m->n;
	for (unsigned int i = 0; i < n; i++)
		got[i] = m->it[i];
	m->n = 0;
	kspin_unlock(&m->lock);
	for (unsigned int i = 0; i < n; i++)
		free_item(s, &got[i]);
	s->received += n;
}

/* Release held item @i: to another CPU half of the time, else free it. */
static void release(struct st_cpu *s, unsigned int i)
{
	struct item it = s->held[i];
	unsigned int me = kernel64_this_cpu(), n = kernel64_nr_cpus;

	s->held[i] = s->held[--s->nheld];
	if (n > 1 && (rnd(s) & 1)) {
		unsigned int to = (me + 1 + (unsigned int)(rnd(s) % (n - 1))) % n;
		if (post(to, &it)) {
			s->sent++;
			return;
		}
	}
	free_item(s, &it);
}

static void work(void *arg)
{
	struct st_cpu *s = &st[kernel64_this_cpu()];

	(void)arg;
	s->rng = 0x9e3779b97f4a7c15ull * (kernel64_this_cpu() + 1);
	for (unsigned int r = 0; r < ST_ROUNDS; r++) {
		if ((r & 7) == 0)
			mailbox_empty(s);
		if (s->nheld == ST_HELD)
			release(s, (unsigned int)(rnd(s) % s->nheld));
		if (alloc_item(s, &s->held[s->nheld], r))
			s->nheld++;
	}
	while (s->nheld)
		release(s, s->nheld - 1);
}

static void mailbox_phase(void *arg)
{
	(void)arg;
	mailbox_empty(&st[kernel64_this_cpu()]);
}

/* The cross-CPU call: each CPU drains its own per-CPU page lists. */
static void drain_own_lists(void *arg)
{
	(void)arg;
	pmm_pcp_drain_cpu(kernel64_this_cpu());
}

/* Create the cache and every kmalloc cache the test uses, then go quiet. */
static bool prepare(void)
{
	int err = pmm_slab_init(0);

	if (err) {
		pmm_printk("pmm smp self-test: pmm_slab_init: %s\n",
			   pmm_strerror(err));
		return false;
	}
	test_cache = pmm_kmem_cache_create("kst-smp", CACHE_OBJ_SIZE, 8, 0,
					   NULL);
	if (!test_cache)
		return false;
	for (size_t i = 0; i < sizeof(kmalloc_sizes) / sizeof(kmalloc_sizes[0]);
	     i++)
		pmm_kfree(pmm_kmalloc(kmalloc_sizes[i], PMM_GFP_KERNEL));
	return true;
}

/* Quiet point: all mailboxes empty, slabs shrunk, every CPU's lists drained. */
static uint64_t settle(void)
{
	pmm_slab_shrink_all();
	kernel_smp_run(drain_own_lists, NULL);
	return pmm_nr_free_pages();
}

static bool report(uint64_t ns)
{
	uint64_t errors = 0;

	for (unsigned int i = 0; i < kernel64_nr_cpus; i++) {
		const struct st_cpu *s = &st[i];
		pmm_printk("pmm smp self-test: CPU %u node %d: %llu allocations "
			   "(%llu pages, %llu objects), %llu failed, %llu on "
			   "its node; freed %llu here, sent %llu, received "
			   "%llu\n", i, kernel64_cpus[i].node,
			   (unsigned long long)s->allocs,
			   (unsigned long long)s->pages,
			   (unsigned long long)s->objs,
			   (unsigned long long)s->fails,
			   (unsigned long long)s->local_node,
			   (unsigned long long)s->freed_here,
			   (unsigned long long)s->sent,
			   (unsigned long long)s->received);
		errors += s->errors;
	}
	pmm_printk("pmm smp self-test: %u CPUs at once, %llu ms, %llu errors\n",
		   kernel64_nr_cpus, (unsigned long long)(ns / 1000000u),
		   (unsigned long long)errors);
	return errors == 0;
}

bool kernel_smp_selftest(void)
{
	const char *bad;
	bool pass;

	if (!prepare())
		return false;
	uint64_t before = settle();
	pmm_printk("pmm smp self-test: %u CPUs, %u rounds each, baseline %llu "
		   "free pages\n", kernel64_nr_cpus, ST_ROUNDS,
		   (unsigned long long)before);
	uint64_t t0 = kernel_now_ns();
	kernel_smp_run(work, NULL);
	kernel_smp_run(mailbox_phase, NULL);
	pass = report(kernel_now_ns() - t0);
	uint64_t after = settle();
	pmm_printk("pmm smp self-test: per-CPU lists drained on every CPU: "
		   "%llu free pages, baseline %llu\n",
		   (unsigned long long)after, (unsigned long long)before);
	pass = pass && after == before;
	if ((bad = pmm_check()) != NULL || (bad = pmm_slab_check()) != NULL) {
		pmm_printk("pmm smp self-test: check: %s\n", bad);
		pass = false;
	}
	pmm_printk("pmm smp self-test: %s\n", pass ? "PASS" : "FAIL");
	return pass;
}
