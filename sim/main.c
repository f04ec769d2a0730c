/* SPDX-License-Identifier: MIT */
/*
 * main.c - pmm-sim: boot a described machine with pmm in user space and
 * print what a kernel would: the sanitized map, the boot log, the
 * retirement counts, /proc/buddyinfo and /proc/zoneinfo, or all as JSON.
 * The machine is the built-in PC or a firmware map file: a boot log, a
 * UEFI map, a Multiboot2 block, a device tree or a SRAT (map_source.c).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <pmm/check.h>
#include <pmm/cmdline.h>
#include <pmm/contig.h>
#include <pmm/report.h>

#include "host_platform.h"
#include "hotplug.h"
#include "lab.h"
#include "machine.h"

#include "map_source.h"

#define SIM_CHECK_AUTO_MAX ((pmm_phys_t)64 << 30)

struct sim_options {
	const char *map_file;
	enum sim_map_format format;   /* --format, or found by content */
	uint32_t efi_desc_size;       /* stride of --format efi */
	uint64_t mem;
	unsigned int nodes;
	unsigned int cpus; /* --cpus: threads of the parallel hand-off */
	uint64_t kernel;
	uint64_t init;
	bool json;
	bool pagetypeinfo; /* also print /proc/pagetypeinfo */
	bool memory_blocks; /* also print /sys/devices/system/memory */
	const char *cmdline; /* --cmdline: memory options instead of the log's */
	bool ignore_cmdline; /* boot a log's firmware map without its options */
	struct pmm_boot_cma cma; /* --cma SIZE: one CMA region on node 0 */
	int check; /* 1: always, 0: never, -1: when RAM <= SIM_CHECK_AUTO_MAX */
	struct pmm_boot_config cfg;
};

static void usage(FILE *f)
{
	fprintf(f,
		"usage: pmm-sim boot [--map FILE|-] [--mem SIZE] [--nodes N]\n"
		"                    [--profile i386|x86_64] [--early bootmem|memblock]\n"
		"                    [--kernel SIZE] [--init SIZE] [--memblock-debug] [--json]\n"
		"                    [--check|--no-check] [--pagetypeinfo] [--cma SIZE]\n"
		"                    [--format dmesg|efi-log|efi|mb2|fdt|srat] [--efi-desc-size N]\n"
		"                    [--cmdline TEXT] [--ignore-cmdline] [--cpus N]\n"
		"                    [--hotplug add:NID:START:SIZE|offline:START:SIZE|\n"
		"                               online:START:SIZE|remove:START:SIZE]...\n"
		"                    [--hotplug-max SIZE] [--memory-blocks]\n"
		"                    [--online-policy contig-zones|movable-node|\n"
		"                                     auto-movable[:RATIO]] [--memmap-on-memory]\n"
		"                    [--eager-handoff]\n"
		"Boots a machine with pmm: the built-in 4 GiB PC by default, or the\n"
		"firmware map in FILE (or - for standard input): boot-log text with\n"
		"e820 (any Linux up to 7.0), SRAT or efi=debug lines, a device tree, or\n"
		"an ACPI SRAT are recognised; a raw UEFI map (descriptors --efi-desc-size\n"
		"bytes apart, default 48) or a Multiboot2 block needs --format.\n"
		"SIZE takes K, M, G or T suffixes. pmm_check() runs after the boot on\n"
		"machines up to 64 GiB unless --check or --no-check says otherwise.\n"
		"A Linux log's own \"Command line:\" (mem=, memmap=) and its \"e820:\n"
		"update/remove\" lines are honoured; --cmdline TEXT replaces them with\n"
		"TEXT's options, --ignore-cmdline boots the firmware map alone.\n"
		"--hotplug runs memory hotplug operations after the boot, in order\n"
		"(descriptors reach --hotplug-max, by default the end of the highest\n"
		"add), then prints the memory blocks; --memory-blocks prints them alone.\n"
		"add_kernel/add_movable and online_kernel/online_movable choose the zone\n"
		"(Linux's online_kernel, online_movable); add and online_auto leave it to\n"
		"--online-policy (Linux's memory_hotplug.online_policy; default\n"
		"contig-zones, auto-movable's RATIO defaults to 301); online brings\n"
		"offline blocks back to the zone they had. With --hotplug the simulated\n"
		"memory is a virtual memmap: each added block's page descriptors are\n"
		"backed as it is added, by boot memory or, with --memmap-on-memory,\n"
		"by the block's own first pages (Linux's memmap_on_memory).\n"
		"--cpus N hands the nodes to the buddy allocator on N threads (1 to\n"
		"PMM_NR_CPUS; default: the host's online CPUs, at most PMM_NR_CPUS).\n"
		"The hand-off defers the top-order blocks in the middle of each range\n"
		"(Linux's deferred struct page init; nothing printed changes): only the\n"
		"descriptors the boot and later calls need are written. --eager-handoff\n"
		"writes every block's head during the boot.\n"
		"pmm-sim run|replay (workloads, Linux traces): pmm-sim run --help.\n");
}

