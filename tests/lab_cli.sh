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

# bad_wl NAME FILE TEXT PATTERN: a workload FILE (in $tmp) holding TEXT
# must fail to run with exit 1 and PATTERN.
bad_wl() {
	printf '%b' "$3" >"$tmp/$2"
	expect "$1" 1 "$4" -- run "$tmp/$2"
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
	extra=()
	[ "$(basename "$f")" = cma.wl ] && extra=(--cma 64M)
	expect "run $(basename "$f") is consistent" 0 '^pmm_check: consistent' -- run "$f" "${small[@]}" "${extra[@]}"
done
expect "w3-small allocates and frees" 0 'pmm-sim: [0-9]+ events: [0-9]+ allocations \(0 failed\), [0-9]+ frees' -- run "$wl/w3-small.wl" "${small[@]}"
expect "fragment.wl fails order-9 requests" 0 'failed allocations by order: 9:' -- run "$wl/fragment.wl" "${small[@]}"
printf 'seed 3\nphase fill ops=20k alloc=1 order=0:1 mt=movable:1\nphase grow ops=20k add=0:4G:256M alloc=0.6\nphase shrink ops=1k offline=4G:128M\n' >"$tmp/hotplug.wl"
expect "a phase's add= and offline= run, consistent after" 0 '^pmm_check: consistent' -- run "$tmp/hotplug.wl" --profile x86_64 --mem 512M --hotplug-max 5G
expect "a phase's add= and offline= run as it starts" 0 'hotplug offline \[mem 0x0100000000-0x0107ffffff\]: free pages' -- run "$tmp/hotplug.wl" --profile x86_64 --mem 512M --hotplug-max 5G
expect "add= past the descriptors fails the run" 1 'hotplug add .*: address out of range' -- run "$tmp/hotplug.wl" --profile x86_64 --mem 512M
printf 'seed 3\nphase kernel ops=10k alloc=1 mt=unmovable:1\nphase grow ops=1 add=0:4G:256M\nphase fill ops=60k alloc=1 order=0:80,2:20 mt=movable:1 gfp=user:1\nphase shrink ops=1k offline=4G:128M mt=movable:1\n' >"$tmp/migrate.wl"
expect "offline= moves the workload's movable blocks" 0 'phase shrink: the migrate hook moved [1-9][0-9]* movable blocks' -- run "$tmp/migrate.wl" --profile x86_64 --mem 512M --hotplug-max 5G
expect "... and stays consistent" 0 '^pmm_check: consistent' -- run "$tmp/migrate.wl" --profile x86_64 --mem 512M --hotplug-max 5G
sed 's/mt=movable:1 gfp/mt=movable:9,unmovable:1 gfp/' "$tmp/migrate.wl" >"$tmp/pinned.wl"
expect "offline= over unmovable blocks fails the run" 1 'hotplug offline .*: reference count busy' -- run "$tmp/pinned.wl" --profile x86_64 --mem 512M --hotplug-max 5G
# The same mix of movable and unmovable user pages over memory added to
# the Movable zone: the unmovable ones go elsewhere, so the offline works.
sed -e 's/add=/add_movable=/' -e 's/gfp=user/gfp=highuser/' "$tmp/pinned.wl" >"$tmp/movable.wl"
expect "add_movable=: offline over the Movable zone moves every block" 0 'phase shrink: the migrate hook moved [1-9][0-9]* movable blocks' -- run "$tmp/movable.wl" --profile x86_64 --mem 512M --hotplug-max 5G
expect "... the block went to the Movable zone" 0 'hotplug add_movable .*, zone Movable' -- run "$tmp/movable.wl" --profile x86_64 --mem 512M --hotplug-max 5G
printf 'phase p ops=1 add=0:4G\n' >"$tmp/badhp.wl"
expect "a malformed add= names the line" 1 'badhp.wl:1: bad value' -- run "$tmp/badhp.wl"
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
bad_wl "unknown key names the line" badkey.wl 'seed 1\nphase a ops=10 alloc=1\nphase b ops=5 frobs=2\n' 'badkey.wl:3: unknown key'
bad_wl "phase without ops" noops.wl 'phase a alloc=1\n' 'noops.wl:1: phase needs ops=N'
bad_wl "order above the maximum" order.wl 'phase a ops=5 order=0:1,11:1\n' 'order.wl:1: bad value'
bad_wl "no phase" empty.wl '# nothing\n' 'empty.wl: no phase'

# contig= and cma= requests (issue 11)
expect "cma.wl: every CMA run served, borrowed pages moved" 0 'CMA runs: 16 \(0 failed\); blocks moved by the migrate hook: [1-9][0-9]*' -- run "$wl/cma.wl" "${small[@]}" --cma 64M
expect "cma.wl: 40 contiguous runs, 5 failing at this fill (this seed)" 0 'contiguous runs: 40 \(5 failed\)' -- run "$wl/cma.wl" "${small[@]}" --cma 64M
printf 'phase a ops=4 alloc=1 contig=16 window=1M-16M align=64K boundary=64K gfp=dma\nphase b ops=0 pool=a free=all\n' >"$tmp/contig.wl"
expect "contig runs in a window, given back" 0 'contiguous runs: 4 \(0 failed\).*' -- run "$tmp/contig.wl" "${small[@]}"
expect "contig runs: pmm_check after" 0 '^pmm_check: consistent' -- run "$tmp/contig.wl" "${small[@]}"
# K34..K41: bad contig= / cma= phases fail before anything runs
expect "K34 cma= without a region" 1 'cma.wl: cma= needs a CMA region: boot with --cma SIZE' -- run "$wl/cma.wl" "${small[@]}"
expect "K35 contig= with --trace-out" 1 'contig= and cma= runs have no ftrace event' -- run "$tmp/contig.wl" "${small[@]}" --trace-out "$tmp/t.txt"
check "K35 no trace file written" test ! -s "$tmp/t.txt"
bad_wl "K36 window= without contig=" k36.wl 'phase a ops=4 window=0-16M\n' 'k36.wl:1: window=, align= and boundary= need contig=N or cma=N'
bad_wl "K37 cma= with boundary=" k37.wl 'phase a ops=4 cma=16 boundary=64K\n' 'k37.wl:1: cma=N takes align= only'
bad_wl "K38 boundary= below the run" k38.wl 'phase a ops=4 contig=32 boundary=64K\n' 'k38.wl:1: boundary= is smaller than the run'
bad_wl "K39 window= below the run" k39.wl 'phase a ops=4 contig=32 window=1M-1100K\n' 'k39.wl:1: window= is smaller than the run'
for v in 'contig=0' 'contig=4 align=12K' 'contig=4 align=2K' 'contig=4 boundary=3M' 'contig=4 window=16M-1M' 'contig=4 window=16M' 'contig=4 cma=4' 'cma=x'; do
	bad_wl "K40 bad value: $v" k40.wl "phase a ops=4 $v\n" 'k40.wl:1: bad value'
done
bad_wl "K41 unknown key lists the run keys" k41.wl 'phase a ops=4 contig=4 frob=1\n' 'k41.wl:1: unknown key .*contig, cma, window, align, boundary'
expect "missing workload file" 1 'neither a built-in workload' -- run /nonexistent.wl
expect "run needs a workload" 2 'needs a WORKLOAD' -- run --mem 1G
expect "bad --every" 2 '--every: not a count' -- run "$wl/w3-small.wl" --every x
expect "bad --pcp" 2 'BATCH <= HIGH' -- run "$wl/w3-small.wl" --pcp 4,8
expect "boot options still checked" 2 'unknown choice' -- run "$wl/w3-small.wl" --profile sparc
expect "lab options are not boot's" 2 'is for run and replay' -- boot --metrics x.csv

# ---- metrics --------------------------------------------------------------
"$sim" run "$wl/tmpfs.wl" "${small[@]}" --metrics "$tmp/m.csv" --every 10000 >/dev/null 2>&1
check "CSV metrics: header and a row per zone per sample" \
	bash -c "head -1 '$tmp/m.csv' | grep -q '^event,node,zone,.*,unusable_10,.*,fragindex_10,pcp_blocks_0,.*,pcp_cpu0,' &&
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

expect "--proc-at prints /proc views mid-run" 0 '^pmm-sim: after event 1000$' -- run "$wl/w3-small.wl" --proc-at 10,1000
expect "--proc-at must ascend" 2 'ascending event counts' -- run "$wl/w3-small.wl" --proc-at 100,10
check "per-CPU list contents add up" python3 -c "
import json
for z in json.load(open('$tmp/m.json')):
    pcp = z['pcp_blocks_by_order']
    assert sum(n << k for k, n in enumerate(pcp)) == z['pcp_pages'] == sum(z['pcp_pages_by_cpu']), z
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


# The same five requests in each layout Linux's tools print (typed here
# from the events' formats, not captured): alloc A (order 2, movable),
# alloc B, free A, a failed allocation, free B; a junk line and a comment.
layout() { # layout STYLE: the events in STYLE
	local p c pa pb
	case $1 in
	ftrace61) p='          sh-86     [001] .....    12.000001: '; pa=0x1000; pb=0x2001; c=1 ;;
	old2633) p='            bash-2371  [001]  1265.234143: '; pa=4096; pb=8193; c=2 ;;
	tracecmd) p='            bash-2371  [001]  1265.234143: '; pa=0x1000; pb=0x2001; c=1 ;;
	perf) p='            bash  2371 [001]  1265.234143: kmem:'; pa=0x1000; pb=0x2001; c=1 ;;
	esac
	local free=mm_page_free batched=mm_page_free_batched null=0000000000000000
	[ "$1" = old2633 ] && { free=mm_page_free_direct; batched=mm_pagevec_free; null='(null)'; }
	echo '# tracer: nop'
	echo "${p}mm_page_alloc: page=ffffea0000040000 pfn=$pa order=2 migratetype=$c gfp_flags=GFP_HIGHUSER_MOVABLE|__GFP_COMP"
	echo "${p}mm_page_alloc: page=ffffea0000080040 pfn=$pb order=0 migratetype=0 gfp_flags=GFP_KERNEL|0x2000000"
	echo 'something else entirely'
	echo "${p}mm_page_alloc_zone_locked: page=ffffea0000080040 pfn=$pb order=0 migratetype=0 percpu_refill=1"
	echo "${p}$free: page=ffffea0000040000 pfn=$pa order=2"
	echo "${p}mm_page_alloc: page=$null pfn=0 order=10 migratetype=0 gfp_flags=GFP_ATOMIC"
	# 3.3+: a batched free prints mm_page_free, then mm_page_free_batched;
	# 2.6.33's mm_pagevec_free is the free itself
	[ "$1" = old2633 ] || echo "${p}$free: page=ffffea0000080040 pfn=$pb order=0"
	echo "${p}$batched: page=ffffea0000080040 pfn=$pb order=0"
	echo "${p}mm_page_pcpu_drain: page=ffffea0000080040 pfn=$pb order=0 migratetype=0"
}
for style in ftrace61 old2633 tracecmd perf; do
	layout $style >"$tmp/$style.trace"
	expect "$style layout: allocations and frees" 0 '^pmm-sim: 4 events: 2 allocations \(0 failed\), 2 frees' -- replay "$tmp/$style.trace" "${small[@]}"
	expect "$style layout: Linux's failure, per-CPU events, junk line 4" 0 '1 allocations failed in Linux too, 0 frees of pages allocated before the trace, 0 re-allocations of a live pfn \(a free missing\), [23] per-CPU list and batch events' -- replay "$tmp/$style.trace" "${small[@]}"
	expect "$style layout: the junk line is named" 0 'lines are no kmem page event or hold impossible fields, ignored; lines 4$' -- replay "$tmp/$style.trace" "${small[@]}"
