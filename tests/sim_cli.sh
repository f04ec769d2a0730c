#!/usr/bin/env bash
# Command-line tests of pmm-sim: every run must succeed or fail as a user
# expects, with a clear message and never a crash.
#   tests/sim_cli.sh build/pmm-sim            (make check-sim)
#   tests/sim_cli.sh build/pmm-sim --scale    the simulator at scale only
#       (make check-sim-scale, out of check-quick: seconds of host page
#       faults and ~13 GiB of host memory for a moment)
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

if [ "${2:-}" = --scale ]; then
	# A 12 TiB, 16-node machine (tests/data/60-*: how it was made is in its
	# header): the totals, on two hand-off threads. Not timed here: W5S in
	# bench/ times it. Present: 3220700668 pages (RAM in the map: [4K, 0x9d000),
	# [1M, 0x7fe60000), [4G, 12T)); available: what bootmem leaves too.
	big=$data/60-superdome-class-16node-12t-synth.txt
	expect "12 TiB 16-node map: the Memory line's totals (memblock, --cpus 2)" 0 '^Memory: 12844647784K/12882802672K available' -- boot --map "$big" --profile x86_64 --early memblock --cpus 2
	expect "12 TiB 16-node map: the same totals with bootmem (--cpus 2)" 0 '^Memory: 12844647784K/12882802672K available' -- boot --map "$big" --profile x86_64 --early bootmem --cpus 2
	if grep -q '^On node 15 totalpages: 201326592$' "$tmp/out" && [ "$(grep -c '^On node' "$tmp/out")" -eq 16 ]; then ok "12 TiB map: 16 nodes, node 15 with 768 GiB"; else bad "12 TiB map: nodes"; grep '^On node' "$tmp/out" | head -3; fi
	echo "pmm-sim CLI at scale: $pass passed, $fail failed"
	[ "$fail" -eq 0 ]
	exit
fi

expect "default boot prints buddyinfo with DMA, Normal, HighMem" 0 'zone  HighMem' -- boot
expect "default boot prints the Memory line" 0 '^Memory: [0-9]+K/[0-9]+K available' -- boot
expect "--cmdline mem= limits the machine" 0 '^Memory: [0-9]+K/1048184K available' -- boot --cmdline "mem=1G" --profile x86_64
expect "a Linux log's own mem= is honoured" 0 '^Memory: [0-9]+K/2096760K available' -- boot --map tests/data/linux/pc-3g-mem2g.log --profile x86_64
expect "--ignore-cmdline boots the firmware map" 0 '^Memory: [0-9]+K/3145208K available' -- boot --map tests/data/linux/pc-3g-mem2g.log --profile x86_64 --ignore-cmdline
expect "a bad --cmdline option fails" 1 'a zero limit leaves no memory' -- boot --cmdline mem=0
# Every QEMU log of tests/data with a "Memory: X/YK" line: pmm-sim gives
# Linux's Y (present pages); tests/data/*.txt and tests/data/linux are
# tests/boot/test_boot_linux.c's.
for f in "$data"/firmware/*.log "$data"/traces/*.log; do
	y=$(grep -aoE 'Memory: [0-9]+K/[0-9]+K' "$f" | head -n1 | sed 's|.*/||')
	[ -n "$y" ] || continue
	expect "$(basename "$f"): Linux's own Memory total $y" 0 "^Memory: [0-9]+K/$y available" -- boot --map "$f" --profile x86_64
