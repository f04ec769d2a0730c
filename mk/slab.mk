# mk/slab.mk - the slab allocator's extra checks (docs/slab.md).
#
#   make check-slab-tsan      tests/slab/test_slab_threads.c under ThreadSanitizer
#   make fuzz-slab            the libFuzzer target fuzz/fuzz_slab.c (clang)
#   make check-fuzz-slab      replay its regressions, fuzz FUZZ_CI_SECONDS
#   make check-slab-model-long   the differential test, SLAB_MODEL_OPS steps
#
# The unit tests (tests/slab/test_slab_*.c) run with check-unit and check-san
# like every other tests/*/test_*.c; the fuzz target builds with the pattern
# rule of mk/reliability.mk.

SLAB_TSAN := $(TSAN_B)/test_slab_threads
SLAB_MODEL_OPS ?= 10000000
SLAB_MODEL_SEED ?= 1

.PHONY: check-slab-tsan fuzz-slab check-fuzz-slab check-slab-model-long

$(SLAB_TSAN): tests/slab/test_slab_threads.c $(CORE_SRC) $(REL_HDRS) host/host_platform.c \
		tests/support/buddy_setup.c tests/support/slab_setup.c
	$(MAKE) --no-print-directory CC=clang B=$(TSAN_B) EXTRA_CFLAGS="$(TSAN_FLAGS)" \
		LDFLAGS="$(TSAN_FLAGS)" $(TSAN_B)/libpmm.a $(TSAN_B)/host/host_platform.o \
		$(TSAN_B)/tests/support/buddy_setup.o $(TSAN_B)/tests/support/slab_setup.o
	clang $(HOST_CFLAGS) $(TSAN_FLAGS) $< $(TSAN_B)/tests/support/buddy_setup.o \
		$(TSAN_B)/tests/support/slab_setup.o $(TSAN_B)/host/host_platform.o \
		$(TSAN_B)/libpmm.a -o $@ -lcmocka -lpthread

check-slab-tsan: $(SLAB_TSAN)
	TSAN_OPTIONS="halt_on_error=1 exitcode=66" $<

fuzz-slab: $(FUZZ_B)/fuzz_slab

check-fuzz-slab: fuzz-slab
	@fuzz/run.sh $(FUZZ_B) $(FUZZ_CI_SECONDS) slab

check-slab-model-long: $(B)/tests/slab/test_slab_model
	PMM_SLAB_MODEL_OPS=$(SLAB_MODEL_OPS) PMM_SLAB_MODEL_SEED=$(SLAB_MODEL_SEED) $<

