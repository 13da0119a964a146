# The kernel's tools/testing/selftests/mm/mlock2-tests.c, test_lock_onfault_of_present: two private anonymous pages,
# the first written, then mlock2(map, 2 pages, MLOCK_ONFAULT): the VMA is locked ("lo") and the second page is still
# not in (Rss below Size): lock-on-fault faults nothing in, present pages stay. Observed as in mlock2-mlock-onfault.
scenario mlock2-lock-onfault-of-present
doc "mlock2-tests.c: MLOCK_ONFAULT over a partly present range faults in nothing more"

process P
P: mmap M 8K PROT_READ|PROT_WRITE MAP_PRIVATE|MAP_ANONYMOUS
P: store M 0x61
P: r0 = mlock2 M 8K MLOCK_ONFAULT
P: l0 = msync M 8K MS_INVALIDATE             # "lo"
P: p1 = pagemap M present
P: p2 = pagemap M+4K present                 # vma_rss < vma_size

exists (P:r0 != 0 \/ P:l0 != -EBUSY \/ P:p1 != 1 \/ P:p2 != 0)

expect 4.8 4.9 5.7 5.8 5.9 5.11 5.19 6.18 never
known 6.18 forbidden "tools/testing/selftests/mm/mlock2-tests.c: 'test_lock_onfault_of_present' passes"
