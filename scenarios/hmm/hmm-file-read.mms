# hmm-tests.c "file_read" (base pages): a file written with pwrite and mapped shared; the mirror reads the page
# cache frame the CPU maps.
scenario hmm-file-read
doc "The mirror reads a file's data through a shared file mapping"

process P
P: creat F ext4 8K
P: pwrite F 0 0x11
P: pwrite F 0x1008 0x22
P: mmap_file A F 8K PROT_READ|PROT_WRITE MAP_SHARED
P: store A+8 0x12                                # a store through the mapping too
P: dmirror_open D
P: r0 = dmirror_read D A
P: r1 = dmirror_read D A+8
P: r2 = dmirror_read D A+0x1008

exists (P:r0 != 0x11 \/ P:r1 != 0x12 \/ P:r2 != 0x22)

expect 4.8 4.9 5.7 5.8 5.9 5.11 5.19 6.18 forbidden

known 6.18 forbidden "kernel-mm.md §5.5: hmm_range_fault snapshots page-cache PFNs as it does anon ones; hmm-tests.c file_read passes"
