# The i386 Multiboot demo kernel (kernel/, docs/kernel.md) and the x86_64
# freestanding build of the core.
#
#   make kernel                    build/kernel/pmm-kernel.elf
#   make qemu [QEMU_MEM=128M] [QEMU_CMDLINE="pmm.early=memblock"]
#   make check-kernel              12 boots: 6 memory sizes x 2 early allocators
#   make check-freestanding-x86_64 every src/*/*.c for x86_64, linked with ld -r

KCC ?= gcc
KLD ?= ld
QEMU ?= qemu-system-i386
QEMU_MEM ?= 128M
QEMU_CMDLINE ?= pmm.early=bootmem
KB := $(B)/kernel

# $(call kcc-option,FLAG): FLAG if $(KCC) takes it (gcc-only flags, clang).
kcc-option = $(shell $(KCC) $(1) -Werror -c -x c /dev/null -o /dev/null \
	>/dev/null 2>&1 && echo $(1))

# One CPU: PMM_ARCH_CPU_ID() is the constant 0 (platform.h), no hook call.
# -fno-tree-loop-distribute-patterns: no memset/memcpy calls from loops;
# kernel/libc.c still provides them for what the compiler emits by itself.
KERNEL_CFLAGS := -std=c11 $(WARN) -O2 -g -Iinclude -m32 -march=i686 \
	-ffreestanding -fno-builtin -fno-common -fno-pic -fno-pie \
	-fno-stack-protector -fno-asynchronous-unwind-tables \
	$(call kcc-option,-fno-tree-loop-distribute-patterns) \
	-mno-sse -mno-mmx -mno-80387 -nostdlib -Wconversion \
	'-DPMM_ARCH_CPU_ID()=0u' $(EXTRA_KERNEL_CFLAGS)
# Initcalls run in the order a file defines them.
KERNEL_OWN_CFLAGS := $(call kcc-option,-fno-toplevel-reorder)
KERNEL_LDFLAGS := -m32 -nostdlib -static $(call kcc-option,-no-pie) -Wl,--build-id=none \
	-Wl,-T,kernel/kernel.ld -Wl,-z,noexecstack -Wl,--no-warn-rwx-segments

KERNEL_C := $(sort $(wildcard kernel/*.c))
KERNEL_S := $(sort $(wildcard kernel/*.S))
KERNEL_OBJ := $(KERNEL_S:kernel/%.S=$(KB)/kernel/%.o) \
	$(KERNEL_C:kernel/%.c=$(KB)/kernel/%.o) \
	$(CORE_SRC:src/%.c=$(KB)/src/%.o)
KERNEL_ELF := $(KB)/pmm-kernel.elf

QEMU_ARGS := -display none -serial stdio -no-reboot \
	-device isa-debug-exit,iobase=0xf4,iosize=0x04

.PHONY: kernel qemu check-kernel check-freestanding-x86_64
kernel: $(KERNEL_ELF)

$(KB)/src/%.o: src/%.c $(HDRS) $(CORE_HDRS)
	@mkdir -p $(dir $@)
	$(KCC) $(KERNEL_CFLAGS) -c $< -o $@

$(KB)/kernel/%.o: kernel/%.c $(HDRS) kernel/kernel.h | $(KB)/kernel
	$(KCC) $(KERNEL_CFLAGS) $(KERNEL_OWN_CFLAGS) -c $< -o $@

$(KB)/kernel/%.o: kernel/%.S | $(KB)/kernel
	$(KCC) -m32 -c $< -o $@

$(KERNEL_ELF): $(KERNEL_OBJ) kernel/kernel.ld
	$(KCC) $(KERNEL_LDFLAGS) $(KERNEL_OBJ) \
		$$($(KCC) -m32 -print-libgcc-file-name) -o $@

$(KB)/kernel:
	mkdir -p $@

# Boot interactively: the boot log on the terminal, QEMU's exit status
# (33 pass, 35 fail) as make's.
qemu: $(KERNEL_ELF)
	$(QEMU) $(QEMU_ARGS) -m $(QEMU_MEM) -kernel $(KERNEL_ELF) \
		-append "$(QEMU_CMDLINE)"; st=$$?; \
	echo "qemu: exit status $$st (33 pass, 35 fail)"; [ $$st -eq 33 ]

check-kernel: $(KERNEL_ELF)
	@QEMU=$(QEMU) scripts/qemu-test.sh $(KERNEL_ELF) $(KB)/qemu


# The core builds for x86_64 kernels too: compile and link relocatably.
X64B := $(B)/x86_64
X64_CFLAGS := -std=c11 $(WARN) -Wconversion -O2 -Iinclude -m64 \
	-mno-red-zone -mcmodel=kernel -fno-pic -fno-pie -ffreestanding \
	-fno-builtin -fno-common -fno-stack-protector \
	$(call kcc-option,-fno-tree-loop-distribute-patterns) \
	-mno-sse -mno-mmx -mno-80387 -nostdlib
X64_OBJ := $(CORE_SRC:src/%.c=$(X64B)/src/%.o)

$(X64B)/src/%.o: src/%.c $(HDRS) $(CORE_HDRS)
	@mkdir -p $(dir $@)
	$(KCC) $(X64_CFLAGS) -c $< -o $@

$(X64B)/pmm-core.o: $(X64_OBJ)
	$(KLD) -r -m elf_x86_64 $^ -o $@

# The core needs nothing from outside: no undefined symbol may remain.
check-freestanding-x86_64: $(X64B)/pmm-core.o
	@undef=$$(nm -u $< | awk '{print $$2}' | tr '\n' ' '); \
	if [ -n "$$undef" ]; then \
		echo "check-freestanding-x86_64: undefined symbols: $$undef"; exit 1; \
	fi; \
	echo "check-freestanding-x86_64: $(words $(X64_OBJ)) files -> $<" \
		"($$(wc -c < $<) bytes), no undefined symbols"

