/* SPDX-License-Identifier: MIT */
/*
 * exhaust.c - every free page allocated, by all CPUs at once, and each
 * page given to exactly one of them.
 *
 *   1. Quiet start (per-CPU lists drained on every CPU), watermarks at 0,
 *      and a bitmap of one bit per pfn taken from pmm itself.
 *   2. Every CPU allocates until nothing is left: requests cycle through
 *      the zones (any, DMA32, DMA, movable) and, for each, through the
 *      orders 10, 0, 3, 9, 1, 5, 8, 2, 7, 4, 6; when a (zone, order) pair
 *      fails, it and every higher order close for that zone. A second
 *      round empties what each CPU's own per-CPU lists still hold. For
 *      every block the CPU sets its pfns' bits with an atomic OR: a bit
 *      already set is a page handed out twice. The block must lie in
 *      usable RAM of the sanitized map, outside every range the kernel
 *      keeps (image, boot data, trampoline, page descriptors), and in the
 *      zone asked for. The blocks are listed in an array taken from pmm
 *      (room for max_pfn / 64 + 16384); only when it is full are they
 *      chained through their own first bytes, with a stamp. Writing into
 *      every block would make the host fault in a huge page for each
 *      2 MiB touched: under QEMU's -numa memory backends that cost
 *      ~2 ms each, 28 s for 9 GiB.
 *   3. The pages taken add up to the free count before; then every CPU
 *      frees the chain of the next CPU (cross-CPU frees), the watermarks
 *      come back, every CPU drains its lists, and the free count is
 *      exactly the one before.
 */
#include <pmm/buddy.h>
#include <pmm/zone.h>
#include "kernel64.h"

#define NR_REQ 4u
/* stamp: magic in bits 48-63, CPU 40-47, order 32-39, block number 0-31 */
#define EX_MAGIC 0xe8a0000000000000ull
#define EX_MAGIC_MASK 0xffff000000000000ull
#define MAX_ZONES (KERNEL64_MAX_NODES * PMM_NR_ZONES)
#ifndef LIST_PAGES_PER_ENTRY
#define LIST_PAGES_PER_ENTRY 64u /* list room: one block per 64 pages... */
#endif
#ifndef LIST_MIN_ENTRIES
#define LIST_MIN_ENTRIES 16384u  /* ...plus this many */
#endif

struct ex_block { /* at the start of every allocated block */
	uint64_t next; /* physical address of the next block, 0 at the end */
	uint64_t stamp;
};

struct ex_cpu {
	uint64_t head;  /* first block of this CPU's chain */
	uint64_t pages, blocks, errors;
	pmm_order_t closed[NR_REQ]; /* orders >= closed[r] fail for r */
};

static const pmm_order_t seq[] = { 10, 0, 3, 9, 1, 5, 8, 2, 7, 4, 6 };
static const unsigned int req_gfp[NR_REQ] = {
	PMM_GFP_KERNEL, PMM_GFP_KERNEL | PMM_GFP_DMA32,
	PMM_GFP_KERNEL | PMM_GFP_DMA, PMM_GFP_USER_MOVABLE };

static struct ex_cpu ex[KERNEL64_MAX_CPUS];
static uint64_t *seen;      /* one bit per pfn below pmm_max_pfn */
static pmm_order_t seen_order;
static uint64_t *listed;    /* blocks: pfn | cpu << 48 | order << 56 */
static pmm_order_t list_order;
static uint64_t list_cap, nr_listed;
static const struct pmm_memmap *ex_map;
static const struct kernel_range *ex_avoid;
static unsigned int ex_nr_avoid;
static uint64_t wmark[MAX_ZONES][PMM_NR_WMARK];

static void ex_error(struct ex_cpu *c, const char *what, pmm_phys_t pa,
		     pmm_order_t order)
{
	if (c->errors++ < 5)
		pmm_printk("pmm exhaust test: CPU %u: block 0x%llx order %u: "
			   "%s\n", kernel64_this_cpu(), (unsigned long long)pa,
			   order, what);
}

/*
 * Set the bits of [@pfn, @pfn + 2^@order), a word at a time (a block is
 * aligned to its size, so it fills whole words or part of one).
 * Return: false if any bit was set already.
 */
static bool mark_once(pmm_pfn_t pfn, pmm_order_t order)
{
	uint64_t pages = (uint64_t)1 << order;
	uint64_t mask = pages >= 64 ? ~0ull : ((1ull << pages) - 1) << (pfn % 64);
	bool fresh = true;

	for (pmm_pfn_t w = pfn / 64; w < (pfn + pages + 63) / 64; w++) {
		uint64_t old = __atomic_fetch_or(&seen[w], mask,
						 __ATOMIC_RELAXED);
		fresh &= !(old & mask);
	}
	return fresh;
}

