/* SPDX-License-Identifier: MIT */
/*
 * idt.c - the interrupt descriptor table: 32 interrupt gates, one per CPU
 * exception, to the stubs of isr.S. The kernel never enables interrupts,
 * so the table has nothing else; any exception (a NULL dereference hits
 * the absent page 0, freed init code is int3 poison) prints the vector,
 * the CPU and the registers the CPU pushed, then exits QEMU as a failure.
 */
#include "kernel64.h"

#define IDT_VECTORS 32
#define GATE_INTERRUPT 0x8e /* present, ring 0, 64-bit interrupt gate */
#define SEL_CODE64 0x08

struct idt_gate {
	uint16_t off_lo;
	uint16_t sel;
	uint8_t ist;
	uint8_t type;
	uint16_t off_mid;
	uint32_t off_hi;
	uint32_t zero;
};
_Static_assert(sizeof(struct idt_gate) == 16, "a long-mode gate is 16 bytes");

/* The frame isr.S passes: its two pushes, then what the CPU pushed. */
struct exception_frame {
	uint64_t vector, error, rip, cs, rflags, rsp, ss;
};

extern const uint64_t kernel64_isr_table[IDT_VECTORS];
void kernel64_exception(const struct exception_frame *f);

static struct idt_gate idt[IDT_VECTORS];
static volatile int idt_ready;

static const char *const names[IDT_VECTORS] = {
	"divide error", "debug", "NMI", "breakpoint", "overflow",
	"bound range", "invalid opcode", "device not available",
	"double fault", "coprocessor segment", "invalid TSS",
	"segment not present", "stack fault", "general protection",
	"page fault", "reserved", "x87 error", "alignment check",
	"machine check", "SIMD error", "virtualization", "control protection",
};

static void idt_fill(void)
{
	for (unsigned int v = 0; v < IDT_VECTORS; v++) {
		uint64_t off = kernel64_isr_table[v];
		idt[v] = (struct idt_gate){
			.off_lo = (uint16_t)off,
			.sel = SEL_CODE64,
			.type = GATE_INTERRUPT,
			.off_mid = (uint16_t)(off >> 16),
			.off_hi = (uint32_t)(off >> 32),
		};
	}
	idt_ready = 1;
}

void kernel_idt_load(void)
{
	struct __attribute__((packed)) {
		uint16_t limit;
		uint64_t base;
	} ptr = { sizeof(idt) - 1, (uint64_t)(uintptr_t)idt };

	if (!idt_ready)
		idt_fill();
	__asm__ volatile("lidt %0" : : "m"(ptr));
}

void kernel64_exception(const struct exception_frame *f)
{
	uint64_t cr2;
	const char *name = f->vector < IDT_VECTORS && names[f->vector]
				   ? names[f->vector]
				   : "reserved";

	__asm__ volatile("mov %%cr2, %0" : "=r"(cr2));
	kernel_panic("CPU %u: exception %llu (%s), error 0x%llx, rip "
		     "0x%016llx, rsp 0x%016llx, cr2 0x%016llx",
		     kernel64_this_cpu(), (unsigned long long)f->vector, name,
		     (unsigned long long)f->error, (unsigned long long)f->rip,
		     (unsigned long long)f->rsp, (unsigned long long)cr2);
}
