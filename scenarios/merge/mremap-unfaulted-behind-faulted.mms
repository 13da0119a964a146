# The kernel's tools/testing/selftests/mm/merge.c (6.16+), mremap_unfaulted_behind_faulted: two five-page areas, the
# second moved far away (never faulted, so copy_vma gives it the page offset of its new address), the first written,
# then the second moved back right before the first (MREMAP_FIXED): it must merge with it, an unfaulted VMA taken
# into a faulted neighbour above it, which every kernel does. Observed by growing the ten pages.
scenario merge-mremap-unfaulted-behind-faulted
doc "merge.c: an unfaulted VMA moved right before a faulted one merges with it"

process P
P: mmap C 120K PROT_NONE MAP_PRIVATE|MAP_ANONYMOUS
P: mmap A 20K PROT_READ|PROT_WRITE MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED C+24K
P: mmap B 20K PROT_READ|PROT_WRITE MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED C+56K
P: f = mremap F B 20K 20K MREMAP_MAYMOVE|MREMAP_FIXED B+4000K
P: s0 = store A 0x78
P: b = mremap G F 20K 20K MREMAP_MAYMOVE|MREMAP_FIXED C+4K
P: m = mremap M G 40K 44K MREMAP_MAYMOVE       # one VMA [ptr2, ptr2 + 10 pages)

exists (P:s0 != 0 \/ P:b = -EFAULT \/ P:b = -EINVAL \/ P:m = -EFAULT)

expect 2.6.19 2.6.23 2.6.27 4.8 4.9 5.7 5.8 5.9 5.11 5.19 6.18 never
known 6.18 forbidden "tools/testing/selftests/mm/merge.c: 'merge.mremap_unfaulted_behind_faulted' passes"
