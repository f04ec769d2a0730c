/* SPDX-License-Identifier: MIT */
/*
 * smp.c - the CPUs: per-CPU data, starting the application processors,
 * and running a function on all of them at once.
 *
 * Every CPU has a struct kcpu in kernel64_cpus[] and its GS base points at
 * it (boot.S sets CPU 0's, ap_entry64 the others'), so PMM_ARCH_CPU_ID()
 * is one load. An AP is started with INIT, then up to two startup IPIs
 * whose vector is the page of the real-mode trampoline (trampoline.S) the
 * boot CPU copied below 1 MiB; the AP reaches ap_main64() on its own
 * stack, says it is online, and waits for work in its call slot. The
 * kernel never enables interrupts: a "cross-CPU call" is a polled slot.
 */
#include "kernel64.h"

#define AP_STACK_SIZE 16384u
#define LAPIC_ID 0x20u
#define LAPIC_ICR_LO 0x300u
#define LAPIC_ICR_HI 0x310u
#define ICR_INIT 0x00004500u    /* INIT, level assert */
#define ICR_STARTUP 0x00004600u /* startup IPI, vector in bits 0-7 */
#define ICR_BUSY 0x00001000u    /* delivery status: send pending */
#define LOW_MEMORY_END 0xa0000u
#define AP_WAIT_US 2000000u
#define LAPIC_DEFAULT_PA 0xfee00000u
#define PTE_PWT 0x08u
#define PTE_PCD 0x10u

/* Written by the boot CPU, read by the AP in boot.S before it has a stack. */
extern uint64_t ap_boot_stack, ap_boot_kcpu;
void ap_main64(void);

struct kcpu kernel64_cpus[KERNEL64_MAX_CPUS];
unsigned int kernel64_nr_cpus = 1;

/* One slot per CPU: the boot CPU writes fn/arg then bumps gen; the CPU
 * runs fn and sets done = gen. */
struct call_slot {
	kernel_cpu_fn fn;
	void *arg;
	volatile unsigned int gen;
	volatile unsigned int done;
};

static struct call_slot slots[KERNEL64_MAX_CPUS];
static unsigned int run_arrived; /* CPUs at the start line of this run */
static _Alignas(16) uint8_t ap_stacks[KERNEL64_MAX_CPUS][AP_STACK_SIZE];
static volatile uint32_t *lapic;

static void lapic_write(uint32_t reg, uint32_t v)
{
	lapic[reg / 4] = v;
}

static uint32_t lapic_read(uint32_t reg)
{
	return lapic[reg / 4];
}

static void lapic_send(uint32_t apic_id, uint32_t cmd)
{
	lapic_write(LAPIC_ICR_HI, apic_id << 24);
	lapic_write(LAPIC_ICR_LO, cmd);
	while (lapic_read(LAPIC_ICR_LO) & ICR_BUSY)
		cpu_relax();
}

static __pmm_init bool page_is_free(const struct pmm_memmap *m,
			 const struct kernel_boot_data *bd, pmm_phys_t pa)
{
	pmm_phys_t end = pa + PMM_PAGE_SIZE;
	bool usable = false;

	for (unsigned int i = 0; i < m->nr; i++) {
		const struct pmm_memmap_entry *e = &m->entry[i];
		if (e->start < end && pa < e->end && e->type != PMM_MEM_USABLE)
			return false;
		usable |= e->type == PMM_MEM_USABLE && e->start <= pa &&
			  end <= e->end;
	}
	for (unsigned int i = 0; i < bd->nr_boot; i++)
		if (bd->boot[i].start < end && pa < bd->boot[i].end)
			return false;
	return usable;
}

__pmm_init pmm_phys_t kernel_smp_pick_trampoline(const struct pmm_memmap *map,
				      const struct kernel_boot_data *bd)
{
	for (pmm_phys_t pa = PMM_PAGE_SIZE; pa < LOW_MEMORY_END;
	     pa += PMM_PAGE_SIZE)
		if (page_is_free(map, bd, pa))
			return pa;
	kernel_panic("smp: no free page below 640 KiB for the AP trampoline");
}

/* Nearest node with memory to @node by SLIT distance (itself if it has). */
static int nearest_memory_node(const struct kernel_numa *numa, int node)
{
	int best = -1;

	for (unsigned int n = 0; n < numa->nr_nodes; n++) {
		if (!numa->node_has_memory[n])
			continue;
		if (best < 0 || numa->distance[node][n] <
					numa->distance[node][best])
			best = (int)n;
	}
	return best < 0 ? 0 : best;
}

static void kcpu_setup(const struct kernel_numa *numa, unsigned int i)
{
	struct kcpu *c = &kernel64_cpus[i];

	c->cpu = i;
	c->apic_id = numa->nr_cpus ? numa->apic_id[i] : 0;
	c->node = numa->nr_cpus ? numa->cpu_node[i] : 0;
	c->mem_node = numa->nr_nodes > 1 ? nearest_memory_node(numa, c->node)
					 : 0;
}

