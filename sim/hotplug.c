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

struct hp_op {
	enum op_kind kind;
	int nid;
	uint64_t start, size;
};

static struct hp_op ops[SIM_HOTPLUG_MAX_OPS];
static unsigned int nops;

static const char *const kind_name[] = { "add", "offline", "online", "remove" };

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
	while (k < 4 && strcmp(buf, kind_name[k]) != 0)
		k++;
	if (k == 4)
		return bad(op, "unknown operation (add, offline, online, remove)");
	o.kind = (enum op_kind)k;
	int n = fields(colon + 1, f), want = o.kind == OP_ADD ? 3 : 2;
	if (n != want)
		return bad(op, o.kind == OP_ADD ? "want add:NID:START:SIZE"
						: "want OP:START:SIZE");
	char *end;
	if (o.kind == OP_ADD) {
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
		if (ops[i].kind == OP_ADD && ops[i].start + ops[i].size > top)
			top = ops[i].start + ops[i].size;
	return top;
}

static int run_one(const struct hp_op *o)
{
	switch (o->kind) {
	case OP_ADD: return pmm_memory_add(o->nid, o->start, o->size);
	case OP_OFFLINE: return pmm_memory_offline(o->start, o->size);
	case OP_ONLINE: return pmm_memory_online(o->start, o->size);
	default: return pmm_memory_remove(o->start, o->size);
	}
}

/* Run @o, logging to @log. Return: 0, or 1 after a message on stderr. */
static int run_logged(const struct hp_op *o, FILE *log)
{
	uint64_t before = pmm_nr_free_pages();
	int err = run_one(o);
	if (err) {
		fprintf(stderr, "pmm-sim: hotplug %s [mem 0x%010llx-0x%010llx]: %s\n",
			kind_name[o->kind], (unsigned long long)o->start,
			(unsigned long long)(o->start + o->size - 1),
			pmm_strerror(err));
		return 1;
	}
	if (!log)
		return 0;
	fprintf(log, "pmm-sim: hotplug %s [mem 0x%010llx-0x%010llx]",
		kind_name[o->kind], (unsigned long long)o->start,
		(unsigned long long)(o->start + o->size - 1));
	if (o->kind == OP_ADD)
		fprintf(log, " node %d", o->nid);
	fprintf(log, ": free pages %llu -> %llu\n", (unsigned long long)before,
		(unsigned long long)pmm_nr_free_pages());
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
