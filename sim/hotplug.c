/* SPDX-License-Identifier: MIT */
/*
 * hotplug.c - pmm-sim's --hotplug operations (hotplug.h): parsed from the
 * command line, run after the boot in order, each line saying what it
 * did to the free page count or why it failed.
 */
#include <stdlib.h>
#include <string.h>

#include <pmm/buddy.h>
#include <pmm/elastic.h>

#include "hotplug.h"
#include "machine.h"

#define SIM_HOTPLUG_MAX_OPS 32

enum op_kind { OP_ADD, OP_OFFLINE, OP_ONLINE, OP_REMOVE };

/* Each operation's name, what it does and, for add and online, the zone
 * it asks for (Linux's state file words: online_kernel, online_movable). */
static const struct op_name {
	const char *name;
	enum op_kind kind;
	enum pmm_online_type type;
	bool keep; /* online: back to the zone it had */
} op_names[] = {
	{ "add", OP_ADD, PMM_ONLINE_DEFAULT, false },
	{ "add_kernel", OP_ADD, PMM_ONLINE_KERNEL, false },
	{ "add_movable", OP_ADD, PMM_ONLINE_MOVABLE, false },
	{ "offline", OP_OFFLINE, PMM_ONLINE_DEFAULT, false },
	{ "online", OP_ONLINE, PMM_ONLINE_DEFAULT, true },
	{ "online_auto", OP_ONLINE, PMM_ONLINE_DEFAULT, false },
	{ "online_kernel", OP_ONLINE, PMM_ONLINE_KERNEL, false },
	{ "online_movable", OP_ONLINE, PMM_ONLINE_MOVABLE, false },
	{ "remove", OP_REMOVE, PMM_ONLINE_DEFAULT, false },
};
#define NR_OP_NAMES (sizeof(op_names) / sizeof(op_names[0]))

struct hp_op {
	const struct op_name *op;
	int nid;
	uint64_t start, size;
};

static struct hp_op ops[SIM_HOTPLUG_MAX_OPS];
static unsigned int nops;

static int bad(const char *op, const char *why)
{
	fprintf(stderr, "pmm-sim: --hotplug %s: %s\n", op, why);
	return -1;
}

/* Split "a:b:c" into at most 3 fields after the kind. Return: field count. */
static int fields(char *s, char *f[3])
{
	int n = 0;
	for (char *p = strtok(s, ":"); p && n < 3; p = strtok(NULL, ":"))
		f[n++] = p;
	return strtok(NULL, ":") ? 4 : n;
}

/* Parse @op into *@o. Return: 0, or -1 after a message on stderr. */
static int parse_op(const char *op, struct hp_op *out)
{
	char buf[128], *f[3];
	if (strlen(op) >= sizeof(buf))
		return bad(op, "too long");
	strcpy(buf, op);
	char *colon = strchr(buf, ':');
	if (!colon)
		return bad(op, "want add:NID:START:SIZE or offline|online|remove:START:SIZE");
	*colon = '\0';
	struct hp_op o = { .nid = 0 };
	unsigned int k = 0;
	while (k < NR_OP_NAMES && strcmp(buf, op_names[k].name) != 0)
		k++;
	if (k == NR_OP_NAMES)
		return bad(op, "unknown operation (add, add_kernel, add_movable, offline, "
			       "online, online_auto, online_kernel, online_movable, remove)");
	o.op = &op_names[k];
	bool add = o.op->kind == OP_ADD;
	int n = fields(colon + 1, f), want = add ? 3 : 2;
	if (n != want)
		return bad(op, add ? "want add:NID:START:SIZE" : "want OP:START:SIZE");
	char *end;
	if (add) {
		long nid = strtol(f[0], &end, 10);
		if (*end || nid < -1 || nid > 1 << 20)
			return bad(op, "node is not a number");
		o.nid = (int)nid;
	}
	if (sim_parse_size(f[want - 2], &o.start) != 0 ||
	    sim_parse_size(f[want - 1], &o.size) != 0)
		return bad(op, "START and SIZE are sizes (e.g. 4G, 128M)");
	*out = o;
	return 0;
}

static struct pmm_online_policy policy;
static bool policy_given;

static int policy_bad(const char *val, const char *why)
{
	fprintf(stderr, "pmm-sim: --online-policy %s: %s\n", val, why);
	return -1;
}