static void out_stdout(void *ctx, const char *s, size_t n)
{
	fwrite(s, 1, n, ctx);
}

static int bad_arg(const char *opt, const char *val, const char *why)
{
	if (val)
		fprintf(stderr, "pmm-sim: %s %s: %s\n", opt, val, why);
	else
		fprintf(stderr, "pmm-sim: %s: %s\n", opt, why);
	usage(stderr);
	return 2;
}

static bool takes_value(const char *opt)
{
	static const char *const with_value[] = {
		"--map", "--mem", "--kernel", "--init", "--nodes", "--profile", "--early",
		"--format", "--efi-desc-size", "--cmdline", "--cma", "--cpus", "--hotplug",
		"--hotplug-max", "--online-policy",
	};
	for (size_t i = 0; i < sizeof(with_value) / sizeof(with_value[0]); i++)
		if (strcmp(opt, with_value[i]) == 0)
			return true;
	return false;
}

static int parse_size_arg(const char *opt, const char *val, uint64_t *out)
{
	if (!val || sim_parse_size(val, out) != 0)
		return bad_arg(opt, val, "not a size (e.g. 512M, 4G)");
	return 0;
}

static int parse_choice(const char *opt, const char *val, const char *a,
			const char *b, int *out)
{
	if (val && strcmp(val, a) == 0)
		*out = 0;
	else if (val && strcmp(val, b) == 0)
		*out = 1;
	else
		return bad_arg(opt, val, "unknown choice");
	return 0;
}

/* A count @val of 1..@max for option @opt; *@out or exit status 2. */
static int parse_count(const char *opt, const char *val, unsigned long max,
		       const char *why, unsigned int *out)
{
	char *end;
	unsigned long n = val ? strtoul(val, &end, 10) : 0;
	if (!val || *end || n == 0 || n > max)
		return bad_arg(opt, val, why);
	*out = (unsigned int)n;
	return 0;
}

static int parse_desc_size(const char *val, uint32_t *out)
{
	char *end;
	unsigned long n = val ? strtoul(val, &end, 0) : 0;
	if (!val || *end || n == 0 || n > 4096)
		return bad_arg("--efi-desc-size", val, "must be 1 to 4096 bytes");
	*out = (uint32_t)n;
	return 0;
}

