# cow selftest "vmsplice() + unmap in child with mprotect() optimization ... with base page": as
# vmsplice-unmap-in-child, with mprotect(PROT_READ) and mprotect(PROT_READ|PROT_WRITE) in the parent
# before its write. After the child's munmap the page is mapped once but not exclusive (fork cleared
# the flag), so 6.x's mprotect shortcut must leave it read-only and the write must copy.
scenario cow-vmsplice-unmap-in-child-mprotect
doc "Leak from parent into child through a pipe page, with the mprotect shortcut in play"

process P
P: mmap A 4K PROT_READ|PROT_WRITE MAP_PRIVATE|MAP_ANONYMOUS
P: store A 0x00
P: fork C
C: pipe F
C: vmsplice F A 4K
C: munmap A 4K
P: mprotect A 4K PROT_READ
P: mprotect A 4K PROT_READ|PROT_WRITE
P: store A 0xff
C: r0 = read F

exists (C:r0 != 0x00)

expect 4.8 4.9 5.7 allowed
expect 5.8 5.9 5.11 5.19 6.18 forbidden

# The real 6.18 kernel: the selftest passed (ok), so the bad outcome did not happen.
known 6.18 forbidden "kernel-oracle.md §6.1 #163 'vmsplice() + unmap in child with mprotect() optimization ... with base page': ok in runs A, B and C"
