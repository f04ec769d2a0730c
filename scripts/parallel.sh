# shellcheck shell=bash
# Sourced by the scripts that run several processes at once (test
# binaries, valgrind runs, fuzz targets, QEMU boots): par_start runs a
# command in the background once fewer than par_jobs are running; the
# caller ends with `wait` and reads what each command left in its files
# (par_logged: its output in LOG, its exit status in LOG.rc).
#   . scripts/parallel.sh; par_jobs=${X_JOBS:-$(par_cpus)}
#   par_start CMD ARG...
#   par_start par_logged LOG CMD ARG...

par_jobs=1
par_running=0

# Print the number of CPUs (1 when nproc is missing).
par_cpus() {
	nproc 2>/dev/null || echo 1
}

# Run CMD ARG... in the background, first waiting for one of the running
# commands to end when par_jobs are running (whatever its exit status).
par_start() {
	if [ "$par_running" -ge "$par_jobs" ]; then
		wait -n || true
		par_running=$((par_running - 1))
	fi
	"$@" &
	par_running=$((par_running + 1))
}

# Run CMD ARG... with its output in LOG and its exit status in LOG.rc.
par_logged() {
	local log=$1; shift
	"$@" >"$log" 2>&1
	echo $? >"$log.rc"
}