static int parse_one(struct sim_options *o, const char *opt, const char *val,
		     int *used)
{
	int c = 0, err = 0;
	*used = 2;
	if (takes_value(opt) && !val)
		return bad_arg(opt, NULL, "needs a value");
	if (strcmp(opt, "--map") == 0)
		o->map_file = val;
	else if (strcmp(opt, "--format") == 0) {
		if (sim_map_format_parse(val, &o->format) != 0)
			err = bad_arg(opt, val, "unknown format (dmesg, efi-log, efi, mb2, fdt, srat)");
	} else if (strcmp(opt, "--efi-desc-size") == 0)
		err = parse_desc_size(val, &o->efi_desc_size);
	else if (strcmp(opt, "--cmdline") == 0)
		o->cmdline = val;
	else if (strcmp(opt, "--mem") == 0)
		err = parse_size_arg(opt, val, &o->mem);
	else if (strcmp(opt, "--kernel") == 0)
		err = parse_size_arg(opt, val, &o->kernel);
	else if (strcmp(opt, "--init") == 0)
		err = parse_size_arg(opt, val, &o->init);
	else if (strcmp(opt, "--cma") == 0) {
		err = parse_size_arg(opt, val, &o->cma.size);
		o->cma = (struct pmm_boot_cma){ PMM_NUMA_NO_NODE, o->cma.size, 0, "reserved" };
		o->cfg.cma = &o->cma;
		o->cfg.nr_cma = o->cma.size != 0;
	}
	else if (strcmp(opt, "--nodes") == 0)
		err = parse_count(opt, val, PMM_MAX_NUMNODES,
				  "must be 1 to PMM_MAX_NUMNODES", &o->nodes);
	else if (strcmp(opt, "--cpus") == 0)
		err = parse_count(opt, val, PMM_NR_CPUS, "must be 1 to PMM_NR_CPUS",
				  &o->cpus);
	else if (strcmp(opt, "--hotplug") == 0) {
		if (sim_hotplug_parse(val) != 0) {
			usage(stderr);
			err = 2;
		}
	} else if (strcmp(opt, "--hotplug-max") == 0)
		err = parse_size_arg(opt, val, &o->cfg.hotplug_max);
	else if (strcmp(opt, "--online-policy") == 0) {
		if (!val || sim_hotplug_policy_parse(val) != 0) {
			usage(stderr);
			err = 2;
		}
	}
	else if (strcmp(opt, "--profile") == 0) {
		err = parse_choice(opt, val, "i386", "x86_64", &c);
		o->cfg.profile = c ? PMM_PROFILE_X86_64 : PMM_PROFILE_I386;
	} else if (strcmp(opt, "--early") == 0) {
		err = parse_choice(opt, val, "bootmem", "memblock", &c);
		o->cfg.early = c ? PMM_EARLY_MEMBLOCK : PMM_EARLY_BOOTMEM;
	} else {
		*used = 1;
		if (strcmp(opt, "--json") == 0)
			o->json = true;
		else if (strcmp(opt, "--check") == 0)
			o->check = 1;
		else if (strcmp(opt, "--no-check") == 0)
			o->check = 0;
		else if (strcmp(opt, "--memblock-debug") == 0)
			o->cfg.memblock_debug = true;
		else if (strcmp(opt, "--pagetypeinfo") == 0)
			o->pagetypeinfo = true;
		else if (strcmp(opt, "--ignore-cmdline") == 0)
			o->ignore_cmdline = true;
		else if (strcmp(opt, "--memory-blocks") == 0)
			o->memory_blocks = true;
		else if (strcmp(opt, "--memmap-on-memory") == 0)
			o->cfg.memmap_on_memory = true;
		else if (strcmp(opt, "--eager-handoff") == 0)
			o->cfg.deferred = false;
		else
			err = bad_arg(opt, NULL, "unknown option");
	}
	return err;
}

/* The host's online CPUs, 1 to PMM_NR_CPUS: the default of --cpus. */
static unsigned int host_cpus(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	if (n < 1)
		return 1;
	return n > PMM_NR_CPUS ? PMM_NR_CPUS : (unsigned int)n;
}

static int parse_args(int argc, char **argv, struct sim_options *o)
{
	pmm_boot_config_init(&o->cfg);
	o->mem = SIM_DEFAULT_MEM;
	o->nodes = 1;
	o->cpus = host_cpus();
	o->cfg.deferred = true;
	o->check = -1;
	o->kernel = 6 << 20;
	o->init = 1 << 20;
	o->efi_desc_size = SIM_EFI_DESC_SIZE;
	if (argc < 2 || strcmp(argv[1], "boot") != 0) {
		if (argc >= 2 && strcmp(argv[1], "--help") == 0) {
			usage(stdout);
			return 1;
		}
		usage(stderr);
		return 2;
	}
	for (int i = 2; i < argc;) {
		int used, err = parse_one(o, argv[i], i + 1 < argc ? argv[i + 1] : NULL, &used);
		if (err)
			return err;
		i += used;
	}
	return 0;
}

static char *read_all(const char *path, size_t *len)
{
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
	char *buf = NULL;
	size_t cap = 0, n = 0;
	if (!f)
		return NULL;
	for (;;) {
		if (n == cap) {
			char *p = realloc(buf, cap ? cap * 2 : 65536);
			if (!p)
				break;
			buf = p;
			cap = cap ? cap * 2 : 65536;
		}
		size_t got = fread(buf + n, 1, cap - n, f);
		n += got;
		if (got == 0)
			break;
	}
	if (ferror(f) || !buf) {
		free(buf);
		buf = NULL;
	}
	if (f != stdin)
		fclose(f);
	*len = n;
	return buf;
}

