#!/usr/bin/env bash
# Run cmocka test binaries; print each one's output and a closing total.
#   scripts/run-tests.sh BUILD_DIR TEST...
# TEST_RUNNER, when set, is put before each binary (qemu-i386 for the
# 32-bit build on a kernel that cannot run it: scripts/i386-runner.sh).
set -uo pipefail
build=$1; shift
runner=(${TEST_RUNNER:-})
pass=0; fail=0; failed=()
for t in "$@"; do
	out=$("${runner[@]}" "$t" 2>&1); rc=$?
	printf '%s\n' "$out"
	p=$(printf '%s\n' "$out" | sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' | tail -n1)
	f=$(printf '%s\n' "$out" | sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' | tail -n1)
	pass=$((pass + ${p:-0})); fail=$((fail + ${f:-0}))
	if [ $rc -ne 0 ]; then failed+=("$t"); [ -z "$f" ] && fail=$((fail + 1)); fi
done
echo "unit tests ($build): $pass passed, $fail failed"
[ ${#failed[@]} -eq 0 ] || { echo "failing binaries: ${failed[*]}"; exit 1; }
