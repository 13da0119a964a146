# The kernel's tools/testing/selftests/mm/madv_populate.c (David Hildenbrand, 2021), on 2 MiB of private
# anonymous memory in base pages (the model has no THP). test_prot_read: in a PROT_READ mapping
# MADV_POPULATE_READ succeeds and MADV_POPULATE_WRITE fails with -EINVAL (madvise_populate: the VMA lacks VM_WRITE).
scenario madv-populate-prot-read
doc "MADV_POPULATE_READ works on PROT_READ memory, MADV_POPULATE_WRITE is -EINVAL"

process P
P: mmap A 2M PROT_READ MAP_PRIVATE|MAP_ANONYMOUS
P: r0 = madvise A 2M MADV_POPULATE_READ      # "MADV_POPULATE_READ with PROT_READ"
P: r1 = madvise A 2M MADV_POPULATE_WRITE     # "MADV_POPULATE_WRITE with PROT_READ"

exists (P:r0 != 0 \/ P:r1 != -EINVAL)

expect 5.19 6.18 never
expect 4.8 4.9 5.7 5.8 5.9 5.11 always       # MADV_POPULATE_* came in 5.14: -EINVAL for both before
known 6.18 forbidden "tools/testing/selftests/mm/madv_populate.c: test_prot_read 'MADV_POPULATE_READ with PROT_READ', 'MADV_POPULATE_WRITE with PROT_READ' pass"
