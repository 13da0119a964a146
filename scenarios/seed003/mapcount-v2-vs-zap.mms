# Seed 003, Jérôme Glisse's answer to Jan Kara (pin_tracking=mapcount-v2, never shipped), against the race of
# mapcount-v1-vs-zap.mms: GUP backs off while the page is under writeback and sets PageDMAPinned; zap leaves a
# special entry where it clears a writable pte; page_mkclean reads mapcount1 before its walk and, if the counts
# disagree and mapcount2 (read after it) is not above real_mapcount, walks again with page_pin_one counting the
# special entries, and clears PageDMAPinned if mapcount2 <= real_count + rc2 (the thread's real_count read as
# real_mapcount, the only count in scope). The zap that Jan Kara asks about comes after the first walk
# write-protected the pte: it clears a pte that is no longer writable and leaves no special entry, so the
# second walk counts nothing, and mapcount2 = 1 <= 0 + 1 clears the flag of a page the driver still pins. Had
# zap left an entry for any pte, the test would read 1 <= 1 + 1: the same answer; the sum adds the racing zaps
# where they should be taken away. Same probe as mapcount-v1-vs-zap.mms (pinned_writeback=skip, O_DIRECT
# reads the disk with the pin still held).
scenario seed003-mapcount-v2-vs-zap
doc "Jan Kara's race against Jerome Glisse's second design: mapcount1, mapcount2 and the page_pin_one walk"

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

expect 5.7[pin_tracking=mapcount-v2] 5.19[pin_tracking=mapcount-v2] 6.18[pin_tracking=mapcount-v2] allowed
expect 5.7 5.19 6.18 5.7[pin_tracking=refcount] 6.18[pin_tracking=refcount] forbidden