static bool in_usable_ram(pmm_phys_t s, pmm_phys_t e)
{
	for (unsigned int i = 0; i < ex_map->nr; i++)
		if (ex_map->entry[i].type == PMM_MEM_USABLE &&
		    ex_map->entry[i].start <= s && e <= ex_map->entry[i].end)
			return true;
	return false;
}

static void check_block(struct ex_cpu *c, unsigned int gfp, pmm_pfn_t pfn,
			pmm_order_t order)
{
	pmm_phys_t s = PMM_PFN_PHYS(pfn), e = s + (PMM_PAGE_SIZE << order);

	if (!mark_once(pfn, order))
		ex_error(c, "page handed out twice", s, order);
	if (!in_usable_ram(s, e))
		ex_error(c, "not in usable RAM", s, order);
	for (unsigned int i = 0; i < ex_nr_avoid; i++)
		if (s < ex_avoid[i].end && ex_avoid[i].start < e)
			ex_error(c, ex_avoid[i].what, s, order);
	if (((gfp & PMM_GFP_DMA) && e > (pmm_phys_t)16 << 20) ||
	    ((gfp & PMM_GFP_DMA32) && e > (pmm_phys_t)1 << 32))
		ex_error(c, "outside the zone asked for", s, order);
}

/* Chain a small block through its own first bytes, stamped. */
static void chain_push(struct ex_cpu *c, pmm_pfn_t pfn, pmm_order_t order)
{
	struct ex_block *b = KVIRT(PMM_PFN_PHYS(pfn));

	b->next = c->head;
	b->stamp = EX_MAGIC | (uint64_t)kernel64_this_cpu() << 40 |
		   (uint64_t)order << 32 | (uint32_t)c->blocks;
	c->head = PMM_PFN_PHYS(pfn);
}

/* Note a block in the shared list; Return: false when the list is full. */
static bool list_note(pmm_pfn_t pfn, pmm_order_t order)
{
	uint64_t i = __atomic_fetch_add(&nr_listed, 1, __ATOMIC_RELAXED);

	if (i >= list_cap)
		return false;
	listed[i] = pfn | (uint64_t)order << 56 |
		    (uint64_t)kernel64_this_cpu() << 48;
	return true;
}

/* Try one (request, order) pair; Return: false when it failed. */
static bool take_one(struct ex_cpu *c, unsigned int r, pmm_order_t order)
{
	struct pmm_page *pg = pmm_alloc_pages(req_gfp[r], order);

	if (!pg)
		return false;
	pmm_pfn_t pfn = pmm_page_to_pfn(pg);
	check_block(c, req_gfp[r], pfn, order);
	if (!list_note(pfn, order))
		chain_push(c, pfn, order);
	c->pages += (uint64_t)1 << order;
	c->blocks++;
	return true;
}

/* Allocate until every (request, order) pair has failed. */
static void take_all(void *arg)
{
	struct ex_cpu *c = &ex[kernel64_this_cpu()];
	bool open = true;

	(void)arg;
	for (unsigned int r = 0; r < NR_REQ; r++)
		c->closed[r] = PMM_MAX_ORDER + 1;
	while (open) {
		open = false;
		for (unsigned int r = 0; r < NR_REQ; r++)
			for (unsigned int i = 0; i < sizeof(seq) / sizeof(seq[0]); i++) {
				if (seq[i] >= c->closed[r])
					continue;
				if (!take_one(c, r, seq[i]))
					c->closed[r] = seq[i];
				open = true;
			}
	}
}

/* Free the listed blocks of CPU @owner. */
static void free_listed(struct ex_cpu *c, unsigned int owner)
{
	uint64_t n = nr_listed < list_cap ? nr_listed : list_cap;

	for (uint64_t i = 0; i < n; i++) {
		if ((listed[i] >> 48 & 0xff) != owner)
			continue;
		pmm_pfn_t pfn = listed[i] & 0xffffffffffffull;
		pmm_order_t order = (pmm_order_t)(listed[i] >> 56);
		if (pmm_free_pages_addr(PMM_PFN_PHYS(pfn), order))
			ex_error(c, "free failed", PMM_PFN_PHYS(pfn), order);
	}
}

