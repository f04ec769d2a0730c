/* SPDX-License-Identifier: MIT */
/*
 * fuzz_hotplug.c - libFuzzer target: sequences of memory hotplug calls
 * (pmm/elastic.h) - add, offline, online, remove over good and bad ranges,
 * nodes 0, 1 and one past the limit - mixed with movable and unmovable
 * allocations and a migrate hook that moves, refuses or is absent,
 * against a model of each block's state, node and zone - online types
 * (default, kernel, movable, and one pmm does not know) and online
 * policies (contig-zones, auto-movable with a ratio, movable_node, and bad
 * ones) chosen by the input, movable requests that may reach the Movable
 * zone (PMM_GFP_HIGHUSER_MOVABLE) or may not (PMM_GFP_USER_MOVABLE);
 * added blocks' descriptors in the boot's array, a late allocation or
 * the blocks' own first pages (a virtual memmap), as the input says.
 *
 * Machine (tests/support/hotplug_setup.h): Normal [1024, 4096) on node 0
 * at boot, blocks of 1024 pages, descriptors to 8192 (blocks 4-7 absent).
 * After every hotplug call (and at the end): pmm_check() passes (the block proof included); every
 * block's state is the model's; the argument and state errors are exactly
 * the predicted ones; a failed call left the state byte for byte as it
 * was (an offline that isolated before a refusing hook: the free count); an offline of a range holding an unmovable page
 * fails, of a range holding no allocated page succeeds (unless there is
 * no memory for the zone's metadata); a kernel page never lies in a
 * Movable block; an online block is in the zone its online type asked
 * for (a plain online: the zone it had). Any disagreement aborts.
 */
#include <stdbool.h>
#include <string.h>

#include <pmm/buddy.h>
#include <pmm/check.h>

#include "buddy_setup.h"
#include "fuzz_input.h"
#include "hotplug_setup.h"
#include "reliability_snap.h"

#define NBLOCKS (HP_MAX_PFN / HP_BLOCK)
#define MAX_PINNED 64

enum { ABSENT, ONLINE, OFFLINE };

static uint8_t blk[NBLOCKS];
static int blk_nid[NBLOCKS];
static enum pmm_zone_type blk_zone[NBLOCKS]; /* of an online or offline block */
static pmm_pfn_t pinned[MAX_PINNED]; /* unmovable order-0 pages */
static unsigned int npinned, op_no;
static bool hook_installed; /* a migrate hook (moving or refusing) */
static uint64_t free_before;  /* free pages before the current call */
static struct rel_snap snap;

static __attribute__((noreturn, format(printf, 1, 2))) void fail(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fuzz_vfail("fuzz_hotplug", op_no, fmt, ap);
}

/* The machine; the input's first byte picks where added blocks'
 * descriptors live: the boot's array, a late allocation, their own pages. */
static void setup(struct fuzz_in *in)
{
	uint8_t c = fuzz_u8(in) % 3;
	if (hotplug_setup_memmap(c != 0, c == 2) != 0)
		fail("set-up");
	memset(blk, ABSENT, sizeof(blk));
	for (unsigned int b = 1; b < 4; b++) {
		blk[b] = ONLINE;
		blk_nid[b] = 0;
		blk_zone[b] = PMM_ZONE_NORMAL;
	}
	npinned = op_no = 0;
	hook_installed = false;
}

/* Every block's state as pmm reports it is the model's. */
static void states_agree(void)
{
	for (unsigned int b = 0; b < NBLOCKS; b++) {
		struct pmm_memory_block_info info;
		if (pmm_memory_block_get(b, &info) != 0 || (int)info.state != blk[b] ||
		    (blk[b] != ABSENT && info.nid != blk_nid[b]))
			fail("block %u: pmm says state %d node %d, model %d node %d",
			     b, (int)info.state, info.nid, blk[b], blk_nid[b]);
		if (blk[b] == ONLINE &&
		    strcmp(info.valid_zones, pmm_zone_name(blk_zone[b])) != 0)
			fail("block %u: pmm says zone %s, model %s", b,
			     info.valid_zones, pmm_zone_name(blk_zone[b]));
	}
}

