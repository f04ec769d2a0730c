/* SPDX-License-Identifier: MIT */
/*
 * prefill.c - `pmm-sim replay --prefill`: before the replay, allocate in
 * pmm the blocks the trace frees without having allocated them - what
 * Linux had allocated before tracing began (boot-time page cache, slabs,
 * page tables) - so that the memory they held is taken when the replay
 * starts and their frees find a block, as in Linux.
 *
 * One pass over the text follows the trace's own liveness (a block map of
 * traced pfns, no pmm calls); every free that matches no live traced
 * block becomes a prefill block of the free's order. Frees carry no
 * migratetype: a block whose free is followed by mm_page_free_batched
 * (pages off an LRU list) is taken as movable, any other as unmovable.
 * The blocks are then allocated in trace order on CPU 0 and entered in
 * the replay's map.
 */
#include <stdlib.h>
#include <string.h>

#include "blockmap.h"
#include "host_platform.h"
#include "prefill.h"
#include "trace.h"

struct prefill {
	struct block_map live;        /* traced blocks live in the trace */
	struct prefill_block { uint64_t pfn; uint8_t order, mt; } *blk;
	size_t n, cap;
};

static void note_free(struct prefill *p, const struct sim_event *ev)
{
	struct map_slot *s = sim_map_find_block(&p->live, ev->pfn);
	if (s) {
		s->freed += 1u << ev->order;
		if (s->freed >= 1u << s->order)
			sim_map_remove(&p->live, s);
		return;
	}
	if (p->n == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 4096;
		void *b = realloc(p->blk, cap * sizeof(*p->blk));
		if (!b)
			return;
		p->blk = b;
		p->cap = cap;
	}
	p->blk[p->n++] = (struct prefill_block){
		ev->pfn, (uint8_t)ev->order,
		PMM_MT_UNMOVABLE,
	};
}

/* mm_page_free_batched right after a prefill block's free: it was an LRU page. */
static void note_batched(struct prefill *p, const struct sim_event *ev)
{
	if (p->n && p->blk[p->n - 1].pfn == ev->pfn)
		p->blk[p->n - 1].mt = PMM_MT_MOVABLE;
}

static void note_event(struct prefill *p, const struct sim_event *ev)
{
	if (ev->kind == SIM_EV_ALLOC && !ev->failed) {
		struct map_slot *s = sim_map_find(&p->live, ev->pfn);
		if (!s)
			s = sim_map_insert(&p->live, ev->pfn);
		if (s) {
			s->order = (uint8_t)ev->order;
			s->freed = 0;
		}
	} else if (ev->kind == SIM_EV_FREE) {
		note_free(p, ev);
	} else if (ev->kind == SIM_EV_FREE_BATCHED) {
		note_batched(p, ev);
	}
}

static void scan_line(void *ctx, int rc, const struct sim_event *ev)
{
	if (rc == 0)
		note_event(ctx, ev);
}

/* Allocate the prefill blocks in pmm and enter them in @map. */
static void allocate(const struct prefill *p, struct block_map *map,
		     struct sim_prefill_stats *ps)
{
	host_set_cpu(0);
	for (size_t i = 0; i < p->n; i++) {
		const struct prefill_block *b = &p->blk[i];
		if (sim_map_find(map, b->pfn))
			continue;
		unsigned int gfp = PMM_GFP_KERNEL | (unsigned int)b->mt << PMM_GFP_MT_SHIFT;
		struct pmm_page *pg = pmm_alloc_pages_tagged(PMM_NUMA_NO_NODE, gfp, b->order,
							     (uint64_t)b->mt + 1, NULL);
		struct map_slot *s = sim_map_insert(map, b->pfn);
		if (!s) {
			if (pg)
				pmm_free_pages(pg, b->order);
			continue;
		}
		s->pfn = pg ? pmm_page_to_pfn(pg) : 0;
		s->order = b->order;
		s->mt = b->mt;
		ps->blocks++;
		ps->pages += (uint64_t)1 << b->order;
		ps->failed += pg == NULL;
	}
}

int sim_replay_prefill(const char *buf, size_t len, struct block_map *map,
		       struct sim_prefill_stats *ps)
{
	struct prefill p;
	memset(&p, 0, sizeof(p));
	memset(ps, 0, sizeof(*ps));
	if (sim_map_init(&p.live, 1 << 16) != 0)
		return -1;
	sim_trace_scan(buf, len, scan_line, &p);
	allocate(&p, map, ps);
	free(p.live.slot);
	free(p.blk);
	return 0;
}
