#!/usr/bin/env bash
# The command-line rows (C01..) of docs/errors.md: each bad invocation of
# pmm-sim gets its exit status and exact message, and never a crash.
#   tests/errors_cli.sh build/pmm-sim
set -uo pipefail
sim=${1:?usage: $0 PMM_SIM}
pass=0; fail=0
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

# row ID RC MESSAGE -- ARGS...: exit status RC and MESSAGE (fixed text) as
# the first line of the output.
row() {
	local id=$1 rc=$2 msg=$3; shift 4
	"$sim" "$@" >"$tmp/out" 2>&1; local got=$?
	local first; first=$(head -n1 "$tmp/out")
	if [ "$got" -ne "$rc" ] || [ "$first" != "$msg" ]; then
		fail=$((fail + 1))
		echo "FAIL - $id: pmm-sim $* -> exit $got, '$first' (want $rc, '$msg')"
		return
	fi
	pass=$((pass + 1)); echo "ok   - $id: pmm-sim $*"
}

usage='usage: pmm-sim boot [--map FILE|-] [--mem SIZE] [--nodes N]'
printf 'hello\nworld\n' >"$tmp/nomap"
printf 'BIOS-e820: [mem 0x0000000000000000-0x000000000009zzzz] usable\n' >"$tmp/badhex"

row C01 2 "$usage" --
row C02 2 "$usage" -- frobnicate
row C03 2 'pmm-sim: --frobnicate: unknown option' -- boot --frobnicate
row C04 2 'pmm-sim: --mem 12Q: not a size (e.g. 512M, 4G)' -- boot --mem 12Q
row C05 2 'pmm-sim: --mem: needs a value' -- boot --mem
row C06 2 'pmm-sim: --profile sparc: unknown choice' -- boot --profile sparc
row C07 2 'pmm-sim: --early slab: unknown choice' -- boot --early slab
row C08 2 'pmm-sim: --nodes 0: must be 1 to PMM_MAX_NUMNODES' -- boot --nodes 0
row C09 2 'pmm-sim: --nodes 99999: must be 1 to PMM_MAX_NUMNODES' -- boot --nodes 99999
row C10 1 'pmm-sim: cannot describe a 0-byte machine with 1 nodes' -- boot --mem 0
row C11 1 'pmm-sim: boot failed: address out of range' -- boot --mem 2M
row C12 1 'pmm-sim: cannot read /nonexistent/map.txt: No such file or directory' -- boot --map /nonexistent/map.txt
row C13 1 "pmm-sim: $tmp/nomap:0: no BIOS-e820 memory map lines found" -- boot --map "$tmp/nomap"
row C14 1 "pmm-sim: $tmp/badhex:1: line 1: BIOS-e820: unexpected text in the bracket 'zzzz] usable'" -- boot --map "$tmp/badhex"
printf '\001\002\000\003' >"$tmp/blob"
printf '\320\015\376\355\000\000\000\010' >"$tmp/short.dtb"
row C15 2 'pmm-sim: --format elf: unknown format (dmesg, efi-log, efi, mb2, fdt, srat)' -- boot --format elf
row C16 1 "pmm-sim: $tmp/blob:0: binary data: say which with --format efi|mb2|srat|fdt" -- boot --map "$tmp/blob"
row C17 1 "pmm-sim: $tmp/short.dtb:0: fdt: 8 bytes: shorter than the 40-byte header" -- boot --map "$tmp/short.dtb"
row C18 1 "pmm-sim: $tmp/blob:0: efi: byte 0x0: 4 bytes are not a whole number of 48-byte descriptors" -- boot --map "$tmp/blob" --format efi
row C19 2 'pmm-sim: --efi-desc-size 0: must be 1 to 4096 bytes' -- boot --efi-desc-size 0
row C20 2 'pmm-sim: --cpus 9: must be 1 to PMM_NR_CPUS' -- boot --cpus 9

echo "errors_cli: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
