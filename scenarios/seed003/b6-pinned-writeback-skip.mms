# B6 (kernel-mm.md §10, scenarios/history/b6-dma-vs-writeback.mms) with pinned_writeback=skip: writeback
# keeps the page it believes pinned dirty and does not write it: the final step of John Hubbard's and Jan Kara's plan for pinned pages in writeback ("bounce buffers,
# or keeping them dirty", kernel-mm.md §6, B6's remedies), which was not merged; seed 003 itself argues how to
# know a page is pinned, not what writeback does then. The driver's pin is
# seen when writeback runs (bias: GUP_PIN_COUNTING_BIAS; refcount: a reference beyond cache, buffers and pte;
# mapcount-v1/-v2: _mapcount 2 against one pte walked), so the page stays dirty through reclaim, which skips
# dirty pages and so keeps its buffers; the device's write is dirtied onto a page that has them, and the final
# fsync (the pin released: the page is no longer believed pinned) writes 0xD. No oops, no lost write, under
# 5.7 and 5.19 as well as 6.18, without reclaim_skip_pinned. Only the order matters here; no thread races. (Under
# mapcount-v1/-v2 B6 is closed earlier, by reclaim: the pin in _mapcount keeps folio_mapped() true, so reclaim keeps
# the page and its buffers whatever pinned_writeback says.)
scenario seed003-b6-pinned-writeback-skip
doc "B6 with pinned_writeback=skip: the pinned page stays dirty, keeps its buffers, and the device's write reaches the disk"

set pinned_writeback=skip
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

expect 5.7 5.19 6.18 forbidden
expect 5.7[pin_tracking=refcount] 5.19[pin_tracking=refcount] forbidden
expect 5.7[pin_tracking=mapcount-v1] 5.19[pin_tracking=mapcount-v1] forbidden
expect 5.7[pin_tracking=mapcount-v2] 5.19[pin_tracking=mapcount-v2] forbidden
expect 5.19[pinned_writeback=ignore] allowed
