# The same program with a cache whose memory hooks never fire (MONITOR none: a library linked so that its munmap hook
# is bypassed, ompi#299; or two interposers where the other one won, ompi#8822). The second lookup hits the stale
# entry: the MR still pins the freed pages, the HCA's write goes there, and the program never sees it. The
# registration-cache invariant names the hit; the condition is the silent data corruption.
scenario rcache-reuse-after-munmap-unwatched
doc "Free and reallocate at the same address under a cache that hears nothing: a stale hit, the HCA's write lost"

process P
P: rcache_init R none
P: mmap A 8K PROT_READ|PROT_WRITE MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED 0x40000000
P: store A 1
P: store A+4K 1
P: m1 = rcache_reg M1 R A 8K
P: munmap A 8K
P: mmap B 8K PROT_READ|PROT_WRITE MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED 0x40000000
P: store B 2
P: store B+4K 2
P: m2 = rcache_reg M2 R B 8K             # a hit on the stale entry: 1
P: rdma_write M2 0 0x77
P: v = load B

exists (P:m2 = 1 /\ P:v != 0x77)
expect 6.18 always
