# gup_longterm selftest "R/W longterm GUP pin in MAP_SHARED file mapping ... with memfd"
# (oracle §6.2 row 1 "... with memfd")
# tools/testing/selftests/mm/gup_longterm.c, do_test with TEST_TYPE_RW, shared=true:
#   1. The file comes from memfd_create() (tmpfs), is ftruncate()d to one page, mmap()ed MAP_SHARED
#      PROT_READ|PROT_WRITE and faulted in with memset, so the pte maps the page-cache page.
#   2. gup_test's PIN_LONGTERM_TEST_START pins the page with pin_user_pages(FOLL_WRITE|FOLL_LONGTERM).
#   should_work is true (a R/W long-term pin of tmpfs page cache is allowed (no writeback to protect)):
#   the test fails unless the pin returns the page.
# shmem needs no dirty tracking, so a writable long-term pin of a memfd page has always been allowed,
# and 6.5's refusal (writable_file_mapping_allowed, kernel-mm.md §2.3 item 5) exempts shmem.
# 4.8 and 4.9 have neither FOLL_PIN nor io_uring (kernel-mm.md §0): no expectation there.
# Oracle (6.18, §6.2 #1): skipped, gup_test is not built into the oracle kernel; the assertion
# is the selftest's (§4.4).
scenario gup-longterm-rw-pin-shared-memfd
doc "A R/W long-term pin in a MAP_SHARED mapping of a memfd must succeed"

process P
P: memfd_create F 4K                 # memfd_create + ftruncate: an unlinked tmpfs file
P: mmap_file A F 4K PROT_READ|PROT_WRITE MAP_SHARED
P: store A 0x0                       # memset(mem, 0, size): fault the page in
P: r0 = pin_user_pages H A 1 FOLL_WRITE|FOLL_LONGTERM   # PIN_LONGTERM_TEST_START

exists (P:r0 != 1)

expect 5.7 5.8 5.9 5.11 5.19 6.18 forbidden

known 6.18 forbidden "kernel-oracle.md §4.4: asserted by the selftest; row 1 not run on the oracle machine (gup_test not available)"
