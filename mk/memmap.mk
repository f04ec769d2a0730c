# memmap layer: the i386 profile must build too (the QEMU kernel is 32-bit
# and reads 64-bit e820 addresses); compile the layer with -m32.
MEMMAP_I386_DIR := $(B)/memmap-i386
MEMMAP_SRC := $(wildcard src/memmap*.c)

.PHONY: check-memmap-i386
check-memmap-i386: $(MEMMAP_SRC) $(HDRS)
	@mkdir -p $(MEMMAP_I386_DIR)
	@for f in $(MEMMAP_SRC); do \
		$(CC) $(CORE_CFLAGS) -m32 -c $$f -o $(MEMMAP_I386_DIR)/$$(basename $$f .c).o || exit 1; \
	done
	@echo "memmap: i386 build ok"

CHECK_EXTRA += check-memmap-i386
