# mk/bench.mk - the benchmark program (bench/) and its targets.
#
#   make bench         install libjemalloc-dev/libmimalloc-dev if absent,
#                      build $(B)/bench/pmm-bench (-O2, no sanitizers) and run
#                      the standard workloads W1-W8 (shared/BENCHMARKS.md)
#   make bench-smoke   tiny counts, one run: validates, never judges timings
#                      (a stage of `make check`)
#   BENCH_ARGS=...     extra arguments, e.g. BENCH_ARGS="--only W2,W3 --runs 7"

BENCH_DIR := $(B)/bench
BENCH := $(BENCH_DIR)/pmm-bench
BENCH_JE := $(BENCH_DIR)/libpmmbench-je.so
BENCH_SRC := $(sort $(filter-out bench/je_shim.c,$(wildcard bench/*.c)))
BENCH_OBJ := $(BENCH_SRC:%.c=$(B)/%.o)
BENCH_HDRS := $(wildcard bench/*.h) $(HOST_HDRS)
BENCH_CFLAGS := -std=c11 $(WARN) -O2 -g -Iinclude -Ihost -D_GNU_SOURCE
BENCH_ARGS ?=
# The core as a kernel would build it: the CPU number read inline
# (PMM_ARCH_CPU_ID from host/host_cpu.h), not through the cpu_id hook.
BENCH_CORE_DIR := $(BENCH_DIR)/core
BENCH_CORE_OBJ := $(CORE_SRC:src/%.c=$(BENCH_CORE_DIR)/%.o)
BENCH_LIB := $(BENCH_DIR)/libpmm-bench.a

.PHONY: bench bench-smoke bench-deps bench-build

bench-deps:
	@scripts/ensure-deps.sh bench

bench-build: $(BENCH) $(SIM)

# W5S runs the simulator: bench-build makes it, PMM_SIM names it.
bench: bench-deps
	@$(MAKE) --no-print-directory bench-build
	PMM_SIM=$${PMM_SIM:-$(SIM)} ./$(BENCH) $(BENCH_ARGS)

bench-smoke: bench-deps
	@$(MAKE) --no-print-directory bench-build
	PMM_SIM=$${PMM_SIM:-$(SIM)} ./$(BENCH) --smoke $(BENCH_ARGS)

$(BENCH_DIR):
	mkdir -p $@

$(B)/bench/%.o: bench/%.c $(HDRS) $(BENCH_HDRS) | $(BENCH_DIR)
	$(CC) $(BENCH_CFLAGS) -c $< -o $@

# jemalloc's archive in a shared object that exports only the shim.
$(BENCH_JE): bench/je_shim.c bench/je_shim.map | $(BENCH_DIR)
	$(CC) $(BENCH_CFLAGS) -fPIC -shared -o $@ bench/je_shim.c \
		$$($(CC) -print-file-name=libjemalloc_pic.a) \
		-Wl,--version-script=bench/je_shim.map -Wl,-Bsymbolic \
		-lpthread -lm -ldl

$(BENCH_CORE_DIR):
	mkdir -p $@

$(BENCH_CORE_DIR)/%.o: src/%.c $(HDRS) $(CORE_HDRS) host/host_cpu.h
	@mkdir -p $(dir $@)
	$(CC) $(CORE_CFLAGS) -include host/host_cpu.h -c $< -o $@

$(BENCH_LIB): $(BENCH_CORE_OBJ)
	rm -f $@
	$(AR) rcs $@ $^

$(BENCH): $(BENCH_OBJ) $(HOST_OBJ) $(BENCH_LIB) $(BENCH_JE)
	$(CC) $(BENCH_OBJ) $(HOST_OBJ) $(BENCH_LIB) -o $@ -L$(BENCH_DIR) \
		-lpmmbench-je -Wl,-rpath,'$$ORIGIN' -ldl -lpthread
