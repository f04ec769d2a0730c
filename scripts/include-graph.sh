#!/usr/bin/env bash
# Print the include graph between the core's layer folders (src/LAYER/) and
# fail on an arrow that runs from a lower layer up to a higher one (a cycle
# between folders). A public header include/pmm/X.h belongs to the layer
# that implements it (the table below); its own includes count as that
# layer's.
#   scripts/include-graph.sh          arrows "from -> to: N includes"
#   scripts/include-graph.sh -v       and every include behind each arrow
set -uo pipefail
cd "$(dirname "$0")/.."
verbose=${1:-}

# Layers, lowest first: a file may include its own layer and those before it.
layers=(base memmap buddy elastic bootmem memblock slab boot)
declare -A header_layer=(
	[types.h]=base [platform.h]=base [fmt.h]=base
	[memmap.h]=memmap [firmware.h]=memmap [cmdline.h]=memmap
	[page.h]=buddy [zone.h]=buddy [buddy.h]=buddy [check.h]=buddy [debug.h]=buddy [watermark.h]=buddy [contig.h]=buddy
	[linux/gfp.h]=buddy
	[elastic.h]=elastic
	[bootmem.h]=bootmem
	[memblock.h]=memblock [linux/memblock.h]=memblock
	[linux/memblock_impl.h]=memblock
	[slab.h]=slab [linux/slab.h]=slab
	[init.h]=boot [boot.h]=boot [report.h]=boot [pmm.h]=boot
)
declare -A rank
for i in "${!layers[@]}"; do rank[${layers[$i]}]=$i; done

layer_of_file() { # path -> layer
	case $1 in
	src/*/*) local d=${1#src/}; echo "${d%%/*}" ;;
	include/pmm/*) echo "${header_layer[${1#include/pmm/}]:-?}" ;;
	esac
}

declare -A count detail
files=$(ls src/*/*.[ch] include/pmm/*.h include/pmm/linux/*.h)
for f in $files; do
	from=$(layer_of_file "$f")
	if [ -z "${rank[$from]:-}" ]; then
		echo "include graph: $f belongs to no layer: add it to header_layer in $0"
		exit 1
	fi
	while read -r inc; do
		case $inc in
		'<pmm/'*) to=${header_layer[${inc:5:-1}]:-} ;;
		'"'*'"') local_h=${inc:1:-1}
			to=$(layer_of_file "$(realpath -m --relative-to=. "$(dirname "$f")/$local_h")") ;;
		*) continue ;;
		esac
		[ -n "$to" ] && [ "$to" != "$from" ] || continue
		key="$from -> $to"
		count[$key]=$(( ${count[$key]:-0} + 1 ))
		detail[$key]+="    $f: $inc"$'\n'
	done < <(sed -n 's/^#include[[:space:]]*\([<"][^>"]*[>"]\).*/\1/p' "$f")
done

bad=0
for key in $(printf '%s\n' "${!count[@]}" | sed 's/ -> /->/' | sort -t'>' -k1,1 -k2,2 | sed 's/->/ -> /g' | tr ' ' '~'); do
	key=${key//\~/ }
	from=${key%% ->*}; to=${key##*-> }
	mark=""
	if [ "${rank[$to]}" -gt "${rank[$from]}" ]; then mark="  UPWARD"; bad=1; fi
	printf '%-9s -> %-9s %3d includes%s\n' "$from" "$to" "${count[$key]}" "$mark"
	[ "$verbose" = -v ] && printf '%s' "${detail[$key]}"
done
if [ $bad -eq 0 ]; then
	echo "include graph: layers ${layers[*]}; no arrow runs upward, no cycle between folders"
else
	echo "include graph: an arrow runs from a lower layer up to a higher one"
fi
exit $bad
