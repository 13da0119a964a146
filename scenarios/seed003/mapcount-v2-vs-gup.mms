# Seed 003, GUP against writeback: Jérôme Glisse's "[2] We need to protect GUP code with
# wait_for_write_back() in case GUP is racing with a write back that might not the see the elevated mapcount
# in time" (pin_tracking=mapcount-v2: GUP that meets a writable pte of a page under writeback backs off and
# waits, wait_on_page_writeback) against Jan Kara's "__get_user_pages() gets page reference (and it should
# also increment page->_mapcount) under PTE lock ... page_mkclean() has to block on PTE lock to make PTE
# read-only and only after going through all PTEs like this, it can check page->_mapcount. So the PTE lock
# provides enough synchronization" (pin_tracking=mapcount-v1 has no wait). A driver pins a dirty page of a
# MAP_SHARED ext4 mapping, on the slow path (thread G, under the pte lock) and on GUP-fast (thread H: reads
# the pte, grabs the page, rechecks the pte, each a point, no pte lock), while writeback runs page_mkclean.
# The bad outcome is writeback believing the page not pinned while a pin holds it at that moment (the
# pin-tracking-sound invariant, kept in the state once writeback made it: violated pin-tracking-sound) or an
# oops. The explorer finds that the PTE lock is enough for mapcount-v1, whose test reads _mapcount after the
# walk, and that mapcount-v2 breaks it: its mapcount1 is read before the walk, a pin taken between that read
# and the walk's pte (GUP holds the pte lock, the walk has not taken it yet) makes mapcount1 == real_mapcount,
# and the "no zap pte race" branch clears PageDMAPinned. Jérôme's wait does not help: PG_writeback is set
# after page_mkclean returns (write_cache_pages: clear_page_dirty_for_io, then ->writepage sets it), so GUP
# never sees it during the walks. Pins taken after the test live on past it (John Hubbard's
# "Until...what?"): that is for pinned_writeback, not for the tracking.
scenario seed003-mapcount-v2-vs-gup
doc "GUP (slow and fast) pins a page while page_mkclean walks: is the PTE lock enough (Jan Kara) or must GUP wait (Jerome Glisse)?"

set pinned_writeback=skip
process P
P: creat F ext4 4K
P: mmap_file A F 4K PROT_READ|PROT_WRITE MAP_SHARED
P: store A 0x1                        # page_mkwrite: buffers, dirty

thread W of P {
  writeback F
}
thread G of P {
  pin_user_pages G1 A 1 FOLL_WRITE
}
thread H of P {
  pin_user_pages_fast G2 A 1 FOLL_WRITE
}

P: unpin_user_pages G1
P: unpin_user_pages G2

exists (oops \/ violated pin-tracking-sound)

expect 5.7[pin_tracking=mapcount-v2] 6.18[pin_tracking=mapcount-v2] allowed
expect 5.7[pin_tracking=mapcount-v1] 6.18[pin_tracking=mapcount-v1] forbidden
expect 5.7 6.18 5.7[pin_tracking=refcount] 6.18[pin_tracking=refcount] forbidden
