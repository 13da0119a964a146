# mmsim fuzz --seed 7, mutant 29928: internal error: mmsim: internal error: java.lang.NegativeArraySizeException: -1
# An on-demand-paging MR across munmap and mmap again at the same address (kernel-mm.md §5.4, §5.5, §9 RDMA row).
# The HCA faults the page in (hmm_range_fault, no pin) and reads it; the process munmaps the buffer, which runs
# the MR's ->invalidate (MMU_NOTIFY_UNMAP): the device pte is zapped and the notifier's sequence moves. The
# process maps fresh memory at the same address and stores into it; the next RDMA READ finds no valid device pte,
# faults again, and reads the new frame. Nothing holds the old frame, so nothing can go stale, under every kernel.
scenario rdma-odp-remap
doc "An ODP MR follows munmap and mmap of its range: the device reads what the process stored in the new mapping"

process P
P: mmap A 4K PROT_READ|PROT_WRITE MAP_PRIVATE|MAP_ANONYMOUS
P: store A 0x1
P: rdma_reg_mr MR A 0x7ffffffff000 odp
P: r0 = rdma_read MR 0                           # device page fault: the device pte now maps A's frame
P: munmap A 4K                                   # ->invalidate zaps the device pte
# The HCA faults the page in (hmm_range_fault, no pin) and reads it; the process munmaps the buffer, which runs
P: mmap B 4K PROT_READ|PROT_WRITE MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED A
P: store B 0x2
P: r1 = rdma_read MR 0                           # faults again: the new frame

exists (P:r0 != 0x1 \/ P:r1 != 0x2)

expect 4.8 4.9 5.7 5.8 5.9 5.11 5.19 6.18 forbidden

known 4.8 4.9 5.7 5.8 5.9 5.11 5.19 6.18 forbidden "kernel-mm.md §9 RDMA row: ODP MRs (ib_umem_odp) use mmu_interval_notifier + hmm_range_fault, no pins; §5.5: the snapshot is valid only until the next invalidate callback, which zaps the device page table"
