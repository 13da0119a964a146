# cow selftest "R/O GUP-fast pin on R/O-mapped previously-shared page ... with base page"
# (tools/testing/selftests/mm/cow.c, test_ro_fast_pin_on_ro_previously_shared -> do_test_ro_pin,
# RO_PIN_TEST_PREVIOUSLY_SHARED, fast=true):
#   1. memset(mem, 1) populates the anonymous base page.
#   2. fork(), then the child exits: the parent's pte stays R/O on a page that is now really its own
#      (refcount 1, mapcount 1), but fork cleared PageAnonExclusive.
#   3. gup_test PIN_LONGTERM_TEST_START with PIN_LONGTERM_TEST_FLAG_USE_FAST:
#      pin_user_pages_fast(FOLL_LONGTERM), a read-only long-term pin.
#   4. The parent does memset(mem, 0xff) and reads the page back through the pin (PIN_LONGTERM_TEST_READ).
#      The test fails if the pin does not see 0xff.
# 5.7's GUP-fast pins the page from the R/O pte as it is, and the write fault reuses it by mapcount (1).
# 5.8's GUP-fast demands a writable pte for a pin on a COW mapping and falls back to the slow path, which
# breaks COW first; that write fault reuses the page by mapcount, so the pin holds the page the pte maps
# writable. 5.9 and 5.11 pin it from GUP-fast as it is, and the page-count rule sees 1 + 1024 != 1 and
# copies away from the pin. From 5.19 GUP-fast bails out on a page that is not PageAnonExclusive and the
# slow path unshares it: with refcount 1 the unshare fault reuses the page and marks it exclusive (pte still
# R/O); the pin holds it and the write fault reuses the exclusive page.
# Oracle (6.18, §6.1 #595): skipped, gup_test is not built on that machine.
scenario cow-ro-pin-fast-previously-shared
doc "A R/O long-term GUP-fast pin of a page whose COW sharer has exited must see the later write"

process P
P: mmap A 4K PROT_READ|PROT_WRITE MAP_PRIVATE|MAP_ANONYMOUS
P: store A 0x01                                 # memset(mem, 1): populate the base page
P: fork C                                       # the page is shared, both ptes R/O
C: exit                                         # the child quits: mapcount 1, refcount 1, pte still R/O
P: n = pin_user_pages_fast H A 1 FOLL_LONGTERM  # PIN_LONGTERM_TEST_START (USE_FAST): R/O pin
P: store A 0xff                                 # memset(mem, 0xff)
P: r0 = dma_read H                              # PIN_LONGTERM_TEST_READ

exists (P:n = 1 /\ P:r0 != 0xff)

expect 5.7 5.8 forbidden
expect 5.9 5.11 allowed
expect 5.19 6.18 forbidden

# Nothing is stated for 4.8 and 4.9: pin_user_pages only exists since 5.6 (kernel-mm.md §0).
known 5.7 forbidden "kernel-mm.md §3.2(a): reuse when mapcount is 1, GUP references ignored (a page can be reused while a DMA reference exists)"
known 5.8 forbidden "kernel-mm.md §3.2(b) 17839856fd58: GUP-fast required a writable pte, and GUP breaks COW first (mapcount rule kept, so mapcount 1 reuses), giving the caller an exclusive page"
known 5.9 5.11 allowed "kernel-mm.md §3.2(c): page_count != 1 copies, so the process's own write-protected pinned page is abandoned; §2.7: before 5.19 R/O pins could go stale"
known 5.19 forbidden "kernel-mm.md §2.6: GUP-fast bails out when gup_must_unshare says so; §2.7: the R/O pin unshares first (sole owner: reuse and mark exclusive), so a later write by that mm reuses the pinned page"
known 6.18 forbidden "kernel-oracle.md §4.1: asserted by the selftest; row 595 not run on the oracle machine (gup_test not available)"
