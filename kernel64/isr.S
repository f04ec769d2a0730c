/* SPDX-License-Identifier: MIT */
/*
 * isr.S - the 32 CPU exception stubs. Each pushes a zero where the CPU
 * pushes no error code, then its vector, and calls
 * kernel64_exception(frame) in idt.c with the frame
 * { vector, error, rip, cs, rflags, rsp, ss }; that prints and exits.
 * kernel64_isr_table lists the stubs for idt.c.
 */
	.macro ISR vec, has_err
isr\vec:
	.if \has_err == 0
	pushq $0
	.endif
	pushq $\vec
	jmp isr_common
	.endm

	.text
	.code64
isr_common:
	movq %rsp, %rdi
	andq $-16, %rsp
	call kernel64_exception
1:	cli
	hlt
	jmp 1b

	ISR 0, 0
	ISR 1, 0
	ISR 2, 0
	ISR 3, 0
	ISR 4, 0
	ISR 5, 0
	ISR 6, 0
	ISR 7, 0
	ISR 8, 1
	ISR 9, 0
	ISR 10, 1
	ISR 11, 1
	ISR 12, 1
	ISR 13, 1
	ISR 14, 1
	ISR 15, 0
	ISR 16, 0
	ISR 17, 1
	ISR 18, 0
	ISR 19, 0
	ISR 20, 0
	ISR 21, 1
	ISR 22, 0
	ISR 23, 0
	ISR 24, 0
	ISR 25, 0
	ISR 26, 0
	ISR 27, 0
	ISR 28, 0
	ISR 29, 1
	ISR 30, 1
	ISR 31, 0

	.section .rodata
	.balign 8
	.globl kernel64_isr_table
kernel64_isr_table:
	.irp v, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	.quad isr\v
	.endr

	.section .note.GNU-stack, "", @progbits
