# mremap(MREMAP_MAYMOVE) of a pinned buffer: move_vma() copies the VMA and move_page_tables() moves each pte
# as it is, so the page the device holds is the page the process reaches at the new address; nothing is
# copied or faulted. A store at the new address is what the device reads, and the old address is gone.
scenario pins-mremap
doc "mremap moves a pinned page with its pte: the process's writes at the new address reach the device"

process P
P: mmap A 4K PROT_READ|PROT_WRITE MAP_PRIVATE|MAP_ANONYMOUS
P: mmap X 4K PROT_READ|PROT_WRITE MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED A+4K   # no room to grow in place
P: store A 0x1
P: pin_user_pages MR A 1 FOLL_WRITE|FOLL_LONGTERM
P: mremap B A 4K 8K MREMAP_MAYMOVE
P: store B 0x2
P: r0 = dma_read MR
P: r1 = load A                                   # the old range is unmapped: SIGSEGV

exists (P:r0 != 0x2 \/ P:r1 != SIGSEGV)

expect 5.7 5.19 6.18 forbidden
