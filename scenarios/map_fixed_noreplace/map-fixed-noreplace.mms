# The kernel's tools/testing/selftests/mm/map_fixed_noreplace.c (Jann Horn, Michael Ellerman, 2018), all nine
# results: find a free 5-page base (mmap PROT_NONE + munmap); MAP_FIXED_NOREPLACE of the 5 pages there succeeds
# and is unmapped; 3 pages at base+1 succeed; then the exact 5-page range, one page inside, the last two pages
# overlapping the end, the first two overlapping the start must all fail (-EEXIST); one page adjacent below
# (base) and one adjacent above (base+4) succeed; the final munmap of the 5 pages succeeds. The selftest only
# asks MAP_FAILED or not; the bad outcome also asks that each success return exactly the address asked for.
scenario map-fixed-noreplace
doc "MAP_FIXED_NOREPLACE maps at a free address and refuses any overlap with -EEXIST"

process P
P: b = mmap B 20K PROT_NONE MAP_PRIVATE|MAP_ANONYMOUS        # find_base_addr
P: m0 = munmap B 20K
P: r0 = mmap A0 20K PROT_NONE MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED_NOREPLACE B
P: u0 = munmap B 20K                                          # "mmap() 5*PAGE_SIZE at base"
P: r1 = mmap A1 12K PROT_NONE MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED_NOREPLACE B+4K
P: e1 = mmap X1 20K PROT_NONE MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED_NOREPLACE B
P: e2 = mmap X2 4K PROT_NONE MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED_NOREPLACE B+8K
P: e3 = mmap X3 8K PROT_NONE MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED_NOREPLACE B+12K
P: e4 = mmap X4 8K PROT_NONE MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED_NOREPLACE B
P: r5 = mmap A5 4K PROT_NONE MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED_NOREPLACE B
P: r6 = mmap A6 4K PROT_NONE MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED_NOREPLACE B+16K
P: u1 = munmap B 20K                                          # "Base Address unmap() successful"

exists (P:m0 != 0 \/ P:r0 != P:b \/ P:u0 != 0 \/ P:r1 = -EEXIST \/ P:r1 = -EINVAL \/ P:r1 = -ENOMEM \/ P:e1 != -EEXIST \/ P:e2 != -EEXIST \/ P:e3 != -EEXIST \/ P:e4 != -EEXIST \/ P:r5 != P:b \/ P:r6 = -EEXIST \/ P:r6 = -ENOMEM \/ P:u1 != 0)

expect 5.7 5.9 5.19 6.18 never
expect 4.8 4.9 always                 # before 4.17 the flag is an unknown bit and the address only a hint
known 6.18 forbidden "tools/testing/selftests/mm/map_fixed_noreplace.c: all 9 results pass"
