# Reliability (issue 6): fuzzing, TSan stress, long differential runs,
# coverage gate, valgrind. See docs/reliability.md.
#
#   make fuzz                 build the libFuzzer targets (clang)
#   make check-fuzz           replay regressions, run each target FUZZ_CI_SECONDS
#   make fuzz-long            run each target FUZZ_SECONDS (default 3600)
#   make check-tsan           threaded stress and the parallel hand-off under ThreadSanitizer
#   make check-diff-long      >= 10^7 differential buddy operations (-O2)
#   make coverage             gcov line/branch coverage of src/ with a gate
#   make check-valgrind       unit tests and pmm-sim boot under memcheck

FUZZ_CC ?= clang
FUZZ_B := build/fuzz
FUZZ_TARGETS := dmesg multiboot efi mb2 fdt acpi buddy bootmem memblock slab contig linuxlog hotplug elastic
FUZZ_CI_SECONDS ?= 20
FUZZ_SECONDS ?= 3600
FUZZ_SAN := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZ_BASE := -std=c11 -O1 -g -Iinclude $(FUZZ_SAN) -fsanitize=fuzzer-no-link
FUZZ_CORE_CFLAGS := $(FUZZ_BASE) -ffreestanding -fno-builtin -fno-common
FUZZ_HOST_CFLAGS := $(FUZZ_BASE) -D_GNU_SOURCE -Ihost -Itests/support -Ifuzz
FUZZ_CORE_OBJ := $(CORE_SRC:%.c=$(FUZZ_B)/%.o)
REL_SUPPORT_SRC := tests/support/buddy_setup.c tests/support/hotplug_setup.c \
	$(sort $(wildcard tests/support/reliability_*.c))
FUZZ_HOST_OBJ := $(FUZZ_B)/host/host_platform.o $(REL_SUPPORT_SRC:%.c=$(FUZZ_B)/%.o)
FUZZ_BINS := $(FUZZ_TARGETS:%=$(FUZZ_B)/fuzz_%)
REL_HDRS := $(HDRS) $(wildcard fuzz/*.h tests/support/*.h host/*.h src/*/*.h)

.PHONY: fuzz check-fuzz fuzz-long check-tsan check-diff-long coverage \
	check-valgrind check-errors-cli

fuzz: $(FUZZ_BINS)

$(FUZZ_B)/src/%.o: src/%.c $(REL_HDRS)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CORE_CFLAGS) -c $< -o $@

$(FUZZ_B)/host/host_platform.o: host/host_platform.c $(REL_HDRS)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_HOST_CFLAGS) -c $< -o $@

$(FUZZ_B)/tests/support/%.o: tests/support/%.c $(REL_HDRS)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_HOST_CFLAGS) -c $< -o $@

$(FUZZ_B)/fuzz_%: fuzz/fuzz_%.c $(FUZZ_CORE_OBJ) $(FUZZ_HOST_OBJ) $(REL_HDRS)
	$(FUZZ_CC) $(FUZZ_HOST_CFLAGS) -fsanitize=fuzzer $< $(FUZZ_HOST_OBJ) \
		$(FUZZ_CORE_OBJ) -o $@ -lpthread

# Replay every regression input, then fuzz each target for a bounded time
# from its seed corpus (new inputs go to build/fuzz/corpus, not the repo).
check-fuzz: fuzz
	@fuzz/run.sh $(FUZZ_B) $(FUZZ_CI_SECONDS) $(FUZZ_TARGETS)

fuzz-long: fuzz
	@fuzz/run.sh $(FUZZ_B) $(FUZZ_SECONDS) $(FUZZ_TARGETS)
.SECONDARY: $(FUZZ_CORE_OBJ) $(FUZZ_HOST_OBJ)

# ---- long differential runs (optimized, no sanitizers) ----
DIFF_LONG := $(B)/fuzz/diff_long
DIFF_OPS ?= 10000000
DIFF_SEED ?= 1
REL_HOST_OBJ := $(REL_SUPPORT_SRC:%.c=$(B)/%.o)

