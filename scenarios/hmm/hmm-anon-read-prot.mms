# The kernel's tools/testing/selftests/mm/hmm-tests.c (the test_hmm dmirror device), anon_read_prot, on 4 pages
# instead of 1024: private anonymous memory is filled, mprotect(PROT_NONE), and HMM_DMIRROR_READ must fail with
# -EFAULT; after mprotect(PROT_READ) the CPU reads the data unchanged. (The selftest also checks that the mirror
# buffer was not written; that buffer is not modelled.)
scenario hmm-anon-read-prot
doc "hmm-tests.c anon_read_prot: a device read of PROT_NONE memory fails with -EFAULT"

process P
P: mmap A 16K PROT_READ|PROT_WRITE MAP_PRIVATE|MAP_ANONYMOUS
P: store A 0x10
P: store A+4K 0x11
P: store A+8K 0x12
P: store A+12K 0x13
P: mprotect A 16K PROT_NONE
P: dmirror_open D
P: r0 = dmirror_read D A
P: r1 = dmirror_read D A+12K
P: mprotect A 16K PROT_READ
P: c0 = load A
P: c1 = load A+4K
P: c2 = load A+8K
P: c3 = load A+12K

exists (P:r0 != -EFAULT \/ P:r1 != -EFAULT \/ P:c0 != 0x10 \/ P:c1 != 0x11 \/ P:c2 != 0x12 \/ P:c3 != 0x13)

expect 5.19 6.18 never
known 6.18 forbidden "tools/testing/selftests/mm/hmm-tests.c: hmm.anon_read_prot passes"
