# A hole in ummunotify's design that no ordering closes: the device hears only invalidate_range_start, not its end.
# MADV_DONTNEED of the buffer starts (the invalidation is reported to the registrations there are: none yet), a
# thread registers the buffer through the cache, watch first, and pins it with GUP-fast while the zap has not reached
# those ptes; the zap then takes the page the MR holds, and nobody is told. The next lookup hits a registration of a
# page the process no longer maps. Today's answer, mmu_interval_notifier's sequence count (read_begin/read_retry),
# exists for this window; ummunotify's counter only counts range starts.
scenario rcache-race-dontneed-vs-register
doc "MADV_DONTNEED's invalidation starts before the watch, its zap ends after the pin: a stale registration"

process P
P: rcache_init R
P: mmap A 8K PROT_READ|PROT_WRITE MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED 0x40000000
P: store A 1
P: store A+4K 1

thread D of P {
  madvise A 8K MADV_DONTNEED
}
thread U of P {
  m1 = rcache_reg M1 R A+4K 4K
}

P: store A+4K 2
P: m2 = rcache_reg M2 R A+4K 4K
P: rdma_write M2 0 0x77
P: v = load A+4K

exists (P:v != 0x77)
expect 6.18 sometimes
