#!/usr/bin/env bash
# qemu-dtb.sh - dump the flattened device trees QEMU's "virt" boards build
# (aarch64 and riscv64) for a few -m / -smp / -numa shapes, and the dtc
# decompilation of each (the reference the tests compare against).
#
#   scripts/capture/qemu-dtb.sh [OUTDIR]   (default tests/data/firmware)
#
# No guest runs: -M virt,dumpdtb=FILE makes QEMU write the blob and exit.
# QEMU pads the blob to 1 MiB of zeros; trim_dtb cuts it after the strings
# block and writes that length into the header's totalsize field (bytes
# 4..7). Every other byte is as QEMU wrote it.
set -euo pipefail
out=${1:-tests/data/firmware}
mkdir -p "$out"

trim_dtb() {
	python3 - "$1" <<'PY'
import struct, sys
p = sys.argv[1]
b = bytearray(open(p, 'rb').read())
off_str, size_str = struct.unpack('>I', b[12:16])[0], struct.unpack('>I', b[32:36])[0]
end = off_str + size_str
b[4:8] = struct.pack('>I', end)
open(p, 'wb').write(bytes(b[:end]))
PY
}

dtb() {
	local name=$1 qemu=$2; shift 2
	"$qemu" -nographic -M "virt,dumpdtb=$out/$name.dtb" "$@" >/dev/null 2>&1
	trim_dtb "$out/$name.dtb"
	dtc -I dtb -O dts -o "$out/$name.dts" "$out/$name.dtb" 2>/dev/null
	echo "$name: $(stat -c %s "$out/$name.dtb") bytes"
}

numa2='-object memory-backend-ram,id=m0,size=384M
	-object memory-backend-ram,id=m1,size=128M
	-numa node,nodeid=0,cpus=0-1,memdev=m0
	-numa node,nodeid=1,cpus=2-3,memdev=m1
	-numa dist,src=0,dst=1,val=20'
memless='-object memory-backend-ram,id=m0,size=256M
	-numa node,nodeid=0,cpus=0,memdev=m0
	-numa node,nodeid=1,cpus=1'

dtb qemu-arm64-virt-128m qemu-system-aarch64 -cpu cortex-a57 -m 128 -smp 1
dtb qemu-arm64-virt-4g-smp4 qemu-system-aarch64 -cpu cortex-a57 -m 4G -smp 4
# shellcheck disable=SC2086
dtb qemu-arm64-virt-numa2 qemu-system-aarch64 -cpu cortex-a57 -m 512 -smp 4 $numa2
# shellcheck disable=SC2086
dtb qemu-arm64-virt-memless qemu-system-aarch64 -cpu cortex-a57 -m 256 -smp 2 $memless
# A kernel and an initrd make QEMU write /chosen/linux,initrd-start/end:
# the files are placeholders (random bytes, 100000 zero bytes) that never run.
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
head -c 4096 /dev/urandom >"$tmp/kernel"; head -c 100000 /dev/zero >"$tmp/initrd"
dtb qemu-arm64-virt-initrd qemu-system-aarch64 -cpu cortex-a57 -m 256 -smp 1 \
	-kernel "$tmp/kernel" -initrd "$tmp/initrd" -append console=ttyAMA0
dtb qemu-riscv64-virt-256m qemu-system-riscv64 -m 256 -smp 2
# shellcheck disable=SC2086
dtb qemu-riscv64-virt-numa2 qemu-system-riscv64 -m 512 -smp 4 $numa2
