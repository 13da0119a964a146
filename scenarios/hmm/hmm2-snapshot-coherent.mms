# hmm-tests.c hmm2.snapshot, device-coherent variant, on 7 pages: HMM_DMIRROR_SNAPSHOT runs hmm_range_fault without
# HMM_PFN_REQ_FAULT, so it reports what the CPU page table maps and faults nothing in (dmirror_mkentry): page 0
# PROT_NONE and page 1 a hole are errors; page 2 the read-only zero page; page 3 read-only; page 4 writable; page 5
# migrated to this device's coherent memory and page 6 to the other device's, both writable. The value packs one
# HMM_DMIRROR_PROT_* byte per page, page 0 lowest.
scenario hmm2-snapshot-coherent
doc "hmm-tests.c hmm2.snapshot (coherent): what a device sees of the CPU page table without faulting"

process P
P: mmap A 28K PROT_NONE MAP_PRIVATE|MAP_ANONYMOUS
P: dmirror_open D0 2
P: dmirror_open D1 3
P: munmap A+4K 4K
P: mprotect A+8K 4K PROT_READ
P: z = load A+8K
P: mprotect A+12K 4K PROT_READ|PROT_WRITE
P: store A+12K 0x3
P: mprotect A+12K 4K PROT_READ
P: mprotect A+16K 12K PROT_READ|PROT_WRITE
P: store A+16K 0x3
P: m5 = dmirror_migrate D0 A+20K 1
P: m6 = dmirror_migrate D1 A+24K 1
P: s = dmirror_snapshot D0 A 7

exists (P:z != 0 \/ P:m5 != 1 \/ P:m6 != 1 \/ P:s != 0x5242020111FFFF)

expect 6.18 never
known 6.18 forbidden "tools/testing/selftests/mm/hmm-tests.c: hmm2.snapshot (hmm2_device_coherent) asserts these seven bytes"
