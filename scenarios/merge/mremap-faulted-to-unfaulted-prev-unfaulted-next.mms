# The kernel's tools/testing/selftests/mm/merge.c (added in 2026 with the tgt/src mremap merge tests, after
# 879bca0a2c4f), mremap_faulted_to_unfaulted_prev_unfaulted_next: VMA B (three pages) faulted in and moved away; VMAs
# A and C mapped, unfaulted, with B's old place between them; B moved back with MREMAP_DONTUNMAP|MREMAP_FIXED: all
# three must merge into one VMA of nine pages, a faulted VMA taken into an unfaulted one on each side (6.16; refused
# from 3.0 to 6.15; no MREMAP_DONTUNMAP before 5.7). Observed by growing the nine pages.
scenario merge-mremap-faulted-to-unfaulted-prev-unfaulted-next
doc "merge.c: a faulted VMA moved (DONTUNMAP) between two unfaulted ones merges all three"

process P
P: mmap C 120K PROT_NONE MAP_PRIVATE|MAP_ANONYMOUS
P: mmap B 12K PROT_READ|PROT_WRITE MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED C+16K
P: store B 0x78
P: b1 = mremap B1 B 12K 12K MREMAP_FIXED|MREMAP_MAYMOVE C+80K
P: mmap A 12K PROT_READ|PROT_WRITE MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED C+4K
P: mmap D 12K PROT_READ|PROT_WRITE MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED C+28K
P: b2 = mremap B2 B1 12K 12K MREMAP_FIXED|MREMAP_MAYMOVE|MREMAP_DONTUNMAP C+16K
P: m = mremap M A 36K 40K MREMAP_MAYMOVE       # one VMA [ptr_a, ptr_a + 9 pages)

exists (P:b2 = -EINVAL \/ P:m = -EFAULT)

expect 2.6.19 4.9 5.7 5.19 always
expect 6.18 never
known 6.18 forbidden "tools/testing/selftests/mm/merge.c: 'merge.mremap_faulted_to_unfaulted_prev_unfaulted_next' passes"
