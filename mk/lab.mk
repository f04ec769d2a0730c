# mk/lab.mk - the laboratory's targets (sim/lab.c and friends).
#
#   make bench-replay      replay a trace of 10^6 events (written by
#                          `pmm-sim run --trace-out`) five times and print
#                          the median events per second of CPU time
#   make check-svg-browser render `pmm-sim run --svg` in headless Chromium
#                          and check the screenshot's pixels (a stage of
#                          `make check`, which installs chromium)

LAB_DIR := $(B)/lab

.PHONY: bench-replay check-svg-browser

$(LAB_DIR)/1m.trace: $(SIM)
	@mkdir -p $(LAB_DIR)
	printf 'phase fill ops=20k hold=20k alloc=1 order=geom(0.6,10) cpus=4\nphase mixed ops=980k pool=fill hold=20k alloc=0.5 order=geom(0.6,10) mt=movable:6,unmovable:3,reclaimable:1 cpus=4\n' >$(LAB_DIR)/1m.wl
	./$(SIM) run $(LAB_DIR)/1m.wl --profile x86_64 --mem 1G --trace-out $@ >/dev/null

bench-replay: $(SIM) $(LAB_DIR)/1m.trace
	@for i in 1 2 3 4 5; do ./$(SIM) replay $(LAB_DIR)/1m.trace --profile x86_64 --mem 1G | \
		sed -n 's/.* \([0-9.]*\) million lines\/s$$/\1/p'; done | sort -n | \
		awk '{v[NR] = $$1} END {printf "replay of 10^6 events: median %.2f million events/s of CPU time (min %.2f, max %.2f, 5 runs)\n", v[3], v[1], v[5]}'

check-svg-browser: $(SIM)
	tests/svg_browser.sh $(SIM)

