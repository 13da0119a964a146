# MADV_DONTNEED stops between the two ptes of one table of a shared ext4 mapping, holding that mm's pte lock, while
# reclaim unmaps the file's pages (try_to_unmap) and writeback cleans them (folio_mkclean). Both take the pte lock
# of each mapping they visit, so both wait for the zap's; a store by the process faults its page back in. Under
# every profile no oops, no write lost, and the store reads back.
scenario race-free-zap-vs-reclaim-and-writeback
doc "A zap stopped mid-table against reclaim and writeback of the same file: they wait for its pte lock"

memory normal=1M
process P
P: creat F ext4 8K
P: mmap_file A F 8K PROT_READ|PROT_WRITE MAP_SHARED
P: store A 0x1
P: store A+4096 0x2

thread Z of P {
  madvise A 8K MADV_DONTNEED
}
thread R of P {
  reclaim F
}
thread W of P {
  writeback F
}
thread P {
  store A+4096 0x9
  r0 = load A+4096
}

exists (oops \/ P:r0 != 0x9 \/ violated no-lost-write)

expect 4.9 5.19 6.18 6.18[pin_tracking=mapcount-v1] never
