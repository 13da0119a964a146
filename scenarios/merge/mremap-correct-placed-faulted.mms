# The kernel's tools/testing/selftests/mm/merge.c (6.16+), mremap_correct_placed_faulted: fifteen pages written (one
# anon_vma); the last five and the middle five moved far away (faulted, they keep their page offsets); the middle
# five moved back into place: they merge with the first five (ten pages); the first five moved away and back: they
# merge again; then the last five moved back: all fifteen are one VMA. Faulted VMAs on one anon_vma whose page
# offsets run on merge in every kernel. The selftest goes on moving parts out and back; the first rounds stand for
# it here. Observed by growing the merged ranges.
scenario merge-mremap-correct-placed-faulted
doc "merge.c: faulted parts of one VMA moved away and back into place merge into one VMA again"

process P
P: mmap C 120K PROT_NONE MAP_PRIVATE|MAP_ANONYMOUS
P: mmap A 60K PROT_READ|PROT_WRITE MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED C+4K
P: store A 0x78
P: mremap X3 A+40K 20K 20K MREMAP_MAYMOVE|MREMAP_FIXED A+8040K
P: mremap X2 A+20K 20K 20K MREMAP_MAYMOVE|MREMAP_FIXED A+4020K
P: b = mremap B2 X2 20K 20K MREMAP_MAYMOVE|MREMAP_FIXED A+20K
P: a1 = mremap A1 A 20K 20K MREMAP_MAYMOVE|MREMAP_FIXED A+4000K
P: a2 = mremap A2 A1 20K 20K MREMAP_MAYMOVE|MREMAP_FIXED C+4K
P: c = mremap C2 X3 20K 20K MREMAP_MAYMOVE|MREMAP_FIXED A+40K
P: m = mremap M A 60K 64K MREMAP_MAYMOVE       # one VMA [ptr, ptr + 15 pages)

exists (P:b = -EINVAL \/ P:b = -EFAULT \/ P:a1 = -EFAULT \/ P:a2 = -EFAULT \/ P:c = -EFAULT \/ P:m = -EFAULT)

expect 2.6.19 2.6.23 2.6.27 4.8 4.9 5.7 5.8 5.9 5.11 5.19 6.18 never
known 6.18 forbidden "tools/testing/selftests/mm/merge.c: 'merge.mremap_correct_placed_faulted' passes"
