# gup_longterm selftest "io_uring fixed buffer with MAP_SHARED file mapping ... with tmpfile"
# (oracle §6.2 rows 42 and 43 "... with tmpfile" / "... with local tmpfile", both on ext4)
# tools/testing/selftests/mm/gup_longterm.c, do_test with TEST_TYPE_IOURING, shared=true:
#   1. The file comes from tmpfile() on ext4, is ftruncate()d to one page, mmap()ed MAP_SHARED
#      PROT_READ|PROT_WRITE and faulted in with memset, so the pte maps the page-cache page.
#   2. io_uring_queue_init, then io_uring_register_buffers() on the page: io_uring always pins
#      FOLL_WRITE|FOLL_LONGTERM.
#   The test wants the registration to FAIL here (should_work is false for MAP_SHARED on ext4); it
#   accepts ENOSPC, EOPNOTSUPP or EFAULT, so the failure written below is "registration succeeded".
# Refused under every profile, for two reasons in turn: before 6.5 io_uring's own check (io_sqe_buffer_
# register / io_pin_pages) refuses file-backed VMAs other than shmem/hugetlbfs with -EOPNOTSUPP
# (kernel-mm.md §9); from 6.5 that check is gone and GUP refuses the writable long-term pin of ext4
# page cache with -EFAULT (kernel-mm.md §6.2, §2.3 item 5). Both errnos pass the test.
# 4.8 and 4.9 have neither FOLL_PIN nor io_uring (kernel-mm.md §0): no expectation there.
# Oracle (6.18, §6.2 #42/#43, §5.2): the registration failed with -EFAULT in every run, the expected
# refusal; the TAP line says SKIP in runs B and C only because the test reads a stale errno.
scenario gup-longterm-iouring-shared-tmpfile
doc "io_uring must refuse a fixed buffer in a MAP_SHARED mapping of an ext4 file"

process P
P: creat F ext4 4K                   # tmpfile(): /tmp is ext4 on the oracle machine
P: unlink F                          # tmpfile() files have no name
P: mmap_file A F 4K PROT_READ|PROT_WRITE MAP_SHARED
P: store A 0x0                       # memset(mem, 0, size): fault the page in
P: s = io_uring_setup R              # io_uring_queue_init
P: r0 = io_uring_register_buffers R A 4K

exists (P:r0 = 0)

expect 5.7 5.8 5.9 5.11 5.19 6.18 forbidden

known 5.7 5.8 5.9 5.11 5.19 forbidden "kernel-mm.md §9 io_uring row: file-backed memory refused by a -EOPNOTSUPP check before 6.5's GUP rule"
known 6.18 forbidden "kernel-oracle.md §5.2 and §6.2 #42/#43: io_uring_register_buffers() returned -EFAULT in every run, the expected refusal (TAP SKIP in B and C is the test's errno bug)"
