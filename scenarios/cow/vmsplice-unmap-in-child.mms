# cow selftest "vmsplice() + unmap in child ... with base page" (do_test_vmsplice_in_child): the child
# vmsplices the COW-shared page into a pipe (read-only FOLL_GET), unmaps it, the parent writes, and
# the child reads the pipe. This is CVE-2020-29374: up to 5.7 the parent, now the only mapper,
# reused the page by mapcount and the pipe saw its write. 5.8 made the child's GUP break COW first;
# 5.9 copies because page_count != 1.
scenario cow-vmsplice-unmap-in-child
doc "Leak from parent into child through a pipe page"

process P
P: mmap A 4K PROT_READ|PROT_WRITE MAP_PRIVATE|MAP_ANONYMOUS
P: store A 0x00
P: fork C
C: pipe F
C: vmsplice F A 4K
C: munmap A 4K
P: store A 0xff
C: r0 = read F

exists (C:r0 != 0x00)

expect 4.8 4.9 5.7 allowed
expect 5.8 5.9 5.11 5.19 6.18 forbidden

# The real 6.18 kernel: the selftest passed (ok), so the bad outcome did not happen.
known 6.18 forbidden "kernel-oracle.md §6.1 #109 'vmsplice() + unmap in child ... with base page': ok in runs A, B and C"
