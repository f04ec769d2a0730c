#!/usr/bin/env bash
# Boot the x86_64 pmm kernel (kernel64/) from its GRUB ISO under QEMU: one
# machine on the terminal, or the boot matrix of make check-kernel64.
#
#   scripts/qemu64-test.sh ISO LOGDIR                         the matrix
#   scripts/qemu64-test.sh --one ISO FW SMP NODES MEM CMDLINE one boot
#
# A machine is: firmware (bios: SeaBIOS; uefi: OVMF), CPUs, NUMA nodes
# (1; 2: unequal sizes, 1/4 and 3/4; 4: 1/2, 1/4, none, 1/4 - node 2 has
# CPUs but no memory), memory size and the kernel command line, which
# reaches GRUB through an SMBIOS OEM string (kernel64/grub.cfg).
#
# Environment: QEMU64 (qemu-system-x86_64), QEMU64_TIMEOUT (seconds per
# boot, 180), QEMU64_JOBS (boots at once, default: CPUs), QEMU64_MATRIX
# (rows "fw smp nodes mem early", comma-separated, to replace the matrix),
# OVMF (the UEFI firmware image, /usr/share/ovmf/OVMF.fd).
# Prints one line per boot and "N passed, N failed"; exits 1 on a failure.
set -uo pipefail

qemu=${QEMU64:-qemu-system-x86_64}
limit=${QEMU64_TIMEOUT:-180}
ovmf=${OVMF:-/usr/share/ovmf/OVMF.fd}

# The matrix (rows "fw smp nodes mem early"). BIOS: every product of
# CPUs x nodes x sizes x early allocators (48 boots, 1-9 s each under
# TCG). UEFI: OVMF's own start makes a boot cost 12-35 s, so 10 boots that
# still hold every value of every dimension - both CPU counts, each with
# 1, 2 and 4 nodes, every size, both allocators. Two at a time on two
# cores: about 4 minutes.
uefi_rows="uefi 1 1 128M bootmem,uefi 1 1 9G memblock,uefi 1 2 128M memblock,\
uefi 1 4 128M bootmem,uefi 1 4 9G memblock,uefi 4 1 2G memblock,\
uefi 4 2 2G bootmem,uefi 4 2 5G memblock,uefi 4 4 2G memblock,\
uefi 4 4 5G bootmem"

# UEFI first: the long boots start early and the short ones fill in.
default_matrix() {
	local smp nodes mem early
	printf '%s,' "$uefi_rows"
	for smp in 1 4; do
		for nodes in 1 2 4; do
			for mem in 128M 2G 5G 9G; do
				for early in bootmem memblock; do
					printf 'bios %s %s %s %s,' $smp $nodes $mem $early
				done
			done
		done
	done
}

to_mib() { # 128M|2G -> MiB
	case $1 in
	*G) echo $(( ${1%G} * 1024 )) ;;
	*M) echo "${1%M}" ;;
	*) echo "$1" ;;
	esac
}

# -object/-numa arguments for NODES nodes over MEM with SMP CPUs. Guest RAM
# is never reserved on the host (reserve=off): the kernel touches little.
numa_args() { # smp nodes mem
	local smp=$1 nodes=$2 mib sizes cpus i
	mib=$(to_mib "$3")
	case $nodes in
	1) echo "-object memory-backend-ram,id=m0,size=${mib}M,reserve=off" \
		"-machine memory-backend=m0"; return ;;
	2) sizes=($((mib / 4)) $((mib - mib / 4))) ;;
	4) sizes=($((mib / 2)) $((mib / 4)) 0 $((mib - mib / 2 - mib / 4))) ;;
	*) echo "qemu64-test: $nodes nodes: the shapes are 1, 2 and 4" >&2
	   return 1 ;;
	esac
	for i in "${!sizes[@]}"; do
		# CPUs: spread over the nodes; with one CPU only node 0 has it.
		if [ "$smp" -ge "$nodes" ]; then
			cpus=",cpus=$((i * smp / nodes))-$(((i + 1) * smp / nodes - 1))"
		elif [ "$i" = 0 ]; then cpus=",cpus=0"
		else cpus=""; fi
		if [ "${sizes[$i]}" = 0 ]; then
			echo "-numa node,nodeid=$i$cpus"
		else
			echo "-object memory-backend-ram,id=m$i,size=${sizes[$i]}M,reserve=off" \
				"-numa node,nodeid=$i,memdev=m$i$cpus"
		fi
	done
	# Distances: 10 + 10 per hop along the line 0-1-2-3, plus 1 (not 20).
	for ((i = 0; i < nodes; i++)); do
		for ((j = i + 1; j < nodes; j++)); do
			echo "-numa dist,src=$i,dst=$j,val=$((10 + 10 * (j - i) + 1))"
		done
	done
}

