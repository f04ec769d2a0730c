# cma.wl - drivers that need contiguous memory on a machine that has run
# for a while: movable pages fill memory and borrow the CMA region, then
# ISA-style DMA buffers below 16 MiB that no 64 KiB boundary may cut, and
# 4 MiB buffers from the CMA region, whose borrowed pages the migrate hook
# moves out. Needs a region:
#   pmm-sim run sim/workloads/cma.wl --profile x86_64 --mem 512M --cma 64M
seed 11
phase fill  ops=110k alloc=1 order=0 mt=movable:9,unmovable:1
phase dma   ops=32 alloc=1 contig=16 window=0-16M align=64K boundary=64K gfp=dma
phase cma   ops=16 alloc=1 cma=1024 align=2M
phase big   ops=8 alloc=1 contig=512 align=2M
phase drain ops=0 pool=fill free=all
