# gup_longterm selftest "R/O longterm GUP pin in MAP_PRIVATE file mapping ... with memfd"
# (oracle §6.2 row 31 "... with memfd")
# tools/testing/selftests/mm/gup_longterm.c, do_test with TEST_TYPE_RO, shared=false:
#   1. The file comes from memfd_create() (tmpfs), is ftruncate()d to one page, mmap()ed MAP_PRIVATE
#      PROT_READ|PROT_WRITE and faulted in with memset: the write fault of the private mapping
#      replaces the page-cache page with an anonymous COW copy.
#   2. mprotect(PROT_READ), to cover the unsharing decisions of an R/O long-term pin.
#   3. gup_test's PIN_LONGTERM_TEST_START pins the page with pin_user_pages(FOLL_LONGTERM).
#   should_work is true (pinning in a private mapping (R/O) must always work):
#   the test fails unless the pin returns the page.
# The pinned page is the anonymous COW copy that memset made, mapped R/O by mprotect. Under 5.8 the
# forced COW break (17839856fd58) write-faults it: mapcount 1, so do_wp_page reuses it in place. From
# 5.19 it is PageAnonExclusive, so no unshare fault is needed. The pin succeeds under every profile.
# 4.8 and 4.9 have neither FOLL_PIN nor io_uring (kernel-mm.md §0): no expectation there.
# Oracle (6.18, §6.2 #31): skipped, gup_test is not built into the oracle kernel; the assertion
# is the selftest's (§4.4).
scenario gup-longterm-ro-pin-private-memfd
doc "A R/O long-term pin in a MAP_PRIVATE mapping of a memfd must succeed"

process P
P: memfd_create F 4K                 # memfd_create + ftruncate: an unlinked tmpfs file
P: mmap_file A F 4K PROT_READ|PROT_WRITE MAP_PRIVATE
P: store A 0x0                       # memset(mem, 0, size): fault the page in, COW copy
P: mprotect A 4K PROT_READ
P: r0 = pin_user_pages H A 1 FOLL_LONGTERM   # PIN_LONGTERM_TEST_START

exists (P:r0 != 1)

expect 5.7 5.8 5.9 5.11 5.19 6.18 forbidden

known 6.18 forbidden "kernel-oracle.md §4.4: asserted by the selftest; row 31 not run on the oracle machine (gup_test not available)"
