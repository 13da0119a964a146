# An O_DIRECT read into private anonymous memory nobody else touches, while another thread of the process
# works on memory of its own. Race-free under every kernel, FOLL_GET or FOLL_PIN: the page GUP takes stays
# the one the process maps (nothing forks, nothing unmaps it), the DMA writes the disk's words into it, and
# completion dirties and releases it (set_page_dirty_lock + put_page, or unpin_user_pages_dirty_lock). The
# disk's words come from the buffered write, written back by the read's filemap_write_and_wait_range.
scenario race-free-odirect-read
doc "An O_DIRECT read into memory nobody else touches always lands"

process P
P: mmap A 4K PROT_READ|PROT_WRITE MAP_PRIVATE|MAP_ANONYMOUS
P: mmap B 4K PROT_READ|PROT_WRITE MAP_PRIVATE|MAP_ANONYMOUS
P: creat F ext4 4K
P: pwrite F 0 0x77
P: pwrite F 8 0x78

thread T of P {
  n = odirect_read F 0 A 4K
  r0 = load A
  r1 = load A+8
}
thread P {
  store B 0x5
  r2 = load B
}

exists (T:n != 0x1000 \/ T:r0 != 0x77 \/ T:r1 != 0x78 \/ P:r2 != 0x5)

expect 4.8 4.9 5.7 5.8 5.9 5.11 5.19 6.18 never
