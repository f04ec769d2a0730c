/* SPDX-License-Identifier: MIT */
/*
 * boot.S - the Multiboot (v1) entry of the pmm demo kernel.
 *
 * The boot loader (QEMU's -kernel, GRUB) enters _start in 32-bit protected
 * mode with paging off, EAX = the Multiboot magic and EBX = the physical
 * address of the Multiboot information. We load our own flat GDT (the
 * loader's may live in memory we are about to hand to the buddy allocator),
 * an IDT whose 32 exception gates end in kernel_trap(), a stack in .bss, and
 * call kmain(magic, mbi). kmain never returns; if it did we halt.
 */

#define MB_MAGIC 0x1badb002
#define MB_FLAGS 0x00000003 /* bit 0: page-align modules, bit 1: memory map */

	.section .multiboot, "a"
	.balign 4
	.long MB_MAGIC
	.long MB_FLAGS
	.long -(MB_MAGIC + MB_FLAGS)

	.section .bss
	.balign 16
boot_stack:
	.skip 16384
boot_stack_top:

	.section .data
	.balign 8
gdt:
	.quad 0                        /* null */
	.quad 0x00cf9a000000ffff       /* 0x08: code, base 0, 4 GiB, ring 0 */
	.quad 0x00cf92000000ffff       /* 0x10: data, base 0, 4 GiB, ring 0 */
gdt_end:
gdt_desc:
	.word gdt_end - gdt - 1
	.long gdt

	.balign 8
idt:
	.skip 32 * 8
idt_desc:
	.word 32 * 8 - 1
	.long idt

/* One entry point per exception vector; those without an error code push 0. */
.macro trap_stub vec, has_err
	.balign 8
trap_stub_\vec:
	.if \has_err == 0
	pushl $0
	.endif
	pushl $\vec
	jmp trap_common
.endm

	.section .text
	.globl _start
	.type _start, @function
_start:
	cli
	cld
	movl $boot_stack_top, %esp
	movl %eax, %ebp                /* magic and mbi (%ebx) survive setup */

	movl $__bss_start, %edi        /* loaders zero .bss; be sure anyway */
	movl $__bss_end, %ecx
	subl %edi, %ecx
	xorl %eax, %eax
	rep stosb

	lgdt gdt_desc
	ljmp $0x08, $1f
1:	movw $0x10, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %fs
	movw %ax, %gs
	movw %ax, %ss

	call idt_setup

	pushl $0                       /* EFLAGS: interrupts off, DF clear */
	popfl
	pushl %ebx                     /* mbi */
	pushl %ebp                     /* magic */
	call kmain
2:	cli
	hlt
	jmp 2b
	.size _start, . - _start

/* Fill the 32 exception gates: 32-bit interrupt gates to trap_stub_N. */
	.type idt_setup, @function
idt_setup:
	movl $trap_table, %esi
	movl $idt, %edi
	movl $32, %ecx
3:	movl (%esi), %eax
	movw %ax, (%edi)               /* offset 15..0 */
	movw $0x08, 2(%edi)            /* selector */
	movw $0x8e00, 4(%edi)          /* present, ring 0, 32-bit interrupt gate */
	shrl $16, %eax
	movw %ax, 6(%edi)              /* offset 31..16 */
	addl $4, %esi
	addl $8, %edi
	loop 3b
	lidt idt_desc
	ret
	.size idt_setup, . - idt_setup

/* Stack here: vector, error code, EIP, CS, EFLAGS. */
trap_common:
	movl 8(%esp), %eax             /* faulting EIP */
	movl %cr2, %edx
	pushl %edx                     /* cr2 */
	pushl %eax                     /* eip */
	pushl 12(%esp)                 /* error code (moved by two pushes) */
	pushl 12(%esp)                 /* vector */
	call kernel_trap
4:	cli
	hlt
	jmp 4b

	trap_stub 0, 0
	trap_stub 1, 0
	trap_stub 2, 0
	trap_stub 3, 0
	trap_stub 4, 0
	trap_stub 5, 0
	trap_stub 6, 0
	trap_stub 7, 0
	trap_stub 8, 1
	trap_stub 9, 0
	trap_stub 10, 1
	trap_stub 11, 1
	trap_stub 12, 1
	trap_stub 13, 1
	trap_stub 14, 1
	trap_stub 15, 0
	trap_stub 16, 0
	trap_stub 17, 1
	trap_stub 18, 0
	trap_stub 19, 0
	trap_stub 20, 0
	trap_stub 21, 1
	trap_stub 22, 0
	trap_stub 23, 0
	trap_stub 24, 0
	trap_stub 25, 0
	trap_stub 26, 0
	trap_stub 27, 0
	trap_stub 28, 0
	trap_stub 29, 1
	trap_stub 30, 1
	trap_stub 31, 0

	.section .rodata
	.balign 4
trap_table:
	.irp v, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	.long trap_stub_\v
	.endr

	.section .note.GNU-stack, "", @progbits