$(DIFF_LONG): fuzz/diff_long.c $(REL_HOST_OBJ) $(B)/host/host_platform.o $(LIB) $(REL_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(HOST_CFLAGS) $< $(REL_HOST_OBJ) $(B)/host/host_platform.o $(LIB) -o $@ $(LDFLAGS) -lpthread

# Both differential runs: the buddy helper's (tests/buddy/test_buddy_diff.c, exact
# placement, 4 phases) and the reliability model's (all machine modes, bad
# calls, late frees, poisoning); each DIFF_OPS operations, timed.
check-diff-long: $(DIFF_LONG) $(B)/tests/buddy/test_buddy_diff
	@start=$$(date +%s.%N); \
	PMM_DIFF_OPS=$(DIFF_OPS) PMM_DIFF_SEED=$(DIFF_SEED) $(B)/tests/buddy/test_buddy_diff \
		>$(B)/diff-long.log 2>&1; rc=$$?; \
	grep -E '^diff:|PASSED|FAILED|ERROR' $(B)/diff-long.log; [ $$rc -eq 0 ] || exit 1; \
	echo "diff-long: test_buddy_diff $(DIFF_OPS) operations in $$(awk "BEGIN { printf \"%.1f\", $$(date +%s.%N) - $$start }") s"
	PMM_DIFF_OPS=$(DIFF_OPS) PMM_DIFF_SEED=$(DIFF_SEED) $(DIFF_LONG)

# ---- threaded stress under ThreadSanitizer ----
TSAN_B := build/tsan
TSAN_FLAGS := -fsanitize=thread -fno-omit-frame-pointer
STRESS_THREADS ?= 2
STRESS_OPS ?= 1000000

$(TSAN_B)/stress_threads: tests/stress_threads.c $(CORE_SRC) $(REL_HDRS) host/host_platform.c tests/support/buddy_setup.c
	$(MAKE) --no-print-directory CC=clang B=$(TSAN_B) EXTRA_CFLAGS="$(TSAN_FLAGS)" \
		LDFLAGS="$(TSAN_FLAGS)" $(TSAN_B)/libpmm.a $(TSAN_B)/host/host_platform.o \
		$(TSAN_B)/tests/support/buddy_setup.o
	clang $(HOST_CFLAGS) $(TSAN_FLAGS) $< $(TSAN_B)/tests/support/buddy_setup.o \
		$(TSAN_B)/host/host_platform.o $(TSAN_B)/libpmm.a -o $@ -lpthread

# The parallel hand-off: boots whose retirement runs on several threads.
TSAN_PAR_OBJ := $(TSAN_B)/host/host_platform.o $(TSAN_B)/host/machine.o \
	$(TSAN_B)/tests/support/reliability_snap.o $(TSAN_B)/tests/support/run_hooks.o
$(TSAN_B)/test_boot_parallel: tests/boot/test_boot_parallel.c $(CORE_SRC) $(REL_HDRS) host/host_platform.c host/machine.c tests/support/reliability_snap.c tests/support/run_hooks.c
	$(MAKE) --no-print-directory CC=clang B=$(TSAN_B) EXTRA_CFLAGS="$(TSAN_FLAGS)" \
		LDFLAGS="$(TSAN_FLAGS)" $(TSAN_B)/libpmm.a $(TSAN_PAR_OBJ)
	clang $(HOST_CFLAGS) $(TSAN_FLAGS) $< $(TSAN_PAR_OBJ) $(TSAN_B)/libpmm.a \
		-o $@ -lcmocka -lpthread

check-tsan: $(TSAN_B)/stress_threads $(TSAN_B)/test_boot_parallel
	TSAN_OPTIONS="halt_on_error=1 exitcode=66" $< $(STRESS_THREADS) $(STRESS_OPS)
	TSAN_OPTIONS="halt_on_error=1 exitcode=66" $< $(STRESS_THREADS) $(STRESS_OPS) lazy
	TSAN_OPTIONS="halt_on_error=1 exitcode=66" $(TSAN_B)/test_boot_parallel

# ---- the command-line rows of docs/errors.md ----
check-errors-cli: $(SIM)
	tests/errors_cli.sh $(SIM)

# ---- coverage gate (gcc --coverage, gcovr) ----
COV_B := build/cov
COV_LINE_MIN ?= 95
COV_BRANCH_MIN ?= 90

coverage:
	rm -rf $(COV_B)
	$(MAKE) --no-print-directory CC=gcc B=$(COV_B) OPT="-O0 -g" \
		EXTRA_CFLAGS="--coverage -fprofile-update=atomic" \
		LDFLAGS="--coverage -fprofile-update=atomic" tests sim
	-@scripts/run-tests.sh $(COV_B) $(TEST_SRC:tests/%.c=$(COV_B)/tests/%) | tail -n 2
	-@tests/sim_cli.sh $(COV_B)/pmm-sim | tail -n 1
	-@tests/errors_cli.sh $(COV_B)/pmm-sim | tail -n 1
	@gcovr -r . --filter 'src/' --object-directory $(COV_B) \
		--exclude-unreachable-branches --txt $(COV_B)/coverage.txt \
		--print-summary --fail-under-line $(COV_LINE_MIN) \
		--fail-under-branch $(COV_BRANCH_MIN) \
		|| { echo "coverage: below the gate ($(COV_LINE_MIN)% lines, $(COV_BRANCH_MIN)% branches); per file: $(COV_B)/coverage.txt"; exit 1; }

# ---- valgrind memcheck: unit tests and a small simulated machine ----
# Fails on memcheck errors only; scripts/valgrind-check.sh says how.
check-valgrind: $(TESTS) $(SIM)
	@scripts/valgrind-check.sh $(B) $(SIM) $(TESTS)

