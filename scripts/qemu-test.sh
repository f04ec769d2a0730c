#!/usr/bin/env bash
# Boot the pmm demo kernel under QEMU with each memory size and each early
# allocator, and check every boot's exit status and key log lines.
#
#   scripts/qemu-test.sh KERNEL.elf LOGDIR
#
# Environment: QEMU (qemu-system-i386), QEMU_TIMEOUT (seconds per boot, 120),
# QEMU_JOBS (boots run at once, default: CPUs, fewer if RAM is short), QEMU_SIZES and
# QEMU_EARLY (space-separated lists to narrow the matrix).
# Two more boots: a double free that must panic (status 35), and a boot
# with a module that must survive the self-test unchanged.
# Prints one line per boot and "N passed, N failed"; exits 1 on any failure.
set -uo pipefail

kernel=${1:?usage: $0 KERNEL.elf LOGDIR}
logdir=${2:?usage: $0 KERNEL.elf LOGDIR}
qemu=${QEMU:-qemu-system-i386}
limit=${QEMU_TIMEOUT:-120}
# Boots at once: one per CPU, but no more than the host's available RAM
# holds, since the 3G/4G/8G self-tests touch about 3 GiB each.
default_jobs() {
	local cpus avail_kb by_mem
	cpus=$(par_cpus)
	avail_kb=$(awk '/^MemAvailable:/ {print $2}' /proc/meminfo 2>/dev/null)
	by_mem=$(( ${avail_kb:-0} / (3584 * 1024) ))
	[ "$by_mem" -lt 1 ] && by_mem=1
	echo $(( cpus < by_mem ? cpus : by_mem ))
}
# shellcheck source=scripts/parallel.sh
. "$(dirname "$0")/parallel.sh"
par_jobs=${QEMU_JOBS:-$(default_jobs)}
sizes=(${QEMU_SIZES:-32M 128M 1G 3G 4G 8G})
earlies=(${QEMU_EARLY:-bootmem memblock})

# RAM QEMU's pc machine puts above 4 GiB for -m SIZE: the i386 profile
# drops it, and the log must say so ("pmm: NMB of RAM at or above 4096MB
# dropped"). Below 3.5 GiB everything fits under the PCI hole.
dropped_mb() {
	case $1 in
	4G) echo 1024 ;;
	8G) echo 5120 ;;
	*) echo 0 ;;
	esac
}

if ! command -v "$qemu" >/dev/null; then
	echo "qemu-test: $qemu not found; install it with: apt-get install -y qemu-system-x86" >&2
	exit 1
fi
mkdir -p "$logdir"

# Guest RAM without a host reservation (MAP_NORESERVE), so that -m 8G
# starts on hosts with less memory; the kernel touches at most 3 GiB.
mem_args() {
	echo "-m $1 -object memory-backend-ram,id=ram0,size=$1,reserve=off" \
		"-machine memory-backend=ram0"
}

boot() { # size early
	local log="$logdir/boot-$1-$2.log"
	local t0=$SECONDS
	timeout "$limit" "$qemu" -display none -no-reboot $(mem_args "$1") \
		-serial "file:$log" -monitor none \
		-device isa-debug-exit,iobase=0xf4,iosize=0x04 \
		-kernel "$kernel" -append "pmm.early=$2" \
		</dev/null >"$log.qemu" 2>&1
	echo "$? $((SECONDS - t0))" >"$log.status"
}

# Run the matrix, at most $par_jobs boots at a time.
for size in "${sizes[@]}"; do
	for early in "${earlies[@]}"; do
		par_start boot "$size" "$early"
	done
done
# The failure path: a double free must reach the report hook, panic, and
# leave QEMU with status 35.
neg="$logdir/boot-doublefree.log"
timeout "$limit" "$qemu" -display none -no-reboot -m 32M \
	-serial "file:$neg" -monitor none \
	-device isa-debug-exit,iobase=0xf4,iosize=0x04 \
	-kernel "$kernel" -append "pmm.test=doublefree pmm.selftest=off" \
	</dev/null >"$neg.qemu" 2>&1
neg_st=$?