/* The error the model predicts for a call over blocks [@b, +@n) before
 * any state or node check; 0 when the arguments are fine. */
static int arg_error(unsigned int b, unsigned int n, bool misaligned)
{
	if (n == 0)
		return PMM_EINVAL;
	if (misaligned)
		return PMM_EALIGN;
	if (b + n > NBLOCKS)
		return PMM_ERANGE;
	return 0;
}

static bool all_in(unsigned int b, unsigned int n, uint8_t state)
{
	for (unsigned int i = b; i < b + n; i++)
		if (blk[i] != state)
			return false;
	return true;
}

static void set_blocks(unsigned int b, unsigned int n, uint8_t state, int nid)
{
	for (unsigned int i = b; i < b + n; i++) {
		blk[i] = state;
		if (nid >= 0)
			blk_nid[i] = nid;
	}
}

/* Return: true when one of @pfns (@count) lies in blocks [@b, +@n). */
static bool any_in(const pmm_pfn_t *pfns, unsigned int count, unsigned int b,
		   unsigned int n)
{
	for (unsigned int i = 0; i < count; i++)
		if (pfns[i] >= b * HP_BLOCK && pfns[i] < (b + n) * HP_BLOCK)
			return true;
	return false;
}

/* A failed call that moved nothing changed nothing. */
static void unchanged(const char *call, int err)
{
	const char *why = rel_snap_same(&snap);
	if (why != NULL)
		fail("%s failed with %d but changed the state: %s", call, err, why);
}

static void expect(const char *call, int got, int want)
{
	if (got != want)
		fail("%s: %d, model says %d", call, got, want);
}

/* An online type from the input: default, kernel, movable, or unknown (7). */
static enum pmm_online_type online_type(struct fuzz_in *in)
{
	uint8_t c = fuzz_u8(in) & 7;
	return c == 7 ? (enum pmm_online_type)7 : (enum pmm_online_type)(c % 3);
}

/* After blocks [@b, +@n) came online as @type: record the zone pmm chose
 * (the type's, for kernel and movable; default may pick either). */
static void zone_took(unsigned int b, unsigned int n, enum pmm_online_type type)
{
	struct pmm_memory_block_info info;
	if (pmm_memory_block_get(b, &info) != 0)
		fail("block %u: no info", b);
	enum pmm_zone_type z = strcmp(info.valid_zones, "Movable") == 0
				       ? PMM_ZONE_MOVABLE : PMM_ZONE_NORMAL;
	if ((type == PMM_ONLINE_KERNEL && z != PMM_ZONE_NORMAL) ||
	    (type == PMM_ONLINE_MOVABLE && z != PMM_ZONE_MOVABLE))
		fail("blocks %u+%u onlined as type %d went to %s", b, n, (int)type,
		     info.valid_zones);
	for (unsigned int i = b; i < b + n; i++)
		blk_zone[i] = z;
}

static void op_add(struct fuzz_in *in, unsigned int b, unsigned int n, int bad)
{
	static const int nids[] = { 0, 1, PMM_MAX_NUMNODES, -1 };
	int nid = nids[fuzz_u8(in) & 3];
	enum pmm_online_type type = online_type(in);
	int err = pmm_memory_add_as(nid, HP_BYTES(b * HP_BLOCK) + (bad ? PMM_PAGE_SIZE : 0),
				    HP_BYTES(n * HP_BLOCK), type);
	int want = (unsigned int)type > PMM_ONLINE_MOVABLE ? PMM_EINVAL
							   : arg_error(b, n, bad);
	if (want == 0 && (nid < 0 || nid >= PMM_MAX_NUMNODES))
		want = PMM_EINVAL;
	if (want == 0 && !all_in(b, n, ABSENT))
		want = PMM_EOVERLAP;
	if (want == 0 && b == 0)
		want = PMM_ERANGE;
	if (want != 0)
		expect("add", err, want);
	if (err == 0) {
		set_blocks(b, n, ONLINE, nid);
		zone_took(b, n, type);
		return;
	}
	if (want == 0 && err != PMM_EOVERLAP && err != PMM_ENOMEM)
		fail("add of absent blocks %u+%u on node %d: %d", b, n, nid, err);
	unchanged("add", err);
}

