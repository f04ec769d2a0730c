#!/usr/bin/env bash
# svg_browser.sh - pmm-sim's pictures (--svg on boot, run and replay) in a
# real browser: headless Chromium renders each one to a PNG, and
# tests/svg_pixels.py checks that the screenshot is not blank and that the
# free colours cover the share of the map the free pages make up.
# Skips (exit 0, with a message) when chromium is not installed.
#   tests/svg_browser.sh build/pmm-sim
set -uo pipefail
sim=${1:?usage: $0 PMM_SIM}
browser=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$browser" ]; then
	echo "skip - svg_browser: chromium is not installed (apt-get install chromium)"
	echo "svg browser: 0 passed, 0 failed"
	exit 0
fi
pass=0; fail=0
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

# shot NAME SVG [CSV]: render SVG at its own size and check the pixels.
shot() {
	local name=$1 svg=$2 csv=${3:-}
	local w h
	w=$(sed -n 's/.*<svg [^>]*width="\([0-9]*\)".*/\1/p' "$svg" | head -1)
	h=$(sed -n 's/.*<svg [^>]*height="\([0-9]*\)".*/\1/p' "$svg" | head -1)
	if ! timeout 120 "$browser" --headless --no-sandbox --disable-gpu --hide-scrollbars \
		--screenshot="$tmp/$name.png" --window-size="$w,$h" "file://$svg" >"$tmp/$name.log" 2>&1 ||
		[ ! -s "$tmp/$name.png" ]; then
		fail=$((fail + 1)); echo "FAIL - $name: chromium made no screenshot"; tail -3 "$tmp/$name.log"; return
	fi
	if python3 tests/svg_pixels.py "$svg" "$tmp/$name.png" ${csv:+"$csv"} >"$tmp/$name.check" 2>&1; then
		pass=$((pass + 1)); echo "ok   - $name: $(cat "$tmp/$name.check")"
	else
		fail=$((fail + 1)); echo "FAIL - $name: $(tail -1 "$tmp/$name.check")"
	fi
}

"$sim" boot --profile x86_64 --mem 40M --svg "$tmp/boot-pages.svg" >/dev/null 2>&1
shot boot-per-page "$tmp/boot-pages.svg"
"$sim" boot --svg "$tmp/boot-pc.svg" >/dev/null 2>&1
shot boot-4g-pc "$tmp/boot-pc.svg"
"$sim" run sim/workloads/fragment.wl --profile x86_64 --mem 512M --svg "$tmp/run.svg" \
	--metrics "$tmp/run.csv" --every 20000 >/dev/null 2>&1
shot run-fragment "$tmp/run.svg" "$tmp/run.csv"
"$sim" run sim/workloads/tmpfs.wl --profile x86_64 --mem 64M --svg "$tmp/run-small.svg" >/dev/null 2>&1
shot run-tmpfs-64m "$tmp/run-small.svg"
t=tests/data/traces/qemu-x86_64-512m-tmpfs
xz -dc "$t.trace.xz" >"$tmp/linux.trace"
"$sim" replay "$tmp/linux.trace" --map "$t.log" --profile x86_64 --svg "$tmp/replay.svg" \
	--metrics "$tmp/replay.csv" --every 10000 >/dev/null 2>&1
shot replay-linux-512m "$tmp/replay.svg" "$tmp/replay.csv"
[ -n "${SVG_KEEP:-}" ] && cp "$tmp"/*.png "$tmp"/*.svg "$SVG_KEEP"/
echo "svg browser: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
