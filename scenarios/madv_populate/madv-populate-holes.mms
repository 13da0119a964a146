# The kernel's tools/testing/selftests/mm/madv_populate.c (David Hildenbrand, 2021), on 2 MiB of private
# anonymous memory in base pages (the model has no THP). test_holes: with the second page
# unmapped, both advices fail with -ENOMEM for a hole in the middle (the whole 2 MiB), at the end (the first two
# pages) and at the beginning (the second page alone).
scenario madv-populate-holes
doc "MADV_POPULATE_READ/WRITE over a hole fail with -ENOMEM"

process P
P: mmap A 2M PROT_READ|PROT_WRITE MAP_PRIVATE|MAP_ANONYMOUS
P: u = munmap A+4K 4K
P: r0 = madvise A 2M MADV_POPULATE_READ      # "with holes in the middle"
P: r1 = madvise A 2M MADV_POPULATE_WRITE
P: r2 = madvise A 8K MADV_POPULATE_READ      # "with holes at the end"
P: r3 = madvise A 8K MADV_POPULATE_WRITE
P: r4 = madvise A+4K 4K MADV_POPULATE_READ   # "with holes at the beginning"
P: r5 = madvise A+4K 4K MADV_POPULATE_WRITE

exists (P:u != 0 \/ P:r0 != -ENOMEM \/ P:r1 != -ENOMEM \/ P:r2 != -ENOMEM \/ P:r3 != -ENOMEM \/ P:r4 != -ENOMEM \/ P:r5 != -ENOMEM)

expect 5.19 6.18 never
known 6.18 forbidden "tools/testing/selftests/mm/madv_populate.c: test_holes, all six 'with holes in the middle/at the end/at the beginning' pass"
