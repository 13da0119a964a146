# MADV_WIPEONFORK (4.14) on a pinned buffer: dup_mmap gives the child the VMA without its ptes
# (copy_page_range is skipped for VM_WIPEONFORK), so fork never shares the pinned page, as with
# MADV_DONTFORK, but the child finds zero-filled memory where MADV_DONTFORK leaves a hole. The parent's
# write hits its own exclusive page, the one the device sees, in every profile.
scenario pins-madv-wipeonfork
doc "MADV_WIPEONFORK on a pinned buffer: the child reads zeros, the pin and the parent's mapping stay together"

process P
P: mmap A 4K PROT_READ|PROT_WRITE MAP_PRIVATE|MAP_ANONYMOUS
P: store A 0x1
P: pin_user_pages MR A 1 FOLL_WRITE|FOLL_LONGTERM
P: madvise A 4K MADV_WIPEONFORK
P: fork C
C: r1 = load A                                   # a fresh anonymous VMA: zero
C: store A 0x3
P: store A 0x2
P: r0 = dma_read MR

exists (P:r0 != 0x2 \/ C:r1 != 0 \/ [C:A] != 0x3)

expect 5.7 5.8 5.9 5.11 5.19 6.18 forbidden
