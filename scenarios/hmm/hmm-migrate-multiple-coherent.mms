# hmm-tests.c migrate_multiple, device-coherent variant (twice rather than NTIMES): memory moves to the device and,
# coherent memory not faulting back, is migrated back explicitly (HMM_DMIRROR_MIGRATE_TO_SYS:
# MIGRATE_VMA_SELECT_DEVICE_COHERENT, the mirror's entries erased); the CPU reads the values in system RAM again, and
# the device's pages went back on its free list (dmirror_devmem_free), so the second round finds them.
scenario hmm-migrate-multiple-coherent
doc "hmm-tests.c migrate_multiple (coherent): to the device and explicitly back, twice"

process P
P: mmap A 8K PROT_READ|PROT_WRITE MAP_PRIVATE|MAP_ANONYMOUS
P: store A 0x40
P: store A+4K 0x41
P: dmirror_open D 2
P: m1 = dmirror_migrate D A 2
P: b1 = dmirror_migrate_sys D A 2
P: s1 = dmirror_snapshot D A 2       # HMM_DMIRROR_PROT_WRITE: system RAM again
P: c1 = load A+4K
P: munmap A 8K
P: mmap B 8K PROT_READ|PROT_WRITE MAP_PRIVATE|MAP_ANONYMOUS
P: store B 0x50
P: store B+4K 0x51
P: m2 = dmirror_migrate D B 2
P: b2 = dmirror_migrate_sys D B 2
P: c2 = load B

exists (P:m1 != 2 \/ P:b1 != 2 \/ P:s1 != 0x0202 \/ P:c1 != 0x41 \/ P:m2 != 2 \/ P:b2 != 2 \/ P:c2 != 0x50)

expect 6.18 never
known 6.18 forbidden "tools/testing/selftests/mm/hmm-tests.c: hmm.migrate_multiple (hmm_device_coherent) asserts both migrations and the data"
