# The kernel's tools/testing/selftests/mm/merge.c (6.16+), mremap_unfaulted_between_correctly_placed_faulted: fifteen
# pages written (one anon_vma), the middle five unmapped (the two faulted parts keep page offsets that run on), a
# new five-page area mapped elsewhere and moved into the gap: all three merge into one VMA of fifteen pages, an
# unfaulted VMA between two faulted ones on one anon_vma, which every kernel does. Observed by growing the fifteen.
scenario merge-mremap-unfaulted-between-correctly-placed-faulted
doc "merge.c: an unfaulted VMA moved into the gap of a faulted VMA merges it back into one"

process P
P: mmap C 120K PROT_NONE MAP_PRIVATE|MAP_ANONYMOUS
P: mmap A 60K PROT_READ|PROT_WRITE MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED C+4K
P: store A 0x78
P: munmap A+20K 20K
P: mmap B 20K PROT_READ|PROT_WRITE MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED C+80K
P: b = mremap B2 B 20K 20K MREMAP_MAYMOVE|MREMAP_FIXED A+20K
P: m = mremap M A 60K 64K MREMAP_MAYMOVE       # one VMA [ptr, ptr + 15 pages)

exists (P:b = -EINVAL \/ P:b = -EFAULT \/ P:m = -EFAULT)

expect 2.6.19 2.6.23 2.6.27 4.8 4.9 5.7 5.8 5.9 5.11 5.19 6.18 never
known 6.18 forbidden "tools/testing/selftests/mm/merge.c: 'merge.mremap_unfaulted_between_correctly_placed_faulted' passes"
