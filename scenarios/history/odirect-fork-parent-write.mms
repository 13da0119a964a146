# O_DIRECT read into a private anonymous buffer while another thread forks and then writes a different word of
# the same page (kernel-mm.md §9 O_DIRECT row; §10 B3, "FOLL_GET-based short-term users (O_DIRECT) until they
# switched to FOLL_PIN"; the open(2) man page's warning about O_DIRECT and fork on private mappings).
#   1. The buffer page is populated: refcount 1, mapcount 1. The file's first word is 0x77 (written buffered;
#      the direct read writes the dirty page back first, filemap_write_and_wait_range).
#   2. Thread T: odirect_read takes the page for the bio with FOLL_WRITE: FOLL_GET (+1) before the switch to
#      iov_iter_extract_pages, FOLL_PIN (+1024) after it (6.5). Nothing is held while the I/O is in flight.
#   3. Thread P: fork, then a store to the buffer's second word.
# With FOLL_GET, fork shares the page (nothing tells it the page is under I/O) and write-protects both ptes;
# the parent's store faults and do_wp_page copies (mapcount 2 up to 5.8, page_count 3 in 5.9, not
# PageAnonExclusive from 5.19): the parent's pte moves to the copy and the device's DMA lands in the old page,
# which only the child maps. The parent never sees the data it read. If the DMA happens before fork, or the
# store and fork both come before GUP, the parent keeps the data: "sometimes". With FOLL_PIN, fork sees a maybe
# pinned page of an mm with MMF_HAS_PINNED and copies it for the child (5.9, 70e806e4e645), so the parent's pte
# stays on the page the device writes; a GUP after fork faults the parent its own copy first.
scenario odirect-fork-parent-write
doc "After fork, the parent's write COWs away from the page its O_DIRECT read lands in (FOLL_GET)"

process P
P: mmap A 4K PROT_READ|PROT_WRITE MAP_PRIVATE|MAP_ANONYMOUS
P: store A 0x1                                   # populate the buffer page
P: creat F ext4 4K
P: pwrite F 0 0x77                               # the disk's word, once written back

thread T of P {
  n = odirect_read F 0 A 4K                      # GUP, the DMA, completion: three points
}
thread P {
  fork C
  store A+8 0x2                                  # another word of the same page
}

exists (T:n = 0x1000 /\ [P:A] != 0x77)

expect 4.8 4.9 5.7 5.8 5.9 5.11 5.19 allowed
expect 6.18 forbidden
expect 5.19[odirect_pin=on] forbidden
expect 6.18[odirect_pin=off] allowed

known 4.8 4.9 5.7 5.8 5.9 5.11 5.19 allowed "kernel-mm.md §9 O_DIRECT row: FOLL_GET era (before ~6.5), a racing fork could make the parent's later write COW away from the page the DIO read lands in; §10 B3, Affected: FOLL_GET-based short-term users (O_DIRECT) until they switched to FOLL_PIN"
known 6.18 forbidden "kernel-mm.md §9 O_DIRECT row: with FOLL_PIN, MMF_HAS_PINNED + early COW at fork keeps the parent's page and the child gets a copy"
