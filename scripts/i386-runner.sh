#!/usr/bin/env bash
# Print what runs an i386 Linux program on this host: nothing when the
# kernel runs it itself, "qemu-i386" (user-mode emulation, Debian's
# qemu-user) when the kernel has no 32-bit support (seen on a Firecracker
# guest kernel: "Exec format error"). Exits 1 with the install line when
# neither can.
#   scripts/i386-runner.sh CC
set -uo pipefail
cc=${1:-cc}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
printf 'int main(void) { return sizeof(void *) == 4 ? 0 : 1; }\n' > "$dir/probe.c"
if ! $cc -m32 "$dir/probe.c" -o "$dir/probe" 2>"$dir/err"; then
	echo "i386-runner: $cc -m32 cannot build a program: $(head -n1 "$dir/err")" >&2
	exit 1
fi
"$dir/probe" 2>/dev/null && exit 0
if command -v qemu-i386 >/dev/null && qemu-i386 "$dir/probe"; then
	echo "i386-runner: this kernel does not run i386 programs; running them under qemu-i386" >&2
	echo qemu-i386
	exit 0
fi
echo "i386-runner: this kernel does not run i386 programs and qemu-i386 is missing; install it with: sudo apt-get install -y qemu-user" >&2
exit 1
