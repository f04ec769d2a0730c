# buddy.mk - extra checks of the buddy allocator.
#
#   make buddy-diff-seeds   the differential test with more seeds and ops
#                           (PMM_DIFF_OPS / PMM_DIFF_SEED as in the test)

BUDDY_DIFF_SEEDS ?= 1 2 3 4
BUDDY_DIFF_OPS ?= 2000000

.PHONY: buddy-diff-seeds
buddy-diff-seeds: $(B)/tests/buddy/test_buddy_diff
	@for s in $(BUDDY_DIFF_SEEDS); do \
		PMM_DIFF_SEED=$$s PMM_DIFF_OPS=$(BUDDY_DIFF_OPS) \
			$(B)/tests/buddy/test_buddy_diff >/dev/null 2>&1 || \
			{ echo "buddy diff: seed $$s failed"; exit 1; }; \
	done; echo "buddy diff: seeds $(BUDDY_DIFF_SEEDS) passed"

