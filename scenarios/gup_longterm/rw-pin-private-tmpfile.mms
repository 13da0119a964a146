# gup_longterm selftest "R/W longterm GUP pin in MAP_PRIVATE file mapping ... with tmpfile"
# (oracle §6.2 rows 22 and 23 "... with tmpfile" / "... with local tmpfile", both on ext4)
# tools/testing/selftests/mm/gup_longterm.c, do_test with TEST_TYPE_RW, shared=false:
#   1. The file comes from tmpfile() on ext4, is ftruncate()d to one page, mmap()ed MAP_PRIVATE
#      PROT_READ|PROT_WRITE and faulted in with memset: the write fault of the private mapping
#      replaces the page-cache page with an anonymous COW copy.
#   2. gup_test's PIN_LONGTERM_TEST_START pins the page with pin_user_pages(FOLL_WRITE|FOLL_LONGTERM).
#   should_work is true (pinning in a private mapping must always work):
#   the test fails unless the pin returns the page.
# memset already broke COW, so the pte maps an exclusive, writable anonymous page: the pin takes it
# directly under every profile (it is not a file page, so 6.5's refusal does not apply).
# 4.8 and 4.9 have neither FOLL_PIN nor io_uring (kernel-mm.md §0): no expectation there.
# Oracle (6.18, §6.2 #22): skipped, gup_test is not built into the oracle kernel; the assertion
# is the selftest's (§4.4).
scenario gup-longterm-rw-pin-private-tmpfile
doc "A R/W long-term pin in a MAP_PRIVATE mapping of an ext4 file must succeed"

process P
P: creat F ext4 4K                   # tmpfile(): /tmp is ext4 on the oracle machine
P: unlink F                          # tmpfile() files have no name
P: mmap_file A F 4K PROT_READ|PROT_WRITE MAP_PRIVATE
P: store A 0x0                       # memset(mem, 0, size): fault the page in, COW copy
P: r0 = pin_user_pages H A 1 FOLL_WRITE|FOLL_LONGTERM   # PIN_LONGTERM_TEST_START

exists (P:r0 != 1)

expect 5.7 5.8 5.9 5.11 5.19 6.18 forbidden

known 6.18 forbidden "kernel-oracle.md §4.4: asserted by the selftest; row 22 not run on the oracle machine (gup_test not available)"