# Modules: the kernel image itself as a module, which must be reserved and
# read back unchanged after the self-test has written over all free RAM;
# its hand-off is deferred (pmm.deferred=on), which the self-test, the CMA,
# hotplug and elastic tests then meet on bare metal.
modlog="$logdir/boot-module.log"
timeout "$limit" "$qemu" -display none -no-reboot -m 128M \
	-serial "file:$modlog" -monitor none \
	-device isa-debug-exit,iobase=0xf4,iosize=0x04 \
	-kernel "$kernel" -initrd "$kernel module-arg" -append "pmm.early=memblock pmm.deferred=on" \
	</dev/null >"$modlog.qemu" 2>&1
mod_st=$?
wait

# Check one boot's log; print what is missing, return 1 if anything is.
check_log() { # size early log status
	local size=$1 early=$2 log=$3 st=$4 bad=0 mb
	need() {
		grep -qE "$1" "$log" || { echo "    missing: $1"; bad=1; }
	}
	if [ "$st" != 33 ]; then
		case $st in
		124) echo "    timeout after ${limit}s" ;;
		35) echo "    the kernel reported failure (status 35)" ;;
		0) echo "    QEMU exited 0: triple fault or no exit device" ;;
		*) echo "    QEMU exit status $st (want 33)" ;;
		esac
		bad=1
	fi
	need "early allocator: $early( |\$)"
	need "Memory: [0-9]+K/[0-9]+K available"
	need "allocator: buddy: [0-9]+ pages free"
	need "very very early allocator: brk retired"
	need "initcalls: ([0-9]+) called, \\1 returned 0"
	need "Freeing unused kernel memory: [0-9]+K freed"
	need "pmm self-test: 0 checks failed"
	need "pmm self-test: PASS"
	need "pmm slab self-test: PASS"
	need "pmm cma-test: PASS"
	need "pmm hotplug-test: Movable: PASS"
	need "pmm hotplug self-test: PASS"
	need "pmm elastic-test: PASS"
	need "multiboot: boot data intact"
	mb=$(dropped_mb "$size")
	if [ "$mb" != 0 ]; then
		need "pmm: ${mb}MB of RAM at or above 4096MB dropped"
	elif grep -q "of RAM at or above" "$log"; then
		echo "    unexpected: RAM dropped with -m $size"
		bad=1
	fi
	# The freed init pages must match the linker symbols.
	if ! grep -qE "free_initmem: ([0-9]+) pages freed;.* = \\1 pages" "$log"; then
		echo "    free_initmem count differs from the linker symbols"
		bad=1
	fi
	if grep -q "Kernel panic" "$log"; then
		grep "Kernel panic" "$log" | sed 's/^/    /'
		bad=1
	fi
	return $bad
}

pass=0
fail=0
for size in "${sizes[@]}"; do
	for early in "${earlies[@]}"; do
		log="$logdir/boot-$size-$early.log"
		read -r st secs <"$log.status"
		touch "$log"
		if out=$(check_log "$size" "$early" "$log" "$st"); then
			printf 'PASS  -m %-4s pmm.early=%-8s  %3ss  %s\n' "$size" "$early" "$secs" \
				"$(grep -oE 'Memory: [0-9]+K/[0-9]+K available' "$log")"
			pass=$((pass + 1))
		else
			printf 'FAIL  -m %-4s pmm.early=%-8s  %3ss  (status %s, log %s)\n' \
				"$size" "$early" "$secs" "$st" "$log"
			echo "$out"
			fail=$((fail + 1))
		fi
	done
done
if [ "$neg_st" = 35 ] && grep -q "Kernel panic - not syncing: pmm: .*double free" "$neg"; then
	echo "PASS  -m 32M  pmm.test=doublefree    panics with status 35"
	pass=$((pass + 1))
else
	echo "FAIL  -m 32M  pmm.test=doublefree    status $neg_st (want 35 and a panic; log $neg)"
	fail=$((fail + 1))
fi
if [ "$mod_st" = 33 ] && grep -q "multiboot: module 0 .*module-arg" "$modlog" &&
	grep -q "multiboot: boot data intact" "$modlog" &&
	grep -qE "pmm: deferred hand-off: [1-9][0-9]* pages wait" "$modlog" &&
	grep -q "pmm self-test: PASS" "$modlog"; then
	echo "PASS  -m 128M -initrd (a module)    reserved, intact after the self-test; the hand-off deferred"
	pass=$((pass + 1))
else
	echo "FAIL  -m 128M -initrd (a module)    status $mod_st (log $modlog)"
	fail=$((fail + 1))
fi
echo "check-kernel: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
