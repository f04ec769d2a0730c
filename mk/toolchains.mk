# The whole tree must build clean and pass with clang as well as gcc.
.PHONY: check-clang
check-clang:
	$(MAKE) B=build/clang CC=clang check-unit
CHECK_EXTRA += check-clang
