# The kernel's tools/testing/selftests/mm/mlock2-tests.c, test_mlock_lock: two private anonymous pages,
# mlock2(map, 2 pages, 0) (= mlock); lock_check: the VMA has VmFlags "lo" and Rss == Size (both pages faulted
# in); after munlock the "lo" flag is gone. The model has no /proc/self/smaps: VM_LOCKED is observed through
# msync(MS_INVALIDATE), which is -EBUSY on a VM_LOCKED VMA and 0 otherwise, and Rss == Size through pagemap's
# present bit on both pages.
scenario mlock2-mlock-lock
doc "mlock2-tests.c: mlock locks and faults in the range, munlock clears VM_LOCKED"

process P
P: mmap M 8K PROT_READ|PROT_WRITE MAP_PRIVATE|MAP_ANONYMOUS
P: r0 = mlock M 8K
P: l0 = msync M 8K MS_INVALIDATE             # "lo" in VmFlags
P: p0 = pagemap M present                    # Rss == Size
P: p1 = pagemap M+4K present
P: r1 = munlock M 8K
P: l1 = msync M 8K MS_INVALIDATE             # "test_mlock_lock: Unlocked": no "lo"

exists (P:r0 != 0 \/ P:l0 != -EBUSY \/ P:p0 != 1 \/ P:p1 != 1 \/ P:r1 != 0 \/ P:l1 != 0)

expect 4.8 4.9 5.7 5.8 5.9 5.11 5.19 6.18 never
known 6.18 forbidden "tools/testing/selftests/mm/mlock2-tests.c: 'test_mlock_lock: Locked' and 'test_mlock_lock: Unlocked' pass"