done
printf '%s\n' "$(layout perf | sed -n 2p)" "$(layout perf | sed -n 2p | sed 's/pfn=0x1000/pfn=0x1001/; s/order=2/order=0/; s/mm_page_alloc/mm_page_free/')" >"$tmp/split.trace"
expect "a free inside a traced block counts against it" 0 '^pmm-sim: 1 events: 1 allocations' -- replay "$tmp/split.trace" "${small[@]}"
printf 'x mm_page_alloc: pfn=0xffffffffffffffff order=3\nx mm_page_free: pfn=0x10 order=11\nx mm_page_alloc: pfn=5 order=9\nx mm_page_free: page=0 order=0\n' >"$tmp/impossible.trace"
expect "impossible pfns and orders are named, not replayed" 0 '3 lines are no kmem page event or hold impossible fields, ignored; lines 1 2 4$' -- replay "$tmp/impossible.trace" --mem 64M
expect "--prefill is for replay" 2 '--prefill: is for replay' -- run "$wl/w3-small.wl" --prefill
printf 'x mm_page_free: pfn=0x100 order=1\nx mm_page_alloc: pfn=0x100 order=1 gfp_flags=GFP_KERNEL\nx mm_page_free: pfn=0x100 order=1\n' >"$tmp/early.trace"
expect "--prefill allocates a block freed before its allocation" 0 'prefilled 1 blocks \(2 pages; 0 failed\)' -- replay "$tmp/early.trace" --mem 64M --prefill
expect "without --prefill that free is counted" 0 ' 1 frees of pages allocated before the trace' -- replay "$tmp/early.trace" --mem 64M
expect "a trace from standard input" 0 '^pmm-sim: 4 events' -- replay - "${small[@]}" <"$tmp/perf.trace"

