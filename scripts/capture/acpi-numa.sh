#!/usr/bin/env bash
# acpi-numa.sh - capture the ACPI SRAT and SLIT tables QEMU builds for a few
# -numa shapes, as the Linux guest reads them back from
# /sys/firmware/acpi/tables/, plus the guest's boot log (e820, SRAT lines).
#
#   scripts/capture/acpi-numa.sh [OUTDIR]   (default tests/data/firmware)
#
# For each shape NAME it writes OUTDIR/NAME.srat, NAME.slit (raw table
# bytes, decoded from the od hex dump on the serial console) and NAME.log
# (the console log). Each boot takes about 20-40 s under TCG.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-tests/data/firmware}
mkdir -p "$out"

dump='for t in SRAT SLIT; do echo "=== table $t ==="; od -An -tx1 -v /sys/firmware/acpi/tables/$t; echo "=== table end ==="; done'

# Pull the hex between "=== table T ===" and "=== table end ===" into bytes.
decode() {
	sed -n "/^=== table $2 ===/,/^=== table end ===/p" "$1" |
		grep -v '^===' | tr -d '\r' | xxd -r -p
}

capture() {
	local name=$1; shift
	local log=$out/$name.log
	"$here/linux-guest.sh" --out "$log" --cmd "$dump" -- "$@"
	decode "$log" SRAT >"$out/$name.srat"
	decode "$log" SLIT >"$out/$name.slit"
	tr -d '\r' <"$log" >"$log.tmp" && mv "$log.tmp" "$log"
	# QEMU builds a SLIT only when distances were given.
	[ -s "$out/$name.slit" ] || rm -f "$out/$name.slit"
	echo "$name: SRAT $(stat -c %s "$out/$name.srat") bytes"
}

# Two nodes with unequal memory (160 + 96 MiB) and a distance of 21.
capture qemu-x86-numa2 -m 256 -smp 2 \
	-object memory-backend-ram,id=m0,size=160M \
	-object memory-backend-ram,id=m1,size=96M \
	-numa node,nodeid=0,cpus=0,memdev=m0 \
	-numa node,nodeid=1,cpus=1,memdev=m1 \
	-numa dist,src=0,dst=1,val=21

# Node 1 has a CPU and no memory; node 2 has 64 MiB and no CPU.
capture qemu-x86-numa3-memless -m 256 -smp 2 \
	-object memory-backend-ram,id=m0,size=192M \
	-object memory-backend-ram,id=m2,size=64M \
	-numa node,nodeid=0,cpus=0,memdev=m0 \
	-numa node,nodeid=1,cpus=1 \
	-numa node,nodeid=2,memdev=m2 \
	-numa dist,src=0,dst=1,val=15 -numa dist,src=0,dst=2,val=30 \
	-numa dist,src=1,dst=2,val=25

# One node of 256 MiB plus hot-pluggable room up to 1 GiB (two DIMM slots):
# QEMU adds a hot-pluggable SRAT range for the device-memory window.
capture qemu-x86-numa1-hotplug -m 256,slots=2,maxmem=1G -smp 1 \
	-object memory-backend-ram,id=m0,size=256M \
	-numa node,nodeid=0,cpus=0,memdev=m0
