#!/usr/bin/env bash
# Add up every "... N passed, M failed" line of a check log and print the
# total as the run's closing line.
#   scripts/sum-results.sh LOG
set -uo pipefail
log=${1:?usage: $0 LOG}
sed -n 's/.*[^0-9]\([0-9][0-9]*\) passed, \([0-9][0-9]*\) failed.*/\1 \2/p; s/^\([0-9][0-9]*\) passed, \([0-9][0-9]*\) failed.*/\1 \2/p' "$log" |
	awk '{ p += $1; f += $2; n++ } END { printf "suites: %d\ncheck: %d passed, %d failed\n", n, p, f; exit (f > 0) }'
