#!/usr/bin/env bash
# Run cmocka test binaries; print each one's output, in the order given,
# and a closing total. TEST_JOBS binaries run at once (default: the number
# of CPUs); each is a process of its own, so they share nothing.
#   scripts/run-tests.sh BUILD_DIR TEST...
# TEST_RUNNER, when set, is put before each binary (qemu-i386 for the
# 32-bit build on a kernel that cannot run it: scripts/i386-runner.sh).
set -uo pipefail
# shellcheck source=scripts/parallel.sh
. "$(dirname "$0")/parallel.sh"
build=$1; shift
runner=(${TEST_RUNNER:-})
par_jobs=${TEST_JOBS:-$(par_cpus)}
out=$(mktemp -d "${TMPDIR:-/tmp}/pmm-tests.XXXXXX")
trap 'rm -rf "$out"' EXIT

# Binary N: its output in $out/N.log, its exit status in $out/N.log.rc.
i=0
for t in "$@"; do
	par_start par_logged "$out/$i.log" "${runner[@]}" "$t"
	i=$((i + 1))
done
wait

pass=0; fail=0; failed=(); i=0
for t in "$@"; do
	cat "$out/$i.log"
	rc=$(cat "$out/$i.log.rc")
	p=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$out/$i.log" | tail -n1)
	f=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' "$out/$i.log" | tail -n1)
	pass=$((pass + ${p:-0})); fail=$((fail + ${f:-0}))
	if [ "$rc" -ne 0 ]; then failed+=("$t"); [ -z "$f" ] && fail=$((fail + 1)); fi
	i=$((i + 1))
done
echo "unit tests ($build): $pass passed, $fail failed"
[ ${#failed[@]} -eq 0 ] || { echo "failing binaries: ${failed[*]}"; exit 1; }
