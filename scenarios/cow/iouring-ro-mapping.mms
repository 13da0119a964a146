# cow selftest "R/O-mapping a page registered as iouring fixed buffer ... with base page"
# (tools/testing/selftests/mm/cow.c, test_iouring_ro -> do_test_iouring, use_fork=false):
#   1. memset(mem, 1) populates the anonymous base page; tmpfile() creates the file (on ext4, /tmp).
#   2. io_uring_register_buffers pins the page writable and long-term (FOLL_WRITE|FOLL_PIN|FOLL_LONGTERM):
#      refcount 1 + 1024, mapcount 1.
#   3. mprotect(PROT_READ), clear_softdirty() (echo 4 > clear_refs), mprotect(PROT_READ|PROT_WRITE): the pte
#      ends up read-only, and soft-dirty tracking stops mprotect from making it writable again.
#   4. memset(mem, 0xff), then IORING_OP_WRITE_FIXED copies the pinned buffer to the file, and pread reads
#      it back. The test fails if the file differs from memory: the write fault moved the process to a new
#      page while the ring kept the old one.
# Up to 5.8 do_wp_page reuses by mapcount (1), so the store lands in the pinned page. 5.9's page-count rule
# sees 1025 != 1 and copies (kernel-mm.md §4.3). 5.11's clear_refs fix (9348b73c2e1b) does not help: it only
# skips ptes that are still writable, and mprotect(PROT_READ) had already write-protected this one, so the
# write fault still copies. 5.19 reuses the page because it is PageAnonExclusive, whatever its refcount.
# Oracle (6.18, §6.1 #325): ok. That machine has no CONFIG_MEM_SOFT_DIRTY, so clear_refs 4 did nothing
# there; with it or without it, 6.18 keeps the pinned page (mprotect maps the exclusive page writable, or
# the write fault reuses it).
scenario cow-iouring-ro-mapping
doc "After mprotect R/O, clear_refs and mprotect R/W, the write must reach the io_uring fixed buffer"

process P
P: mmap A 4K PROT_READ|PROT_WRITE MAP_PRIVATE|MAP_ANONYMOUS
P: store A 0x01                               # memset(mem, 1): populate the base page
P: creat F ext4 4K                            # tmpfile() in /tmp (ext4)
P: s = io_uring_setup R                       # io_uring_queue_init
P: n = io_uring_register_buffers R A 4K       # writable long-term pin: refcount 1 + 1024
P: mprotect A 4K PROT_READ                    # the pte becomes read-only
P: clear_refs 4                               # clear_softdirty(): the VMA needs write notification
P: mprotect A 4K PROT_READ|PROT_WRITE         # the pte stays read-only
P: store A 0xff                               # memset(mem, 0xff): the decisive write fault
P: w = io_uring_write_fixed R F 0 A 4K        # the ring copies the pinned page into the file
P: r0 = pread F 0                             # read the file back

exists (P:n = 0 /\ P:w = 0x1000 /\ P:r0 != 0xff)

expect 5.7 5.8 forbidden
expect 5.9 5.11 allowed
expect 5.19 6.18 forbidden

# Nothing is stated for 4.8 and 4.9: they have no FOLL_PIN (kernel-mm.md §0, 5.6), and io_uring fixed
# buffers pin with it.
known 5.7 5.8 forbidden "kernel-mm.md §4.3 step 4: before 5.9 the mapcount rule reused the page (mapcount 1); §3.2(a)"
known 5.9 allowed "kernel-mm.md §4.3 steps 1-3 and §10 B4: page_count 1025 != 1, so the write fault copies away from the io_uring pin"
known 5.11 allowed "kernel-mm.md §3.2(c): page_count rule until 5.19; §4.3 fix 9348b73c2e1b skips only writable ptes, and mprotect(PROT_READ) made this one R/O"
known 5.19 forbidden "kernel-mm.md §3.2(f): a PageAnonExclusive page is reused whatever its refcount, so a pinned page is never abandoned by its own process"
known 6.18 forbidden "kernel-oracle.md §6.1 #325 'R/O-mapping a page registered as iouring fixed buffer ... with base page': ok in runs A, B and C"
