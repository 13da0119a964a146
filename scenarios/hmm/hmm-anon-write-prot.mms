# The kernel's tools/testing/selftests/mm/hmm-tests.c (the test_hmm dmirror device), anon_write_prot, on 4 pages:
# in a PROT_READ private anonymous mapping a device read of page 0 gets the zero page (0); a device write must
# fail with -EPERM and leave every page reading 0; after mprotect(PROT_READ|PROT_WRITE) the device write
# succeeds (the zero page is replaced) and the CPU sees the data.
scenario hmm-anon-write-prot
doc "hmm-tests.c anon_write_prot: a device write to read-only memory is -EPERM until mprotect allows it"

process P
P: mmap A 16K PROT_READ MAP_PRIVATE|MAP_ANONYMOUS
P: dmirror_open D
P: r0 = dmirror_read D A                     # a zero page
P: w0 = dmirror_write D A 0x20               # HMM_DMIRROR_WRITE of npages: -EPERM
P: w1 = dmirror_write D A+8K 0x22
P: c0 = load A
P: c1 = load A+8K
P: m = mprotect A 16K PROT_READ|PROT_WRITE
P: w2 = dmirror_write D A 0x20
P: w3 = dmirror_write D A+4K 0x21
P: w4 = dmirror_write D A+8K 0x22
P: w5 = dmirror_write D A+12K 0x23
P: d0 = load A
P: d1 = load A+4K
P: d2 = load A+8K
P: d3 = load A+12K

exists (P:r0 != 0 \/ P:w0 != -EPERM \/ P:w1 != -EPERM \/ P:c0 != 0 \/ P:c1 != 0 \/ P:m != 0 \/ P:w2 != 0 \/ P:w3 != 0 \/ P:w4 != 0 \/ P:w5 != 0 \/ P:d0 != 0x20 \/ P:d1 != 0x21 \/ P:d2 != 0x22 \/ P:d3 != 0x23)

expect 5.19 6.18 never
known 6.18 forbidden "tools/testing/selftests/mm/hmm-tests.c: hmm.anon_write_prot passes"