fw_args() { # fw
	[ "$1" = uefi ] && echo "-bios $ovmf"
}

qemu_cmd() { # iso fw smp nodes mem cmdline
	echo "$qemu -display none -no-reboot -monitor none -m $5 -smp $3" \
		"$(numa_args "$3" "$4" "$5" | tr '\n' ' ')" \
		"$(fw_args "$2") -cdrom $1 -boot d" \
		"-device isa-debug-exit,iobase=0xf4,iosize=0x04"
}

if ! command -v "$qemu" >/dev/null; then
	echo "qemu64-test: $qemu not found; run scripts/ensure-deps.sh kernel64" >&2
	exit 1
fi

if [ "${1:-}" = --one ]; then
	shift
	numa_args "$3" "$4" "$5" >/dev/null || exit 2
	[ "$2" = uefi ] && [ ! -r "$ovmf" ] && {
		echo "qemu64: $ovmf missing: apt-get install -y ovmf" >&2; exit 1; }
	# shellcheck disable=SC2046
	$(qemu_cmd "$1" "$2" "$3" "$4" "$5") -serial stdio \
		${6:+-smbios "type=11,value=$6"}
	st=$?
	echo "qemu64: exit status $st (33 pass, 35 fail)"
	[ "$st" -eq 33 ]
	exit
fi

iso=${1:?usage: $0 ISO LOGDIR | --one ISO FW SMP NODES MEM CMDLINE}
logdir=${2:?usage: $0 ISO LOGDIR}
# shellcheck source=scripts/parallel.sh
. "$(dirname "$0")/parallel.sh"
par_jobs=${QEMU64_JOBS:-$(par_cpus)}
IFS=, read -r -a rows <<<"${QEMU64_MATRIX:-$(default_matrix)}"
mkdir -p "$logdir"
rm -f "$logdir"/boot-*

name() { echo "boot-$1-smp$2-n$3-$4-$5"; }

boot() { # fw smp nodes mem early|test=NAME
	local log t0=$SECONDS cmdline=pmm.early=$5
	log="$logdir/$(name "$@").log"
	[ "${5#test=}" != "$5" ] && cmdline="pmm.$5"
	# shellcheck disable=SC2046
	timeout "$limit" $(qemu_cmd "$iso" "$1" "$2" "$3" "$4") \
		-serial "file:$log" -smbios "type=11,value=$cmdline" \
		</dev/null >"$log.qemu" 2>&1
	echo "$? $((SECONDS - t0))" >"$log.status"
	tr -d '\r' <"$log" >"$log.txt" # the console writes \r\n
}

