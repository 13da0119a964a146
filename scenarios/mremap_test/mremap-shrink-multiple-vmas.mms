# The kernel's tools/testing/selftests/mm/mremap_test.c (6.17+ version), mremap_shrink_multiple_vmas, both variants: ten private
# anonymous pages with pages 1, 3, 5, 7, 9 unmapped (five VMAs and gaps); [inplace] mremap(ptr, 10 pages,
# 1 page, 0) and [not inplace] mremap(ptr, 10 pages, 1 page, MREMAP_MAYMOVE|MREMAP_FIXED, tgt) must succeed:
# the tail is unmapped first, so only the first page's VMA has to be resized.
scenario mremap-shrink-multiple-vmas
doc "mremap_test.c: shrinking across several VMAs and gaps succeeds, in place and to a fixed target"

process P
P: a = mmap A 40K PROT_READ|PROT_WRITE MAP_PRIVATE|MAP_ANONYMOUS
P: t = mmap T 40K PROT_READ|PROT_WRITE MAP_PRIVATE|MAP_ANONYMOUS
P: munmap T 40K
P: munmap A+4K 4K
P: munmap A+12K 4K
P: munmap A+20K 4K
P: munmap A+28K 4K
P: munmap A+36K 4K
P: r0 = mremap R0 A 40K 4K 0                              # "mremap shrink multiple vmas [inplace]"
P: munmap A 40K
P: b = mmap B 40K PROT_READ|PROT_WRITE MAP_PRIVATE|MAP_ANONYMOUS
P: munmap B+4K 4K
P: munmap B+12K 4K
P: munmap B+20K 4K
P: munmap B+28K 4K
P: munmap B+36K 4K
P: r1 = mremap R1 B 40K 4K MREMAP_MAYMOVE|MREMAP_FIXED T  # "mremap shrink multiple vmas"

exists (P:r0 != P:a \/ P:r1 != P:t)

expect 5.19 6.18 never
known 6.18 forbidden "tools/testing/selftests/mm/mremap_test.c: 'mremap shrink multiple vmas [inplace]' and 'mremap shrink multiple vmas' pass"
