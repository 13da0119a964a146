# A thread registers a buffer through the cache while another frees it and gets new memory at the same address; the
# program then registers the buffer again and has the HCA write into it. The cache watches the range before it pins
# it (REGISTER_REGION, then REG_MR), so in every interleaving either the pin takes the new pages, or the munmap is
# queued against the entry and the next lookup evicts it: the HCA's write is always seen, and no lookup hands out a
# stale registration (the registration-cache invariant holds at every step).
scenario rcache-race-register-vs-free
doc "Registering through the ummunotify cache races free-and-reallocate: never a stale registration"

process P
P: rcache_init R
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
expect 6.18 never
