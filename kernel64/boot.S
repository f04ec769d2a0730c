/* SPDX-License-Identifier: MIT */
/*
 * boot.S - the Multiboot2 header and the way from GRUB's 32-bit protected
 * mode into long mode, for the boot CPU and (from the trampoline) for the
 * application processors.
 *
 * GRUB enters _start in 32-bit protected mode, paging off, with the magic
 * in %eax and the physical address of the Multiboot2 information in %ebx,
 * under BIOS and under UEFI alike: the header asks for no EFI boot services
 * tag, so GRUB has called ExitBootServices before it jumps here.
 *
 * _start clears .bss, builds the one page table every CPU uses (the first
 * KERNEL64_DIRECT_MAP_GB GiB mapped 1:1 with 2 MiB pages; the first 2 MiB
 * through 4 KiB pages with page 0 absent), loads the GDT, turns on PAE,
 * long mode and paging, points %gs at CPU 0's struct kcpu and calls
 * kmain64(magic, mbi). An AP arrives at ap_entry32 from the trampoline and
 * takes the same road to ap_main64() with the stack and %gs base that the
 * boot CPU left in ap_boot_stack and ap_boot_kcpu.
 */
#define MB2_HEADER_MAGIC 0xe85250d6
#define MB2_ARCH_I386 0
#define DIRECT_MAP_GB 64 /* KERNEL64_DIRECT_MAP_GB in kernel64.h */

#define PTE_P 0x1
#define PTE_W 0x2
#define PTE_PS 0x80

#define CR0_PE 0x1
#define CR0_PG 0x80000000
#define CR4_PAE 0x20
#define MSR_EFER 0xc0000080
#define EFER_LME 0x100
#define MSR_GS_BASE 0xc0000101

#define SEL_CODE64 0x08
#define SEL_DATA 0x10
#define SEL_CODE32 0x18

	.section .multiboot2, "a"
	.balign 8
mb2_header:
	.long MB2_HEADER_MAGIC
	.long MB2_ARCH_I386
	.long mb2_header_end - mb2_header
	.long 0x100000000 - (MB2_HEADER_MAGIC + MB2_ARCH_I386 + (mb2_header_end - mb2_header))
	/* information request, optional: cmdline, mmap, ACPI old/new, EFI mmap */
	.balign 8
1:	.short 1, 1
	.long 2f - 1b
	.long 1, 6, 14, 15, 17
2:	.balign 8
	/* end */
	.short 0, 0
	.long 8
mb2_header_end:

/* ---- 32-bit code ------------------------------------------------------- */

	.section .text.boot32, "ax"
	.code32
	.globl _start
_start:
	cli
	cld
	movl %eax, %esi                 /* magic */
	movl %ebx, %ebp                 /* Multiboot2 information */
	movl $__bss_start, %edi
	movl $__bss_end, %ecx
	subl %edi, %ecx
	shrl $2, %ecx
	xorl %eax, %eax
	rep stosl
	movl %esi, mb2_magic
	movl %ebp, mb2_info
	movl $boot_stack_top, %esp
	call check_long_mode
	call build_page_tables
	lgdt gdt_ptr
	call enable_long_mode
	ljmp $SEL_CODE64, $bsp_entry64

/* Halt with a message on COM1 when the CPU has no long mode. */
check_long_mode:
	movl $0x80000000, %eax
	cpuid
	cmpl $0x80000001, %eax
	jb no_long_mode
	movl $0x80000001, %eax
	cpuid
	btl $29, %edx
	jnc no_long_mode
	ret
no_long_mode:
	movl $no_long_msg, %esi
1:	lodsb
	testb %al, %al
	jz 2f
	movw $0x3f8, %dx
	outb %al, %dx
	jmp 1b
2:	movw $0xf4, %dx                 /* isa-debug-exit: status 35 */
	movl $17, %eax
	outl %eax, %dx
3:	hlt
	jmp 3b

/*
 * PML4[0] -> pdpt; pdpt[i] -> pd + 4 KiB * i for i < DIRECT_MAP_GB; every
 * pd entry j maps 2 MiB * j; pd[0] -> pt0 (4 KiB pages, page 0 absent).
 */
build_page_tables:
	movl $pdpt + (PTE_P | PTE_W), pml4
	xorl %ecx, %ecx
