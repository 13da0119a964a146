# mmsim fuzz --seed 2, mutant 2824: internal error: mmsim: internal error: java.lang.IllegalArgumentException: address 0xff4: only 8-byte aligned offsets below 16 within a page are modelled
# = thread reads its own process's memory through /proc/self/mem while a second thread stores to another page
# and a third zaps that page with MADV_DONTNEED. Race-free under every kernel: mem_rw() →
# __access_remote_vm() takes mmap_read_lock and looks each word's page up with get_user_pages_remote(FOLL_FORCE)
# (follow_page_pte, or faultin_page → handle_mm_fault for a page not yet mapped, which maps the shared zero
# page for a read of an untouched anon page: do_anonymous_page), then copies from the page it holds a
# reference on. Neither the store nor the zap touches A, and nothing ever stores to A+8K, so the reads return
# the value A held before the group and zero. The store and the zap of A+4K are ordered by the PTL
# (zap_pte_range against do_anonymous_page / the MMU's write to a present pte), so A+4K ends as zero (zap
# last) or as the stored value (store last, faulting in a fresh page after the zap), nothing else.
scenario race-free-proc-mem-read
doc "/proc/self/mem reads of untouched and unchanged pages race a store and MADV_DONTNEED of another page"

process P
P: mmap A 0x7fffffffffff PROT_READ|PROT_WRITE MAP_PRIVATE|MAP_ANONYMOUS
P: store A 0x1
P: store A+4K 0x2

thread R of P {
  r0 = proc_mem_read P A             # a present anon page: follow_page_pte takes it at once
  r1 = proc_mem_read P A+8K          # never touched: faultin_page maps the zero page first
}
thread S of P {
  store A+4K 0x22
  r0 = load A+8K
}
thread D of P {
  madvise A+4K 4K MADV_DONTNEED
}

exists (R:r0 != 0x1 \/ R:r1 != 0 \/ S:r0 != 0 \/ [P:A] != 0x1 \/ ([P:A+4K] != 0 /\ [P:A+4K] != 0x22))

expect 4.8 4.9 5.7 5.8 5.9 5.11 5.19 6.18 never
