# The B3 program with an on-demand-paging MR (kernel-mm.md §9 RDMA row, §5.4, §5.5, §10 B3; seeds/002: Gunthorpe,
# Jan 2021, on mmu-notifier users versus page pins). The HCA faults the page in, the process forks: fork
# write-protects the parent's pte (MMU_NOTIFY_PROTECTION_PAGE), which zaps the device pte. The parent's write
# then copies or reuses the frame as each kernel decides, and the next RDMA READ faults again and maps whatever
# the parent's pte maps now. No pin, no stale frame: the device sees the parent's write under every kernel.
scenario rdma-odp-fork-parent-write
doc "After fork and a parent write, an ODP MR reads the parent's new data under every kernel"

process P
P: mmap A 4K PROT_READ|PROT_WRITE MAP_PRIVATE|MAP_ANONYMOUS
P: store A 0x1
P: rdma_reg_mr MR A 4K odp
P: r0 = rdma_read MR 0                           # device pte maps A's frame
P: fork C                                        # ->invalidate: the device pte is zapped
P: store A 0x2                                   # COW (or reuse) in the parent
P: r1 = rdma_read MR 0                           # faults again: the parent's frame now

exists (P:r0 != 0x1 \/ P:r1 != 0x2)

expect 4.8 4.9 5.7 5.8 5.9 5.11 5.19 6.18 forbidden

known 4.8 4.9 5.7 5.8 5.9 5.11 5.19 6.18 forbidden "kernel-mm.md §9 RDMA row: ODP MRs use mmu_interval_notifier + hmm_range_fault, no pins; §5.5 driver loop: the device page table is zapped by every invalidation and refilled from the CPU page table"
