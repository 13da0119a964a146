# A stale TLB entry and writeback (Linus Torvalds, "mm: delay page_remove_rmap() until after the TLB has been
# flushed", 5df397dec7c4, 6.2). zap_pte_range clears a pte and flushes the TLB only before it drops the pte lock,
# at the end of the PTE table; meanwhile another CPU may still write through its TLB entry. Until 6.2 it removed the
# page's rmap at once, so folio_mkclean found a dirty page of a shared file "not mapped", cleaned it without taking
# the pte lock, and writeback wrote it; a store through the stale entry then changed the page with nothing marking it
# dirty: the write never reaches the disk (no-lost-write). From 6.2 the rmap of a dirty file page goes after the
# flush: folio_mkclean finds the page mapped, waits for the zap's pte lock, and by then no CPU can write the page.
# The scenario caches translations (tlb): P's stores fill its CPU's entries, Z's MADV_DONTNEED stops between the two
# ptes of one table, and W writes the file back.
scenario tlb-delayed-rmap
doc "A zap's deferred TLB flush against writeback: a store through a stale entry is lost until the rmap is delayed"

tlb
memory normal=1M
process P
P: creat F ext4 8K
P: mmap_file A F 8K PROT_READ|PROT_WRITE MAP_SHARED
P: store A 0x1                        # page_mkwrite; the pte writable and dirty: P's TLB caches it
P: store A+4096 0x2

thread Z of P {
  madvise A 8K MADV_DONTNEED          # zap_pte_range: both ptes under one pte lock, the flush before it drops it
}
thread W of P {
  writeback F                         # folio_mkclean, then the write
}
thread P {
  store A 0x3                         # through P's TLB entry while it lasts, else a fault
}

exists (violated no-lost-write)

expect 2.6.19 2.6.23 2.6.27 4.8 4.9 5.7 5.8 5.9 5.11 5.19 sometimes
expect 6.18 5.19[zap_delay_rmap=on] never
