# pmm - physical memory manager. See README.md.
#
#   make            library, simulator, tests
#   make run        boot the simulator's default machine
#   make check      every test, plain and under ASan+UBSan (installs deps)
#   make install    PREFIX=/usr/local DESTDIR=
#
# Layer files add their own targets in mk/*.mk.

SHELL := /bin/bash
CC ?= cc
AR ?= ar
PREFIX ?= /usr/local
DESTDIR ?=
B ?= build
SAN ?=

WARN := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes
OPT ?= -O2 -g
BASE_CFLAGS := -std=c11 $(WARN) $(OPT) -Iinclude
CORE_CFLAGS := $(BASE_CFLAGS) -Wconversion -ffreestanding -fno-builtin -fno-common
HOST_CFLAGS := $(BASE_CFLAGS) -D_GNU_SOURCE -Isim -Itests/support
ifneq ($(SAN),)
SANFLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
CORE_CFLAGS += $(SANFLAGS)
HOST_CFLAGS += $(SANFLAGS)
LDFLAGS += $(SANFLAGS)
endif
CORE_CFLAGS += $(EXTRA_CFLAGS)
HOST_CFLAGS += $(EXTRA_CFLAGS)

CORE_SRC := $(sort $(wildcard src/*.c))
CORE_OBJ := $(CORE_SRC:%.c=$(B)/%.o)
HDRS := $(wildcard include/pmm/*.h include/pmm/linux/*.h)
LIB := $(B)/libpmm.a

SIM_SRC := $(sort $(wildcard sim/*.c))
SIM_OBJ := $(SIM_SRC:%.c=$(B)/%.o)
SIM := $(B)/pmm-sim
# The host platform is shared by the simulator and the tests.
HOST_OBJ := $(B)/sim/host_platform.o $(B)/sim/machine.o

SUPPORT_SRC := $(sort $(wildcard tests/support/*.c))
SUPPORT_OBJ := $(SUPPORT_SRC:%.c=$(B)/%.o)
TEST_SRC := $(sort $(wildcard tests/test_*.c))
TESTS := $(TEST_SRC:tests/%.c=$(B)/tests/%)
.SECONDARY: $(SUPPORT_OBJ) $(HOST_OBJ)

.PHONY: all lib sim tests run check check-unit check-san install clean deps
all: lib sim tests

lib: $(LIB)
sim: $(SIM)
tests: $(TESTS)

$(B)/src/%.o: src/%.c $(HDRS) $(wildcard src/*.h) | $(B)/src
	$(CC) $(CORE_CFLAGS) -c $< -o $@

$(B)/sim/%.o: sim/%.c $(HDRS) $(wildcard sim/*.h) | $(B)/sim
	$(CC) $(HOST_CFLAGS) -c $< -o $@

$(B)/tests/support/%.o: tests/support/%.c $(HDRS) $(wildcard tests/support/*.h) | $(B)/tests/support
	$(CC) $(HOST_CFLAGS) -c $< -o $@

$(LIB): $(CORE_OBJ)
	rm -f $@
	$(AR) rcs $@ $^

$(SIM): $(SIM_OBJ) $(LIB)
	$(CC) $(LDFLAGS) $^ -o $@ -lpthread

$(B)/tests/%: tests/%.c $(SUPPORT_OBJ) $(HOST_OBJ) $(LIB) $(HDRS) | $(B)/tests
	$(CC) $(HOST_CFLAGS) $< $(SUPPORT_OBJ) $(HOST_OBJ) $(LIB) -o $@ $(LDFLAGS) -lcmocka -lpthread

$(B)/src $(B)/sim $(B)/tests $(B)/tests/support:
	mkdir -p $@

run: $(SIM)
	./$(SIM) boot

deps:
	@scripts/ensure-deps.sh check

# Unit tests of one build flavour; prints cmocka's lines and a total.
check-unit: $(TESTS) $(SIM)
	@scripts/run-tests.sh $(B) $(TESTS)

check-san:
	$(MAKE) B=build/san SAN=1 check-unit check-sim

# Everything, with one closing total of all suites' "N passed, M failed".
check: deps
	@mkdir -p build
	@set -o pipefail; { $(MAKE) check-unit && $(MAKE) check-san && \
		$(MAKE) check-extra; } 2>&1 | tee build/check.log; rc=$$?; \
	[ $$rc -eq 0 ] || echo "check: a step failed (exit $$rc); see build/check.log"; \
	scripts/sum-results.sh build/check.log && exit $$rc

install: $(LIB)
	install -d $(DESTDIR)$(PREFIX)/include/pmm/linux $(DESTDIR)$(PREFIX)/lib/pkgconfig
	install -m 644 include/pmm/*.h $(DESTDIR)$(PREFIX)/include/pmm/
	install -m 644 $(wildcard include/pmm/linux/*.h) $(DESTDIR)$(PREFIX)/include/pmm/linux/
	install -m 644 $(LIB) $(DESTDIR)$(PREFIX)/lib/
	sed -e 's|@PREFIX@|$(PREFIX)|' pmm.pc.in > $(DESTDIR)$(PREFIX)/lib/pkgconfig/pmm.pc

clean:
	rm -rf build

# Layers and issues add targets here; each appends its checks to CHECK_EXTRA.
CHECK_EXTRA :=
-include $(sort $(wildcard mk/*.mk))

.PHONY: check-extra
check-extra: $(CHECK_EXTRA)
