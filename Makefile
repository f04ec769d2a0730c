# pmm - physical memory manager. See README.md ("Working on pmm").
#
#   make                 library, simulator, tests
#   make run             boot the simulator's default machine
#   make check           every stage of CHECK_STAGES below, in order (installs deps)
#   make check-quick     one compiler's unit tests and the CLI tests (~1 min)
#   make test-LAYER      one layer's unit tests: $(TEST_LAYERS)
#   make install         PREFIX=/usr/local DESTDIR=
#
# The tree: src/LAYER/*.c is the core (one folder a layer, see
# scripts/include-graph.sh), host/ the host platform that the simulator,
# tests, bench and fuzz targets share, tests/LAYER/test_*.c the unit tests.
# mk/*.mk define the stages' targets; this file says which run, in what order.

SHELL := /bin/bash
CC ?= cc
AR ?= ar
PREFIX ?= /usr/local
DESTDIR ?=
B ?= build
SAN ?=
# Assertion level of the core (include/pmm/debug.h): 0 none, 1 the cheap
# always-on checks, 2 internal assertions, 3 whole-structure validators.
PMM_DEBUG ?=

WARN := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes
OPT ?= -O2 -g
BASE_CFLAGS := -std=c11 $(WARN) $(OPT) -Iinclude $(if $(PMM_DEBUG),-DPMM_DEBUG=$(PMM_DEBUG))
CORE_CFLAGS := $(BASE_CFLAGS) -Wconversion -ffreestanding -fno-builtin -fno-common
HOST_CFLAGS := $(BASE_CFLAGS) -D_GNU_SOURCE -Ihost -Itests/support
ifneq ($(SAN),)
SANFLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
CORE_CFLAGS += $(SANFLAGS)
HOST_CFLAGS += $(SANFLAGS)
LDFLAGS += $(SANFLAGS)
endif
CORE_CFLAGS += $(EXTRA_CFLAGS)
HOST_CFLAGS += $(EXTRA_CFLAGS)

CORE_SRC := $(sort $(wildcard src/*/*.c))
CORE_OBJ := $(CORE_SRC:%.c=$(B)/%.o)
CORE_HDRS := $(wildcard src/*/*.h)
HDRS := $(wildcard include/pmm/*.h include/pmm/linux/*.h)
LIB := $(B)/libpmm.a

SIM_SRC := $(sort $(wildcard sim/*.c))
SIM_OBJ := $(SIM_SRC:%.c=$(B)/%.o)
SIM := $(B)/pmm-sim
HOST_SRC := $(sort $(wildcard host/*.c))
HOST_HDRS := $(wildcard host/*.h)
HOST_OBJ := $(HOST_SRC:%.c=$(B)/%.o)

SUPPORT_SRC := $(sort $(wildcard tests/support/*.c))
SUPPORT_OBJ := $(SUPPORT_SRC:%.c=$(B)/%.o)
TEST_SRC := $(sort $(wildcard tests/*/test_*.c))
TESTS := $(TEST_SRC:tests/%.c=$(B)/tests/%)
TEST_LAYERS := $(sort $(patsubst tests/%/,%,$(dir $(TEST_SRC))))
.SECONDARY: $(SUPPORT_OBJ) $(HOST_OBJ)

.PHONY: all lib sim tests run check check-quick check-layers check-unit check-unit-deferred check-sim check-sim-scale check-san install clean deps
all: lib sim tests

lib: $(LIB)
sim: $(SIM)
tests: $(TESTS)

