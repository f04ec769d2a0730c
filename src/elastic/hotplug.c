/* SPDX-License-Identifier: MIT */
/*
 * hotplug.c - memory that comes and goes after boot: pmm_memory_add()
 * (Linux's add_memory() with the blocks onlined at once),
 * pmm_memory_online() after an offline, and pmm_memory_remove().
 *
 * Adding a range: its zone is the one the online type or the policy
 * picks (online_policy.c: the zone its address falls in by the profile's
 * layout, pmm_hotplug_config.zone_bound, or Movable); the node comes online
 * with its first memory; the zone grows over the range onto new metadata
 * (zone_meta.c); then the range's pages go to the buddy allocator through
 * the hand-off every boot page took, and the watermarks, per-CPU batch
 * sizes and the fast-zone hint follow the new managed count.
 */
#include <pmm/buddy.h>

#include "elastic_internal.h"

/* Mark blocks [@first, +@n) online in zone @type of node @nid. */
static void mark_online(unsigned int first, unsigned int n, int nid,
			unsigned int type, uint8_t flags)
{
	for (unsigned int i = first; i < first + n; i++) {
		struct hp_block *b = &pmm_hp.block[i];
		b->state = PMM_BLOCK_ONLINE;
		b->nid = (uint16_t)nid;
		b->zone = (uint8_t)type;
		b->flags = (uint8_t)(b->flags | flags | HP_COUNTED);
	}
}

/* Hand each block's pages to the buddy allocator (after its own
 * descriptors, when it holds them). */
static void hand_over(unsigned int first, unsigned int n)
{
	for (unsigned int i = first; i < first + n; i++) {
		pmm_pfn_t s = hp_block_managed_pfn(i), e = hp_block_pfn(i + 1);
		uint64_t handed = 0;
		int err = pmm_buddy_handoff_range(s, e, &handed);
		PMM_ASSERT(err == 0 && handed == e - s,
			   "hand-off of [0x%llx, 0x%llx): %d, %llu pages",
			   (unsigned long long)s, (unsigned long long)e, err,
			   (unsigned long long)handed);
		(void)err;
	}
}

static int overlap_fail(const char *what, unsigned int first, unsigned int n,
			int nid, unsigned int type)
{
	return hp_fail(PMM_EOVERLAP, what, first, n,
		       "zone %s of node %d would meet another zone or node",
		       pmm_zone_name((enum pmm_zone_type)type), nid);
}

/*
 * Grow the zone over blocks [@first, +@n), hand their pages over and mark
 * them online. Return: 0 or hp_zone_grow()'s error, logged for @what.
 */
static int bring_online(const char *what, unsigned int first, unsigned int n,
			int nid, unsigned int type, uint8_t flags)
{
	pmm_pfn_t s = hp_block_pfn(first), e = hp_block_pfn(first + n);
	int err = hp_zone_grow(nid, type, s, e);
	if (err == PMM_EOVERLAP)
		return overlap_fail(what, first, n, nid, type);
	if (err != 0)
		return hp_fail(err, what, first, n,
			       "no memory for the zone's metadata");
	hand_over(first, n);
	mark_online(first, n, nid, type, flags);
	hp_watermarks_follow();
	return 0;
}

/*
 * The zone blocks [@first, +@n) of node @nid go to when onlined as @type
 * (online_policy.c). Return: the zone type, or a negative error logged
 * for @what.
 */
static int zone_choice(const char *what, int nid, unsigned int first,
		       unsigned int n, enum pmm_online_type type)
{
	pmm_pfn_t s = hp_block_pfn(first), e = hp_block_pfn(first + n);
	int t = hp_zone_for(nid, s, e, type);
	if (t < 0)
		return hp_fail(PMM_ERANGE, what, first, n,
			       "crosses a zone boundary: add each side alone");
	return t;
}

static int add_gated(int nid, unsigned int first, unsigned int n,
		     enum pmm_online_type type)
{
	const char *what = "memory_add";
	if (!hp_blocks_are(first, n, PMM_BLOCK_ABSENT))
		return hp_fail(PMM_EOVERLAP, what, first, n,
			       "overlaps memory already added (online or offline)");
	if (first == 0)
		return hp_fail(PMM_ERANGE, what, first, n,
			       "holds pfn 0, which pmm never manages");
	int t = zone_choice(what, nid, first, n, type);
	if (t < 0)
		return t;
	/* refused before the descriptors are backed: nothing to give back */
	if (!hp_zone_can_grow(nid, (unsigned int)t, hp_block_pfn(first),
			      hp_block_pfn(first + n)))
		return overlap_fail(what, first, n, nid, (unsigned int)t);
	if (hp_memmap_back(first, n) != 0)
		return hp_fail(PMM_ENOMEM, what, first, n,
			       "no memory for the blocks' page descriptors");
	int err = bring_online(what, first, n, nid, (unsigned int)t, HP_HOT);
	if (err != 0)
		hp_memmap_release(first, n);
	return err;
}

/* Return: 0, or PMM_EINVAL for an online type pmm does not know (logged). */
static int type_check(const char *what, enum pmm_online_type type)
{
	if (hp_online_type_valid(type))
		return 0;
	pmm_printk("pmm: %s: online type %u: default (%u), kernel (%u) or movable (%u)\n",
		   what, (unsigned int)type, (unsigned int)PMM_ONLINE_DEFAULT,
		   (unsigned int)PMM_ONLINE_KERNEL, (unsigned int)PMM_ONLINE_MOVABLE);
	return PMM_EINVAL;
}

