# The kernel's tools/testing/selftests/mm/merge.c (6.16+), mprotect_faulted_left_unfaulted_right: nine pages, the
# last three made read-only (unfaulted), the first page written (the six read-write pages get an anon_vma), the first
# three made read-only (split: faulted RO, faulted RW, unfaulted RO), then the middle three made read-only: all three
# must merge into one VMA of nine pages. The faulted middle joins the faulted left (one anon_vma) and the unfaulted
# right, which 3.0 to 6.15 refused (879bca0a2c4f; switch anon_vma_merge). Observed by growing the nine pages.
scenario merge-mprotect-faulted-left-unfaulted-right
doc "merge.c: a faulted VMA made read-only between a faulted and an unfaulted read-only one merges with both"

process P
P: mmap C 120K PROT_NONE MAP_PRIVATE|MAP_ANONYMOUS
P: mmap A 36K PROT_READ|PROT_WRITE MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED|MAP_NORESERVE C+8K
P: r0 = mprotect A+24K 12K PROT_READ
P: s0 = store A 0x78
P: r1 = mprotect A 12K PROT_READ
P: r2 = mprotect A+12K 12K PROT_READ
P: m = mremap M A 36K 40K MREMAP_MAYMOVE       # one VMA [ptr, ptr + 9 pages)

exists (P:r0 != 0 \/ P:s0 != 0 \/ P:r1 != 0 \/ P:r2 != 0 \/ P:m = -EFAULT)

expect 2.6.19 2.6.23 2.6.27 never
expect 4.8 4.9 5.7 5.8 5.9 5.11 5.19 always
expect 6.18 never
known 6.18 forbidden "tools/testing/selftests/mm/merge.c: 'merge.mprotect_faulted_left_unfaulted_right' passes"