1:	movl %ecx, %eax
	shll $12, %eax
	addl $pd + (PTE_P | PTE_W), %eax
	movl %eax, pdpt(, %ecx, 8)
	incl %ecx
	cmpl $DIRECT_MAP_GB, %ecx
	jb 1b
	xorl %ecx, %ecx
2:	movl %ecx, %eax
	shll $21, %eax
	orl $(PTE_P | PTE_W | PTE_PS), %eax
	movl %ecx, %edx
	shrl $11, %edx                  /* bits 32.. of 2 MiB * j */
	movl %eax, pd(, %ecx, 8)
	movl %edx, pd + 4(, %ecx, 8)
	incl %ecx
	cmpl $(DIRECT_MAP_GB * 512), %ecx
	jb 2b
	movl $pt0 + (PTE_P | PTE_W), pd
	movl $0, pd + 4
	movl $1, %ecx
3:	movl %ecx, %eax
	shll $12, %eax
	orl $(PTE_P | PTE_W), %eax
	movl %eax, pt0(, %ecx, 8)
	incl %ecx
	cmpl $512, %ecx
	jb 3b
	ret

/* PAE, the page table, EFER.LME, then paging: long mode (compatibility). */
enable_long_mode:
	movl %cr4, %eax
	orl $CR4_PAE, %eax
	movl %eax, %cr4
	movl $pml4, %eax
	movl %eax, %cr3
	movl $MSR_EFER, %ecx
	rdmsr
	orl $EFER_LME, %eax
	wrmsr
	movl %cr0, %eax
	orl $(CR0_PE | CR0_PG), %eax
	movl %eax, %cr0
	ret

/* An AP, from the trampoline: protected mode, our GDT, no stack yet. */
	.globl ap_entry32
ap_entry32:
	movw $SEL_DATA, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %ss
	movl $ap_stack32_top, %esp      /* tiny, only for the call below */
	call enable_long_mode
	ljmp $SEL_CODE64, $ap_entry64

/* ---- 64-bit code ------------------------------------------------------- */

	.code64
	.text
bsp_entry64:
	call load_segments
	movq $boot_stack_top, %rsp
	movq $kernel64_cpus, %rax
	call set_gs_base
	movl mb2_magic, %edi
	movl mb2_info, %esi
	call kmain64
	jmp halt_forever

ap_entry64:
	call load_segments
	movq ap_boot_stack, %rsp
	movq ap_boot_kcpu, %rax
	call set_gs_base
	call ap_main64
	jmp halt_forever

load_segments:
	movw $SEL_DATA, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %ss
	xorl %eax, %eax
	movw %ax, %fs
	movw %ax, %gs
	ret

/* GS base = %rax (after %gs was loaded: loading it would reset the base). */
set_gs_base:
	movq %rax, %rdx
	shrq $32, %rdx
	movl $MSR_GS_BASE, %ecx
	wrmsr
	ret

halt_forever:
	cli
	hlt
	jmp halt_forever

/* ---- data -------------------------------------------------------------- */

	.section .rodata
no_long_msg:
	.asciz "pmm kernel64: this CPU has no long mode\n"

	.data
	.balign 16
	.globl kernel64_gdt
kernel64_gdt:
	.quad 0
	.quad 0x00209a0000000000        /* 0x08: 64-bit code */
	.quad 0x00cf92000000ffff        /* 0x10: data, flat */
	.quad 0x00cf9a000000ffff        /* 0x18: 32-bit code, flat (APs) */
gdt_end:
	.globl kernel64_gdt_ptr
kernel64_gdt_ptr:
gdt_ptr:
	.short gdt_end - kernel64_gdt - 1
	.quad kernel64_gdt

	.globl mb2_magic, mb2_info, ap_boot_stack, ap_boot_kcpu
mb2_magic:
	.long 0
mb2_info:
	.long 0
	.balign 8
ap_boot_stack:
	.quad 0
ap_boot_kcpu:
	.quad 0

	.bss
	.balign 4096
pml4:
	.skip 4096
pdpt:
	.skip 4096
	.globl kernel64_pd
kernel64_pd:
pd:
	.skip 4096 * DIRECT_MAP_GB
pt0:
	.skip 4096
	.balign 16
boot_stack:
	.skip 16384
boot_stack_top:
	.skip 256
ap_stack32_top:

	.section .note.GNU-stack, "", @progbits
