# The kernel's tools/testing/selftests/mm/mlock2-tests.c, test_mlock_onfault: two private anonymous pages,
# mlock2(map, 2 pages, MLOCK_ONFAULT) (4.4); onfault_check writes the first page and asks for VmFlags "lo" with
# Rss below Size (only the page touched is in); after munlock "lo" is gone. "lo" is seen through msync(MS_INVALIDATE),
# -EBUSY on a VM_LOCKED VMA and 0 otherwise; Rss through pagemap's present bit.
scenario mlock2-mlock-onfault
doc "mlock2-tests.c: MLOCK_ONFAULT locks the range but faults in only what is touched"

process P
P: mmap M 8K PROT_READ|PROT_WRITE MAP_PRIVATE|MAP_ANONYMOUS
P: r0 = mlock2 M 8K MLOCK_ONFAULT
P: p0 = pagemap M present                    # nothing faulted in by the lock
P: s0 = store M 0x61                         # onfault_check: *map = 'a'
P: l0 = msync M 8K MS_INVALIDATE             # "lo"
P: p1 = pagemap M present
P: p2 = pagemap M+4K present                 # vma_rss < vma_size
P: r1 = munlock M 8K
P: l1 = msync M 8K MS_INVALIDATE             # no "lo"

exists (P:r0 != 0 \/ P:p0 != 0 \/ P:s0 != 0 \/ P:l0 != -EBUSY \/ P:p1 != 1 \/ P:p2 != 0 \/ P:r1 != 0 \/ P:l1 != 0)

expect 4.8 4.9 5.7 5.8 5.9 5.11 5.19 6.18 never
known 6.18 forbidden "tools/testing/selftests/mm/mlock2-tests.c: 'test_mlock_onfault' passes"
