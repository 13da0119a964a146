# The kernel's tools/testing/selftests/mm/merge.c (added in 2026 with the tgt/src mremap merge tests, after
# 879bca0a2c4f), mremap_faulted_to_unfaulted_prev: VMA A (three pages)
# faulted in, moved away; VMA B mapped, unfaulted, where A's place begins three pages earlier; A moved back with
# MREMAP_DONTUNMAP|MREMAP_FIXED right after B: the two must merge into one VMA of six pages, a faulted VMA taken into
# an unfaulted one (6.16, 879bca0a2c4f; switch anon_vma_merge). From 3.0 to 6.15 that was refused; before 5.7 there
# is no MREMAP_DONTUNMAP. Observed by growing the six pages with MREMAP_MAYMOVE.
scenario merge-mremap-faulted-to-unfaulted-prev
doc "merge.c: a faulted VMA moved (DONTUNMAP) right after an unfaulted one merges with it"

process P
P: mmap C 120K PROT_NONE MAP_PRIVATE|MAP_ANONYMOUS
P: mmap A 12K PROT_READ|PROT_WRITE MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED C+16K
P: store A 0x78
P: a1 = mremap A1 A 12K 12K MREMAP_FIXED|MREMAP_MAYMOVE C+80K
P: mmap B 12K PROT_READ|PROT_WRITE MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED C+4K
P: a2 = mremap A2 A1 12K 12K MREMAP_FIXED|MREMAP_MAYMOVE|MREMAP_DONTUNMAP C+16K
P: m = mremap M B 24K 28K MREMAP_MAYMOVE       # one VMA [ptr_b, ptr_b + 6 pages)

exists (P:a2 = -EINVAL \/ P:m = -EFAULT)

expect 2.6.19 4.9 5.7 5.19 always
expect 6.18 never
known 6.18 forbidden "tools/testing/selftests/mm/merge.c: 'merge.mremap_faulted_to_unfaulted_prev' passes"
