# "COW can break either way" (Linus, 17839856fd58; Peter Xu's 5.9 series): an RDMA-style writable
# long-term pin in the parent, fork without MADV_DONTFORK, then a parent write. Up to 5.8 fork shares
# the pinned page and the parent's write fault copies it (mapcount 2), so the parent's pte and the
# device's pin point at different frames: the device reads stale data. 5.9 copies maybe-pinned pages
# for the child at fork (70e806e4e645), leaving the parent's pte writable on the pinned page; 5.19
# expresses the same through PageAnonExclusive (folio_try_dup_anon_rmap_pte fails with -EBUSY).
# kernel-mm.md §10 B3.
scenario b3-cow-breaks-either-way
doc "After fork, the parent's write COWs away from its own RDMA-pinned page"

process P
P: mmap A 4K PROT_READ|PROT_WRITE MAP_PRIVATE|MAP_ANONYMOUS
P: store A 0x1                                   # the buffer is populated
P: pin_user_pages MR A 1 FOLL_WRITE|FOLL_LONGTERM # ibv_reg_mr: refcount 1 + 1024
P: fork C                                        # no MADV_DONTFORK
P: store A 0x2                                   # the decisive write fault
P: r0 = dma_read MR                              # what the device sees

exists (P:r0 != 0x2)

expect 5.7 5.8 allowed
expect 5.9 5.11 5.19 6.18 forbidden

# Nothing is stated for 4.8 and 4.9: pin_user_pages only exists since 5.6 (kernel-mm.md §0), so those kernels
# cannot run this program as written (the model's pin fails there, and dma_read of the empty handle gives -EFAULT).
known 5.7 5.8 allowed "kernel-mm.md §10 B3, Affected: before 5.9 without MADV_DONTFORK"
known 5.9 5.11 5.19 forbidden "kernel-mm.md §10 B3, Fixed (5.9 final): the child gets a copy at fork and the parent's pte stays writable on B"
known 6.18 forbidden "kernel-mm.md §10 B3, Fixed (5.9 final); kernel-oracle.md §6.1 #379 'fork() with an iouring fixed buffer ... with base page': ok"
