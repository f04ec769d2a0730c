/* SPDX-License-Identifier: MIT */
/*
 * hotplug.h - pmm-sim boot --hotplug OP (repeatable): memory added,
 * offlined, onlined and removed after the boot (pmm/elastic.h), in the
 * order given, each reported with the free page count before and after,
 * then the memory blocks as /sys/devices/system/memory shows them.
 *
 *   add:NID:START:SIZE  offline:START:SIZE  online:START:SIZE
 *   remove:START:SIZE   (START and SIZE take K, M, G, T suffixes)
 *   add_kernel, add_movable (the zone asked for), online_kernel,
 *   online_movable, online_auto (the policy's zone; plain online brings
 *   offline blocks back to the zone they had)
 */
#ifndef PMM_SIM_HOTPLUG_H
#define PMM_SIM_HOTPLUG_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <pmm/types.h>

/* Parse one --hotplug OP. Return: 0, or -1 after a message on stderr. */
int sim_hotplug_parse(const char *op);
/* Return: true when --hotplug was given. */
bool sim_hotplug_any(void);
/* Return: the end of the highest range an add names (bytes), 0 for none. */
pmm_phys_t sim_hotplug_max(void);
/* Run the operations, logging to @log (text mode). Return: 0, or 1 at the first failure. */
int sim_hotplug_run(FILE *log);

/* --online-policy contig-zones|movable-node|auto-movable[:RATIO].
 * Return: 0, or -1 after a message on stderr. */
int sim_hotplug_policy_parse(const char *val);
/* Put the policy given in force (after the boot). Return: 0, or 1 after a message. */
int sim_hotplug_policy_apply(void);

/* Return: true when @name is an operation's name (a workload key). */
bool sim_hotplug_is_op(const char *name);
/* Return: 0 if @op (as --hotplug takes it) parses, else -1 after a message. */
int sim_hotplug_check(const char *op);
/* Parse and run one operation now (a workload phase's add=, offline=, ...).
 * Return: 0, or 1 after a message on stderr. */
int sim_hotplug_apply(const char *op, FILE *log);

#endif /* PMM_SIM_HOTPLUG_H */