static void op_offline(unsigned int b, unsigned int n, int bad)
{
	int err = pmm_memory_offline(HP_BYTES(b * HP_BLOCK) + (bad ? PMM_PAGE_SIZE : 0),
				     HP_BYTES(n * HP_BLOCK));
	int want = arg_error(b, n, bad);
	if (want == 0 && !all_in(b, n, ONLINE))
		want = PMM_ESTATE;
	if (want != 0) {
		expect("offline", err, want);
		unchanged("offline", err);
		return;
	}
	if (err == 0) {
		if (any_in(pinned, npinned, b, n))
			fail("offline of blocks %u+%u with an unmovable page", b, n);
		set_blocks(b, n, OFFLINE, -1);
		return;
	}
	if (!hook_installed)
		unchanged("offline", err); /* refused before isolating */
	else if (pmm_nr_free_pages() != free_before)
		fail("offline failed with %d but the free count moved", err);
}

/* Online blocks [@b, +@n): back to the zone they had (pmm_memory_online),
 * or as an online type from the input (pmm_memory_online_as). */
static void op_online(struct fuzz_in *in, unsigned int b, unsigned int n, int bad)
{
	bool keep = (fuzz_u8(in) & 1) != 0;
	enum pmm_online_type type = keep ? PMM_ONLINE_DEFAULT : online_type(in);
	pmm_phys_t start = HP_BYTES(b * HP_BLOCK) + (bad ? PMM_PAGE_SIZE : 0);
	int err = keep ? pmm_memory_online(start, HP_BYTES(n * HP_BLOCK))
		       : pmm_memory_online_as(start, HP_BYTES(n * HP_BLOCK), type);
	int want = !keep && (unsigned int)type > PMM_ONLINE_MOVABLE
			   ? PMM_EINVAL : arg_error(b, n, bad);
	if (want == 0 && !all_in(b, n, OFFLINE))
		want = PMM_ESTATE;
	if (want != 0)
		expect("online", err, want);
	if (err == 0) {
		enum pmm_zone_type had = blk_zone[b];
		set_blocks(b, n, ONLINE, -1);
		zone_took(b, n, type);
		if (keep && blk_zone[b] != had)
			fail("online of blocks %u+%u: zone %s, they had %s", b, n,
			     pmm_zone_name(blk_zone[b]), pmm_zone_name(had));
		return;
	}
	unchanged("online", err);
}

/* A policy from the input, now and then a bad one (which must change nothing). */
static void op_policy(struct fuzz_in *in)
{
	uint8_t c = fuzz_u8(in);
	struct pmm_online_policy p = {
		.kind = (c & 1) ? PMM_POLICY_AUTO_MOVABLE : PMM_POLICY_CONTIG_ZONES,
		.auto_movable_ratio = (unsigned int)fuzz_u8(in) * 4u,
		.numa_unaware = (c & 2) != 0,
		.movable_node = (c & 4) != 0,
	};
	bool broken = (c & 0x18) == 0x18;
	if (broken && (c & 0x20))
		p.kind = (enum pmm_online_policy_kind)2;
	else if (broken)
		p.auto_movable_ratio = 1000001;
	struct pmm_online_policy before, after;
	pmm_memory_policy_get(&before);
	int err = pmm_memory_policy_set(&p);
	pmm_memory_policy_get(&after);
	if (broken && (err != PMM_EINVAL || memcmp(&before, &after, sizeof(before)) != 0))
		fail("bad policy: %d, policy changed %d", err,
		     memcmp(&before, &after, sizeof(before)) != 0);
	if (!broken && err != 0)
		fail("policy kind %d ratio %u: %d", (int)p.kind, p.auto_movable_ratio, err);
}

