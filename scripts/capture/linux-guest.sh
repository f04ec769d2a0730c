#!/usr/bin/env bash
# linux-guest.sh - boot a Linux kernel under QEMU with a throw-away busybox
# initramfs, run one shell command inside the guest, power off, and keep
# the whole serial console log.
#
#   scripts/capture/linux-guest.sh [options] -- [extra qemu args]
#     --kernel FILE    kernel image (default: newest /boot/vmlinuz-*)
#     --qemu NAME      QEMU binary (default: qemu-system-x86_64)
#     --append TEXT    extra kernel command-line words
#     --cmd TEXT       shell command run by the guest's /init (busybox sh)
#     --out FILE       where the console log goes (required)
#     --timeout SECS   kill QEMU after this long (default 120)
#     --busybox FILE   static busybox for the guest (default: the host's;
#                      a 32-bit kernel needs busybox-static:i386's)
#
# The guest's /init mounts proc, sysfs and devtmpfs, prints a line
# "=== guest cmd begin ===", runs --cmd, prints "=== guest cmd end ===" and
# powers off. Needs busybox-static and cpio. QEMU runs with TCG here, so
# keep -m small. Example:
#   scripts/capture/linux-guest.sh --out /tmp/log \
#     --cmd 'cat /proc/zoneinfo' -- -m 256
set -euo pipefail

kernel=$(ls /boot/vmlinuz-* 2>/dev/null | sort -V | tail -n1 || true)
qemu=qemu-system-x86_64
append=
cmd=true
out=
timeout=120
bb=$(command -v busybox || true)
while [ $# -gt 0 ]; do
	case $1 in
	--kernel) kernel=$2; shift 2 ;;
	--qemu) qemu=$2; shift 2 ;;
	--append) append=$2; shift 2 ;;
	--cmd) cmd=$2; shift 2 ;;
	--out) out=$2; shift 2 ;;
	--timeout) timeout=$2; shift 2 ;;
	--busybox) bb=$2; shift 2 ;;
	--) shift; break ;;
	*) echo "linux-guest.sh: unknown option $1" >&2; exit 2 ;;
	esac
done
[ -n "$out" ] || { echo "linux-guest.sh: --out FILE is required" >&2; exit 2; }
[ -r "$kernel" ] || { echo "linux-guest.sh: no kernel (--kernel)" >&2; exit 2; }
[ -n "$bb" ] || { echo "linux-guest.sh: no busybox (apt-get install busybox-static)" >&2; exit 2; }
file -L "$bb" | grep -q 'statically linked' ||
	{ echo "linux-guest.sh: $bb is not static (apt-get install busybox-static)" >&2; exit 2; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
root=$tmp/root
mkdir -p "$root/bin" "$root/proc" "$root/sys" "$root/dev"
cp "$bb" "$root/bin/busybox"
for a in sh mount cat od ls echo poweroff sleep grep head dmesg; do
	ln -s busybox "$root/bin/$a"
done
{
	echo '#!/bin/sh'
	echo 'mount -t proc proc /proc'
	echo 'mount -t sysfs sysfs /sys'
	echo 'mount -t devtmpfs dev /dev 2>/dev/null'
	echo 'echo "=== guest cmd begin ==="'
	printf '%s\n' "$cmd"
	echo 'echo "=== guest cmd end ==="'
	echo 'poweroff -f'
} >"$root/init"
chmod +x "$root/init"
(cd "$root" && find . | cpio -o -H newc --quiet) | gzip -1 >"$tmp/initrd.gz"

timeout "$timeout" "$qemu" -nographic -no-reboot -monitor none \
	-kernel "$kernel" -initrd "$tmp/initrd.gz" \
	-append "console=ttyS0 panic=-1 $append" "$@" </dev/null >"$out" 2>&1 || {
	rc=$?
	echo "linux-guest.sh: qemu exited with $rc (log: $out)" >&2
	grep -q '=== guest cmd end ===' "$out" || exit "$rc"
}
grep -q '=== guest cmd end ===' "$out" ||
	{ echo "linux-guest.sh: the guest command did not finish (log: $out)" >&2; exit 1; }
