# B6 (kernel-mm.md §10) with a FOLL_GET reference instead of a pin: a driver takes get_user_pages(FOLL_WRITE)
# on a page of a shared ext4 mapping, writeback cleans the page, reclaim strips its buffers and fails to
# remove it, the device writes the page, and the driver releases it with set_page_dirty_lock() and
# put_page() (the idiom before FOLL_PIN). The page is dirty without buffers: ext4 BUGs up to 5.17 and loses
# the write since 5.18. Unlike b6-dma-vs-writeback.mms, 6.18 does not help here: reclaim's
# folio_maybe_dma_pinned() check (d824ec2a1546, 6.4) sees only FOLL_PIN, which is why GUP users that
# write through their pages were converted to pin_user_pages() (Documentation/core-api/pin_user_pages.rst,
# "Case 1: Direct IO").
scenario dma-get-vs-writeback
doc "A device writes a MAP_SHARED ext4 page through a FOLL_GET reference after reclaim stripped its buffers"

process P
P: creat F ext4 4K
P: mmap_file A F 4K PROT_READ|PROT_WRITE MAP_SHARED
P: store A 0x1
P: get_user_pages G A 1 FOLL_WRITE    # a FOLL_GET reference: folio_maybe_dma_pinned() cannot see it
P: writeback F
P: r0 = reclaim F 0                   # buffers stripped, __remove_mapping refused
P: dma_write G 0xD
P: put_pages_dirty G                  # set_page_dirty_lock + put_page: dirty without buffers
P: r1 = fsync F                       # BUG (<=5.17) or WARN and skip (5.18+)
P: drop_caches
P: r2 = pread F 0

exists (oops \/ P:r2 != 0xD)

expect 2.6.19 2.6.23 2.6.27 4.8 4.9 5.7 5.8 5.9 5.11 5.19 6.18 allowed
