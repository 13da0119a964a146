# msync(MS_SYNC) of a shared ext4 mapping while the flusher writes the same file back. msync walks the VMAs
# under mmap_read_lock and runs vfs_fsync_range() (ext4_sync_file: write the dirty pages back and wait), so it
# waits for a page the flusher holds locked or under writeback, and whatever order the store, the flusher's
# writeback and the msync take, the store is on disk once msync returned 0: drop_caches then evicts the
# clean page and pread reads the disk.
scenario race-free-msync-vs-writeback
doc "A store then msync(MS_SYNC) races background writeback of the same ext4 file: the store reaches the disk"

process P
P: creat F ext4 4K
P: pwrite F 0 0x1
P: fsync F
P: mmap_file A F 4K PROT_READ|PROT_WRITE MAP_SHARED
P: store A 0x1

thread T1 of P {
  store A 0x2
  r0 = msync A 4K MS_SYNC
}
thread T2 of P {
  writeback F
}
P: drop_caches
P: r1 = pread F 0

exists (T1:r0 != 0 \/ P:r1 != 0x2)

expect 4.8 5.8 6.18 never
