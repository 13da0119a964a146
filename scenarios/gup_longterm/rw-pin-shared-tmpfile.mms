# gup_longterm selftest "R/W longterm GUP pin in MAP_SHARED file mapping ... with tmpfile"
# (oracle §6.2 rows 2 and 3 "... with tmpfile" / "... with local tmpfile", both on ext4)
# tools/testing/selftests/mm/gup_longterm.c, do_test with TEST_TYPE_RW, shared=true:
#   1. The file comes from tmpfile() on ext4, is ftruncate()d to one page, mmap()ed MAP_SHARED
#      PROT_READ|PROT_WRITE and faulted in with memset, so the pte maps the page-cache page.
#   2. gup_test's PIN_LONGTERM_TEST_START pins the page with pin_user_pages(FOLL_WRITE|FOLL_LONGTERM).
#   should_work is false (R/W, MAP_SHARED, ext4): the test passes only if the pin fails with EFAULT.
# Before 6.5 nothing refused a writable long-term pin of ext4 page cache (only fs-dax was refused), so
# the pin succeeds and the selftest's assertion fails under 5.7-5.19: this is the hazard of
# kernel-mm.md §6.2 (Jan Kara's race: DMA into a page writeback has cleaned). 6.5 (Lorenzo Stoakes,
# writable_file_mapping_allowed, kernel-mm.md §2.3 item 5) refuses it with -EFAULT.
# 4.8 and 4.9 have neither FOLL_PIN nor io_uring (kernel-mm.md §0): no expectation there.
# Oracle (6.18, §6.2 #2): skipped, gup_test is not built into the oracle kernel; the assertion
# is the selftest's (§4.4).
scenario gup-longterm-rw-pin-shared-tmpfile
doc "A R/W long-term pin in a MAP_SHARED mapping of an ext4 file must fail with EFAULT"

process P
P: creat F ext4 4K                   # tmpfile(): /tmp is ext4 on the oracle machine
P: unlink F                          # tmpfile() files have no name
P: mmap_file A F 4K PROT_READ|PROT_WRITE MAP_SHARED
P: store A 0x0                       # memset(mem, 0, size): fault the page in
P: r0 = pin_user_pages H A 1 FOLL_WRITE|FOLL_LONGTERM   # PIN_LONGTERM_TEST_START

exists (P:r0 != -EFAULT)

expect 5.7 5.8 5.9 5.11 5.19 allowed
expect 6.18 forbidden

known 5.7 5.8 5.9 5.11 5.19 allowed "kernel-mm.md §6.2 and §0: writable long-term pins of file mappings that need dirty tracking are refused only from 6.5 (Lorenzo Stoakes)"
known 6.18 forbidden "kernel-oracle.md §4.4: asserted by the selftest; row 2 not run on the oracle machine (gup_test not available)"
