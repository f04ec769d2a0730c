#!/usr/bin/env bash
# Run make targets one after another, each timed, all output also in LOG;
# close with every suite's total (scripts/sum-results.sh) and the stages
# that failed. Exit non-zero when any stage failed. Each stage's make runs
# CHECK_JOBS jobs at once (default: the number of CPUs), its output grouped
# by target so a test binary's lines stay together.
#   scripts/run-stages.sh LOG STAGE...
set -uo pipefail
# shellcheck source=scripts/parallel.sh
. "$(dirname "$0")/parallel.sh"
log=${1:?usage: $0 LOG STAGE...}; shift
jobs=${CHECK_JOBS:-$(par_cpus)}
mkdir -p "$(dirname "$log")"
: >"$log"
failed=()
total_start=$(date +%s)
for stage in "$@"; do
	start=$(date +%s)
	echo "=== stage $stage" | tee -a "$log"
	make --no-print-directory -j"$jobs" --output-sync=target "$stage" 2>&1 | tee -a "$log"
	rc=${PIPESTATUS[0]}
	secs=$(($(date +%s) - start))
	if [ "$rc" -eq 0 ]; then
		echo "=== stage $stage: ok in ${secs} s" | tee -a "$log"
	else
		echo "=== stage $stage: FAILED (exit $rc) in ${secs} s" | tee -a "$log"
		failed+=("$stage")
	fi
done
echo "stages: $# in $(($(date +%s) - total_start)) s"
[ ${#failed[@]} -eq 0 ] || echo "failed stages: ${failed[*]} (see $log)"
scripts/sum-results.sh "$log"; sum=$?
[ ${#failed[@]} -eq 0 ] && [ $sum -eq 0 ]
