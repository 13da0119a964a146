# The kernel's tools/testing/selftests/mm/mlock2-tests.c, test_munlockall0 and test_munlockall1, on a fresh mapping
# each, as the test has. test_munlockall0: mlockall(MCL_CURRENT) locks and faults in (lock_check: "lo", Rss == Size);
# munlockall clears "lo". test_munlockall1: mlockall(MCL_CURRENT|MCL_ONFAULT) locks without faulting (onfault_check:
# a first touch brings in one page only, "lo"); munlockall clears it; mlockall(MCL_CURRENT|MCL_FUTURE) locks and faults
# in the rest; munlockall clears it again. "lo" is seen through msync(MS_INVALIDATE), -EBUSY on a VM_LOCKED VMA and 0
# otherwise; Rss through pagemap's present bit.
scenario mlock2-munlockall
doc "mlock2-tests.c: mlockall(MCL_CURRENT) locks and faults in, with MCL_ONFAULT only locks; munlockall undoes both"

process P
P: mmap M 8K PROT_READ|PROT_WRITE MAP_PRIVATE|MAP_ANONYMOUS
P: r0 = mlockall MCL_CURRENT
P: l0 = msync M 8K MS_INVALIDATE             # lock_check: "lo"
P: p0 = pagemap M+4K present                 # Rss == Size
P: r1 = munlockall
P: l1 = msync M 8K MS_INVALIDATE             # unlock_lock_check
P: munmap M 8K
P: mmap N 8K PROT_READ|PROT_WRITE MAP_PRIVATE|MAP_ANONYMOUS
P: r2 = mlockall MCL_CURRENT|MCL_ONFAULT
P: s2 = store N 0x61                         # onfault_check
P: l2 = msync N 8K MS_INVALIDATE
P: p2 = pagemap N+4K present                 # vma_rss < vma_size
P: r3 = munlockall
P: l3 = msync N 8K MS_INVALIDATE             # unlock_onfault_check
P: r4 = mlockall MCL_CURRENT|MCL_FUTURE
P: l4 = msync N 8K MS_INVALIDATE             # lock_check: "lo"
P: p4 = pagemap N+4K present                 # Rss == Size
P: r5 = munlockall
P: l5 = msync N 8K MS_INVALIDATE             # unlock_lock_check

exists (P:r0 != 0 \/ P:l0 != -EBUSY \/ P:p0 != 1 \/ P:r1 != 0 \/ P:l1 != 0 \/ P:r2 != 0 \/ P:s2 != 0 \/ P:l2 != -EBUSY \/ P:p2 != 0 \/ P:r3 != 0 \/ P:l3 != 0 \/ P:r4 != 0 \/ P:l4 != -EBUSY \/ P:p4 != 1 \/ P:r5 != 0 \/ P:l5 != 0)

expect 4.8 4.9 5.7 5.8 5.9 5.11 5.19 6.18 never
known 6.18 forbidden "tools/testing/selftests/mm/mlock2-tests.c: 'test_munlockall0' and 'test_munlockall1' pass"
