# The kernel's tools/testing/selftests/mm/mremap_test.c (6.17+ version), mremap_expand_merge_offset: three private anonymous pages,
# the last unmapped, then mremap(start + 1 page, 1 page, 2 pages, 0) grows the VMA from its second page back
# over the hole: the mapping must be one VMA of three pages again. Observed as in mremap-expand-merge.
scenario mremap-expand-merge-offset
doc "mremap_test.c: growing a VMA from an offset into it restores the single VMA"

process P
P: a = mmap A 12K PROT_READ|PROT_WRITE MAP_PRIVATE|MAP_ANONYMOUS
P: u = munmap A+8K 4K
P: r0 = mremap R A+4K 4K 8K 0
P: r1 = mremap Z A 12K 16K MREMAP_MAYMOVE        # is_range_mapped(start, start + 3 pages)

exists (P:u != 0 \/ P:r0 = -ENOMEM \/ P:r0 = -EFAULT \/ P:r0 = -EINVAL \/ P:r1 = -EFAULT)

expect 5.19 6.18 never
known 6.18 forbidden "tools/testing/selftests/mm/mremap_test.c: 'mremap expand merge offset' passes"
