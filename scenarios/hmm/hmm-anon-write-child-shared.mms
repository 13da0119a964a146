# The kernel's tools/testing/selftests/mm/hmm-tests.c (the test_hmm dmirror device), anon_write_child_shared, on 2 pages: the
# parent fills a MAP_SHARED|MAP_ANONYMOUS mapping and forks; the child sees the parent's values, opens its own mirror and
# writes through the device; the child then reads the device's data, and after the child exits, no copy-on-write: the parent must see the device's data.
scenario hmm-anon-write-child-shared
doc "hmm-tests.c anon_write_child_shared: a device write in a forked child, shared anonymous memory"

process P
P: mmap A 8K PROT_READ|PROT_WRITE MAP_SHARED|MAP_ANONYMOUS
P: store A 0x30
P: store A+4K 0x31
P: fork C
C: k0 = load A
C: k1 = load A+4K
C: dmirror_open D
C: w0 = dmirror_write D A 0x40
C: w1 = dmirror_write D A+4K 0x41
C: c0 = load A
C: c1 = load A+4K
C: exit
P: p0 = load A
P: p1 = load A+4K

exists (C:k0 != 0x30 \/ C:k1 != 0x31 \/ C:w0 != 0 \/ C:w1 != 0 \/ C:c0 != 0x40 \/ C:c1 != 0x41 \/ P:p0 != 0x40 \/ P:p1 != 0x41)

expect 5.19 6.18 never
known 6.18 forbidden "tools/testing/selftests/mm/hmm-tests.c: hmm.anon_write_child_shared passes"