/* --cmdline's memory options (mem=, memmap=; vmalloc= on i386), after the map's own. */
static int sim_apply_cmdline(struct sim_options *o, struct pmm_memmap *m)
{
	struct pmm_parse_error perr = { 0, "" };
	if (!o->cmdline)
		return 0;
	bool i386 = o->cfg.profile == PMM_PROFILE_I386;
	if (pmm_memmap_apply_cmdline(m, o->cmdline, &perr) == 0 &&
	    (!i386 || pmm_linux_cmdline_vmalloc(o->cmdline, &o->cfg.vmalloc_reserve,
						&perr) == 0))
		return 0;
	fprintf(stderr, "pmm-sim: --cmdline: %s\n", perr.msg);
	return 1;
}

/* A log's lowmem and vmalloc= for the boot; its user map's difference, said. */
static void take_log_results(struct sim_options *o, const struct sim_linux_log *log)
{
	o->cfg.lowmem_end = log->lowmem_end;
	o->cfg.vmalloc_reserve = log->vmalloc_reserve;
	if (log->user_map_differs)
		fprintf(o->json ? stderr : stdout, "pmm-sim: warning: the log's "
			"user-defined physical RAM map differs from pmm's: %s\n",
			log->user_map_diff);
}

static int load_map(struct sim_options *o, struct pmm_memmap *m)
{
	static struct pmm_fw_info fw;
	struct pmm_parse_error perr = { 0, "" };
	size_t len = 0;
	if (!o->map_file) {
		if (sim_machine_pc(m, o->mem, o->nodes) == 0)
			return sim_apply_cmdline(o, m);
		fprintf(stderr, "pmm-sim: cannot describe a %llu-byte machine with "
			"%u nodes\n", (unsigned long long)o->mem, o->nodes);
		return 1;
	}
	char *text = read_all(o->map_file, &len);
	if (!text) {
		fprintf(stderr, "pmm-sim: cannot read %s: %s\n", o->map_file,
			strerror(errno ? errno : EIO));
		return 1;
	}
	if (o->format == SIM_MAP_AUTO)
		o->format = sim_map_detect(text, len);
	static struct sim_linux_log log;
	int err = sim_map_read(m, &fw, text, len, o->format, o->efi_desc_size, &perr);
	if (!err && o->format == SIM_MAP_DMESG)
		err = sim_map_linux_edits(m, text, len, o->ignore_cmdline || o->cmdline,
					  o->cfg.profile == PMM_PROFILE_I386, &log, &perr);
	if (!err && o->format == SIM_MAP_DMESG)
		take_log_results(o, &log);
	free(text);
	if (err) {
		fprintf(stderr, "pmm-sim: %s:%u: %s\n", o->map_file, perr.line, perr.msg);
		return 1;
	}
	return sim_apply_cmdline(o, m);
}

/*
 * Place the kernel image - code, data, then the init sections - at 1 MiB
 * on a PC, or at the start of the first RAM that holds it (device trees).
 */
static void place_kernel(struct sim_options *o, const struct pmm_memmap *map)
{
	pmm_phys_t base = sim_map_kernel_base(map, o->kernel + o->init);
	uint64_t code = (o->kernel * 2 / 3) & PMM_PAGE_MASK;
	o->cfg.kernel_code = (struct pmm_phys_range){ base, base + code };
	o->cfg.kernel_data = (struct pmm_phys_range){ base + code, base + o->kernel };
	o->cfg.init = (struct pmm_phys_range){ base + o->kernel,
					       base + o->kernel + o->init };
}

