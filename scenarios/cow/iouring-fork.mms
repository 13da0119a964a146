# cow selftest "fork() with an iouring fixed buffer ... with base page" (tools/testing/selftests/mm/cow.c,
# test_iouring_fork -> do_test_iouring, use_fork=true):
#   1. memset(mem, 1) populates the anonymous base page; tmpfile() creates the file (on ext4, /tmp).
#   2. io_uring_register_buffers pins the page writable and long-term: refcount 1 + 1024.
#   3. fork(); the child stays alive until the parent is done.
#   4. The parent does memset(mem, 0xff), IORING_OP_WRITE_FIXED copies the pinned buffer to the file, and
#      pread reads it back. The test fails if the file differs from memory.
# Before 5.9 fork shares the pinned page like any other (mapcount 2, both ptes R/O), and the parent's write
# fault copies it (mapcount 2 != 1): the parent writes a new page, the ring keeps the old one. This is "COW
# can break either way" (kernel-mm.md §10 B3); 5.8's forced COW break only acts in GUP, and the page was
# exclusive when it was pinned. 5.9 (70e806e4e645) copies maybe-pinned pages for the child at fork and
# leaves the parent's pte writable on the pinned page; 5.19 says the same through PageAnonExclusive.
# Oracle (6.18, §6.1 #379): ok.
scenario cow-iouring-fork
doc "After fork, the parent's write must reach its io_uring fixed buffer"

process P
P: mmap A 4K PROT_READ|PROT_WRITE MAP_PRIVATE|MAP_ANONYMOUS
P: store A 0x01                               # memset(mem, 1): populate the base page
P: creat F ext4 4K                            # tmpfile() in /tmp (ext4)
P: s = io_uring_setup R                       # io_uring_queue_init
P: n = io_uring_register_buffers R A 4K       # writable long-term pin: refcount 1 + 1024
P: fork C                                     # the child stays alive
P: store A 0xff                               # memset(mem, 0xff) in the parent
P: w = io_uring_write_fixed R F 0 A 4K        # the ring copies the pinned page into the file
P: r0 = pread F 0                             # read the file back

exists (P:n = 0 /\ P:w = 0x1000 /\ P:r0 != 0xff)

expect 5.7 5.8 allowed
expect 5.9 5.11 5.19 6.18 forbidden

# Nothing is stated for 4.8 and 4.9: they have no FOLL_PIN (kernel-mm.md §0, 5.6), and io_uring fixed
# buffers pin with it.
known 5.7 5.8 allowed "kernel-mm.md §3.4 timeline, before 5.9: the pinned page is shared and the parent loses it on its first write; §10 B3, Affected: before 5.9"
known 5.9 5.11 5.19 forbidden "kernel-mm.md §3.4 timeline, 5.9 (70e806e4e645): early COW of pinned pages at fork; §9 io_uring row: fork gives the child copies"
known 6.18 forbidden "kernel-oracle.md §6.1 #379 'fork() with an iouring fixed buffer ... with base page': ok in runs A, B and C"
