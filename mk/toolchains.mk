# The whole tree must build clean and pass with clang as well as gcc. The
# clang build also takes the other CPU seam: the core reads the CPU number
# inline (PMM_ARCH_CPU_ID from sim/host_cpu.h, as pmm-bench's core does)
# instead of calling the platform's cpu_id hook.
.PHONY: check-clang
check-clang:
	$(MAKE) B=build/clang CC=clang EXTRA_CFLAGS="-include sim/host_cpu.h" check-unit
CHECK_EXTRA += check-clang
