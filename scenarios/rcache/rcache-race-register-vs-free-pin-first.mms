# rcache-race-register-vs-free with the cache registering in Open MPI's order (ORDER pin_first:
# mca_rcache_vma_insert tells the memory monitor to start watching only after the MR is registered). A free between
# the pin and the watch is reported to nobody: the cache keeps a registration of the freed pages, the next lookup hits
# it (the registration-cache invariant), and the HCA's write is lost. The watch-first order of Portals4, the default,
# never does this (rcache-race-register-vs-free).
scenario rcache-race-register-vs-free-pin-first
doc "Pin first, then watch (Open MPI's order): a free in between is never reported, and a stale registration is used"

process P
P: rcache_init R ummunotify pin_first
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
