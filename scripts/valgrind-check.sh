#!/usr/bin/env bash
# valgrind memcheck over the unit test binaries and two small simulator
# boots, VALGRIND_JOBS at once (default: the number of CPUs). Fails on
# memcheck errors only (exit 99); a binary that fails for another reason
# under valgrind (a machine too big for valgrind's address space, say) is
# listed, and check-unit is where test failures count.
#   scripts/valgrind-check.sh BUILD_DIR SIM TEST...
set -uo pipefail
build=$1 sim=$2; shift 2
jobs=${VALGRIND_JOBS:-$(nproc 2>/dev/null || echo 1)}
vg=(valgrind --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite -q)

# One run: "NAME LOG COMMAND..."; its exit status lands in LOG.rc.
run_one() {
	local log=$2; shift 2
	"${vg[@]}" "$@" >"$log" 2>&1
	echo $? >"$log.rc"
}

runs=()
for t in "$@"; do runs+=("$t|$build/valgrind-$(basename "$t").log|$t"); done
runs+=("pmm-sim boot --mem 256M|$build/valgrind-sim.log|$sim boot --mem 256M")
runs+=("pmm-sim boot --mem 256M --early memblock --json|$build/valgrind-sim-memblock.log|$sim boot --mem 256M --early memblock --json")

running=0
for r in "${runs[@]}"; do
	IFS='|' read -r name log cmd <<<"$r"
	if [ "$running" -ge "$jobs" ]; then wait -n; running=$((running - 1)); fi
	# shellcheck disable=SC2086
	run_one "$name" "$log" $cmd &
	running=$((running + 1))
done
wait

fails=0
for r in "${runs[@]}"; do
	IFS='|' read -r name log _ <<<"$r"
	rc=$(cat "$log.rc")
	case $name in
	pmm-sim*) [ "$rc" -eq 0 ] || { echo "valgrind: $name FAILED (see $log)"; fails=1; } ;;
	*) if [ "$rc" -eq 99 ]; then echo "valgrind: $name: MEMORY ERRORS (see $log)"; fails=1
	   elif [ "$rc" -ne 0 ]; then echo "valgrind: $name: no memory errors, but test failures under valgrind (exit $rc)"; fi ;;
	esac
done
echo "valgrind: $# test binaries and 2 simulator boots: $([ $fails = 0 ] && echo clean || echo ERRORS)"
exit $fails
