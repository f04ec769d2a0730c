/* SPDX-License-Identifier: MIT */
/*
 * trampoline.S - where an application processor starts: real mode at
 * CS:IP = (vector << 8):0 after the startup IPI. The boot CPU copies
 * [kernel64_trampoline_start, kernel64_trampoline_end) to a free page
 * below 1 MiB (reserved in the boot config) and sends that page's number
 * as the SIPI vector.
 *
 * The code is position independent in real mode: it addresses its own
 * bytes through %cs-relative offsets, loads the kernel's GDT (whose linear
 * address is a link-time constant below 16 MiB), turns on protection and
 * far-jumps to ap_entry32 in boot.S, at its link-time address.
 */
#define SEL_CODE32 0x18

	.section .rodata.trampoline, "a"
	.code16
	.globl kernel64_trampoline_start, kernel64_trampoline_end
kernel64_trampoline_start:
	cli
	cld
	movw %cs, %ax
	movw %ax, %ds
	lgdtl %ds:(tramp_gdt_ptr - kernel64_trampoline_start)
	movl %cr0, %eax
	orl $1, %eax
	movl %eax, %cr0
	ljmpl $SEL_CODE32, $ap_entry32

	.balign 8
tramp_gdt_ptr:
	.short 31                       /* four descriptors, as boot.S has */
	.long kernel64_gdt
kernel64_trampoline_end:

	.section .note.GNU-stack, "", @progbits
