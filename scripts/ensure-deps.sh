#!/usr/bin/env bash
# Make sure the Debian packages a target needs are installed: install them
# when we can (root with apt-get), otherwise stop with the exact command.
#   scripts/ensure-deps.sh check   what `make check` needs
#   scripts/ensure-deps.sh bench   what `make bench` needs
#   scripts/ensure-deps.sh kernel64   GRUB (BIOS and UEFI), xorriso, mtools,
#                                     OVMF, QEMU: make kernel64, qemu64
set -euo pipefail

have_pkg() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }

case "${1:-check}" in
check) want=(libcmocka-dev libcmocka-dev:i386 qemu-system-x86
	grub-pc-bin grub-efi-amd64-bin grub-common xorriso mtools ovmf chromium gcc-multilib qemu-user clang libclang-rt-14-dev gcovr linux-source-6.1 liburcu-dev valgrind) ;;
bench) want=(libjemalloc-dev libmimalloc-dev) ;;
kernel64) want=(grub-pc-bin grub-efi-amd64-bin grub-common xorriso mtools ovmf qemu-system-x86) ;;
*) echo "usage: $0 check|bench|kernel64" >&2; exit 2 ;;
esac

missing=()
for p in "${want[@]}"; do have_pkg "$p" || missing+=("$p"); done
[ ${#missing[@]} -eq 0 ] && exit 0

line="apt-get install -y ${missing[*]}"
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
	echo "ensure-deps: installing ${missing[*]}" >&2
	export DEBIAN_FRONTEND=noninteractive
	# 32-bit libraries (the -m32 unit tests) come from the i386 architecture.
	if [[ " ${missing[*]}" == *:i386* ]] && ! dpkg --print-foreign-architectures | grep -qx i386; then
		dpkg --add-architecture i386 >&2
	fi
	apt-get update -qq >&2 || true
	apt-get install -y -qq "${missing[@]}" >&2 && exit 0
	echo "ensure-deps: apt-get failed; run as root: $line" >&2
	exit 1
fi
echo "ensure-deps: missing packages: ${missing[*]}" >&2
case " ${missing[*]}" in *:i386*) line="dpkg --add-architecture i386 && apt-get update && $line" ;; esac
echo "ensure-deps: install them with: sudo sh -c '$line'" >&2
exit 1
