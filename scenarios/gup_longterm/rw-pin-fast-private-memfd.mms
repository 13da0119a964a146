# gup_longterm selftest "R/W longterm GUP-fast pin in MAP_PRIVATE file mapping ... with memfd"
# (oracle §6.2 row 26 "... with memfd")
# tools/testing/selftests/mm/gup_longterm.c, do_test with TEST_TYPE_RW_FAST, shared=false:
#   1. The file comes from memfd_create() (tmpfs), is ftruncate()d to one page, mmap()ed MAP_PRIVATE
#      PROT_READ|PROT_WRITE and faulted in with memset: the write fault of the private mapping
#      replaces the page-cache page with an anonymous COW copy.
#   2. gup_test's PIN_LONGTERM_TEST_START pins the page with pin_user_pages_fast(FOLL_WRITE|FOLL_LONGTERM).
#   should_work is true (pinning in a private mapping must always work):
#   the test fails unless the pin returns the page.
# memset already broke COW, so the pte maps an exclusive, writable anonymous page: the pin takes it
# directly under every profile (it is not a file page, so 6.5's refusal does not apply).
# 4.8 and 4.9 have neither FOLL_PIN nor io_uring (kernel-mm.md §0): no expectation there.
# Oracle (6.18, §6.2 #26): skipped, gup_test is not built into the oracle kernel; the assertion
# is the selftest's (§4.4).
scenario gup-longterm-rw-pin-fast-private-memfd
doc "A R/W long-term GUP-fast pin in a MAP_PRIVATE mapping of a memfd must succeed"

process P
P: memfd_create F 4K                 # memfd_create + ftruncate: an unlinked tmpfs file
P: mmap_file A F 4K PROT_READ|PROT_WRITE MAP_PRIVATE
P: store A 0x0                       # memset(mem, 0, size): fault the page in, COW copy
P: r0 = pin_user_pages_fast H A 1 FOLL_WRITE|FOLL_LONGTERM   # PIN_LONGTERM_TEST_START

exists (P:r0 != 1)

expect 5.7 5.8 5.9 5.11 5.19 6.18 forbidden

known 6.18 forbidden "kernel-oracle.md §4.4: asserted by the selftest; row 26 not run on the oracle machine (gup_test not available)"