$(B)/src/%.o: src/%.c $(HDRS) $(CORE_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(CORE_CFLAGS) -c $< -o $@

$(B)/sim/%.o: sim/%.c $(HDRS) $(HOST_HDRS) $(wildcard sim/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(HOST_CFLAGS) -c $< -o $@

$(B)/host/%.o: host/%.c $(HDRS) $(HOST_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(HOST_CFLAGS) -c $< -o $@

$(B)/tests/support/%.o: tests/support/%.c $(HDRS) $(HOST_HDRS) $(wildcard tests/support/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(HOST_CFLAGS) -c $< -o $@

$(LIB): $(CORE_OBJ)
	rm -f $@
	$(AR) rcs $@ $^

$(SIM): $(SIM_OBJ) $(HOST_OBJ) $(LIB)
	$(CC) $(LDFLAGS) $^ -o $@ -lpthread

$(B)/tests/%: tests/%.c $(SUPPORT_OBJ) $(HOST_OBJ) $(LIB) $(HDRS) $(CORE_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(HOST_CFLAGS) $< $(SUPPORT_OBJ) $(HOST_OBJ) $(LIB) -o $@ $(LDFLAGS) -lcmocka -lpthread

run: $(SIM)
	./$(SIM) boot

deps:
	@scripts/ensure-deps.sh check

# Unit tests of one build flavour; prints cmocka's lines and a total.
check-unit: $(TESTS)
	@TEST_RUNNER="$(TEST_RUNNER)" scripts/run-tests.sh $(B) $(TESTS)

# The unit tests again with every hand-off deferred (buddy_deferred.c):
# what a caller sees must not change, so the same tests must pass.
check-unit-deferred:
	$(MAKE) --no-print-directory B=build/deferred \
		EXTRA_CFLAGS=-DPMM_DEFERRED_DEFAULT=1 check-unit

# No layer folder includes a later one (scripts/include-graph.sh).
check-layers:
	@scripts/include-graph.sh

# The simulator's command line (tests/sim_cli.sh).
check-sim: $(SIM)
	tests/sim_cli.sh $(SIM)
	tests/lab_cli.sh $(SIM)

check-sim-scale: $(SIM)
	tests/sim_cli.sh $(SIM) --scale

# make test-bootmem, test-buddy, ...: the unit tests of one folder of tests/.
$(TEST_LAYERS:%=test-%): test-%:
	@$(MAKE) --no-print-directory $(filter $(B)/tests/$*/%,$(TESTS))
	@scripts/run-tests.sh $(B) $(filter $(B)/tests/$*/%,$(TESTS))

# ---- make check: its stages in order, cheap to expensive -------------------
# Each stage is a target of its own (defined in mk/*.mk or here); run one
# with `make STAGE`. Stages run one after another; a failed stage does not
# stop the ones after it, and the run ends with every suite's total and the
# names of the stages that failed.
CHECK_QUICK := check-layers check-unit check-sim check-errors-cli
CHECK_STAGES := \
	$(CHECK_QUICK)                 \
	check-freestanding-x86_64      \
	check-unit-m32                 \
	check-unit-deferred            \
	check-sim-scale                \
	check-clang                    \
	bench-smoke                    \
	check-san                      \
	check-svg-browser              \
	check-linux-memblock           \
	check-slab-tsan check-tsan     \
	check-fuzz                     \
	check-diff-long                \
	check-kernel                   \
	check-kernel64                 \
	check-valgrind                 \
	coverage

check-quick:
	@scripts/run-stages.sh build/check-quick.log $(CHECK_QUICK)

check: deps
	@scripts/run-stages.sh build/check.log $(CHECK_STAGES)

# ASan+UBSan with the internal assertions on (PMM_DEBUG=2).
check-san:
	$(MAKE) B=build/san SAN=1 PMM_DEBUG=2 check-unit check-sim

install: $(LIB)
	install -d $(DESTDIR)$(PREFIX)/include/pmm/linux $(DESTDIR)$(PREFIX)/lib/pkgconfig
	install -m 644 include/pmm/*.h $(DESTDIR)$(PREFIX)/include/pmm/
	install -m 644 $(wildcard include/pmm/linux/*.h) $(DESTDIR)$(PREFIX)/include/pmm/linux/
	install -m 644 $(LIB) $(DESTDIR)$(PREFIX)/lib/
	sed -e 's|@PREFIX@|$(PREFIX)|' pmm.pc.in > $(DESTDIR)$(PREFIX)/lib/pkgconfig/pmm.pc

clean:
	rm -rf build

-include $(sort $(wildcard mk/*.mk))
