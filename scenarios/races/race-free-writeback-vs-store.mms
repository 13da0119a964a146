# Writeback of an ext4 file races CPU stores through a MAP_SHARED mapping. Race-free under every kernel:
# write_cache_pages locks the page (folio_lock), folio_mkclean write-protects and cleans each pte under its
# PTL before PG_dirty is tested and cleared, and the page is unlocked only after folio_start_writeback. A
# store that comes before the pte is cleaned leaves the pte dirty, which folio_mkclean moves into PG_dirty;
# one that comes after faults into ext4_page_mkwrite, which takes the page lock (waiting while writeback
# holds it) and dirties the page again. The bio may or may not carry the store, but the page is then
# dirty, so the final fsync writes it: after it the disk holds every store, and the no-lost-write
# invariant holds at every step.
scenario race-free-writeback-vs-store
doc "Background writeback races stores through a shared ext4 mapping: after the final fsync every store is on disk"

process P
P: creat F ext4 8K
P: mmap_file A F 8K PROT_READ|PROT_WRITE MAP_SHARED
P: store A 0x1
P: store A+4K 0x2

thread W of P {
  writeback F
}
thread S of P {
  store A 0x11
  store A+4K 0x22
}

P: fsync F
P: drop_caches
P: r0 = pread F 0
P: r1 = pread F 4096

exists (P:r0 != 0x11 \/ P:r1 != 0x22)

expect 2.6.19 2.6.23 2.6.27 4.8 4.9 5.7 5.8 5.9 5.11 5.19 6.18 never
