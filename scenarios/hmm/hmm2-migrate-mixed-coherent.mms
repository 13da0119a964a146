# hmm-tests.c migrate_mixed, device-coherent variant (hmm2: two devices, hmm_dmirror2 and hmm_dmirror3), on 6 pages:
# a PROT_NONE range cannot migrate (-EINVAL: no VM_READ), and after a hole is punched at page 1 neither can pages 0-2
# (page 0's VMA is still PROT_NONE; the selftest's "vma doesn't cover the range");
# the read-only zero page, a read-only page and two writable pages all move to device 1; page 5, now device 1's
# coherent memory, is not system RAM, so device 0 does not take it, and its mirror maps nothing there: -ENOENT.
scenario hmm2-migrate-mixed-coherent
doc "hmm-tests.c migrate_mixed (coherent): PROT_NONE, holes, zero page, read-only and another device's pages"

process P
P: mmap A 24K PROT_NONE MAP_PRIVATE|MAP_ANONYMOUS
P: dmirror_open D0 2
P: dmirror_open D1 3
P: e1 = dmirror_migrate D1 A 6       # protected: -EINVAL
P: munmap A+4K 4K
P: e2 = dmirror_migrate D1 A 3       # page 0 is still PROT_NONE: -EINVAL
P: mprotect A+8K 4K PROT_READ        # page 2: the read-only zero page
P: z = load A+8K
P: mprotect A+12K 4K PROT_READ|PROT_WRITE
P: store A+12K 0x3                   # page 3: read-only
P: mprotect A+12K 4K PROT_READ
P: mprotect A+16K 8K PROT_READ|PROT_WRITE
P: store A+16K 0x3                   # pages 4-5: read-write
P: store A+20K 0x3
P: m = dmirror_migrate D1 A+8K 4
P: e3 = dmirror_migrate D0 A+20K 1   # on device 1: -ENOENT
P: s = dmirror_snapshot D0 A+8K 4    # device 0 sees device 1's memory (0x50): pages 2-3 read-only, 4-5 writable
P: c3 = load A+12K
P: c5 = load A+20K

exists (P:e1 != -EINVAL \/ P:e2 != -EINVAL \/ P:z != 0 \/ P:m != 4 \/ P:e3 != -ENOENT \/ P:s != 0x52525151 \/ P:c3 != 0x3 \/ P:c5 != 0x3)

expect 6.18 never
known 6.18 forbidden "tools/testing/selftests/mm/hmm-tests.c: hmm2.migrate_mixed (hmm2_device_coherent) asserts -EINVAL, -EINVAL, cpages == 4, -ENOENT"
