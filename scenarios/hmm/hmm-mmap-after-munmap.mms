# hmm-tests.c "anon_read" after munmap (the selftests' unmapped-range checks, base pages): the mirror read the
# page, then the process unmaps it. munmap's ->invalidate (MMU_NOTIFY_UNMAP) erased the mirror's entry, so the
# next HMM_DMIRROR_READ faults, and hmm_range_fault finds no VMA: -EFAULT, never the old data.
scenario hmm-mmap-after-munmap
doc "After munmap the mirror's read fails with -EFAULT"

process P
P: mmap A 4K PROT_READ|PROT_WRITE MAP_PRIVATE|MAP_ANONYMOUS
P: store A 0x11
P: dmirror_open D
P: r0 = dmirror_read D A
P: munmap A 4K
P: r1 = dmirror_read D A

exists (P:r0 != 0x11 \/ P:r1 != -14)

expect 4.8 4.9 5.7 5.8 5.9 5.11 5.19 6.18 forbidden

known 6.18 forbidden "kernel-mm.md §5.5: hmm_range_fault returns -EFAULT where a fault was requested and there is no VMA; the invalidate callback zaps the device page table"
