# mutation.mk - mutation testing of the core (issue 17, docs/mutation.md).
# Not part of make check: a full run takes most of an hour.
#
#   make mutation                          every mutant of the default files
#   make mutation FILES='src/memmap/*.c' MAX_PER_FILE=60 SEED=17 JOBS=2
#   make mutation-list FILES=...           print the mutants, build nothing
#
# scripts/mutate.py copies the tree into $(MUT_OUT)/jN per job and builds
# there with B=build; the rules below let it rebuild only the mutated
# object and relink each test binary (compiled once) against the new lib.

FILES ?=
MAX_PER_FILE ?= 0
SEED ?= 17
JOBS ?= 2
MUT_TIMEOUT ?= 10
MUT_OPS ?=
MUT_SAN ?= 1
MUT_OUT ?= build/mutation
MUT_ARGS = $(if $(FILES),--files $(FILES)) --max-per-file $(MAX_PER_FILE) \
	--seed $(SEED) --jobs $(JOBS) --timeout $(MUT_TIMEOUT) \
	$(if $(MUT_OPS),--ops $(MUT_OPS)) --san $(MUT_SAN) --out $(MUT_OUT) \
	--report $(MUT_OUT)/report.txt

.PHONY: mutation mutation-list
mutation:
	python3 scripts/mutate.py $(MUT_ARGS)

mutation-list:
	@python3 scripts/mutate.py $(MUT_ARGS) --list

# Test objects compiled once; binaries relinked against $(LIB).
.PRECIOUS: $(B)/mutobj/%.o
$(B)/mutobj/%.o: tests/%.c $(HDRS) $(CORE_HDRS) $(HOST_HDRS) $(wildcard tests/support/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(HOST_CFLAGS) -c $< -o $@

$(B)/mutbin/%: $(B)/mutobj/%.o $(SUPPORT_OBJ) $(HOST_OBJ) $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $< $(SUPPORT_OBJ) $(HOST_OBJ) $(LIB) -o $@ $(LDFLAGS) -lcmocka -lpthread
