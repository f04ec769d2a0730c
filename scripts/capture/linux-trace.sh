#!/usr/bin/env bash
# linux-trace.sh - record Linux's page-allocator trace events (kmem) while a
# small workload runs in a QEMU guest, for `pmm-sim replay`.
#
#   scripts/capture/linux-trace.sh [--mem MIB] [--smp N] [--boot] [--light] [--timeout S] OUT
#
# Boots Debian's kernel (linux-image-amd64) under QEMU through
# linux-guest.sh with a busybox initramfs. The guest mounts tracefs,
# enables mm_page_alloc, mm_page_free, mm_page_free_batched,
# mm_page_alloc_zone_locked and mm_page_pcpu_drain, prints /proc/buddyinfo
# and /proc/pagetypeinfo, runs the workload (files written to and removed
# from a tmpfs, processes forked, a file compressed and decompressed),
# stops tracing, prints both /proc files again and sends the ftrace buffer
# to a second serial port. With --boot the events are enabled on the
# kernel command line instead (trace_event=), so the trace also holds
# every allocation since early boot. --light runs only the tmpfs part of
# the workload (no ls -R, no gzip), for a shorter trace.
#
# Writes OUT.log (the whole console: boot log with the e820 map, the /proc
# files between "=== NAME ===" lines) and OUT.trace (the ftrace `trace`
# file; the guest gzips it and sends it through a raw serial line, which
# is the slow part under TCG). Needs qemu-system-x86_64, busybox-static
# and cpio; a 512 MiB guest takes about two minutes.
set -euo pipefail

mem=512
smp=2
boot=0
light=0
timeout=300
while [ $# -gt 0 ]; do
	case $1 in
	--mem) mem=$2; shift 2 ;;
	--smp) smp=$2; shift 2 ;;
	--boot) boot=1; shift ;;
	--light) light=1; shift ;;
	--timeout) timeout=$2; shift 2 ;;
	-*) echo "linux-trace.sh: unknown option $1" >&2; exit 2 ;;
	*) break ;;
	esac
done
[ $# -eq 1 ] || { echo "usage: linux-trace.sh [--mem MIB] [--smp N] [--boot] OUT" >&2; exit 2; }
out=$1
here=$(dirname "$0")
events="mm_page_alloc mm_page_free mm_page_free_batched mm_page_alloc_zone_locked mm_page_pcpu_drain"
T=/sys/kernel/tracing

# The guest's command, one shell line per element.
cmd=$(cat <<GUEST
/bin/busybox --install -s /bin
mount -t tracefs nodev $T
echo 8192 > $T/buffer_size_kb
show() { echo "=== \$1 ==="; cat \$2; }
show buddyinfo-before /proc/buddyinfo
show pagetypeinfo-before /proc/pagetypeinfo
for e in $events; do echo 1 > $T/events/kmem/\$e/enable; done
echo 1 > $T/tracing_on
mkdir -p /mnt/t && mount -t tmpfs -o size=256m tmpfs /mnt/t
i=0; while [ \$i -lt 6 ]; do dd if=/dev/urandom of=/mnt/t/f\$i bs=64k count=\$((8 + i * 8)) 2>/dev/null; i=\$((i + 1)); done
[ $light = 1 ] || { j=0; while [ \$j -lt 20 ]; do (ls -R / >/dev/null 2>&1; echo \$j > /mnt/t/p\$j) & j=\$((j + 1)); done; wait; }
[ $light = 1 ] || { cat /bin/busybox /bin/busybox /bin/busybox > /mnt/t/bb; gzip -1 /mnt/t/bb; gunzip -c /mnt/t/bb.gz > /mnt/t/bb2; }
rm -f /mnt/t/f1 /mnt/t/f3 /mnt/t/bb.gz
sync
echo 0 > $T/tracing_on
show buddyinfo-after /proc/buddyinfo
show pagetypeinfo-after /proc/pagetypeinfo
show meminfo-after /proc/meminfo
stty -F /dev/ttyS1 raw -echo
gzip -1 -c $T/trace > /dev/ttyS1
echo "=== trace sent ==="
GUEST
)
append="loglevel=7"
if [ "$boot" = 1 ]; then
	append="$append trace_buf_size=32M trace_event=$(echo "$events" | sed 's/\([a-z_]*\)/kmem:\1/g; s/ /,/g')"
	cmd=${cmd/echo 8192 > $T\/buffer_size_kb/true}
fi
rm -f "$out.trace" "$out.trace.gz"
"$here/linux-guest.sh" --timeout "$timeout" --append "$append" --cmd "$cmd" \
	--out "$out.log" -- -m "$mem" -smp "$smp" \
	-serial stdio -serial file:"$out.trace.gz"
grep -q '=== trace sent ===' "$out.log" ||
	{ echo "linux-trace.sh: the trace was not sent (see $out.log)" >&2; exit 1; }
# Console lines end in CR LF; the trace arrives gzipped, byte for byte.
sed -i 's/\r$//' "$out.log"
gunzip -c "$out.trace.gz" >"$out.trace"
rm -f "$out.trace.gz"
echo "linux-trace.sh: $(grep -c 'mm_page_' "$out.trace") events in $out.trace"
