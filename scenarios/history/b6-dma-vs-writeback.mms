# DMA into a MAP_SHARED ext4 page against writeback and reclaim (kernel-mm.md §10 B6). A driver pins a
# page of a shared ext4 mapping for a short DMA (pin_user_pages(FOLL_WRITE), not long-term: an O_DIRECT
# read into a file-backed buffer). Meanwhile the page is written back (folio_mkclean: the pte read-only and
# clean, PG_dirty clear) and reclaim tries it: try_to_unmap zaps the pte, filemap_release_folio strips the
# buffers (try_to_free_buffers), and __remove_mapping refuses because the pin is more than the cache and
# the isolation expect. The page stays cached, clean and without buffers. The device writes 0xD into it
# and the driver releases it dirty (unpin_user_pages_dirty_lock: set_page_dirty_lock makes the page dirty
# though ext4 never heard of the write: no ->page_mkwrite, no buffers). The next writeback reaches ext4's
# ->writepages with a dirty page without buffers: up to 5.17 that is BUG_ON(!page_has_buffers(page)) in
# mpage_prepare_extent_to_map, an oops; 5.18 (cc5095747edf, "ext4: don't BUG if someone dirty pages
# without asking ext4 first", Ted Ts'o) WARNs, clears the dirty bit and skips the page: the device's write
# never reaches the disk (the no-lost-write invariant), and once the clean page is reclaimed a read
# returns the old data. 6.4 (d824ec2a1546, Jan Kara, "mm: do not reclaim private data from pinned page")
# makes reclaim keep a maybe-DMA-pinned page before it strips the buffers, so in 6.18 the page keeps them
# and the write reaches the disk. A FOLL_GET reference is not seen by that check:
# scenarios/pins/dma-get-vs-writeback.mms loses the write in 6.18 too. FOLL_PIN exists from 5.7 in the
# model (kernel-mm.md §0); earlier kernels have no expectation here.
scenario b6-dma-vs-writeback
doc "A device writes a MAP_SHARED ext4 page through a short-term pin after writeback and reclaim stripped its buffers"

process P
P: creat F ext4 4K
P: mmap_file A F 4K PROT_READ|PROT_WRITE MAP_SHARED
P: store A 0x1                        # page_mkwrite: buffers attached, page dirty
P: pin_user_pages G A 1 FOLL_WRITE    # the driver's short-term pin
P: writeback F                        # folio_mkclean; 0x1 on disk; page clean
P: r0 = reclaim F 0                   # buffers stripped (before 6.4), __remove_mapping refused: 0 pages freed
P: dma_write G 0xD                    # the device writes the clean page behind ext4's back
P: unpin_user_pages_dirty G           # set_page_dirty_lock: dirty, without buffers (before 6.4)
P: r1 = fsync F                       # ext4 writeback: BUG (<=5.17) or WARN and skip (5.18+)
P: drop_caches
P: r2 = pread F 0                     # what the disk holds

exists (oops \/ P:r2 != 0xD)

expect 5.7 5.8 5.9 5.11 5.19 allowed
expect 6.18 forbidden

known 5.11 allowed "cc5095747edf (5.18): before it ext4_writepages BUG()s on a dirty page without buffers (mpage_prepare_extent_to_map); kernel-mm.md §10 B6"
known 5.19 allowed "cc5095747edf (5.18, Ted Ts'o): WARN_ON_ONCE, clear dirty, skip the page: the data written through the pin is lost; kernel-mm.md §10 B6"
known 6.18 forbidden "d824ec2a1546 (6.4, Jan Kara, 'mm: do not reclaim private data from pinned page'): shrink_folio_list keeps a maybe-DMA-pinned folio before filemap_release_folio"
