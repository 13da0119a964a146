# The long-term form of B6 (kernel-mm.md §10 B6): a writable FOLL_LONGTERM pin (RDMA, vfio, io_uring)
# of a MAP_SHARED ext4 page lets the device write the page for as long as the pin lives, behind writeback
# and reclaim, exactly as in b6-dma-vs-writeback.mms. 6.5 refuses such pins outright
# (writable_file_mapping_allowed, Lorenzo Stoakes: -EFAULT for a FOLL_LONGTERM|FOLL_WRITE pin of a
# shared mapping whose filesystem needs dirty tracking). Before that the pin is granted, and the same
# writeback, reclaim and release make the write lost (5.19: WARN) or an oops (<=5.17: BUG). FOLL_PIN
# exists from 5.7 in the model (kernel-mm.md §0); earlier kernels have no expectation.
scenario b6-longterm-pin
doc "A writable long-term pin of a MAP_SHARED ext4 page: granted before 6.5 (then the device's write is lost), refused since"

process P
P: creat F ext4 4K
P: mmap_file A F 4K PROT_READ|PROT_WRITE MAP_SHARED
P: store A 0x1
P: r0 = pin_user_pages MR A 1 FOLL_WRITE|FOLL_LONGTERM

exists (P:r0 = 1)

expect 5.7 5.8 5.9 5.11 5.19 allowed
expect 6.18 forbidden

known 6.18 forbidden "writable_file_mapping_allowed (6.5, Lorenzo Stoakes, 'mm/gup: disallow FOLL_LONGTERM GUP-nonfast writing to file-backed mappings'): -EFAULT"
known 5.19 allowed "kernel-mm.md §10 B6: before 6.5 GUP granted writable long-term pins of ext4 shared mappings"
