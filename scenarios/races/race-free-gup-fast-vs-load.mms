# A thread takes a writable FOLL_GET reference on page A with GUP-fast while a second thread loads A and a
# third zaps the two pages after it with MADV_DONTNEED. Race-free under every kernel: gup_fast_pte_range()
# reads A's pte without any lock, grabs the page (try_grab_folio) and re-reads the pte; only a change of A's
# own pte makes it give the page back, and zap_pte_range() clears only the ptes of A+4K and A+8K (it holds
# the PTL across both, which a lockless walker and a load that needs no fault do not wait for). A is an
# exclusive, writable anon page that nothing replaces, so the GUP takes it on its first try and returns 1,
# the device reads the value stored before the group, a device write through the reference is what a load
# then sees, and the advised pages read as zero.
scenario race-free-gup-fast-vs-load
doc "A lockless get_user_pages_fast of one page races a load of it and MADV_DONTNEED of the next pages"

process P
P: mmap A 12K PROT_READ|PROT_WRITE MAP_PRIVATE|MAP_ANONYMOUS
P: store A 0x5
P: store A+4K 0x6
P: store A+8K 0x7

thread G of P {
  n = get_user_pages_fast H A 1 FOLL_WRITE
  r0 = dma_read H
}
thread L of P {
  r0 = load A
}
thread D of P {
  madvise A+4K 8K MADV_DONTNEED
}

P: dma_write H 0x55                  # the device writes through the reference
P: r1 = load A
P: put_pages H

exists (G:n != 1 \/ G:r0 != 0x5 \/ L:r0 != 0x5 \/ P:r1 != 0x55 \/ [P:A+4K] != 0 \/ [P:A+8K] != 0)

expect 4.8 4.9 5.7 5.8 5.9 5.11 5.19 6.18 never
