/* SPDX-License-Identifier: MIT */
/*
 * elastic_check.c - the proof of memory hotplug's state that pmm_check()
 * runs once pmm_hotplug_init() registered it (the invariants listed in
 * pmm/elastic.h): offline and absent blocks hold no page of the buddy
 * allocator; online hot-added blocks lie in their zone's span; every
 * zone's present count is its boot base plus its counted online blocks;
 * nodes are online exactly while they have memory; the metadata hotplug
 * allocated is still allocated. O(pages of offline blocks inside zone
 * spans + blocks x nodes).
 */
#include <pmm/fmt.h>

#include "elastic_internal.h"

static char msg[200];

__attribute__((format(printf, 1, 2)))
static const char *fail(const char *fmt, ...)
{
	size_t n = pmm_snprintf(msg, sizeof(msg), "hotplug: ");
	va_list ap;
	va_start(ap, fmt);
	pmm_vsnprintf(msg + n, sizeof(msg) - n, fmt, ap);
	va_end(ap);
	return msg;
}

/* Offline or absent block @id: no descriptor of it in use. */
static const char *check_gone_block(unsigned int id)
{
	pmm_pfn_t s = hp_block_pfn(id), e = hp_block_pfn(id + 1);
	if (e > pmm_max_pfn)
		e = pmm_max_pfn;
	if (!pmm_zone_span_overlaps(s, e, NULL))
		return NULL; /* pmm_check() proved descriptors in no zone blank */
	for (pmm_pfn_t p = s; p < e; p++)
		if (!pmm_page_is_blank(&pmm_mem_map[p]))
			return fail("block %u is %s but pfn 0x%llx is in use (info 0x%x)",
				    id, pmm_block_state_name((enum pmm_block_state)
							     pmm_hp.block[id].state),
				    (unsigned long long)p, pmm_mem_map[p].info);
	return NULL;
}

/* Counted online block @id: inside its zone's span. */
static const char *check_online_block(unsigned int id)
{
	const struct hp_block *b = &pmm_hp.block[id];
	if (b->nid >= PMM_MAX_NUMNODES || b->zone >= PMM_NR_ZONES)
		return fail("block %u: node %u zone %u", id, b->nid, b->zone);
	const struct pmm_zone *z = &pmm_nodes[b->nid].zones[b->zone];
	pmm_pfn_t s = hp_block_pfn(id), e = hp_block_pfn(id + 1);
	if (!pmm_nodes[b->nid].online || !z->initialized ||
	    s < z->start_pfn || e > z->end_pfn)
		return fail("online block %u [0x%llx, 0x%llx) outside zone %s of node %u",
			    id, (unsigned long long)s, (unsigned long long)e,
			    pmm_zone_name((enum pmm_zone_type)b->zone), b->nid);
	return NULL;
}

static const char *check_blocks(void)
{
	for (unsigned int id = 0; id < pmm_hp.nr; id++) {
		const struct hp_block *b = &pmm_hp.block[id];
		const char *err = NULL;
		if (b->state != PMM_BLOCK_ONLINE)
			err = check_gone_block(id);
		else if ((b->flags & HP_COUNTED) != 0)
			err = check_online_block(id);
		if (err != NULL)
			return err;
	}
	return NULL;
}

/* Zone @z: present == base + counted online blocks; metadata allocated. */
static const char *check_zone(const struct pmm_zone *z)
{
	uint64_t expect = pmm_hp.base_present[z->node][z->type];
	for (unsigned int id = 0; id < pmm_hp.nr; id++) {
		const struct hp_block *b = &pmm_hp.block[id];
		if ((b->flags & HP_COUNTED) != 0 && b->state == PMM_BLOCK_ONLINE &&
		    b->nid == z->node && b->zone == z->type)
			expect += hp_block_pages();
	}
	if (z->present != expect || z->present > z->spanned)
		return fail("node %d zone %s: present %llu, blocks say %llu, span %llu",
			    z->node, pmm_zone_name(z->type),
			    (unsigned long long)z->present,
			    (unsigned long long)expect, (unsigned long long)z->spanned);
	const struct hp_meta *m = &pmm_hp.meta[z->node][z->type];
	if (m->pages != 0 && !pmm_page_is_alloc_head(&pmm_mem_map[m->pfn]))
		return fail("node %d zone %s: metadata at pfn 0x%llx not allocated",
			    z->node, pmm_zone_name(z->type), (unsigned long long)m->pfn);
	return NULL;
}

/* Node @nid: online when it has blocks, and with zones only then. */
static const char *check_node(int nid)
{
	bool blocks = hp_node_has_blocks(nid), zones = false;
	for (int t = 0; t < PMM_NR_ZONES; t++)
		zones |= pmm_nodes[nid].zones[t].initialized;
	if (blocks && !pmm_nodes[nid].online)
		return fail("node %d has memory blocks but is offline", nid);
	if (zones && pmm_nodes[nid].online && !blocks)
		return fail("node %d has zones but no memory block", nid);
	return NULL;
}

/**
 * pmm_hotplug_check - prove the block table against the zones and nodes.
 * Return: NULL (also before pmm_hotplug_init()) or the first violation.
 * Locking: none; no hotplug call may run.
 */
const char *pmm_hotplug_check(void)
{
	if (!pmm_hp.ready)
		return NULL;
	const char *err = check_blocks();
	const struct pmm_zone *z;
	pmm_for_each_zone(z) {
		if (err == NULL)
			err = check_zone(z);
	}
	for (int nid = 0; nid < PMM_MAX_NUMNODES && err == NULL; nid++)
		err = check_node(nid);
	return err != NULL ? err : hp_memmap_check();
}
