# The kernel's tools/testing/selftests/mm/merge.c (6.16+), mprotect_unfaulted_right: the mirror of
# mprotect_unfaulted_left. Ten pages, the last five made read-only, the first written (the lower VMA gets an
# anon_vma), then the first five made read-only: the faulted VMA must merge with the unfaulted one above it, which
# 3.0 to 6.15 refused (965f55dea0e3, fixed by 879bca0a2c4f; switch anon_vma_merge). Observed as in
# mprotect-unfaulted-left.
scenario merge-mprotect-unfaulted-right
doc "merge.c: a faulted VMA made read-only below an unfaulted read-only one merges with it"

process P
P: mmap C 120K PROT_NONE MAP_PRIVATE|MAP_ANONYMOUS
P: mmap A 40K PROT_READ|PROT_WRITE MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED|MAP_NORESERVE C+4K
P: r0 = mprotect A+20K 20K PROT_READ
P: s0 = store A 0x78
P: r1 = mprotect A 20K PROT_READ
P: m = mremap M A 40K 44K MREMAP_MAYMOVE       # one VMA [ptr, ptr + 10 pages)

exists (P:r0 != 0 \/ P:s0 != 0 \/ P:r1 != 0 \/ P:m = -EFAULT)

expect 2.6.19 2.6.23 2.6.27 never
expect 4.8 4.9 5.7 5.8 5.9 5.11 5.19 always
expect 6.18 never
known 6.18 forbidden "tools/testing/selftests/mm/merge.c: 'merge.mprotect_unfaulted_right' passes"
