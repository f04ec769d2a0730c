/* SPDX-License-Identifier: MIT */
/*
 * acpi.c - the ACPI tables the kernel needs, read once at boot from the
 * root pointer GRUB copied into the Multiboot2 ACPI tag (pmm's Multiboot2
 * reader put its RSDT/XSDT address into struct pmm_fw_info):
 *
 *   MADT ("APIC")  the local APIC address and every enabled CPU's APIC id
 *                  (read here: pmm has no use for it)
 *   SRAT           memory ranges per node: pmm_memmap_from_srat() appends
 *                  them to the map's NUMA ranges and numbers the nodes by
 *                  first appearance of their proximity domain, CPUs first;
 *                  each CPU's node comes from the processor entries here,
 *                  through that same numbering
 *   SLIT           node distances: pmm_fw_from_slit()
 *
 * The XSDT (64-bit pointers) is used when the RSDP is revision 2 or later,
 * else the RSDT. Tables are read in place through the direct map.
 */
#include "kernel64.h"

struct acpi_header {
	char sig[4];
	uint32_t len;
	uint8_t rev;
	uint8_t sum;
	char oem[6];
	char oem_table[8];
	uint32_t oem_rev;
	uint32_t creator;
	uint32_t creator_rev;
};
_Static_assert(sizeof(struct acpi_header) == 36, "ACPI SDT header");

#define MADT_LAPIC 0
#define SRAT_CPU 0
#define SRAT_X2APIC 2
#define SRAT_ENABLED 0x1u
#define SRAT_FIRST_ENTRY 48

static __pmm_init bool sum_ok(const void *p, size_t len)
{
	uint8_t s = 0;

	for (size_t i = 0; i < len; i++)
		s = (uint8_t)(s + ((const uint8_t *)p)[i]);
	return s == 0;
}

/* Return: the table with signature @sig (checksum verified), or NULL. */
static __pmm_init const struct acpi_header *find_table(
	const struct pmm_fw_info *fw, const char *sig)
{
	bool x = fw->rsdp_rev >= 2 && fw->xsdt;
	const struct acpi_header *root = KVIRT(x ? fw->xsdt : fw->rsdt);
	size_t width = x ? 8 : 4;
	size_t n = (root->len - sizeof(*root)) / width;
	const uint8_t *ptrs = (const uint8_t *)(root + 1);

	for (size_t i = 0; i < n; i++) {
		uint64_t pa = 0;
		pmm_memcpy(&pa, ptrs + i * width, width);
		const struct acpi_header *h = KVIRT(pa);
		if (!pmm_memcmp(h->sig, sig, 4) && sum_ok(h, h->len))
			return h;
	}
	return NULL;
}

static __pmm_init void read_madt(const struct acpi_header *h,
				 struct kernel_numa *numa)
{
	const uint8_t *p = (const uint8_t *)(h + 1);
	const uint8_t *end = (const uint8_t *)h + h->len;
	uint32_t lapic;

	pmm_memcpy(&lapic, p, 4);
	numa->lapic_pa = lapic;
	for (p += 8; p + 2 <= end && p[1] >= 2; p += p[1]) {
		if (p[0] != MADT_LAPIC || !(p[4] & 0x1u))
			continue; /* not a local APIC, or disabled */
		if (numa->nr_cpus == KERNEL64_MAX_CPUS) {
			pmm_printk("ACPI: MADT: more than %u CPUs; raise "
				   "PMM_NR_CPUS\n", KERNEL64_MAX_CPUS);
			return;
		}
		numa->apic_id[numa->nr_cpus++] = p[3];
	}
}

/* Return: pmm's node number for proximity domain @pxm, or -1. */
static __pmm_init int pxm_node(const struct pmm_fw_info *fw, uint32_t pxm)
{
	for (unsigned int n = 0; n < fw->nr_nodes; n++)
		if (fw->pxm[n] == pxm)
			return (int)n;
	return -1;
}

/* Give each MADT CPU the node of its SRAT processor entry. */
static __pmm_init void srat_cpus(const struct acpi_header *h,
				 const struct pmm_fw_info *fw,
				 struct kernel_numa *numa)
{
	const uint8_t *end = (const uint8_t *)h + h->len;

	for (const uint8_t *e = (const uint8_t *)h + SRAT_FIRST_ENTRY;
	     e + 2 <= end && e[1] >= 2; e += e[1]) {
		uint32_t pxm, apic, flags;
		if (e[0] == SRAT_CPU) {
			pmm_memcpy(&flags, e + 4, 4);
			pxm = e[2] | (uint32_t)e[9] << 8 | (uint32_t)e[10] << 16 |
			      (uint32_t)e[11] << 24;
			apic = e[3];
		} else if (e[0] == SRAT_X2APIC) {
			pmm_memcpy(&pxm, e + 4, 4);
			pmm_memcpy(&apic, e + 8, 4);
			pmm_memcpy(&flags, e + 12, 4);
		} else {
			continue;
		}
		int node = pxm_node(fw, pxm);
		if (!(flags & SRAT_ENABLED) || node < 0)
			continue;
		for (unsigned int i = 0; i < numa->nr_cpus; i++)
			if (numa->apic_id[i] == apic)
				numa->cpu_node[i] = node;
		pmm_printk("SRAT: PXM %u -> APIC 0x%02x -> Node %d\n", pxm, apic,
			   node);
	}
}

