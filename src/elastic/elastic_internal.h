/* SPDX-License-Identifier: MIT */
/*
 * elastic_internal.h - what the files of src/elastic share: the block
 * table, the zone metadata each zone got from hotplug, the one-call-at-a-
 * time gate and the argument checks.
 *
 * Who owns what:
 *   memory_block.c  the table: set-up, queries, block info
 *   zone_meta.c     growing and shrinking zones onto new metadata
 *   hotplug.c       add, online, remove
 *   memmap_hot.c    the descriptors of added blocks (a virtual memmap)
 *   online_policy.c which zone a range goes to (online type, policy)
 *   offline.c       offline: isolate, evacuate, withdraw
 *   elastic_check.c the proof pmm_check() runs
 */
#ifndef PMM_ELASTIC_INTERNAL_H
#define PMM_ELASTIC_INTERNAL_H

#include <pmm/elastic.h>

#include "../base/platform_internal.h"

#define HP_HOT 0x1u     /* added after boot */
#define HP_COUNTED 0x2u /* its pages count in the zone's present as a block */
#define HP_MEMMAP_RANGE 0x4u /* its descriptors live in its first pages */
#define HP_MEMMAP_LATE 0x8u  /* its descriptors live in a late allocation */
#define HP_MEMMAP (HP_MEMMAP_RANGE | HP_MEMMAP_LATE)
#define HP_MIXED PMM_NR_ZONES /* zone byte of a boot block meeting several zones */

struct hp_block {
	uint8_t state; /* enum pmm_block_state */
	uint8_t zone;  /* enum pmm_zone_type, or HP_MIXED */
	uint8_t flags; /* HP_* */
	uint16_t nid;
};

_Static_assert(HP_MIXED <= UINT8_MAX && PMM_MAX_NUMNODES <= UINT16_MAX,
	       "a block's zone fits a byte, its node 16 bits");
_Static_assert(sizeof(struct hp_block) == 6, "a block table entry is 6 bytes");
_Static_assert(PMM_MEMORY_BLOCKS_MAX >= 1 && PMM_MEMORY_BLOCKS_MAX <= 1u << 20,
	       "block ids are unsigned ints; the table lives in .bss");

/* Metadata a zone got from hotplug (pages == 0: the boot's, never freed). */
struct hp_meta {
	pmm_pfn_t pfn;
	uint64_t pages;
};

struct hp_state {
	bool ready;
	int busy;                  /* a call runs (atomic exchange) */
	unsigned int shift;        /* log2 of pages per block */
	unsigned int nr;           /* blocks in the table */
	pmm_pfn_t boot_end;        /* zone metadata comes from [0, boot_end) */
	bool memmap_on_memory;     /* pmm_hotplug_config.memmap_on_memory */
	pmm_pfn_t bound[PMM_NR_ADDR_ZONES + 1];
	struct hp_block block[PMM_MEMORY_BLOCKS_MAX];
	struct hp_meta meta[PMM_MAX_NUMNODES][PMM_NR_ZONES];
	/* present pages of each zone outside counted blocks */
	uint64_t base_present[PMM_MAX_NUMNODES][PMM_NR_ZONES];
	/* the first page backing each block's descriptors (HP_MEMMAP_*) */
	pmm_pfn_t memmap_pfn[PMM_MEMORY_BLOCKS_MAX];
};

extern struct hp_state pmm_hp;

static inline pmm_pfn_t hp_block_pages(void)
{
	return (pmm_pfn_t)1 << pmm_hp.shift;
}

/* Return: pages in a block of order @order. */
static inline pmm_pfn_t hp_order_pages(pmm_order_t order)
{
	return (pmm_pfn_t)1 << order;
}

static inline pmm_pfn_t hp_block_pfn(unsigned int id)
{
	return (pmm_pfn_t)id << pmm_hp.shift;
}

/* Return: true when block @b lies in zone @type of node @nid (a mixed boot
 * block lies in every zone it met). */
static inline bool hp_block_in(const struct hp_block *b, int nid,
			       unsigned int type)
{
	return b->state == PMM_BLOCK_ONLINE &&
	       (b->zone == HP_MIXED || (b->zone == type && b->nid == nid));
}

/*
 * Check the byte range of a call and turn it into blocks [*first,
 * *first + *n). Return: 0, PMM_ESTATE, PMM_EINVAL, PMM_EOVERFLOW,
 * PMM_EALIGN or PMM_ERANGE, logged for @what.
 */
