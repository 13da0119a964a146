# Seed 003, John Hubbard's "Until...what? In other words, what is providing synchronization here?" to Jérôme
# Glisse's second design (pin_tracking=mapcount-v2), and Jérôme's answer: "It can still race with
# put_user_page() but this is fine ie it means that a racing put_user_page() will not be taken into account
# and that page will still be consider pin for this round". A driver holds a pin on a dirty page of a
# MAP_SHARED ext4 mapping and releases it (unpin_user_pages, the put_user_page() of the thread) while
# writeback runs page_mkclean's reads and walks: mapcount1, the first walk, mapcount2, the second walk, the
# test, each a point. The bad outcome is writeback believing the page not pinned while the pin still holds
# it (the pin-tracking-sound invariant); a release that comes too late to count leaves the page believed
# pinned (a false positive, traced as "pin_tracking: false positive"), which is allowed. The condition is that
# wrong belief (violated pin-tracking-sound, kept in the state once writeback made it) or an oops (the design's
# VM_BUG_ON(mapcount1 < real_count)).
scenario seed003-mapcount-v2-vs-put-user-page
doc "John Hubbard's 'Until...what?': unpin races page_mkclean's mapcount1/mapcount2 walks"

set pinned_writeback=skip
process P
P: creat F ext4 4K
P: mmap_file A F 4K PROT_READ|PROT_WRITE MAP_SHARED
P: store A 0x1                        # page_mkwrite: buffers, dirty
P: pin_user_pages G A 1 FOLL_WRITE    # _mapcount 2 under mapcount-*, PageDMAPinned under mapcount-v2

thread W of P {
  writeback F
}
thread U of P {
  unpin_user_pages G                  # put_user_page(): _mapcount - 1
}

exists (oops \/ violated pin-tracking-sound)

expect 5.7[pin_tracking=mapcount-v2] 6.18[pin_tracking=mapcount-v2] forbidden
expect 5.7[pin_tracking=mapcount-v1] 6.18[pin_tracking=mapcount-v1] forbidden
expect 5.7 6.18 5.7[pin_tracking=refcount] 6.18[pin_tracking=refcount] forbidden
