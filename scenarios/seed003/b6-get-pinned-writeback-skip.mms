# scenarios/pins/dma-get-vs-writeback.mms (B6 with a FOLL_GET reference, the idiom before FOLL_PIN) with
# pinned_writeback=skip: only a design that sees the reference keeps the page dirty, and with it its buffers
# through reclaim. refcount sees it (a reference beyond cache, buffers and pte: no way to tell it from a
# pin, which here is what saves the write); bias does not (page_maybe_dma_pinned counts FOLL_PIN only), nor
# do seed 003's mapcount designs (only put_user_page() users, FOLL_PIN here, are in _mapcount): the page is
# written and cleaned, reclaim strips its buffers, and the write is lost as in Linux (oops before 5.18).
scenario seed003-b6-get-pinned-writeback-skip
doc "B6 with a FOLL_GET reference and pinned_writeback=skip: only pin_tracking=refcount keeps the page dirty"

set pinned_writeback=skip
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

expect 5.7[pin_tracking=refcount] 5.19[pin_tracking=refcount] forbidden
expect 5.7 5.19 allowed
expect 5.19[pin_tracking=mapcount-v1] 5.19[pin_tracking=mapcount-v2] allowed
