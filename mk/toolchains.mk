# The whole tree must build clean and pass with clang as well as gcc, here
# with every assertion level on (PMM_DEBUG=3, src/base/assert.h). The
# clang build also takes the other CPU seam: the core reads the CPU number
# inline (PMM_ARCH_CPU_ID from host/host_cpu.h, as pmm-bench's core does)
# instead of calling the platform's cpu_id hook.
.PHONY: check-clang
check-clang:
	$(MAKE) B=build/clang CC=clang PMM_DEBUG=3 EXTRA_CFLAGS="-include host/host_cpu.h" check-unit

# The unit tests as a 32-bit program: phys_addr_t stays 64-bit while
# pointers, size_t and long are 32-bit, as in the i386 kernel. On a host
# kernel without 32-bit support they run under qemu-i386
# (scripts/i386-runner.sh says which).
.PHONY: check-unit-m32
check-unit-m32:
	@runner=$$(scripts/i386-runner.sh $(CC)) && \
	$(MAKE) B=build/m32 EXTRA_CFLAGS=-m32 LDFLAGS=-m32 TEST_RUNNER="$$runner" check-unit
