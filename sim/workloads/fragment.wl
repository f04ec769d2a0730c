# fragment.wl - the classic way to fragment a buddy allocator: fill
# memory with small movable and unmovable pages, free most of the
# movable ones, then ask for 2 MiB blocks.
#   pmm-sim run sim/workloads/fragment.wl --profile x86_64 --mem 512M --svg f.svg
seed 7
phase fill  ops=100k alloc=1 order=0:90,1:6,2:4 mt=movable:85,unmovable:10,reclaimable:5 cpus=2
phase holes ops=0 pool=fill free=0.7
phase huge  ops=200 alloc=1 order=9 mt=movable