/**
 * pmm_memory_add_as - bring absent blocks online on node @nid, in the
 * zone @type names (pmm/elastic.h).
 * Return: 0 or the documented error; nothing changes on error.
 * Locking: the one-call gate; zone locks in turn.
 */
int pmm_memory_add_as(int nid, pmm_phys_t start, uint64_t size,
		      enum pmm_online_type type)
{
	unsigned int first, n;
	int err = type_check("memory_add", type);
	if (err == 0)
		err = hp_range("memory_add", start, size, &first, &n);
	if (err == 0 && (nid < 0 || nid >= PMM_MAX_NUMNODES))
		err = hp_fail(PMM_EINVAL, "memory_add", first, n,
			      "node %d: nodes are 0..%d (PMM_MAX_NUMNODES)", nid,
			      PMM_MAX_NUMNODES - 1);
	if (err == 0)
		err = hp_enter("memory_add");
	if (err != 0)
		return err;
	err = add_gated(nid, first, n, type);
	hp_leave();
	return err;
}

/**
 * pmm_memory_add - bring absent blocks online on node @nid, in the zone
 * the policy picks (pmm/elastic.h).
 */
int pmm_memory_add(int nid, pmm_phys_t start, uint64_t size)
{
	return pmm_memory_add_as(nid, start, size, PMM_ONLINE_DEFAULT);
}

/* @keep: online in the zone the blocks had (pmm_memory_online()), else as @type. */
static int online_gated(unsigned int first, unsigned int n, bool keep,
			enum pmm_online_type type)
{
	const char *what = "memory_online";
	if (!hp_blocks_are(first, n, PMM_BLOCK_OFFLINE))
		return hp_fail(PMM_ESTATE, what, first, n,
			       "a block is not offline");
	if (!hp_blocks_share_zone(first, n))
		return hp_fail(PMM_ERANGE, what, first, n,
			       "blocks of two zones or nodes: online each alone");
	const struct hp_block *b = &pmm_hp.block[first];
	int t = keep ? b->zone : zone_choice(what, b->nid, first, n, type);
	if (t < 0)
		return t;
	return bring_online(what, first, n, b->nid, (unsigned int)t, 0);
}

static int online_call(pmm_phys_t start, uint64_t size, bool keep,
		       enum pmm_online_type type)
{
	unsigned int first, n;
	int err = keep ? 0 : type_check("memory_online", type);
	if (err == 0)
		err = hp_range("memory_online", start, size, &first, &n);
	if (err == 0)
		err = hp_enter("memory_online");
	if (err != 0)
		return err;
	err = online_gated(first, n, keep, type);
	hp_leave();
	return err;
}

/**
 * pmm_memory_online - bring offline blocks back in their zone (pmm/elastic.h).
 * Return: 0 or the documented error; nothing changes on error.
 */
int pmm_memory_online(pmm_phys_t start, uint64_t size)
{
	return online_call(start, size, true, PMM_ONLINE_DEFAULT);
}

/**
 * pmm_memory_online_as - bring offline blocks back in the zone @type
 * names (pmm/elastic.h). Return: 0 or the documented error.
 */
int pmm_memory_online_as(pmm_phys_t start, uint64_t size,
			 enum pmm_online_type type)
{
	return online_call(start, size, false, type);
}

/* Return: true when online node @nid has a zone set up. */
static bool node_has_zones(int nid)
{
	if (!pmm_nodes[nid].online)
		return false;
	for (int t = 0; t < PMM_NR_ZONES; t++)
		if (pmm_nodes[nid].zones[t].initialized)
			return true;
	return false;
}

/* Node @nid has no memory left: its zones' metadata goes, then the node. */
static void node_retire(int nid)
{
	for (int t = 0; t < PMM_NR_ZONES; t++) {
		hp_meta_free(&pmm_hp.meta[nid][t]);
		pmm_hp.meta[nid][t].pages = 0;
		pmm_hp.base_present[nid][t] = 0;
	}
	int err = pmm_node_offline(nid);
	PMM_ASSERT(err == 0, "node %d offline: %d", nid, err);
	(void)err;
}

static int remove_gated(unsigned int first, unsigned int n)
{
	const char *what = "memory_remove";
	for (unsigned int i = first; i < first + n; i++)
		if (pmm_hp.block[i].state != PMM_BLOCK_OFFLINE)
			return hp_fail(PMM_ESTATE, what, first, n,
				       "block %u is %s: only offline blocks go", i,
				       pmm_block_state_name((enum pmm_block_state)
							    pmm_hp.block[i].state));
	hp_memmap_release(first, n);
	for (unsigned int i = first; i < first + n; i++)
		pmm_memset(&pmm_hp.block[i], 0, sizeof(pmm_hp.block[i]));
	for (int nid = 0; nid < PMM_MAX_NUMNODES; nid++)
		if (node_has_zones(nid) && !hp_node_has_blocks(nid))
			node_retire(nid);
	return 0;
}

/**
 * pmm_memory_remove - forget offline blocks (pmm/elastic.h); a node left
 * without memory goes offline.
 * Return: 0 or the documented error; nothing changes on error.
 */
int pmm_memory_remove(pmm_phys_t start, uint64_t size)
{
	unsigned int first, n;
	int err = hp_range("memory_remove", start, size, &first, &n);
	if (err == 0)
		err = hp_enter("memory_remove");
	if (err != 0)
		return err;
	err = remove_gated(first, n);
	hp_leave();
	return err;
}