int sim_hotplug_policy_parse(const char *val)
{
	struct pmm_online_policy p = { .kind = PMM_POLICY_CONTIG_ZONES };
	const char *ratio = strchr(val, ':');
	size_t len = ratio ? (size_t)(ratio - val) : strlen(val);
	if (strncmp(val, "auto-movable", len) == 0 && len == 12) {
		p.kind = PMM_POLICY_AUTO_MOVABLE;
		char *end;
		unsigned long r = ratio ? strtoul(ratio + 1, &end, 10) : 0;
		if (ratio && (ratio[1] == '\0' || *end != '\0' || r == 0 || r > 1000000))
			return policy_bad(val, "RATIO is a percentage, 1 to 1000000");
		p.auto_movable_ratio = (unsigned int)r;
	} else if (strcmp(val, "movable-node") == 0) {
		p.movable_node = true;
	} else if (strcmp(val, "contig-zones") != 0) {
		return policy_bad(val, "want contig-zones, movable-node or auto-movable[:RATIO]");
	}
	policy = p;
	policy_given = true;
	return 0;
}

int sim_hotplug_policy_apply(void)
{
	int err = policy_given ? pmm_memory_policy_set(&policy) : 0;
	if (err != 0)
		fprintf(stderr, "pmm-sim: --online-policy: %s\n", pmm_strerror(err));
	return err != 0;
}

bool sim_hotplug_is_op(const char *name)
{
	for (unsigned int k = 0; k < NR_OP_NAMES; k++)
		if (strcmp(name, op_names[k].name) == 0)
			return true;
	return false;
}

int sim_hotplug_parse(const char *op)
{
	if (nops == SIM_HOTPLUG_MAX_OPS)
		return bad(op, "at most 32 operations");
	if (parse_op(op, &ops[nops]) != 0)
		return -1;
	nops++;
	return 0;
}

int sim_hotplug_check(const char *op)
{
	struct hp_op o;
	return parse_op(op, &o);
}

bool sim_hotplug_any(void)
{
	return nops != 0;
}

pmm_phys_t sim_hotplug_max(void)
{
	pmm_phys_t top = 0;
	for (unsigned int i = 0; i < nops; i++)
		if (ops[i].op->kind == OP_ADD && ops[i].start + ops[i].size > top)
			top = ops[i].start + ops[i].size;
	return top;
}

static int run_one(const struct hp_op *o)
{
	switch (o->op->kind) {
	case OP_ADD: return pmm_memory_add_as(o->nid, o->start, o->size, o->op->type);
	case OP_OFFLINE: return pmm_memory_offline(o->start, o->size);
	case OP_ONLINE:
		return o->op->keep ? pmm_memory_online(o->start, o->size)
				   : pmm_memory_online_as(o->start, o->size, o->op->type);
	default: return pmm_memory_remove(o->start, o->size);
	}
}

/* Log the zone the first block of @o went to (after an add or online). */
static void log_zone(const struct hp_op *o, FILE *log)
{
	struct pmm_memory_block_info info;
	uint64_t block = pmm_memory_block_bytes();
	if ((o->op->kind == OP_ADD || o->op->kind == OP_ONLINE) && block != 0 &&
	    pmm_memory_block_get((unsigned int)(o->start / block), &info) == 0)
		fprintf(log, ", zone %s", info.valid_zones);
}

/* Run @o, logging to @log. Return: 0, or 1 after a message on stderr. */
static int run_logged(const struct hp_op *o, FILE *log)
{
	uint64_t before = pmm_nr_free_pages();
	int err = run_one(o);
	if (err) {
		fprintf(stderr, "pmm-sim: hotplug %s [mem 0x%010llx-0x%010llx]: %s\n",
			o->op->name, (unsigned long long)o->start,
			(unsigned long long)(o->start + o->size - 1),
			pmm_strerror(err));
		return 1;
	}
	if (!log)
		return 0;
	fprintf(log, "pmm-sim: hotplug %s [mem 0x%010llx-0x%010llx]",
		o->op->name, (unsigned long long)o->start,
		(unsigned long long)(o->start + o->size - 1));
	if (o->op->kind == OP_ADD)
		fprintf(log, " node %d", o->nid);
	fprintf(log, ": free pages %llu -> %llu", (unsigned long long)before,
		(unsigned long long)pmm_nr_free_pages());
	log_zone(o, log);
	fputc('\n', log);
	return 0;
}

int sim_hotplug_run(FILE *log)
{
	for (unsigned int i = 0; i < nops; i++)
		if (run_logged(&ops[i], log) != 0)
			return 1;
	return 0;
}

int sim_hotplug_apply(const char *op, FILE *log)
{
	struct hp_op o;
	if (parse_op(op, &o) != 0)
		return 1;
	return run_logged(&o, log);
}
