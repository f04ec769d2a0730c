#!/usr/bin/env bash
# linux-zoneinfo.sh - boot Debian's Linux under QEMU on several machine
# shapes and keep, for each, the whole console log: the kernel's own boot
# lines (e820, SRAT, zones, "Memory:") followed by /proc/cmdline,
# /proc/zoneinfo, /proc/buddyinfo and the vm sysctls that drive watermarks,
# then /proc/zoneinfo once more after writing min_free_kbytes and
# lowmem_reserve_ratio back to themselves: Linux then recomputes every
# watermark and protection from the managed pages that very zoneinfo prints
# (at boot it computed them from the managed pages of an earlier moment,
# before the init sections and the initramfs were freed).
# pmm's tests boot on the same logs and must agree with Linux exactly
# (tests/boot/test_boot_linux.c, tests/data/linux/README.md).
#
#   scripts/capture/linux-zoneinfo.sh [OUTDIR] [SHAPE...]
#
# OUTDIR defaults to tests/data/linux; without SHAPE every shape runs.
# Each boot takes 15-60 s under TCG. Needs linux-image-amd64,
# busybox-static, cpio and qemu-system-x86. The i386-* shapes boot Debian's
# 32-bit kernels (linux-image-686-pae, linux-image-686) with an i386
# busybox-static; `apt-get download` fetches the three packages into
# $I386_CACHE (default /tmp/pmm-linux-i386) and nothing is installed.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
out=${1:-tests/data/linux}
[ $# -gt 0 ] && shift
mkdir -p "$out"

guest_cmd='cat /proc/cmdline
echo "=== /proc/zoneinfo ==="; cat /proc/zoneinfo
echo "=== /proc/buddyinfo ==="; cat /proc/buddyinfo
echo "=== vm ==="
for f in min_free_kbytes watermark_scale_factor watermark_boost_factor lowmem_reserve_ratio; do
	echo "$f: $(cat /proc/sys/vm/$f)"; done
echo "=== /proc/meminfo ==="; cat /proc/meminfo
v=/proc/sys/vm; cat $v/min_free_kbytes > $v/min_free_kbytes
cat $v/lowmem_reserve_ratio > $v/lowmem_reserve_ratio
echo "=== /proc/zoneinfo after rewriting min_free_kbytes and lowmem_reserve_ratio ==="
cat /proc/zoneinfo'

# numa N SIZE...: QEMU arguments for N nodes of the given sizes, one CPU each.
numa() {
	local n=$1 i=0 a=; shift
	for s in "$@"; do
		a="$a -object memory-backend-ram,id=m$i,size=$s -numa node,nodeid=$i,cpus=$i,memdev=m$i"
		i=$((i + 1))
	done
	echo "-smp $n $a"
}

# shape NAME APPEND QEMU-ARGS...: one boot, its log in OUTDIR/NAME.log.
shape() {
	local name=$1 append=$2; shift 2
	echo "linux-zoneinfo: $name: qemu $* (append: $append)" >&2
	"$here/linux-guest.sh" ${guest_opts[@]+"${guest_opts[@]}"} --out "$out/$name.log" --timeout 400 \
		--append "ignore_loglevel $append" --cmd "$guest_cmd" -- "$@"
	# The log is data: keep it as Linux wrote it, minus carriage returns
	# and the terminal escape sequences SeaBIOS prints.
	sed -i -e 's/\r$//' -e 's/\x1bc//g' -e 's/\x1b\[[0-9;?]*[A-Za-z]//g' "$out/$name.log"
}

i386_cache=${I386_CACHE:-/tmp/pmm-linux-i386}
i386_version=6.1.0-57

# i386_fetch: the 32-bit kernels and busybox, unpacked under $i386_cache/x.
i386_fetch() {
	[ -x "$i386_cache/x/bin/busybox" ] && return 0
	mkdir -p "$i386_cache/x"
	(cd "$i386_cache" && apt-get download -q \
		"linux-image-$i386_version-686-pae:i386" \
		"linux-image-$i386_version-686:i386" busybox-static:i386 >&2)
	for d in "$i386_cache"/*.deb; do dpkg-deb -x "$d" "$i386_cache/x"; done
}

# shape32 NAME FLAVOUR APPEND QEMU-ARGS...: shape, with Debian's 32-bit
# kernel of FLAVOUR (686-pae or 686).
shape32() {
	local name=$1 flavour=$2; shift 2
	i386_fetch
	guest_opts=(--kernel "$i386_cache/x/boot/vmlinuz-$i386_version-$flavour"
		--busybox "$i386_cache/x/bin/busybox")
	shape "$name" "$@"
	guest_opts=()
}
guest_opts=()

run() {
	case $1 in
	pc-1g) shape pc-1g "" -M pc -m 1G ;;
	q35-3g) shape q35-3g "" -M q35 -m 3G ;;
	pc-5g-numa2) shape pc-5g-numa2 "" -M pc -m 5G $(numa 2 2G 3G) ;;
	q35-9g-numa3) shape q35-9g-numa3 "" -M q35 -m 9G $(numa 3 3G 2G 4G) ;;
	pc-3g-mem2g) shape pc-3g-mem2g "mem=2G" -M pc -m 3G ;;
	q35-1g-memmap) shape q35-1g-memmap 'memmap=64M$0x20000000 memmap=16M!0x30000000' -M q35 -m 1G ;;
	pc-2g-exactmap) shape pc-2g-exactmap 'memmap=exactmap memmap=640K@0 memmap=1536M@1M' -M pc -m 2G ;;
	i386-pae-2g) shape32 i386-pae-2g 686-pae "" -M pc -m 2G ;;
	i386-pae-3g-vmalloc64m) shape32 i386-pae-3g-vmalloc64m 686-pae "vmalloc=64M" -M pc -m 3G ;;
	i386-pae-2g-vmalloc400m) shape32 i386-pae-2g-vmalloc400m 686-pae "vmalloc=400M" -M q35 -m 2G ;;
	i386-1g) shape32 i386-1g 686 "" -M pc -m 1G ;;
	i386-2g-vmalloc256m) shape32 i386-2g-vmalloc256m 686 "vmalloc=256M" -M pc -m 2G ;;
	i386-pae-3g-memmap) shape32 i386-pae-3g-memmap 686-pae 'mem=2560M memmap=32M$0x10000000' -M pc -m 3G ;;
	*) echo "linux-zoneinfo: unknown shape $1" >&2; return 2 ;;
	esac
}

shapes=${*:-pc-1g q35-3g pc-5g-numa2 q35-9g-numa3 pc-3g-mem2g q35-1g-memmap pc-2g-exactmap
	i386-pae-2g i386-pae-3g-vmalloc64m i386-pae-2g-vmalloc400m i386-1g i386-2g-vmalloc256m
	i386-pae-3g-memmap}
for s in $shapes; do run "$s"; done
