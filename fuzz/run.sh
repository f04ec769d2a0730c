#!/usr/bin/env bash
# Replay the regression inputs of each fuzz target, then run it for a
# bounded time from its seed corpus; print executions per target.
#   fuzz/run.sh BUILD_DIR SECONDS TARGET...
# New corpus entries go to BUILD_DIR/corpus/<target>; crashes to
# BUILD_DIR/artifacts/<target>/ (copy them to fuzz/regressions/<target>/).
set -euo pipefail
build=$1; secs=$2; shift 2
status=0
for t in "$@"; do
	bin=$build/fuzz_$t
	reg=fuzz/regressions/$t
	if [ -d "$reg" ] && [ -n "$(ls -A "$reg" 2>/dev/null)" ]; then
		if ! "$bin" -runs=1 "$reg"/* >"$build/replay-$t.log" 2>&1; then
			echo "fuzz $t: regression replay FAILED (see $build/replay-$t.log)"
			status=1; continue
		fi
		echo "fuzz $t: $(ls "$reg" | wc -l) regression inputs replayed"
	fi
	work=$build/corpus/$t
	art=$build/artifacts/$t
	mkdir -p "$work" "$art"
	log=$build/fuzz-$t.log
	# Operation-sequence targets: inputs long enough for deep states.
	case $t in buddy|bootmem|memblock|contig|hotplug|elastic) len=-max_len=2048 ;; *) len= ;; esac
	if "$bin" -max_total_time="$secs" -timeout=20 -rss_limit_mb=2048 $len \
		-print_final_stats=1 -artifact_prefix="$art/" \
		"$work" "fuzz/corpus/$t" >"$log" 2>&1; then
		runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
		cov=$(grep -o 'cov: [0-9]*' "$log" | tail -n1)
		echo "fuzz $t: ${runs:-?} executions in ${secs}s, $cov, no crash"
	else
		echo "fuzz $t: CRASH (log $log, inputs in $art)"
		tail -n 40 "$log"
		status=1
	fi
done
exit $status
