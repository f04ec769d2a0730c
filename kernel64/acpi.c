/* SPDX-License-Identifier: MIT */
/*
 * acpi.c - the three ACPI tables the kernel needs, read once at boot:
 *
 *   MADT ("APIC")  the local APIC address and every enabled CPU's APIC id
 *   SRAT           which node each CPU (APIC id) and each memory range
 *                  belongs to; memory ranges go to the map's NUMA ranges
 *   SLIT           the node distance matrix
 *
 * reached from the RSDP that GRUB copies into the Multiboot2 ACPI tag:
 * the XSDT (64-bit pointers) when the RSDP is revision 2 or later, else
 * the RSDT. Node numbers are the SRAT proximity domains (QEMU numbers its
 * -numa nodes that way). Tables are read in place through the direct map.
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

struct __attribute__((packed)) acpi_rsdp {
	char sig[8];
	uint8_t sum;
	char oem[6];
	uint8_t rev;
	uint32_t rsdt;
	uint32_t len; /* revision 2 on */
	uint64_t xsdt;
	uint8_t xsum;
	uint8_t pad[3];
};

#define MADT_LAPIC 0
#define SRAT_CPU 0
#define SRAT_MEM 1
#define SRAT_X2APIC 2
#define SRAT_ENABLED 0x1u
#define SRAT_HOTPLUG 0x2u

static __pmm_init bool sum_ok(const void *p, size_t len)
{
	uint8_t s = 0;

	for (size_t i = 0; i < len; i++)
		s = (uint8_t)(s + ((const uint8_t *)p)[i]);
	return s == 0;
}

/* Return: the table with signature @sig (checksum verified), or NULL. */
static __pmm_init const struct acpi_header *find_table(
	const struct acpi_rsdp *rsdp, const char *sig)
{
	bool x = rsdp->rev >= 2 && rsdp->xsdt;
	const struct acpi_header *root = KVIRT(x ? rsdp->xsdt : rsdp->rsdt);
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

static __pmm_init void note_node(struct kernel_numa *numa, uint32_t pxm)
{
	if (pxm >= KERNEL64_MAX_NODES)
		kernel_panic("SRAT: proximity domain %u; this kernel takes "
			     "0..%u (raise KERNEL64_MAX_NODES)", pxm,
			     KERNEL64_MAX_NODES - 1);
	if (pxm + 1 > numa->nr_nodes)
		numa->nr_nodes = pxm + 1;
}

static __pmm_init void srat_cpu(struct kernel_numa *numa, uint32_t apic,
				uint32_t pxm)
{
	for (unsigned int i = 0; i < numa->nr_cpus; i++)
		if (numa->apic_id[i] == apic)
			numa->cpu_node[i] = (int)pxm;
	note_node(numa, pxm);
	pmm_printk("SRAT: PXM %u -> APIC 0x%02x -> Node %u\n", pxm, apic, pxm);
}

static __pmm_init void srat_mem(struct kernel_numa *numa, struct pmm_memmap *m,
				const uint8_t *e)
{
	uint32_t pxm, flags;
	uint64_t base, len;

	pmm_memcpy(&pxm, e + 2, 4);
	pmm_memcpy(&base, e + 8, 8);
	pmm_memcpy(&len, e + 16, 8);
	pmm_memcpy(&flags, e + 28, 4);
	if (!(flags & SRAT_ENABLED) || !len || (flags & SRAT_HOTPLUG))
		return;
	note_node(numa, pxm);
	numa->node_has_memory[pxm] = true;
	pmm_printk("ACPI: SRAT: Node %u PXM %u [mem 0x%08llx-0x%08llx]\n", pxm,
		   pxm, (unsigned long long)base,
		   (unsigned long long)(base + len - 1));
	if (m->nr_numa == PMM_NUMA_MAX)
		kernel_panic("SRAT: more than %u memory ranges; raise "
			     "PMM_NUMA_MAX", PMM_NUMA_MAX);
	m->numa[m->nr_numa++] = (struct pmm_numa_range){
		base, base + len, (int)pxm, (int)pxm, false };
}

static __pmm_init void read_srat(const struct acpi_header *h,
				 struct pmm_memmap *m, struct kernel_numa *numa)
{
	const uint8_t *end = (const uint8_t *)h + h->len;

	for (const uint8_t *e = (const uint8_t *)h + 48; e + 2 <= end && e[1] >= 2;
	     e += e[1]) {
		uint32_t pxm = 0, flags = 0, apic = 0;
		if (e[0] == SRAT_CPU) {
			pmm_memcpy(&flags, e + 4, 4);
			pxm = e[2] | (uint32_t)e[9] << 8 | (uint32_t)e[10] << 16 |
			      (uint32_t)e[11] << 24;
			apic = e[3];
		} else if (e[0] == SRAT_X2APIC) {
			pmm_memcpy(&pxm, e + 4, 4);
			pmm_memcpy(&apic, e + 8, 4);
			pmm_memcpy(&flags, e + 12, 4);
		} else if (e[0] == SRAT_MEM) {
			srat_mem(numa, m, e);
			continue;
		}
		if ((e[0] == SRAT_CPU || e[0] == SRAT_X2APIC) &&
		    (flags & SRAT_ENABLED))
			srat_cpu(numa, apic, pxm);
	}
}

static __pmm_init void default_distances(struct kernel_numa *numa)
{
	for (unsigned int i = 0; i < KERNEL64_MAX_NODES; i++)
		for (unsigned int j = 0; j < KERNEL64_MAX_NODES; j++)
			numa->distance[i][j] = i == j ? 10 : 20;
}

static __pmm_init void read_slit(const struct acpi_header *h,
				 struct kernel_numa *numa)
{
	uint64_t n;
	const uint8_t *d = (const uint8_t *)(h + 1) + 8;

	pmm_memcpy(&n, h + 1, 8);
	if (n > KERNEL64_MAX_NODES)
		n = KERNEL64_MAX_NODES;
	for (uint64_t i = 0; i < n; i++)
		for (uint64_t j = 0; j < n; j++)
			numa->distance[i][j] = d[i * n + j];
}

int kernel_acpi_read(const void *rsdp_copy, struct pmm_memmap *map,
		     struct kernel_numa *numa)
{
	const struct acpi_rsdp *rsdp = rsdp_copy;
	const struct acpi_header *h;

	default_distances(numa);
	numa->nr_nodes = 1;
	if (!rsdp || pmm_memcmp(rsdp->sig, "RSD PTR ", 8) || !sum_ok(rsdp, 20)) {
		pmm_printk("ACPI: no valid RSDP in the Multiboot2 ACPI tags\n");
		return PMM_EPARSE;
	}
	pmm_printk("ACPI: RSDP revision %u, %s at 0x%08llx\n", rsdp->rev,
		   rsdp->rev >= 2 && rsdp->xsdt ? "XSDT" : "RSDT",
		   (unsigned long long)(rsdp->rev >= 2 && rsdp->xsdt
						? rsdp->xsdt : rsdp->rsdt));
	if (!(h = find_table(rsdp, "APIC"))) {
		pmm_printk("ACPI: no MADT\n");
		return PMM_EPARSE;
	}
	read_madt(h, numa);
	if ((h = find_table(rsdp, "SRAT")) != NULL)
		read_srat(h, map, numa);
	if ((h = find_table(rsdp, "SLIT")) != NULL)
		read_slit(h, numa);
	pmm_printk("ACPI: MADT: %u CPUs, SRAT: %s, SLIT: %s\n", numa->nr_cpus,
		   find_table(rsdp, "SRAT") ? "yes" : "no",
		   h ? "yes" : "no");
	return 0;
}
