#!/usr/bin/env bash
# Capture the Multiboot2 information block GRUB 2 hands to a kernel, under
# SeaBIOS and under OVMF: boot the x86_64 kernel (kernel64/, from its GRUB
# ISO) with pmm.dump_mb2=1, which prints the block in hex on the serial
# console, and turn the hex back into bytes.
#   scripts/capture/grub-mb2.sh [OUTDIR]   (default tests/data/firmware)
# Writes grub-bios-1g.mb2 and grub-uefi-1g.mb2 with the console logs beside
# them (.log). The machine is QEMU's default pc with -m 1G, the shape of
# tests/data/linux/pc-1g.log, so GRUB's map can be compared with the e820
# table Linux printed on the same firmware.
set -euo pipefail
cd "$(dirname "$0")/../.."
out=${1:-tests/data/firmware}
qemu=${QEMU64:-qemu-system-x86_64}
ovmf=/usr/share/ovmf/OVMF.fd
make --no-print-directory kernel64 >/dev/null
iso=build/kernel64/pmm-kernel64.iso
mkdir -p "$out"

capture() { # fw name
	local log="$out/$2.log" raw
	raw=$(mktemp)
	# shellcheck disable=SC2046
	timeout 120 "$qemu" -display none -no-reboot -monitor none -m 1G -smp 1 \
		$([ "$1" = uefi ] && echo "-bios $ovmf") -cdrom "$iso" -boot d \
		-device isa-debug-exit,iobase=0xf4,iosize=0x04 \
		-smbios "type=11,value=pmm.early=bootmem pmm.dump_mb2=1" \
		-serial "file:$raw" </dev/null >/dev/null 2>&1 || true
	tr -d '\r' <"$raw" >"$log"
	rm -f "$raw"
	sed -nE 's/^(\[[^]]*\] )?mb2-dump: [0-9a-f]{6}: ([0-9a-f]*)$/\2/p' "$log" | tr -d '\n' |
		xxd -r -p >"$out/$2.mb2"
	local want got
	want=$(sed -nE 's/^(\[[^]]*\] )?mb2-dump: begin ([0-9]*) bytes$/\2/p' "$log")
	got=$(wc -c <"$out/$2.mb2")
	[ -n "$want" ] && [ "$want" -eq "$got" ] || {
		echo "grub-mb2: $2: dumped $got bytes, the kernel said ${want:-nothing}" >&2
		exit 1
	}
	echo "grub-mb2: $out/$2.mb2: $got bytes ($1)"
}

capture bios grub-bios-1g
capture uefi grub-uefi-1g