# The traces Linux printed under QEMU (tests/data/traces/README.md).
for t in "$traces"/*.trace.xz; do
	[ -e "$t" ] || continue
	log=${t%.trace.xz}.log
	xz -dc "$t" >"$tmp/linux.trace"
	expect "$(basename "$t"): model replay on its own machine" 0 '^pmm_check: consistent' -- replay "$tmp/linux.trace" --map "$log" --profile x86_64 --early memblock
	"$sim" replay "$tmp/linux.trace" --map "$log" --profile x86_64 >"$tmp/linux.out" 2>&1
	check "$(basename "$t"): every line is a kmem page event" bash -c "grep -q 'other kmem events' '$tmp/linux.out' && ! grep -q 'no kmem page event' '$tmp/linux.out'"
	check "$(basename "$t"): gfp names give the printed migratetype" grep -q ' 0 allocations whose gfp mobility and migratetype disagree' "$tmp/linux.out"
	expect "$(basename "$t"): on the i386 default machine" 0 '^pmm_check: consistent' -- replay "$tmp/linux.trace"
	"$sim" replay "$tmp/linux.trace" --map "$log" --profile x86_64 --prefill >"$tmp/prefill.out" 2>&1
	check "$(basename "$t"): --prefill takes what the trace frees first" bash -c "
		grep -q '^pmm_check: consistent' '$tmp/prefill.out' &&
		pre=\$(sed -n 's/.* \([0-9]*\) frees of pages allocated before the trace.*/\\1/p' '$tmp/linux.out') &&
		post=\$(sed -n 's/.* \([0-9]*\) frees of pages allocated before the trace.*/\\1/p' '$tmp/prefill.out') &&
		[ \$((post * 5)) -lt \$pre ]"
	expect "$(basename "$t"): replay with --report-free hands memory back" 0 'after idle passes: [1-9][0-9]* MiB of' -- replay "$tmp/linux.trace" --map "$log" --profile x86_64 --report-free 10000
	"$sim" replay "$tmp/linux.trace" --map "$log" --profile x86_64 --placement >"$tmp/place.out" 2>&1
	check "$(basename "$t"): placement replay takes Linux's pages (fewer than 1 % busy)" bash -c "
		grep -q '^pmm_check: consistent' '$tmp/place.out' &&
		busy=\$(sed -n 's/.*placement mode: \([0-9]*\) allocations found.*/\\1/p' '$tmp/place.out') &&
		allocs=\$(grep -c 'mm_page_alloc:' '$tmp/linux.trace') &&
		[ -n \"\$busy\" ] && [ \$((busy * 100)) -lt \$allocs ]"
done
# Free page reporting (pmm/elastic.h): the host discards what is reported.
expect "--report-free reports during a run" 0 'reporting, when the run ends: [1-9][0-9]* MiB of [0-9]+ MiB managed handed back' -- run "$wl/w3-small.wl" "${small[@]}" --report-free 1000
expect "--report-free keeps the allocator consistent" 0 '^pmm_check: consistent' -- run "$wl/tmpfs.wl" "${small[@]}" --report-free 500 --lazy
expect "--report-free 0 is refused" 2 '--report-free: expected a number of events above 0' -- run "$wl/w3-small.wl" --report-free 0
expect "--report-free is for run and replay" 2 '--report-free: is for run and replay' -- boot --report-free 10
"$sim" run "$wl/w3-small.wl" "${small[@]}" >"$tmp/noreport.out" 2>&1
check "without --report-free nothing is reported" bash -c "! grep -q 'free page reporting' '$tmp/noreport.out'"

expect "--placement is for replay" 2 '--placement: is for replay' -- run "$wl/w3-small.wl" --placement

echo "pmm-sim lab CLI: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
