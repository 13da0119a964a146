# hmm-tests.c migrate_partial_unmap_fault, device-coherent variant with base pages (use_thp = 0) and 4 pages, the
# middle half unmapped (offsets[1]): after the migration, munmap of pages 1-2 zaps two device pages, which go back to
# the device's free list; pages 0 and 3 still read what the CPU wrote, through ptes that map device memory.
scenario hmm-migrate-partial-unmap-coherent
doc "hmm-tests.c migrate_partial_unmap_fault (coherent, base pages): unmap part of a migrated range"

process P
P: mmap A 16K PROT_READ|PROT_WRITE MAP_PRIVATE|MAP_ANONYMOUS
P: store A 0x10
P: store A+4K 0x11
P: store A+8K 0x12
P: store A+12K 0x13
P: dmirror_open D 2
P: m = dmirror_migrate D A 4
P: munmap A+4K 8K
P: c0 = load A
P: c3 = load A+12K
P: s = dmirror_snapshot D A 4        # 0x42, two holes outside any VMA (0xFF), 0x42

exists (P:m != 4 \/ P:c0 != 0x10 \/ P:c3 != 0x13 \/ P:s != 0x42FFFF42)

expect 6.18 never
known 6.18 forbidden "tools/testing/selftests/mm/hmm-tests.c: hmm.migrate_partial_unmap_fault (hmm_device_coherent) asserts the data outside the unmapped part"
