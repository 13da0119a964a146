# B6 (kernel-mm.md §10) by the path syzbot's reproducer took: process_vm_writev() into a MAP_SHARED ext4
# page. process_vm_rw_single_vec() takes the remote page with pin_user_pages_remote(FOLL_WRITE) (FOLL_PIN
# from 5.6, 803e4572d7c5; get_user_pages_remote, FOLL_GET, before), drops mmap_lock, and copies from the
# caller's buffer, a copy that may fault and sleep. Meanwhile the flusher writes the page back
# (folio_mkclean: clean, read-only) and reclaim tries it: filemap_release_folio strips its buffers and
# __remove_mapping refuses the held page. The copy then writes the word and unpin_user_pages_dirty_lock
# (set_page_dirty_lock and put_page before 5.6) dirties a page without buffers behind ext4's back. The
# next fsync reaches ext4's ->writepages with it: BUG_ON(!page_has_buffers) up to 5.17; from 5.18
# (cc5095747edf) a WARN and the page skipped, the write lost. 6.4 (d824ec2a1546) keeps a maybe-pinned page's
# buffers in reclaim, so under FOLL_PIN the write reaches the disk.
scenario b6-process-vm-writev
doc "process_vm_writev pins a MAP_SHARED ext4 page while writeback and reclaim strip its buffers (B6, syzbot's path)"

process P
process W
P: creat F ext4 4K
P: mmap_file A F 4K PROT_READ|PROT_WRITE MAP_SHARED
P: store A 0x1                        # page_mkwrite: buffers attached, page dirty

thread T1 of W {
  r0 = process_vm_writev P A 0xD
}
thread T2 of P {
  writeback F
  r1 = reclaim F 0
}
P: r2 = fsync F
P: drop_caches
P: r3 = pread F 0

exists (oops \/ P:r3 != 0xD)

expect 4.8 5.7 5.19 allowed
expect 6.18 forbidden
