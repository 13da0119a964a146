# cow selftest "R/O GUP pin on R/O-mapped exclusive page ... with base page"
# (tools/testing/selftests/mm/cow.c, test_ro_pin_on_ro_exclusive -> do_test_ro_pin,
# RO_PIN_TEST_RO_EXCLUSIVE, fast=false):
#   1. memset(mem, 1) populates the anonymous base page; no fork, so the page is exclusive.
#   2. mprotect(PROT_READ), clear_softdirty() (echo 4 > clear_refs), mprotect(PROT_READ|PROT_WRITE): the pte
#      ends up R/O, and soft-dirty tracking stops mprotect from making it writable again.
#   3. gup_test PIN_LONGTERM_TEST_START without flags: pin_user_pages(FOLL_LONGTERM), a read-only long-term
#      pin.
#   4. memset(mem, 0xff), then read the page back through the pin (PIN_LONGTERM_TEST_READ). The test fails
#      if the pin does not see 0xff.
# 5.7 pins the page as it is, and the write fault reuses it by mapcount (1). 5.8 breaks COW in GUP first:
# that write fault reuses the page by mapcount and leaves the pte writable, so the store needs no fault. 5.9
# and 5.11 pin it as it is, and the page-count rule sees 1 + 1024 != 1 and copies away from the pin (5.11's
# clear_refs skip does not come into it: the pin is taken after clear_refs). 5.19 pins the PageAnonExclusive
# page without unsharing, and the write fault reuses it whatever its refcount.
# Oracle (6.18, §6.1 #649): skipped, gup_test is not built on that machine.
scenario cow-ro-pin-exclusive
doc "A R/O long-term pin of an exclusive page mapped R/O must see the later write"

process P
P: mmap A 4K PROT_READ|PROT_WRITE MAP_PRIVATE|MAP_ANONYMOUS
P: store A 0x01                               # memset(mem, 1): populate the base page
P: mprotect A 4K PROT_READ                    # the pte becomes R/O
P: clear_refs 4                               # clear_softdirty(): the VMA needs write notification
P: mprotect A 4K PROT_READ|PROT_WRITE         # the pte stays R/O
P: n = pin_user_pages H A 1 FOLL_LONGTERM     # PIN_LONGTERM_TEST_START: a R/O long-term pin
P: store A 0xff                               # memset(mem, 0xff)
P: r0 = dma_read H                            # PIN_LONGTERM_TEST_READ

exists (P:n = 1 /\ P:r0 != 0xff)

expect 5.7 5.8 forbidden
expect 5.9 5.11 allowed
expect 5.19 6.18 forbidden

# Nothing is stated for 4.8 and 4.9: pin_user_pages only exists since 5.6 (kernel-mm.md §0).
known 5.7 forbidden "kernel-mm.md §3.2(a): reuse when mapcount is 1, GUP references ignored (a page can be reused while a DMA reference exists)"
known 5.8 forbidden "kernel-mm.md §3.2(b) 17839856fd58: GUP breaks COW first (mapcount rule kept, so mapcount 1 reuses), giving the caller an exclusive page"
known 5.9 5.11 allowed "kernel-mm.md §3.2(c): page_count != 1 copies, so the process's own write-protected pinned page is abandoned; §2.7: before 5.19 R/O pins could go stale"
known 5.19 forbidden "kernel-mm.md §3.2(f): a PageAnonExclusive page is reused whatever its refcount; §2.7: the pin stays coherent with the mapping"
known 6.18 forbidden "kernel-oracle.md §4.1: asserted by the selftest; row 649 not run on the oracle machine (gup_test not available)"
