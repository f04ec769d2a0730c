# The x86_64 demo kernel (kernel64/, docs/kernel64.md): long mode, booted
# by GRUB 2 through Multiboot2 from an ISO, under SeaBIOS or OVMF, on every
# CPU of a NUMA machine.
#
#   make kernel64        build/kernel64/pmm-kernel64.elf and pmm-kernel64.iso
#   make qemu64 [QEMU64_MEM=2G] [QEMU64_SMP=4] [QEMU64_FW=bios|uefi]
#               [QEMU64_NUMA=1|2|4] [QEMU64_CMDLINE="pmm.early=memblock"]
#   make check-kernel64  the boot matrix of scripts/qemu64-test.sh

K64CC ?= gcc
QEMU64 ?= qemu-system-x86_64
QEMU64_MEM ?= 2G
QEMU64_SMP ?= 4
QEMU64_FW ?= bios
QEMU64_NUMA ?= 2
QEMU64_CMDLINE ?= pmm.early=bootmem
K64B := $(B)/kernel64
k64comma := ,

# $(call k64cc-option,FLAG): FLAG if $(K64CC) takes it.
k64cc-option = $(shell $(K64CC) $(1) -Werror -c -x c /dev/null -o /dev/null \
	>/dev/null 2>&1 && echo $(1))

# The image sits at 1 MiB inside the identity direct map: the small code
# model. The core reads the CPU number from %gs (kernel64/percpu.h).
K64_CFLAGS := -std=c11 $(WARN) -Wconversion -O2 -g -Iinclude -m64 \
	-mno-red-zone -fno-pic -fno-pie -ffreestanding -fno-builtin \
	-fno-common -fno-stack-protector -fno-asynchronous-unwind-tables \
	$(call k64cc-option,-fno-tree-loop-distribute-patterns) \
	-mno-sse -mno-mmx -mno-80387 -nostdlib \
	-include kernel64/percpu.h $(EXTRA_KERNEL64_CFLAGS)
K64_LDFLAGS := -m64 -nostdlib -static $(call k64cc-option,-no-pie) \
	-Wl,--build-id=none -Wl,-T,kernel64/kernel64.ld \
	-Wl,-z,max-page-size=0x1000 -Wl,-z,noexecstack \
	$(call k64cc-option,-Wl$(k64comma)--no-warn-rwx-segments)

K64_C := $(sort $(wildcard kernel64/*.c))
K64_S := $(sort $(wildcard kernel64/*.S))
K64_OBJ := $(K64_S:kernel64/%.S=$(K64B)/kernel64/%.o) \
	$(K64_C:kernel64/%.c=$(K64B)/kernel64/%.o) \
	$(CORE_SRC:src/%.c=$(K64B)/src/%.o)
K64_ELF := $(K64B)/pmm-kernel64.elf
K64_ISO := $(K64B)/pmm-kernel64.iso

.PHONY: kernel64 qemu64 check-kernel64
kernel64: $(K64_ELF) $(K64_ISO)

$(K64B)/src/%.o: src/%.c $(HDRS) $(CORE_HDRS) kernel64/percpu.h
	@mkdir -p $(dir $@)
	$(K64CC) $(K64_CFLAGS) -c $< -o $@

$(K64B)/kernel64/%.o: kernel64/%.c $(HDRS) kernel64/kernel64.h kernel64/percpu.h
	@mkdir -p $(dir $@)
	$(K64CC) $(K64_CFLAGS) -c $< -o $@

$(K64B)/kernel64/%.o: kernel64/%.S
	@mkdir -p $(dir $@)
	$(K64CC) -m64 -c $< -o $@

$(K64_ELF): $(K64_OBJ) kernel64/kernel64.ld
	$(K64CC) $(K64_LDFLAGS) $(K64_OBJ) \
		$$($(K64CC) -m64 -print-libgcc-file-name) -o $@

# One ISO for BIOS and UEFI (grub-mkrescue puts both GRUBs on it).
$(K64_ISO): $(K64_ELF) kernel64/grub.cfg
	@scripts/ensure-deps-kernel64.sh
	rm -rf $(K64B)/iso && mkdir -p $(K64B)/iso/boot/grub
	cp $(K64_ELF) $(K64B)/iso/boot/pmm-kernel64.elf
	cp kernel64/grub.cfg $(K64B)/iso/boot/grub/grub.cfg
	grub-mkrescue -o $@ $(K64B)/iso >$(K64B)/grub-mkrescue.log 2>&1 || \
		{ cat $(K64B)/grub-mkrescue.log; exit 1; }

# Boot one machine on the terminal; QEMU's status (33 pass) is make's.
qemu64: $(K64_ISO)
	@QEMU64=$(QEMU64) scripts/qemu64-test.sh --one $(K64_ISO) \
		"$(QEMU64_FW)" "$(QEMU64_SMP)" "$(QEMU64_NUMA)" \
		"$(QEMU64_MEM)" "$(QEMU64_CMDLINE)"

check-kernel64: $(K64_ISO)
	@QEMU64=$(QEMU64) scripts/qemu64-test.sh $(K64_ISO) $(K64B)/qemu
