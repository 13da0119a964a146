# cow selftest "vmsplice() before fork(), unmap in parent after fork() ... with base page"
# (do_test_vmsplice_in_parent, before_fork=true): the parent vmsplices its page, forks, unmaps its
# mapping; the child writes; the parent reads the pipe. The mirror of CVE-2020-29374, leaking child
# into parent. 5.8's forced COW break does not help: the page is exclusive when the parent splices it,
# so GUP has nothing to break; fork then shares it and the child, as the only mapper, reuses it by
# mapcount. 5.9's page-count rule copies (the pipe holds a reference).
scenario cow-vmsplice-before-fork-unmap-in-parent
doc "Leak from child into parent through a pipe page filled before fork"

process P
P: mmap A 4K PROT_READ|PROT_WRITE MAP_PRIVATE|MAP_ANONYMOUS
P: store A 0x00
P: pipe F
P: vmsplice F A 4K
P: fork C
P: munmap A 4K
C: store A 0xff
P: r0 = read F

exists (P:r0 != 0x00)

expect 4.8 4.9 5.7 5.8 allowed
expect 5.9 5.11 5.19 6.18 forbidden

# The real 6.18 kernel: the selftest passed (ok), so the bad outcome did not happen.
known 6.18 forbidden "kernel-oracle.md §6.1 #217 'vmsplice() before fork(), unmap in parent after fork() ... with base page': ok in runs A, B and C"
