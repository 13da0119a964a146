# The kernel's tools/testing/selftests/mm/merge.c (6.16+), mremap_unfaulted_between_faulted_unfaulted: three
# five-page areas; the third and the second moved far away, the first written; the unfaulted third moved back two
# areas after the first (it takes its new address's page offset); then the unfaulted second moved between them: all
# three merge into one VMA of fifteen pages, two unfaulted VMAs taken into the faulted one, which every kernel does.
# Observed by growing the fifteen pages.
scenario merge-mremap-unfaulted-between-faulted-unfaulted
doc "merge.c: an unfaulted VMA moved between a faulted and an unfaulted one merges all three"

process P
P: mmap C 120K PROT_NONE MAP_PRIVATE|MAP_ANONYMOUS
P: mmap A 20K PROT_READ|PROT_WRITE MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED C+4K
P: mmap B 20K PROT_READ|PROT_WRITE MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED C+28K
P: mmap D 20K PROT_READ|PROT_WRITE MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED C+56K
P: mremap D2 D 20K 20K MREMAP_MAYMOVE|MREMAP_FIXED D+8000K
P: mremap B2 B 20K 20K MREMAP_MAYMOVE|MREMAP_FIXED B+4000K
P: store A 0x78
P: d = mremap D3 D2 20K 20K MREMAP_MAYMOVE|MREMAP_FIXED A+40K
P: b = mremap B3 B2 20K 20K MREMAP_MAYMOVE|MREMAP_FIXED A+20K
P: m = mremap M A 60K 64K MREMAP_MAYMOVE       # one VMA [ptr, ptr + 15 pages)

exists (P:d = -EINVAL \/ P:d = -EFAULT \/ P:b = -EINVAL \/ P:b = -EFAULT \/ P:m = -EFAULT)

expect 2.6.19 2.6.23 2.6.27 4.8 4.9 5.7 5.8 5.9 5.11 5.19 6.18 never
known 6.18 forbidden "tools/testing/selftests/mm/merge.c: 'merge.mremap_unfaulted_between_faulted_unfaulted' passes"