# Check one boot's log; print what is missing, return 1 if anything is.
check_log() { # fw smp nodes mem early log status
	local fw=$1 smp=$2 nodes=$3 early=$5 log=$6.txt st=$7 bad=0 memnodes map rsdp
	need() {
		grep -aqE "$1" "$log" || { echo "    missing: $1"; bad=1; }
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
	# Nodes with memory: 4 nodes have one without. Nodes the firmware
	# shows: with one CPU that node has no CPU either, so the SRAT never
	# names it and pmm numbers 3 nodes (PXM 0, 1, 3 -> nodes 0, 1, 2).
	memnodes=$nodes fwnodes=$nodes
	[ "$nodes" = 4 ] && memnodes=3
	[ "$nodes" = 4 ] && [ "$smp" = 1 ] && fwnodes=3
	map="Multiboot2 memory map tag" rsdp="revision 1, RSDT"
	[ "$fw" = uefi ] && map="EFI memory map tag" rsdp="revision 2, XSDT"
	need "firmware: ${fw^^}; boot loader: GRUB"
	need "BIOS-provided physical RAM map \\($map\\)"
	need "Command line: pmm.early=$early\$"
	need "ACPI: RSDP $rsdp at 0x"
	need "ACPI: MADT: $smp CPUs"
	need "Reserving \\[mem 0x[0-9a-f]+-0x[0-9a-f]+\\] AP trampoline"
	need "Reserving \\[mem 0x[0-9a-f]+-0x[0-9a-f]+\\] Multiboot2 information"
	need "NUMA: $fwnodes nodes?\$"
	need "early allocator: $early "
	need "Memory: [0-9]+K/[0-9]+K available"
	need "allocator: buddy: [0-9]+ pages free on $memnodes nodes?,"
	need "smp: $smp of $smp CPUs running"
	need "handed over by $early on $smp CPUs? in [0-9]+ us"
	need "very very early allocator: brk retired"
	need "Freeing unused kernel memory: [0-9]+K freed"
	need "pmm exhaust test: $smp CPUs took ([0-9]+) pages of \\1 free, [0-9]+ ms, 0 errors"
	need "every chain freed by the next CPU: ([0-9]+) free pages, \\1 before"
	need "pmm exhaust test: PASS"
	need "pmm smp self-test: $smp CPUs at once, [0-9]+ ms, 0 errors"
	need "per-CPU lists drained on every CPU: ([0-9]+) free pages, baseline \\1\$"
	need "pmm smp self-test: PASS"
	need "pmm self-test: PASS"
	if [ "$nodes" = 4 ] && [ "$smp" = 4 ]; then
		need "^.{15}  2:.*\\(no memory\\)"
		need "smp: CPU 2 up: APIC id 2, node 2 \\(no memory"
	fi
	if ! grep -aqE "free_initmem: ([0-9]+) pages freed;.* = \\1 pages" "$log"; then
		echo "    free_initmem count differs from the linker symbols"
		bad=1
	fi
	if grep -aq "Kernel panic" "$log"; then
		grep -a "Kernel panic" "$log" | sed 's/^/    /'
		bad=1
	fi
	return $bad
}

# The failure paths: a double free must reach the bug hook and a read of
# address 0 on an AP the exception handler; both panic with status 35.
negatives=("bios 4 2 1G test=doublefree" "bios 4 2 1G test=fault")
neg_want=("Kernel panic - not syncing: pmm: pmm_free_pages: .*\\(double free\\)"
	"Kernel panic - not syncing: CPU 3: exception 14 \\(page fault\\).* cr2 0x0+\$")

t_start=$SECONDS
for row in "${rows[@]}" "${negatives[@]}"; do
	# shellcheck disable=SC2086
	par_start boot $row
done
wait

pass=0
fail=0
for row in "${rows[@]}"; do
	# shellcheck disable=SC2086
	set -- $row
	log="$logdir/$(name "$@").log"
	read -r st secs <"$log.status"
	memline=$(grep -aoE "Memory: [0-9]+K/[0-9]+K available" "$log" | head -1)
	if out=$(check_log "$@" "$log" "$st"); then
		pass=$((pass + 1)); verdict=PASS
	else
		fail=$((fail + 1)); verdict=FAIL
	fi
	printf '%s  %-4s -smp %s %s node%s -m %-4s pmm.early=%-8s %4ss  %s\n' \
		"$verdict" "$1" "$2" "$3" "$([ "$3" = 1 ] && echo " " || echo s)" \
		"$4" "$5" "$secs" "$memline"
	[ -n "$out" ] && echo "$out"
done
for i in "${!negatives[@]}"; do
	# shellcheck disable=SC2086
	set -- ${negatives[$i]}
	log="$logdir/$(name "$@").log"
	read -r st secs <"$log.status"
	if [ "$st" = 35 ] && grep -aqE "${neg_want[$i]}" "$log.txt"; then
		pass=$((pass + 1)); verdict=PASS
	else
		fail=$((fail + 1)); verdict=FAIL
	fi
	printf '%s  %-4s -smp %s %s nodes -m %-4s pmm.%-13s %4ss  status %s, %s\n' \
		"$verdict" "$1" "$2" "$3" "$4" "$5" "$secs" "$st" \
		"$(grep -aoE 'Kernel panic - not syncing: .{0,40}' "$log.txt" | head -1)"
done
echo "check-kernel64: $pass passed, $fail failed in $((SECONDS - t_start))s" \
	"($par_jobs at once; logs in $logdir)"
[ "$fail" -eq 0 ]
