# A pinned MR across munmap and mmap again at the same address (kernel-mm.md §9 RDMA row, §5; the seed thread
# ../shared/seeds/002_*.txt, Andrea Arcangeli to Jason Gunthorpe, Jan 2021: drivers "that aren't using mmu
# notifier and that rely solely on page pins"). ibv_reg_mr pins the buffer's frame (FOLL_LONGTERM; a plain
# FOLL_GET reference before 5.6). munmap drops the process's mapping but not the pin, so the frame lives on,
# held by the HCA alone; the new mapping at the same address gets a fresh frame, and the process's store goes
# there. The RDMA READ still DMAs from the pinned frame: the device sees the old data, under every kernel. The
# program's munmap parted them, so this is a divergence the program caused, not a pin-coherence violation: from
# 5.7, where the MR holds a long-term pin, `mmsim run` lists it and `diverged munmap` would name it (4.8 and 4.9
# hold plain references, which nothing ties to the pte). scenarios/divergence/ has the cases by cause.
scenario rdma-pinned-remap
doc "A pinned MR does not follow munmap and mmap of its range: the device keeps reading the old frame"

process P
P: mmap A 4K PROT_READ|PROT_WRITE MAP_PRIVATE|MAP_ANONYMOUS
P: store A 0x1
P: rdma_reg_mr MR A 4K pinned
P: munmap A 4K                                   # the pin keeps the frame
P: mmap B 4K PROT_READ|PROT_WRITE MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED A
P: store B 0x2                                   # a new frame
P: r0 = rdma_read MR 0                           # DMA from the pinned frame

exists (P:r0 != 0x2)

expect 4.8 4.9 5.7 5.8 5.9 5.11 5.19 6.18 allowed

known 4.8 4.9 5.7 5.8 5.9 5.11 5.19 6.18 allowed "kernel-mm.md §9 RDMA row: ib_umem_get pins until deregistration, only ODP MRs follow the mm through mmu_interval_notifier; seeds/002 (Arcangeli, Jan 2021): drivers not using mmu notifier rely solely on page pins"
