# The kernel's tools/testing/selftests/mm/hmm-tests.c (lib/test_hmm.c's dmirror device), migrate, device-coherent
# variant (hmm_dmirror2), on 4 pages: anonymous memory filled in system RAM moves to the device's coherent memory
# (dmirror_migrate_to_device: migrate_vma_setup/pages/finalize); the mirror then maps every page and reads what the CPU
# wrote; the CPU keeps reading the same values through its ptes, which now map device memory; and the snapshot
# (hmm_range_fault without faulting) reports each page as this device's coherent memory, writable.
scenario hmm-migrate-coherent
doc "hmm-tests.c migrate (coherent): anonymous memory moves to device memory and reads the same"

process P
P: mmap A 16K PROT_READ|PROT_WRITE MAP_PRIVATE|MAP_ANONYMOUS
P: store A 0x10
P: store A+4K 0x11
P: store A+8K 0x12
P: store A+12K 0x13
P: dmirror_open D 2
P: m = dmirror_migrate D A 4         # cmd.cpages: the pages the mirror maps afterwards
P: d0 = dmirror_read D A
P: d3 = dmirror_read D A+12K
P: s = dmirror_snapshot D A 4        # HMM_DMIRROR_PROT_DEV_COHERENT_LOCAL | HMM_DMIRROR_PROT_WRITE per page
P: c0 = load A
P: c3 = load A+12K

exists (P:m != 4 \/ P:d0 != 0x10 \/ P:d3 != 0x13 \/ P:s != 0x42424242 \/ P:c0 != 0x10 \/ P:c3 != 0x13)

expect 6.18 never
known 6.18 forbidden "tools/testing/selftests/mm/hmm-tests.c: hmm.migrate (hmm_device_coherent) asserts cpages == npages and the data"