static void print_reports(const struct sim_options *o, const struct pmm_boot_info *info)
{
	struct pmm_out out = { out_stdout, stdout };
	printf("\npmm-sim: retirement: %llu pages handed to the buddy allocator "
	       "(%llu bitmap pages, %llu highmem pages); %llu init pages freed\n",
	       (unsigned long long)info->handoff_pages,
	       (unsigned long long)info->bitmap_pages_freed,
	       (unsigned long long)info->highmem_pages_freed,
	       (unsigned long long)info->init_pages_freed);
	printf("\n/proc/buddyinfo:\n");
	pmm_report_buddyinfo(&out);
	printf("\n/proc/zoneinfo (subset):\n");
	pmm_report_zoneinfo(&out);
	if (o->pagetypeinfo) {
		printf("\n/proc/pagetypeinfo:\n");
		pmm_report_pagetypeinfo(&out);
	}
	if (o->memory_blocks || sim_hotplug_any()) {
		printf("\n/sys/devices/system/memory:\n");
		pmm_report_memory_blocks(&out);
	}
	struct pmm_cma_info ci;
	if (pmm_cma_info(0, &ci) == 0)
		printf("\n/proc/meminfo (CMA):\nCmaTotal:       %8llu kB\nCmaFree:        %8llu kB\n",
		       (unsigned long long)(ci.count << (PMM_PAGE_SHIFT - 10)),
		       (unsigned long long)(ci.free << (PMM_PAGE_SHIFT - 10)));
}

/* The JSON report, with which map format was read as its first member. */
static void print_json(const struct sim_options *o, const struct pmm_memmap *map,
		       const struct pmm_boot_info *info)
{
	char *json = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&json, &n);
	struct pmm_out out = { out_stdout, f ? (void *)f : (void *)stdout };
	const char *fmt = o->map_file ? sim_map_format_name(o->format) : "builtin";

	pmm_report_json(&out, map, info);
	if (!f)
		return;
	fclose(f);
	if (n > 0 && json[0] == '{' && (o->memory_blocks || sim_hotplug_any())) {
		struct pmm_out so = { out_stdout, stdout };
		printf("{\"map_format\":\"%s\",\"memory_blocks\":", fmt);
		pmm_report_memory_blocks_json(&so);
		printf(",%s", json + 1);
	} else if (n > 0 && json[0] == '{')
		printf("{\"map_format\":\"%s\",%s", fmt, json + 1);
	else
		fwrite(json, 1, n, stdout);
	free(json);
}

static int boot(struct sim_options *o)
{
	static struct pmm_memmap map;
	struct pmm_boot_info info;
	int rc = load_map(o, &map);
	if (rc)
		return rc;
	place_kernel(o, &map);
	o->cfg.quiet = o->json;
	if (o->cfg.hotplug_max == 0)
		o->cfg.hotplug_max = sim_hotplug_max();
	struct host_platform_options hopt = {
		.phys_size = pmm_memmap_end_of_ram(&map), .quiet = o->json,
		.reporting = sim_lab.report_every != 0,
		.cpus = o->cpus,
		.virtual_memmap = sim_hotplug_any() || o->cfg.memmap_on_memory,
	};
	if (hopt.phys_size < o->cfg.hotplug_max)
		hopt.phys_size = o->cfg.hotplug_max;
	if (host_platform_install(&hopt) != 0) {
		fprintf(stderr, "pmm-sim: cannot map %llu bytes of simulated memory\n",
			(unsigned long long)hopt.phys_size);
		return 1;
	}
	int err = pmm_boot(&map, &o->cfg, &info);
	if (err) {
		fprintf(stderr, "pmm-sim: boot failed: %s\n", pmm_strerror(err));
		return 1;
	}
	bool check = o->check == 1 ||
		     (o->check == -1 && info.max_pfn <= PMM_PFN_DOWN(SIM_CHECK_AUTO_MAX));
	if (sim_hotplug_policy_apply() != 0 ||
	    (sim_hotplug_any() && sim_hotplug_run(o->json ? NULL : stdout) != 0))
		return 1;
	const char *bad = check ? pmm_check() : NULL;
	if (bad) {
		fprintf(stderr, "pmm-sim: consistency check failed: %s\n", bad);
		return 1;
	}
	int lab = sim_lab_after_boot(); /* run, replay (sim/lab.c) */
	if (lab >= 0)
		return lab;
	if (o->json) {
		print_json(o, &map, &info);
	} else {
		print_reports(o, &info);
		printf("\npmm_check: %s\n", check ? "consistent" : "skipped (--check runs it)");
	}
	return sim_lab_finish_boot();
}

int main(int argc, char **argv)
{
	static struct sim_options o;
	int rc = sim_lab_args(&argc, argv); /* run, replay, --svg (sim/lab.c) */
	if (rc)
		return rc == 1 ? 0 : rc;
	rc = parse_args(argc, argv, &o);
	if (rc)
		return rc == 1 ? 0 : rc;
	rc = boot(&o);
	host_platform_remove();
	return rc;
}
