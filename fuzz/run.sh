#!/usr/bin/env bash
# Replay the regression inputs of each fuzz target, then run it for a
# bounded time from its seed corpus; print executions per target. Targets
# run FUZZ_JOBS at a time (default: the number of CPUs),
# each single-threaded, and report in the order given.
#   fuzz/run.sh BUILD_DIR SECONDS TARGET...
# New corpus entries go to BUILD_DIR/corpus/<target>; crashes to
# BUILD_DIR/artifacts/<target>/ (copy them to fuzz/regressions/<target>/).
set -euo pipefail
# shellcheck source=scripts/parallel.sh
. "$(dirname "$0")/../scripts/parallel.sh"
build=$1; secs=$2; shift 2
par_jobs=${FUZZ_JOBS:-$(par_cpus)}

# One target: its report in $build/summary-<target>, exit 1 on a failure.
run_target() {
	local t=$1 out=$build/summary-$1
	local bin=$build/fuzz_$t reg=fuzz/regressions/$t
	: >"$out"
	if [ -d "$reg" ] && [ -n "$(ls -A "$reg" 2>/dev/null)" ]; then
		if ! "$bin" -runs=1 "$reg"/* >"$build/replay-$t.log" 2>&1; then
			echo "fuzz $t: regression replay FAILED (see $build/replay-$t.log)" >>"$out"
			return 1
		fi
		echo "fuzz $t: $(ls "$reg" | wc -l) regression inputs replayed" >>"$out"
	fi
	local work=$build/corpus/$t art=$build/artifacts/$t log=$build/fuzz-$t.log len=
	mkdir -p "$work" "$art"
	# Operation-sequence targets: inputs long enough for deep states.
	case $t in buddy|bootmem|memblock|contig|hotplug|elastic) len=-max_len=2048 ;; esac
	if "$bin" -max_total_time="$secs" -timeout=20 -rss_limit_mb=2048 $len \
		-print_final_stats=1 -artifact_prefix="$art/" \
		"$work" "fuzz/corpus/$t" >"$log" 2>&1; then
		local runs cov
		runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
		cov=$(grep -o 'cov: [0-9]*' "$log" | tail -n1)
		echo "fuzz $t: ${runs:-?} executions in ${secs}s, $cov, no crash" >>"$out"
	else
		{ echo "fuzz $t: CRASH (log $log, inputs in $art)"; tail -n 40 "$log"; } >>"$out"
		return 1
	fi
}

# Run @1 and leave 0 (passed) or 1 in $build/status-@1.
run_and_note() {
	if run_target "$1"; then echo 0; else echo 1; fi >"$build/status-$1"
}

for t in "$@"; do
	par_start run_and_note "$t"
done
wait
status=0
for t in "$@"; do
	cat "$build/summary-$t"
	[ "$(cat "$build/status-$t")" = 0 ] || status=1
done
exit $status
