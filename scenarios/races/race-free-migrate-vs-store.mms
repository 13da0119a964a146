# A migration to device-coherent memory (HMM_DMIRROR_MIGRATE_TO_DEV: migrate_vma_setup unmaps each page behind a
# migration entry, the driver copies it, migrate_vma_pages/finalize map the copy) races a thread storing to the same
# pages and a thread reading them through the CPU. In the kernel a store that meets the migration entry waits for the
# migration to end and then writes the new page; in the model the migration is one step under mmap_lock for read, so
# no store can fall between the copy and the remap. Either way no write is lost, whatever the order: the last values
# are in place, the reader sees the old value or the new, and the mirror maps both pages.
scenario race-free-migrate-vs-store
doc "A migration to device memory loses no store that races it"

process P
P: mmap A 8K PROT_READ|PROT_WRITE MAP_PRIVATE|MAP_ANONYMOUS
P: store A 0x1
P: store A+4K 0x2
P: dmirror_open D 2

thread T1 of P {
  store A 0x11
  store A+4K 0x12
}
thread T2 of P {
  m = dmirror_migrate D A 2
}
thread T3 of P {
  r = load A+4K
}

P: c0 = load A
P: c1 = load A+4K

exists (P:c0 != 0x11 \/ P:c1 != 0x12 \/ (T3:r != 0x2 /\ T3:r != 0x12) \/ T2:m != 2)

expect 6.18 never
