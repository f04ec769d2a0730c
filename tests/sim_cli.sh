#!/usr/bin/env bash
# Command-line tests of pmm-sim: every run must succeed or fail as a user
# expects, with a clear message and never a crash.
#   tests/sim_cli.sh build/pmm-sim
set -uo pipefail
sim=${1:?usage: $0 PMM_SIM}
data=tests/data
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

expect "default boot prints buddyinfo with DMA, Normal, HighMem" 0 'zone  HighMem' -- boot
expect "default boot prints the Memory line" 0 '^Memory: [0-9]+K/[0-9]+K available' -- boot
expect "default boot frees init memory" 0 'Freeing unused kernel memory: 1024K freed' -- boot
expect "default boot reports the bitmap pages" 0 'bitmaps. own' -- boot
expect "default boot is consistent" 0 '^pmm_check: consistent' -- boot
expect "pagetypeinfo: every pageblock movable after boot" 0 '^Node 0, zone   Normal            0 +[0-9]+            0 $' -- boot --pagetypeinfo
expect "memblock boot" 0 'zone  HighMem' -- boot --early memblock
expect "memblock debug dump" 0 'memory.cnt' -- boot --early memblock --memblock-debug
expect "x86_64 profile has DMA32" 0 'zone    DMA32' -- boot --profile x86_64 --mem 8G
expect "four nodes" 0 'Node 3, zone' -- boot --profile x86_64 --mem 16G --nodes 4
expect "json has zones and boot" 0 '"bitmap_pages_freed":7' -- boot --json
for f in "$data"/0*.txt "$data"/1*.txt "$data"/3*.txt; do
	for e in bootmem memblock; do
		expect "$(basename "$f") x86_64 $e json" 0 '"free_by_order"' -- boot --map "$f" --profile x86_64 --early "$e" --json
	done
done
expect "map from stdin" 0 'zone   Normal' -- boot --map - --profile x86_64 <"$data/16-framework-12thgen-type20-6.3.txt"
expect "unknown option" 2 'unknown option' -- boot --frobnicate
expect "bad size" 2 'not a size' -- boot --mem 12Q
expect "bad profile" 2 'unknown choice' -- boot --profile sparc
expect "bad early" 2 'unknown choice' -- boot --early slab
expect "zero nodes" 2 'must be 1 to' -- boot --nodes 0
expect "missing file" 1 'cannot read' -- boot --map /nonexistent/map.txt
printf 'hello\nworld\n' >"$tmp/nomap"
expect "no map lines" 1 'nomap:[0-9]+: ' -- boot --map "$tmp/nomap"
printf 'BIOS-e820: [mem 0x0000000000000000-0x000000000009zzzz] usable\n' >"$tmp/badhex"
expect "malformed line names the line" 1 'badhex:1: ' -- boot --map "$tmp/badhex"
printf 'BIOS-e820: [mem 0x0-0x3fffffff] usable\nACPI: SRAT: Node 0 PXM 0 [mem 0x0-0x1fffffff]\nACPI: SRAT: Node 1 PXM 1 [mem 0x10000000-0x3fffffff]\n' >"$tmp/numa"
expect "overlapping NUMA ranges" 1 'numa:3: ' -- boot --map "$tmp/numa"
expect "no command" 2 'usage' --
echo "pmm-sim CLI: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