static void op_remove(unsigned int b, unsigned int n, int bad)
{
	int err = pmm_memory_remove(HP_BYTES(b * HP_BLOCK) + (bad ? PMM_PAGE_SIZE : 0),
				    HP_BYTES(n * HP_BLOCK));
	int want = arg_error(b, n, bad);
	if (want == 0 && !all_in(b, n, OFFLINE))
		want = PMM_ESTATE;
	expect("remove", err, want);
	if (err == 0)
		set_blocks(b, n, ABSENT, -1);
	else
		unchanged("remove", err);
}

static void op_alloc(struct fuzz_in *in)
{
	uint8_t c = fuzz_u8(in);
	if ((c & 1) == 0) {
		hotplug_owner_alloc((c & 2) ? PMM_GFP_HIGHUSER_MOVABLE
					    : PMM_GFP_USER_MOVABLE);
		return;
	}
	struct pmm_page *pg = pmm_alloc_pages(PMM_GFP_KERNEL, 0);
	if (pg == NULL)
		return;
	pmm_pfn_t pfn = pmm_page_to_pfn(pg);
	if (blk[pfn / HP_BLOCK] == ONLINE && blk_zone[pfn / HP_BLOCK] == PMM_ZONE_MOVABLE)
		fail("a kernel page at pfn 0x%llx in a Movable block",
		     (unsigned long long)pfn);
	if (npinned < MAX_PINNED)
		pinned[npinned++] = pfn;
	else
		pmm_free_pages(pg, 0);
}

static void op_free(struct fuzz_in *in)
{
	if ((fuzz_u8(in) & 1) != 0) {
		hotplug_owner_free_all();
		return;
	}
	while (npinned != 0)
		if (pmm_free_pages(pmm_pfn_to_page(pinned[--npinned]), 0) != 0)
			fail("free of pinned page 0x%llx",
			     (unsigned long long)pinned[npinned]);
}

static void op_hook(struct fuzz_in *in)
{
	uint8_t c = fuzz_u8(in) % 3;
	hook_installed = c != 0;
	hotplug_hook(c != 0, c == 2);
}

/* Return: true when the step was a hotplug call (proved at once). */
static bool step(struct fuzz_in *in)
{
	uint8_t c = fuzz_u8(in);
	unsigned int b = fuzz_u8(in) % (NBLOCKS + 2);
	unsigned int n = fuzz_u8(in) % 4;
	int bad = (c & 0x80) != 0 && (c & 0x40) != 0;
	switch (c & 7) {
	case 0: op_add(in, b, n, bad); break;
	case 1: op_offline(b, n, bad); break;
	case 2: op_online(in, b, n, bad); break;
	case 3: op_remove(b, n, bad); break;
	case 4: case 5: op_alloc(in); break;
	case 6: op_free(in); break;
	default: (c & 8) ? op_policy(in) : op_hook(in); break;
	}
	return (c & 7) <= 3;
}

static void prove(void)
{
	const char *why = pmm_check();
	if (why != NULL)
		fail("pmm_check: %s", why);
	states_agree();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };
	setup(&in);
	while (in.n != 0 && op_no < 120) {
		op_no++;
		if ((in.p[0] & 7) <= 3) /* the next step is a hotplug call */
			rel_snap_take(&snap);
		free_before = pmm_nr_free_pages();
		if (step(&in))
			prove();
	}
	prove();
	hotplug_owner_free_all();
	hotplug_teardown();
	rel_snap_release(&snap);
	return 0;
}
