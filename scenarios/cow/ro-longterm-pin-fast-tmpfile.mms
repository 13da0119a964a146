# cow selftest "R/O longterm GUP-fast pin ... with tmpfile" (tools/testing/selftests/mm/cow.c,
# test_ro_fast_pin -> do_test_ro_pin(RO_PIN_TEST, fast=true) under run_with_tmpfile):
#   1. tmpfile() in /tmp (ext4 on the oracle machine) and fallocate() one page (zeroes); mem: a
#      PROT_READ|PROT_WRITE MAP_PRIVATE mapping of it, smem: a PROT_READ MAP_SHARED mapping of it.
#   2. Read both (tmp = *mem + *smem): the read faults map the ext4 page-cache page into both, read-only in
#      mem. (The model's file is ftruncate()d: the read fault reads a zeroed page into the cache.)
#   3. gup_test PIN_LONGTERM_TEST_START with PIN_LONGTERM_TEST_FLAG_USE_FAST:
#      pin_user_pages_fast(FOLL_LONGTERM), a read-only long-term pin of mem, which still maps the
#      page-cache page.
#   4. memset(mem, 0xff), then read the page back through the pin (PIN_LONGTERM_TEST_READ). The test fails
#      if the pin does not see 0xff.
# The write to mem must COW the page-cache page into a new anonymous page, so a pin of the page-cache page
# itself goes stale. 5.7 pins the page-cache page and the write copies away from it. 5.8 (17839856fd58)
# breaks COW in GUP first, as if FOLL_WRITE: mem gets its anonymous copy, writable, and the pin holds it.
# 5.9 reverts that (a308c71bf1e6): the pin is stale again, also in 5.11 and in 5.19, whose unsharing covers
# anonymous pages only. 6.2 (84209e87c696) unshares the page-cache page into an anonymous copy for a R/O
# long-term pin in a COW mapping: the copy is mapped R/O and exclusive, the pin holds it, and the write
# fault reuses it.
# GUP-fast: 5.7, 5.9, 5.11 and 5.19 pin the page-cache page straight from the R/O pte. 5.8 demands a
# writable pte for a pin on a COW mapping, and 6.18 refuses a non-anon page for a R/O long-term pin
# (gup_must_unshare without the VMA); both fall back to the slow path.
# Oracle (6.18, §6.1 #775): skipped, gup_test is not built on that machine.
scenario cow-ro-longterm-pin-fast-tmpfile
doc "A R/O long-term GUP-fast pin of an ext4 file page in a private mapping must see the later write"

process P
P: creat F ext4 4K                                    # tmpfile() + fallocate(pagesize)
P: mmap_file M F 4K PROT_READ|PROT_WRITE MAP_PRIVATE  # mem
P: mmap_file S F 4K PROT_READ MAP_SHARED              # smem
P: r1 = load M                                        # fault the page-cache page in
P: r2 = load S
P: n = pin_user_pages_fast H M 1 FOLL_LONGTERM        # PIN_LONGTERM_TEST_START (USE_FAST): R/O pin
P: store M 0xff                                       # memset(mem, 0xff)
P: r0 = dma_read H                                    # PIN_LONGTERM_TEST_READ

exists (P:n = 1 /\ P:r0 != 0xff)

expect 5.7 allowed
expect 5.8 forbidden
expect 5.9 5.11 5.19 allowed
expect 6.18 forbidden

# Nothing is stated for 4.8 and 4.9: pin_user_pages only exists since 5.6 (kernel-mm.md §0). Nothing for
# 5.19 either: kernel-mm.md §2.7 gives today's non-anon unsharing rule without the version it came in.
known 5.7 allowed "kernel-mm.md §2.7: before 5.19 R/O pins could go stale (no unsharing), and the first write COW-replaces the page in the private mapping"
known 5.8 forbidden "kernel-mm.md §3.2(b) 17839856fd58: GUP-fast required a writable pte, and any GUP on a private mapping gives the caller an already COWed page"
known 5.9 5.11 allowed "kernel-mm.md §3.2(c): forced COW reverted (a308c71bf1e6); §2.7: before 5.19 R/O pins could go stale, and the first write COW-replaces the page"
known 6.18 forbidden "kernel-oracle.md §4.3: asserted by the selftest; row 775 not run on the oracle machine (gup_test not available)"
