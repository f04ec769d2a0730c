# bootmem: the layer's files share an internal header outside include/.
$(B)/src/bootmem.o $(B)/src/bootmem_alloc.o $(B)/src/bootmem_retire.o: src/bootmem_impl.h
