# The workaround RDMA used before 5.9 (libibverbs ibv_fork_init / RDMAV_FORK_SAFE): MADV_DONTFORK on the
# registered range, so fork leaves a hole in the child and never shares the pinned page. The parent's
# write then hits its own exclusive page in every profile.
scenario pins-madv-dontfork
doc "MADV_DONTFORK on a pinned buffer keeps the pin and the parent's mapping together across fork"

process P
P: mmap A 4K PROT_READ|PROT_WRITE MAP_PRIVATE|MAP_ANONYMOUS
P: store A 0x1
P: pin_user_pages MR A 1 FOLL_WRITE|FOLL_LONGTERM
P: madvise A 4K MADV_DONTFORK
P: fork C
C: r1 = load A                                   # the child has a hole here: SIGSEGV
P: store A 0x2
P: r0 = dma_read MR

exists (P:r0 != 0x2 \/ C:r1 != SIGSEGV)

expect 5.7 5.8 5.9 5.11 5.19 6.18 forbidden
