# A thread takes a long-term writable pin of page A with the slow path (pin_user_pages, FOLL_WRITE|
# FOLL_LONGTERM: an RDMA registration) while a second thread of the same process stores to A and a third
# does MADV_DONTNEED on the three pages after it. Race-free under every kernel that has pin_user_pages:
# the pin runs __get_user_pages() under mmap_read_lock and finds or faults A's pte under the PTL
# (follow_page_pte, faultin_page → handle_mm_fault → do_anonymous_page), the store faults or writes through
# the same pte, and zap_pte_range() clears only the ptes of [A+4K, A+16K). No fork, so A is an exclusive anon
# page that nothing ever replaces: whichever of the store and the pin faults it in first, the other finds it.
# The pin therefore holds the very page the CPU maps (the pin-coherence invariant checks this at every
# step), a device write through the pin is what a load of A returns, a CPU store is what a device read
# returns, and the advised pages read as zero afterwards.
#
# The mapping is placed so that A+8K starts the next page table: zap_pte_range() drops the PTL after A+4K
# (the pin and the store may run between those zaps) and holds it from A+8K to A+12K (they must wait; from
# 5.19 the long-term pin, which may migrate, runs its whole slow path in one step and needs the PTL free).
#
# pin_user_pages exists from 5.6 (FOLL_PIN, eddb1c228f79) and FOLL_LONGTERM from 5.2, so the expectation
# names 5.7 and later. Under 4.8 and 4.9 the model fails the pin with -EINVAL; the condition then asks only
# that MADV_DONTNEED did its work, and `--kernel all` still shows never there.
scenario race-free-pin-vs-dontneed
doc "A slow-path long-term pin of one page races a store to it and MADV_DONTNEED of the next pages"

process P
P: mmap A 16K PROT_READ|PROT_WRITE MAP_PRIVATE|MAP_ANONYMOUS 0x7effffdfe000   # A+8K is 2M-aligned
P: store A+4K 0x2
P: store A+8K 0x3
P: store A+12K 0x4

thread T of P {
  n = pin_user_pages MR A 1 FOLL_WRITE|FOLL_LONGTERM
}
thread S of P {
  store A 0x1
}
thread D of P {
  madvise A+4K 12K MADV_DONTNEED
}

P: dma_write MR 0x77                 # the device writes the buffer
P: r1 = load A
P: store A+8 0x88                    # the CPU writes the buffer
P: r2 = dma_read MR 0 8              # the device reads it

exists ((T:n != 1 /\ T:n != -EINVAL) \/ (T:n = 1 /\ (P:r1 != 0x77 \/ P:r2 != 0x88)) \/ [P:A+4K] != 0 \/ [P:A+8K] != 0 \/ [P:A+12K] != 0)

expect 5.7 5.8 5.9 5.11 5.19 6.18 never
