# gup_longterm selftest "io_uring fixed buffer with MAP_PRIVATE file mapping ... with tmpfile"
# (oracle §6.2 rows 47 and 48 "... with tmpfile" / "... with local tmpfile", both on ext4)
# tools/testing/selftests/mm/gup_longterm.c, do_test with TEST_TYPE_IOURING, shared=false:
#   1. The file comes from tmpfile() on ext4, is ftruncate()d to one page, mmap()ed MAP_PRIVATE
#      PROT_READ|PROT_WRITE and faulted in with memset: the write fault of the private mapping
#      replaces the page-cache page with an anonymous COW copy.
#   2. io_uring_queue_init, then io_uring_register_buffers() on the page: io_uring always pins
#      FOLL_WRITE|FOLL_LONGTERM.
#   The test wants the registration to succeed (should_work: !shared).
# The buffer's pages are anonymous COW copies, so GUP pins them, but before 6.5 io_uring's own check
# looked at the VMA, not the page: a file-backed VMA other than shmem/hugetlbfs gives -EOPNOTSUPP
# (kernel-mm.md §9), and the selftest, which expects success, fails under 5.7-5.19. 6.5 dropped that
# check in favour of GUP's rule, which only refuses shared mappings, so 6.18 registers the buffer.
# 4.8 and 4.9 have neither FOLL_PIN nor io_uring (kernel-mm.md §0): no expectation there.
# Oracle (6.18, §6.2 #47/#48, §5.2 probe: 0): ok in runs A, B and C.
scenario gup-longterm-iouring-private-tmpfile
doc "io_uring must register a fixed buffer in a MAP_PRIVATE mapping of an ext4 file"

process P
P: creat F ext4 4K                   # tmpfile(): /tmp is ext4 on the oracle machine
P: unlink F                          # tmpfile() files have no name
P: mmap_file A F 4K PROT_READ|PROT_WRITE MAP_PRIVATE
P: store A 0x0                       # memset(mem, 0, size): fault the page in, COW copy
P: s = io_uring_setup R              # io_uring_queue_init
P: r0 = io_uring_register_buffers R A 4K

exists (P:r0 != 0)

expect 5.7 5.8 5.9 5.11 5.19 allowed
expect 6.18 forbidden

known 5.7 5.8 5.9 5.11 5.19 allowed "kernel-mm.md §9 io_uring row: file-backed memory refused by a -EOPNOTSUPP check before 6.5's GUP rule"
known 6.18 forbidden "kernel-oracle.md §6.2 #47/#48 'io_uring fixed buffer with MAP_PRIVATE file mapping ... with tmpfile': ok in runs A, B and C; §5.2 probe: 0"
