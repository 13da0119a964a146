# hmm-tests.c migrate_remap_fault, device-coherent variant with base pages, migrating before the move (before = 0) and
# with MREMAP_DONTUNMAP (dont_unmap = 1), on 2 pages: mremap(MREMAP_MAYMOVE|MREMAP_FIXED|MREMAP_DONTUNMAP) moves the
# ptes that map device memory as they are; the data reads back at the new address, and the old range, kept empty,
# reads zero.
scenario hmm-migrate-remap-coherent
doc "hmm-tests.c migrate_remap_fault (coherent, base pages, DONTUNMAP after migrating): mremap moves device pages"

process P
P: mmap A 24K PROT_READ|PROT_WRITE MAP_PRIVATE|MAP_ANONYMOUS
P: munmap A+8K 16K
P: store A 0x20
P: store A+4K 0x21
P: dmirror_open D 2
P: m = dmirror_migrate D A 2
P: mremap B A 8K 8K MREMAP_MAYMOVE|MREMAP_FIXED|MREMAP_DONTUNMAP A+12K
P: s = dmirror_snapshot D B 2    # still this device's memory, writable
P: c0 = load B
P: c1 = load B+4K
P: o0 = load A

exists (P:m != 2 \/ P:s != 0x4242 \/ P:c0 != 0x20 \/ P:c1 != 0x21 \/ P:o0 != 0)

expect 6.18 never
known 6.18 forbidden "tools/testing/selftests/mm/hmm-tests.c: hmm.migrate_remap_fault (hmm_device_coherent) asserts the data at the new address"
