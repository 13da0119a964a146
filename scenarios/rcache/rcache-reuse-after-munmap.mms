# The registration cache's reason to exist, and its classic failure (reference/ummunotify-and-rcache.md §2.7, "free()/
# munmap then reallocate at the same VA, cached MR reused"): a buffer is registered (ibv_reg_mr pins its pages), the
# program frees it and gets new memory at the same address, and registers "it" again. The cache watches the range
# through ummunotify: the munmap queued an INVAL and moved the counter, so the second lookup drains the event, evicts
# the stale MR and registers the new pages; the HCA's write then lands where the program looks.
scenario rcache-reuse-after-munmap
doc "Free and reallocate at the same address: the ummunotify cache evicts the stale registration"

process P
P: rcache_init R
P: mmap A 8K PROT_READ|PROT_WRITE MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED 0x40000000
P: store A 1
P: store A+4K 1
P: m1 = rcache_reg M1 R A 8K             # a miss: 0
P: munmap A 8K
P: mmap B 8K PROT_READ|PROT_WRITE MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED 0x40000000
P: store B 2
P: store B+4K 2
P: m2 = rcache_reg M2 R B 8K             # the counter moved: drain, evict, a miss again
P: rdma_write M2 0 0x77                  # the HCA writes through the registration the cache handed out
P: v = load B

exists (P:m2 = 1 \/ P:v != 0x77)
expect 6.18 never
