# Command-line tests of the simulator (tests/sim_cli.sh).
.PHONY: check-sim
check-sim: $(SIM)
	tests/sim_cli.sh $(SIM)
CHECK_EXTRA += check-sim