/* Free the blocks of the next CPU, checking each small one's stamp. */
static void free_next_chain(void *arg)
{
	unsigned int me = kernel64_this_cpu();
	unsigned int owner = (me + 1) % kernel64_nr_cpus;
	struct ex_cpu *c = &ex[me];

	(void)arg;
	free_listed(c, owner);
	for (uint64_t pa = ex[owner].head; pa;) {
		const struct ex_block *b = KVIRT(pa);
		uint64_t next = b->next, stamp = b->stamp;
		pmm_order_t order = (pmm_order_t)(stamp >> 32 & 0xff);
		if ((stamp & (EX_MAGIC_MASK | 0xff0000000000ull)) !=
		    (EX_MAGIC | (uint64_t)owner << 40))
			ex_error(c, "stamp overwritten", pa, order);
		else if (pmm_free_pages_addr(pa, order))
			ex_error(c, "free failed", pa, order);
		pa = next;
	}
}

static void drain_lists(void *arg)
{
	(void)arg;
	pmm_pcp_drain_cpu(kernel64_this_cpu());
}

static void watermarks(bool zero)
{
	unsigned int i = 0;

	for (struct pmm_zone *z = pmm_zone_first(); z && i < MAX_ZONES;
	     z = pmm_zone_next(z), i++) {
		if (zero)
			for (unsigned int w = 0; w < PMM_NR_WMARK; w++)
				wmark[i][w] = z->watermark[w];
		pmm_zone_set_watermarks(z, zero ? 0 : wmark[i][0],
					zero ? 0 : wmark[i][1],
					zero ? 0 : wmark[i][2]);
	}
}

/* Return: zeroed memory for @bytes from pmm (order in *@order), or NULL. */
static void *table_alloc(uint64_t bytes, pmm_order_t *order)
{
	for (*order = 0; (PMM_PAGE_SIZE << *order) < bytes; (*order)++)
		;
	if (*order > PMM_MAX_ORDER)
		return NULL;
	pmm_phys_t pa = pmm_get_free_pages(PMM_GFP_KERNEL | PMM_GFP_ZERO, *order);
	return pa ? KVIRT(pa) : NULL;
}

/* The pfn bitmap and the block list, before the baseline. */
static bool tables_alloc(void)
{
	seen = table_alloc((pmm_max_pfn + 63) / 64 * 8, &seen_order);
	list_cap = pmm_max_pfn / LIST_PAGES_PER_ENTRY + LIST_MIN_ENTRIES;
	listed = table_alloc(list_cap * 8, &list_order);
	nr_listed = 0;
	return seen && listed;
}

static void tables_free(void)
{
	pmm_free_pages_addr(KPHYS(seen), seen_order);
	pmm_free_pages_addr(KPHYS(listed), list_order);
}

static bool report(uint64_t before, uint64_t ns)
{
	uint64_t pages = 0, errors = 0;

	for (unsigned int i = 0; i < kernel64_nr_cpus; i++) {
		pmm_printk("pmm exhaust test: CPU %u took %llu pages in %llu "
			   "blocks\n", i, (unsigned long long)ex[i].pages,
			   (unsigned long long)ex[i].blocks);
		pages += ex[i].pages;
		errors += ex[i].errors;
	}
	pmm_printk("pmm exhaust test: %u CPUs took %llu pages of %llu free, "
		   "%llu ms, %llu errors\n", kernel64_nr_cpus,
		   (unsigned long long)pages, (unsigned long long)before,
		   (unsigned long long)(ns / 1000000u),
		   (unsigned long long)errors);
	return errors == 0 && pages == before;
}

bool kernel_smp_exhaust(const struct pmm_memmap *map,
			const struct kernel_range *avoid, unsigned int nr_avoid)
{
	ex_map = map;
	ex_avoid = avoid;
	ex_nr_avoid = nr_avoid;
	if (!tables_alloc()) {
		pmm_printk("pmm exhaust test: no room for the pfn bitmap\n");
		return false;
	}
	kernel_smp_run(drain_lists, NULL);
	uint64_t before = pmm_nr_free_pages();
	uint64_t t0 = kernel_now_ns();
	watermarks(true);
	kernel_smp_run(take_all, NULL);
	kernel_smp_run(take_all, NULL); /* what each CPU's lists still hold */
	bool pass = report(before, kernel_now_ns() - t0);
	kernel_smp_run(free_next_chain, NULL);
	watermarks(false);
	kernel_smp_run(drain_lists, NULL);
	uint64_t after = pmm_nr_free_pages();
	pmm_printk("pmm exhaust test: every chain freed by the next CPU: %llu "
		   "free pages, %llu before\n", (unsigned long long)after,
		   (unsigned long long)before);
	tables_free();
	pass = pass && after == before;
	pmm_printk("pmm exhaust test: %s\n", pass ? "PASS" : "FAIL");
	return pass;
}
