# The kernel's tools/testing/selftests/mm/mremap_test.c, mremap_expand_merge: three private anonymous pages, the
# middle one unmapped, then mremap(start, 1 page, 2 pages, 0) grows the first VMA over the hole. From 6.1
# (ca3d76b0aa80, "mm: add merging after mremap resize"; switch mremap_expand_merge) the grown VMA merges with the
# third page's, and the three pages are one VMA again (the test's is_range_mapped); before, they stay two VMAs and
# the test fails. Observed as in mremap-expand-merge-offset: a remap of all three pages needs them in one VMA.
scenario mremap-expand-merge
doc "mremap_test.c: growing a VMA up to its neighbour merges the two (6.1)"

process P
P: a = mmap A 12K PROT_READ|PROT_WRITE MAP_PRIVATE|MAP_ANONYMOUS
P: u = munmap A+4K 4K
P: r0 = mremap R A 4K 8K 0
P: r1 = mremap Z A 12K 16K MREMAP_MAYMOVE        # is_range_mapped(start, start + 3 pages)

exists (P:u != 0 \/ P:r0 = -ENOMEM \/ P:r0 = -EFAULT \/ P:r0 = -EINVAL \/ P:r1 = -EFAULT)

expect 5.19 always
expect 6.18 never
known 6.18 forbidden "tools/testing/selftests/mm/mremap_test.c: 'mremap expand merge' passes"