static __pmm_init int read_srat(const struct acpi_header *h,
				struct pmm_fw_info *fw, struct pmm_memmap *m,
				struct kernel_numa *numa)
{
	struct pmm_parse_error perr;
	int err = pmm_memmap_from_srat(m, fw, h, h->len, &perr);

	if (err) {
		pmm_printk("ACPI: SRAT: %s\n", perr.msg);
		return err;
	}
	for (unsigned int i = 0; i < m->nr_numa; i++)
		pmm_printk("ACPI: SRAT: Node %d PXM %d [mem 0x%08llx-0x%08llx]%s\n",
			   m->numa[i].nid, m->numa[i].pxm,
			   (unsigned long long)m->numa[i].start,
			   (unsigned long long)m->numa[i].end - 1,
			   m->numa[i].hotplug ? " hotplug" : "");
	srat_cpus(h, fw, numa);
	return 0;
}

static __pmm_init int read_slit(const struct acpi_header *h,
				struct pmm_fw_info *fw, struct kernel_numa *numa)
{
	struct pmm_parse_error perr;
	int err = pmm_fw_from_slit(fw, h, h->len, &perr);

	if (err) {
		pmm_printk("ACPI: SLIT: %s\n", perr.msg);
		return err;
	}
	for (unsigned int a = 0; a < fw->nr_dist && a < KERNEL64_MAX_NODES; a++)
		for (unsigned int b = 0; b < fw->nr_dist && b < KERNEL64_MAX_NODES;
		     b++)
			numa->distance[a][b] = fw->dist[a][b];
	return 0;
}

static __pmm_init void default_distances(struct kernel_numa *numa)
{
	for (unsigned int i = 0; i < KERNEL64_MAX_NODES; i++)
		for (unsigned int j = 0; j < KERNEL64_MAX_NODES; j++)
			numa->distance[i][j] = i == j ? 10 : 20;
}

/* Nodes: as many as pmm numbered; which of them have memory. */
static __pmm_init int count_nodes(const struct pmm_fw_info *fw,
				  const struct pmm_memmap *m,
				  struct kernel_numa *numa)
{
	numa->nr_nodes = fw->nr_nodes ? fw->nr_nodes : 1;
	if (numa->nr_nodes > KERNEL64_MAX_NODES) {
		pmm_printk("ACPI: SRAT: %u nodes; this kernel takes %u (raise "
			   "KERNEL64_MAX_NODES)\n", numa->nr_nodes,
			   KERNEL64_MAX_NODES);
		return PMM_ERANGE;
	}
	for (unsigned int i = 0; i < m->nr_numa; i++)
		numa->node_has_memory[m->numa[i].nid] = true;
	if (!m->nr_numa)
		numa->node_has_memory[0] = true;
	return 0;
}

int kernel_acpi_read(struct pmm_fw_info *fw, struct pmm_memmap *map,
		     struct kernel_numa *numa)
{
	const struct acpi_header *madt, *srat, *slit;
	int err = 0;

	default_distances(numa);
	if (!fw->rsdp_rev) {
		pmm_printk("ACPI: no RSDP in the Multiboot2 ACPI tags\n");
		return PMM_EPARSE;
	}
	pmm_printk("ACPI: RSDP revision %u, %s at 0x%08llx\n", fw->rsdp_rev,
		   fw->rsdp_rev >= 2 && fw->xsdt ? "XSDT" : "RSDT",
		   (unsigned long long)(fw->rsdp_rev >= 2 && fw->xsdt
						? fw->xsdt : fw->rsdt));
	if (!(madt = find_table(fw, "APIC"))) {
		pmm_printk("ACPI: no MADT\n");
		return PMM_EPARSE;
	}
	read_madt(madt, numa);
	srat = find_table(fw, "SRAT");
	slit = find_table(fw, "SLIT");
	if (srat)
		err = read_srat(srat, fw, map, numa);
	if (!err && slit)
		err = read_slit(slit, fw, numa);
	if (!err)
		err = count_nodes(fw, map, numa);
	pmm_printk("ACPI: MADT: %u CPUs, SRAT: %s, SLIT: %s\n", numa->nr_cpus,
		   srat ? "yes" : "no", slit ? "yes" : "no");
	return err;
}
