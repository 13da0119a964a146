# The kernel's tools/testing/selftests/mm/madv_populate.c (David Hildenbrand, 2021), on 2 MiB of private
# anonymous memory in base pages (the model has no THP). test_prot_write: in a PROT_WRITE
# mapping MADV_POPULATE_READ fails with -EINVAL (no VM_READ) and MADV_POPULATE_WRITE succeeds.
scenario madv-populate-prot-write
doc "MADV_POPULATE_READ is -EINVAL on PROT_WRITE memory, MADV_POPULATE_WRITE works"

process P
P: mmap A 2M PROT_WRITE MAP_PRIVATE|MAP_ANONYMOUS
P: r0 = madvise A 2M MADV_POPULATE_READ      # "MADV_POPULATE_READ with PROT_WRITE"
P: r1 = madvise A 2M MADV_POPULATE_WRITE     # "MADV_POPULATE_WRITE with PROT_WRITE"
P: p0 = pagemap A present
P: p1 = pagemap A+0x1ff000 present

exists (P:r0 != -EINVAL \/ P:r1 != 0 \/ P:p0 != 1 \/ P:p1 != 1)

expect 5.19 6.18 never
known 6.18 forbidden "tools/testing/selftests/mm/madv_populate.c: test_prot_write 'MADV_POPULATE_READ with PROT_WRITE', 'MADV_POPULATE_WRITE with PROT_WRITE' pass"
