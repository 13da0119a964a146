# GUP-fast against fork (kernel-mm.md §10 B7; commit 57efa1fe5957, "mm/gup: prevent gup_fast from racing
# with COW during fork", 5.11). Since 5.9 fork gives the child a copy of any anon page that may be DMA-pinned
# (copy_present_page), so a pin taken before fork stays on the parent's page. But GUP-fast takes no lock:
# it can read the parent's still-writable pte and pin the page after fork's page_maybe_dma_pinned() check
# said "not pinned" and before ptep_set_wrprotect(). The page is then pinned, shared with the child and
# write-protected, and the parent's next write copies it away from the pin: the device and the CPU see
# different pages. Its re-read of the pte cannot help, since fork has not changed the pte yet.
# 5.11 makes fork hold mm->write_protect_seq odd while it copies; a FOLL_PIN GUP-fast that sees it odd or
# changed gives its pages back and falls to the slow path, which waits for mmap_lock and breaks COW first.
# Before 5.9 (5.7, 5.8) fork shares a pinned page anyway (B3), so any pin taken before fork goes stale.
scenario b7-gup-fast-vs-fork
doc "A lockless pin_user_pages_fast racing fork leaves the pin on a page the parent then copies away from"

process P
P: mmap A 4K PROT_READ|PROT_WRITE MAP_PRIVATE|MAP_ANONYMOUS
P: store A 0x1

thread T of P {
  r0 = pin_user_pages_fast MR A 1 FOLL_WRITE   # e.g. an RDMA or vfio registration: the pin
}
thread P {
  fork C
}

P: store A 0x2                                 # the parent writes its buffer
P: r1 = dma_read MR                            # what the device sees

exists (T:r0 == 1 /\ P:r1 != 0x2)

expect 5.7 5.8 5.9 sometimes
expect 5.11 5.19 6.18 never

# 4.8 and 4.9 have no pin_user_pages_fast (FOLL_PIN arrived in 5.6): the pin fails there and the condition
# cannot hold; no expectation is stated.
known 5.9 allowed "kernel-mm.md §10 B7; 57efa1fe5957 (5.11) describes the race against 5.9's early COW in fork"
known 5.11 5.19 6.18 forbidden "kernel-mm.md §10 B7: write_protect_seq (57efa1fe5957, 5.11)"
