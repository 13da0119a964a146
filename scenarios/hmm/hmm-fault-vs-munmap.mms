# A device page fault racing munmap of the page (kernel-mm.md §5.4, §5.5; Documentation/mm/hmm.rst). Thread T
# has the HCA read an ODP MR whose device pte is not yet valid, so the driver runs the HMM loop: read_begin,
# hmm_range_fault under mmap_lock, then umem_mutex and mmu_interval_read_retry before programming the device pte.
# P munmaps the page meanwhile. Whatever the interleaving, munmap's ->invalidate either zaps the programmed pte or
# moves the sequence so that read_retry sends the driver back to read_begin, where hmm_range_fault finds no VMA
# (-EFAULT). After both, the device holds no valid pte, and a further RDMA READ faults and fails: P:r1 is -EFAULT.
# The explorer tries every interleaving; the device-coherence invariant would report any access through a frame
# the CPU no longer maps.
scenario hmm-fault-vs-munmap
doc "A device page fault racing munmap never leaves a stale device pte behind"

process P
P: mmap A 4K PROT_READ|PROT_WRITE MAP_PRIVATE|MAP_ANONYMOUS
P: store A 0x1
P: rdma_reg_mr MR A 4K odp

thread T of P {
  r0 = rdma_read MR 0
}
thread P {
  munmap A 4K
}

P: r1 = rdma_read MR 0                           # the page is gone: -EFAULT unless the device kept a stale pte

exists (P:r1 != -14)

expect 4.8 4.9 5.7 5.8 5.9 5.11 5.19 6.18 never

known 5.7 5.8 5.9 5.11 5.19 6.18 never "kernel-mm.md §5.4: if mmu_interval_read_retry returns false the device page table may be programmed and stays valid until the next callback takes the lock; §5.5 driver loop steps 1-6"
