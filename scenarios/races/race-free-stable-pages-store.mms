# Writeback of an ext4 file on a disk that needs stable pages races a store through a MAP_SHARED mapping.
# With ext4_stable_pages=on, ext4_page_mkwrite waits in folio_wait_stable() while the page is under
# writeback, so no store reaches the page between folio_start_writeback and the end of its I/O: the
# stable-pages invariant holds in every interleaving, and the final fsync puts the store on disk. (A
# device writing through a GUP reference does not wait: WritebackReclaimTest shows that violation.)
scenario race-free-stable-pages-store
doc "On a stable-pages disk a store waits for writeback: the page never changes under I/O, the store reaches the disk"

set ext4_stable_pages=on

process P
P: creat F ext4 4K
P: mmap_file A F 4K PROT_READ|PROT_WRITE MAP_SHARED
P: store A 0x1

thread W of P {
  writeback F
}
thread S of P {
  store A 0x11
}

P: fsync F
P: drop_caches
P: r0 = pread F 0

exists (P:r0 != 0x11)

expect 2.6.19 2.6.23 2.6.27 4.8 4.9 5.7 5.8 5.9 5.11 5.19 6.18 never