done
# The i386 lowmem boundary: a 32-bit log's own lines, vmalloc=, Linux's default.
lx=tests/data/linux
expect "i386 default lowmem is Linux 6.1's MAXMEM" 0 '^875MB LOWMEM available' -- boot
expect "json reports max_low_pfn" 0 '"max_low_pfn":224254}' -- boot --json
expect "a 32-bit log's lowmem lines give its boundary" 0 '^  HighMem  \[mem 0x0000000036ffe000-' -- boot --map $lx/i386-pae-2g.log
expect "--cmdline vmalloc= moves the boundary" 0 'lowmem ends at 0x2e3fe000' -- boot --cmdline vmalloc=256M
expect "a bad vmalloc= fails (L19)" 1 'vmalloc=lots: not a size' -- boot --cmdline vmalloc=lots
expect "x86_64 has no vmalloc= to read" 0 '^pmm_check: consistent' -- boot --cmdline vmalloc=lots --profile x86_64
expect "a 32-bit log's Kernel command line memmap= is honoured" 0 '^Memory: [0-9]+K/2588280K available' -- boot --map $lx/i386-pae-3g-memmap.log
sed 's/memmap=32M\$0x10000000/memmap=16M$0x10000000/' $lx/i386-pae-3g-memmap.log >"$tmp/usermap.log"
expect "a user-defined map pmm does not reproduce is named (L20)" 0 'warning: the log.s user-defined physical RAM map differs from pmm.s: entry 4: Linux \[mem 0x0000000010000000-0x0000000011ffffff\] reserved, pmm \[mem 0x0000000010000000-0x0000000010ffffff\] reserved' -- boot --map "$tmp/usermap.log"
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
# Every captured firmware machine boots (tests/data/firmware/README.md).
fw=$data/firmware
for f in "$fw"/*.dtb; do
	expect "$(basename "$f") boots as fdt" 0 '^\{"map_format":"fdt"' -- boot --map "$f" --profile x86_64 --early memblock --json
	expect "$(basename "$f") boots with bootmem" 0 '^pmm_check: consistent' -- boot --map "$f" --profile x86_64
done
expect "arm64 numa2 has node 1" 0 'Node 1, zone' -- boot --map "$fw/qemu-arm64-virt-numa2.dtb" --profile x86_64
expect "riscv64 RAM at 2 GiB" 0 '"start":2147483648,"end":2684354560,"type":"usable"' -- boot --map "$fw/qemu-riscv64-virt-numa2.dtb" --profile x86_64 --json
expect "arm64 initrd is reserved" 0 '"start":1207959552,"end":1208059552,"type":"reserved"' -- boot --map "$fw/qemu-arm64-virt-initrd.dtb" --profile x86_64 --json
for f in "$fw"/*.srat; do
	expect "$(basename "$f") boots as srat" 0 '^\{"map_format":"srat"' -- boot --map "$f" --profile x86_64 --json
done
expect "SRAT numa2: two nodes" 0 'Node 1, zone' -- boot --map "$fw/qemu-x86-numa2.srat" --profile x86_64
for f in "$fw"/qemu-x86-*.log; do
	expect "$(basename "$f") boots as dmesg with its SRAT" 0 '^\{"map_format":"dmesg"' -- boot --map "$f" --profile x86_64 --json
done
expect "numa3 log: memory-less node 1, memory on node 2" 0 'Node 2, zone' -- boot --map "$fw/qemu-x86-numa3-memless.log" --profile x86_64
expect "OVMF log boots from its efi: lines" 0 '^\{"map_format":"efi-log"' -- boot --map "$fw/ovmf-x86_64-256m.log" --profile x86_64 --json
expect "OVMF log, i386 bootmem" 0 '^pmm_check: consistent' -- boot --map "$fw/ovmf-x86_64-256m.log"
# A log with efi: lines and SRAT lines: the map from the first, the nodes
# from the second (OVMF's 256 MiB log with the SRAT lines of QEMU's
# 160 + 96 MiB two-node shape, the same 256 MiB).
{ cat "$fw/ovmf-x86_64-256m.log"; grep 'SRAT' "$fw/qemu-x86-numa2.log"; } >"$tmp/efi-srat.log"
expect "efi: log with SRAT lines brings node 1 online" 0 '^Node 1, zone +DMA32' -- boot --map "$tmp/efi-srat.log" --profile x86_64
expect "OVMF map as raw descriptors" 0 '^\{"map_format":"efi"' -- boot --map "$fw/ovmf-x86_64-256m.efimap" --format efi --profile x86_64 --json
# The parallel hand-off (--cpus): the same machine as on one thread, to the
# page; only the hand-off's time may differ.
for e in bootmem memblock; do
	"$sim" boot --map "$data/04-supermicro-h8qg6-8node-type9-5.0.txt" --profile x86_64 --early $e --cpus 1 | grep -v 'hand-off:' >"$tmp/one"
	"$sim" boot --map "$data/04-supermicro-h8qg6-8node-type9-5.0.txt" --profile x86_64 --early $e --cpus 3 | grep -v 'hand-off:' >"$tmp/three"
	if [ -s "$tmp/one" ] && cmp -s "$tmp/one" "$tmp/three"; then ok "8-node map, $e: --cpus 3 boots what --cpus 1 boots"; else bad "8-node map, $e: --cpus 3 differs from --cpus 1"; diff "$tmp/one" "$tmp/three" | head -5; fi
done
expect "raw EFI map at the wrong stride" 1 'efi: byte 0x0: 5712 bytes are not a whole number of 40-byte' -- boot --map "$fw/ovmf-x86_64-256m.efimap" --format efi --efi-desc-size 40
expect "Multiboot2 block" 0 '^\{"map_format":"mb2"' -- boot --map "$fw/seabios-numa2.mb2" --format mb2 --profile x86_64 --json
expect "Multiboot2 from stdin" 0 'zone    DMA32' -- boot --map - --format mb2 --profile x86_64 <"$fw/seabios-numa2.mb2"
expect "GRUB's block under SeaBIOS" 0 '^\{"map_format":"mb2"' -- boot --map "$fw/grub-bios-1g.mb2" --format mb2 --profile x86_64 --json
expect "GRUB's block under OVMF (EFI map tag)" 0 '^pmm_check: consistent' -- boot --map "$fw/grub-uefi-1g.mb2" --format mb2 --profile x86_64
expect "binary map without --format" 1 'say which with --format' -- boot --map "$fw/seabios-numa2.mb2"
expect "built-in machine says so" 0 '^\{"map_format":"builtin"' -- boot --json
# Memory hotplug (pmm/elastic.h): add, offline, online, remove after the boot.
hp="boot --profile x86_64 --mem 2G --check"
expect "hotplug: add grows Normal on node 0" 0 'hotplug add \[mem 0x0100000000-0x010fffffff\] node 0: free pages [0-9]+ -> [0-9]+' -- $hp --hotplug add:0:4G:256M
expect "hotplug: the block shows online, hot-added" 0 '^memory33: state online phys_index 00000021 node 0 valid_zones Normal removable 1 \(hot-added\)' -- $hp --hotplug add:0:4G:256M
expect "hotplug: a new node comes online" 0 '^Node 1, zone   Normal' -- $hp --hotplug add:1:8G:128M
expect "hotplug: offline, online, offline, remove stay consistent" 0 '^pmm_check: consistent' -- $hp --hotplug add:0:4G:256M --hotplug offline:4G:128M --hotplug online:4G:128M --hotplug offline:4G:256M --hotplug remove:4G:256M
expect "hotplug: offline shows the block offline" 0 '^memory32: state offline' -- $hp --hotplug add:0:4G:256M --hotplug offline:4G:128M
expect "hotplug: offline of a block of two zones (DMA, DMA32) fails" 1 'hotplug offline \[mem 0x0000000000-0x0007ffffff\]: ' -- $hp --hotplug offline:0:128M
expect "hotplug: offline of boot memory with reserved pages fails" 1 'hotplug offline \[mem 0x0078000000-0x007fffffff\]: ' -- $hp --hotplug offline:1920M:128M
# The Movable zone and the online policy.
expect "hotplug: add_movable makes node 0's Movable zone" 0 'hotplug add_movable \[mem 0x0100000000-0x010fffffff\] node 0: free pages [0-9]+ -> [0-9]+, zone Movable' -- $hp --hotplug add_movable:0:4G:256M
expect "hotplug: /proc/buddyinfo shows the Movable zone" 0 '^Node 0, zone  Movable ' -- $hp --hotplug add_movable:0:4G:256M
expect "hotplug: an offline Movable block may come back Movable or Normal" 0 '^memory32: state offline phys_index 00000020 node 0 valid_zones Movable Normal removable 1' -- $hp --hotplug add_movable:0:4G:256M --hotplug offline:4G:128M
expect "hotplug: online_kernel inside the Movable zone's span fails" 1 'hotplug online_kernel .*: ranges overlap' -- $hp --hotplug add_movable:0:4G:384M --hotplug offline:4224M:128M --hotplug online_kernel:4224M:128M
expect "hotplug: online_movable takes an offline Normal block to Movable" 0 'hotplug online_movable .*, zone Movable' -- $hp --hotplug add:0:4G:128M --hotplug offline:4G:128M --hotplug online_movable:4G:128M
expect "hotplug: auto-movable puts added memory in Movable" 0 'hotplug add \[mem 0x0100000000-0x010fffffff\] node 0: .*, zone Movable' -- $hp --online-policy auto-movable --hotplug add:0:4G:256M
expect "hotplug: auto-movable over its ratio falls to the kernel zone" 0 'hotplug add \[mem 0x0100000000-0x010fffffff\] node 0: .*, zone Normal' -- $hp --online-policy auto-movable:10 --hotplug add:0:4G:256M
expect "hotplug: movable-node puts added memory in Movable" 0 ', zone Movable' -- $hp --online-policy movable-node --hotplug add:0:4G:128M
expect "hotplug: a bad --online-policy" 2 'want contig-zones, movable-node or auto-movable' -- $hp --online-policy best
expect "hotplug: a bad auto-movable ratio" 2 'RATIO is a percentage, 1 to 1000000' -- $hp --online-policy auto-movable:0
# A virtual memmap: each added block's descriptors backed as it comes (96 pages of 128 MiB).
expect "hotplug: added blocks' descriptors are a late allocation" 0 '^memory32: state online .* descriptors: late, 96 pages' -- $hp --hotplug add:0:4G:256M
expect "hotplug: --memmap-on-memory puts them in the block" 0 '^memory33: state online .* descriptors: range, 96 pages' -- $hp --memmap-on-memory --hotplug add:0:4G:256M
expect "hotplug: a block holding its descriptors offlines, onlines, is removed" 0 '^pmm_check: consistent' -- $hp --memmap-on-memory --hotplug add_movable:0:4G:256M --hotplug offline:4G:256M --hotplug online:4G:128M --hotplug offline:4G:128M --hotplug remove:4G:256M
expect "hotplug: JSON names where the descriptors live" 0 '"memmap":"range","memmap_pages":96' -- $hp --json --memmap-on-memory --hotplug add:0:4G:128M
expect "hotplug: the SRAT's hot-pluggable range gets descriptors" 0 'room up to \[mem 0x' -- boot --map "$data/firmware/qemu-x86-numa1-hotplug.srat" --profile x86_64
expect "hotplug: double add" 1 'hotplug add .*: ' -- $hp --hotplug add:0:4G:128M --hotplug add:0:4G:128M
expect "hotplug: not block-aligned" 1 'hotplug add .*: ' -- $hp --hotplug add:0:4G:64M
expect "hotplug: remove of an online range" 1 'hotplug remove .*: ' -- $hp --hotplug add:0:4G:128M --hotplug remove:4G:128M
expect "hotplug: malformed operation" 2 'want add:NID:START:SIZE' -- boot --hotplug add:0:4G
expect "hotplug: unknown operation" 2 'unknown operation' -- boot --hotplug grow:4G:128M
expect "hotplug: json has the memory blocks" 0 '"memory_blocks":\{"block_size_bytes":134217728,"blocks":\[' -- $hp --hotplug add:0:4G:128M --json
expect "--memory-blocks alone" 0 '^block_size_bytes: 8000000' -- boot --memory-blocks
expect "no command" 2 'usage' --
echo "pmm-sim CLI: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
