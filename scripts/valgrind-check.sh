#!/usr/bin/env bash
# valgrind memcheck over the unit test binaries and two small simulator
# boots, VALGRIND_JOBS at once (default: the number of CPUs). Fails on
# memcheck errors only (exit 99); a binary that fails for another reason
# under valgrind (a machine too big for valgrind's address space, say) is
# listed, and check-unit is where test failures count.
#   scripts/valgrind-check.sh BUILD_DIR SIM TEST...
set -uo pipefail
# shellcheck source=scripts/parallel.sh
. "$(dirname "$0")/parallel.sh"
build=$1 sim=$2; shift 2
par_jobs=${VALGRIND_JOBS:-$(par_cpus)}
sim_boots=("boot --mem 256M" "boot --mem 256M --early memblock --json")

vg=(valgrind --error-exitcode=99 --leak-check=full
	--errors-for-leak-kinds=definite -q)

test_log() { echo "$build/valgrind-$(basename "$1").log"; }
sim_log() { echo "$build/valgrind-sim-$1.log"; }

for t in "$@"; do par_start par_logged "$(test_log "$t")" "${vg[@]}" "$t"; done
for k in "${!sim_boots[@]}"; do
	# shellcheck disable=SC2086
	par_start par_logged "$(sim_log "$k")" "${vg[@]}" "$sim" ${sim_boots[$k]}
done
wait

fails=0
for t in "$@"; do
	log=$(test_log "$t"); rc=$(cat "$log.rc")
	if [ "$rc" -eq 99 ]; then echo "valgrind: $t: MEMORY ERRORS (see $log)"; fails=1
	elif [ "$rc" -ne 0 ]; then echo "valgrind: $t: no memory errors, but test failures under valgrind (exit $rc)"; fi
done
for k in "${!sim_boots[@]}"; do
	log=$(sim_log "$k")
	[ "$(cat "$log.rc")" -eq 0 ] ||
		{ echo "valgrind: pmm-sim ${sim_boots[$k]} FAILED (see $log)"; fails=1; }
done
echo "valgrind: $# test binaries and ${#sim_boots[@]} simulator boots: $([ $fails = 0 ] && echo clean || echo ERRORS)"
exit $fails
