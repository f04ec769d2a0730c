/* SPDX-License-Identifier: MIT */
/*
 * slab_report.c - /proc/slabinfo in Linux's version 2.1 format, one line
 * per cache, newest cache first:
 *
 *   slabinfo - version: 2.1
 *   # name            <active_objs> <num_objs> <objsize> <objperslab> <pagesperslab> : tunables <limit> <batchcount> <sharedfactor> : slabdata <active_slabs> <num_slabs> <sharedavail>
 *   kmalloc-64           130    192     64   64    1 : tunables   64   32    0 : slabdata      3      3      0
 *
 * active_objs counts the objects callers hold (not those parked in per-CPU
 * arrays); objsize is the slot, red zones and padding included; the
 * tunables are the per-CPU array's limit and batch (no shared arrays).
 */
#include <pmm/fmt.h>

#include "slab_internal.h"

static void slabinfo_line(const struct pmm_out *out, struct pmm_kmem_cache *c)
{
	struct pmm_slab_stats st;
	if (pmm_kmem_cache_stats(c, &st) != 0)
		return;
	pmm_fmt(out, "%-17s %6llu %6llu %6zu %4u %4u : tunables %4u %4u %4u"
		     " : slabdata %6llu %6llu %6u\n",
		c->name, (unsigned long long)st.allocated,
		(unsigned long long)st.objs, st.slot, st.objs_per_slab,
		1u << st.order, st.limit, st.batch, 0u,
		(unsigned long long)st.active_slabs,
		(unsigned long long)st.slabs, 0u);
}

/**
 * pmm_report_slabinfo - write /proc/slabinfo for every cache to @out.
 *
 * Locking: the slab lock across the walk, each cache's lock for its
 * counters; @out must not call back into the slab layer.
 */
void pmm_report_slabinfo(const struct pmm_out *out)
{
	pmm_fmt(out, "slabinfo - version: 2.1\n"
		     "# name            <active_objs> <num_objs> <objsize> "
		     "<objperslab> <pagesperslab> : tunables <limit> "
		     "<batchcount> <sharedfactor> : slabdata <active_slabs> "
		     "<num_slabs> <sharedavail>\n");
	if (!pmm_slab_state.ready)
		return;
	pmm_lock(&pmm_slab_state.lock);
	for (struct pmm_kmem_cache *c = pmm_slab_state.caches; c;
	     c = c->next_cache)
		slabinfo_line(out, c);
	pmm_unlock(&pmm_slab_state.lock);
}
