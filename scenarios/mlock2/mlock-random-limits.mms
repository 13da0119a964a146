# The kernel's tools/testing/selftests/mm/mlock-random-test.c, both tests with a few fixed ranges in place of
# 100 random ones (and mlock in place of the randomly chosen mlock2(MLOCK_ONFAULT), whose pages count the same).
# RLIMIT_MEMLOCK is 256 KiB, without CAP_IPC_LOCK.
# test_mlock_within_limit: mlock of sub-ranges of a 128 KiB chunk always succeeds, and VmLck ends no larger
# than the chunk plus a page. test_mlock_outof_limit: mlock of 256 KiB or more of a 384 KiB chunk always fails,
# and VmLck does not change (a lock_size of exactly 256 KiB, 1 in 131072 per try, would fit the limit and
# fail the test spuriously; the scenario takes 260 KiB). The model has no /proc/self/status; VmLck is observed through the limit: with
# VmLck at most 128 KiB + 4 KiB another 124 KiB can be locked, and with VmLck back at 0 (after munlock of the
# first chunk and the failed attempts) exactly 256 KiB can be locked.
scenario mlock-random-limits
doc "mlock-random-test.c: mlock within RLIMIT_MEMLOCK succeeds, beyond it fails and locks nothing"

process P
P: setrlimit_memlock 256K
P: mmap W 128K PROT_READ|PROT_WRITE MAP_PRIVATE|MAP_ANONYMOUS
P: a0 = mlock W+0x3000 0x11000
P: a1 = mlock W 0x1f000
P: a2 = mlock W+0x8000 0x8000
P: a3 = mlock W+0x10000 0x10000
P: mmap X 124K PROT_READ|PROT_WRITE MAP_PRIVATE|MAP_ANONYMOUS
P: a4 = mlock X 124K                         # VmLck <= PAGE_ALIGN(alloc_size) + page_size
P: munlock X 124K
P: munlock W 128K
P: mmap O 384K PROT_READ|PROT_WRITE MAP_PRIVATE|MAP_ANONYMOUS
P: b0 = mlock O 0x41000                     # lock_size in (256 KiB, 384 KiB); exactly 256 KiB would fit the limit
P: b1 = mlock O+0x10000 0x50000
P: b2 = mlock O+0x1000 0x5e000
P: mmap Y 256K PROT_READ|PROT_WRITE MAP_PRIVATE|MAP_ANONYMOUS
P: b3 = mlock Y 256K                         # VmLck unchanged (0)

exists (P:a0 != 0 \/ P:a1 != 0 \/ P:a2 != 0 \/ P:a3 != 0 \/ P:a4 != 0 \/ P:b0 != -ENOMEM \/ P:b1 != -ENOMEM \/ P:b2 != -ENOMEM \/ P:b3 != 0)

expect 4.8 4.9 5.7 5.8 5.9 5.11 5.19 6.18 never
known 6.18 forbidden "tools/testing/selftests/mm/mlock-random-test.c: test_mlock_within_limit and test_mlock_outof_limit pass"
