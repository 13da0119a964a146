# cow selftest "R/O GUP-fast pin on R/O-mapped exclusive page ... with base page"
# (tools/testing/selftests/mm/cow.c, test_ro_fast_pin_on_ro_exclusive -> do_test_ro_pin,
# RO_PIN_TEST_RO_EXCLUSIVE, fast=true):
#   1. memset(mem, 1) populates the anonymous base page; no fork, so the page is exclusive.
#   2. mprotect(PROT_READ), clear_softdirty() (echo 4 > clear_refs), mprotect(PROT_READ|PROT_WRITE): the pte
#      ends up R/O, and soft-dirty tracking stops mprotect from making it writable again.
#   3. gup_test PIN_LONGTERM_TEST_START with PIN_LONGTERM_TEST_FLAG_USE_FAST:
#      pin_user_pages_fast(FOLL_LONGTERM), a read-only long-term pin.
#   4. memset(mem, 0xff), then read the page back through the pin (PIN_LONGTERM_TEST_READ). The test fails
#      if the pin does not see 0xff.
# 5.7's GUP-fast pins the page from the R/O pte as it is, and the write fault reuses it by mapcount (1).
# 5.8's GUP-fast demands a writable pte for a pin on a COW mapping and falls back to the slow path, which
# breaks COW first: that write fault reuses the page by mapcount and leaves the pte writable. 5.9 and 5.11
# pin it from GUP-fast as it is, and the page-count rule sees 1 + 1024 != 1 and copies away from the pin
# (5.11's clear_refs skip does not come into it: the pin is taken after clear_refs). From 5.19 GUP-fast pins
# the PageAnonExclusive page directly (nothing to unshare), and the write fault reuses it.
# Oracle (6.18, §6.1 #703): skipped, gup_test is not built on that machine.
scenario cow-ro-pin-fast-exclusive
doc "A R/O long-term GUP-fast pin of an exclusive page mapped R/O must see the later write"

process P
P: mmap A 4K PROT_READ|PROT_WRITE MAP_PRIVATE|MAP_ANONYMOUS
P: store A 0x01                                 # memset(mem, 1): populate the base page
P: mprotect A 4K PROT_READ                      # the pte becomes R/O
P: clear_refs 4                                 # clear_softdirty(): the VMA needs write notification
P: mprotect A 4K PROT_READ|PROT_WRITE           # the pte stays R/O
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
known 5.19 forbidden "kernel-mm.md §3.2(f): a PageAnonExclusive page is reused whatever its refcount; §2.7: the pin stays coherent with the mapping"
known 6.18 forbidden "kernel-oracle.md §4.1: asserted by the selftest; row 703 not run on the oracle machine (gup_test not available)"
