# "COW can break either way" with a real RDMA driver (kernel-mm.md §10 B3, §9 RDMA row; seeds/002: Arcangeli and
# Gunthorpe on page_count vs pins, Jan 2021). ibv_reg_mr pins the buffer (ib_umem_get: FOLL_LONGTERM|FOLL_WRITE;
# get_user_pages(FOLL_WRITE) before FOLL_PIN), the process forks without MADV_DONTFORK, then writes. Up to 5.8 fork
# shares the pinned frame write-protected and the parent's write fault copies it (mapcount 2): the parent now
# writes a new frame while the HCA DMAs from the old one, and the RDMA READ sends stale data. 5.9 copies
# maybe-pinned pages for the child at fork, so the parent's pte stays writable on the pinned frame.
scenario rdma-pinned-fork-parent-write
doc "After fork, the parent's write COWs away from its pinned MR before 5.9; the device reads stale data"

process P
P: mmap A 4K PROT_READ|PROT_WRITE MAP_PRIVATE|MAP_ANONYMOUS
P: store A 0x1
P: rdma_reg_mr MR A 4K pinned                    # pins the frame, charges RLIMIT_MEMLOCK
P: fork C                                        # no MADV_DONTFORK
P: store A 0x2                                   # the decisive write fault
P: r0 = rdma_read MR 0                           # the HCA reads the MR

exists (P:r0 != 0x2)

expect 4.8 4.9 5.7 5.8 allowed
expect 5.9 5.11 5.19 6.18 forbidden

known 4.8 4.9 5.7 5.8 allowed "kernel-mm.md §10 B3, Affected: before 5.9 without MADV_DONTFORK; §9 RDMA row: pre-5.9 needs MADV_DONTFORK (ibv_fork_init), else parent write after fork COWs away from the MR"
known 5.9 5.11 5.19 6.18 forbidden "kernel-mm.md §10 B3, Fixed (5.9 final): has_pinned and maybe_dma_pinned at fork mean the child gets a copy and the parent's pte stays writable on B"