int hp_range(const char *what, pmm_phys_t start, uint64_t size,
	     unsigned int *first, unsigned int *n);
/* Take the one-call gate. Return: 0 or PMM_EBUSY (logged for @what). */
int hp_enter(const char *what);
/* Release the gate. */
void hp_leave(void);
/* Return: true when every block of [first, first + n) is in @state. */
bool hp_blocks_are(unsigned int first, unsigned int n, enum pmm_block_state state);
/* Return: true when blocks [first, first + n) share one node and one
 * zone (a boot block that met several zones shares none). */
bool hp_blocks_share_zone(unsigned int first, unsigned int n);
/* Return: true when node @nid has memory: a block of its own, online or
 * offline, or a boot block it shares with another zone. */
bool hp_node_has_blocks(int nid);
/*
 * Recompute every zone's watermarks for the new managed counts, as Linux
 * does after onlining or offlining, when watermarks are in force (a zone
 * has a min: the boot set them); an embedding that runs without them
 * keeps running without.
 */
void hp_watermarks_follow(void);
/* Log "pmm: @what [mem ...]: reason" and return @err. */
int hp_fail(int err, const char *what, unsigned int first, unsigned int n,
	    const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* ---- memmap_hot.c ---- */
/* Return: pages of one block's descriptors (a whole number: blocks are
 * 2^PMM_MAX_ORDER pages or more). */
pmm_pfn_t hp_memmap_pages(void);
/* Back the descriptors of absent blocks [@first, +@n) (a virtual memmap;
 * nothing without one). Return: 0 or PMM_ENOMEM, nothing changed. */
int hp_memmap_back(unsigned int first, unsigned int n);
/* Unback them (blocks removed, or an add that failed). */
void hp_memmap_release(unsigned int first, unsigned int n);
/* Return: the first pfn of block @id the buddy allocator manages. */
pmm_pfn_t hp_block_managed_pfn(unsigned int id);
/* Return: @p, or the end of its block's own descriptor pages when @p lies
 * in them (@p inside the block table). */
pmm_pfn_t hp_skip_own_memmap(pmm_pfn_t p);
/* Return: NULL or the first broken memmap invariant (elastic_check.c). */
const char *hp_memmap_check(void);

/* ---- online_policy.c ---- */
/* Back to the default policy (contig-zones). */
void hp_policy_reset(void);
/* Return: the address zone whose bounds hold [@s, @e), or -1 (two zones). */
int hp_addr_zone(pmm_pfn_t s, pmm_pfn_t e);
/* Return: the zone type [@s, @e) of node @nid goes to onlined as @type,
 * or -1 when that is a kernel zone and the range crosses a bound. */
int hp_zone_for(int nid, pmm_pfn_t s, pmm_pfn_t e, enum pmm_online_type type);
/* Return: true when @type is one of enum pmm_online_type. */
bool hp_online_type_valid(enum pmm_online_type type);

/* ---- zone_meta.c ---- */
/* Return: true when zone @type of node @nid can grow over [@s, @e) without
 * meeting another zone or node. */
bool hp_zone_can_grow(int nid, unsigned int type, pmm_pfn_t s, pmm_pfn_t e);
/* Grow (or set up) zone @type of node @nid over [@s, @e), present += pages. */
int hp_zone_grow(int nid, unsigned int type, pmm_pfn_t s, pmm_pfn_t e);
/*
 * The span zone @zone keeps once blocks [@first, @first + @n) leave it,
 * in *@lo, *@hi (equal: empty), and its new metadata, in *@m.
 * Return: 0 or PMM_ENOMEM.
 */
int hp_zone_shrink_prepare(const struct pmm_zone *zone, unsigned int first,
			   unsigned int n, pmm_pfn_t *lo, pmm_pfn_t *hi,
			   struct hp_meta *m, void **bitmap);
/* Move @zone onto [@lo, @hi) and the prepared metadata (cannot fail). */
void hp_zone_shrink_commit(struct pmm_zone *zone, pmm_pfn_t lo, pmm_pfn_t hi,
			   const struct hp_meta *m, void *bitmap);
/* Free metadata hotplug allocated (nothing for the boot's). */
void hp_meta_free(const struct hp_meta *m);

#endif /* PMM_ELASTIC_INTERNAL_H */
