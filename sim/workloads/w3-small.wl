# w3-small.wl - BENCHMARKS.md's W3 (mixed, half full) scaled down 100
# times: a pool of at most 500 blocks, P(k) = 0.6 * 0.4^k up to order 10.
phase fill  ops=500 hold=500 alloc=1 order=geom(0.6,10)
phase mixed ops=100k pool=fill hold=500 alloc=0.5 order=geom(0.6,10)
