# clear_refs (soft-dirty) against an on-demand-paging MR (kernel-mm.md §10 B4, §5.2, §5.5). clear_refs 4
# write-protects the pte and raises MMU_NOTIFY_SOFT_DIRTY, which zaps the device pte; whether the process's write
# then copies (5.9) or reuses the frame, the next RDMA READ faults and maps the frame the CPU maps. Never stale.
scenario rdma-odp-clear-refs
doc "After clear_refs 4 and a process write, an ODP MR reads the new data under every kernel"

process P
P: mmap A 4K PROT_READ|PROT_WRITE MAP_PRIVATE|MAP_ANONYMOUS
P: store A 0x1
P: rdma_reg_mr MR A 4K odp
P: r0 = rdma_write MR 0 0x5                      # device write fault: the device pte maps A's frame writable
P: clear_refs 4                                  # ->invalidate (SOFT_DIRTY): the device pte is zapped
P: store A 0x2                                   # the write fault copies under 5.9
P: r1 = rdma_read MR 0                           # faults again: the frame the CPU maps

exists (P:r0 != 0 \/ P:r1 != 0x2)

expect 4.8 4.9 5.7 5.8 5.9 5.11 5.19 6.18 forbidden

known 4.8 4.9 5.7 5.8 5.9 5.11 5.19 6.18 forbidden "kernel-mm.md §9 RDMA row: ODP MRs use mmu_interval_notifier + hmm_range_fault, no pins; §5.2: clear_refs raises MMU_NOTIFY_SOFT_DIRTY, so the device page table follows the COW of §10 B4"
