# Two threads of one process: one mlock()s a page that holds data while the other zaps it with
# MADV_DONTNEED. mlock takes mmap_lock for write (apply_vma_lock_flags sets VM_LOCKED, then __mm_populate
# faults the range in under the read lock); MADV_DONTNEED takes it for read and refuses a VM_LOCKED VMA
# (madvise_dontneed_free_valid_vma: -EINVAL). So either the zap runs whole before the mlock (the data is gone,
# the mlock faults in a zeroed page) or it sees VM_LOCKED and changes nothing: a refused MADV_DONTNEED never
# loses the data, and a page mlock() returned 0 for is mapped.
scenario race-free-mlock-vs-dontneed
doc "mlock races MADV_DONTNEED on the same page: the zap is whole before the lock, or refused"

process P
P: mmap A 4K PROT_READ|PROT_WRITE MAP_PRIVATE|MAP_ANONYMOUS
P: store A 0x5

thread T1 of P {
  r0 = mlock A 4K
}
thread T2 of P {
  r1 = madvise A 4K MADV_DONTNEED
}
P: r2 = load A

exists (T1:r0 != 0 \/ (T2:r1 != 0 /\ P:r2 != 0x5) \/ (T2:r1 = 0 /\ P:r2 != 0))

expect 2.6.19 4.8 5.8 6.18 never
