#!/usr/bin/env bash
# Command-line tests of pmm-sim's laboratory (sim/lab.c): `run` with the
# standard and the example workloads, `replay` of the Linux traces in
# tests/data/traces/ and of pmm's own, metrics files and pictures. Every
# run must succeed or fail as a user expects, with a clear message.
#   tests/lab_cli.sh build/pmm-sim
set -uo pipefail
sim=${1:?usage: $0 PMM_SIM}
wl=sim/workloads
traces=tests/data/traces
pass=0; fail=0
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

ok() { pass=$((pass + 1)); echo "ok   - $1"; }
bad() { fail=$((fail + 1)); echo "FAIL - $1"; }

# expect NAME RC PATTERN -- ARGS...: exit status RC and PATTERN in the output.
expect() {
	local name=$1 rc=$2 pat=$3; shift 4
	"$sim" "$@" >"$tmp/out" 2>&1; local got=$?
	if [ "$got" -ne "$rc" ]; then bad "$name (exit $got, want $rc)"; sed 's/^/    /' "$tmp/out" | tail -5; return; fi
	if ! grep -qE -- "$pat" "$tmp/out"; then bad "$name (no /$pat/)"; sed 's/^/    /' "$tmp/out" | tail -5; return; fi
	ok "$name"
}

# check NAME COMMAND...: a shell test.
check() {
	local name=$1; shift
	if "$@" >"$tmp/check" 2>&1; then ok "$name"; else bad "$name"; sed 's/^/    /' "$tmp/check" | tail -5; fi
}

small=(--profile x86_64 --mem 512M)

# ---- run ------------------------------------------------------------------
expect "run --list shows the standard workloads" 0 '^w3:' -- run --list
expect "run --help" 0 'pmm-sim run WORKLOAD' -- run --help
for f in "$wl"/*.wl; do
	expect "run $(basename "$f") is consistent" 0 '^pmm_check: consistent' -- run "$f" "${small[@]}"
done
expect "w3-small allocates and frees" 0 'pmm-sim: [0-9]+ events: [0-9]+ allocations \(0 failed\), [0-9]+ frees' -- run "$wl/w3-small.wl" "${small[@]}"
expect "fragment.wl fails order-9 requests" 0 'failed allocations by order: 9:' -- run "$wl/fragment.wl" "${small[@]}"
expect "run on the i386 default machine" 0 '^pmm_check: consistent' -- run "$wl/w3-small.wl"
expect "run with memblock and --proc" 0 '^Node 0, zone    DMA32' -- run "$wl/tmpfs.wl" "${small[@]}" --early memblock --proc
expect "run without grouping: one type" 0 'Node 0, zone    DMA32 +0 +[0-9]+ +0 *$' -- run "$wl/tmpfs.wl" "${small[@]}" --no-grouping --proc
expect "run with lazy buddy" 0 '^pmm_check: consistent' -- run "$wl/tmpfs.wl" "${small[@]}" --lazy
expect "run with per-CPU lists off" 0 '^pmm_check: consistent' -- run "$wl/tmpfs.wl" "${small[@]}" --pcp 0,0
"$sim" run "$wl/tmpfs.wl" "${small[@]}" --proc >"$tmp/a" 2>&1
"$sim" run "$wl/tmpfs.wl" "${small[@]}" --proc >"$tmp/b" 2>&1
check "the same seed gives the same buddyinfo" cmp <(grep '^Node' "$tmp/a") <(grep '^Node' "$tmp/b")
"$sim" run "$wl/tmpfs.wl" "${small[@]}" --proc --seed 99 >"$tmp/c" 2>&1
check "--seed changes the run" bash -c "! cmp -s <(grep '^Node' '$tmp/a') <(grep '^Node' '$tmp/c')"
printf 'seed 1\nphase a ops=10 alloc=1\nphase b ops=5 frobs=2\n' >"$tmp/badkey.wl"
expect "unknown key names the line" 1 'badkey.wl:3: unknown key' -- run "$tmp/badkey.wl"
printf 'phase a alloc=1\n' >"$tmp/noops.wl"
expect "phase without ops" 1 'noops.wl:1: phase needs ops=N' -- run "$tmp/noops.wl"
printf 'phase a ops=5 order=0:1,11:1\n' >"$tmp/order.wl"
expect "order above the maximum" 1 'order.wl:1: bad value' -- run "$tmp/order.wl"
printf '# nothing\n' >"$tmp/empty.wl"
expect "no phase" 1 'empty.wl: no phase' -- run "$tmp/empty.wl"
expect "missing workload file" 1 'neither a built-in workload' -- run /nonexistent.wl
expect "run needs a workload" 2 'needs a WORKLOAD' -- run --mem 1G
expect "bad --every" 2 '--every: not a count' -- run "$wl/w3-small.wl" --every x
expect "bad --pcp" 2 'BATCH <= HIGH' -- run "$wl/w3-small.wl" --pcp 4,8
expect "boot options still checked" 2 'unknown choice' -- run "$wl/w3-small.wl" --profile sparc
expect "lab options are not boot's" 2 'is for run and replay' -- boot --metrics x.csv

# ---- metrics --------------------------------------------------------------
"$sim" run "$wl/tmpfs.wl" "${small[@]}" --metrics "$tmp/m.csv" --every 10000 >/dev/null 2>&1
check "CSV metrics: header and a row per zone per sample" \
	bash -c "head -1 '$tmp/m.csv' | grep -q '^event,node,zone,.*,unusable_10,.*,fragindex_10$' &&
		 [ \$(grep -c ',DMA32,' '$tmp/m.csv') -ge 14 ]"
"$sim" run "$wl/tmpfs.wl" "${small[@]}" --metrics "$tmp/m.json" --every 50000 >/dev/null 2>&1
check "JSON metrics parse, last sample at the last event" python3 -c "
import json, sys
d = json.load(open('$tmp/m.json'))
last = d[-1]
assert last['zone'] == 'DMA32' and len(last['unusable']) == 11, last
assert last['free_pages'] == sum(n << k for k, n in enumerate(last['free_by_order'])), last
assert all(0 <= u <= 1 for u in last['unusable'])
"

# ---- replay ---------------------------------------------------------------
"$sim" run "$wl/tmpfs.wl" "${small[@]}" --proc --trace-out "$tmp/own.trace" >"$tmp/run.out" 2>&1
"$sim" replay "$tmp/own.trace" "${small[@]}" --proc >"$tmp/replay.out" 2>&1
check "replaying pmm's own trace reproduces its buddyinfo" \
	cmp <(grep '^Node' "$tmp/run.out") <(grep '^Node' "$tmp/replay.out")
expect "replay --help" 0 'pmm-sim replay TRACE' -- replay --help
expect "replay needs a trace" 2 'needs a TRACE' -- replay
expect "replay of a missing file" 1 'cannot read /nonexistent' -- replay /nonexistent.trace
printf 'hello\n' >"$tmp/nothing.trace"
expect "replay of no events" 1 'no mm_page_alloc or mm_page_free event' -- replay "$tmp/nothing.trace"

echo "pmm-sim lab CLI: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
