# hmm-fault-vs-munmap with a deliberately broken driver (MR mode odp_noretry): it programs the device pte from its
# hmm_range_fault snapshot without taking mmu_interval_read_retry under its lock (kernel-mm.md §5.4: read_retry
# "must be called under the same user lock used in the callback"; §5.5 step 4). When P's munmap lands between
# T's hmm_range_fault and the programming, the invalidation finds no device pte to zap and the driver then
# installs the freed frame: T's access and P's later RDMA READ go through a pte the CPU no longer has, which the
# device-coherence invariant reports, and P:r1 reads the dead frame instead of failing with -EFAULT. The
# explorer finds the interleaving under every kernel: the bug is the driver's. No known line: no real kernel
# ships this driver.
scenario hmm-fault-vs-munmap-noretry
doc "A driver that skips mmu_interval_read_retry keeps a stale device pte after munmap"

process P
P: mmap A 4K PROT_READ|PROT_WRITE MAP_PRIVATE|MAP_ANONYMOUS
P: store A 0x1
P: rdma_reg_mr MR A 4K odp_noretry

thread T of P {
  r0 = rdma_read MR 0
}
thread P {
  munmap A 4K
}

P: r1 = rdma_read MR 0                           # through the stale device pte

exists (P:r1 != -14)

expect 4.8 4.9 5.7 5.8 5.9 5.11 5.19 6.18 sometimes
