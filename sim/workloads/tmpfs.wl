# tmpfs.wl - roughly what the committed Linux trace does: page cache and
# anonymous pages (movable, order 0) come and go, the kernel's slabs
# (unmovable and reclaimable, orders 0-3) grow and shrink, and the
# occasional order-9 transparent huge page.
seed 2026
phase boot   ops=5k  alloc=1 order=0:80,1:10,2:5,3:5 mt=unmovable:6,reclaimable:4 gfp=kernel
phase files  ops=60k alloc=0.6 order=0 mt=movable gfp=highuser life=200-20k cpus=2
phase slabs  ops=20k alloc=0.55 order=0:70,1:10,2:10,3:10 mt=unmovable:5,reclaimable:5 life=50-5k cpus=2
phase thp    ops=100 alloc=0.8 order=9 mt=movable gfp=highuser
phase quiet  ops=30k pool=files alloc=0.3 order=0 mt=movable gfp=highuser
