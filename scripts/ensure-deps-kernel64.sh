#!/usr/bin/env bash
# Make sure the Debian packages the x86_64 kernel's targets need are
# installed (make kernel64, make qemu64, make check-kernel64): install them
# when we can (root with apt-get), otherwise stop with the exact command.
#
#   grub-pc-bin, grub-efi-amd64-bin, grub-common  GRUB for BIOS and UEFI,
#                                                 grub-mkrescue
#   xorriso, mtools                               the ISO and its EFI image
#   ovmf                                          UEFI firmware for QEMU
#   qemu-system-x86                               qemu-system-x86_64
#
# (The same list could join scripts/ensure-deps.sh's "check" row.)
set -euo pipefail

want=(grub-pc-bin grub-efi-amd64-bin grub-common xorriso mtools ovmf
	qemu-system-x86)

have_pkg() {
	dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'
}

missing=()
for p in "${want[@]}"; do have_pkg "$p" || missing+=("$p"); done
[ ${#missing[@]} -eq 0 ] && exit 0

line="apt-get install -y ${missing[*]}"
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
	echo "ensure-deps-kernel64: installing ${missing[*]}" >&2
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq >&2 || true
	apt-get install -y -qq "${missing[@]}" >&2 && exit 0
	echo "ensure-deps-kernel64: apt-get failed; run as root: $line" >&2
	exit 1
fi
echo "ensure-deps-kernel64: missing packages: ${missing[*]}" >&2
echo "ensure-deps-kernel64: install them with: sudo $line" >&2
exit 1
