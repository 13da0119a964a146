# hmm-tests.c migrate_fault, device-coherent variant, on 4 pages: after a migration the CPU reads half the pages
# (coherent memory: no fault, the ptes map device memory) and the range is migrated again. MIGRATE_VMA_SELECT_SYSTEM
# skips the pages already in device memory, and their mirror entries were never invalidated (the device's own
# migration names it as the owner, which dmirror_interval_invalidate ignores), so the mirror still maps all four.
scenario hmm-migrate-fault-coherent
doc "hmm-tests.c migrate_fault (coherent): CPU reads of migrated pages, then a second migration"

process P
P: mmap A 16K PROT_READ|PROT_WRITE MAP_PRIVATE|MAP_ANONYMOUS
P: store A 0x30
P: store A+4K 0x31
P: store A+8K 0x32
P: store A+12K 0x33
P: dmirror_open D 2
P: m = dmirror_migrate D A 4
P: c0 = load A
P: c1 = load A+4K
P: m2 = dmirror_migrate D A 4
P: d2 = dmirror_read D A+8K
P: s = dmirror_snapshot D A 4

exists (P:m != 4 \/ P:c0 != 0x30 \/ P:c1 != 0x31 \/ P:m2 != 4 \/ P:d2 != 0x32 \/ P:s != 0x42424242)

expect 6.18 never
known 6.18 forbidden "tools/testing/selftests/mm/hmm-tests.c: hmm.migrate_fault (hmm_device_coherent) asserts cpages == npages twice"
