# Seed 003, Jan Kara's question to Jérôme Glisse's first design (pin_tracking=mapcount-v1, never shipped):
# GUP adds a pin of a non-anon page to page->_mapcount; page_mkclean counts the ptes its rmap walk meets
# (real_mapcount) and sets PageDMAPinned when page_mapcount() - real_mapcount > 0. "Why cannot
# rmap_walk_file() race with e.g. zap_pte_range() which decrements page->_mapcount and thus the check we do
# in page_mkclean() is wrong?" A driver holds a pin on a dirty page of a MAP_SHARED ext4 mapping; writeback
# runs while the process drops its pte (MADV_DONTNEED: zap_pte_range). If the zap comes after the walk
# counted the pte and before the test, _mapcount lost the pte the walk counted: 2 - 1 becomes 1 - 1, and
# writeback believes the pinned page not pinned (the pin-tracking-sound invariant fires).
# To make the belief observable, writeback keeps a page it believes pinned dirty and unwritten
# (pinned_writeback=skip); O_DIRECT then reads the disk while the pin is still held (its own writeback of
# the dirty page skips it again): 0x1 on disk means writeback wrote a page it should have believed pinned.
# The same file under bias (page_maybe_dma_pinned: the pin is GUP_PIN_COUNTING_BIAS in the refcount, which
# no zap touches) and refcount (the pin is a reference beyond the cache, buffers and ptes) never misses it.
scenario seed003-mapcount-v1-vs-zap
doc "Jan Kara's race: page_mkclean's walk counts a pte that zap_pte_range then drops, under a held pin"

set pinned_writeback=skip
process P
P: creat F ext4 4K
P: mmap_file A F 4K PROT_READ|PROT_WRITE MAP_SHARED
P: mmap B 4K PROT_READ|PROT_WRITE MAP_PRIVATE|MAP_ANONYMOUS
P: store A 0x1                        # page_mkwrite: buffers, dirty
P: pin_user_pages G A 1 FOLL_WRITE    # _mapcount 2 under mapcount-*: the pte and the pin

thread W of P {
  writeback F                      # page_mkclean's walk (a point per pte), the test, the write or not
}
thread Z of P {
  madvise A 4K MADV_DONTNEED       # zap_pte_range: _mapcount - 1
}

P: odirect_read F 0 B 4K              # what the disk holds, the pin still held
P: r0 = load B
P: unpin_user_pages G

exists (P:r0 = 0x1)

expect 5.7[pin_tracking=mapcount-v1] 5.19[pin_tracking=mapcount-v1] 6.18[pin_tracking=mapcount-v1] allowed
expect 5.7 5.19 6.18 5.7[pin_tracking=refcount] 6.18[pin_tracking=refcount] forbidden
