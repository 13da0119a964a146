# cow selftest "R/O GUP pin on R/O-mapped shared page ... with base page" (tools/testing/selftests/mm/cow.c,
# test_ro_pin_on_shared -> do_test_ro_pin, RO_PIN_TEST_SHARED, fast=false):
#   1. memset(mem, 1) populates the anonymous base page.
#   2. fork(); the child stays alive, so the page is COW-shared and mapped R/O in both processes.
#   3. gup_test PIN_LONGTERM_TEST_START without flags: pin_user_pages(FOLL_LONGTERM), a read-only long-term
#      pin.
#   4. The parent does memset(mem, 0xff) and reads the page back through the pin (PIN_LONGTERM_TEST_READ).
#      The test fails if the pin does not see 0xff.
# 5.7 pins the shared page as it is; the parent's write fault sees mapcount 2 and copies away from the pin.
# 5.8 (17839856fd58) makes any FOLL_PIN on a COW mapping break COW first, as if FOLL_WRITE: the parent gets
# its own copy, writable, and the pin holds it. 5.9 reverts that (a308c71bf1e6) and the page-count rule
# copies (refcount 2 + 1024 != 1). 5.11 behaves as 5.9. 5.19 unshares first (FAULT_FLAG_UNSHARE): the parent
# gets an exclusive copy mapped R/O, the pin holds it, and the later write fault reuses it.
# Oracle (6.18, §6.1 #433): skipped, gup_test is not built on that machine.
scenario cow-ro-pin-shared
doc "A R/O long-term pin of a COW-shared page must see the parent's later write"

process P
P: mmap A 4K PROT_READ|PROT_WRITE MAP_PRIVATE|MAP_ANONYMOUS
P: store A 0x01                               # memset(mem, 1): populate the base page
P: fork C                                     # the child stays alive: the page is shared
P: n = pin_user_pages H A 1 FOLL_LONGTERM     # PIN_LONGTERM_TEST_START: a R/O long-term pin
P: store A 0xff                               # memset(mem, 0xff)
P: r0 = dma_read H                            # PIN_LONGTERM_TEST_READ

exists (P:n = 1 /\ P:r0 != 0xff)

expect 5.7 allowed
expect 5.8 forbidden
expect 5.9 5.11 allowed
expect 5.19 6.18 forbidden

# Nothing is stated for 4.8 and 4.9: pin_user_pages only exists since 5.6 (kernel-mm.md §0).
known 5.7 allowed "kernel-mm.md §3.2(a): GUP references are ignored, a page is copied while a pin exists (mapcount 2); §2.7: before 5.19 R/O pins could go stale"
known 5.8 forbidden "kernel-mm.md §3.2(b) 17839856fd58: any GUP on a private mapping gives the caller an exclusive, already COWed page, even for a read"
known 5.9 5.11 allowed "kernel-mm.md §3.2(c): page_count != 1 copies, forced COW reverted (a308c71bf1e6); §2.7: before 5.19 R/O pins could go stale"
known 5.19 forbidden "kernel-mm.md §2.7: a R/O pin of a not-exclusive anon page unshares it first, so a later write by that mm reuses the pinned page"
known 6.18 forbidden "kernel-oracle.md §4.1: asserted by the selftest; row 433 not run on the oracle machine (gup_test not available)"
