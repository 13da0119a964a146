# After fork, parent and child race on the two pages they still share copy-on-write: the parent stores to
# one and loads the other, the child zaps the first with MADV_DONTNEED, loads it and stores to the second.
# Race-free under every kernel: each process changes only its own ptes. do_wp_page() gives the writer its own
# copy while the page is shared (mapcount 2 up to 5.8, page_count 2 in 5.9, not PageAnonExclusive from
# 5.19), or reuses it once the other process's zap_pte_range() or COW has dropped its mapping and reference;
# the child's zap removes only the child's pte, so its load then maps the zero page (do_anonymous_page for a
# read). Whatever the order, the parent ends with its store in A and the pre-fork word in A+4K (and loads
# that word), and the child ends with zero in A and its store in A+4K. No process reads the other's data
# written after fork (the isolation invariant checks every load).
#
# The two processes' steps touch different mms, so they can commute: with honest footprints the sleep sets
# prune orders of steps that touch different pages, and must keep those that touch the same page.
scenario race-free-cow-siblings
doc "Parent and child race COW faults, loads and MADV_DONTNEED on the pages fork left shared"

process P
P: mmap A 8K PROT_READ|PROT_WRITE MAP_PRIVATE|MAP_ANONYMOUS
P: store A 0x1
P: store A+4K 0x2
P: fork C

thread P {
  store A 0x11
  r0 = load A+4K
}
thread C {
  madvise A 4K MADV_DONTNEED
  r0 = load A
  store A+4K 0x22
}

exists (P:r0 != 0x2 \/ C:r0 != 0 \/ [P:A] != 0x11 \/ [P:A+4K] != 0x2 \/ [C:A] != 0 \/ [C:A+4K] != 0x22)

expect 4.8 4.9 5.7 5.8 5.9 5.11 5.19 6.18 never
