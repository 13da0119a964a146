# The kernel's tools/testing/selftests/mm/madv_populate.c (David Hildenbrand, 2021), on 2 MiB of private
# anonymous memory in base pages (the model has no THP). test_populate_read: the range is
# not populated at first, MADV_POPULATE_READ succeeds, and then every page is populated (pagemap present or
# swapped; the scenario samples the first, second and last page).
scenario madv-populate-read
doc "MADV_POPULATE_READ populates the whole range"

process P
P: mmap A 2M PROT_READ|PROT_WRITE MAP_PRIVATE|MAP_ANONYMOUS
P: q0 = pagemap A present                    # "range initially not populated"
P: q1 = pagemap A+0x1ff000 present
P: r0 = madvise A 2M MADV_POPULATE_READ      # "MADV_POPULATE_READ"
P: p0 = pagemap A present                    # "range is populated"
P: p1 = pagemap A+4K present
P: p2 = pagemap A+0x1ff000 present

exists (P:q0 != 0 \/ P:q1 != 0 \/ P:r0 != 0 \/ P:p0 != 1 \/ P:p1 != 1 \/ P:p2 != 1)

expect 5.19 6.18 never
known 6.18 forbidden "tools/testing/selftests/mm/madv_populate.c: test_populate_read 'range initially not populated', 'MADV_POPULATE_READ', 'range is populated' pass"
