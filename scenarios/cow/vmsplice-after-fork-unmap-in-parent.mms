# cow selftest "vmsplice() + unmap in parent after fork() ... with base page"
# (do_test_vmsplice_in_parent, before_fork=false): the parent vmsplices the already COW-shared page,
# unmaps it, the child writes, the parent reads the pipe. Up to 5.7 the child reuses the page by
# mapcount and the pipe sees its write; 5.8 makes the parent's GUP break COW first, so the pipe
# holds the parent's private copy; 5.9 copies because page_count != 1.
scenario cow-vmsplice-after-fork-unmap-in-parent
doc "Leak from child into parent through a pipe page filled after fork"

process P
P: mmap A 4K PROT_READ|PROT_WRITE MAP_PRIVATE|MAP_ANONYMOUS
P: store A 0x00
P: pipe F
P: fork C
P: vmsplice F A 4K
P: munmap A 4K
C: store A 0xff
P: r0 = read F

exists (P:r0 != 0x00)

expect 4.8 4.9 5.7 allowed
expect 5.8 5.9 5.11 5.19 6.18 forbidden

# The real 6.18 kernel: the selftest passed (ok), so the bad outcome did not happen.
known 6.18 forbidden "kernel-oracle.md §6.1 #271 'vmsplice() + unmap in parent after fork() ... with base page': ok in runs A, B and C"
