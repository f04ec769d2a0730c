#!/usr/bin/env bash
# ovmf-efi.sh - boot Debian's kernel under QEMU with OVMF (UEFI firmware)
# and efi=debug, and keep the console log: Linux prints each descriptor of
# the UEFI memory map as an "efi: mem..:" line, and the e820 table it built
# from that map as "BIOS-e820:" lines.
#
#   scripts/capture/ovmf-efi.sh [OUTDIR]   (default tests/data/firmware)
#
# Writes OUTDIR/ovmf-x86_64-256m.log. The guest also dumps
# /sys/kernel/boot_params/data in hex: its efi_info block (offset 0x1c0)
# holds the descriptor size and version the EFI stub got from
# GetMemoryMap, which the log lines do not show. Needs ovmf, qemu-system-x86,
# linux-image-amd64, busybox-static.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-tests/data/firmware}
ovmf=${OVMF:-/usr/share/ovmf/OVMF.fd}
mkdir -p "$out"
log=$out/ovmf-x86_64-256m.log
"$here/linux-guest.sh" --out "$log" --timeout 180 --append "efi=debug" \
	--cmd 'cat /proc/iomem; echo "=== boot_params ==="; od -An -tx1 -v /sys/kernel/boot_params/data; echo "=== boot_params end ==="' -- -bios "$ovmf" -m 256 -smp 1
tr -d '\r' <"$log" | sed 's/\x1b\[[0-9;?]*[a-zA-Z]//g; s/\x1bc//g' >"$log.tmp"
mv "$log.tmp" "$log"
echo "$log: $(grep -c 'efi: mem' "$log") efi: mem lines"
