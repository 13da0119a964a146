# gup_longterm selftest "io_uring fixed buffer with MAP_SHARED file mapping ... with memfd"
# (oracle §6.2 row 41 "... with memfd")
# tools/testing/selftests/mm/gup_longterm.c, do_test with TEST_TYPE_IOURING, shared=true:
#   1. The file comes from memfd_create() (tmpfs), is ftruncate()d to one page, mmap()ed MAP_SHARED
#      PROT_READ|PROT_WRITE and faulted in with memset, so the pte maps the page-cache page.
#   2. io_uring_queue_init, then io_uring_register_buffers() on the page: io_uring always pins
#      FOLL_WRITE|FOLL_LONGTERM.
#   The test wants the registration to succeed (should_work: MAP_SHARED on tmpfs).
# 6.18: GUP pins shmem writable long-term. 5.19: io_uring's own check (io_uring/rsrc.c, before 6.5)
# refuses file-backed VMAs with -EOPNOTSUPP but exempts shmem. That exemption only arrived in 5.14
# (axboe/liburing#358: "memfd/shmem is queued for 5.14"; 5.10's fs/io_uring.c tests only
# vm_file && !is_file_hugepages): the real 5.7-5.11 return -EOPNOTSUPP and the test fails there.
# mmsim models this as io_uring_file_check=any_file (5.7-5.11) and except_shmem (5.19).
# 4.8 and 4.9 have neither FOLL_PIN nor io_uring (kernel-mm.md §0): no expectation there.
# Oracle (6.18, §6.2 #41): ok in runs A, B and C.
scenario gup-longterm-iouring-shared-memfd
doc "io_uring must register a fixed buffer in a MAP_SHARED mapping of a memfd"

process P
P: memfd_create F 4K                 # memfd_create + ftruncate: an unlinked tmpfs file
P: mmap_file A F 4K PROT_READ|PROT_WRITE MAP_SHARED
P: store A 0x0                       # memset(mem, 0, size): fault the page in
P: s = io_uring_setup R              # io_uring_queue_init
P: r0 = io_uring_register_buffers R A 4K

exists (P:r0 != 0)

expect 5.7 5.8 5.9 5.11 allowed
expect 5.19 6.18 forbidden

known 6.18 forbidden "kernel-oracle.md §6.2 #41 'io_uring fixed buffer with MAP_SHARED file mapping ... with memfd': ok in runs A, B and C"
known 5.7 5.8 5.9 5.11 allowed "axboe/liburing#358 (June 2021): io_uring refused memfd buffers with EOPNOTSUPP until 5.14; 5.10 fs/io_uring.c refuses any non-hugetlbfs vm_file"
