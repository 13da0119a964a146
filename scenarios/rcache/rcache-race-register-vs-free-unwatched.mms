# The same race under a cache that hears nothing (MONITOR none): when the first registration pins the old pages
# before the free, the second lookup hits it, and the HCA's write goes to the freed pages. The explorer finds that
# order (and the registration-cache invariant names the stale hit); in the orders where the free comes first, the
# pin takes the new pages and all is well, so the outcome is sometimes.
scenario rcache-race-register-vs-free-unwatched
doc "The same race under a cache that hears nothing: sometimes a stale registration and a lost HCA write"

process P
P: rcache_init R none
P: mmap A 8K PROT_READ|PROT_WRITE MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED 0x40000000
P: store A 1
P: store A+4K 1

thread U of P {
  m1 = rcache_reg M1 R A 8K
}
thread F of P {
  munmap A 8K
  mmap B 8K PROT_READ|PROT_WRITE MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED 0x40000000
  store B 2
  store B+4K 2
}

P: m2 = rcache_reg M2 R A 8K
P: rdma_write M2 0 0x77
P: v = load A

exists (P:v != 0x77)
expect 6.18 sometimes
