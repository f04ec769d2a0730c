# Linux 6.1's memblock test suite against pmm (issue 3): see
# scripts/linux-memblock.sh. Installs linux-source-6.1 and liburcu-dev when
# missing (as root), extracts only the suite into build/linux-memblock/.
.PHONY: check-linux-memblock
check-linux-memblock:
	@scripts/linux-memblock.sh