/* Make the 2 MiB page of the direct map holding @pa uncached (MMIO). */
static void map_uncached(pmm_phys_t pa)
{
	kernel64_pd[pa >> 21] |= PTE_PWT | PTE_PCD;
	__asm__ volatile("invlpg (%0)" : : "r"(KVIRT(pa)) : "memory");
}

/* Put the MADT entry of APIC id @me first: CPU 0 is the boot CPU. */
static void bsp_first(struct kernel_numa *numa, uint32_t me)
{
	for (unsigned int i = 1; i < numa->nr_cpus; i++) {
		if (numa->apic_id[i] != me)
			continue;
		uint32_t id = numa->apic_id[0];
		int node = numa->cpu_node[0];
		numa->apic_id[0] = numa->apic_id[i];
		numa->cpu_node[0] = numa->cpu_node[i];
		numa->apic_id[i] = id;
		numa->cpu_node[i] = node;
		return;
	}
}

void kernel_smp_init_bsp(struct kernel_numa *numa)
{
	pmm_phys_t pa = numa->lapic_pa ? numa->lapic_pa : LAPIC_DEFAULT_PA;

	map_uncached(pa);
	lapic = KVIRT(pa);
	uint32_t me = lapic_read(LAPIC_ID) >> 24;

	bsp_first(numa, me);
	if (numa->nr_cpus && numa->apic_id[0] != me)
		kernel_panic("smp: the boot CPU's APIC id %u is not in the "
			     "MADT", me);
	kcpu_setup(numa, 0);
	kernel64_cpus[0].online = 1;
}

static __pmm_init bool start_ap(unsigned int i, uint8_t vector)
{
	struct kcpu *c = &kernel64_cpus[i];

	ap_boot_stack = (uint64_t)(uintptr_t)(ap_stacks[i] + AP_STACK_SIZE);
	ap_boot_kcpu = (uint64_t)(uintptr_t)c;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	lapic_send(c->apic_id, ICR_INIT);
	kernel_udelay(10000);
	for (int sipi = 0; sipi < 2 && !c->online; sipi++) {
		lapic_send(c->apic_id, ICR_STARTUP | vector);
		kernel_udelay(200);
	}
	uint64_t deadline = kernel_now_ns() + AP_WAIT_US * 1000u;
	while (!c->online && kernel_now_ns() < deadline)
		cpu_relax();
	return c->online;
}

__pmm_init unsigned int kernel_smp_boot_aps(const struct kernel_numa *numa,
				 pmm_phys_t tramp_pa)
{
	size_t len = (size_t)(kernel64_trampoline_end - kernel64_trampoline_start);

	pmm_memcpy(KVIRT(tramp_pa), kernel64_trampoline_start, len);
	for (unsigned int i = 1; i < numa->nr_cpus; i++) {
		kcpu_setup(numa, i);
		if (!start_ap(i, (uint8_t)(tramp_pa >> PMM_PAGE_SHIFT))) {
			pmm_printk("smp: CPU %u (APIC id %u) did not come up\n",
				   i, kernel64_cpus[i].apic_id);
			break;
		}
		kernel64_nr_cpus = i + 1;
		pmm_printk("smp: CPU %u up: APIC id %u, node %d%s, GS base "
			   "0x%llx\n", i, kernel64_cpus[i].apic_id,
			   kernel64_cpus[i].node,
			   kernel64_cpus[i].mem_node != kernel64_cpus[i].node
				   ? " (no memory: allocates from the nearest)"
				   : "",
			   (unsigned long long)(uintptr_t)&kernel64_cpus[i]);
	}
	return kernel64_nr_cpus;
}

/* Wait until every running CPU has reached this point of the run. */
static void start_line(void)
{
	__atomic_add_fetch(&run_arrived, 1, __ATOMIC_ACQ_REL);
	while (__atomic_load_n(&run_arrived, __ATOMIC_ACQUIRE) < kernel64_nr_cpus)
		cpu_relax();
}

/* An AP, in long mode on its own stack with its GS base set. */
void ap_main64(void)
{
	struct kcpu *c = this_kcpu();
	struct call_slot *s = &slots[c->cpu];
	unsigned int seen = 0;

	kernel_idt_load();
	__atomic_store_n(&c->online, 1, __ATOMIC_RELEASE);
	for (;;) {
		while (__atomic_load_n(&s->gen, __ATOMIC_ACQUIRE) == seen)
			cpu_relax();
		seen = s->gen;
		start_line();
		s->fn(s->arg);
		__atomic_store_n(&s->done, seen, __ATOMIC_RELEASE);
	}
}

void kernel_smp_run(kernel_cpu_fn fn, void *arg)
{
	__atomic_store_n(&run_arrived, 0, __ATOMIC_RELEASE);
	for (unsigned int i = 1; i < kernel64_nr_cpus; i++) {
		slots[i].fn = fn;
		slots[i].arg = arg;
		__atomic_store_n(&slots[i].gen, slots[i].gen + 1,
				 __ATOMIC_RELEASE);
	}
	start_line();
	fn(arg);
	for (unsigned int i = 1; i < kernel64_nr_cpus; i++)
		while (__atomic_load_n(&slots[i].done, __ATOMIC_ACQUIRE) !=
		       slots[i].gen)
			cpu_relax();
}
